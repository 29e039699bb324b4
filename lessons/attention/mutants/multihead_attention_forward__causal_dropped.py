"""Calls the heads without passing the causal flag on."""

import numpy as np

EXERCISE = "multihead_attention_forward"
DIAGNOSIS = "mha-causal-dropped"


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    dh = x.shape[-1] // num_heads
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    heads = [attention_forward(q[..., j * dh:(j + 1) * dh], k[..., j * dh:(j + 1) * dh],
                               v[..., j * dh:(j + 1) * dh]) for j in range(num_heads)]
    return np.concatenate(heads, axis=-1) @ Wo
