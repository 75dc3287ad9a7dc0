"""One point through the network, forward and back, and the update it takes part in: every
number of a training step for one point, as the engine computes them (its forward pass,
:class:`~nnviz.core.model.network.Backprop` and the run's optimiser), not a second implementation.

The notation is tutorial ``003``'s: a layer reads ``x`` (the input features, or the previous
layer's outputs ``z``), sums ``a = x·W + b``, and outputs ``z = f(a)``; ``δ = ∂E/∂a`` is the loss's
gradient with respect to the sums, and ``∂E/∂W = xᵀ·δ``, ``∂E/∂b = δ``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, Backprop, layer_output, parameter_views
from nnviz.core.model.optimizers import Optimizer


class Phase(NamedTuple):
    """A stage of the explained step: ``forward`` (weight layer ``layer`` just computed),
    ``loss``, ``backward`` (the deltas and gradients of weight layer ``layer`` just computed,
    the last layer first) and ``update``; layers count from 0, the first hidden layer."""

    kind: str
    layer: int | None = None


def phases(layers: int) -> list[Phase]:
    """The phases of a step through ``layers`` weight layers, in order."""
    return ([Phase("forward", k) for k in range(layers)] + [Phase("loss")]
            + [Phase("backward", k) for k in reversed(range(layers))] + [Phase("update")])


@dataclass(frozen=True)
class LayerStep:
    """One weight layer's part in the step, for the explained point (``fan_in`` inputs, ``fan_out`` units).

    ``kind`` is the layer's activation, or the output units' name for the last layer. ``deltas``
    and the gradients beside them are of this point's own loss ``E``; ``batch_*_gradient`` are the
    step's (the mean loss over the batch, with the L2 term), and ``new_*`` the weights after the
    optimiser's update with them."""

    kind: str
    inputs: np.ndarray
    sums: np.ndarray
    outputs: np.ndarray
    deltas: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    weight_gradient: np.ndarray
    bias_gradient: np.ndarray
    batch_weight_gradient: np.ndarray
    batch_bias_gradient: np.ndarray
    new_weights: np.ndarray
    new_biases: np.ndarray


