"""A multilayer perceptron with softmax output, trained by hand-written backpropagation.

Conventions (stated once, used everywhere):

* The loss is the *mean* softmax cross-entropy over the batch plus ``l2 / 2 * sum(W**2)``
  over every weight matrix (biases are not penalised).
* Gradients are those of that loss, so a learning rate does not depend on the sample count.
  The seed tutorial's ``epsilon`` (applied to the *summed* gradient) is ``lr / N`` and its
  ``reg_lambda`` is ``l2 * N``; see :mod:`nnviz.core.config`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.features import expand
from nnviz.core.initialisation import initial_weights


class MLP:
    """Fully connected layers: each hidden layer has its activation (``activations``, one name
    per hidden layer), the output is softmax. No hidden layer at all is softmax regression.

    ``weights[i]`` has shape ``(fan_in, fan_out)`` and ``biases[i]`` shape ``(fan_out,)``.
    All parameters are views into one flat vector ``flat`` (so an optimiser updates them
    with a few whole-vector operations). The first layer's weights and bias are stored
    together as ``first_layer``, a ``(features + 1, hidden)`` matrix whose last row is the
    bias: multiplying inputs that carry an extra column of ones applies both at once.

    ``features``: the input features (:mod:`nnviz.core.features`) the network reads of each
    point ``(x1, x2)``; None (the default) reads the points' coordinates as they are.
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str | tuple[str, ...],
                 features: tuple[str, ...] | None = None):
        if len(weights) != len(biases) or not weights:
            raise ValueError("need one bias vector per weight matrix")
        sizes = (weights[0].shape[0],) + tuple(w.shape[1] for w in weights)
        self._adopt_flat(np.empty(layout_size(sizes), dtype=weights[0].dtype), sizes)
        for view, value in zip(self.parameters(), [p for pair in zip(weights, biases) for p in pair]):
            view[...] = value
        self.activations = per_layer(activation, len(weights) - 1)
        self.features = features

    def _adopt_flat(self, flat: np.ndarray, sizes: tuple[int, ...]) -> None:
        self.flat = flat
        self.first_layer, self.weights, self.biases = layout_views(flat, sizes)

    @classmethod
    def from_flat(cls, flat: np.ndarray, layer_sizes: tuple[int, ...], activation: str | tuple[str, ...],
                  features: tuple[str, ...] | None = None) -> MLP:
        """A network whose parameters are views into ``flat`` (not copied)."""
        network = cls.__new__(cls)
        network._adopt_flat(flat, tuple(layer_sizes))
        network.activations = per_layer(activation, len(layer_sizes) - 2)
        network.features = features
        return network

    def __getstate__(self) -> dict:
        # Views do not survive pickling: send the flat vector and rebuild them.
        return {"flat": self.flat, "sizes": self.layer_sizes, "activations": self.activations,
                "features": self.features}

    def __setstate__(self, state: dict) -> None:
        self._adopt_flat(state["flat"], state["sizes"])
        self.activations = state["activations"]
        self.features = state["features"]

    @classmethod
    def initialise(
        cls,
        layer_sizes: tuple[int, ...],
        activation: str | tuple[str, ...],
        rng: np.random.Generator,
        dtype: type | str = np.float64,
        init: str = "default",
        features: tuple[str, ...] | None = None,
    ) -> MLP:
        """Weights drawn by the scheme ``init`` (``initialisation.INIT_SCHEMES``; the default is
        the seed's ``N(0, 1) / sqrt(fan_in)``) and zero biases."""
        weights, biases = [], []
        for fan_in, fan_out in pairwise(layer_sizes):
            w = initial_weights(init, fan_in, fan_out, rng)
            weights.append(w.astype(dtype))
            biases.append(np.zeros(fan_out, dtype=dtype))
        return cls(weights, biases, activation, features)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Input features, each hidden layer's width, then the class count."""
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)

    @property
    def point_dims(self) -> int:
        """How many coordinates a point the network reads has (2 when it has input features)."""
        return 2 if self.features else self.layer_sizes[0]

    def inputs(self, points: np.ndarray) -> np.ndarray:
        """What the first layer reads for ``points``: their input features, in the network's dtype."""
        return expand(np.asarray(points, dtype=self.dtype), self.features)

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    def parameters(self) -> list[np.ndarray]:
        """The arrays ``[W1, b1, W2, b2, ...]`` (live views, not copies)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def copy(self) -> MLP:
        """A deep copy: no array is shared with the original."""
        return MLP.from_flat(self.flat.copy(), self.layer_sizes, self.activations, self.features)

    def weight_mask(self) -> np.ndarray:
        """1 where ``flat`` holds a weight, 0 where it holds a bias (L2 spares biases)."""
        mask = np.zeros_like(self.flat)
        for view in layout_views(mask, self.layer_sizes)[1]:
            view[...] = 1
        return mask

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(len(X), classes)``."""
        return layer_output(self, X, len(self.weights) - 1)

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
        inputs = f", inputs {','.join(self.features)}" if self.features else ""
        return f"MLP({sizes}, {','.join(self.activations) or 'softmax only'}, {self.dtype.name}{inputs})"


