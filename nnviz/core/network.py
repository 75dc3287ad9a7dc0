"""A multilayer perceptron with softmax output, trained by hand-written backpropagation.

Conventions (stated once, used everywhere):

* The loss is the *mean* softmax cross-entropy over the batch plus ``l2 / 2 * sum(W**2)``
  over every weight matrix (biases are not penalised).
* Gradients are those of that loss, so a learning rate does not depend on the sample count.
  The seed tutorial's ``epsilon`` (applied to the *summed* gradient) is ``lr / N`` and its
  ``reg_lambda`` is ``l2 * N``; see :mod:`nnviz.core.config`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from nnviz.core.activations import ACTIVATIONS


class MLP:
    """Fully connected layers: hidden layers share one activation, the output is softmax.

    ``weights[i]`` has shape ``(fan_in, fan_out)`` and ``biases[i]`` shape ``(fan_out,)``.
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        if len(weights) != len(biases) or not weights:
            raise ValueError("need one bias vector per weight matrix")
        self.weights = list(weights)
        self.biases = list(biases)
        self.activation = activation

    @classmethod
    def initialise(
        cls,
        layer_sizes: tuple[int, ...],
        activation: str,
        rng: np.random.Generator,
        dtype: type | str = np.float64,
    ) -> MLP:
        """Random weights ``N(0, 1) / sqrt(fan_in)`` (the seed's scheme) and zero biases."""
        weights, biases = [], []
        for fan_in, fan_out in pairwise(layer_sizes):
            w = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
            weights.append(w.astype(dtype))
            biases.append(np.zeros(fan_out, dtype=dtype))
        return cls(weights, biases, activation)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Input features, each hidden layer's width, then the class count."""
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)

    @property
    def dtype(self) -> np.dtype:
        return self.weights[0].dtype

    def parameters(self) -> list[np.ndarray]:
        """The arrays ``[W1, b1, W2, b2, ...]`` (live, not copies)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def set_parameters(self, params: list[np.ndarray]) -> None:
        """Adopt ``params`` in the order :meth:`parameters` returns them."""
        self.weights = list(params[0::2])
        self.biases = list(params[1::2])

    def copy(self) -> MLP:
        """A deep copy: no array is shared with the original."""
        return MLP([w.copy() for w in self.weights], [b.copy() for b in self.biases], self.activation)

    def hidden_activations(self, X: np.ndarray) -> list[np.ndarray]:
        """Outputs of each hidden layer for inputs ``X`` (allocating; for evaluation)."""
        act = ACTIVATIONS[self.activation].forward
        a = np.asarray(X, dtype=self.dtype)
        outputs = []
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            a = act(a @ w + b)
            outputs.append(a)
        return outputs

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(len(X), classes)``."""
        hidden = self.hidden_activations(X)
        a = hidden[-1] if hidden else np.asarray(X, dtype=self.dtype)
        return softmax_inplace(a @ self.weights[-1] + self.biases[-1])

    def penalty(self, l2: float) -> float:
        """The L2 term ``l2 / 2 * sum(W**2)`` over every weight matrix."""
        return 0.5 * l2 * float(sum(np.vdot(w, w) for w in self.weights))

    def evaluate(self, X: np.ndarray, y: np.ndarray, l2: float) -> tuple[float, float]:
        """Loss (cross-entropy plus L2 term) and accuracy on ``(X, y)``."""
        probs = self.predict_proba(X)
        with np.errstate(divide="ignore", invalid="ignore"):
            data_loss = -float(np.mean(np.log(probs[np.arange(len(y)), y])))
        accuracy = float(np.mean(np.argmax(probs, axis=1) == y))
        return data_loss + self.penalty(l2), accuracy

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return f"MLP({sizes}, {self.activation}, {self.dtype.name})"


def softmax_inplace(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``z``, overwriting it; shifts by the row maximum so exp cannot overflow."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def forward_into(
    network: MLP, X: np.ndarray, outputs: list[np.ndarray], row_max: np.ndarray, row_sum: np.ndarray
) -> np.ndarray:
    """Forward pass writing each layer's output into ``outputs`` (preallocated, one per layer);
    returns the last, which holds the class probabilities. Allocates nothing large."""
    forward = ACTIVATIONS[network.activation].forward
    last = len(network.weights) - 1
    a = X
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = outputs[i]
        np.matmul(a, w, out=z)
        z += b
        a = z if i == last else forward(z)
    return _softmax_columns(a, row_max, row_sum)


