"""A multilayer perceptron, trained by hand-written backpropagation.

Conventions (stated once, used everywhere):

* The loss is the *mean* over the batch of the per-sample loss (softmax cross-entropy unless
  told otherwise; :mod:`nnviz.core.model.outputs`) plus ``l2 / 2 * sum(W**2)`` over every
  weight matrix (biases are not penalised).
* Gradients are those of that loss, so a learning rate does not depend on the sample count.
  The seed tutorial's ``epsilon`` (applied to the *summed* gradient) is ``lr / N`` and its
  ``reg_lambda`` is ``l2 * N``; see :mod:`nnviz.core.config`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import expand
from nnviz.core.model.initialisation import initial_weights
from nnviz.core.model.outputs import LOSSES, OUTPUTS


class MLP:
    """Fully connected layers: each hidden layer has its activation (``activations``, one name
    per hidden layer); the output units are ``output`` and the loss ``loss``
    (:mod:`nnviz.core.model.outputs`: softmax and cross-entropy by default). No hidden layer at
    all is softmax (or linear, or logistic) regression.

    ``weights[i]`` has shape ``(fan_in, fan_out)`` and ``biases[i]`` shape ``(fan_out,)``.
    All parameters are views into one flat vector ``flat`` (so an optimiser updates them
    with a few whole-vector operations). The first layer's weights and bias are stored
    together, a ``(features + 1, hidden)`` matrix whose last row is the bias, so that one
    product applies both (:mod:`nnviz.core.engine.ops`); that is private: :meth:`affine` applies a layer.

    ``features``: the input features (:mod:`nnviz.core.model.features`) the network reads of each
    point ``(x1, x2)``; None (the default) reads the points' coordinates as they are.
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str | tuple[str, ...],
                 features: tuple[str, ...] | None = None, output: str = "softmax", loss: str = "cross-entropy"):
        if len(weights) != len(biases) or not weights:
            raise ValueError("need one bias vector per weight matrix")
        sizes = (weights[0].shape[0],) + tuple(w.shape[1] for w in weights)
        self._adopt_flat(np.empty(layout_size(sizes), dtype=weights[0].dtype), sizes)
        for view, value in zip(self.parameters(), [p for pair in zip(weights, biases) for p in pair]):
            view[...] = value
        self.activations = per_layer(activation, len(weights) - 1)
        self.features = features
        self._set_head(output, loss)

    def _set_head(self, output: str, loss: str) -> None:
        if output not in OUTPUTS or loss not in LOSSES:
            raise ValueError(f"unknown output {output!r} or loss {loss!r}")
        self.output, self.loss = output, loss

    def _adopt_flat(self, flat: np.ndarray, sizes: tuple[int, ...]) -> None:
        self.flat = flat
        self._first_layer, self.weights, self.biases = layout_views(flat, sizes)

    @classmethod
    def from_flat(cls, flat: np.ndarray, layer_sizes: tuple[int, ...], activation: str | tuple[str, ...],
                  features: tuple[str, ...] | None = None, output: str = "softmax",
                  loss: str = "cross-entropy") -> MLP:
        """A network whose parameters are views into ``flat`` (not copied)."""
        network = cls.__new__(cls)
        network._adopt_flat(flat, tuple(layer_sizes))
        network.activations = per_layer(activation, len(layer_sizes) - 2)
        network.features = features
        network._set_head(output, loss)
        return network

    def with_flat(self, flat: np.ndarray) -> MLP:
        """A network of this one's shape, activations, inputs and head on the parameters ``flat``."""
        return MLP.from_flat(flat, self.layer_sizes, self.activations, self.features, self.output, self.loss)

    def __getstate__(self) -> dict:
        # Views do not survive pickling: send the flat vector and rebuild them.
        return {"flat": self.flat, "sizes": self.layer_sizes, "activations": self.activations,
                "features": self.features, "output": self.output, "loss": self.loss}

    def __setstate__(self, state: dict) -> None:
        self._adopt_flat(state["flat"], state["sizes"])
        self.activations = state["activations"]
        self.features = state["features"]
        self.output, self.loss = state.get("output", "softmax"), state.get("loss", "cross-entropy")

    @classmethod
    def initialise(
        cls,
        layer_sizes: tuple[int, ...],
        activation: str | tuple[str, ...],
        rng: np.random.Generator,
        dtype: type | str = np.float64,
        init: str = "default",
        features: tuple[str, ...] | None = None,
        output: str = "softmax",
        loss: str = "cross-entropy",
    ) -> MLP:
        """Weights drawn by the scheme ``init`` (``initialisation.INIT_SCHEMES``; the default is
        the seed's ``N(0, 1) / sqrt(fan_in)``) and zero biases."""
        weights, biases = [], []
        for fan_in, fan_out in pairwise(layer_sizes):
            w = initial_weights(init, fan_in, fan_out, rng)
            weights.append(w.astype(dtype))
            biases.append(np.zeros(fan_out, dtype=dtype))
        return cls(weights, biases, activation, features, output, loss)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Input features, each hidden layer's width, then the output units."""
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)

    @property
    def point_dims(self) -> int:
        """How many coordinates a point the network reads has (2 when it has input features)."""
        return 2 if self.features else self.layer_sizes[0]

    def inputs(self, points: np.ndarray) -> np.ndarray:
        """What :func:`forward` reads for ``points``: their input features, in the network's
        dtype, laid out for the first layer (:func:`nnviz.core.engine.ops.forward_inputs`)."""
        return ops.forward_inputs(expand(np.asarray(points, dtype=self.dtype), self.features))

    def affine(self, layer: int, a: np.ndarray, out: np.ndarray, columns: slice | None = None) -> np.ndarray:
        """Layer ``layer``'s weighted input sums (of its ``columns``, None: all) of ``a`` into
        ``out``: ``a`` is the previous layer's output, or :meth:`inputs` for the first layer."""
        if layer == 0:  # weights and bias at once
            return ops.affine(a, self._first_layer if columns is None else self._first_layer[:, columns], out)
        if columns is None:  # a training step's case: no views made
            return ops.affine(a, self.weights[layer], out, self.biases[layer])
        return ops.affine(a, self.weights[layer][:, columns], out, self.biases[layer][columns])

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    def parameters(self) -> list[np.ndarray]:
        """The arrays ``[W1, b1, W2, b2, ...]`` (live views, not copies)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def copy(self) -> MLP:
        """A deep copy: no array is shared with the original."""
        return self.with_flat(self.flat.copy())

    def weight_mask(self) -> np.ndarray:
        """1 where ``flat`` holds a weight, 0 where it holds a bias (L2 spares biases)."""
        mask = np.zeros_like(self.flat)
        for view in layout_views(mask, self.layer_sizes)[1]:
            view[...] = 1
        return mask

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The output units' values for inputs ``X``, shape ``(len(X), units)``."""
        return layer_output(self, X, len(self.weights) - 1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Each class's score, shape ``(len(X), classes)``: the probabilities (of softmax, or of
        each sigmoid unit; one sigmoid unit is class 1's, so class 0's is its complement), or
        identity outputs as they are. The predicted class is the largest."""
        return class_scores(self.outputs(X))

    def penalty(self, l2: float) -> float:
        """The L2 term ``l2 / 2 * sum(W**2)`` over every weight matrix."""
        return ops.l2_penalty(self.weights, l2)

    def evaluate(self, X: np.ndarray, y: np.ndarray, l2: float, regression: bool = False) -> tuple[float, float]:
        """Loss (plus L2 term) and accuracy (R² for ``regression``) on ``(X, y)``."""
        # Imported here: scoring runs through this module's forward.
        from nnviz.core.model.scoring import Scoring

        return Scoring(self, X, y, regression=regression).of(self, l2)

    def __repr__(self) -> str:
        sizes = layers_name(self.layer_sizes)
        inputs = f", inputs {','.join(self.features)}" if self.features else ""
        head = "" if (self.output, self.loss) == ("softmax", "cross-entropy") else f", {self.output}, {self.loss}"
        return f"MLP({sizes}, {','.join(self.activations) or 'no hidden layer'}{head}, {self.dtype.name}{inputs})"


def layers_name(sizes) -> str:
    """A network's layer sizes as people write them: ``2-10-10-2``."""
    return "-".join(map(str, sizes))


