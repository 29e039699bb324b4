"""Experiment: your convolution learns four edge filters back from their feature maps.

Four filters are hidden: a vertical edge, a horizontal edge, a diagonal edge and a spot
detector. The lesson's own code runs them over small images drawn here (a digit, a disc,
a square, a few random shapes and some noise) to make target feature maps. Then four
random 3x3 filters are trained by gradient descent on the squared error to those maps:
``ops.conv_forward`` computes the maps and ``ops.conv_backward`` the gradient dL/dw, your
own functions once your exercises pass. The loss is convex in w, so if both are right the
learned filters converge to the hidden ones; if either is wrong, they do not.

Each frame shows the filters learned so far (their 3x3 weights), the feature maps they
produce on three of the images (orange where the response is positive, blue where it is
negative), and the maps of the first image after 2x2 max pooling, by
``ops.max_pool_forward``: half the resolution, the strongest response of each window kept.
"""

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .reference import conv_forward as _reference_conv

TITLE = "Learn edge filters with your convolution"
# The loss, averaged over images and positions, has curvatures from 0.06 to 1.30 (the
# eigenvalues of the 3x3 patches' second moments), so gradient descent is stable for
# lr < 2 / 1.30 = 1.54; lr=1.4 recovers the filters to about 0.01 in 60 steps.
PARAMS = {"steps": 60, "lr": 1.4, "seed": 0}

SIZE = 14  # images are SIZE x SIZE pixels, drawn with half blocks as SIZE x SIZE/2 cells
NAMES = ("│ vertical", "─ horizontal", "╲ diagonal", "• spot")
HIDDEN = np.array([
    [[1, 0, -1], [2, 0, -2], [1, 0, -1]],  # bright left of dark: a vertical edge
    [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],  # bright above dark: a horizontal edge
    [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],  # bright to the upper right: a diagonal edge
    [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],  # brighter than all around: a spot
], dtype=np.float64)[:, None]  # (F, C=1, 3, 3)
SHOWN = 3  # the first SHOWN images are drawn


def _pixels():
    """Row and column of every pixel's centre."""
    return np.mgrid[0:SIZE, 0:SIZE] + 0.5


def _stroke(img, start, end, width=1.6):
    """img with an anti-aliased line from start to end (row, column) drawn in."""
    y, x = _pixels()
    (y0, x0), (y1, x1) = start, end
    dy, dx = y1 - y0, x1 - x0
    t = np.clip(((y - y0) * dy + (x - x0) * dx) / (dy * dy + dx * dx), 0.0, 1.0)
    dist = np.hypot(y - (y0 + t * dy), x - (x0 + t * dx))
    return np.maximum(img, np.clip(width / 2 + 0.5 - dist, 0.0, 1.0))


def _disc(cy, cx, r):
    y, x = _pixels()
    return np.clip(r + 0.5 - np.hypot(y - cy, x - cx), 0.0, 1.0)


def images(seed):
    """(N, 1, SIZE, SIZE): a 7, a disc and a square (shown), random shapes and noise."""
    rng = np.random.default_rng(seed)
    blank = np.zeros((SIZE, SIZE))
    seven = _stroke(_stroke(blank, (2.5, 3.0), (2.5, 11.0)), (2.5, 11.0), (11.5, 5.0))
    square = blank.copy()
    square[3:11, 3:11] = 1.0
    out = [seven, _disc(7.0, 7.0, 4.5), square]
    for k in range(6):  # more shapes, so that every direction of edge is seen
        if k % 3 == 0:
            top, left = rng.integers(1, 6, 2)
            bottom, right = rng.integers(8, 13, 2)
            shape = blank.copy()
            shape[top:bottom, left:right] = 1.0
        elif k % 3 == 1:
            shape = _disc(*rng.uniform(4.0, 10.0, 2), rng.uniform(2.0, 4.0))
        else:
            shape = _stroke(blank, tuple(rng.uniform(1, 13, 2)), tuple(rng.uniform(1, 13, 2)))
        out.append(shape)
    # noise holds every pattern a 3x3 window can see: without it, patterns that smooth
    # shapes never show are learned very slowly (the problem is badly conditioned)
    out += [0.5 * rng.standard_normal((SIZE, SIZE)) for _ in range(3)]
    return np.array(out)[:, None]


def _colour(v, signed):
    """A hex colour for v in [-1, 1]: grey levels for an image, orange/blue for a map."""
    a = min(1.0, abs(float(v))) ** 0.7 if np.isfinite(v) else 0.0
    if not signed:
        g = round(255 * max(0.0, float(v) if np.isfinite(v) else 0.0))
        return f"#{g:02x}{g:02x}{g:02x}"
    r, g, b = (255, 150, 30) if v > 0 else (40, 130, 255)
    return f"#{round(r * a):02x}{round(g * a):02x}{round(b * a):02x}"


