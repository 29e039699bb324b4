"""Experiment: four optimizers side by side on two surfaces.

The top row is a long quadratic valley, f = (0.02 x² + y²) / 2: curvatures 0.02 and 1,
so plain gradient descent is stable only for lr < 2 / λ_max = 2, and zigzags across the steep
direction long before that. The bottom row is Rosenbrock's banana with b = 10,
f = ((1 − x)² + 10 (y − x²)²) / 100, scaled so that its largest curvature is about 1 near
the path too: the same lr means about the same thing on both rows. Its minimum, at (1, 1),
lies at the end of a long, curved, nearly flat valley.

Each step calls your sgd_step, sgd_momentum_step, nesterov_step and adam_step once (the
optimizers work elementwise, so one call moves the points of both surfaces). Each panel
draws a surface's contour lines (dim), one optimizer's path on it, `●` where it is now and
`+` the minimum; its subtitle is the current loss. With noise > 0 every gradient gets
Gaussian noise of that size, as a minibatch gradient would.
"""

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

TITLE = "Four optimizers on a long valley and on Rosenbrock's banana"
# lr = 1.2 is below 2 / λ_max = 2 on both surfaces, and below Nesterov's own limit of
# 2 (1 + momentum) / (1 + 2 momentum) ≈ 1.36 at momentum 0.9: try lr=2.05 to see SGD diverge.
PARAMS = {"steps": 200, "lr": 1.2, "momentum": 0.9, "adam_lr": 0.1, "noise": 0.0, "seed": 0}

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
COLORS = {"sgd": "bright_red", "momentum": "bright_yellow", "nesterov": "bright_green",
          "adam": "bright_cyan"}
PANEL_W, PANEL_H = 17, 7  # characters inside a panel; each holds 2 x 4 braille dots
LIMIT = 1e3  # a point this far out has diverged: it stops there
BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # braille dot (row, col)


@dataclass(frozen=True)
class Surface:
    name: str
    start: tuple[float, float]
    minimum: tuple[float, float]
    extent: tuple[float, float, float, float]  # x from, x to, y from, y to
    levels: tuple[float, ...]  # of the contour lines drawn

    def f(self, p):
        x, y = p[..., 0], p[..., 1]
        if self.name == "valley":
            return 0.5 * (0.02 * x * x + y * y)
        return ((1 - x) ** 2 + 10 * (y - x * x) ** 2) / 100

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        if self.name == "valley":
            return np.stack([0.02 * x, y], axis=-1)
        return np.stack([-2 * (1 - x) - 40 * x * (y - x * x), 20 * (y - x * x)], axis=-1) / 100


SURFACES = (
    Surface("valley", (-9.0, 2.5), (0.0, 0.0), (-10.0, 10.0, -4.0, 4.0),
            (0.1, 0.5, 1.5, 3.0, 5.0, 8.0)),
    Surface("rosenbrock", (-1.2, 1.0), (1.0, 1.0), (-2.0, 2.0, -1.0, 3.0),
            (0.003, 0.01, 0.03, 0.08, 0.2)),
)


def _dot_grid(surface):
    """The points at the centres of a panel's braille dots, top row first: (rows, cols, 2)."""
    x0, x1, y0, y1 = surface.extent
    cols, rows = 2 * PANEL_W, 4 * PANEL_H
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx, gy], axis=-1)


def contours(surface):
    """Dots where f crosses one of the surface's contour levels."""
    level = np.searchsorted(surface.levels, surface.f(_dot_grid(surface)))
    edge = np.zeros(level.shape, dtype=bool)
    edge[:, :-1] |= level[:, :-1] != level[:, 1:]
    edge[:-1, :] |= level[:-1, :] != level[1:, :]
    return edge


def _to_dot(surface, p):
    """The (row, col) of the dot at point p, or None when p is outside the panel."""
    x0, x1, y0, y1 = surface.extent
    col = (p[0] - x0) / (x1 - x0) * 2 * PANEL_W
    row = (y1 - p[1]) / (y1 - y0) * 4 * PANEL_H
    if not (0 <= col < 2 * PANEL_W and 0 <= row < 4 * PANEL_H):
        return None
    return int(row), int(col)


