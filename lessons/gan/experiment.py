"""Experiment: a tiny GAN learns a ring of eight Gaussians, with your losses.

The generator G maps 2-D noise z through two ReLU layers to a point in the plane; the
discriminator D maps a point through two ReLU layers to one logit. Each step D takes an
Adam step on ``ops.discriminator_loss`` (real batch against a fake batch), then G takes one
on ``ops.generator_loss`` (or ``ops.minimax_generator_loss`` with loss=minimax),
backpropagated through D into G. The losses and their gradients are your functions once
your exercises pass; the networks are Numba code of this file.

Each frame scatters G's samples (braille dots) over the eight modes (○ where a mode has no
samples), counts the samples near each mode, and keeps small pictures of earlier steps:
early on the samples are a blob, then they spread and hop between modes; a mode with no
samples is mode collapse. D(G(z)) is D's mean probability that a fake is real; the
generator's gradient is the mean size of ∂L_G/∂s per sample (N times dfake), which
vanishes with the minimax loss when D(G(z)) is near 0.
"""

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Train a tiny GAN on a ring of eight Gaussians"
# Adam with lr 1e-3 and beta1 0.5 (the usual GAN setting) usually covers most of the modes
# within 1000-2000 steps with either loss (seeds differ); a mode can stay empty for long.
PARAMS = {"steps": 2000, "loss": "non-saturating", "hidden": 64, "lr": 1e-3, "seed": 0}
LOSSES = {"non-saturating": "generator_loss", "minimax": "minimax_generator_loss"}

MODES, RADIUS, STD = 8, 2.0, 0.05  # the data: 8 Gaussians on a circle of radius 2
NEAR = 4 * STD  # a sample this close to a mode's centre is on that mode
COVERED = 0.02  # a mode is covered when it holds at least this fraction of the samples
BATCH, Z_DIM, SHOWN = 128, 2, 1000  # batch size, noise size, samples drawn per frame
EXTENT = 2.6  # the plane shown is [-EXTENT, EXTENT] squared
MAP_W, MAP_H = 34, 17  # the scatter in characters: 68 x 68 braille dots, a square picture
THUMB_W, THUMB_H, THUMBS = 16, 8, 4  # the earlier pictures
CENTRES = RADIUS * np.column_stack([np.cos(2 * np.pi * np.arange(MODES) / MODES),
                                    np.sin(2 * np.pi * np.arange(MODES) / MODES)])


def real_batch(rng, n):
    """n points of the data: a mode chosen uniformly, plus Gaussian noise of std STD."""
    return CENTRES[rng.integers(0, MODES, n)] + STD * rng.standard_normal((n, 2))


def mode_shares(x):
    """The fraction of the points x (n, 2) that lies within NEAR of each mode's centre."""
    d = np.sqrt(((x[:, None, :] - CENTRES[None, :, :]) ** 2).sum(axis=2))
    near = d.min(axis=1) < NEAR
    return np.bincount(d.argmin(axis=1)[near], minlength=MODES) / len(x)


# -- the networks, compiled with Numba (imported after the first frame is on screen) -------

def _compile():
    from numba import njit

    @njit(cache=True)
    def dense(x, w, b, out, relu):
        """out = x @ w + b, then max(0, out) if relu."""
        for i in range(x.shape[0]):
            for j in range(w.shape[1]):
                out[i, j] = b[j]
            for k in range(x.shape[1]):
                xik = x[i, k]
                for j in range(w.shape[1]):
                    out[i, j] += xik * w[k, j]
            if relu:
                for j in range(w.shape[1]):
                    out[i, j] = max(out[i, j], 0.0)

    @njit(cache=True)
    def dense_backward(dout, x, w, dx, dw, db):
        """dw = x.T @ dout, db = sum of dout over rows, dx = dout @ w.T."""
        dw[:] = 0.0
        db[:] = 0.0
        for i in range(x.shape[0]):
            for k in range(x.shape[1]):
                xik = x[i, k]
                acc = 0.0
                for j in range(w.shape[1]):
                    dw[k, j] += xik * dout[i, j]
                    acc += dout[i, j] * w[k, j]
                dx[i, k] = acc
            for j in range(w.shape[1]):
                db[j] += dout[i, j]

    @njit(cache=True)
    def relu_mask(dh, h):
        """dh = 0 where the ReLU's output h is 0."""
        for i in range(h.shape[0]):
            for j in range(h.shape[1]):
                if h[i, j] <= 0.0:
                    dh[i, j] = 0.0

    @njit(cache=True)
    def adam(p, g, m, v, t, lr):
        """One Adam step with beta1 = 0.5, beta2 = 0.999, on flat views of one parameter."""
        c1, c2 = 1.0 - 0.5 ** t, 1.0 - 0.999 ** t
        for i in range(p.size):
            m[i] = 0.5 * m[i] + 0.5 * g[i]
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
            p[i] -= lr * (m[i] / c1) / (np.sqrt(v[i] / c2) + 1e-8)

    return dense, dense_backward, relu_mask, adam


