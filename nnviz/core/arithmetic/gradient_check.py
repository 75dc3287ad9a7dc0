"""The gradient check of "Deep Learning from Scratch" (section 5.7.3): backpropagation's gradient
against numerical differentiation of the loss, weight by weight and bias by bias, in float64.

Both are the engine's: the loss is the training loss (the mean over the points, plus the L2
term) that a step descends, and the gradient :class:`~nnviz.core.model.network.Backprop`'s.
Dropout draws afresh every step, so the check is of the network without it. The difference is
the book's central one taken to fourth order, ``(8(L(w+h) − L(w−h)) − (L(w+2h) − L(w−2h))) / 12h``:
float64 then agrees with an exact gradient to ~1e-12 where the book's ``(L(w+h) − L(w−h)) / 2h``
reaches ~1e-10, which a six-layer sigmoid network's small first-layer gradients need.

Kinks: where an activation's slope jumps (ReLU and leaky ReLU at 0; the step function jumps
there), backpropagation takes the slope of the side below, as the book's ReLU layer does
(``mask = x <= 0``), while a difference whose nudges carry a weighted sum across the kink
mixes both sides. Such a weight's difference is not compared (every unit's side of its kink is
watched at each nudge), and the report counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import (
    MLP,
    Backprop,
    ForwardBuffers,
    forward,
    parameter_views,
)

TOLERANCE = 1e-6  # the largest relative error a layer may show and pass
# The check's time, roughly: four forward passes a parameter, each a fixed cost plus a multiply-add
# per point and weight (measured with numpy on one core; only to pick how many points to use).
PASS_OVERHEAD = 5e-5  # s
MULTIPLY_ADD = 1.5e-10  # s
SECONDS = 3.0  # what a check may take by default: then fewer points are used
FEWEST_POINTS = 10  # fewer would say little about the data
LONGEST = 30.0  # s a check of FEWEST_POINTS may take; a larger network is refused
ROUNDING = 1e-15  # float64's rounding of a sum of terms near the loss's size, relative (a few ulps)
STEP = 1e-4  # h: float64's rounding (~1e-16 / h) and the fourth-order difference's truncation (~h⁴) balance near here


@dataclass(frozen=True)
class LayerCheck:
    """One weight layer's largest relative error, of its weights and of its biases: the largest
    ``|backprop − numerical|`` over the largest ``|gradient|`` of the layer's weights (biases),
    NaN when none was compared; ``at_kinks``: how many of its parameters were not compared, their
    nudges crossing a kink."""

    name: str
    weights: float
    biases: float
    at_kinks: int = 0
    scale: float = 1.0  # the layer's largest |gradient|

    @property
    def worst(self) -> float:
        """The larger error of the two (0 when neither was compared)."""
        return max((e for e in (self.weights, self.biases) if not math.isnan(e)), default=0.0)


@dataclass(frozen=True)
class GradientCheck:
    """The check's result: each layer's errors over ``points`` points; ``dropout_off``: the run
    uses dropout, which the check left out."""

    layers: tuple[LayerCheck, ...]
    points: int
    dropout_off: bool
    h: float = STEP
    tolerance: float = TOLERANCE
    loss: float = 0.0  # the training loss at the weights checked
    kinked: tuple[str, ...] = ()  # the network's activations with kinks

    @property
    def failing(self) -> list[str]:
        """The layers whose error is above the tolerance."""
        return [layer.name for layer in self.layers if not layer.worst <= self.tolerance]

    @property
    def passed(self) -> bool:
        return not self.failing

    @property
    def rounding_limited(self) -> bool:
        """Whether a failing layer's gradients are so small beside the loss that float64's
        rounding of the loss, magnified by the difference's 1/h, is above the tolerance."""
        noise = ROUNDING * abs(self.loss) / self.h
        return any(noise > self.tolerance * layer.scale for layer in self.layers if layer.name in self.failing)

    @property
    def at_kinks(self) -> int:
        return sum(layer.at_kinks for layer in self.layers)

    def lines(self) -> list[str]:
        """The report: a line a layer, a verdict, and what was left out and why."""
        kinks = self.at_kinks > 0
        lines = [f"{'layer':<16}{'weights':>12}{'biases':>12}" + ("   not compared (kinks)" if kinks else "")]
        lines += [f"{layer.name:<16}{_error(layer.weights)}{_error(layer.biases)}"
                  + (f"{layer.at_kinks:>12}" if kinks else "") for layer in self.layers]
        if self.passed:
            lines.append(f"Passed: backpropagation agrees with numerical differences to better than "
                         f"{self.tolerance:g} in every layer, over {self.points} points.")
        else:
            failing = self.failing
            verdict = "Inconclusive" if self.rounding_limited else "Failed"
            lines.append(f"{verdict}: {', '.join(failing)} differ{'s' if len(failing) == 1 else ''} by more than "
                         f"{self.tolerance:g} over {self.points} points.")
            if self.rounding_limited:
                lines.append(f"The loss is {self.loss:.3g}: float64's rounding of it alone (about "
                             f"{ROUNDING * abs(self.loss) / self.h:.1g} in a difference) hides gradients this small; "
                             "these weights are too large for the check to tell.")
        lines.append(f"Relative error: the largest |backprop − numerical| over the layer's largest |gradient|; "
                     f"fourth-order central differences, h = {self.h:g}, float64."
                     + (" —: none compared." if any(math.isnan(e) for la in self.layers for e in (la.weights, la.biases))
                        else ""))
        if kinks:
            where = ", ".join(f"{name}'s at 0" for name in self.kinked)
            lines.append(f"{self.at_kinks} parameter{'s' if self.at_kinks > 1 else ''} not compared: nudging "
                         f"{'them' if self.at_kinks > 1 else 'it'} carried a weighted sum across a kink ({where}), "
                         "where backpropagation takes the slope below, as the book's ReLU does (mask = x <= 0), "
                         "and a difference mixes both sides.")
        if self.dropout_off:
            lines.append("Dropout is off for the check: it draws new units every step.")
        return lines


