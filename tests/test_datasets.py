"""Built-in datasets: shapes, labels, determinism and bounds; settings validation."""

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig, tutorial_config
from nnviz.core.data.datasets import (
    CLASSES_RANGE,
    CUSTOM,
    DATASETS,
    IMAGE_DATASETS,
    REGRESSION_DATASETS,
    SPIRAL_TURN,
    XOR_MARGIN,
    XOR_TABLE,
    Dataset,
    generate_points,
    make_dataset,
    resplit,
)
from nnviz.core.training.experiment import build_dataset, build_trainer

# The sets of 2-D points to classify (the digits have tests of their own, in test_digits.py; the
# truth table and the regression sets, in test_regression_data.py).
MULTICLASS = ("spiral", "blobs")
OTHERS = (*MULTICLASS, *IMAGE_DATASETS, XOR_TABLE, *REGRESSION_DATASETS)
TWO_CLASS = tuple(name for name in DATASETS if name not in OTHERS)
KS = range(CLASSES_RANGE[0], CLASSES_RANGE[1] + 1)
# (dataset, classes asked for, classes expected): the two-class sets ignore the setting.
CASES = [(name, 4, 2) for name in TWO_CLASS] + [(name, k, k) for name in MULTICLASS for k in KS]


@pytest.mark.parametrize("name,asked,expected", CASES)
def test_shapes_and_labels(name, asked, expected):
    """Train and test parts add up to the sample count; labels are 0..K-1, all present."""
    data = make_dataset(name, 150, 0.2, 0.3, seed=4, classes=asked)
    assert data.X_train.shape == (105, 2) and data.X_test.shape == (45, 2)
    assert data.y_train.shape == (105,) and data.y_test.shape == (45,)
    labels = np.concatenate([data.y_train, data.y_test])
    assert set(labels.tolist()) == set(range(expected))
    assert data.classes == expected


@pytest.mark.parametrize("name,asked,expected", CASES)
def test_same_seed_same_data_other_seed_other_data(name, asked, expected):
    """A seed fixes points and split; another seed changes them."""
    a = make_dataset(name, 100, 0.1, 0.2, seed=1, classes=asked)
    b = make_dataset(name, 100, 0.1, 0.2, seed=1, classes=asked)
    c = make_dataset(name, 100, 0.1, 0.2, seed=2, classes=asked)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("fraction,expected_test", [(0.0, 0), (0.5, 50), (0.9, 90)])
def test_test_fraction(fraction, expected_test):
    """The test set holds round(fraction * samples) points."""
    data = make_dataset("moons", 100, 0.2, fraction, seed=0)
    assert len(data.y_test) == expected_test
    assert len(data.y_train) == 100 - expected_test


def test_xor_classes_do_not_touch_without_noise():
    """At zero noise, XOR labels are the sign rule and every point keeps off the axes."""
    X, y = generate_points("xor", 2000, 0.0, np.random.default_rng(0))
    assert np.all(np.abs(X) >= XOR_MARGIN)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(int))


def test_circles_use_factor_one_half():
    """Noise-free circles have radii 1 (class 0) and 0.5 (class 1)."""
    X, y = generate_points("circles", 200, 0.0, np.random.default_rng(0))
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)


def test_noise_moves_points():
    """Noise 0 gives the clean shape; noise 1 moves points far from it."""
    clean, _ = generate_points("moons", 200, 0.0, np.random.default_rng(3))
    noisy, _ = generate_points("moons", 200, 1.0, np.random.default_rng(3))
    assert np.abs(noisy - clean).mean() > 0.5


@pytest.mark.parametrize(
    "setting,value",
    [
        ("samples", 9), ("samples", 5001), ("noise", -0.01), ("noise", 1.01), ("noise", float("nan")),
        ("test_fraction", -0.1), ("test_fraction", 0.91), ("seed", -1), ("dataset", "nope"),
        ("classes", 1), ("classes", 11), ("classes", 2.5), ("classes", True),
        ("hidden", 0), ("hidden", (501,)), ("hidden", (8,) * 7), ("hidden", (8, 0)), ("hidden", "8x8"),
        ("activation", ("relu", "tanh")), ("activation", ("nope",)), ("activation", (None,)), ("activation", {"a": 1}), ("lr", 0.0), ("lr", -1.0), ("lr", float("inf")),
        ("l2", -1e-3), ("momentum", 1.0), ("activation", "softsign"), ("output", "tanh"), ("loss", "hinge"), ("dtype", "float16"), ("batch_size", 0),
    ],
)
def test_out_of_range_settings_are_rejected(setting, value):
    """Every bound is enforced with a message naming the setting."""
    with pytest.raises(ConfigError, match=setting.replace("_", "-")):
        TrainingConfig().replace(**{setting: value}).validated()


