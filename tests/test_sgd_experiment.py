"""The sgd experiment: it renders in 80 columns, moves every point with the ops it is given,
and shows what the lesson claims: momentum beats plain SGD on a long valley, SGD diverges
past lr = 2 / λ_max, Nesterov already past 2 (1 + μ) / (1 + 2μ), and noisy gradients leave a
floor under the loss."""

import numpy as np
import pytest
from lesson_helpers import Counting, lesson_fixtures, render

VALLEY, ROSENBROCK = 0, 1

lesson, ref, exp = lesson_fixtures("sgd")


@pytest.fixture(scope="module")
def default_run(exp, ref):
    return list(exp.frames(ref, **exp.PARAMS))


def test_interface(exp):
    assert exp.TITLE
    assert set(exp.PARAMS) == {"steps", "lr", "momentum", "adam_lr", "noise", "seed"}


def test_frames_render_in_80_columns(default_run):
    steps = [f.step for f in default_run]
    assert steps[0] == 0 and steps[-1] == default_run[-1].steps and steps == sorted(steps)
    for frame in (default_run[0], default_run[-1]):
        text = render(frame)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert f"step {frame.step}/{frame.steps}" in text
        assert all(name in text for name in ("sgd", "momentum", "nesterov", "adam"))


def test_every_optimizer_descends_and_momentum_beats_sgd(default_run):
    first, last = default_run[0], default_run[-1]
    for surface in (VALLEY, ROSENBROCK):
        start = first.loss("sgd", surface)
        for name in ("sgd", "momentum", "nesterov", "adam"):
            assert last.loss(name, surface) < start / 10, (name, surface)
        # a long, flat direction: the velocity builds up speed where plain steps crawl
        for name in ("momentum", "nesterov"):
            assert last.loss(name, surface) < last.loss("sgd", surface) / 100, (name, surface)
    assert np.allclose(last.paths[-1, 1, ROSENBROCK], [1.0, 1.0], atol=1e-3)  # momentum
    assert not last.diverged.any()


def test_each_step_calls_each_optimizer_once(exp, ref):
    ops = Counting(ref)
    frames = list(exp.frames(ops, steps=30, every=10))
    assert ops.calls == {name: 30 for name in
                         ("sgd_step", "sgd_momentum_step", "nesterov_step", "adam_step")}
    assert [f.step for f in frames] == [0, 10, 20, 30]


def test_without_momentum_all_three_are_plain_sgd(exp, ref):
    last = list(exp.frames(ref, steps=40, momentum=0.0))[-1]
    sgd, momentum, nesterov = last.paths[:, 0], last.paths[:, 1], last.paths[:, 2]
    np.testing.assert_allclose(momentum, sgd, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(nesterov, sgd, rtol=1e-12, atol=1e-12)


def test_divergence_thresholds_on_the_valley(exp, ref):
    # λ_max = 1 on the valley: SGD is stable below lr = 2, heavy-ball momentum below
    # 2 (1 + μ) = 3.8, Nesterov below 2 (1 + μ) / (1 + 2μ) ≈ 1.357 at μ = 0.9.
    stable = list(exp.frames(ref, steps=150, lr=1.3))[-1]
    assert not stable.diverged[:, VALLEY].any()
    past_nesterov = list(exp.frames(ref, steps=150, lr=1.9))[-1]
    assert past_nesterov.diverged[:, VALLEY].tolist() == [False, False, True, False]
    past_sgd = list(exp.frames(ref, steps=150, lr=2.1))[-1]
    assert past_sgd.diverged[0, VALLEY] and not past_sgd.diverged[1, VALLEY]
    render(past_sgd)  # a diverged run still draws


def test_noisy_gradients_leave_a_floor(exp, ref):
    clean = list(exp.frames(ref, steps=200, noise=0.0))[-1]
    noisy = list(exp.frames(ref, steps=200, noise=0.1, seed=1))[-1]
    for k in (0, 3):  # sgd and adam
        floor = noisy.losses[-20:, k, VALLEY].mean()  # where the noise keeps it hovering
        assert floor > 10 * clean.losses[-20:, k, VALLEY].mean()
        assert floor < noisy.losses[0, k, VALLEY] / 100  # it still went most of the way down


class Frozen(Counting):
    """Broken optimizers that return the weights unchanged (and zero state)."""

    def __getattr__(self, name):
        def call(w, dw, *state):
            self.calls[name] = self.calls.get(name, 0) + 1
            if name == "sgd_step":
                return w.copy()
            return (w.copy(), *(np.zeros_like(w) for _ in range(2 if name == "adam_step" else 1)))

        return call


def test_optimizers_that_do_not_move_make_no_progress(exp, ref):
    frames = list(exp.frames(Frozen(ref), steps=20, every=10))
    assert np.array_equal(frames[-1].losses[-1], frames[0].losses[0])
    render(frames[-1])


def _largest_curvature(x, y):
    """λ_max of the Hessian of Rosenbrock's f = ((1 − x)² + 10 (y − x²)²) / 100."""
    hessian = np.array([[2 + 10 * (12 * x * x - 4 * y), -40 * x], [-40 * x, 20]]) / 100
    return float(np.linalg.eigvalsh(hessian)[-1])


def test_noise_throws_momentum_out_of_rosenbrocks_valley(exp, ref):
    """Page 2: with noise 0.1, momentum (and mostly Nesterov) diverge on Rosenbrock; their
    velocities carry the noise far off the valley floor, to curvatures past their limits."""
    lr, mu = exp.PARAMS["lr"], exp.PARAMS["momentum"]
    limits = {1: 2 * (1 + mu) / lr, 2: 2 * (1 + mu) / ((1 + 2 * mu) * lr)}
    assert _largest_curvature(*exp.SURFACES[ROSENBROCK].start) == pytest.approx(1.5, abs=0.05)
    assert _largest_curvature(2.0, 4.0) == pytest.approx(3.4, abs=0.05)
    nesterov_diverged = 0
    for seed in range(4):
        last = list(exp.frames(ref, **dict(exp.PARAMS, noise=0.1, seed=seed)))[-1]
        diverged = last.diverged[:, ROSENBROCK]
        assert not diverged[0] and not diverged[3]  # sgd and adam
        assert diverged[1]  # momentum, every time
        nesterov_diverged += int(diverged[2])
        off_floor = {}
        for k in range(4):
            path = last.paths[:, k, ROSENBROCK]
            off_floor[k] = np.abs(path[:, 1] - path[:, 0] ** 2).max()
            if diverged[k]:
                curvatures = [_largest_curvature(x, y) for x, y in path]
                assert max(curvatures) > limits[k]
        assert off_floor[1] > 5 * max(off_floor[0], off_floor[3])
    assert nesterov_diverged >= 3