class MLP:
    """in -> hidden (ReLU) -> hidden (ReLU) -> out, with its Adam state."""

    def __init__(self, rng, sizes):
        self.params = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):  # He initialisation
            self.params += [rng.standard_normal((a, b)) * np.sqrt(2.0 / a), np.zeros(b)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def use(self, kernels):
        """Compute with the Numba kernels from _compile()."""
        self.dense, self.dense_backward, self.relu_mask, self.adam = kernels

    def numpy_forward(self, x):
        """The output with NumPy alone (for the picture before Numba is loaded)."""
        for i in range(0, len(self.params), 2):
            x = x @ self.params[i] + self.params[i + 1]
            x = np.maximum(x, 0.0) if i < len(self.params) - 2 else x
        return x

    def forward(self, x):
        """The output, and the activations the backward pass needs."""
        acts = [x]
        for i in range(0, len(self.params), 2):
            w, b = self.params[i], self.params[i + 1]
            out = np.empty((x.shape[0], w.shape[1]))
            self.dense(x, w, b, out, i < len(self.params) - 2)
            acts.append(out)
            x = out
        return x, acts

    def backward(self, dout, acts):
        """Gradients of sum(dout * output) for every parameter, and for the input."""
        grads = [np.empty_like(p) for p in self.params]
        for i in range(len(self.params) - 2, -1, -2):
            x = acts[i // 2]
            dx = np.empty_like(x)
            self.dense_backward(dout, x, self.params[i], dx, grads[i], grads[i + 1])
            if i:
                self.relu_mask(dx, x)
            dout = dx
        return grads, dout

    def step(self, grads, lr):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            self.adam(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), self.t, lr)


# -- pictures -------------------------------------------------------------------------------

BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])  # dot (row, col)