def panel_text(surface, background, path, color):
    """Contour dots (dim) with the path (in `color`), `+` at the minimum, `●` at the end."""
    on_path = np.zeros_like(background)
    for a, b in zip(path[:-1], path[1:], strict=True):  # join the points with dotted lines
        for s in np.linspace(0.0, 1.0, 12):
            dot = _to_dot(surface, a + s * (b - a))
            if dot:
                on_path[dot] = True
    marks = {}
    for point, mark in ((surface.minimum, "+"), (path[-1], "●")):
        dot = _to_dot(surface, np.asarray(point))
        if dot:
            marks[dot[0] // 4, dot[1] // 2] = mark
    text = Text()
    for r in range(PANEL_H):
        if r:
            text.append("\n")
        for c in range(PANEL_W):
            if (r, c) in marks:
                text.append(marks[r, c], f"bold {color}" if marks[r, c] == "●" else "bold white")
                continue
            cell = (slice(4 * r, 4 * r + 4), slice(2 * c, 2 * c + 2))
            mine = on_path[cell] if on_path[cell].any() else None  # the path hides contours
            dots = background[cell] if mine is None else mine
            code = sum(BITS[i][j] for i in range(4) for j in range(2) if dots[i, j])
            text.append(chr(0x2800 + code), "grey35" if mine is None else color)
    return text


@dataclass
class Frame:
    """The paths after `step` steps; losses[s][k] is optimizer k's loss history on surface s."""

    step: int
    steps: int
    params: dict
    paths: np.ndarray = field(repr=False)  # (steps taken + 1, optimizers, surfaces, 2)
    losses: np.ndarray = field(repr=False)  # (steps taken + 1, optimizers, surfaces)
    diverged: np.ndarray = field(repr=False)  # (optimizers, surfaces) bool
    backgrounds: tuple = field(repr=False, default=())

    def loss(self, optimizer, surface):
        return float(self.losses[-1, OPTIMIZERS.index(optimizer), surface])

    def __rich__(self):
        p = self.params
        head = Text.assemble(("step ", "dim"), f"{self.step}/{self.steps}   ",
                             ("lr ", "dim"), f"{p['lr']:g}   ", ("momentum ", "dim"),
                             f"{p['momentum']:g}   ", ("adam lr ", "dim"), f"{p['adam_lr']:g}",
                             ("   noise ", "dim") if p["noise"] else "",
                             f"{p['noise']:g}" if p["noise"] else "")
        rows = [head]
        for s, surface in enumerate(SURFACES):
            grid = Table.grid(padding=(0, 1))
            panels = []
            for k, name in enumerate(OPTIMIZERS):
                diverged = self.diverged[k, s]
                sub = "diverged" if diverged else f"f {self.losses[-1, k, s]:.1e}"
                body = panel_text(surface, self.backgrounds[s], self.paths[:, k, s], COLORS[name])
                panels.append(Panel(body, title=Text(name, COLORS[name]), subtitle=sub,
                                    width=PANEL_W + 2, padding=0,
                                    border_style="red" if diverged else "grey50"))
            grid.add_row(*panels)
            rows += [Text(f"{surface.name}: minimum at {surface.minimum}, + on the map", "dim"),
                     grid]
        return Group(*rows)


def frames(ops, *, steps=200, lr=1.2, momentum=0.9, adam_lr=0.1, noise=0.0, seed=0, every=10):
    """Yield a Frame every `every` steps (and at the start and the end)."""
    rng = np.random.default_rng(seed)
    params = {"lr": lr, "momentum": momentum, "adam_lr": adam_lr, "noise": noise}
    backgrounds = tuple(contours(s) for s in SURFACES)
    n = len(OPTIMIZERS)
    w = np.array([[s.start for s in SURFACES]] * n)  # (optimizers, surfaces, 2)
    v = np.zeros_like(w)  # the velocities of momentum and Nesterov
    m, v2 = np.zeros_like(w[0]), np.zeros_like(w[0])  # Adam's moment estimates
    diverged = np.zeros((n, len(SURFACES)), dtype=bool)

    def losses_of(w):
        return np.stack([s.f(w[:, i]) for i, s in enumerate(SURFACES)], axis=-1)

    paths, losses = [w.copy()], [losses_of(w)]

    def frame(step):
        return Frame(step, steps, params, np.array(paths), np.array(losses), diverged.copy(),
                     backgrounds)

    yield frame(0)
    for step in range(1, steps + 1):
        dw = np.stack([s.grad(w[:, i]) for i, s in enumerate(SURFACES)], axis=1)
        if noise:
            dw = dw + noise * rng.standard_normal(dw.shape)
        dw[diverged] = 0.0
        new = np.empty_like(w)
        new[0] = ops.sgd_step(w[0], dw[0], lr)
        new[1], v[1] = ops.sgd_momentum_step(w[1], dw[1], v[1], lr, momentum)
        new[2], v[2] = ops.nesterov_step(w[2], dw[2], v[2], lr, momentum)
        new[3], m, v2 = ops.adam_step(w[3], dw[3], m, v2, step, adam_lr)
        far = ~np.all(np.isfinite(new) & (np.abs(new) < LIMIT), axis=-1)
        diverged |= far
        w = np.where(diverged[..., None], w, new)  # a diverged point stays where it was
        v[diverged] = 0.0
        paths.append(w.copy())
        losses.append(losses_of(w))
        if step % every == 0 or step == steps:
            yield frame(step)
