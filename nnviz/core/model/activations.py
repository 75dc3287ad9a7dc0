"""Hidden-layer activations, written in place so the training loop allocates nothing.

Each activation maps pre-activations ``z`` to outputs ``a`` in place, and gives its
derivative from the *output* ``a`` (not ``z``), which lets the network keep only ``a``.

Everything nnviz knows about an activation is in its :class:`Activation` record: adding one
to :data:`ACTIVATIONS` makes it work in training, sweeps, grids, unit maps, histograms, run
files, the command line and the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEAKY_SLOPE = 0.1  # seed 004's LeakyReLU slope


class Activation(NamedTuple):
    """A hidden activation: ``forward(z)`` overwrites z with a; ``derivative(a, out)`` fills out.

    ``bounds``: the outputs' range, None on an unbounded side; a bounded activation's maps and
    histograms use its whole range, and nothing is drawn below a lower bound.
    ``stalls``: how a unit stops working, as the activation histograms count and name it:
    ``"dead"`` (it outputs its lower bound at every point, where no gradient passes) or
    ``"saturated"`` (it outputs within ``flat`` of a bound, on the flat part, at nearly every
    point); None where that means nothing.
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    bounds: tuple[float | None, float | None] = (None, None)
    stalls: str | None = None
    flat: float = 0.0


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=z)


def _tanh_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.multiply(a, a, out=out)
    return np.subtract(1, out, out=out)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1/(1+exp(-z)) == (1 + tanh(z/2)) / 2, which never overflows.
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5
    return z


def _sigmoid_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.subtract(1, a, out=out)
    return np.multiply(out, a, out=out)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0, out=z)


def _relu_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.greater(a, 0, out=out, casting="unsafe")


def _leaky_relu(z: np.ndarray) -> np.ndarray:
    # max(z, 0.1 z) is z for z > 0 and 0.1 z otherwise.
    return np.maximum(z, LEAKY_SLOPE * z, out=z)


def _leaky_relu_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # The output keeps the sign of the input, so a > 0 tells the branch.
    np.greater(a, 0, out=out, casting="unsafe")
    out *= 1 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _linear(z: np.ndarray) -> np.ndarray:
    return z


def _linear_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1)
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        # Within 0.01 of a bound the slope is under 2% (tanh), 4% (sigmoid) of its peak.
        Activation("tanh", _tanh, _tanh_derivative, (-1.0, 1.0), "saturated", 0.01),
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, (0.0, 1.0), "saturated", 0.01),
        Activation("relu", _relu, _relu_derivative, (0.0, None), "dead"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative),
        Activation("linear", _linear, _linear_derivative),
    )
}
"""Every activation by its command-line name."""
