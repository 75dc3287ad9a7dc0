"""Input features: what a network reads of a point ``(x1, x2)``, as TensorFlow Playground offers.

A network with features reads ``expand(points, features)`` instead of the points themselves;
with ``x1sq`` and ``x2sq`` alone, circles become separable by a straight line.
"""

from __future__ import annotations

import numpy as np

FEATURES = {
    "x1": ("x₁", lambda x1, x2: x1),
    "x2": ("x₂", lambda x1, x2: x2),
    "x1sq": ("x₁²", lambda x1, x2: x1 * x1),
    "x2sq": ("x₂²", lambda x1, x2: x2 * x2),
    "x1x2": ("x₁x₂", lambda x1, x2: x1 * x2),
    "sinx1": ("sin x₁", lambda x1, x2: np.sin(x1)),
    "sinx2": ("sin x₂", lambda x1, x2: np.sin(x2)),
}
DEFAULT_FEATURES = ("x1", "x2")


def expand(points: np.ndarray, features: tuple[str, ...] | None) -> np.ndarray:
    """The inputs a network with ``features`` reads for ``points`` ``(n, 2)``: shape
    ``(n, len(features))`` in the points' dtype. ``None``: the points themselves."""
    if features is None:
        return points
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[name][1](x1, x2) for name in features], axis=1).astype(points.dtype, copy=False)


def feature_symbol(name: str) -> str:
    """How a feature is written for people: ``x₁²`` for ``x1sq``."""
    return FEATURES[name][0]
