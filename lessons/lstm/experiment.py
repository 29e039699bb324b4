"""Experiment: how far back a gradient reaches, and a small LSTM learning a rhyme.

Top: put a loss on the last hidden state of a sequence and backpropagate. The plot shows
‖∂L/∂h_t‖ for every step t, relative to the last step, on a log scale, for two vanilla
tanh RNNs (a recurrent matrix of gain 1, whose gradients vanish, and of gain 3, whose
gradients explode) and two LSTMs with the forget gate's bias at 0 and at `forget_bias`.
The LSTM curves are computed by ``ops.lstm_step_forward`` and ``ops.lstm_step_backward``
(your own functions once your exercises pass), walking back through time one step at a
time exactly as lstm_backward does; the RNN is a few lines of NumPy here.

Bottom: a character-level LSTM (the lesson's Numba code, for speed) learns "The House That
Jack Built", a rhyme whose every line repeats the one before it and adds a clause. Each
frame shows the loss so far and a sample the model writes, one character at a time, with
``ops.lstm_step_forward``: gibberish at first, then words, then whole clauses in order.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Gradients through time, and an LSTM learning a rhyme"
# 300 Adam steps at lr 0.01 on 16 windows of 32 characters: enough for the model to say
# whole clauses of the rhyme in order, in under 10 s on two CPU cores (plus a few seconds
# the first time, while Numba compiles fast_ops).
PARAMS = {"steps": 300, "hidden": 64, "lr": 0.01, "length": 50, "forget_bias": 3.0,
          "seed": 0}

TEXT = Path(__file__).parent / "data" / "house-that-jack-built.txt"
BATCH, WINDOW = 16, 32  # training windows per step, characters per window
CHAR_FORGET_BIAS = 1.0  # the character model's forget-gate bias at the start
PROMPT, SAMPLE_CHARS, TEMPERATURE = "This is the ", 110, 0.5

# the gradient plot: N sequences, D inputs, H units; RNN recurrent gains
GRAD_N, GRAD_D, GRAD_H = 8, 8, 32
RNN_GAINS = (1.0, 3.0)
DECADES = (-12, 6)  # the plot's y range, as powers of 10
PLOT_W, PLOT_H = 60, 8  # characters (each holds 2 x 4 braille dots)
LOSS_W, LOSS_H = 24, 4
SAMPLE_W = 80 - (LOSS_W + 6) - 2  # the sample's column, beside the loss plot
BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # dot (row, col) -> bit
COLORS = ("red", "magenta", "yellow", "green")


# -- how far back the gradient reaches ---------------------------------------------------

def rnn_weights(rng, d, gain):
    """Wx (D, H) and Wh (H, H) of a tanh RNN; Wh's entries have variance gain² / H."""
    return (rng.standard_normal((d, GRAD_H)) / math.sqrt(d),
            gain * rng.standard_normal((GRAD_H, GRAD_H)) / math.sqrt(GRAD_H))


def lstm_weights(rng, d, forget_bias):
    """Wx (D, 4H), Wh (H, 4H), b (4H,) of an LSTM; b is 0 but for the forget block."""
    b = np.zeros(4 * GRAD_H)
    b[GRAD_H:2 * GRAD_H] = forget_bias
    return (rng.standard_normal((d, 4 * GRAD_H)) / math.sqrt(d),
            rng.standard_normal((GRAD_H, 4 * GRAD_H)) / math.sqrt(GRAD_H), b)


def rnn_state_gradients(x, Wx, Wh, dh_last):
    """[∂L/∂h_t for t = 0 .. T-1] of h_t = tanh(x_t Wx + h_(t-1) Wh), h_(-1) = 0, for
    L = Σ dh_last ⊙ h_(T-1)."""
    hs = [np.zeros(dh_last.shape)]
    for t in range(x.shape[1]):
        hs.append(np.tanh(x[:, t] @ Wx + hs[-1] @ Wh))
    grads = [dh_last]
    for t in range(x.shape[1] - 1, 0, -1):  # from h_t back to h_(t-1): (dh ⊙ (1 - h_t²)) Whᵀ
        grads.append((grads[-1] * (1.0 - hs[t + 1] ** 2)) @ Wh.T)
    return grads[::-1]


