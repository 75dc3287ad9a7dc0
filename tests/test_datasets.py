"""Built-in datasets: shapes, labels, determinism and bounds."""

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.datasets import DATASETS, XOR_MARGIN, generate_points, make_dataset


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_and_labels(name):
    """Train and test parts add up to the sample count; labels are 0 and 1, both present."""
    data = make_dataset(name, 150, 0.2, 0.3, seed=4)
    assert data.X_train.shape == (105, 2) and data.X_test.shape == (45, 2)
    assert data.y_train.shape == (105,) and data.y_test.shape == (45,)
    labels = np.concatenate([data.y_train, data.y_test])
    assert set(labels.tolist()) == {0, 1}
    assert data.classes == 2


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_data_other_seed_other_data(name):
    """A seed fixes points and split; another seed changes them."""
    a = make_dataset(name, 100, 0.1, 0.2, seed=1)
    b = make_dataset(name, 100, 0.1, 0.2, seed=1)
    c = make_dataset(name, 100, 0.1, 0.2, seed=2)
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
        ("test_fraction", -0.1), ("test_fraction", 0.91), ("seed", -1), ("dataset", "spiral"),
        ("hidden", 0), ("hidden", 201), ("lr", 0.0), ("lr", -1.0), ("lr", float("inf")),
        ("l2", -1e-3), ("momentum", 1.0), ("activation", "softplus"), ("dtype", "float16"), ("batch_size", 0),
    ],
)
def test_out_of_range_settings_are_rejected(setting, value):
    """Every bound is enforced with a message naming the setting."""
    with pytest.raises(ConfigError, match=setting.replace("_", "-")):
        TrainingConfig().replace(**{setting: value}).validated()


@pytest.mark.parametrize(
    "setting,value",
    [("samples", 10), ("samples", 5000), ("noise", 0.0), ("noise", 1.0), ("test_fraction", 0.9),
     ("hidden", 1), ("hidden", 200), ("momentum", 0.99)],
)
def test_values_at_the_bounds_are_accepted(setting, value):
    """The ends of each range are allowed."""
    TrainingConfig().replace(**{setting: value}).validated()
