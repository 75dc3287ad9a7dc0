"""The engine's operations, each written once: the lone network (:mod:`nnviz.core.model.network`),
the packed sweep (:mod:`nnviz.core.engine.packed`), the decision grids and the unit maps all
call these, however they lay out their matrices.

Every operation of a training step works in place on buffers the caller owns, so a step
allocates nothing. The hidden activations and their derivatives are :data:`ACTIVATIONS`
(:mod:`nnviz.core.model.activations`); the output units and losses, and which go together, are
named in :mod:`nnviz.core.model.outputs`. Adding an activation means adding it to
:data:`ACTIVATIONS`; adding an output unit or a loss means adding its pairs to :data:`HEADS`
and its value to :func:`loss_values` here.

The first layer's bias is folded into its weights (a last row) and the inputs carry a column
of ones (:func:`forward_inputs`): one product applies both. That layout is the engine's own;
nothing outside it reads the ones column or the folded row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from nnviz.core.model.activations import Activation


def forward_inputs(X: np.ndarray) -> np.ndarray:
    """What the first layer's product reads for input features ``X`` (the engine's own layout:
    ``X`` with a column of ones for the folded bias)."""
    return np.column_stack([X, np.ones(len(X), dtype=X.dtype)])


# Affine layers -------------------------------------------------------------------------------
def affine(a: np.ndarray, weights: np.ndarray, out: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``out = a @ weights (+ bias)``: a layer's weighted input sums (``bias`` None: folded in)."""
    np.matmul(a, weights, out=out)
    if bias is not None:
        out += bias
    return out


