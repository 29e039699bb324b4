"""Numbers the lesson pages quote are what the reference code (or the experiment) gives.

Each test reads the number from the page itself, so a page edited by hand cannot drift
from the code that is said to produce it.
"""

import ast
import re

import numpy as np
import pytest

from tutor.plugins import load_registry

REGISTRY = load_registry()


def page(lesson_id: str, name: str) -> str:
    lesson = REGISTRY.get(lesson_id)
    return next(p for p in lesson.pages if p.name.startswith(name)).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading."""
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def array(text: str, name: str) -> np.ndarray:
    """The array literal `name = [[...], ...]` of a code block in `text`, one row per line,
    with other columns of text beside it left out."""
    start = re.search(rf"\b{re.escape(name)} = \[", text)
    assert start, name
    column = start.end() - 1 - text.rfind("\n", 0, start.end()) - 1
    literal, depth = "", 0
    for line in text[start.end() - 1 - column:].splitlines():
        for ch in line[column:]:
            literal += ch
            depth += {"[": 1, "]": -1}.get(ch, 0)
            if depth == 0:
                return np.array(ast.literal_eval(literal), dtype=float)
            if ch == "," and depth == 1:
                break  # the row is complete; the rest of the line is another column
    raise AssertionError(f"unterminated {name}")


def number(text: str, pattern: str) -> float:
    """The number matched by the group of `pattern` in `text`."""
    found = re.search(pattern, text)
    assert found, pattern
    return float(found.group(1).replace("−", "-"))


def test_cnn_stride_2_worked_example():
    ref = REGISTRY.get("cnn").reference
    text = section(page("cnn", "03"), "Stride 2, worked")
    x = np.array([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]], float)[None, None]
    w = np.array([[1, 0, -1]] * 3, float)[None, None]
    dout = array(text, "dout")[None, None]
    dx, dw, db = ref.conv_backward(dout, x, w, np.array([0.5]), 2, 1)
    assert np.array_equal(array(text, "dx"), dx[0, 0])
    assert np.array_equal(array(text, "dw"), dw[0, 0])
    assert number(text, r"the plain sum, (\d+\.\d+)") == db[0]
    # the dilated, padded dout the page shows gives dx and dw as the page says
    grid = array(text, "d")
    assert grid.shape == (4, 4) and np.array_equal(grid[:3:2, :3:2], dout[0, 0])
    full = np.pad(grid, 2)
    dxp = np.array([[np.sum(full[r:r + 3, s:s + 3] * w[0, 0, ::-1, ::-1]) for s in range(6)]
                    for r in range(6)])
    assert np.array_equal(dxp[1:5, 1:5], dx[0, 0]) and not dxp[5].any() and not dxp[:, 5].any()
    xp = np.pad(x[0, 0], 1)
    assert np.array_equal([[np.sum(xp[p:p + 4, q:q + 4] * grid) for q in range(3)]
                           for p in range(3)], dw[0, 0])


def assert_quoted(text: str, pattern: str, value: float) -> None:
    """The number the group of `pattern` matches in `text` is `value`, to the digits shown
    ('0.66', '1.6e-2', '1.5e+5')."""
    found = re.search(pattern, " ".join(text.split()))  # lines joined, as a reader sees it
    assert found, pattern
    quoted = found.group(1)
    if "e" in quoted:
        mantissa, exponent = quoted.split("e")
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        got_mantissa, got_exponent = f"{value:.{digits}e}".split("e")
        assert (got_mantissa, int(got_exponent)) == (mantissa, int(exponent)), (pattern, value)
    else:
        digits = len(quoted.split(".")[1]) if "." in quoted else 0
        assert f"{value:.{digits}f}" == quoted, (pattern, value)


@pytest.fixture(scope="module")
def lstm_gradients():
    """What the lstm experiment's gradient plot computes, and the RNNs' singular values and
    tanh slopes."""
    lesson = REGISTRY.get("lstm")
    exp, ref = lesson.module("experiment"), lesson.reference
    length, seed = 50, 0
    curves = exp.gradient_curves(ref, length, 3.0, seed)
    x = np.random.default_rng(seed).standard_normal((exp.GRAD_N, length, exp.GRAD_D))
    rnn = {}
    for gain in exp.RNN_GAINS:  # the inputs and weights gradient_curves draws
        Wx, Wh = exp.rnn_weights(np.random.default_rng(seed + 1), exp.GRAD_D, gain)
        h, slopes = np.zeros((exp.GRAD_N, exp.GRAD_H)), []
        for t in range(length):
            h = np.tanh(x[:, t] @ Wx + h @ Wh)
            slopes.append(1 - h**2)
        slopes = np.array(slopes)
        sv = np.linalg.svd(Wh, compute_uv=False)
        curve = curves[f"RNN, Wh gain {gain:g}"]
        rnn[gain] = {"max": sv[0], "rms": np.sqrt(np.mean(sv**2)), "mean slope": slopes.mean(),
                     "rms slope": np.sqrt(np.mean(slopes**2)), "curve": curve,
                     "per step": curve[0] ** (1 / (length - 1))}
    return curves, rnn


def test_lstm_vanishing_and_exploding_numbers(lstm_gradients):
    curves, rnn = lstm_gradients
    text = section(page("lstm", "02"), "What it looks like")
    one, three = rnn[1.0], rnn[3.0]
    assert_quoted(text, r"σ_max\(Wh\) is (\S+),", one["max"])
    assert_quoted(text, r"average (\S+):", one["mean slope"])
    assert_quoted(text, r"by a factor of (\S+) per step", one["per step"])
    assert_quoted(text, r"σ_rms\(Wh\) is (\S+) ", one["rms"])
    assert_quoted(text, r"root mean square is (\S+),", one["rms slope"])
    assert_quoted(text, r"(\S+) of its size at the end", one["curve"][39])  # 10 steps back
    assert_quoted(text, r"49 steps back (\S+)\.", one["curve"][0])
    assert_quoted(text, r"σ_max = (\S+),", three["max"])
    assert_quoted(text, r"σ_rms = (\S+)\)", three["rms"])
    assert_quoted(text, r"drops to (\S+),", three["rms slope"])
    assert_quoted(text, r"grows by about (\S+) per step", three["per step"])
    assert_quoted(text, r"to (\S+) at t = 0", three["curve"][0])
    assert one["max"] * one["mean slope"] > 1 > one["per step"]  # the worst case misleads
    assert abs(one["rms"] * one["rms slope"] - one["per step"]) < 0.02  # the typical one not
    after = page("lstm", "02").split("**Vanishing** is silent.")[1]
    assert_quoted(after, r"is (\S+) of what it was at the end", one["curve"][4])


def test_lstm_forget_bias_numbers(lstm_gradients):
    curves, rnn = lstm_gradients
    text = section(page("lstm", "05"), "What the forget gate's bias does")
    assert_quoted(text, r"b_f = 0 passes (\S+) of the gradient", curves["LSTM, b_f = 0"][0])
    assert_quoted(text, r"vanilla RNN \((\S+)\)", rnn[1.0]["curve"][0])
    assert_quoted(text, r"b_f = 3 it passes (\S+),", curves["LSTM, b_f = 3"][0])
    assert_quoted(text, r"between (\S+) and", curves["LSTM, b_f = 3"][:40].min())
    assert_quoted(text, r"and (\S+) from t = 0 to", curves["LSTM, b_f = 3"][:40].max())


def test_attention_is_permutation_equivariant_as_page_1_says():
    ref = REGISTRY.get("attention").reference
    assert "permutation-equivariant" in page("attention", "01")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 8))
    wq, wk, wv = (rng.standard_normal((8, 8)) for _ in range(3))
    order = rng.permutation(6)

    def self_attention(x):
        return ref.attention_forward(x @ wq, x @ wk, x @ wv)

    assert np.allclose(self_attention(x[:, order]), self_attention(x)[:, order])
    x[:, 4] = x[:, 1]  # the same token at two positions gets the same output
    assert np.allclose(self_attention(x)[:, 4], self_attention(x)[:, 1])


def test_the_attention_experiment_feeds_positions_as_page_1_says():
    exp = REGISTRY.get("attention").module("experiment")
    tokens = exp.encode(np.array([[2, 0, 2]]), 3)[0]
    assert np.array_equal(tokens[:, :3], np.eye(3)[[2, 0, 2]])  # which symbol
    assert np.array_equal(tokens[:, 3:], np.eye(3))  # which position


def test_an_empty_row_of_the_mask_gives_nan_as_page_3_says():
    scores = np.array([[0.5, 1.0, 2.0], [0.3, -0.2, 0.1]])
    visible = np.array([[True, True, False], [False, False, False]])  # row 1 sees nothing
    with np.errstate(invalid="ignore"):
        masked = np.where(visible, scores, -np.inf)
        e = np.exp(masked - masked.max(axis=-1, keepdims=True))
        weights = e / e.sum(axis=-1, keepdims=True)
    assert np.isfinite(weights[0]).all() and np.isnan(weights[1]).all()
    masked = np.where(visible, scores, -1e9)  # the guard: a uniform row instead
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    assert np.allclose((e / e.sum(axis=-1, keepdims=True))[1], 1 / 3)


def test_where_the_direct_sigmoid_is_right_and_where_not_as_page_4_says():
    ref = REGISTRY.get("backprop").reference
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="ignore", invalid="ignore"):
        direct = 1 / (1 + np.exp(-x))
        mirror = np.exp(x) / (1 + np.exp(x))
        slope = np.exp(-x) / (1 + np.exp(-x)) ** 2
        log_sigma = -np.log(1 + np.exp(-x))
    assert np.array_equal(direct, ref.sigmoid_forward(x))  # right, with a warning
    assert np.isnan(mirror[1]) and np.isnan(slope[0]) and log_sigma[0] == -np.inf
    exponent = -1000 / np.log(10)  # e^-1000 = 10^exponent, below the smallest float64
    floor = int(np.floor(exponent))
    assert f"about {10 ** (exponent - floor):.0f}e{floor}" in page("backprop", "04")


def test_a_central_difference_near_a_kink_as_page_7_says():
    h = 1e-5
    for x in (0.0, 0.4e-5, -0.7e-5):
        numeric = (max(x + h, 0) - max(x - h, 0)) / (2 * h)
        assert numeric == pytest.approx((x + h) / (2 * h))
    text = " ".join(page("backprop", "07").split())
    assert "(x + h) / 2h" in text and "(h − 0) / 2h = 0.5" in text


def test_layer_normalization_example_and_keepdims_as_page_6_says():
    ref = REGISTRY.get("batchnorm").reference
    text = section(page("batchnorm", "06"), "An example")
    x = array(text, "x")
    spread = np.sqrt(x.var(axis=1))
    assert_quoted(text, r"√50 ≈ (\S+) times", spread[1] / spread[0])
    assert_quoted(text, r"deviations (\S+) and", spread[1])
    assert_quoted(text, r"and (\S+)\);", spread[0])
    gamma, beta = np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.0, 0.5, 0.0, 1.0])
    assert np.array_equal(array(text, "y"), ref.layernorm_forward(x, gamma, beta).round(4))
    for n, d in ((3, 1), (1, 4)):  # without keepdims: D = 1 broadcasts, N = 1 is right
        x = np.arange(1.0, n * d + 1).reshape(n, d)
        centred = x - x.mean(axis=1)
        assert centred.shape == ((n, n) if d == 1 else (n, d))
    assert np.array_equal(centred, x - x.mean(axis=1, keepdims=True))


def test_spatial_batchnorm_recipe_as_page_6_says():
    ref = REGISTRY.get("batchnorm").reference
    rng = np.random.default_rng(0)
    n, c, h, w = 2, 3, 4, 5
    x = rng.standard_normal((n, c, h, w)) * np.array([1.0, 10.0, 0.1])[None, :, None, None]
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    rows = x.transpose(0, 2, 3, 1).reshape(-1, c)
    out = ref.batchnorm_forward(rows, gamma, beta).reshape(n, h, w, c).transpose(0, 3, 1, 2)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)  # per channel, over N·H·W values
    var = x.var(axis=(0, 2, 3), keepdims=True)
    direct = gamma[None, :, None, None] * (x - mean) / np.sqrt(var + 1e-5) \
        + beta[None, :, None, None]
    assert np.allclose(out, direct)
    wrong = ref.batchnorm_forward(x.reshape(-1, c), gamma, beta).reshape(x.shape)
    assert not np.allclose(wrong, direct)  # without the transpose, channels mix
    assert "transpose(0, 2, 3, 1).reshape(-1, C)" in page("batchnorm", "06")


def test_adagrad_and_rmsprop_steps_as_page_5_says():
    text = " ".join(section(page("sgd", "05"), "Where it comes from: Adagrad and RMSprop").split())
    lr, g, eps = 1.0, 0.7, 1e-8
    total, steps = 0.0, {}
    for t in range(1, 10_001):  # Adagrad on a steady gradient
        total += g * g
        steps[t] = lr * g / (np.sqrt(total) + eps)
    for t, divisor in ((1, 1), (100, 10), (10_000, 100)):
        assert steps[t] == pytest.approx(lr / divisor)
    assert "lr at t = 1, lr / 10 at t = 100, lr / 100 at t = 10,000" in text
    rho = 0.9
    first = lr * g / (np.sqrt((1 - rho) * g * g) + eps)  # RMSprop's first step, from v = 0
    assert_quoted(text, r"(\S+)·lr at ρ = 0.9", first / lr)


def test_sgd_first_steps_on_the_valley_as_page_1_says():
    ref = REGISTRY.get("sgd").reference
    exp = REGISTRY.get("sgd").module("experiment")
    valley = exp.SURFACES[0]
    text = page("sgd", "01")
    rows = re.findall(r"step (\d) +x = +(\S+) +y = +(\S+)", text)
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4]
    w = np.array(valley.start)
    assert (w.tolist(), exp.PARAMS["lr"]) == ([-9.0, 2.5], 1.2)
    for _, x, y in rows:
        w = ref.sgd_step(w, valley.grad(w), exp.PARAMS["lr"])
        for value, shown in zip(w, (x, y), strict=True):
            shown = shown.replace("−", "-")
            assert f"{value:.{len(shown.split('.')[1])}f}" == shown


def test_minibatch_noise_worked_example_as_page_2_says():
    ref = REGISTRY.get("sgd").reference
    text = page("sgd", "02")
    x = np.array([1.0, 2.0, 3.0, 6.0])
    assert "x = [1, 2, 3, 6]" in text and "lr = 0.5" in text
    full = 0.0 - x  # ∇Lᵢ = w − xᵢ at w = 0
    assert f"full gradient is −{-full.mean():g}" in text
    assert f"moves w to {ref.sgd_step(np.zeros(1), full.mean() * np.ones(1), 0.5)[0]:g}" in text
    rows = re.findall(r"batch \{(\d), (\d)\}  g = (\S+)  →  w = (\S+)", text)
    assert len(rows) == 6
    grads = []
    for a, b, g, w in rows:
        batch = [int(a), int(b)]
        mean = float(np.mean([0.0 - xi for xi in batch]))
        grads.append(mean)
        assert float(g.replace("−", "-")) == mean
        assert float(w) == ref.sgd_step(np.zeros(1), np.full(1, mean), 0.5)[0]
    assert sorted(tuple(sorted((int(a), int(b)))) for a, b, *_ in rows) == sorted(
        (int(p), int(q)) for i, p in enumerate(x) for q in x[i + 1:])
    assert np.mean(grads) == full.mean()
    sigma2, sample, spread = np.var(full), np.var(full, ddof=1), np.var(grads)
    n, b = len(x), 2
    assert f"= {sigma2:g} (dividing by N − 1 would give {sample:.4f}" in text
    assert np.isclose(spread, sigma2 / b * (n - b) / (n - 1))
    assert f"variance\n{spread:.4f} = ({sigma2:g} / 2) · (4 − 2)/(4 − 1)" in text


def test_im2col_order_as_page_4_says():
    """Columns k = n·Ho·Wo + i·Wo + j, rows in w.reshape(F, -1)'s order (c, p, q): the
    product, reshaped to (F, N, Ho, Wo) and moved to (N, F, Ho, Wo), is the conv layer;
    the windows in another order give the right shape and scrambled numbers."""
    text = page("cnn", "04")
    assert "k = n·Ho·Wo + i·Wo + j" in text and "channel slowest, then row p, then column q" in text
    ref = REGISTRY.get("cnn").reference
    rng = np.random.default_rng(4)
    n, c, h, w_, f, hh, ww, stride, pad = 2, 3, 7, 6, 4, 3, 2, 2, 1
    x, w = rng.standard_normal((n, c, h, w_)), rng.standard_normal((f, c, hh, ww))
    b = rng.standard_normal(f)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = 1 + (h + 2 * pad - hh) // stride, 1 + (w_ + 2 * pad - ww) // stride

    def product(order):
        cols = np.empty((c * hh * ww, n * ho * wo))
        for nn in range(n):
            for i in range(ho):
                for j in range(wo):
                    window = xp[nn, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
                    cols[:, order(nn, i, j)] = window.reshape(-1)  # c, then p, then q
        out = w.reshape(f, -1) @ cols + b[:, None]
        return out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)

    want = ref.conv_forward(x, w, b, stride, pad)
    got = product(lambda nn, i, j: nn * ho * wo + i * wo + j)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    scrambled = product(lambda nn, i, j: nn + n * (i * wo + j))  # the image fastest
    assert scrambled.shape == want.shape and not np.allclose(scrambled, want)
