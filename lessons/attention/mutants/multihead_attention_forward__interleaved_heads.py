"""Splits with reshape(N, T, dh, h): head j gets the columns j, j + h, j + 2h, ..."""

EXERCISE = "multihead_attention_forward"
DIAGNOSIS = "mha-heads-interleaved"


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, num_heads, causal=False):
    n, t, e = x.shape
    dh = e // num_heads

    def split(a):  # (N, T, E) -> (N*h, T, dh)
        return a.reshape(n, t, dh, num_heads).transpose(0, 3, 1, 2).reshape(n * num_heads, t, dh)

    heads = attention_forward(split(x @ Wq), split(x @ Wk), split(x @ Wv), causal)
    merged = heads.reshape(n, num_heads, t, dh).transpose(0, 2, 3, 1).reshape(n, t, e)
    return merged @ Wo