def _softmax_columns(z: np.ndarray, row_max: np.ndarray, row_sum: np.ndarray) -> np.ndarray:
    """Row-wise softmax in place for few columns (classes): numpy reduces along a short last
    axis slowly, so the row maximum and sum are built column by column instead."""
    columns = [z[:, j] for j in range(z.shape[1])]
    np.copyto(row_max, columns[0])
    for c in columns[1:]:
        np.maximum(row_max, c, out=row_max)
    z -= row_max[:, None]
    np.exp(z, out=z)
    np.copyto(row_sum, columns[0])
    for c in columns[1:]:
        row_sum += c
    z /= row_sum[:, None]
    return z


@dataclass
class _Buffers:
    """Scratch arrays for one batch size, so a gradient step allocates (almost) nothing."""

    activations: list[np.ndarray]  # output of each layer after its activation
    deltas: list[np.ndarray]  # loss gradient w.r.t. each hidden layer's output
    derivatives: list[np.ndarray]
    picked: np.ndarray  # probability of the true class per sample
    row_max: np.ndarray
    row_sum: np.ndarray
    ones: np.ndarray


class Backprop:
    """Computes the loss and its gradients for one network shape, reusing buffers.

    ``gradients`` holds one array per parameter, in :meth:`MLP.parameters` order; it is
    overwritten on every call, so copy it if you need to keep it.
    """

    def __init__(self, network: MLP):
        self.layer_sizes = network.layer_sizes
        self.dtype = network.dtype
        self.activation = ACTIVATIONS[network.activation]
        self.gradients = [np.empty_like(p) for p in network.parameters()]
        self._scaled_weights = [np.empty_like(w) for w in network.weights]
        self._buffers: dict[int, _Buffers] = {}

    def __getstate__(self) -> dict:
        # Scratch buffers are rebuilt on demand: do not ship them to another process.
        return {**self.__dict__, "_buffers": {}}

    def _buffers_for(self, n: int) -> _Buffers:
        if n not in self._buffers:
            sizes = self.layer_sizes
            hidden = sizes[1:-1]
            self._buffers[n] = _Buffers(
                activations=[np.empty((n, s), self.dtype) for s in sizes[1:]],
                deltas=[np.empty((n, s), self.dtype) for s in hidden],
                derivatives=[np.empty((n, s), self.dtype) for s in hidden],
                picked=np.empty(n, self.dtype),
                row_max=np.empty(n, self.dtype),
                row_sum=np.empty(n, self.dtype),
                ones=np.ones(n, self.dtype),
            )
        return self._buffers[n]

    def run(self, network: MLP, X: np.ndarray, targets: np.ndarray, flat_index: np.ndarray, l2: float) -> float:
        """Forward and backward pass on a batch; returns the mean cross-entropy (without L2).

        ``targets`` is the one-hot label matrix ``(n, classes)``; ``flat_index`` is
        ``arange(n) * classes + y``, the position of each true class in the flattened output.
        """
        n = len(X)
        buf = self._buffers_for(n)
        weights = network.weights
        last = len(weights) - 1
        probs = forward_into(network, X, buf.activations, buf.row_max, buf.row_sum)

        # The loss is the mean of -log p(true class); a zero or NaN probability means the
        # loss is not finite (checked first, so log never warns).
        np.take(probs, flat_index, out=buf.picked)
        if not buf.picked.min() > 0:
            return math.inf
        np.log(buf.picked, out=buf.picked)
        data_loss = -float(buf.picked.sum()) / n

        # Backward: the mean loss's gradient w.r.t. the logits is (probs - onehot) / n.
        delta = probs
        delta -= targets
        delta *= 1.0 / n
        grads = self.gradients
        for i in range(last, -1, -1):
            a_in = X if i == 0 else buf.activations[i - 1]
            np.matmul(a_in.T, delta, out=grads[2 * i])
            np.matmul(buf.ones, delta, out=grads[2 * i + 1])  # column sums, as one BLAS call
            if l2:
                scaled = self._scaled_weights[i]
                np.multiply(weights[i], l2, out=scaled)
                grads[2 * i] += scaled
            if i > 0:
                back = buf.deltas[i - 1]
                np.matmul(delta, weights[i].T, out=back)
                back *= self.activation.derivative(a_in, buf.derivatives[i - 1])
                delta = back
        return data_loss
