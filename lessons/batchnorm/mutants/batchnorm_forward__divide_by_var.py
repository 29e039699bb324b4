"""Divides by the variance instead of the standard deviation."""

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "divide-by-var"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / (x.var(axis=0) + eps)
    return gamma * x_hat + beta
