"""How sharp the valley is (groundwork for issue 28): the largest eigenvalue of the training loss's
Hessian, by power iteration on Hessian-vector products, each a central finite difference of the
engine's gradients in float64: ``H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε``. Cohen et al. (2021) compare
it with 2/η: full-batch gradient descent is stable along a direction only while its curvature is
below that."""

from __future__ import annotations

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.network import MLP, Backprop

EPSILON = 1e-4  # the difference's step along a unit vector: float64 rounding and truncation balance near here


class Gradients:
    """The training loss's gradient (the mean over ``(X, y)``, plus the L2 term) at any flat weights of
    networks shaped like ``network``, in float64, by the engine's :class:`Backprop`."""

    def __init__(self, network: MLP, X: np.ndarray, y: np.ndarray, l2: float, regression: bool = False):
        self.network = network.with_flat(network.flat.astype(np.float64))
        width = self.network.layer_sizes[-1]
        self.inputs = self.network.inputs(np.asarray(X, dtype=np.float64))
        self.targets = ops.target_matrix(y, width, np.float64)
        self.index = None if regression or width == 1 else np.arange(len(y)) * width + np.asarray(y)
        self.l2 = l2
        self.backprop = Backprop(self.network)

    def at(self, flat: np.ndarray) -> np.ndarray:
        """The gradient at weights ``flat`` (a copy)."""
        self.network.flat[...] = flat
        if not self.backprop.run(self.network, self.inputs, self.targets, self.index, self.l2):
            raise ValueError("the loss is not finite near these weights: there is no curvature to measure")
        return self.backprop.flat_gradient.copy()

    def hessian_times(self, flat: np.ndarray, v: np.ndarray, epsilon: float = EPSILON) -> np.ndarray:
        """``H·v`` at ``flat`` for a unit vector ``v``, by a central difference of gradients."""
        return (self.at(flat + epsilon * v) - self.at(flat - epsilon * v)) / (2 * epsilon)


def sharpness(network: MLP, X: np.ndarray, y: np.ndarray, l2: float = 0.0, *, regression: bool = False,
              iterations: int = 100, tolerance: float = 1e-6, rng: np.random.Generator | None = None) -> float:
    """The largest eigenvalue of the training loss's Hessian at ``network``'s weights. Power
    iteration finds the eigenvalue largest in size; when that one is negative (a saddle), the
    iteration runs again on ``H − λI`` to reach the largest."""
    gradients = Gradients(network, X, y, l2, regression)
    at = gradients.network.flat.copy()
    rng = rng or np.random.default_rng(0)
    largest = _power(lambda v: gradients.hessian_times(at, v), len(at), iterations, tolerance, rng)
    if largest >= 0:
        return largest
    shifted = _power(lambda v: gradients.hessian_times(at, v) - largest * v, len(at), iterations, tolerance, rng)
    return shifted + largest


def _power(times, size: int, iterations: int, tolerance: float, rng: np.random.Generator) -> float:
    """The eigenvalue largest in size of the symmetric operator ``times``, by power iteration."""
    v = rng.standard_normal(size)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        w = times(v)
        new = float(v @ w)  # the Rayleigh quotient
        norm = float(np.linalg.norm(w))
        if norm == 0:
            return 0.0
        v = w / norm
        if abs(new - value) <= tolerance * max(abs(new), 1e-12):
            return new
        value = new
    return value
