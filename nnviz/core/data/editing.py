"""What the draw mode does to a dataset: add points of a class, remove the nearest point."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnviz.core.data.datasets import Dataset


def add_points(data: Dataset, X: np.ndarray, label: int) -> Dataset:
    """``data`` with the points ``X`` (shape ``(n, 2)``) of class ``label`` added to its
    training set. A class beyond the named ones is named by its number."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, data.columns)
    names = tuple(data.class_names)
    for k in range(len(names), label + 1 if names else 0):
        names += (unused_class_name(k, names),)
    return replace(
        data,
        X_train=np.concatenate([data.X_train, X]),
        y_train=np.concatenate([data.y_train, np.full(len(X), label, dtype=np.int64)]),
        class_names=names,
    )


def remove_nearest(data: Dataset, x: float, y: float, radius: float) -> Dataset | None:
    """``data`` without the point nearest to ``(x, y)`` (training or test), or None when no
    point lies within ``radius`` or it is the last training point (training needs one)."""
    train = np.hypot(data.X_train[:, 0] - x, data.X_train[:, 1] - y)
    test = np.hypot(data.X_test[:, 0] - x, data.X_test[:, 1] - y)
    distances = np.concatenate([train, test])
    if not len(distances) or distances.min() > radius:
        return None
    index = int(distances.argmin())
    if index < len(train):
        if len(train) == 1:
            return None
        return replace(data, X_train=np.delete(data.X_train, index, axis=0), y_train=np.delete(data.y_train, index))
    index -= len(train)
    return replace(data, X_test=np.delete(data.X_test, index, axis=0), y_test=np.delete(data.y_test, index))


def unused_class_name(k: int, names) -> str:
    """A name for class ``k`` that no other class has: saved to CSV, two classes must not merge."""
    for name in (str(k), f"class {k}"):
        if name not in names:
            return name
    return next(f"class {k} ({n})" for n in range(2, len(names) + 3) if f"class {k} ({n})" not in names)