def lstm_state_gradients(ops, x, Wx, Wh, b, dh_last):
    """[∂L/∂h_t for t = 0 .. T-1] of an LSTM from h_(-1) = c_(-1) = 0, for
    L = Σ dh_last ⊙ h_(T-1), by the step functions in `ops`."""
    hs, cs = [np.zeros(dh_last.shape)], [np.zeros(dh_last.shape)]  # hs[t] = h_(t-1)
    for t in range(x.shape[1]):
        h, c = ops.lstm_step_forward(x[:, t], hs[-1], cs[-1], Wx, Wh, b)
        hs.append(np.asarray(h))
        cs.append(np.asarray(c))
    dh, dc = dh_last, np.zeros(dh_last.shape)
    grads = [dh]
    for t in range(x.shape[1] - 1, 0, -1):  # the loss is at the end: only the carries flow
        _, dh, dc, _, _, _ = ops.lstm_step_backward(dh, dc, x[:, t], hs[t], cs[t], Wx, Wh, b)
        grads.append(np.asarray(dh))
    return grads[::-1]


def gradient_curves(ops, length, forget_bias, seed):
    """{label: ‖∂L/∂h_t‖ / ‖∂L/∂h_(T-1)‖ for t = 0 .. T-1}, for the four models; every
    model sees the same inputs and the same ∂L/∂h_(T-1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((GRAD_N, length, GRAD_D))
    dh_last = rng.standard_normal((GRAD_N, GRAD_H))
    grads = {}
    for gain in RNN_GAINS:
        Wx, Wh = rnn_weights(np.random.default_rng(seed + 1), GRAD_D, gain)
        grads[f"RNN, Wh gain {gain:g}"] = rnn_state_gradients(x, Wx, Wh, dh_last)
    for bias in (0.0, forget_bias):
        weights = lstm_weights(np.random.default_rng(seed + 1), GRAD_D, bias)
        grads[f"LSTM, b_f = {bias:g}"] = lstm_state_gradients(ops, x, *weights, dh_last)
    curves = {}
    for label, gs in grads.items():
        norms = np.array([np.linalg.norm(g) for g in gs])
        curves[label] = norms / norms[-1]
    return curves


# -- the character model -----------------------------------------------------------------

class CharModel:
    """An LSTM over one-hot characters with an affine read-out, trained by Adam."""

    def __init__(self, text, hidden, seed):
        self.chars = sorted(set(text))
        self.index = {ch: k for k, ch in enumerate(self.chars)}
        self.data = np.array([self.index[ch] for ch in text])
        v, h = len(self.chars), hidden
        rng = np.random.default_rng(seed)
        b = np.zeros(4 * h)
        b[h:2 * h] = CHAR_FORGET_BIAS
        self.params = [rng.standard_normal((v, 4 * h)) / math.sqrt(v),  # Wx
                       rng.standard_normal((h, 4 * h)) / math.sqrt(h),  # Wh
                       b,
                       rng.standard_normal((h, v)) / math.sqrt(h),  # Wy
                       np.zeros(v)]  # by
        self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p in self.params]
        self.steps = 0

    def one_hot(self, ids):
        return np.eye(len(self.chars))[ids]

    def train_step(self, lstm, rng, lr):
        """One Adam step on BATCH random windows; returns the mean loss per character."""
        Wx, Wh, b, Wy, by = self.params
        starts = rng.integers(0, len(self.data) - WINDOW - 1, BATCH)
        ids = self.data[starts[:, None] + np.arange(WINDOW + 1)]
        x, targets = self.one_hot(ids[:, :-1]), ids[:, 1:]
        h0 = np.zeros((BATCH, Wh.shape[0]))
        h = lstm.lstm_forward(x, h0, Wx, Wh, b)
        scores = h @ Wy + by
        p = np.exp(scores - scores.max(axis=2, keepdims=True))
        p /= p.sum(axis=2, keepdims=True)
        rows, steps = np.arange(BATCH)[:, None], np.arange(WINDOW)[None, :]
        loss = -np.log(p[rows, steps, targets]).mean()
        dscores = p
        dscores[rows, steps, targets] -= 1.0
        dscores /= BATCH * WINDOW
        dWy = h.reshape(-1, h.shape[2]).T @ dscores.reshape(-1, dscores.shape[2])
        _, _, dWx, dWh, db = lstm.lstm_backward(dscores @ Wy.T, x, h0, Wx, Wh, b)
        self.adam([dWx, dWh, db, dWy, dscores.sum(axis=(0, 1))], lr)
        return float(loss)

    def adam(self, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.steps += 1
        for k, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            m, v = self.moments[k]
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            self.moments[k] = (m, v)
            m_hat, v_hat = m / (1 - beta1**self.steps), v / (1 - beta2**self.steps)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)

    def sample(self, ops, seed, n=SAMPLE_CHARS):
        """PROMPT, then n characters drawn one at a time from the model's softmax."""
        Wx, Wh, b, Wy, by = self.params
        rng = np.random.default_rng(seed)
        h = c = np.zeros((1, Wh.shape[0]))
        text = PROMPT
        for ch in PROMPT[:-1]:
            h, c = ops.lstm_step_forward(self.one_hot([self.index[ch]]), h, c, Wx, Wh, b)
        last = self.index[PROMPT[-1]]
        for _ in range(n):
            h, c = ops.lstm_step_forward(self.one_hot([last]), h, c, Wx, Wh, b)
            scores = (np.asarray(h) @ Wy + by)[0] / TEMPERATURE
            p = np.exp(scores - scores.max())
            last = int(rng.choice(len(p), p=p / p.sum()))
            text += self.chars[last]
        return text


