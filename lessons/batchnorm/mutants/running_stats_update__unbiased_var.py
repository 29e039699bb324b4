"""Averages the unbiased batch variance into the running variance, as PyTorch does."""

EXERCISE = "running_stats_update"
DIAGNOSIS = "running-unbiased-var"


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    mean_new = momentum * running_mean + (1.0 - momentum) * x.mean(axis=0)
    var_new = momentum * running_var + (1.0 - momentum) * x.var(axis=0, ddof=1)
    return mean_new, var_new