def weight_gradient(a: np.ndarray, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The loss's gradient w.r.t. a weight matrix that read ``a``: ``a.T @ delta``."""
    return np.matmul(a.T, delta, out=out)


def bias_gradient(delta: np.ndarray, ones: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The loss's gradient w.r.t. a bias: ``delta``'s column sums, as one BLAS call (``ones``: n ones)."""
    return np.matmul(ones, delta, out=out)


def input_gradient(delta: np.ndarray, weights: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The loss's gradient w.r.t. what a weight matrix read: ``delta @ weights.T``."""
    if delta.shape[-1] == 1 and out.flags.c_contiguous:
        # One unit above (a regression or one sigmoid output): matmul takes a column times a row
        # in a plain loop of its own, dot in BLAS, 2-5 times faster and to the same bits.
        return np.dot(delta, weights.T, out=out)
    return np.matmul(delta, weights.T, out=out)


# Hidden units, with dropout ------------------------------------------------------------------
def hidden_forward(z: np.ndarray, activation: Activation, mask: np.ndarray | None = None,
                   kept: np.ndarray | None = None, sums: np.ndarray | None = None) -> np.ndarray:
    """Activate ``z`` in place; with a dropout ``mask`` (each unit's factor), keep the output
    in ``kept`` first (its derivative needs it) and leave ``z`` dropped (what the next layer reads).
    An activation whose derivative reads the weighted sums keeps a copy of them in ``sums``."""
    if activation.reads_sums:
        np.copyto(sums, z)
    activation.forward(z, sums if activation.reads_sums else None)
    if mask is not None:
        np.copyto(kept, z)
        z *= mask
    return z


def hidden_backward(delta: np.ndarray, activation: Activation, output: np.ndarray, scratch: np.ndarray,
                    mask: np.ndarray | None = None, sums: np.ndarray | None = None) -> np.ndarray:
    """Carry the gradient w.r.t. a hidden layer's (dropped) output, in place, back to its
    weighted sums; ``output`` is the layer's output before dropout, ``sums`` what
    :func:`hidden_forward` kept (used up: the derivative may overwrite them)."""
    if mask is not None:
        delta *= mask
    delta *= activation.derivative(output, scratch, sums if activation.reads_sums else None)
    return delta


def draw_dropout(rng: np.random.Generator, rate, draws: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Inverted dropout factors into ``mask``: each unit kept with probability ``1 - rate`` and
    then scaled by ``1 / (1 - rate)`` (``rate`` a number, or one per column); ``draws`` is
    scratch of ``mask``'s shape and dtype, filled from ``rng``."""
    rng.random(out=draws, dtype=draws.dtype)
    np.greater_equal(draws, rate, out=mask, casting="unsafe")
    mask *= 1 / (1 - rate)
    return mask


# The output units and the losses -------------------------------------------------------------
class Head(NamedTuple):
    """An output layer's units and its loss, as a training step uses them: each a function
    (resolved once, by :func:`head`, so that a step dispatches on no names).

    ``forward(z, row_max, row_sum)``: the units on the layer's sums, in place (``row_max``,
    ``row_sum`` shaped like ``z[..., 0]``: softmax's scratch). ``finite(y, targets, index, picked,
    scratch)``: whether the loss of outputs ``y`` is finite, cheaply, before its gradient is
    taken. ``delta(y, targets, scratch, row)``: the mean loss's gradient w.r.t. the sums, in place
    of ``y``. ``targets`` broadcast to ``y``; ``index``: each true class's place in ``y`` flattened
    (softmax with cross-entropy); ``scratch`` is shaped like ``y``, ``picked`` and ``row`` like ``y[..., 0]``.

    ``shows_blowups``: whether weights blown up show in the loss (a true class's probability of
    0); every other loss stays finite (bounded outputs, floored logs) or overflows late
    (identity), so a step checks their L2 term and gradient too."""

    forward: Callable
    finite: Callable
    delta: Callable
    shows_blowups: bool = False


def softmax(z: np.ndarray, row_max: np.ndarray, row_sum: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of ``z`` (the classes, a handful), in place, shifted by the
    maximum so exp cannot overflow. numpy reduces along a short last axis slowly, so the
    maximum and sum (``row_max``, ``row_sum``: shaped like ``z[..., 0]``) are built class by class."""
    columns = [z[..., j] for j in range(z.shape[-1])]
    np.copyto(row_max, columns[0])
    for c in columns[1:]:
        np.maximum(row_max, c, out=row_max)
    z -= row_max[..., None]
    np.exp(z, out=z)
    np.copyto(row_sum, columns[0])
    for c in columns[1:]:
        row_sum += c
    z /= row_sum[..., None]
    return z


def logistic(z: np.ndarray, row_max=None, row_sum=None) -> np.ndarray:
    """Sigmoid output units, ``1 / (1 + exp(-z))`` in place, as ``torch.sigmoid`` computes them:
    near 0 to full relative precision, as the cross-entropy takes their log (the hidden units'
    tanh form is 0 below z = -17 in float32, which cost 100 where PyTorch's BCELoss charges 17)."""
    np.negative(z, out=z)
    with np.errstate(over="ignore"):  # exp(-z) is inf far below 0: the output is 0, as PyTorch's
        np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def _identity(z: np.ndarray, row_max=None, row_sum=None) -> np.ndarray:
    return z


def true_class_probabilities(y: np.ndarray, targets, index: np.ndarray, picked: np.ndarray, scratch=None) -> bool:
    """Each sample's probability of its true class into ``picked``; False when one is zero or
    NaN: the loss, the mean of ``-log`` of them, is not finite."""
    np.take(y, index, out=picked)
    return bool(picked.min() > 0)


def _squares_finite(y: np.ndarray, targets: np.ndarray, index, picked, scratch: np.ndarray) -> bool:
    # The halved squares, as loss_values finds them (so a step and a record agree): for identity
    # outputs they overflow long before the outputs do.
    np.subtract(y, targets, out=scratch)
    np.multiply(scratch, scratch, out=scratch)
    scratch *= 0.5
    return math.isfinite(scratch.sum())


def _numbers(y: np.ndarray, targets, index, picked, scratch) -> bool:
    # Outputs between 0 and 1 (with floored logs) give a finite loss unless they are NaN.
    return math.isfinite(y.sum())  # math's test of the sum: np.isfinite of one number costs more


def canonical_delta(y: np.ndarray, targets: np.ndarray, scratch=None, row=None) -> np.ndarray:
    """``(y - targets) / n`` in place of ``y`` (``n`` its first axis): the gradient w.r.t. the sums
    of each output unit with its natural loss (cross-entropy after softmax or sigmoid, squared
    error after identity)."""
    y -= targets
    y *= 1.0 / len(y)
    return y


def _through_sigmoid(y: np.ndarray, targets: np.ndarray, scratch: np.ndarray, row) -> np.ndarray:
    # Squared error after sigmoid: dL/dy = y - t, times the slope y (1 - y).
    g = np.subtract(y, targets, out=scratch)
    g *= y
    np.subtract(1, y, out=y)
    y *= g
    y *= 1.0 / len(y)
    return y


def _through_softmax(y: np.ndarray, targets: np.ndarray, scratch: np.ndarray, row: np.ndarray) -> np.ndarray:
    # Squared error after softmax: g = y - t through the Jacobian diag(y) - y yT, y * (g - sum_k y_k g_k).
    g = np.subtract(y, targets, out=scratch)
    g *= y
    np.copyto(row, g[..., 0])  # summed class by class: numpy reduces along a short last axis slowly
    for j in range(1, g.shape[-1]):
        row += g[..., j]
    y *= row[..., None]
    np.subtract(g, y, out=y)
    y *= 1.0 / len(y)
    return y


HEADS: dict[tuple[str, str], Head] = {
    ("softmax", "cross-entropy"): Head(softmax, true_class_probabilities, canonical_delta, shows_blowups=True),
    ("sigmoid", "cross-entropy"): Head(logistic, _numbers, canonical_delta),
    ("identity", "squared-error"): Head(_identity, _squares_finite, canonical_delta),
    ("softmax", "squared-error"): Head(softmax, _numbers, _through_softmax),
    ("sigmoid", "squared-error"): Head(logistic, _numbers, _through_sigmoid),
}
"""Every output unit and loss that go together (:mod:`nnviz.core.model.outputs` says which
may; identity with cross-entropy may not), by ``(output, loss)``."""


def head(output: str, loss: str) -> Head:
    """The step's functions of ``output`` units with ``loss``."""
    return HEADS[(output, loss)]


def cross_entropy(picked: np.ndarray, axis: int | None = None):
    """The mean cross-entropy over the samples (axis 0 of ``picked``, the true classes'
    probabilities); inf or NaN where a probability is zero or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(np.log(picked), axis=axis)


LOG_FLOOR = -100.0  # PyTorch's BCELoss holds each log at -100 or above; so do we (see outputs)


def loss_values(output: str, loss: str, y: np.ndarray, targets: np.ndarray, index: np.ndarray | None = None,
                picked: np.ndarray | None = None, axis: int | None = None):
    """The mean loss over the samples (axis 0) of outputs ``y`` ``(n, [networks,] units)`` for
    ``targets`` shaped alike (broadcastable), by the conventions of
    :mod:`nnviz.core.model.outputs`: a number, or one per network. Softmax with cross-entropy
    reads the true classes by ``index`` into ``picked`` (and reduces over ``axis``), as a
    training step does. Not part of a step: allocates."""
    if output == "softmax" and loss == "cross-entropy":
        np.take(y, index, out=picked)
        return cross_entropy(picked, axis)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if loss == "cross-entropy":  # sigmoid units: each unit's probability of its 0/1 target
            logs = np.log(np.where(targets > 0.5, y, 1 - y))
            per_sample = -np.maximum(logs, LOG_FLOOR).sum(axis=-1)
        else:  # squared error
            per_sample = 0.5 * np.square(y - targets).sum(axis=-1)
        return np.mean(per_sample, axis=0)


def target_matrix(y: np.ndarray, width: int, dtype) -> np.ndarray:
    """Targets ``(n, width)`` of labels or values ``y``: one column as they are (a regression
    value, or the class-1 probability of one sigmoid unit), else the labels one-hot."""
    if width == 1:
        return np.asarray(y, dtype=dtype)[:, None]
    return np.eye(width, dtype=dtype)[y]


# Weight decay --------------------------------------------------------------------------------
def add_l2_gradient(gradient: np.ndarray, params: np.ndarray, l2_vector: np.ndarray, scratch: np.ndarray) -> None:
    """Add the L2 term's gradient ``l2 * W`` to a flat ``gradient`` (``l2_vector``: ``l2`` on
    the weights, 0 on the biases, which are not penalised)."""
    np.multiply(params, l2_vector, out=scratch)
    gradient += scratch


def l2_penalty(weights: list[np.ndarray], l2: float) -> float:
    """The L2 term ``l2 / 2 * sum(W**2)`` over the weight matrices."""
    return 0.5 * l2 * float(sum(np.vdot(w, w) for w in weights))
