"""Two-dimensional toy datasets, reproducible from a seed, split into train and test sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATASETS = ("moons", "circles", "xor")
XOR_MARGIN = 0.1  # XOR points keep this far from the axes so the classes never touch


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and integer labels ``0..classes-1``, already split."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def classes(self) -> int:
        return int(max(self.y_train.max(initial=0), self.y_test.max(initial=0))) + 1

    @property
    def features(self) -> int:
        return self.X_train.shape[1]

    def bounds(self, padding: float = 0.5) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of all points, widened by ``padding`` (the seed's 0.5)."""
        X = np.concatenate([self.X_train, self.X_test])
        lo, hi = X[:, :2].min(axis=0) - padding, X[:, :2].max(axis=0) + padding
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def generate_points(name: str, samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """All points of a built-in dataset, before any split."""
    if name == "xor":
        return _xor(samples, noise, rng)
    # scikit-learn takes over a second to import: only pay for it when a dataset is made.
    from sklearn import datasets as sk

    state = int(rng.integers(2**31 - 1))
    if name == "moons":
        return sk.make_moons(samples, noise=noise, random_state=state)
    if name == "circles":
        return sk.make_circles(samples, noise=noise, factor=0.5, random_state=state)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def _xor(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Uniform in [-1, 1]^2, then each coordinate pushed out of (-margin, margin).
    X = rng.uniform(-1, 1, size=(samples, 2))
    X = np.sign(X) * (XOR_MARGIN + (1 - XOR_MARGIN) * np.abs(X))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def split(name: str, X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator) -> Dataset:
    """Hold out ``round(test_fraction * len(X))`` points chosen by ``rng`` for testing.

    Both parts keep the original order of the points (so a split of 0 changes nothing).
    """
    order = rng.permutation(len(X))
    n_test = round(test_fraction * len(X))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    y = np.asarray(y, dtype=np.int64)
    return Dataset(name, X[train], y[train], X[test], y[test])


def make_dataset(name: str, samples: int, noise: float, test_fraction: float, seed: int) -> Dataset:
    """A built-in dataset; the same arguments always give the same points and split."""
    points_rng, split_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X, y = generate_points(name, samples, noise, points_rng)
    return split(name, np.asarray(X, dtype=np.float64), y, test_fraction, split_rng)
