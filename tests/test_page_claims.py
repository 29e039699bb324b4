"""Claims the lessons make in prose, hints and quiz explanations, checked against the
reference code or NumPy itself, so that an edit cannot bring back the wrong version."""

import re
import tomllib

import numpy as np
import pytest

from tutor.gradcheck import numeric_gradient
from tutor.plugins import load_registry

REGISTRY = load_registry()


def pages(lesson_id: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in REGISTRY.get(lesson_id).pages)


def hints(lesson_id: str, name: str) -> list[str]:
    return list(REGISTRY.get(lesson_id).exercise(name).hints)


def quiz_explanation(lesson_id: str, item: str) -> str:
    catalog = tomllib.loads((REGISTRY.get(lesson_id).folder / "quiz.toml").read_text())
    found = [q for q in catalog["questions"] if q["id"] == item]
    assert found, item
    return found[0]["explanation"]


def test_clipping_by_value_keeps_a_descent_direction_as_page_2_says():
    assert "still a descent direction: clamping keeps every sign" in " ".join(
        pages("clipping").split())
    ref = REGISTRY.get("clipping").reference
    rng = np.random.default_rng(5)
    for scale in (1e-3, 1.0, 1e3):
        grads = [scale * rng.standard_normal((7, 5)), scale * rng.standard_normal(5)]
        clipped = ref.clip_by_value(grads, 0.5)
        for g, c in zip(grads, clipped, strict=True):
            assert np.array_equal(np.sign(c), np.sign(g))
        assert sum(float(np.vdot(g, c)) for g, c in zip(grads, clipped, strict=True)) > 0


def test_the_slice_that_drops_the_padding_is_a_view_as_the_conv_hint_says():
    said = " ".join(hints("cnn", "conv_backward"))
    assert "(a copy)" not in said and "That slice is a view of dxp" in said
    dxp, pad = np.zeros((2, 3, 9, 8)), 1
    dx = dxp[:, :, pad:pad + 7, pad:pad + 6]
    assert np.shares_memory(dx, dxp) and not np.shares_memory(dx.copy(), dxp)


def test_the_add_gate_copies_the_gradient_as_the_max_gate_explanation_says():
    said = quiz_explanation("backprop", "max-gate")
    assert "Copying it to both inputs is what the add gate does" in said
    upstream = np.array([3.0])

    def loss(args):  # L = upstream · (a + b)
        return float(np.sum(upstream * (args[0] + args[1])))

    a, b = np.array([2.0]), np.array([5.0])
    for i in (0, 1):
        np.testing.assert_allclose(numeric_gradient(loss, [a, b], i), upstream, rtol=1e-8)


class _Counting(np.ndarray):
    """An array that counts the matrix products it takes part in."""

    products = 0

    def __matmul__(self, other):
        _Counting.products += 1
        return np.asarray(self) @ np.asarray(other)

    def __rmatmul__(self, other):
        _Counting.products += 1
        return np.asarray(other) @ np.asarray(self)


def test_a_dense_layers_backward_makes_two_products_per_forward_product_as_page_1_says():
    assert re.search(r"about twice as much for dense layers, where each matrix product of\s+the"
                     r"\s+forward pass becomes two", pages("backprop"))
    ref = REGISTRY.get("backprop").reference
    rng = np.random.default_rng(6)
    x, w, b = (rng.standard_normal(s).view(_Counting) for s in ((4, 3), (3, 2), (2,)))
    _Counting.products = 0
    ref.affine_forward(x, w, b)
    forward = _Counting.products
    _Counting.products = 0
    ref.affine_backward(rng.standard_normal((4, 2)).view(_Counting), x, w, b)
    assert (forward, _Counting.products) == (1, 2)


def test_the_sgd_pages_keep_l_for_the_loss_and_lambda_max_for_the_curvature():
    text = pages("sgd") + (REGISTRY.get("sgd").folder / "quiz.toml").read_text()
    assert "λ_max" in text
    assert not re.search(r"\d\s*/\s*L\b|\bL\s*·\s*lr|lr\s*[<≤]\s*\d\s*/\s*L\b|\bL-smooth", text)


def test_the_first_attention_hint_is_a_nudge_and_the_recipe_comes_second():
    first, second = hints("attention", "attention_forward")[:2]
    assert not re.search(r"√|sqrt|softmax|@|transpose", first)
    assert "q kᵀ / √d" in second and "softmax" in second


def test_what_the_gan_page_says_of_pytorchs_bceloss():
    """(PyTorch is the optional bench extra: `pip install '.[bench]'`.)"""
    torch = pytest.importorskip("torch")
    text = " ".join(pages("gan").split())
    assert "clamps each log at −100" in text and "max(p(1 − p), 1e−12)" in text
    s = torch.tensor([-1000.0, 1000.0], dtype=torch.float64)
    p = torch.sigmoid(s).requires_grad_(True)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    loss = torch.nn.functional.binary_cross_entropy(p, y, reduction="none")
    assert loss.tolist() == [100.0, 100.0]  # the clamp, not the true 1000
    loss.sum().backward()
    pd, yd = p.detach(), y
    expected = (pd - yd) / torch.clamp(pd * (1 - pd), min=1e-12)
    assert torch.allclose(p.grad, expected) and bool(torch.all(p.grad != 0))


def test_what_the_lstm_page_says_of_pytorchs_forget_bias():
    torch = pytest.importorskip("torch")
    assert "U(−1/√H, 1/√H)" in pages("lstm")
    torch.manual_seed(0)
    h = 64
    lstm = torch.nn.LSTM(8, h)
    for bias in (lstm.bias_ih_l0, lstm.bias_hh_l0):
        forget = bias.detach()[h:2 * h]  # gates in the order i, f, g, o
        assert float(forget.abs().max()) <= 1 / h**0.5 and abs(float(forget.mean())) < 0.05