def class_scores(outputs: np.ndarray) -> np.ndarray:
    """Each class's score from a classifier's outputs: one sigmoid unit (class 1's probability)
    becomes the two classes' ``[1 - p, p]``; more units are one a class already."""
    if outputs.shape[1] == 1:
        return np.column_stack([1 - outputs[:, 0], outputs[:, 0]])
    return outputs


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


@dataclass
class ForwardBuffers:
    """Where :func:`forward` writes for one batch size: each layer's output, and the softmax's
    scratch (with dropout, also each hidden layer's output before it was dropped; for an
    activation whose derivative reads them, the layer's weighted sums, made when first needed)."""

    outputs: list[np.ndarray]
    row_max: np.ndarray
    row_sum: np.ndarray
    kept: list[np.ndarray] | None = None
    sums: dict[int, np.ndarray] | None = None

    def sums_of(self, layer: int) -> np.ndarray:
        """Where hidden layer ``layer``'s weighted sums are kept."""
        if self.sums is None:
            self.sums = {}
        if layer not in self.sums:
            self.sums[layer] = np.empty_like(self.outputs[layer])
        return self.sums[layer]

    @classmethod
    def of(cls, layer_sizes: tuple[int, ...], n: int, dtype, dropout: bool = False) -> ForwardBuffers:
        """Buffers for ``n`` samples through layers of these sizes."""
        return cls([np.empty((n, s), dtype) for s in layer_sizes[1:]], np.empty(n, dtype), np.empty(n, dtype),
                   [np.empty((n, s), dtype) for s in layer_sizes[1:-1]] if dropout else None)


