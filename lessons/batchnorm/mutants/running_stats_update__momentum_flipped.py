"""Uses PyTorch's convention: momentum weighs the batch statistic."""

EXERCISE = "running_stats_update"
DIAGNOSIS = "momentum-flipped"


def running_stats_update(running_mean, running_var, x, momentum=0.9):
    mean_new = (1.0 - momentum) * running_mean + momentum * x.mean(axis=0)
    var_new = (1.0 - momentum) * running_var + momentum * x.var(axis=0)
    return mean_new, var_new
