"""Averages the batch standard deviation into the running variance."""

EXERCISE = "running_stats_update"
DIAGNOSIS = "running-std"


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    mean_new = momentum * running_mean + (1.0 - momentum) * x.mean(axis=0)
    var_new = momentum * running_var + (1.0 - momentum) * x.std(axis=0)
    return mean_new, var_new