def seconds_for(parameters: int, points: int) -> float:
    """Roughly how long a check of ``parameters`` weights and biases on ``points`` points takes."""
    return 4 * parameters * (PASS_OVERHEAD + MULTIPLY_ADD * points * parameters)


def points_to_check(parameters: int, available: int, seconds: float = SECONDS) -> int:
    """How many of the ``available`` training points a check of ``parameters`` weights and biases
    uses: all of them if that takes at most ``seconds``, else as many as fit (at least
    :data:`FEWEST_POINTS`); 0 when even those would take longer than :data:`LONGEST`."""
    fewest = min(FEWEST_POINTS, available)
    if seconds_for(parameters, fewest) > LONGEST:
        return 0
    fit = int((seconds / (4 * parameters) - PASS_OVERHEAD) / (MULTIPLY_ADD * parameters))
    return min(available, max(fewest, fit))


def check_gradients(network: MLP, X: np.ndarray, y: np.ndarray, l2: float = 0.0, *, regression: bool = False,
                    dropout: float = 0.0, points: int | None = None, h: float = STEP) -> GradientCheck:
    """Compare backpropagation with numerical differences for ``network`` (copied into float64)
    on the first ``points`` of ``(X, y)`` (None: all), with weight decay ``l2``."""
    network = network.with_flat(network.flat.astype(np.float64))
    X = np.asarray(X, dtype=np.float64)[:points]
    y = np.asarray(y)[:points]
    width = network.layer_sizes[-1]
    targets = ops.target_matrix(y, width, np.float64)
    index = None if regression or width == 1 else np.arange(len(y)) * width + y
    inputs = network.inputs(X)
    backprop = Backprop(network)
    with np.errstate(all="ignore"):
        if not backprop.run(network, inputs, targets, index, l2):
            raise ValueError("the loss is not finite for these weights: there is no gradient to check")
    analytic = backprop.flat_gradient.copy()

    watch = _Watched(network, inputs, targets, index, l2)
    watch.base_loss = watch.loss()
    base_sides = watch.sides()
    numeric = np.empty_like(analytic)
    crossed = np.zeros(analytic.shape, dtype=bool)
    flat = network.flat
    with np.errstate(all="ignore"):
        for i in range(flat.size):
            kept = flat[i]
            losses = []
            for nudge in (h, -h, 2 * h, -2 * h):
                flat[i] = kept + nudge
                losses.append(watch.loss())
                crossed[i] |= watch.sides() != base_sides
            flat[i] = kept
            numeric[i] = (8 * (losses[0] - losses[1]) - (losses[2] - losses[3])) / (12 * h)

    sizes = network.layer_sizes
    checked = [parameter_views(a, sizes) for a in (analytic, numeric, crossed)]
    last = len(network.weights)
    layers = []
    for k in range(last):
        (w_a, b_a), (w_n, b_n), (w_x, b_x) = ((views[2 * k], views[2 * k + 1]) for views in checked)
        layers.append(LayerCheck(_layer_name(k, last), _relative_error(w_a, w_n, w_x), _relative_error(b_a, b_n, b_x),
                                 int(w_x.sum() + b_x.sum()), max(float(np.abs(w_a).max()), float(np.abs(b_a).max()))))
    kinked = tuple(dict.fromkeys(name for name in network.activations if ACTIVATIONS[name].kinks))
    return GradientCheck(tuple(layers), len(X), dropout > 0, h, TOLERANCE, watch.base_loss, kinked)


