"""Graded inputs for the GAN losses, chosen to catch real bugs.

Logits of magnitude 1e3 expose every log(σ(s)) and exp(s) that overflows or is clipped
(BCE(−1000, 1) is 1000, not inf and not 16.1); soft targets such as 0.9 expose code that
assumes labels are 0 or 1; real and fake batches of different lengths expose a shared mean
or the wrong N; N = 1 exposes shape slips. Logits, not probabilities, are the inputs, so
every case here is a possible output of a discriminator.
"""

import numpy as np

from tutor import Case


def bce_with_logits(rng):
    hard = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    return [
        Case("N=6, targets 0 and 1", (2.0 * rng.standard_normal(6), rng.permutation(hard))),
        Case("N=7, soft targets (0.9 and 0.1 among them)",
             (3.0 * rng.standard_normal(7),
              rng.permutation(np.concatenate([[0.9, 0.1], rng.uniform(0.05, 0.95, 5)])))),
        Case("N=1", (np.array([rng.uniform(-3.0, 3.0)]), np.array([1.0]))),
        Case("logits of magnitude 1e3 (BCE(-1000, 1) = 1000)",
             (np.array([-1000.0, 1000.0, -1000.0, 1000.0, 750.0, -500.0]),
              np.array([1.0, 0.0, 0.0, 1.0, 0.9, 0.3]))),
        Case("N=9, logits from -40 to 40, soft targets",
             (np.linspace(-40.0, 40.0, 9) + rng.uniform(-1.0, 1.0, 9), rng.uniform(0.0, 1.0, 9))),
    ]


def discriminator_loss(rng):
    return [
        Case("N_real = N_fake = 6", (2.0 * rng.standard_normal(6), 2.0 * rng.standard_normal(6))),
        Case("N_real = 5, N_fake = 3", (2.0 * rng.standard_normal(5),
                                        2.0 * rng.standard_normal(3))),
        Case("N_real = 2, N_fake = 8", (1.0 + rng.standard_normal(2),
                                        rng.standard_normal(8) - 1.0)),
        Case("N_real = N_fake = 1", (rng.standard_normal(1), rng.standard_normal(1))),
        Case("logits of magnitude 1e3, N_real = 4, N_fake = 3",
             (np.array([1000.0, -1000.0, 600.0, -2.0]), np.array([-1000.0, 1000.0, 300.0]))),
    ]


def _generator_cases(rng):
    return [
        Case("N=6", (2.0 * rng.standard_normal(6),)),
        Case("N=1", (np.array([rng.uniform(-3.0, 3.0)]),)),
        Case("logits of magnitude 1e3", (np.array([-1000.0, 1000.0, -600.0, 700.0, 3.0]),)),
        Case("D rejects the fakes: logits from -12 to -4", (rng.uniform(-12.0, -4.0, 8),)),
        Case("N=9, logits from -6 to 6", (rng.uniform(-6.0, 6.0, 9),)),
        # minimax loss about -e^(-30) / 4: values this close to 0 pass on an absolute error
        Case("D sure every fake is fake: logits -1000 to -30",
             (np.array([-1000.0, -745.0, -60.0, -30.0]),)),
    ]


def generator_loss(rng):
    return _generator_cases(rng)


def minimax_generator_loss(rng):
    return _generator_cases(rng)


def race_inputs(name, rng, size=256):
    """Bigger inputs for `tutor race`: ``size`` logits (per batch)."""
    logits = 3.0 * rng.standard_normal(size)
    if name == "bce_with_logits":
        return logits, rng.uniform(0.0, 1.0, size)
    if name == "discriminator_loss":
        return logits + 1.0, 3.0 * rng.standard_normal(size) - 1.0
    return (logits,)


# function: ([sizes for a quick look, small enough for the CUDA simulator],
#            [realistic sizes]); each size is passed to race_inputs, and `tutor race`
#            takes the first of each
BENCHMARKS = {
    "bce_with_logits": ([256, 1024], [10**5, 10**6]),
    "discriminator_loss": ([256, 1024], [10**5, 10**6]),
}
