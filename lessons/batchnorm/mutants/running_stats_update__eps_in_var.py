"""Adds eps to the batch variance it keeps: eps belongs to the normalization, not the
statistic."""

EXERCISE = "running_stats_update"
DIAGNOSIS = "running-var-eps"


def running_stats_update(running_mean, running_var, x, momentum=0.9, eps=1e-5):
    mean_new = momentum * running_mean + (1.0 - momentum) * x.mean(axis=0)
    var_new = momentum * running_var + (1.0 - momentum) * (x.var(axis=0) + eps)
    return mean_new, var_new
