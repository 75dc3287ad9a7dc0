"""Built-in datasets, reproducible from a seed, split into train and test sets: two-dimensional
toy sets, and scikit-learn's bundled 8x8 handwritten digits (images, no download)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

DATASETS = ("moons", "circles", "xor", "spiral", "blobs", "digits")
MULTICLASS = ("spiral", "blobs", "digits")  # the sets whose number of classes is a setting
IMAGE_DATASETS = ("digits",)  # the sets of images
SKLEARN_DATASETS = ("moons", "circles", "digits")  # the sets scikit-learn makes (or holds)
EXTENT = {"moons": (-1.5, 2.5, -1.0, 1.5), "circles": (-1.5, 1.5, -1.5, 1.5)}  # where their points lie, about
CLASSES_RANGE = (2, 5)  # classes of points in a plane (each has its colour)
IMAGE_CLASSES_RANGE = (2, 10)  # classes of images: the digits 0-9
DIGITS = 1797  # images in scikit-learn's digits
DIGIT_SHAPE = (8, 8)  # their pixels (of 0-16, scaled to 0-1)
CUSTOM = "custom"  # a config's dataset when the points came from a CSV file or were drawn
XOR_MARGIN = 0.1  # XOR points keep this far from the axes so the classes never touch
SPIRAL_TURN = 4.0  # radians each spiral arm turns between its centre and its end (CS231n's)
BLOB_RADIUS = 1.0  # blob centres sit on a circle this size, so they never coincide


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and integer labels ``0..classes-1``, already split.

    ``class_names`` and ``feature_names`` are display names (a CSV file's labels and column
    names); empty means "0", "1", ... and "x1", "x2", ... ``image_shape`` is ``(rows,
    columns)`` when each point is an image, its pixels row by row (scaled to 0-1); None for points.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None

    @property
    def classes(self) -> int:
        """How many classes: the largest label plus one, or more if more classes are named."""
        found = int(max(self.y_train.max(initial=0), self.y_test.max(initial=0))) + 1
        return max(found, len(self.class_names))

    @property
    def columns(self) -> int:
        """How many numbers each point has: 2 for a point of the plane, the pixel count for an image."""
        return self.X_train.shape[1]

    @property
    def label_names(self) -> tuple[str, ...]:
        """A display name for every class, in label order."""
        return self.class_names + tuple(str(k) for k in range(len(self.class_names), self.classes))

    @property
    def axis_names(self) -> tuple[str, ...]:
        """A display name for every feature, in column order."""
        return self.feature_names + tuple(f"x{i + 1}" for i in range(len(self.feature_names), self.columns))

    @property
    def feature_means(self) -> np.ndarray:
        """The mean of every feature over all points (where a 2-D view fixes the other features)."""
        return self.merged()[0].mean(axis=0, dtype=np.float64)

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of all points, the training points first."""
        return np.concatenate([self.X_train, self.X_test]), np.concatenate([self.y_train, self.y_test])

    def bounds(self, padding: float = 0.5) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of all points, widened by ``padding`` (the seed's 0.5)."""
        X = self.merged()[0]
        lo, hi = X[:, :2].min(axis=0) - padding, X[:, :2].max(axis=0) + padding
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def without_points(name: str, classes: int = 2) -> Dataset:
    """A stand-in for a built-in dataset whose points are not made yet: no points, two features
    (or the digits' 64 pixels), and its usual extent as :meth:`Dataset.bounds`."""
    classes = classes if name in MULTICLASS else 2
    empty = np.empty((0, DIGIT_SHAPE[0] * DIGIT_SHAPE[1] if name in IMAGE_DATASETS else 2))
    return _Unmade(name, empty, np.empty(0, dtype=np.int64), empty, np.empty(0, dtype=np.int64),
                   tuple(str(k) for k in range(classes)), image_shape=DIGIT_SHAPE if name in IMAGE_DATASETS else None)


@dataclass(frozen=True, eq=False)
class _Unmade(Dataset):
    def bounds(self, padding: float = 0.5) -> tuple[float, float, float, float]:
        return EXTENT.get(self.name, (-2.0, 2.0, -2.0, 2.0))


def generate_points(
    name: str, samples: int, noise: float, rng: np.random.Generator, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """All points of a built-in dataset, before any split.

    ``classes`` is used by the :data:`MULTICLASS` sets only; the others always have two.
    """
    low, high = classes_range(name)
    if name in MULTICLASS and not low <= classes <= high:
        raise ValueError(f"{name} takes {low} to {high} classes; got {classes}")
    if name == "digits":
        return _digits(samples, classes, rng)
    if name == "xor":
        return _xor(samples, noise, rng)
    if name == "spiral":
        return _spiral(samples, noise, classes, rng)
    if name == "blobs":
        return _blobs(samples, noise, classes, rng)
    # scikit-learn takes over a second to import: only pay for it when a dataset is made.
    from sklearn import datasets as sk

    state = int(rng.integers(2**31 - 1))
    if name == "moons":
        return sk.make_moons(samples, noise=noise, random_state=state)
    if name == "circles":
        return sk.make_circles(samples, noise=noise, factor=0.5, random_state=state)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def classes_range(dataset: str) -> tuple[int, int]:
    """The fewest and most classes ``dataset`` can have."""
    return IMAGE_CLASSES_RANGE if dataset in IMAGE_DATASETS else CLASSES_RANGE


def _digits(samples: int, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # The digits 0 to classes-1 (tutorial 004 kept three), pixels scaled to 0-1 as tutorial 000
    # does; at most ``samples`` of them, a random subset.
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = np.flatnonzero(digits.target < classes)
    if samples < len(keep):
        keep = np.sort(rng.choice(keep, samples, replace=False))
    return digits.data[keep] / 16.0, digits.target[keep]


def _xor(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Uniform in [-1, 1]^2, then each coordinate pushed out of (-margin, margin).
    X = rng.uniform(-1, 1, size=(samples, 2))
    X = np.sign(X) * (XOR_MARGIN + (1 - XOR_MARGIN) * np.abs(X))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def _class_labels(samples: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels shared out evenly (the first ``samples % classes`` classes get one more), shuffled
    so that no class always comes last (and is drawn on top of the others)."""
    counts = [samples // classes + (k < samples % classes) for k in range(classes)]
    return rng.permutation(np.repeat(np.arange(classes), counts))


def _spiral(samples: int, noise: float, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # The CS231n spiral: arm k starts at angle k*2pi/K and turns SPIRAL_TURN radians on its way
    # out to radius 1. Each arm's points are evenly spaced along it; noise jitters the angle.
    y = _class_labels(samples, classes, rng)
    radius = np.empty(samples)
    for k in range(classes):
        members = y == k
        radius[members] = np.linspace(0.0, 1.0, members.sum())
    angle = y * (2 * np.pi / classes) + SPIRAL_TURN * radius + noise * rng.standard_normal(samples)
    return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]), y


def _blobs(samples: int, noise: float, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Centres evenly spaced on a circle (not drawn at random) so two blobs never land on top of
    # each other; at noise 0 the blobs are tight, at noise 1 they overlap a lot.
    y = _class_labels(samples, classes, rng)
    angles = np.pi / 2 + np.arange(classes) * (2 * np.pi / classes)
    centres = BLOB_RADIUS * np.column_stack([np.cos(angles), np.sin(angles)])
    spread = 0.1 + 0.6 * noise
    return centres[y] + spread * rng.standard_normal((samples, 2)), y


def split(name: str, X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator) -> Dataset:
    """Hold out ``round(test_fraction * len(X))`` points chosen by ``rng`` for testing, but
    always keep at least one point to train on.

    Both parts keep the original order of the points (so a split of 0 changes nothing).
    """
    order = rng.permutation(len(X))
    # The cap only matters below 10 points (a small CSV file): the built-in sets never reach it.
    n_test = min(round(test_fraction * len(X)), max(len(X) - 1, 0))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    y = np.asarray(y, dtype=np.int64)
    return Dataset(name, X[train], y[train], X[test], y[test])


def _rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The generators for a seed's points and for its split."""
    points, split_ = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(points), np.random.default_rng(split_)


def make_dataset(
    name: str, samples: int, noise: float, test_fraction: float, seed: int, classes: int = 2
) -> Dataset:
    """A built-in dataset; the same arguments always give the same points and split."""
    points_rng, split_rng = _rngs(seed)
    X, y = generate_points(name, samples, noise, points_rng, classes)
    data = split(name, np.asarray(X, dtype=np.float64), y, test_fraction, split_rng)
    if name == "digits":  # every digit asked for is a class, even one a small subset lacks
        return replace(data, image_shape=DIGIT_SHAPE, class_names=tuple(str(k) for k in range(classes)))
    return data


def resplit(data: Dataset, test_fraction: float, seed: int) -> Dataset:
    """All points of ``data`` split afresh, as :func:`make_dataset` splits for ``seed``;
    the name and display names are kept."""
    X, y = data.merged()
    fresh = split(data.name, np.asarray(X), y, test_fraction, _rngs(seed)[1])  # float32 images stay float32
    return replace(fresh, class_names=data.class_names, feature_names=data.feature_names, image_shape=data.image_shape)