@pytest.mark.parametrize(
    "setting,value",
    [("samples", 10), ("samples", 5000), ("noise", 0.0), ("noise", 1.0), ("test_fraction", 0.9),
     ("hidden", (1,)), ("hidden", (500,)), ("hidden", ()), ("hidden", (500,) * 6), ("momentum", 0.99), ("classes", 2), ("classes", 5), ("dataset", CUSTOM),
     ("dataset", "spiral"), ("dataset", "blobs")],
)
def test_values_at_the_bounds_are_accepted(setting, value):
    """The ends of each range are allowed, and kept as given."""
    assert getattr(TrainingConfig().replace(**{setting: value}).validated(), setting) == value


@pytest.mark.parametrize("name", TWO_CLASS)
def test_two_class_sets_ignore_classes(name):
    """Moons, circles and XOR make the same points whatever ``classes`` says."""
    X2, y2 = generate_points(name, 90, 0.2, np.random.default_rng(5), classes=2)
    X5, y5 = generate_points(name, 90, 0.2, np.random.default_rng(5), classes=5)
    np.testing.assert_array_equal(X2, X5)
    np.testing.assert_array_equal(y2, y5)


@pytest.mark.parametrize("name", MULTICLASS)
@pytest.mark.parametrize("classes", KS)
@pytest.mark.parametrize("samples", [10, 101, 203])
def test_classes_are_balanced(name, classes, samples):
    """Every class gets samples // K points, or one more when K does not divide the count."""
    _, y = generate_points(name, samples, 0.2, np.random.default_rng(0), classes)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == samples
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", MULTICLASS)
@pytest.mark.parametrize("classes", [1, 6])
def test_multiclass_sets_refuse_a_class_count_out_of_range(name, classes):
    """Asking spiral or blobs for 1 or 6 classes is an error, not a silently different set."""
    with pytest.raises(ValueError, match="classes"):
        generate_points(name, 100, 0.2, np.random.default_rng(0), classes)


@pytest.mark.parametrize("classes", KS)
def test_spiral_arms_follow_the_cs231n_formula(classes):
    """At noise 0, class k lies on the arm angle = k*2pi/K + 4 rad * radius, radius spread from 0 to 1."""
    X, y = generate_points("spiral", 200, 0.0, np.random.default_rng(2), classes)
    radius = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin(angle), y = r cos(angle)
    expected = y * 2 * np.pi / classes + SPIRAL_TURN * radius
    off = np.angle(np.exp(1j * (angle - expected)))  # the difference, wrapped into (-pi, pi]
    np.testing.assert_allclose(off[radius > 1e-9], 0.0, atol=1e-9)
    for k in range(classes):
        assert radius[y == k].min() < 1e-9 and radius[y == k].max() == pytest.approx(1.0)


@pytest.mark.parametrize("classes", KS)
def test_blob_centres_are_evenly_spaced_on_a_circle(classes):
    """Class means sit at distance 1 from the origin, neighbours 2 sin(pi/K) apart, whatever the seed."""
    for seed in (0, 1):
        X, y = generate_points("blobs", 2000, 0.0, np.random.default_rng(seed), classes)
        means = np.array([X[y == k].mean(axis=0) for k in range(classes)])
        np.testing.assert_allclose(np.hypot(means[:, 0], means[:, 1]), 1.0, atol=0.02)
        gaps = np.hypot(*(means - np.roll(means, 1, axis=0)).T)
        np.testing.assert_allclose(gaps, 2 * np.sin(np.pi / classes), atol=0.03)


def test_blobs_spread_grows_with_noise():
    """A blob's spread around its centre is wider at noise 1 than at noise 0."""
    def spread(noise):
        X, y = generate_points("blobs", 600, noise, np.random.default_rng(4), 3)
        return np.mean([X[y == k].std(axis=0).mean() for k in range(3)])

    assert spread(1.0) > 3 * spread(0.0)


@pytest.mark.parametrize("name", MULTICLASS)
def test_multiclass_sets_span_about_the_moons_range(name):
    """At the default noise every point lies within [-2, 2] and the set spans at least [-0.8, 0.8],
    so the default learning rate suits it as it suits moons."""
    X, _ = generate_points(name, 500, 0.2, np.random.default_rng(0), 5)
    assert np.abs(X).max() < 2.0
    assert (X.min(axis=0) < -0.8).all() and (X.max(axis=0) > 0.8).all()


def test_a_four_class_spiral_is_learnt():
    """20 tanh units at the default settings fit a 4-class spiral (train accuracy > 90%) in 3000 steps."""
    config = TrainingConfig(dataset="spiral", classes=4, hidden=20)
    trainer = build_trainer(config)
    assert trainer.network.layer_sizes == (2, 20, 4)
    trainer.step(3000)
    assert trainer.history.last().train_accuracy > 0.9