class Scoring:
    """Loss and accuracy of networks shaped like ``network`` on fixed points ``(X, y)``, as
    :meth:`MLP.evaluate` gives them, but through the training pass's own forward
    (:func:`forward_into`) into buffers kept between calls: a history recording every few
    steps cost one and a half training steps a record at 200 hidden units, and now allocates
    nothing."""

    def __init__(self, network: MLP, X: np.ndarray, y: np.ndarray):
        self.key = scoring_key(network)
        n, dtype = len(y), network.dtype
        self._X_ones = with_ones(network.inputs(X))
        self._y = y
        self._flat_index = np.arange(n) * network.layer_sizes[-1] + y
        self._outputs = [np.empty((n, size), dtype) for size in network.layer_sizes[1:]]
        self._row_max, self._row_sum = np.empty(n, dtype), np.empty(n, dtype)

    def of(self, network: MLP, l2: float) -> tuple[float, float]:
        """Loss (cross-entropy plus L2 term) and accuracy of ``network``."""
        probs = forward_into(network, self._X_ones, self._outputs, self._row_max, self._row_sum)
        with np.errstate(divide="ignore", invalid="ignore"):
            data_loss = -float(np.mean(np.log(np.take(probs, self._flat_index))))
        return data_loss + network.penalty(l2), float(np.mean(np.argmax(probs, axis=1) == self._y))


def scoring_key(network: MLP) -> tuple:
    """What a :class:`Scoring` depends on besides the points: the network's shape and inputs."""
    return network.layer_sizes, network.dtype, network.features


def per_layer(activation: str | tuple[str, ...], layers: int) -> tuple[str, ...]:
    """One activation name per hidden layer, from one name for all or a name per layer."""
    names = (activation,) * layers if isinstance(activation, str) else tuple(activation)
    if len(names) != layers or not all(name in ACTIVATIONS for name in names):
        raise ValueError(f"need one known activation per hidden layer ({layers}); got {activation!r}")
    return names


def layout_size(sizes: tuple[int, ...]) -> int:
    """Length of the flat parameter vector of a network with these layer sizes."""
    return sum((a + 1) * b for a, b in pairwise(sizes))


def layout_views(flat: np.ndarray, sizes: tuple[int, ...]):
    """``(first_layer, weights, biases)`` as views into ``flat``: the first layer as one
    ``(features + 1, hidden)`` block (bias last), then each later ``W`` followed by its ``b``."""
    weights, biases, start = [], [], 0
    for a, b in pairwise(sizes):
        block = flat[start : start + (a + 1) * b].reshape(a + 1, b)
        weights.append(block[:a])
        biases.append(block[a])
        start += (a + 1) * b
    first_layer = flat[: (sizes[0] + 1) * sizes[1]].reshape(sizes[0] + 1, sizes[1])
    return first_layer, weights, biases


