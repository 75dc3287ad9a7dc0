"""How well a network does on fixed points: its loss (the engine's, plus the L2 term) and its
accuracy, or R² for regression, through the one forward pass into buffers kept between calls."""

from __future__ import annotations

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.network import MLP, ForwardBuffers, class_scores, forward


def predictions(outputs: np.ndarray, regression: bool = False) -> np.ndarray:
    """Predicted values (``regression``: the one output) or classes (the largest score)."""
    if regression:
        return outputs[:, 0]
    return np.argmax(class_scores(outputs), axis=1)


def r_squared(predicted: np.ndarray, y: np.ndarray) -> float:
    """The coefficient of determination ``1 - SS_res / SS_tot`` (NaN when every target is the same)."""
    y = np.asarray(y, dtype=np.float64)
    total = float(np.sum(np.square(y - y.mean()))) if len(y) else 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        residual = float(np.sum(np.square(np.asarray(predicted, dtype=np.float64) - y)))
    return 1 - residual / total if total > 0 else float("nan")


class Scoring:
    """Loss and accuracy (R² for regression) of networks shaped like ``network`` on fixed points
    ``(X, y)``, as :meth:`MLP.evaluate` gives them, through the one :func:`forward` into buffers
    kept between calls: a history recording every few steps cost one and a half training steps
    a record at 200 hidden units."""

    def __init__(self, network: MLP, X: np.ndarray, y: np.ndarray, inputs: np.ndarray | None = None,
                 regression: bool = False):
        """``inputs``: :meth:`MLP.inputs` of ``X`` where the caller holds them already."""
        self.key = scoring_key(network)
        n, dtype, width = len(y), network.dtype, network.layer_sizes[-1]
        self._inputs = network.inputs(X) if inputs is None else inputs
        self._y = y
        self._regression = regression
        self._targets = ops.target_matrix(y, width, dtype)
        self._flat_index = None if regression else np.arange(n) * width + y
        self._buffers = ForwardBuffers.of(network.layer_sizes, n, dtype)
        self._picked = np.empty(n, dtype)

    def of(self, network: MLP, l2: float) -> tuple[float, float]:
        """Loss (plus the L2 term) and accuracy (R² for regression) of ``network``."""
        outputs = forward(network, self._inputs, self._buffers)
        data_loss = float(ops.loss_values(network.output, network.loss, outputs, self._targets, self._flat_index,
                                          self._picked))
        predicted = predictions(outputs, self._regression)
        score = r_squared(predicted, self._y) if self._regression else float(np.mean(predicted == self._y))
        return data_loss + network.penalty(l2), score


def scoring_key(network: MLP) -> tuple:
    """What a :class:`Scoring` depends on besides the points: the network's shape, inputs and head."""
    return network.layer_sizes, network.dtype, network.features, network.output, network.loss
