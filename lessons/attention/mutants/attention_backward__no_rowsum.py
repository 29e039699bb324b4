"""Treats the softmax as an elementwise scaling: dS = P * dP."""

import numpy as np

EXERCISE = "attention_backward"
DIAGNOSIS = "attn-softmax-no-rowsum"


def attention_backward(dout, q, k, v, causal=False):
    p = _weights(q, k, causal)
    dv = p.transpose(0, 2, 1) @ dout
    ds = p * (dout @ v.transpose(0, 2, 1))
    scale = 1 / np.sqrt(q.shape[-1])
    return ds @ k * scale, ds.transpose(0, 2, 1) @ q * scale, dv
