"""Class probabilities on a regular grid, for drawing decision boundaries."""

from __future__ import annotations

import numpy as np

from nnviz.core.network import MLP

Bounds = tuple[float, float, float, float]


def grid_points(bounds: Bounds, resolution: int, dtype=np.float32) -> np.ndarray:
    """Centres of a ``resolution x resolution`` grid over ``(x_min, x_max, y_min, y_max)``,
    shape ``(resolution**2, 2)``, row-major with x varying fastest."""
    x_min, x_max, y_min, y_max = bounds
    dx, dy = (x_max - x_min) / resolution, (y_max - y_min) / resolution
    xs = x_min + dx * (np.arange(resolution) + 0.5)
    ys = y_min + dy * (np.arange(resolution) + 0.5)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()]).astype(dtype)


def decision_grid(network: MLP, bounds: Bounds, resolution: int = 100, points: np.ndarray | None = None) -> np.ndarray:
    """Probabilities of every class at each grid cell, shape ``(resolution, resolution, classes)``
    with axis 0 along y and axis 1 along x. Pass ``points`` from :func:`grid_points` to reuse them."""
    if points is None:
        points = grid_points(bounds, resolution, network.dtype)
    probs = network.predict_proba(points)
    return probs.reshape(resolution, resolution, -1)
