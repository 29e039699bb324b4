"""Experiment: one attention layer learns to reverse a sequence, with and without a causal mask.

Each token is a symbol and a position, both one-hot. One attention layer reads them:
q = x Wq, k = x Wk, v = x Wv, and its output at position t is the prediction (the scores
of the symbols) for the symbol at position T − 1 − t of the input: the sequence reversed.
Two copies of the layer train side by side by gradient descent (Adam), one plain and one
causal, both through ``ops.attention_forward`` and ``ops.attention_backward``: your own
functions once your exercises pass.

The picture is each layer's attention weights on one example, a row per output position
(query) and a column per input position (key). The plain layer learns to look at the
mirror position, an anti-diagonal. The causal layer may not look ahead: the first half of
the outputs need a symbol that lies in their future, so they can only guess (the cells
above the diagonal stay empty), while the second half learns the same anti-diagonal.
"""

from dataclasses import dataclass, field

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

TITLE = "Attention learns to reverse a sequence (plain vs causal)"
# With lr = 0.05 both layers reach their best within about 200 steps of Adam; the plain one
# gets every symbol right, the causal one only the second half (and guesses the first).
PARAMS = {"steps": 240, "length": 8, "symbols": 6, "width": 16, "lr": 0.05, "seed": 0}

BATCH = 32
SHADES = " ░▒▓█"  # weight < 0.02, < 0.25, < 0.5, < 0.75, above: readable without colour
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _softmax_cross_entropy(logits, y):
    """Mean loss over all positions and its gradient (the backprop lesson's loss)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]
    grad = np.exp(log_p)
    np.put_along_axis(grad, y[..., None], np.take_along_axis(grad, y[..., None], -1) - 1.0, -1)
    return float(-picked.mean()), grad / y.size


class Layer:
    """One attention layer, q = x Wq, k = x Wk, v = x Wv, trained with Adam."""

    def __init__(self, rng, inputs, width, symbols, causal):
        self.causal = causal
        self.w = [rng.standard_normal((inputs, width)) / np.sqrt(inputs),
                  rng.standard_normal((inputs, width)) / np.sqrt(inputs),
                  rng.standard_normal((inputs, symbols)) / np.sqrt(inputs)]
        self.m = [np.zeros_like(w) for w in self.w]
        self.v = [np.zeros_like(w) for w in self.w]
        self.t = 0

    def project(self, x):
        return [x @ w for w in self.w]

    def step(self, ops, x, y, lr):
        """One Adam step on a batch; returns the loss before the step and the accuracy."""
        q, k, v = self.project(x)
        logits = np.asarray(ops.attention_forward(q, k, v, self.causal))
        loss, dlogits = _softmax_cross_entropy(logits, y)
        grads = ops.attention_backward(dlogits, q, k, v, self.causal)
        self.t += 1
        for i, g in enumerate(grads):  # dW = xᵀ dq summed over every token (and so on)
            dw = np.einsum("nti,ntj->ij", x, np.asarray(g))
            self.m[i] = 0.9 * self.m[i] + 0.1 * dw
            self.v[i] = 0.999 * self.v[i] + 0.001 * dw**2
            m_hat, v_hat = self.m[i] / (1 - 0.9**self.t), self.v[i] / (1 - 0.999**self.t)
            self.w[i] = self.w[i] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        return loss, float((logits.argmax(axis=-1) == y).mean())

    def weights(self, ops, x):
        """The attention weights of one sequence: attention with the identity as values."""
        q, k, _ = self.project(x)
        eye = np.eye(x.shape[1])[None]
        return np.asarray(ops.attention_forward(q, k, eye, self.causal))[0]

    def predict(self, ops, x):
        q, k, v = self.project(x)
        return np.asarray(ops.attention_forward(q, k, v, self.causal))[0].argmax(axis=-1)


def encode(seqs, symbols):
    """Tokens as one-hot symbol followed by one-hot position: (N, T) ints -> (N, T, S + T)."""
    n, t = seqs.shape
    x = np.zeros((n, t, symbols + t))
    x[np.arange(n)[:, None], np.arange(t), seqs] = 1.0
    x[:, np.arange(t), symbols + np.arange(t)] = 1.0
    return x


@dataclass
class Model:
    """One layer's state in a frame; loss and accuracy are over the last training batch."""

    name: str
    loss: float
    accuracy: float
    weights: np.ndarray = field(repr=False)  # (T, T): row = output position, column = input
    predicted: np.ndarray = field(repr=False)  # (T,) symbols predicted for the example


@dataclass
class Frame:
    step: int
    steps: int
    example: np.ndarray  # (T,) the input symbols shown
    plain: Model
    causal: Model

    def heatmap(self, model):
        t = len(self.example)
        text = Text(f"{model.name}\n", style="bold")
        text.append(f"{'sees every input' if model is self.plain else 'sees inputs 0 .. t'}\n",
                    "dim")
        text.append("      " + "".join(f"{LETTERS[s]} " for s in self.example) + "\n", "dim")
        target = self.example[::-1]
        for i in range(t):
            right = model.predicted[i] == target[i]
            text.append(f" {LETTERS[target[i]]} ", "dim")
            text.append(f"{LETTERS[model.predicted[i]]}", "green" if right else "red")
            text.append("  ")
            for j in range(t):
                w = float(model.weights[i, j])
                if model is self.causal and j > i:
                    text.append("· ", "dim")  # masked: this key is in query i's future
                    continue
                shade = SHADES[0 if w < 0.02 else min(4, 1 + int(w * 4))]
                text.append(shade * 2, "bright_cyan" if j == t - 1 - i else "cyan")
            text.append("\n")
        if np.isfinite(model.loss):
            text.append(f"loss {model.loss:.3f}  accuracy {model.accuracy:.0%}", "dim")
        else:
            text.append("not trained yet", "dim")
        return text

    def __rich__(self):
        head = Text.assemble(("step ", "dim"), f"{self.step}/{self.steps}   ",
                             ("input ", "dim"), " ".join(LETTERS[s] for s in self.example),
                             ("   target ", "dim"),
                             " ".join(LETTERS[s] for s in self.example[::-1]))
        grid = Table.grid(padding=(0, 4))
        grid.add_row(self.heatmap(self.plain), self.heatmap(self.causal))
        note = Text("a row per output: its target, then its prediction (green if right);\n"
                    "a column per input it may read. █ weight near 1, · masked.", style="dim")
        return Group(head, Text(""), grid, Text(""), note)


def frames(ops, *, steps=240, length=8, symbols=6, width=16, lr=0.05, seed=0, every=20):
    """Yield a frame before training, every `every` steps, and after the last step."""
    rng = np.random.default_rng(seed)
    inputs = symbols + length
    plain = Layer(rng, inputs, width, symbols, causal=False)
    causal = Layer(rng, inputs, width, symbols, causal=True)
    example = rng.integers(0, symbols, length)
    ex = encode(example[None], symbols)
    stats = {plain: (float("nan"), 0.0), causal: (float("nan"), 0.0)}

    def frame(step):
        models = [Model(name, *stats[layer], layer.weights(ops, ex), layer.predict(ops, ex))
                  for name, layer in (("plain", plain), ("causal", causal))]
        return Frame(step, steps, example, *models)

    yield frame(0)
    for step in range(1, steps + 1):
        seqs = rng.integers(0, symbols, (BATCH, length))
        x, y = encode(seqs, symbols), seqs[:, ::-1].copy()
        for layer in (plain, causal):
            stats[layer] = layer.step(ops, x, y, lr)
        if step % every == 0 or step == steps:
            yield frame(step)