def braille(points, width, height):
    """(height, width) braille bit masks of the points that fall in the plane shown."""
    cols = ((points[:, 0] + EXTENT) / (2 * EXTENT) * 2 * width).astype(int)
    rows = ((EXTENT - points[:, 1]) / (2 * EXTENT) * 4 * height).astype(int)
    inside = (cols >= 0) & (cols < 2 * width) & (rows >= 0) & (rows < 4 * height)
    cells = np.zeros((height, width), dtype=int)
    r, c = rows[inside], cols[inside]
    np.bitwise_or.at(cells, (r // 4, c // 2), BITS[r % 4, c % 2])
    return cells


def scatter(points, width, height, style="yellow"):
    """The samples as braille, with ○ on each mode's centre where no sample is near."""
    cells = braille(points, width, height)
    centre_cells = {(int((EXTENT - y) / (2 * EXTENT) * height),
                     int((x + EXTENT) / (2 * EXTENT) * width)) for x, y in CENTRES}
    text = Text()
    for r in range(height):
        if r:
            text.append("\n")
        for c in range(width):
            if cells[r, c]:
                text.append(chr(0x2800 + cells[r, c]), style)
            elif (r, c) in centre_cells:
                text.append("○", "green")
            else:
                text.append(" ")
    return text


@dataclass
class Frame:
    """The state of training after `step` steps; the numbers are plain floats."""

    step: int
    steps: int
    loss: str  # which generator loss trains G
    d_loss: float  # the last discriminator_loss (nan before the first step)
    g_loss: float  # the last generator loss
    d_real: float  # mean D(x) over the last real batch
    d_fake: float  # mean D(G(z)) over the last fake batch
    g_grad: float  # mean |N * dfake|: the generator loss's gradient per sample
    shares: np.ndarray  # fraction of SHOWN samples on each mode
    samples: np.ndarray = field(repr=False)  # (SHOWN, 2)
    history: list = field(default_factory=list, repr=False)  # earlier (step, samples)

    @property
    def modes_covered(self):
        return int((self.shares >= COVERED).sum())

    def stats(self):
        text = Text()
        for name, value in (("D loss", self.d_loss), ("G loss", self.g_loss),
                            ("D(x)", self.d_real), ("D(G(z))", self.d_fake),
                            ("G's gradient", self.g_grad)):
            text.append(f"{name:>13} ", "dim").append(f"{value:8.4f}\n")
        text.append(f"\n{'modes covered':>13} ", "dim").append(f"{self.modes_covered}/{MODES}\n")
        text.append(f"{'on a mode':>13} ", "dim").append(f"{self.shares.sum():8.1%}\n\n")
        text.append("samples per mode\n", "dim")
        for k, share in enumerate(self.shares):
            bar = "█" * min(20, round(share * 80))  # a full bar: 25%, twice a fair share
            style = "green" if share >= COVERED else "red"
            text.append(f" {k} ", "dim").append(f"{bar:<20}", style).append(f"{share:5.1%}\n")
        return text

    def thumbnails(self):
        grid = Table.grid(padding=(0, 2))
        picks = np.unique(np.linspace(0, len(self.history) - 1, THUMBS).round().astype(int))
        shown = [self.history[i] for i in picks]  # from step 0 to the latest, evenly
        grid.add_row(*(Text(f"step {s}", "dim") for s, _ in shown))
        grid.add_row(*(scatter(x, THUMB_W, THUMB_H, "dim yellow") for _, x in shown))
        return grid

    def __rich__(self):
        head = Text.assemble(("step ", "dim"), f"{self.step}/{self.steps}   ",
                             ("generator loss ", "dim"), self.loss)
        grid = Table.grid(padding=(0, 2))
        grid.add_row(scatter(self.samples, MAP_W, MAP_H), self.stats())
        parts = [head, grid]
        if self.history:
            parts += [Text("earlier", "dim"), self.thumbnails()]
        return Group(*parts)


def _sigmoid(s):
    z = np.exp(-np.abs(s))
    return np.where(s >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def frames(ops, *, steps=2000, loss="non-saturating", hidden=64, lr=1e-3, seed=0, every=0):
    """Yield a Frame before training and every `every` steps (default: steps // 8)."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}")
    every = every or max(1, steps // 8)
    g_loss_fn = getattr(ops, LOSSES[loss])
    rng = np.random.default_rng(seed)
    gen = MLP(rng, (Z_DIM, hidden, hidden, 2))
    dis = MLP(rng, (2, hidden, hidden, 1))
    z_shown = rng.standard_normal((SHOWN, Z_DIM))  # the same noise for every picture
    first = gen.numpy_forward(z_shown)
    nan = float("nan")
    yield Frame(0, steps, loss, nan, nan, nan, nan, nan, mode_shares(first), first)

    kernels = _compile()  # a few seconds the first time; Numba caches the machine code
    gen.use(kernels)
    dis.use(kernels)
    history = [(0, first)]
    for step in range(1, steps + 1):
        # the discriminator: real points labelled 1, G's points labelled 0
        fake, _ = gen.forward(rng.standard_normal((BATCH, Z_DIM)))
        logits, acts = dis.forward(np.concatenate([real_batch(rng, BATCH), fake]))
        d_loss, dreal, dfake = ops.discriminator_loss(logits[:BATCH, 0], logits[BATCH:, 0])
        grads, _ = dis.backward(np.concatenate([dreal, dfake])[:, None], acts)
        dis.step(grads, lr)
        d_real = float(_sigmoid(logits[:BATCH, 0]).mean())

        # the generator: its gradient flows back through D (which stays as it is) into G
        fake, g_acts = gen.forward(rng.standard_normal((BATCH, Z_DIM)))
        logits, acts = dis.forward(fake)
        g_loss, dfake = g_loss_fn(logits[:, 0])
        _, dx = dis.backward(np.asarray(dfake)[:, None], acts)
        grads, _ = gen.backward(dx, g_acts)
        gen.step(grads, lr)

        if step % every == 0 or step == steps:
            samples, _ = gen.forward(z_shown)
            yield Frame(step, steps, loss, float(d_loss), float(g_loss), d_real,
                        float(_sigmoid(logits[:, 0]).mean()),
                        float(np.abs(dfake).mean() * BATCH), mode_shares(samples), samples,
                        list(history))
            history.append((step, samples))
