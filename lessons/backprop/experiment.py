"""Experiment: your backprop trains a two-layer net on three interleaved spirals.

The net is affine -> relu -> affine -> softmax cross-entropy, trained by plain gradient
descent, w <- w - lr * dL/dw, on a 2-D dataset no straight line can split. Every gradient
comes from ``ops.two_layer_net``: your own function once your exercises pass. If the
gradients are right, the loss falls from log 3 (a uniform guess over 3 classes) and the
decision regions curl around the spirals; if they are wrong, nothing learns.

Each frame shows the step, the loss and the training accuracy, the loss curve, and the
plane coloured by the class the net predicts, with the training points on top. The loss
curve is not smooth: full-batch gradient descent with a step this large overshoots and
recovers, while the trend is down.
"""

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Train a two-layer net on spirals"
# lr=2.0: with 0.01-scale weights the net sits on a plateau near log 3 for a while;
# lr=1.0 needs ~1000 steps to get past 90% accuracy, lr=2.0 gets there in 300.
PARAMS = {"steps": 300, "hidden": 50, "lr": 2.0, "seed": 0}

CLASSES = 3
POINTS_PER_CLASS = 100
COLORS = ("red", "green", "blue")  # the class colours: a point, and its region
BACKGROUNDS = ("#4a1c1c", "#1c3f1c", "#1c2a52")  # dark shades of the same, for regions
GLYPHS = "●▲■"  # one shape per class, so the picture reads without colour too
TEXTURE = " ·:"  # and one faint texture per region, for the same reason
EXTENT = 1.1  # the plane shown is [-EXTENT, EXTENT] squared; the spirals fit in radius 1
MAP_W, MAP_H = 40, 20  # terminal cells are about twice as tall as wide: a square picture
PLOT_W, PLOT_H = 30, 8  # the loss plot, in characters (each holds 2 x 4 braille dots)