def forward(network: MLP, inputs: np.ndarray, buffers: ForwardBuffers, masks: list[np.ndarray] | None = None, *,
            upto: int | None = None, before_activation: bool = False, columns: slice | None = None) -> np.ndarray:
    """The forward pass, the only one: ``inputs`` (:meth:`MLP.inputs`) through every layer into
    ``buffers.outputs``; returns the last layer's output, the output units'. Allocates nothing.

    ``masks``: dropout factors per hidden layer (:meth:`Dropout.masks`): each hidden layer's
    output is kept in ``buffers.kept`` and dropped in ``buffers.outputs``, which the next layer reads.
    ``upto``: stop after that layer (counted from 0), returning its output (``before_activation``:
    its weighted sums); ``columns``: of that layer, only these units."""
    last = len(network.weights) - 1
    upto = last if upto is None else upto
    a = inputs
    for i in range(upto + 1):
        z = buffers.outputs[i]
        network.affine(i, a, z, columns if i == upto else None)
        if i == upto and before_activation:
            return z
        if i == last:
            return ops.head(network.output, network.loss).forward(z, buffers.row_max, buffers.row_sum)
        mask = None if masks is None else masks[i]
        activation = ACTIVATIONS[network.activations[i]]
        a = ops.hidden_forward(z, activation, mask, None if mask is None else buffers.kept[i],
                               buffers.sums_of(i) if activation.reads_sums else None)
    return a


def layer_output(
    network: MLP, X: np.ndarray, layer: int, *, before_activation: bool = False, unit: int | None = None
) -> np.ndarray:
    """The output of layer ``layer`` for inputs ``X`` ``(n, features)``: shape ``(n, width)``,
    in the network's dtype. Layers count from 0, the first hidden layer; the last is the output
    layer, whose units are the network's ``output``. ``before_activation`` gives the layer's weighted
    input sum instead. ``unit``: that unit's column alone, shape ``(n,)`` (of a hidden layer,
    only its weights are used: a frame showing one unit does not compute all 200).

    The one way to get a layer's output outside training, through the training's own :func:`forward`."""
    last = len(network.weights) - 1
    if not 0 <= layer <= last:
        raise ValueError(f"{network!r} has layers 0 to {last}, not {layer}")
    alone = unit is not None and layer < last  # a softmax needs every output unit
    sizes = list(network.layer_sizes[: layer + 2])
    if alone:
        sizes[-1] = 1
    buffers = ForwardBuffers.of(tuple(sizes), len(X), network.dtype)
    a = forward(network, network.inputs(X), buffers, upto=layer, before_activation=before_activation,
                columns=slice(unit, unit + 1) if alone else None)
    return a if unit is None else a[:, 0 if alone else unit]


def hidden_outputs(network: MLP, X: np.ndarray) -> list[np.ndarray]:
    """Every hidden layer's output for inputs ``X``, first to last, in one forward pass (what
    :func:`layer_output` gives layer by layer)."""
    hidden = len(network.weights) - 1
    if not hidden:
        return []
    buffers = ForwardBuffers.of(network.layer_sizes[:-1], len(X), network.dtype)
    forward(network, network.inputs(X), buffers, upto=hidden - 1)
    return buffers.outputs