def picture(img, scale, signed=True):
    """Two pixel rows per line of half blocks. The glyph alone shows which halves are
    strong (|v| >= half the scale), so the shape reads without colour; the colours give
    each half its value."""
    v = np.nan_to_num(np.asarray(img, dtype=np.float64) / scale, nan=0.0, posinf=1.0,
                      neginf=-1.0)
    if v.shape[0] % 2:
        v = np.vstack([v, np.zeros((1, v.shape[1]))])
    text = Text()
    for r in range(0, v.shape[0], 2):
        if r:
            text.append("\n")
        for top, bottom in zip(v[r], v[r + 1], strict=True):
            on_top, on_bottom = abs(top) >= 0.5, abs(bottom) >= 0.5
            if on_top and on_bottom:  # one colour for both: the stronger half's
                text.append("█", _colour(top if abs(top) >= abs(bottom) else bottom, signed))
            elif on_top:
                text.append("▀", f"{_colour(top, signed)} on {_colour(bottom, signed)}")
            elif on_bottom:
                text.append("▄", f"{_colour(bottom, signed)} on {_colour(top, signed)}")
            else:
                text.append(" ", f"on {_colour((top + bottom) / 2, signed)}")
    return text


def _four(v):
    """A weight in four characters: '+1.0', '-0.5', '+12', and '+big' past 999."""
    if not np.isfinite(v):
        return " nan"
    if abs(v) < 9.95:
        return f"{v:+.1f}".replace("-0.0", "+0.0")
    return f"{v:+4.0f}" if abs(v) < 999.5 else ("+big" if v > 0 else "-big")


def weights_text(w):
    """A 3x3 filter as three rows of numbers, each on a background of its colour."""
    text = Text()
    for r, row in enumerate(np.asarray(w)):
        if r:
            text.append("\n")
        for c, v in enumerate(row):
            text.append(_four(v), f"bold white on {_colour(v / 2, True)}")
            if c < len(row) - 1:
                text.append(" ")
    return text


@dataclass
class Frame:
    """The filters after `step` updates, and what they make of the images."""

    step: int
    steps: int
    loss: float  # the loss of the filters shown, 1/2 the mean squared error per pixel
    weights: np.ndarray = field(repr=False)  # (F, 1, 3, 3), the filters learned so far
    maps: np.ndarray = field(repr=False)  # (SHOWN, F, SIZE, SIZE), their feature maps
    pooled: np.ndarray = field(repr=False)  # (F, SIZE / 2, SIZE / 2), image 0's, pooled
    images: np.ndarray = field(repr=False)  # (SHOWN, SIZE, SIZE)
    scales: np.ndarray = field(repr=False)  # (F,) largest |target| per filter, for colour

    @property
    def error(self) -> float:
        """The largest difference between a learned and a hidden weight."""
        return float(np.max(np.abs(self.weights - HIDDEN)))

    def __rich__(self):
        head = Text.assemble(("step ", "dim"), f"{self.step}/{self.steps}   ",
                             ("loss ", "dim"), f"{self.loss:.2e}   ",
                             ("largest |w − hidden w| ", "dim"), f"{self.error:.3g}")
        grid = Table.grid(padding=(0, 1))
        for _ in range(1 + len(NAMES)):
            grid.add_column(width=SIZE, no_wrap=True)
        grid.add_row(Text("input", "dim"), *(Text(n, "bold") for n in NAMES))
        grid.add_row(Text("learned\nfilter w", "dim"),
                     *(weights_text(w[0]) for w in self.weights))
        for k in range(len(self.images)):
            grid.add_row(picture(self.images[k], 1.0, signed=False),
                         *(picture(m, s) for m, s in zip(self.maps[k], self.scales,
                                                          strict=True)))
        grid.add_row(Text("2x2 max pool\nof the first\nrow's maps", "dim"),
                     *(picture(p, s) for p, s in zip(self.pooled, self.scales, strict=True)))
        legend = Text.assemble(("orange", "#ff961e"), (" positive, ", "dim"),
                               ("blue", "#2882ff"), (" negative; each filter's maps are scaled "
                                                     "alike", "dim"))
        return Group(head, grid, legend)


def frames(ops, *, steps=60, lr=1.4, seed=0, every=5):
    """Yield a Frame before training and every `every` steps of gradient descent."""
    x = images(seed)
    n = x.shape[0]
    bias = np.zeros(len(HIDDEN))
    target = _reference_conv(x, HIDDEN, bias, 1, 1)  # the hidden filters' maps
    scales = np.abs(target[:SHOWN]).max(axis=(0, 2, 3))
    w = 0.3 * np.random.default_rng(seed + 1).standard_normal(HIDDEN.shape)
    b = np.zeros(len(HIDDEN))
    per_pixel = n * SIZE * SIZE  # the loss is a mean over images and positions

    for step in range(steps + 1):
        out = np.asarray(ops.conv_forward(x, w, b, 1, 1))  # your convolution
        diff = out - target
        loss = 0.5 * float(np.sum(diff * diff)) / per_pixel
        if step % every == 0 or step == steps:
            pooled = np.asarray(ops.max_pool_forward(out[:1], 2, 2, 2))[0]
            yield Frame(step, steps, loss, w.copy(), out[:SHOWN], pooled, x[:SHOWN, 0], scales)
        if step == steps:
            break
        _, dw, db = ops.conv_backward(diff / per_pixel, x, w, b, 1, 1)  # your gradients
        w = w - lr * np.asarray(dw)
        b = b - lr * np.asarray(db)
