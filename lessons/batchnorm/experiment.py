"""Experiment: a deep net's activations at initialization, with and without normalization.

A stack of fully connected layers, each `width` units wide with a tanh (or relu) after it,
receives a batch of standard normal inputs. Its weights are drawn with standard deviation
gain / sqrt(fan_in), for each gain in turn. Each frame shows one histogram per layer (a row
of bars, the first layer on top) for the plain net on the left, and on the right for the
same net, same weights, with every layer's pre-activations normalized by
``ops.batchnorm_forward`` (or ``ops.layernorm_forward``), gamma = 1 and beta = 0 as at
initialization: your own function once your exercises pass.

Small gains make the plain net's activations shrink toward 0 layer after layer; large ones
push tanh into saturation at -1 and +1 (and make relu activations blow up). The normalized
net's histograms do not move with the gain at all: normalization divides out any scale of
the weights.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Activations at initialization, with and without normalization"
PARAMS = {"layers": 8, "width": 256, "batch": 512, "gains": "0.5,0.8,1.2,2,3",
          "activation": "tanh", "norm": "batchnorm", "seed": 0, "pause": 1.5}

BINS = 24  # histogram bars per layer
LEVELS = " ▁▂▃▄▅▆▇█"  # bar heights, 0 to 8 eighths of the tallest bar in the row
# The histogram's range. For relu it counts only the h > 0 (half of them are exactly 0,
# a bar that would dwarf the rest), and values above 3 go in the last bar.
RANGES = {"tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}
SATURATED = 0.99  # |tanh| above this passes almost no gradient: 1 - 0.99² ≈ 0.02
ACTIVATIONS = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0)}


@dataclass
class Layer:
    """What one layer's activations look like: their spread, and where they sit."""

    std: float
    saturated: float  # share of tanh outputs with |h| > SATURATED (0 for relu)
    counts: np.ndarray = field(repr=False)  # BINS histogram counts over RANGES[activation]


def describe(h, activation):
    low, high = RANGES[activation]
    shown = h if activation == "tanh" else h[h > 0]
    counts, _ = np.histogram(np.clip(shown, low, high), bins=BINS, range=(low, high))
    saturated = float(np.mean(np.abs(h) > SATURATED)) if activation == "tanh" else 0.0
    return Layer(float(np.std(h)), saturated, counts)


def forward(ops, x, weights, activation, norm=None):
    """Run the stack; normalize each pre-activation with ops.<norm>_forward if norm is set."""
    width = weights[0].shape[1]
    gamma, beta = np.ones(width), np.zeros(width)
    h, layers = x, []
    for w in weights:
        a = h @ w
        if norm:
            a = np.asarray(getattr(ops, f"{norm}_forward")(a, gamma, beta))
        h = ACTIVATIONS[activation](a)
        layers.append(describe(h, activation))
    return layers


def bars(counts):
    """One row of bars, each as tall as its count relative to the row's tallest."""
    top = max(int(counts.max()), 1)
    return "".join(LEVELS[0 if c == 0 else max(1, round(8 * c / top))] for c in counts)


@dataclass
class Frame:
    """Both nets at one gain; `plain` and `normed` hold one Layer per layer, first first."""

    gain: float
    index: int  # this frame's place in the sweep, from 1
    count: int
    activation: str
    norm: str
    plain: list[Layer]
    normed: list[Layer]

    def column(self, layers, title, style):
        text = Text(f"{title}\n", style="bold")
        what = "histogram of h" if self.activation == "tanh" else "histogram of h > 0"
        text.append(f"{'':3}{what:^{BINS}} {'std':>6}\n", "dim")
        for k, layer in enumerate(layers, 1):
            text.append(f"{k:>2} ", "dim").append(bars(layer.counts), style)
            text.append(f" {layer.std:6.3g}\n")
        low, high = RANGES[self.activation]
        text.append(f"{'':3}{low:<{BINS // 2}g}{high:>{BINS // 2}g}", "dim")
        if self.activation == "tanh":
            text.append(f"\n{'':3}saturated in the last layer: {layers[-1].saturated:4.0%}")
        return text

    def __rich__(self):
        head = Text.assemble(
            ("gain ", "dim"), f"{self.gain:g}", ("   weights drawn with std gain/√fan_in, ", "dim"),
            (f"{self.activation}, {len(self.plain)} layers   ", "dim"),
            (f"{self.index}/{self.count}", "dim"))
        grid = Table.grid(padding=(0, 4))
        grid.add_row(self.column(self.plain, "plain", "yellow"),
                     self.column(self.normed, f"with {self.norm}", "cyan"))
        return Group(head, Text(""), grid)


def frames(ops, *, layers=8, width=256, batch=512, gains="0.5,0.8,1.2,2,3",
           activation="tanh", norm="batchnorm", seed=0, pause=1.5):
    """Yield one Frame per gain, pausing `pause` seconds between them."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
    if norm not in ("batchnorm", "layernorm"):
        raise ValueError("norm must be batchnorm or layernorm")
    values = [float(g) for g in gains.split(",")]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    base = [rng.standard_normal((width, width)) / np.sqrt(width) for _ in range(layers)]
    for index, gain in enumerate(values, 1):
        if index > 1 and pause > 0:
            time.sleep(pause)  # time to look before the picture changes
        weights = [gain * w for w in base]
        yield Frame(gain, index, len(values), activation, norm,
                    forward(ops, x, weights, activation),
                    forward(ops, x, weights, activation, norm))
