"""Adds eps to each row's standard deviation instead of to its variance."""

EXERCISE = "layernorm_forward"
DIAGNOSIS = "eps-outside-sqrt"


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    return gamma * (x - mean) / (std + eps) + beta
