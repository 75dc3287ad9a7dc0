"""The loss around a run's weights (groundwork for issue 28's Landscape view): a plane through the
latest weights, spanned by the two principal directions of the path training took (Li et al. 2018)
or by two random filter-normalised directions, the training loss over it, the path's moments
projected onto it, and the loss along the line from the first weights to the latest (Goodfellow et
al. 2015). Every loss is the engine's (:class:`~nnviz.core.model.scoring.Scoring`), with the L2 term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.model.network import MLP, layout_views
from nnviz.core.model.scoring import Scoring


@dataclass(frozen=True)
class Plane:
    """A plane of weights: ``centre + a·directions[0] + b·directions[1]`` (flat vectors). ``kind``
    is "pca" (orthonormal directions; ``explained``: the share of the path's variance each
    accounts for) or "random" (filter-normalised, not orthogonal; ``explained`` empty)."""

    centre: np.ndarray
    directions: np.ndarray
    kind: str
    explained: tuple[float, ...] = ()

    def weights_at(self, a: float, b: float) -> np.ndarray:
        """The flat weights at coordinates ``(a, b)``."""
        return self.centre + a * self.directions[0] + b * self.directions[1]

    def coordinates(self, weights: np.ndarray) -> np.ndarray:
        """Each row of ``weights`` ``(n, p)`` projected onto the plane: ``(n, 2)`` coordinates (least
        squares, which for orthonormal directions is the dot product)."""
        offsets = np.atleast_2d(weights) - self.centre
        if self.kind == "pca":
            return offsets @ self.directions.T
        solution, *_ = np.linalg.lstsq(self.directions.T, offsets.T, rcond=None)
        return solution.T


def pca_plane(path: np.ndarray, centre: np.ndarray) -> Plane:
    """The plane through ``centre`` spanned by the two principal directions of ``path``'s offsets
    from it (``path``: the moments' flat weights, a row each), as Li et al. centre theirs on the
    final weights."""
    offsets = np.asarray(path, dtype=np.float64) - centre
    _, singular, rows = np.linalg.svd(offsets, full_matrices=False)
    total = float(np.sum(singular**2))
    directions = np.zeros((2, len(centre)))
    kept = min(2, len(singular))
    directions[:kept] = rows[:kept]
    explained = tuple(float(s**2 / total) if total else 0.0 for s in singular[:kept])
    return Plane(np.asarray(centre, dtype=np.float64), directions, "pca", explained)


def random_plane(network: MLP, rng: np.random.Generator) -> Plane:
    """Two random directions through ``network``'s weights, filter-normalised as Li et al. do: each
    unit's incoming weights (a column of a layer's matrix) get a direction of that column's own
    norm, so that the plane's scale means the same in every layer; biases do not move."""
    centre = network.flat.astype(np.float64)
    directions = np.zeros((2, len(centre)))
    for direction in directions:
        _, weights, _ = layout_views(direction, network.layer_sizes)
        for moved, kept in zip(weights, network.weights):
            drawn = rng.standard_normal(moved.shape)
            scale = np.linalg.norm(kept, axis=0) / np.maximum(np.linalg.norm(drawn, axis=0), 1e-12)
            moved[...] = drawn * scale
    return Plane(centre, directions, "random")


def slice_losses(network: MLP, X: np.ndarray, y: np.ndarray, l2: float, plane: Plane, a: np.ndarray,
                 b: np.ndarray, regression: bool = False) -> np.ndarray:
    """The training loss over the grid of ``a`` (first direction) by ``b`` (second): a row for each
    value of ``b``, in float64."""
    probe = network.with_flat(plane.centre.copy())
    scoring = Scoring(probe, X, y, regression=regression)
    losses = np.empty((len(b), len(a)))
    for i, beta in enumerate(b):
        for j, alpha in enumerate(a):
            probe.flat[...] = plane.weights_at(alpha, beta)
            losses[i, j] = scoring.of(probe, l2)[0]
    return losses


def line_losses(network: MLP, X: np.ndarray, y: np.ndarray, l2: float, start: np.ndarray, end: np.ndarray,
                alphas: np.ndarray, regression: bool = False) -> np.ndarray:
    """The training loss along ``(1 − α)·start + α·end`` for each of ``alphas``, in float64."""
    probe = network.with_flat(np.asarray(start, dtype=np.float64).copy())
    scoring = Scoring(probe, X, y, regression=regression)
    losses = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        probe.flat[...] = (1 - alpha) * start + alpha * end
        losses[k] = scoring.of(probe, l2)[0]
    return losses
