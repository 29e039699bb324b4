"""What a PyTorch user would call for each lesson function, and the arithmetic each one does.

`prepare(key, args)` turns a lesson function's NumPy arguments into tensors (sharing their
memory) and returns a call that computes the same results with PyTorch on the CPU; the
benchmark times only that call. A lesson function that takes only the inputs of a layer
and returns its gradients (`attention_backward`, `lstm_backward`, the normalizations'
backward) recomputes the forward pass inside, so its PyTorch counterpart is the forward
pass plus autograd's backward; where the lesson's backward needs no forward pass
(`affine_backward`, `conv_backward`), neither does PyTorch's. LSTM weights are reordered
from the lesson's gates [i | f | o | g] to PyTorch's [i | f | g | o], so that every result
can be checked against the NumPy reference.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

T = torch.from_numpy


def _grads(outputs, inputs, grad_outputs) -> tuple:
    return torch.autograd.grad(outputs, inputs, grad_outputs)


def _leaf(a) -> torch.Tensor:
    return T(np.ascontiguousarray(a, dtype=np.float64)).requires_grad_(True)


# -- backprop ----------------------------------------------------------------------------

def _affine_forward(x, w, b):
    x, w, b = T(x), T(w), T(b)
    return lambda: torch.addmm(b, x, w)


def _affine_backward(dout, x, w, b):
    dout, x, w = T(dout), T(x), T(w)
    return lambda: (dout @ w.T, x.T @ dout, dout.sum(0))


def _relu_forward(x):
    x = T(x)
    return lambda: torch.relu(x)


def _softmax_cross_entropy(scores, y):
    s, y = _leaf(scores), T(y)

    def run():
        loss = F.cross_entropy(s, y)
        return loss.item(), _grads(loss, s, None)[0]

    return run


# -- cnn ---------------------------------------------------------------------------------

def _conv_forward(x, w, b, stride, pad):
    x, w, b = T(x), T(w), T(b)
    return lambda: F.conv2d(x, w, b, stride, pad)


def _conv_backward(dout, x, w, b, stride, pad):
    dout, x, w = T(dout), T(x), T(w)
    return lambda: torch.ops.aten.convolution_backward(
        dout, x, w, [w.shape[0]], [stride] * 2, [pad] * 2, [1, 1], False, [0, 0], 1,
        [True, True, True])


def _max_pool_forward(x, ph, pw, stride):
    x = T(x)
    return lambda: F.max_pool2d(x, (ph, pw), stride)


def _max_pool_backward(dout, x, ph, pw, stride):
    dout, x = T(dout), _leaf(x)
    return lambda: _grads(F.max_pool2d(x, (ph, pw), stride), x, dout)[0]


# -- batchnorm ---------------------------------------------------------------------------

def _batchnorm_forward(x, gamma, beta):
    x, gamma, beta = T(x), T(gamma), T(beta)
    return lambda: F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)


def _batchnorm_backward(dout, x, gamma, beta):
    dout, x, gamma, beta = T(dout), _leaf(x), _leaf(gamma), _leaf(beta)
    return lambda: _grads(F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5),
                          (x, gamma, beta), dout)


def _layernorm_forward(x, gamma, beta):
    x, gamma, beta = T(x), T(gamma), T(beta)
    return lambda: F.layer_norm(x, gamma.shape, gamma, beta, 1e-5)


def _layernorm_backward(dout, x, gamma, beta):
    dout, x, gamma, beta = T(dout), _leaf(x), _leaf(gamma), _leaf(beta)
    return lambda: _grads(F.layer_norm(x, gamma.shape, gamma, beta, 1e-5), (x, gamma, beta),
                          dout)


# -- attention ---------------------------------------------------------------------------

def _attention_forward(q, k, v, causal):
    q, k, v = T(q), T(k), T(v)
    return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def _attention_backward(dout, q, k, v, causal):
    dout, q, k, v = T(dout), _leaf(q), _leaf(k), _leaf(v)
    return lambda: _grads(F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                          (q, k, v), dout)


def _multihead(x, wq, wk, wv, wo, heads, causal):
    n, t, e = x.shape

    def split(a):  # (N, T, E) -> (N, heads, T, E / heads)
        return a.view(n, t, heads, e // heads).transpose(1, 2)

    out = F.scaled_dot_product_attention(split(x @ wq), split(x @ wk), split(x @ wv),
                                         is_causal=causal)
    return out.transpose(1, 2).reshape(n, t, e) @ wo


def _multihead_attention_forward(x, wq, wk, wv, wo, heads, causal):
    x, *w = (T(a) for a in (x, wq, wk, wv, wo))
    return lambda: _multihead(x, *w, heads, causal)


def _multihead_attention_backward(dout, x, wq, wk, wv, wo, heads, causal):
    dout, leaves = T(dout), [_leaf(a) for a in (x, wq, wk, wv, wo)]
    return lambda: _grads(_multihead(*leaves, heads, causal), leaves, dout)


# -- lstm --------------------------------------------------------------------------------

def _torch_gates(a):
    """Columns (or entries) [i | f | o | g] -> PyTorch's [i | f | g | o]."""
    i, f, o, g = np.split(a, 4, axis=-1)
    return np.ascontiguousarray(np.concatenate([i, f, g, o], axis=-1))


def _lesson_gates(a):
    """PyTorch's [i | f | g | o] -> the lesson's [i | f | o | g] (the inverse of the above)."""
    i, f, g, o = np.split(a, 4, axis=-1)
    return np.concatenate([i, f, o, g], axis=-1)


