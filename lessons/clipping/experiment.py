"""Experiment: train one tanh RNN twice, without and with gradient clipping.

The RNN reads a sequence of `length` numbers, h_t = tanh(x_t · wx + h_{t-1} · wh + b), and
predicts their scaled sum from its last state, y = h_T · wy + by, with the squared error as
the loss. Backpropagation through time multiplies one Jacobian per step, so every now and
then a batch lands on a cliff of the loss surface and the gradient is thousands of times
larger than usual. Both runs start from the same weights and see the same batches; they
differ in one line: the right-hand run passes its gradients through `ops.clip_by_global_norm`
(your own function once your exercises pass) before the SGD step.

`--set by_value=true` clips with `ops.clip_by_value(grads, max_norm)` instead: it tames the
spikes too, but turns the gradient, and the clipped run learns less well.

Each frame shows, for both runs, the loss and the global gradient norm measured before
clipping, on log scales, with the clipping threshold as a dotted line. Without clipping a
spike in the norm becomes a spike in the loss (or a run that overflows); with clipping the
norm still spikes, but the step it takes is never longer than lr · max_norm.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "A tanh RNN trained with and without gradient clipping"
# length 40, gain 1.5, lr 0.3: sequences long enough, and a recurrent matrix large enough,
# that the unclipped run hits a cliff for every seed tried (0-5); seed 0 hits one at step 8.
# max_norm 1 is near the median gradient norm; max_norm 5 tames the spikes less well.
PARAMS = {"steps": 500, "lr": 0.3, "max_norm": 1.0, "by_value": False, "length": 40,
          "hidden": 16, "seed": 0}

BATCH = 32
GAIN = 1.5  # wh starts as GAIN · N(0, 1/H): spectral radius about 1.5, so gradients can grow
DECADES = 10  # the most orders of magnitude a plot spans
PLOT_W, PLOT_H = 32, 6  # each plot, in characters (a character holds 2 x 4 braille dots)
BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # dot (row, col) -> bit


def init_params(rng, hidden):
    """[wx (1, H), wh (H, H), b (H,), wy (H, 1), by (1,)]: the RNN's parameters."""
    return [rng.standard_normal((1, hidden)),
            GAIN * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden),
            np.zeros(hidden),
            rng.standard_normal((hidden, 1)) / math.sqrt(hidden),
            np.zeros(1)]


def batch(rng, length, n=BATCH):
    """n sequences x (n, length, 1) of N(0, 1) numbers; target y (n, 1) = their sum / √length."""
    x = rng.standard_normal((n, length, 1))
    return x, x.sum(axis=1) / math.sqrt(length)


def rnn_loss_and_grads(params, x, y):
    """Loss ½ mean over the batch of (y_pred - y)², and its gradients by backprop through time."""
    wx, wh, b, wy, by = params
    n, length, _ = x.shape
    hs = np.zeros((length + 1, n, wh.shape[0]))  # hs[t] is h_t; h_0 = 0
    for t in range(length):
        hs[t + 1] = np.tanh(x[:, t] @ wx + hs[t] @ wh + b)
    err = hs[length] @ wy + by - y
    loss = 0.5 * float(np.mean(np.sum(err * err, axis=1)))
    dy = err / n
    dwy, dby = hs[length].T @ dy, dy.sum(axis=0)
    dh = dy @ wy.T
    dwx, dwh, db = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
    for t in range(length - 1, -1, -1):  # one Jacobian diag(1 - h²) · whᵀ per step back
        da = dh * (1.0 - hs[t + 1] ** 2)
        dwx += x[:, t].T @ da
        dwh += hs[t].T @ da
        db += da.sum(axis=0)
        dh = da @ wh.T
    return loss, [dwx, dwh, db, dwy, dby]


def global_norm(grads):
    """√(Σ over every array of Σ g²), for the run that does not clip (inf if it overflows)."""
    with np.errstate(all="ignore"):
        return math.sqrt(sum(float(np.sum(g * g)) for g in grads))


@dataclass
class Run:
    """One training run: its parameters and what each step measured."""

    params: list
    losses: list[float] = field(default_factory=list)
    norms: list[float] = field(default_factory=list)  # global gradient norm before clipping
    clipped: int = 0  # steps on which clipping changed the gradient
    diverged_at: int | None = None  # the step whose loss or gradient overflowed

    def step(self, x, y, lr, clip=None):
        """One SGD step; `clip(grads) -> (grads, norm)` runs between backward and the update."""
        if self.diverged_at is not None:
            return
        with np.errstate(all="ignore"):
            loss, grads = rnn_loss_and_grads(self.params, x, y)
        norm = global_norm(grads)
        if clip is not None and math.isfinite(norm):
            grads, norm = clip(grads)
        self.losses.append(loss)
        self.norms.append(float(norm))
        if not (math.isfinite(loss) and math.isfinite(norm)):
            self.diverged_at = len(self.losses)
            return
        self.params = [p - lr * np.asarray(g) for p, g in zip(self.params, grads, strict=True)]

    def snapshot(self):
        """A copy of the measurements so far (the run goes on changing)."""
        return Run([], list(self.losses), list(self.norms), self.clipped, self.diverged_at)


def _dot_row(v, lo, hi, height=PLOT_H):
    """The row of braille dots (0 at the bottom) for value v on a log scale from 1e lo to 1e hi."""
    # 0 pins to the bottom, an overflow (inf or nan) to the top
    v = math.log10(v) if 0 < v < math.inf else lo if v <= 0 else hi
    rows = 4 * height
    return min(rows - 1, max(0, round((v - lo) / (hi - lo) * (rows - 1))))


