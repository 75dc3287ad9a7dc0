"""The pieces of a regression network's picture (nnviz.core.analysis.regression): its curve, each
last hidden unit's contribution, the residuals and the scores."""

import numpy as np
import pytest

from nnviz.core.analysis.contour import (
    boundary_segments,
    contour_levels,
    contour_segments,
    value_contours,
)
from nnviz.core.analysis.grid import DecisionGrid, grid_points
from nnviz.core.analysis.regression import (
    contributions,
    extended_range,
    fit_curve,
    mse_from_r_squared,
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


def test_mse_from_r_squared_is_the_mse():
    """(1 - R²) times the targets' variance is the mean squared error that R² came from."""
    network = _network((1, 4, 1))
    X = np.linspace(-1, 1, 11)[:, None]
    y = X[:, 0] ** 2
    mse, _, r2 = regression_scores(network, X, y)
    assert mse_from_r_squared(r2, y) == pytest.approx(mse, rel=1e-10)
    assert np.isnan(mse_from_r_squared(float("nan"), y)) and np.isnan(mse_from_r_squared(0.5, np.empty(0)))


def test_contour_levels_are_round_and_inside_the_range():
    """About `count` levels a step of 1, 2 or 5 times a power of ten apart, 0 among them, none at the ends."""
    np.testing.assert_allclose(contour_levels(-1.0, 1.0, 8), np.arange(-4, 5) * 0.2)
    levels = contour_levels(0.2, 3.1, 6)
    np.testing.assert_allclose(levels, [0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    assert not len(contour_levels(1.0, 1.0))


def test_value_contours_are_each_levels_iso_lines():
    """The segments of several levels are those of each level, together."""
    values = np.add.outer(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
    bounds = (0.0, 1.0, 0.0, 1.0)
    levels = np.array([-0.5, 0.5])
    expected = np.concatenate([contour_segments(values, level, bounds) for level in levels])
    np.testing.assert_array_equal(value_contours(values, levels, bounds), expected)
    assert value_contours(values, np.empty(0), bounds).shape == (0, 2)


def test_a_grid_gives_a_single_sigmoid_units_two_class_scores_and_keeps_the_head():
    """A float64 network of one sigmoid output is evaluated in float32 with its own head: the
    raw outputs are p, the probabilities (1 - p, p), as predict_proba gives them."""
    network = _network((2, 5, 1), output="sigmoid")
    network = MLP.from_flat(network.flat, network.layer_sizes, network.activations, None, "sigmoid", "cross-entropy")
    grid = DecisionGrid((-1.0, 1.0, -1.0, 1.0), 12)
    points = grid_points(grid.bounds, 12, np.float64)
    outputs = grid.outputs(network).copy()
    np.testing.assert_allclose(outputs.reshape(-1, 1), network.outputs(points), rtol=1e-5, atol=1e-6)
    assert outputs.min() >= 0 and outputs.max() <= 1  # squashed: the head survived the float32 copy
    np.testing.assert_allclose(grid.probabilities(network).reshape(-1, 2), network.predict_proba(points),
                               rtol=1e-5, atol=1e-6)


def test_the_boundary_of_scores_that_are_not_probabilities_is_where_they_are_equal():
    """Two identity scores: the boundary is where s1 = s0, not where s1 = 0.5."""
    x = np.linspace(0, 1, 9)
    s1 = np.tile(x, (9, 1))  # rises with x
    s0 = np.full_like(s1, 0.25)
    scores = np.stack([s0, s1], axis=-1)
    bounds = (0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(boundary_segments(scores, bounds, probabilities=False),
                               contour_segments(s1, 0.25, bounds))