def _lstm_params(wx, wh, b, grad=False):
    """PyTorch's weight_ih (4H, D), weight_hh (4H, H), bias_ih, bias_hh from Wx, Wh, b."""
    make = _leaf if grad else T
    return (make(_torch_gates(wx).T.copy()), make(_torch_gates(wh).T.copy()),
            make(_torch_gates(b)), T(np.zeros(b.shape)))


def _lstm_step_forward(x, h, c, wx, wh, b):
    x, h, c = T(x), T(h), T(c)
    params = _lstm_params(wx, wh, b)
    return lambda: torch.lstm_cell(x, (h, c), *params)


def _lstm(x, h0, params):
    hx = (h0[None], torch.zeros_like(h0)[None])
    return torch.lstm(x, hx, params, True, 1, 0.0, False, False, True)[0]


def _lstm_forward(x, h0, wx, wh, b):
    x, h0, params = T(x), T(h0), _lstm_params(wx, wh, b)

    def run():
        with torch.no_grad():
            return _lstm(x, h0, params)

    return run


def _lstm_backward(dh, x, h0, wx, wh, b):
    dh, x, h0 = T(dh), _leaf(x), _leaf(h0)
    params = _lstm_params(wx, wh, b, grad=True)

    def run():
        return _grads(_lstm(x, h0, params), (x, h0, *params[:3]), dh)

    def to_lesson(result):  # outside the timed call
        dx, dh0, dw_ih, dw_hh, db = to_numpy(result)
        return dx, dh0, _lesson_gates(dw_ih.T), _lesson_gates(dw_hh.T), _lesson_gates(db)

    run.to_lesson = to_lesson  # type: ignore[attr-defined]
    return run


# -- sgd, clipping, gan ------------------------------------------------------------------

def _sgd_step(w, dw, lr):
    w, dw = T(w), T(dw)
    return lambda: torch.add(w, dw, alpha=-lr)


def _sgd_momentum_step(w, dw, v, lr, momentum):
    w, dw, v = T(w), T(dw), T(v)

    def run():
        v_new = torch.mul(v, momentum).sub_(dw, alpha=lr)
        return w + v_new, v_new

    return run


def _nesterov_step(w, dw, v, lr, momentum):
    w, dw, v = T(w), T(dw), T(v)

    def run():
        v_new = torch.mul(v, momentum).sub_(dw, alpha=lr)
        return torch.add(w, v, alpha=-momentum).add_(v_new, alpha=1.0 + momentum), v_new

    return run


def _adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    w, dw, m, v = T(w), T(dw), T(m), T(v)
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t

    def run():  # torch.optim.Adam's single-tensor update, without the in-place writes
        m_new = torch.lerp(m, dw, 1.0 - beta1)
        v_new = torch.mul(v, beta2).addcmul_(dw, dw, value=1.0 - beta2)
        denom = (v_new.sqrt() / c2**0.5).add_(eps)
        return torch.addcdiv(w, m_new, denom, value=-lr / c1), m_new, v_new

    return run


def _clip_by_value(grads, clip):
    grads = [T(g) for g in grads]
    return lambda: [torch.clamp(g, -clip, clip) for g in grads]


def _clip_by_global_norm(grads, max_norm):
    grads = [T(g) for g in grads]

    def run():
        total = torch.nn.utils.get_total_norm(grads)
        scale = torch.clamp(max_norm / total, max=1.0)
        return [g * scale for g in grads], total.item()

    return run


def _bce_with_logits(logits, targets):
    s, t = _leaf(logits), T(targets)

    def run():
        loss = F.binary_cross_entropy_with_logits(s, t)
        return loss.item(), _grads(loss, s, None)[0]

    return run


def _discriminator_loss(real, fake):
    real, fake = _leaf(real), _leaf(fake)

    def run():
        loss = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
        return (loss.item(), *_grads(loss, (real, fake), None))

    return run


PREPARE: dict[str, Callable[..., Callable[[], Any]]] = {
    f"{lesson}.{name.lstrip('_')}": fn for lesson, fns in {
        "backprop": (_affine_forward, _affine_backward, _relu_forward, _softmax_cross_entropy),
        "cnn": (_conv_forward, _conv_backward, _max_pool_forward, _max_pool_backward),
        "batchnorm": (_batchnorm_forward, _batchnorm_backward, _layernorm_forward,
                      _layernorm_backward),
        "attention": (_attention_forward, _attention_backward, _multihead_attention_forward,
                      _multihead_attention_backward),
        "lstm": (_lstm_step_forward, _lstm_forward, _lstm_backward),
        "sgd": (_sgd_step, _sgd_momentum_step, _nesterov_step, _adam_step),
        "clipping": (_clip_by_value, _clip_by_global_norm),
        "gan": (_bce_with_logits, _discriminator_loss),
    }.items() for fn in fns for name in [fn.__name__]
}


def prepare(key: str, args) -> Callable[[], Any] | None:
    """A call computing `key` ("lesson.function") on `args` with PyTorch; None if none."""
    make = PREPARE.get(key)
    return make(*args) if make else None


def results(call: Callable[[], Any], result: Any) -> Any:
    """A result of `call` as the lesson's function returns it: NumPy arrays, its layout."""
    return getattr(call, "to_lesson", to_numpy)(result)


def to_numpy(result: Any) -> Any:
    """Tensors in a result (tuples and lists of them, numbers) as NumPy arrays."""
    if isinstance(result, torch.Tensor):
        return result.detach().numpy()
    if isinstance(result, (tuple, list)):
        return type(result)(to_numpy(r) for r in result)
    return result