def parameter_views(flat: np.ndarray, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """``[W1, b1, W2, b2, ...]`` as views into a flat vector with the layout of ``sizes``."""
    _, weights, biases = layout_views(flat, sizes)
    return [p for pair in zip(weights, biases) for p in pair]


def layer_output(
    network: MLP, X: np.ndarray, layer: int, *, before_activation: bool = False, unit: int | None = None
) -> np.ndarray:
    """The output of layer ``layer`` for inputs ``X`` ``(n, features)``: shape ``(n, width)``,
    in the network's dtype. Layers count from 0, the first hidden layer; the last is the output
    layer, whose activation is the softmax. ``before_activation`` gives the layer's weighted
    input sum instead. ``unit``: that unit's column alone, shape ``(n,)`` (of a hidden layer,
    only its weights are used: a frame showing one unit does not compute all 200).

    The one way to get a layer's output outside training; computed as training computes it
    (:func:`forward_into`: the first layer's weights and bias applied at once), so the two agree.
    """
    last = len(network.weights) - 1
    if not 0 <= layer <= last:
        raise ValueError(f"{network!r} has layers 0 to {last}, not {layer}")
    alone = unit is not None and layer < last  # the softmax needs every output unit
    a = network.inputs(X)
    for i in range(layer + 1):
        columns = slice(unit, unit + 1) if alone and i == layer else slice(None)
        a = _apply_layer(network, a, i, columns, activate=not (i == layer and before_activation))
    return a if unit is None else a[:, 0 if alone else unit]


def hidden_outputs(network: MLP, X: np.ndarray) -> list[np.ndarray]:
    """Every hidden layer's output for inputs ``X``, first to last, in one forward pass (what
    :func:`layer_output` gives layer by layer)."""
    outputs, a = [], network.inputs(X)
    for i in range(len(network.weights) - 1):
        a = _apply_layer(network, a, i)
        outputs.append(a)
    return outputs


def _apply_layer(network: MLP, a: np.ndarray, i: int, columns: slice = slice(None), activate: bool = True) -> np.ndarray:
    """Layer ``i`` (its ``columns``) applied to the previous layer's output ``a``."""
    if i == 0:
        z = with_ones(a) @ network.first_layer[:, columns]
    else:
        z = a @ network.weights[i][:, columns] + network.biases[i][columns]
    if not activate:
        return z
    return softmax_inplace(z) if i == len(network.weights) - 1 else ACTIVATIONS[network.activations[i]].forward(z)


def with_ones(X: np.ndarray) -> np.ndarray:
    """``X`` with a column of ones appended (the inputs :func:`forward_into` takes)."""
    return np.column_stack([X, np.ones(len(X), dtype=X.dtype)])


def softmax_inplace(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``z``, overwriting it; shifts by the row maximum so exp cannot overflow."""
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def forward_into(
    network: MLP, X_ones: np.ndarray, outputs: list[np.ndarray], row_max: np.ndarray, row_sum: np.ndarray,
    masks: list[np.ndarray] | None = None, kept: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Forward pass on inputs with a column of ones (:func:`with_ones`), writing each layer's
    output into ``outputs`` (preallocated, one per layer); returns the last, which holds the
    class probabilities. Allocates nothing large.

    Dropout: with ``masks`` (per hidden layer, each unit's factor, 0 or ``1 / (1 - p)``), each
    hidden layer's output is copied to ``kept`` (its derivative needs it) and ``outputs`` holds
    it dropped, which is what the next layer reads."""
    functions = [ACTIVATIONS[name].forward for name in network.activations]
    last = len(network.weights) - 1
    z = outputs[0]
    np.matmul(X_ones, network.first_layer, out=z)  # weights and bias at once
    a = z if last == 0 else functions[0](z)
    for i in range(1, last + 1):
        if masks is not None:
            np.copyto(kept[i - 1], a)
            a *= masks[i - 1]
        z = outputs[i]
        np.matmul(a, network.weights[i], out=z)
        z += network.biases[i]
        a = z if i == last else functions[i](z)
    return softmax_by_class(a, row_max, row_sum)


def softmax_by_class(z: np.ndarray, row_max: np.ndarray, row_sum: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of ``z`` (the classes, a handful), in place. numpy reduces
    along a short last axis slowly, so the maximum and sum (shaped like ``z[..., 0]``) are
    built class by class instead."""
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


@dataclass
class _Buffers:
    """Scratch arrays for one batch size, so a gradient step allocates (almost) nothing."""

    activations: list[np.ndarray]  # output of each layer after its activation (and dropout)
    kept: list[np.ndarray]  # each hidden layer's output before dropout (with dropout only)
    deltas: list[np.ndarray]  # loss gradient w.r.t. each hidden layer's output
    derivatives: list[np.ndarray]
    picked: np.ndarray  # probability of the true class per sample
    row_max: np.ndarray
    row_sum: np.ndarray
    ones: np.ndarray


class Backprop:
    """Computes the loss's gradient for one network shape, reusing buffers.

    ``flat_gradient`` follows the network's flat layout (so an optimiser can use it whole);
    ``gradients`` views it as one array per parameter, in :meth:`MLP.parameters` order.
    Both are overwritten on every call, so copy them to keep them.
    """

    def __init__(self, network: MLP):
        self.layer_sizes = network.layer_sizes
        self.dtype = network.dtype
        self.activations = network.activations
        self._weight_mask = network.weight_mask()
        self._make_gradient_views(np.empty_like(network.flat))
        self._scratch = np.empty_like(network.flat)
        self._l2_vector: tuple[float, np.ndarray] | None = None  # (l2, l2 * weight mask)
        self._buffers: dict[int, _Buffers] = {}

    def _make_gradient_views(self, flat: np.ndarray) -> None:
        self.flat_gradient = flat
        self._first_layer_gradient = layout_views(flat, self.layer_sizes)[0]
        self.gradients = parameter_views(flat, self.layer_sizes)

    def __getstate__(self) -> dict:
        # Scratch buffers are rebuilt on demand, views are rebuilt from the flat vector.
        state = {**self.__dict__, "_buffers": {}}
        for name in ("gradients", "_first_layer_gradient"):
            del state[name]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._make_gradient_views(self.flat_gradient)

    def _buffers_for(self, n: int) -> _Buffers:
        if n not in self._buffers:
            sizes = self.layer_sizes
            hidden = sizes[1:-1]
            self._buffers[n] = _Buffers(
                activations=[np.empty((n, s), self.dtype) for s in sizes[1:]],
                kept=[np.empty((n, s), self.dtype) for s in hidden],
                deltas=[np.empty((n, s), self.dtype) for s in hidden],
                derivatives=[np.empty((n, s), self.dtype) for s in hidden],
                picked=np.empty(n, self.dtype),
                row_max=np.empty(n, self.dtype),
                row_sum=np.empty(n, self.dtype),
                ones=np.ones(n, self.dtype),
            )
        return self._buffers[n]

    def run(self, network: MLP, X_ones: np.ndarray, targets: np.ndarray, flat_index: np.ndarray, l2: float,
            masks: list[np.ndarray] | None = None) -> bool:
        """Forward and backward pass on a batch; False (and no gradient) if the loss is not finite.

        ``X_ones`` are the inputs with a column of ones (:func:`with_ones`); ``targets`` is
        the one-hot label matrix ``(n, classes)``; ``flat_index`` is ``arange(n) * classes + y``,
        the position of each true class in the flattened output. ``masks``: dropout factors
        per hidden layer (:meth:`Dropout.masks`), or None.
        """
        n = len(X_ones)
        buf = self._buffers_for(n)
        weights = network.weights
        last = len(weights) - 1
        probs = forward_into(network, X_ones, buf.activations, buf.row_max, buf.row_sum, masks, buf.kept)
        before_dropout = buf.activations if masks is None else buf.kept

        # The loss is the mean of -log p(true class): not finite when a probability is zero or NaN.
        np.take(probs, flat_index, out=buf.picked)
        if not buf.picked.min() > 0:
            return False

        # Backward: the mean loss's gradient w.r.t. the logits is (probs - onehot) / n.
        delta = probs
        delta -= targets
        delta *= 1.0 / n
        grads = self.gradients
        for i in range(last, 0, -1):
            a_in = buf.activations[i - 1]
            np.matmul(a_in.T, delta, out=grads[2 * i])
            np.matmul(buf.ones, delta, out=grads[2 * i + 1])  # column sums, as one BLAS call
            back = buf.deltas[i - 1]
            np.matmul(delta, weights[i].T, out=back)
            if masks is not None:
                back *= masks[i - 1]
            back *= ACTIVATIONS[self.activations[i - 1]].derivative(before_dropout[i - 1], buf.derivatives[i - 1])
            delta = back
        np.matmul(X_ones.T, delta, out=self._first_layer_gradient)  # W1 and b1 at once
        if l2:
            np.multiply(network.flat, self._l2_times_mask(l2), out=self._scratch)
            self.flat_gradient += self._scratch  # + l2 * W, weights only
        return True

    def _l2_times_mask(self, l2: float) -> np.ndarray:
        if self._l2_vector is None or self._l2_vector[0] != l2:
            self._l2_vector = (l2, self._weight_mask * l2)
        return self._l2_vector[1]


class Dropout:
    """Inverted dropout on every hidden layer's output during training: each unit is kept with
    probability ``1 - rate`` and then scaled by ``1 / (1 - rate)``, so a layer's expected output
    is unchanged and evaluation uses the whole network as it is."""

    def __init__(self, rate: float, hidden: tuple[int, ...], dtype, rng: np.random.Generator):
        self.rate = rate
        self.rng = rng
        self._hidden = hidden
        self._dtype = np.dtype(dtype)
        self._masks: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}  # (factors, draws) per batch size

    def masks(self, n: int) -> list[np.ndarray] | None:
        """Fresh factors for a batch of ``n`` from the run's dropout generator ``rng`` (saved with
        the run, so a resumed run draws the same ones); None without dropout."""
        if not self.rate or not self._hidden:
            return None
        if n not in self._masks:  # for the batch size in use only; draws in the network's dtype (float32's are cheaper)
            self._masks = {n: ([np.empty((n, w), self._dtype) for w in self._hidden],
                              [np.empty((n, w), self._dtype) for w in self._hidden])}
        masks, uniform = self._masks[n]
        for mask, draws in zip(masks, uniform):
            self.rng.random(out=draws, dtype=self._dtype)
            np.greater_equal(draws, self.rate, out=mask, casting="unsafe")
            mask *= 1 / (1 - self.rate)
        return masks

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_masks": {}}
