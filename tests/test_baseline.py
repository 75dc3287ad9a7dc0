"""The linear baseline: logistic regression on the same points."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nnviz.core.analysis.baseline import fit_linear_baseline
from nnviz.core.data.datasets import Dataset, make_dataset


@pytest.mark.parametrize("name,classes", [("moons", 2), ("blobs", 3), ("spiral", 5)])
def test_probabilities_are_scikit_learns(name, classes):
    """The baseline gives the probabilities of scikit-learn's logistic regression, class by class."""
    data = make_dataset(name, 150, 0.2, 0.2, seed=3, classes=classes)
    baseline = fit_linear_baseline(data)
    reference = LogisticRegression(max_iter=1000).fit(data.X_train, data.y_train)
    X = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    np.testing.assert_allclose(baseline.probabilities(X), reference.predict_proba(X), atol=1e-9)
    assert baseline.train_accuracy == pytest.approx(reference.score(data.X_train, data.y_train))
    assert baseline.test_accuracy == pytest.approx(reference.score(data.X_test, data.y_test))


def test_a_line_cannot_separate_moons_but_separates_blobs():
    """The point of the baseline: it falls short on moons and is perfect on well-apart blobs."""
    assert fit_linear_baseline(make_dataset("moons", 400, 0.1, 0, seed=0)).train_accuracy < 0.9
    assert fit_linear_baseline(make_dataset("blobs", 300, 0.0, 0, seed=0, classes=3)).train_accuracy == 1.0


def test_a_class_without_training_points_is_never_predicted():
    """Class 2 is named but has no training point: its probability is zero everywhere."""
    X = np.array([[0.0, 0], [0.1, 0.2], [2, 2], [2.1, 1.9]])
    data = Dataset("mine", X, np.array([0, 0, 1, 1]), np.empty((0, 2)), np.empty(0, dtype=np.int64),
                   class_names=("a", "b", "c"))
    baseline = fit_linear_baseline(data)
    probs = baseline.probabilities(X)
    assert probs.shape == (4, 3)
    np.testing.assert_array_equal(probs[:, 2], 0.0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.isnan(baseline.test_accuracy)


def test_no_baseline_without_two_training_classes():
    """One class among the training points: there is no line to draw, so no baseline."""
    X = np.array([[0.0, 0], [1, 1], [2, 2]])
    data = Dataset("one", X, np.zeros(3, dtype=np.int64), np.array([[3.0, 3]]), np.array([1]))
    assert fit_linear_baseline(data) is None
