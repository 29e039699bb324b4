"""Back through the softmax with only the diagonal of its Jacobian: P(1 - P) dP."""

import numpy as np

EXERCISE = "attention_backward"
DIAGNOSIS = "attn-softmax-diagonal"


def attention_backward(dout, q, k, v, causal=False):
    p = _weights(q, k, causal)
    dv = p.transpose(0, 2, 1) @ dout
    dp = dout @ v.transpose(0, 2, 1)
    ds = p * (1 - p) * dp
    scale = 1 / np.sqrt(q.shape[-1])
    return ds @ k * scale, ds.transpose(0, 2, 1) @ q * scale, dv
