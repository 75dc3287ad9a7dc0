"""Built-in datasets, reproducible from a seed, split into train and test sets: two-dimensional
toy sets, XOR's truth table, scikit-learn's bundled 8x8 handwritten digits (images, no
download), and regression sets of one input (a curve) or two (TensorFlow Playground's)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

DATASETS = ("moons", "circles", "xor", "xor-table", "spiral", "blobs", "digits",
            "sine", "abs", "step", "cubic", "plane", "gaussians")
MULTICLASS = ("spiral", "blobs", "digits")  # the sets whose number of classes is a setting
IMAGE_DATASETS = ("digits",)  # the sets of images
SKLEARN_DATASETS = ("moons", "circles", "digits")  # the sets scikit-learn makes (or holds)
REGRESSION_DATASETS = ("sine", "abs", "step", "cubic", "plane", "gaussians")  # targets are numbers, not classes
ONE_D_DATASETS = ("sine", "abs", "step", "cubic")  # one input: the points are (x, target) on a curve
XOR_TABLE = "xor-table"  # XOR's four rows, nothing else (tutorial 003's data)
CLASSIFICATION, REGRESSION = "classification", "regression"
TASKS = (CLASSIFICATION, REGRESSION)
# Where their points lie, about (targets as the vertical for the 1-D sets), padded as bounds() pads.
EXTENT = {"moons": (-1.5, 2.5, -1.0, 1.5), "circles": (-1.5, 1.5, -1.5, 1.5), XOR_TABLE: (-0.5, 1.5, -0.5, 1.5),
          "sine": (-1.5, 1.5, -1.5, 1.5), "abs": (-1.5, 1.5, -0.5, 1.5), "step": (-1.5, 1.5, -0.5, 1.5),
          "cubic": (-1.5, 1.5, -1.5, 1.5), "plane": (-1.5, 1.5, -1.5, 1.5), "gaussians": (-1.5, 1.5, -1.5, 1.5)}
CLASSES_RANGE = (2, 5)  # classes of points in a plane (each has its colour)
IMAGE_CLASSES_RANGE = (2, 10)  # classes of images: the digits 0-9
DIGITS = 1797  # images in scikit-learn's digits
DIGIT_SHAPE = (8, 8)  # their pixels (of 0-16, scaled to 0-1)
CUSTOM = "custom"  # a config's dataset when the points came from a CSV file or were drawn
XOR_MARGIN = 0.1  # XOR points keep this far from the axes so the classes never touch
SPIRAL_TURN = 4.0  # radians each spiral arm turns between its centre and its end (CS231n's)
BLOB_RADIUS = 1.0  # blob centres sit on a circle this size, so they never coincide
# The 1-D sets: x uniform over [-1, 1], the scale of the 2-D sets, so the same learning rates
# and initialisations suit them; noise adds N(0, (noise * TARGET_NOISE)^2) to each target.
ONE_D_INTERVAL = (-1.0, 1.0)
TARGET_NOISE = 0.5
SINE_FREQUENCY = 1.5 * np.pi  # sin(1.5 pi x): 1.5 periods over [-1, 1]
CUBIC_SCALE = 1.5 * np.sqrt(3)  # x^3 - x scaled so its two bends (at x = 1/sqrt(3), -1/sqrt(3)) reach -1, 1
# Playground's regression sets live in [-6, 6]^2; ours are the same scaled into [-1, 1]^2 (as
# our xor is its XOR scaled), targets unchanged.
PLAYGROUND_RADIUS = 6.0
GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))  # x, y, sign
GAUSSIAN_REACH = 2.0  # in Playground's units: a bump falls from +-1 at its centre to 0 this far out


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and integer labels ``0..classes-1``, already split; or, when ``task`` is
    ``"regression"``, points and float64 targets, and no classes.

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
    task: str = CLASSIFICATION

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"a dataset's task is {' or '.join(TASKS)}; got {self.task!r}")

    @property
    def regression(self) -> bool:
        """Whether the targets are numbers to fit rather than classes."""
        return self.task == REGRESSION

    @property
    def classes(self) -> int:
        """How many classes: the largest label plus one, or more if more classes are named; 0 for regression."""
        if self.regression:
            return 0
        found = int(max(self.y_train.max(initial=0), self.y_test.max(initial=0))) + 1
        return max(found, len(self.class_names))

    @property
    def columns(self) -> int:
        """How many numbers each point has: 2 for a point of the plane, the pixel count for an image."""
        return self.X_train.shape[1]

    @property
    def label_names(self) -> tuple[str, ...]:
        """A display name for every class, in label order (none for regression)."""
        if self.regression:
            return ()
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
        """``(x_min, x_max, y_min, y_max)`` of all points, widened by ``padding`` (the seed's 0.5).
        Points of one coordinate are drawn against their targets: y is the targets' extent."""
        X, y = self.merged()
        if X.shape[1] == 1:
            X = np.column_stack([X[:, 0], y])
        lo, hi = X[:, :2].min(axis=0) - padding, X[:, :2].max(axis=0) + padding
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def without_points(name: str, classes: int = 2) -> Dataset:
    """A stand-in for a built-in dataset whose points are not made yet: no points, its features
    (two, one for the 1-D sets, the digits' 64 pixels), its task, and its usual extent as
    :meth:`Dataset.bounds`."""
    columns = DIGIT_SHAPE[0] * DIGIT_SHAPE[1] if name in IMAGE_DATASETS else 1 if name in ONE_D_DATASETS else 2
    empty = np.empty((0, columns))
    if name in REGRESSION_DATASETS:
        return _Unmade(name, empty, np.empty(0), empty, np.empty(0), task=REGRESSION)
    classes = classes if name in MULTICLASS else 2
    return _Unmade(name, empty, np.empty(0, dtype=np.int64), empty, np.empty(0, dtype=np.int64),
                   tuple(str(k) for k in range(classes)), image_shape=DIGIT_SHAPE if name in IMAGE_DATASETS else None)


@dataclass(frozen=True, eq=False)
class _Unmade(Dataset):
    def bounds(self, padding: float = 0.5) -> tuple[float, float, float, float]:
        return EXTENT.get(self.name, (-2.0, 2.0, -2.0, 2.0))


def generate_points(
    name: str, samples: int, noise: float, rng: np.random.Generator, classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """All points of a built-in dataset, before any split: ``(X, y)`` with integer labels, or
    float targets for the :data:`REGRESSION_DATASETS`.

    ``classes`` is used by the :data:`MULTICLASS` sets only; the others have two or none.
    :data:`XOR_TABLE` is its four rows whatever ``samples`` and ``noise`` say. The 1-D sets
    take x uniform over [-1, 1] and the target sin(1.5 pi x), |x|, 1 for x >= 0 else 0, or
    1.5 sqrt(3) (x^3 - x), plus Gaussian noise of standard deviation ``noise * 0.5``. Plane
    and gaussians are Playground's, scaled from [-6, 6]^2 into [-1, 1]^2: their noise reads
    the target at the point moved by up to ``noise`` in each coordinate, as Playground's does.
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
    if name == XOR_TABLE:
        return np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1, 0])
    if name in ONE_D_DATASETS:
        return _curve(name, samples, noise, rng)
    if name in REGRESSION_DATASETS:
        return _playground(name, samples, noise, rng)
    # scikit-learn takes over a second to import: only pay for it when a dataset is made.
    from sklearn import datasets as sk

    state = int(rng.integers(2**31 - 1))
    if name == "moons":
        return sk.make_moons(samples, noise=noise, random_state=state)
    if name == "circles":
        return sk.make_circles(samples, noise=noise, factor=0.5, random_state=state)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def dataset_task(dataset: str) -> str:
    """A built-in dataset's task: "regression" for the :data:`REGRESSION_DATASETS`, else "classification"."""
    return REGRESSION if dataset in REGRESSION_DATASETS else CLASSIFICATION


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


def _curve(name: str, samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # x uniform over ONE_D_INTERVAL; the noise is drawn at every level (times 0 at noise 0) so
    # that a seed gives the same x whatever the noise.
    x = rng.uniform(*ONE_D_INTERVAL, size=samples)
    clean = {"sine": lambda: np.sin(SINE_FREQUENCY * x), "abs": lambda: np.abs(x),
             "step": lambda: (x >= 0).astype(np.float64), "cubic": lambda: CUBIC_SCALE * (x**3 - x)}[name]()
    return x[:, None], clean + noise * TARGET_NOISE * rng.standard_normal(samples)


def _playground(name: str, samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Playground's regressPlane and regressGaussian: points uniform in the square; noise moves
    # where the target is read (not the point) by up to noise times the square's half-width.
    X = rng.uniform(-1.0, 1.0, size=(samples, 2))
    at = (X + noise * rng.uniform(-1.0, 1.0, size=(samples, 2))) * PLAYGROUND_RADIUS  # in Playground's units
    if name == "plane":
        return X, (at[:, 0] + at[:, 1]) / 10  # its scale maps x + y in [-10, 10] to [-1, 1]
    centres = np.array([g[:2] for g in GAUSSIANS], dtype=np.float64)
    signs = np.array([g[2] for g in GAUSSIANS], dtype=np.float64)
    distance = np.hypot(at[:, None, 0] - centres[:, 0], at[:, None, 1] - centres[:, 1])
    bumps = signs * np.clip(1 - distance / GAUSSIAN_REACH, 0.0, 1.0)
    # The bump largest in size wins; the first on a tie (Playground keeps the first it finds).
    return X, bumps[np.arange(samples), np.abs(bumps).argmax(axis=1)]


def split(name: str, X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator,
          task: str = CLASSIFICATION) -> Dataset:
    """Hold out ``round(test_fraction * len(X))`` points chosen by ``rng`` for testing, but
    always keep at least one point to train on.

    Both parts keep the original order of the points (so a split of 0 changes nothing). ``y``
    becomes int64 labels for classification, float64 targets for regression.
    """
    order = rng.permutation(len(X))
    # The cap only matters below 10 points (a small CSV file): the built-in sets never reach it.
    n_test = min(round(test_fraction * len(X)), max(len(X) - 1, 0))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    y = np.asarray(y, dtype=np.float64 if task == REGRESSION else np.int64)
    return Dataset(name, X[train], y[train], X[test], y[test], task=task)


def _rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The generators for a seed's points and for its split."""
    points, split_ = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(points), np.random.default_rng(split_)


def make_dataset(
    name: str, samples: int, noise: float, test_fraction: float, seed: int, classes: int = 2
) -> Dataset:
    """A built-in dataset; the same arguments always give the same points and split.
    :data:`XOR_TABLE` is never split: its four rows are all training points."""
    points_rng, split_rng = _rngs(seed)
    X, y = generate_points(name, samples, noise, points_rng, classes)
    test_fraction = 0.0 if name == XOR_TABLE else test_fraction
    data = split(name, np.asarray(X, dtype=np.float64), y, test_fraction, split_rng, dataset_task(name))
    if name == "digits":  # every digit asked for is a class, even one a small subset lacks
        return replace(data, image_shape=DIGIT_SHAPE, class_names=tuple(str(k) for k in range(classes)))
    return data


def resplit(data: Dataset, test_fraction: float, seed: int) -> Dataset:
    """All points of ``data`` split afresh, as :func:`make_dataset` splits for ``seed``;
    the name, display names and task are kept."""
    X, y = data.merged()
    fresh = split(data.name, np.asarray(X), y, test_fraction, _rngs(seed)[1], data.task)  # float32 images stay float32
    return replace(fresh, class_names=data.class_names, feature_names=data.feature_names, image_shape=data.image_shape)