def braille(series, x_max, lo, hi, line=None, width=PLOT_W, height=PLOT_H):
    """series[i] at x = i (of x_max), y = log10(value) between lo and hi, as braille cells.

    Returns rows of (character, kind) with kind "curve", "line" (a dot of the dotted level
    `line`) or "", so that the caller can colour the curve and the threshold apart."""
    cols, rows = 2 * width, 4 * height
    curve = [[0] * width for _ in range(height)]
    level = [[0] * width for _ in range(height)]

    def dot(cells, i, j):  # i dots across, j dots up from the bottom
        r = rows - 1 - j
        cells[r // 4][i // 2] |= BITS[r % 4][i % 2]

    if line is not None:
        for i in range(0, cols, 3):
            dot(level, i, _dot_row(line, lo, hi, height))
    prev = None
    for k, v in enumerate(series):
        i = min(cols - 1, k * cols // max(x_max, 1))
        j = _dot_row(v, lo, hi, height)
        a, b = sorted((j, j if prev is None else prev))
        for jj in range(a, b + 1):  # joined to the previous point: a spike is a stroke
            dot(curve, i, jj)
        prev = j
    return [[(chr(0x2800 + (c | d)), "curve" if c else "line" if d else "")
             for c, d in zip(crow, drow, strict=True)]
            for crow, drow in zip(curve, level, strict=True)]


def _decades(values, floor=-2):
    """The log10 range [lo, hi] of whole decades that holds the finite positive values (at
    most DECADES of them: a run that overflows is drawn at the top, not to scale)."""
    logs = [math.log10(v) for v in values if v > 0 and math.isfinite(v)]
    if not logs:
        return floor, floor + 1
    lo, hi = max(floor, math.floor(min(logs))), math.ceil(max(logs))
    return lo, min(max(hi, lo + 1), lo + DECADES)


@dataclass
class Frame:
    """Both runs after `step` updates; the numbers are plain lists, the picture is __rich__."""

    step: int
    steps: int
    max_norm: float
    by_value: bool  # the right-hand run clips by value (at max_norm), not by global norm
    plain: Run = field(repr=False)
    clipped: Run = field(repr=False)

    def _plot(self, series, lo, hi, style, line=None):
        """A log-scale braille plot with its decades (and the threshold) marked on the left."""
        cells = braille(series, self.steps, lo, hi, line=line)
        at_line = None if line is None else PLOT_H - 1 - _dot_row(line, lo, hi) // 4
        text = Text()
        for r, row in enumerate(cells):
            if r == at_line:
                text.append(f"{line:>5g}┤", "red")
            else:
                label = f"1e{hi}" if r == 0 else f"1e{lo}" if r == PLOT_H - 1 else ""
                if r == 0 and any(not v <= 10.0**hi for v in series):
                    label = f"≥1e{hi}"  # beyond the scale: drawn at the top
                text.append(f"{label:>5}┤", "dim")
            for ch, kind in row:
                text.append(ch, style if kind == "curve" else "red" if kind == "line" else "")
            text.append("\n")
        return text

    def _panel(self, run, title, loss_range, norm_range, line):
        if run.diverged_at:
            status = Text(f"overflowed at step {run.diverged_at}", "bold red")
        else:
            status = Text("loss ", "dim").append(f"{run.losses[-1]:.3g}" if run.losses else "")
        norm_label = Text("gradient norm before clipping", "dim")
        if line is not None:
            norm_label = Text(f"norm before clipping, {run.clipped}/{len(run.norms)} clipped",
                              "dim")
        return Group(Text(title, "bold"), status,
                     self._plot(run.losses, *loss_range, "yellow"),
                     norm_label,
                     self._plot(run.norms, *norm_range, "cyan", line=line))

    def __rich__(self):
        runs = (self.plain, self.clipped)
        loss_range = _decades([v for r in runs for v in r.losses])
        norm_range = _decades([v for r in runs for v in r.norms] + [self.max_norm])
        what = "clip_by_value" if self.by_value else "clip_by_global_norm"
        grid = Table.grid(padding=(0, 2))
        grid.add_row(self._panel(self.plain, "no clipping", loss_range, norm_range, None),
                     self._panel(self.clipped, f"{what}(grads, {self.max_norm:g})",
                                 loss_range, norm_range, self.max_norm))
        head = Text.assemble(("step ", "dim"), f"{self.step}/{self.steps}",
                             ("   same start, same batches; log scales", "dim"))
        return Group(head, grid)


def frames(ops, *, steps=500, lr=0.3, max_norm=1.0, by_value=False, length=40, hidden=16,
           seed=0, every=25):
    """Yield a Frame every `every` steps (and after the last) while both runs train."""
    start = init_params(np.random.default_rng(seed), hidden)
    plain, clipped = Run([p.copy() for p in start]), Run([p.copy() for p in start])
    data = np.random.default_rng(seed + 1)

    def clip(grads):
        if by_value:
            new, norm = ops.clip_by_value(grads, max_norm), global_norm(grads)
        else:
            new, norm = ops.clip_by_global_norm(grads, max_norm)  # your clipping
        if any(not np.array_equal(a, g) for a, g in zip(new, grads, strict=True)):
            clipped.clipped += 1
        return new, norm

    for step in range(1, steps + 1):
        x, y = batch(data, length)
        plain.step(x, y, lr)
        clipped.step(x, y, lr, clip)
        if step % every == 0 or step == steps:
            yield Frame(step, steps, max_norm, by_value, plain.snapshot(), clipped.snapshot())