class _Watched:
    """The training loss of a network whose weights are being nudged, and on which side of its
    kink each unit of a kinked activation is (the kinked activations do not decrease, so the side
    shows in the unit's output)."""

    def __init__(self, network: MLP, inputs: np.ndarray, targets: np.ndarray, index, l2: float):
        self.network, self.inputs, self.targets, self.index, self.l2 = network, inputs, targets, index, l2
        self.buffers = ForwardBuffers.of(network.layer_sizes, len(inputs), np.float64)
        self.picked = np.empty(len(inputs))
        self.kinked = [(k, _at(ACTIVATIONS[name], kink)) for k, name in enumerate(network.activations)
                       for kink in ACTIVATIONS[name].kinks]

    def loss(self) -> float:
        outputs = forward(self.network, self.inputs, self.buffers)
        data_loss = ops.loss_values(self.network.output, self.network.loss, outputs, self.targets, self.index,
                                    self.picked)
        return float(data_loss) + self.network.penalty(self.l2)

    def sides(self) -> bytes:
        """Each kinked unit's side of its kink at each point, as of the last :meth:`loss`, packed."""
        return b"".join(np.packbits(self.buffers.outputs[k] > level).tobytes() for k, level in self.kinked)


def _at(activation, z: float) -> float:
    """The activation's output at ``z``."""
    return float(activation.forward(np.array([z]), np.array([z]))[0])


def _error(error: float) -> str:
    return f"{'—':>12}" if math.isnan(error) else f"{error:>12.2e}"


def _layer_name(k: int, layers: int) -> str:
    return "output layer" if k == layers - 1 else f"hidden layer {k + 1}"


def _relative_error(analytic: np.ndarray, numeric: np.ndarray, crossed: np.ndarray) -> float:
    """The largest difference over the largest gradient, leaving out the parameters ``crossed``
    (NaN where nothing is left; 0 where every gradient is 0)."""
    kept = ~crossed
    if not kept.any():
        return math.nan
    analytic, numeric = analytic[kept], numeric[kept]
    scale = max(float(np.abs(analytic).max()), float(np.abs(numeric).max()))
    difference = float(np.abs(analytic - numeric).max())
    return difference / scale if scale else difference
