"""Forgets the 1/√d of the scores in dq and dk."""

EXERCISE = "attention_backward"
DIAGNOSIS = "attn-backward-no-scale"


def attention_backward(dout, q, k, v, causal=False):
    p = _weights(q, k, causal)
    dv = p.transpose(0, 2, 1) @ dout
    dp = dout @ v.transpose(0, 2, 1)
    ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
    return ds @ k, ds.transpose(0, 2, 1) @ q, dv