@dataclass(frozen=True)
class StepExplanation:
    """A training step seen from one point: its path forward, its loss, its gradients and the
    update of the batch it belongs to (``batch_size`` points; the point is ``in_batch`` or, typed by
    the user, not). ``target`` is its class (a whole number) or value; ``targets`` what the output
    units are compared with. Dropout, which draws afresh every step, is left out
    (``dropout_left_out``)."""

    point: np.ndarray
    target: float
    targets: np.ndarray
    output: str
    loss: str
    point_loss: float
    layers: tuple[LayerStep, ...]
    batch_size: int
    in_batch: bool
    optimizer: str
    lr: float
    momentum: float
    l2: float
    dropout_left_out: bool
    regression: bool

    @property
    def outputs(self) -> np.ndarray:
        """The output units' values."""
        return self.layers[-1].outputs

    def share(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """This point's part of the step's gradient of weight layer ``layer`` (weights, biases):
        its own gradient over the batch size, as the batch's mean takes it (before the L2 term)."""
        step = self.layers[layer]
        return step.weight_gradient / self.batch_size, step.bias_gradient / self.batch_size


def explain_step(network: MLP, point, target, *, l2: float = 0.0, optimizer: Optimizer | None = None,
                 batch: tuple[np.ndarray, np.ndarray] | None = None, regression: bool = False,
                 dropout: float = 0.0) -> StepExplanation:
    """Every number of a step for ``point`` (coordinates, as the data has them) with ``target``.

    ``batch``: the step's ``(points, targets)``; None: the point alone. ``optimizer``: the run's
    (copied; its state is not changed); None: plain gradient descent at rate 0. Raises
    ValueError when the batch's loss is not finite (the step would not be taken), or the point's
    gradient is not (the weights are too large); the point's own loss may be infinite."""
    dtype = network.dtype
    point = np.asarray(point, dtype=dtype).reshape(1, -1)
    if point.shape[1] != network.point_dims:
        raise ValueError(f"the network reads points of {network.point_dims} coordinates, not {point.shape[1]}")
    width = network.layer_sizes[-1]
    label = np.array([target], dtype=dtype if regression else np.intp)
    # The point alone may be given probability 0 for its class (a point typed far from the data):
    # its loss is infinite, its gradient y - t is not, and it is explained all the same.
    own = _gradients(network, point, label, 0.0, regression, checked=False)
    if batch is None:
        batch_points, batch_targets = point, label
    else:
        batch_points, batch_targets = np.asarray(batch[0], dtype=dtype), np.asarray(batch[1])
    total = _gradients(network, batch_points, batch_targets, l2, regression)

    if optimizer is None:
        optimizer = Optimizer("sgd", network.flat.size, dtype, 0.0)
    rule = copy.deepcopy(optimizer)
    new_flat = np.empty_like(network.flat)
    rule.update(network.flat, total.flat_gradient, new_flat)
    new = parameter_views(new_flat, network.layer_sizes)

    last = len(network.weights) - 1
    reads = [expand(point, network.features)[0]]
    sums, outputs = [], []
    for k in range(last + 1):
        sums.append(layer_output(network, point, k, before_activation=True)[0])
        outputs.append(layer_output(network, point, k)[0])
        reads.append(outputs[-1])
    deltas = [d[0].copy() for d in own.deltas(1)]
    grads = [g.copy() for g in own.gradients]
    totals = [g.copy() for g in total.gradients]
    layers = tuple(
        LayerStep(network.activations[k] if k < last else network.output, reads[k], sums[k], outputs[k], deltas[k],
                  network.weights[k].copy(), network.biases[k].copy(), grads[2 * k], grads[2 * k + 1],
                  totals[2 * k], totals[2 * k + 1], new[2 * k].copy(), new[2 * k + 1].copy())
        for k in range(last + 1))
    targets = ops.target_matrix(label, width, dtype)
    with np.errstate(divide="ignore"):
        point_loss = float(ops.loss_values(network.output, network.loss, outputs[-1][None], targets,
                                           np.arange(1) * width + (0 if regression or width == 1 else label),
                                           np.empty(1, dtype)))
    return StepExplanation(
        point[0].copy(), float(target), targets[0], network.output, network.loss, point_loss, layers,
        len(batch_points), batch is None or _holds(batch_points, batch_targets, point[0], label[0]),
        rule.rule, float(np.max(rule.lr)), float(np.max(rule.momentum)), l2, dropout > 0, regression)


def _gradients(network: MLP, points: np.ndarray, labels: np.ndarray, l2: float, regression: bool,
               checked: bool = True) -> Backprop:
    """A :class:`Backprop` that has just run on ``points`` (its gradients and deltas are theirs);
    ``checked=False``: of an infinite loss too, as long as the gradient is finite."""
    width = network.layer_sizes[-1]
    targets = ops.target_matrix(labels, width, network.dtype)
    index = None if regression or width == 1 else np.arange(len(labels)) * width + labels
    backprop = Backprop(network)
    with np.errstate(over="ignore", invalid="ignore"):
        finite = backprop.run(network, network.inputs(points), targets, index, l2, checked=checked)
    if not finite:
        raise ValueError("the batch's loss is not finite for these weights, so the step would not be taken")
    if not np.all(np.isfinite(backprop.flat_gradient)):
        raise ValueError("the gradient is not finite for these weights (they are too large)")
    return backprop


def _holds(points: np.ndarray, targets: np.ndarray, point: np.ndarray, target) -> bool:
    """Whether ``point`` with ``target`` is one of the batch's (compared in the network's dtype, as
    the point and its target are: the data's float64 values would not equal a float32 one)."""
    same = np.all(points == point, axis=1) & (np.asarray(targets, dtype=np.asarray(target).dtype) == target)
    return bool(same.any())
