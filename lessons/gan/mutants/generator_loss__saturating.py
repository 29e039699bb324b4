"""The minimax loss mean log(1 - σ(s)) instead of the non-saturating one."""

EXERCISE = "generator_loss"
DIAGNOSIS = "g-saturating"


def generator_loss(logits_fake):
    return minimax_generator_loss(logits_fake)