def test_build_dataset_passes_classes():
    """A config's classes reach the multi-class sets."""
    assert build_dataset(TrainingConfig(dataset="blobs", classes=5)).classes == 5
    assert build_dataset(TrainingConfig(dataset="spiral", classes=2)).classes == 2


def test_the_tutorial_preset_on_a_spiral_makes_a_spiral():
    """The tutorial's own data recipe is for moons and circles only; other sets stay themselves."""
    data = build_dataset(tutorial_config("spiral"))
    assert data.name == "spiral" and data.classes == 3


def test_custom_data_cannot_be_rebuilt_from_settings():
    """A custom config validates, but its points live in a file: build_dataset says so."""
    config = TrainingConfig(dataset=CUSTOM).validated()
    with pytest.raises(ConfigError, match="custom data comes from a CSV file or the draw mode"):
        build_dataset(config)


def test_settings_round_trip_and_old_settings_load():
    """as_dict/from_dict keep classes; settings saved before it existed get the default."""
    config = TrainingConfig(dataset="blobs", classes=4)
    assert TrainingConfig.from_dict(config.as_dict()) == config
    old = {k: v for k, v in config.as_dict().items() if k != "classes"}
    assert TrainingConfig.from_dict(old).classes == TrainingConfig().classes == 3


def _named(**changes) -> Dataset:
    X = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 9.0]])
    data = Dataset("points", X[:2], np.array([0, 2]), X[2:], np.array([1]), ("ant", "bee", "cat"), ("w", "h", "d"))
    return replace(data, **changes)


def test_dataset_names_means_and_merged_points():
    """Display names come from the data, or default to 0, 1, ... and x1, x2, ...; means cover all points."""
    data = _named()
    assert data.label_names == ("ant", "bee", "cat") and data.axis_names == ("w", "h", "d")
    plain = _named(class_names=(), feature_names=())
    assert plain.label_names == ("0", "1", "2") and plain.axis_names == ("x1", "x2", "x3")
    np.testing.assert_array_equal(data.feature_means, [2.0, 3.0, 5.0])
    assert data.feature_means.dtype == np.float64
    X, y = data.merged()
    np.testing.assert_array_equal(X, [[0, 1, 2], [2, 3, 4], [4, 5, 9]])
    np.testing.assert_array_equal(y, [0, 2, 1])
    assert data.bounds(padding=0) == (0.0, 4.0, 1.0, 5.0)


def test_named_classes_count_even_without_points():
    """A class that is named but has no points yet still counts (the network needs its output)."""
    data = _named(y_train=np.array([0, 0]), y_test=np.array([1]))
    assert data.classes == 3 and data.label_names == ("ant", "bee", "cat")
    assert _named(y_train=np.array([0, 0]), y_test=np.array([1]), class_names=()).classes == 2


def test_resplit_keeps_every_point_and_name():
    """Resplitting moves points between the parts but loses, adds and renames none."""
    data = _named()
    fresh = resplit(data, 0.0, seed=3)
    assert (fresh.name, fresh.class_names, fresh.feature_names) == (data.name, data.class_names, data.feature_names)
    np.testing.assert_array_equal(fresh.X_train, data.merged()[0])
    np.testing.assert_array_equal(fresh.y_train, data.merged()[1])
    assert fresh.X_test.shape == (0, 3)


@pytest.mark.parametrize("fraction,expected_test", [(0.0, 0), (0.3, 30), (0.9, 90)])
def test_resplit_follows_the_test_fraction_and_seed(fraction, expected_test):
    """resplit splits like make_dataset: the same seed and fraction give the same two parts."""
    whole = make_dataset("blobs", 100, 0.2, 0.0, seed=6, classes=4)
    fresh = resplit(whole, fraction, seed=6)
    made = make_dataset("blobs", 100, 0.2, fraction, seed=6, classes=4)
    assert len(fresh.y_test) == expected_test
    for part in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(fresh, part), getattr(made, part))
    assert not np.array_equal(resplit(whole, 0.3, seed=7).y_test, resplit(whole, 0.3, seed=6).y_test)


def test_resplit_always_leaves_a_point_to_train_on():
    """Two points at test fraction 0.9 would all be held out; one stays for training."""
    data = _named(X_train=np.zeros((2, 3)), y_train=np.array([0, 1]), X_test=np.zeros((0, 3)),
                  y_test=np.zeros(0, int))
    fresh = resplit(data, 0.9, seed=0)
    assert len(fresh.y_train) == 1 and len(fresh.y_test) == 1
