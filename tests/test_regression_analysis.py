"""The pieces of a regression network's picture (nnviz.core.analysis.regression): its curve, each
last hidden unit's contribution, the residuals and the scores."""

import numpy as np
import pytest

from nnviz.core.analysis.regression import (
    contributions,
    extended_range,
    fit_curve,
    regression_scores,
    residuals,
)
from nnviz.core.data.datasets import make_dataset
from nnviz.core.model.network import MLP


def _network(sizes, dtype=np.float64, activation="tanh", output="identity", seed=3):
    rng = np.random.default_rng(seed)
    network = MLP.initialise(sizes, activation, rng, dtype, output=output, loss="squared-error")
    network.flat[...] = rng.normal(size=network.flat.shape)  # non-zero biases too
    return network


def _by_hand(network, xs):
    """The forward pass written out, independent of the engine."""
    a = np.asarray(xs, dtype=np.float64).reshape(-1, 1)
    for w, b in zip(network.weights[:-1], network.biases[:-1]):
        a = np.tanh(a @ w.astype(np.float64) + b)
    return a @ network.weights[-1].astype(np.float64) + network.biases[-1]


def test_fit_curve_is_the_network_over_the_range():
    """fit_curve gives count evenly spaced x over the range and the network's output at each."""
    network = _network((1, 5, 1))
    xs, ys = fit_curve(network, (-2.0, 3.0), count=50)
    assert xs.shape == ys.shape == (50,)
    assert xs[0] == -2.0 and xs[-1] == 3.0
    np.testing.assert_allclose(np.diff(xs), 5.0 / 49)
    np.testing.assert_allclose(ys, _by_hand(network, xs)[:, 0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("sizes", [(1, 7, 1), (1, 4, 6, 1)])
def test_contributions_and_bias_sum_to_the_fit(sizes, dtype, tolerance):
    """For an identity output, the last hidden units' contributions plus the output bias are the
    network's value at every x, in float64 and float32 alike."""
    network = _network(sizes, dtype)
    xs, ys = fit_curve(network, (-1.5, 1.5), count=200)
    parts, bias = contributions(network, xs)
    assert parts.shape == (200, sizes[-2])
    np.testing.assert_allclose(parts.astype(np.float64).sum(axis=1) + bias, ys, atol=tolerance * 10, rtol=tolerance)


def test_each_contribution_is_the_units_output_times_its_weight():
    """Contribution k is hidden unit k's output times its weight to the output unit."""
    network = _network((1, 3, 1))
    xs = np.array([-1.0, 0.0, 0.5])
    parts, bias = contributions(network, xs)
    hidden = np.tanh(xs[:, None] @ network.weights[0] + network.biases[0])
    np.testing.assert_allclose(parts, hidden * network.weights[1][:, 0], rtol=1e-12)
    assert bias == network.biases[1][0]


def test_contributions_without_a_hidden_layer_are_the_inputs_terms():
    """A network with no hidden layer (linear regression) has one contribution, x times its weight."""
    network = _network((1, 1))
    xs = np.linspace(-1, 1, 5)
    parts, bias = contributions(network, xs)
    np.testing.assert_allclose(parts[:, 0], xs * network.weights[0][0, 0], rtol=1e-12)
    np.testing.assert_allclose(parts[:, 0] + bias, fit_curve(network, (-1, 1), 5)[1], rtol=1e-12)


def test_contributions_of_a_sigmoid_output_sum_to_its_weighted_sum():
    """For a sigmoid output, the contributions plus the bias are the value before the squashing."""
    network = _network((1, 4, 1), output="sigmoid")
    xs, ys = fit_curve(network, (-1, 1), 30)
    parts, bias = contributions(network, xs)
    np.testing.assert_allclose(1 / (1 + np.exp(-(parts.sum(axis=1) + bias))), ys, rtol=1e-12)


def test_extended_range_widens_the_data_by_half_its_span_each_side():
    """The x range of all the points (training and test), widened by `widen` of its span on each side."""
    data = make_dataset("sine", 200, 0.1, 0.3, seed=1)
    X = data.merged()[0][:, 0]
    lo, hi = extended_range(data)
    span = X.max() - X.min()
    assert lo == pytest.approx(X.min() - 0.5 * span)
    assert hi == pytest.approx(X.max() + 0.5 * span)
    assert extended_range(np.array([[2.0], [4.0]]), widen=0.25) == (1.5, 4.5)


def test_extended_range_of_one_x_is_not_empty():
    """Points all at one x still give a range to draw over."""
    lo, hi = extended_range(np.array([[1.0], [1.0]]))
    assert lo < 1.0 < hi


def test_residuals_are_target_minus_prediction():
    """Residuals are each point's target minus the network's value there."""
    network = _network((1, 5, 1))
    X = np.array([[-0.5], [0.1], [0.9]])
    y = np.array([1.0, -2.0, 0.25])
    np.testing.assert_allclose(residuals(network, X, y), y - _by_hand(network, X)[:, 0], rtol=1e-12)


def test_regression_scores_are_mse_rmse_and_r2():
    """MSE is the mean squared (prediction - target), RMSE its root, R² = 1 - SS_res / SS_tot."""
    network = _network((1, 5, 1))
    X = np.linspace(-1, 1, 9)[:, None]
    y = np.sin(3 * X[:, 0])
    predicted = _by_hand(network, X)[:, 0]
    mse, rmse, r2 = regression_scores(network, X, y)
    assert mse == pytest.approx(np.mean((predicted - y) ** 2), rel=1e-12)
    assert rmse == pytest.approx(np.sqrt(mse), rel=1e-12)
    assert r2 == pytest.approx(1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2), rel=1e-12)


def test_regression_scores_of_no_points_are_nan():
    """No points (no test set): the scores are NaN, not an error."""
    assert all(np.isnan(regression_scores(_network((1, 2, 1)), np.empty((0, 1)), np.empty(0))))