def spirals(seed, n=POINTS_PER_CLASS, k=CLASSES, noise=0.2):
    """k arms of n points each: radius r in [0, 1], angle t growing with r, plus noise."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n * k, 2))
    y = np.repeat(np.arange(k), n)
    for c in range(k):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(4.0 * c, 4.0 * (c + 1), n) + noise * rng.standard_normal(n)
        x[c * n : (c + 1) * n] = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return x, y


def predict(ops, x, params):
    """The forward pass without the loss: argmax of the class scores."""
    w1, b1, w2, b2 = params
    scores = ops.affine_forward(ops.relu_forward(ops.affine_forward(x, w1, b1)), w2, b2)
    return np.asarray(scores).argmax(axis=1)


def braille_plot(values, x_max, y_max, width=PLOT_W, height=PLOT_H):
    """Draw values[i] at x = i (of x_max) as a line of braille dots; one string per row."""
    bits = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # dot (row, col) -> bit
    cells = [[0] * width for _ in range(height)]
    cols, rows = 2 * width, 4 * height

    def dot(i, j):  # i counts dots across, j dots up from the bottom
        row = rows - 1 - j
        cells[row // 4][i // 2] |= bits[row % 4][i % 2]

    prev = None
    for i, v in enumerate(values):
        v = v if np.isfinite(v) else y_max  # a diverged run pins to the top, not crash
        px = min(cols - 1, int(i / max(x_max, 1) * (cols - 1)))
        py = min(rows - 1, max(0, round(v / y_max * (rows - 1))))
        lo, hi = sorted((py, py if prev is None else prev))
        for j in range(lo, hi + 1):  # join to the previous point: a continuous curve
            dot(px, j)
        prev = py
    return ["".join(chr(0x2800 + c) for c in row) for row in cells]


@dataclass
class Frame:
    """One picture of training after `step` updates; step, loss and accuracy are plain numbers."""

    step: int
    steps: int
    loss: float  # what two_layer_net returned for the update that led here
    accuracy: float  # on the training points, with the current weights
    losses: list[float] = field(repr=False)
    regions: np.ndarray = field(repr=False)  # (MAP_H, MAP_W) predicted class per cell
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)

    def heatmap(self):
        """Each cell coloured by the predicted class; a training point drawn on top."""
        marks = {}
        for (px, py), c in zip(self.x, self.y, strict=True):
            col = int((px + EXTENT) / (2 * EXTENT) * MAP_W)
            row = int((EXTENT - py) / (2 * EXTENT) * MAP_H)  # row 0 is the top
            marks[min(row, MAP_H - 1), min(col, MAP_W - 1)] = c
        text = Text()
        for r in range(MAP_H):
            if r:
                text.append("\n")
            for c in range(MAP_W):
                region = self.regions[r, c]
                if (r, c) in marks:
                    k = marks[r, c]
                    text.append(GLYPHS[k], f"bold bright_{COLORS[k]} on {BACKGROUNDS[region]}")
                else:
                    text.append(TEXTURE[region], f"{COLORS[region]} on {BACKGROUNDS[region]}")
        return text

    def loss_plot(self):
        """The loss curve so far, with its y axis from 0 to the first loss (higher is clipped)."""
        first = self.losses[0]
        top = first if np.isfinite(first) and first > 0 else 1.0
        text = Text()
        for i, row in enumerate(braille_plot(self.losses, self.steps, top)):
            label = f"{top:4.2f}" if i == 0 else "0.00" if i == PLOT_H - 1 else ""
            text.append(f"{label:>4} ┤", "dim").append(row + "\n", "yellow")
        text.append(f"{'':4} └{'─' * PLOT_W}\n{'':5}0{'step':^{PLOT_W - 8}}{self.steps:>6}", "dim")
        return text

    def __rich__(self):
        head = Text.assemble(
            ("step ", "dim"),
            f"{self.step}/{self.steps}   ",
            ("loss ", "dim"),
            f"{self.loss:.4f}   ",
            ("accuracy ", "dim"),
            f"{self.accuracy:.1%}",
        )
        legend = Text()
        for k in range(CLASSES):
            legend.append(f"{GLYPHS[k]} class {k}  ", f"bold bright_{COLORS[k]}")
        legend.append("\n\nloss, from two_layer_net", "dim")
        grid = Table.grid(padding=(0, 2))
        grid.add_row(self.heatmap(), Group(legend, self.loss_plot()))
        return Group(head, grid)


def frames(ops, *, steps=300, hidden=50, lr=2.0, seed=0, every=25):
    """Yield rich renderables while training: one frame every `every` steps and a final one."""
    x, y = spirals(seed)
    rng = np.random.default_rng(seed)
    w1 = 0.01 * rng.standard_normal((2, hidden))  # small random weights, as in CS231n
    b1 = np.zeros(hidden)
    w2 = 0.01 * rng.standard_normal((hidden, CLASSES))
    b2 = np.zeros(CLASSES)
    # the centres of the heatmap's cells, top row first
    gx = np.linspace(-EXTENT, EXTENT, MAP_W, endpoint=False) + EXTENT / MAP_W
    gy = np.linspace(EXTENT, -EXTENT, MAP_H, endpoint=False) - EXTENT / MAP_H
    plane = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])

    losses = []
    for step in range(1, steps + 1):
        loss, grads = ops.two_layer_net(x, y, w1, b1, w2, b2)  # backprop: your gradients
        losses.append(float(loss))
        w1 = w1 - lr * grads["w1"]  # gradient descent: a small step downhill
        b1 = b1 - lr * grads["b1"]
        w2 = w2 - lr * grads["w2"]
        b2 = b2 - lr * grads["b2"]
        if step % every == 0 or step == steps:
            params = (w1, b1, w2, b2)
            yield Frame(
                step,
                steps,
                losses[-1],
                float((predict(ops, x, params) == y).mean()),
                list(losses),
                predict(ops, plane, params).reshape(MAP_H, MAP_W),
                x,
                y,
            )