# -- pictures ----------------------------------------------------------------------------

def braille(curves, y_range, width, height):
    """Each curve (values at evenly spaced x, y in y_range) as a line of braille dots, one
    dot column at a time; returns rows of (character, index of the curve drawn last there)."""
    cells = [[0] * width for _ in range(height)]
    owner = [[-1] * width for _ in range(height)]
    cols, rows = 2 * width, 4 * height
    low, high = y_range
    for k, values in enumerate(curves):
        values = np.where(np.isfinite(values), values, high)  # a blow-up pins to the top
        at = np.interp(np.linspace(0, len(values) - 1, cols), np.arange(len(values)), values)
        dots = np.clip(np.round((at - low) / (high - low) * (rows - 1)), 0, rows - 1)
        prev = None
        for px, py in enumerate(dots.astype(int)):
            lo, hi = sorted((py, py if prev is None else prev))
            for j in range(lo, hi + 1):  # join to the previous column: a continuous line
                row = rows - 1 - j
                cells[row // 4][px // 2] |= BITS[row % 4][px % 2]
                owner[row // 4][px // 2] = k
            prev = py
    return [[(chr(0x2800 + cells[r][c]), owner[r][c]) for c in range(width)]
            for r in range(height)]


@dataclass
class Frame:
    """One picture: the gradient curves and the character model after `step` updates."""

    step: int
    steps: int
    loss: float | None  # the mean loss per character over the last few updates
    sample: str
    curves: dict[str, np.ndarray] = field(repr=False)
    losses: list[float] = field(repr=False)
    top_loss: float = 0.0  # the loss plot's y axis runs from 0 to this

    def gradient_plot(self):
        length = len(next(iter(self.curves.values())))
        logs = [np.log10(np.maximum(v, 10.0 ** (DECADES[0] - 1))) for v in self.curves.values()]
        grid = braille(logs, DECADES, PLOT_W, PLOT_H)
        text = Text("‖∂L/∂h_t‖ relative to the last step, for a loss on the last h only\n",
                    "bold")
        one = round((DECADES[1] - 0) / (DECADES[1] - DECADES[0]) * (4 * PLOT_H - 1)) // 4
        for r, row in enumerate(grid):
            label = {0: f"1e{DECADES[1]:+03d}", one: "1", PLOT_H - 1: f"1e{DECADES[0]:+03d}"}
            label = label.get(r, "")
            text.append(f"{label:>6} ┤", "dim")
            for ch, k in row:
                text.append(ch, COLORS[k] if k >= 0 else "")
            text.append("\n")
        axis = f"{'t = 0':<{PLOT_W // 2}}{f't = {length - 1}':>{PLOT_W - PLOT_W // 2}}"
        text.append(f"{'':6} └{'─' * PLOT_W}\n{'':8}{axis}\n", "dim")
        legend = Table.grid(padding=(0, 3))
        entries = [Text.assemble(("━ ", COLORS[k]), f"{label}: ", (f"{v[0]:.0e}", "bold"),
                                 " at t = 0")
                   for k, (label, v) in enumerate(self.curves.items())]
        legend.add_row(*entries[:2])
        legend.add_row(*entries[2:])
        return Group(text, legend)

    def loss_plot(self):
        """The loss so far; the x axis spans every step to come, so the curve grows."""
        text = Text()
        width = round(LOSS_W * len(self.losses) / max(self.steps, 1))
        grid = braille([np.asarray(self.losses)], (0.0, self.top_loss), width, LOSS_H) \
            if width else [[]] * LOSS_H
        for r, row in enumerate(grid):
            label = {0: f"{self.top_loss:.1f}", LOSS_H - 1: "0"}.get(r, "")
            line = "".join(ch for ch, _ in row).ljust(LOSS_W, chr(0x2800))
            text.append(f"{label:>4} ┤", "dim").append(line + "\n", "cyan")
        text.append(f"{'':4} └{'─' * LOSS_W}\n{'':5}loss per character", "dim")
        return text

    def __rich__(self):
        head = Text.assemble(("LSTM on “The House That Jack Built”  ", "bold"),
                             ("step ", "dim"), f"{self.step}/{self.steps}   ",
                             ("loss ", "dim"),
                             "—" if self.loss is None else f"{self.loss:.3f} nats/char")
        sample = Text(self.sample.replace("\n", " / "), style="italic")
        sample.stylize("bold", 0, len(PROMPT))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=LOSS_W + 6)
        grid.add_column(width=SAMPLE_W - 2)
        grid.add_row(self.loss_plot(),
                     Group(Text(f"a sample, at temperature {TEMPERATURE}:", "dim"), sample))
        return Group(self.gradient_plot(), Text(""), head, grid)


def frames(ops, *, steps=300, hidden=64, lr=0.01, length=50, forget_bias=3.0, seed=0,
           every=25):
    """Yield the gradient picture with an untrained sample at once, then a frame every
    `every` training steps and a final one."""
    curves = gradient_curves(ops, length, forget_bias, seed)
    model = CharModel(TEXT.read_text(encoding="utf-8"), hidden, seed)
    top = math.log(len(model.chars))  # the loss of a uniform guess
    yield Frame(0, steps, None, model.sample(ops, seed), curves, [], top)

    from . import fast_ops  # Numba: imported only now, so the first frame comes at once

    rng = np.random.default_rng(seed)
    losses = []
    for step in range(1, steps + 1):
        losses.append(model.train_step(fast_ops, rng, lr))
        if step % every == 0 or step == steps:
            recent = float(np.mean(losses[-every:]))
            yield Frame(step, steps, recent, model.sample(ops, seed + step), curves,
                        list(losses), top)
