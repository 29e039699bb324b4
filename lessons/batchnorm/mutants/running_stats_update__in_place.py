"""Updates the running statistics in place, as a layer keeping them as attributes might."""

EXERCISE = "running_stats_update"
DIAGNOSIS = "mutated-input"


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    running_mean *= momentum
    running_mean += (1.0 - momentum) * x.mean(axis=0)
    running_var *= momentum
    running_var += (1.0 - momentum) * x.var(axis=0)
    return running_mean.copy(), running_var.copy()