@dataclass
class _Buffers:
    """Scratch arrays for one batch size, so a gradient step allocates (almost) nothing."""

    forward: ForwardBuffers  # each layer's output after its activation (and dropout)
    deltas: list[np.ndarray]  # loss gradient w.r.t. each hidden layer's output
    derivatives: list[np.ndarray]
    picked: np.ndarray  # probability of the true class per sample
    ones: np.ndarray
    output_scratch: np.ndarray  # shaped like the outputs


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
        self.output, self.loss = network.output, network.loss
        self._head = ops.head(network.output, network.loss)
        self._unbounded = not self._head.shows_blowups  # its L2 term and gradient are checked too
        self._weight_mask = network.weight_mask()
        self._make_gradient_views(np.empty_like(network.flat))
        self._scratch = np.empty_like(network.flat)
        self._ones = np.ones_like(network.flat)  # sums the gradient in one BLAS call, the cheapest
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
            hidden = self.layer_sizes[1:-1]
            self._buffers[n] = _Buffers(
                forward=ForwardBuffers.of(self.layer_sizes, n, self.dtype, dropout=True),
                deltas=[np.empty((n, s), self.dtype) for s in hidden],
                derivatives=[np.empty((n, s), self.dtype) for s in hidden],
                picked=np.empty(n, self.dtype),
                ones=np.ones(n, self.dtype),
                output_scratch=np.empty((n, self.layer_sizes[-1]), self.dtype),
            )
        return self._buffers[n]

    def run(self, network: MLP, inputs: np.ndarray, targets: np.ndarray, flat_index: np.ndarray, l2: float,
            masks: list[np.ndarray] | None = None, *, checked: bool = True) -> bool:
        """Forward and backward pass on a batch; False (and no usable gradient) if the loss (its L2
        term included) or its gradient is not finite: the step would make the weights so.

        ``inputs`` are :meth:`MLP.inputs` of the batch; ``targets`` the target matrix
        (:func:`~nnviz.core.engine.ops.target_matrix`); ``flat_index`` is ``arange(n) * classes +
        y``, the position of each true class in the flattened output (used by softmax with
        cross-entropy). ``masks``: dropout factors per hidden layer (:meth:`Dropout.masks`), or None.
        ``checked=False``: take the gradient even of an infinite loss (a point given probability 0
        has the finite gradient ``y - t``; only the explained step asks for it).
        """
        buf = self._buffers_for(len(inputs))
        weights = network.weights
        outputs = buf.forward.outputs
        y = forward(network, inputs, buf.forward, masks)
        before_dropout = outputs if masks is None else buf.forward.kept
        if checked and not self._head.finite(y, targets, flat_index, buf.picked, buf.output_scratch):
            return False
        # The L2 term as a record finds it (MLP.evaluate); whenever that of every parameter is finite, it is.
        if (checked and self._unbounded and l2 and not math.isfinite(network.flat.dot(network.flat))
                and not math.isfinite(network.penalty(l2))):
            return False

        delta = self._head.delta(y, targets, buf.output_scratch, buf.forward.row_sum)
        grads = self.gradients
        for i in range(len(weights) - 1, 0, -1):
            ops.weight_gradient(outputs[i - 1], delta, grads[2 * i])
            ops.bias_gradient(delta, buf.ones, grads[2 * i + 1])
            back = ops.input_gradient(delta, weights[i], buf.deltas[i - 1])
            activation = ACTIVATIONS[self.activations[i - 1]]
            delta = ops.hidden_backward(back, activation, before_dropout[i - 1], buf.derivatives[i - 1],
                                        None if masks is None else masks[i - 1],
                                        buf.forward.sums_of(i - 1) if activation.reads_sums else None)
        ops.weight_gradient(inputs, delta, self._first_layer_gradient)  # W1 and b1 at once
        if l2:
            ops.add_l2_gradient(self.flat_gradient, network.flat, self._l2_times_mask(l2), self._scratch)  # weights only
        # A finite loss may still have a gradient that overflows (huge identity outputs times huge
        # weights): stepping back to weights whose gradient was finite lets a smaller rate go on.
        return not self._unbounded or math.isfinite(self.flat_gradient.dot(self._ones))

    def deltas(self, n: int) -> list[np.ndarray]:
        """Each layer's δ, the loss's gradient w.r.t. its weighted sums, as the last :meth:`run` on
        ``n`` samples left them, first layer first (live buffers: copy them to keep them)."""
        buf = self._buffers[n]
        return [*buf.deltas, buf.forward.outputs[-1]]  # the output layer's δ is written over its outputs

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
            ops.draw_dropout(self.rng, self.rate, draws, mask)
        return masks

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_masks": {}}
