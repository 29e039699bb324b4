"""Adds eps to the standard deviation instead of to the variance."""

EXERCISE = "batchnorm_forward"
DIAGNOSIS = "eps-outside-sqrt"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / (x.std(axis=0) + eps)
    return gamma * x_hat + beta
