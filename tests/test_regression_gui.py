"""The Train tab for regression: the curve of a network of one input with its units'
contributions and residuals, the value map of one of two inputs, and the figures (MSE, RMSE,
R²); and what regression changed for classifiers with sigmoid or identity outputs."""

import numpy as np
import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import QPointF

from nnviz.core.analysis.contour import boundary_segments
from nnviz.core.analysis.grid import grid_points
from nnviz.core.analysis.regression import (
    contributions,
    extended_range,
    fit_curve,
    regression_scores,
)
from nnviz.core.config import TrainingConfig
from nnviz.core.training.experiment import build_trainer
from nnviz.gui.colors import VALUE_STOPS, rgb, value_colors, value_lut, value_range
from nnviz.gui.compare.tile_plot import TilePlot
from nnviz.gui.train.plots import CURVE, VALUES, BoundaryPlot, class_map, map_scores
from nnviz.gui.train.regression_plot import CONTRIBUTION_LIMIT


def _stepped(qtbot, window, steps: int) -> WindowPage:
    """Train ``steps`` steps, bring the trainer home and draw what it reached."""
    page = WindowPage(window)
    page.step(steps)
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step >= steps, timeout=20000)
    page.settle(qtbot)
    page.draw_now()
    return page


@pytest.fixture
def sine(make_window):
    return make_window(TrainingConfig(dataset="sine", hidden=6, samples=80, optimizer="adam", lr=0.02))


@pytest.fixture
def plane(make_window):
    return make_window(TrainingConfig(dataset="gaussians", hidden=(6, 6), samples=120, optimizer="adam", lr=0.02))


def test_one_input_shows_the_points_and_the_networks_curve_beyond_them(qtbot, sine):
    """For data of one coordinate the plot shows the points as (x, target), and the curve is the
    shown network's function over a range wider than the data (the data's extended range at least)."""
    page = _stepped(qtbot, sine, 40)
    plot = sine.view.boundary
    assert plot.mode == CURVE
    data = page.dataset
    shown_x, shown_y = plot.train_points.getData()
    np.testing.assert_array_equal(shown_x, data.X_train[:, 0])
    np.testing.assert_array_equal(shown_y, data.y_train)
    xs, ys = plot.curves.fit.getData()
    lo, hi = extended_range(data)
    assert xs[0] <= lo < data.X_train.min() and xs[-1] >= hi > data.X_train.max()
    expected_x, expected_y = fit_curve(page.shown.network, (xs[0], xs[-1]), len(xs))
    np.testing.assert_allclose(xs, expected_x)
    np.testing.assert_allclose(ys, expected_y, rtol=1e-6, atol=1e-6)
    assert plot.getAxis("bottom").labelText == "x" and plot.getAxis("left").labelText == "target"
    assert sine.view.contributions_box.isVisible() and not sine.view.baseline_box.isVisible()


def test_the_contributions_sum_with_the_bias_to_the_curve_and_toggle(qtbot, sine):
    """A small layer's contributions are shown by default: one thin curve per last hidden unit,
    adding up with the output bias to the network's curve; the toggle hides them."""
    page = _stepped(qtbot, sine, 20)
    view, curves = sine.view, sine.view.boundary.curves
    assert view.contributions_box.isChecked() and curves.parts.isVisible()
    xs, ys = curves.fit.getData()
    px, py = curves.parts.getData()
    units = page.shown.network.layer_sizes[-2]
    assert len(px) == units * (len(xs) + 1)  # each unit's curve and a NaN after it
    parts = py.reshape(units, len(xs) + 1)[:, :-1]
    bias = float(page.shown.network.biases[-1][0])
    np.testing.assert_allclose(parts.sum(axis=0) + bias, ys, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(parts.T, contributions(page.shown.network, xs)[0], rtol=1e-6, atol=1e-7)
    view.contributions_box.setChecked(False)
    page.draw_now()
    assert not curves.parts.isVisible()


def test_a_wide_layer_starts_without_contributions(qtbot, make_window):
    """Above the limit the contributions would be a tangle: the box starts unchecked."""
    window = make_window(TrainingConfig(dataset="sine", hidden=CONTRIBUTION_LIMIT + 10, samples=60))
    WindowPage(window).draw_now()
    assert not window.view.contributions_box.isChecked()
    assert not window.view.boundary.curves.parts.isVisible()


def test_residuals_join_each_point_to_the_curve_on_demand(qtbot, sine):
    """Residuals are off until asked for; then a segment joins each point (training and test)
    to the network's value at its x."""
    page = _stepped(qtbot, sine, 20)
    curves = sine.view.boundary.curves
    assert not sine.view.residuals_box.isChecked() and not curves.residuals.isVisible()
    sine.view.residuals_box.setChecked(True)
    page.draw_now()
    assert curves.residuals.isVisible()
    x, y = curves.residuals.getData()
    X, targets = page.dataset.merged()
    predicted = page.shown.network.outputs(X)[:, 0]
    np.testing.assert_array_equal(x, np.repeat(X[:, 0], 2))
    np.testing.assert_allclose(y[0::2], targets)
    np.testing.assert_allclose(y[1::2], predicted, rtol=1e-6, atol=1e-6)


def test_two_inputs_show_the_value_on_a_scale_fixed_by_the_targets(qtbot, plane):
    """For data of the plane the map shows the network's value at each cell, with levels set
    from the targets (symmetric around 0 when they straddle it) that do not move as it trains;
    the points take their target's colour on the same scale, and a colour bar says what it means."""
    page = WindowPage(plane)
    page.draw_now()
    plot = plane.view.boundary
    assert plot.mode == VALUES
    levels = value_range(page.dataset.merged()[1])
    assert levels[0] == -levels[1]
    assert tuple(plot.image.levels) == levels
    page = _stepped(qtbot, plane, 30)
    assert tuple(plot.image.levels) == levels
    np.testing.assert_array_equal(plot.image.lut, value_lut())
    shown = plot.value_image()
    r = shown.shape[0]
    expected = page.shown.network.outputs(grid_points(plot.bounds, r)).reshape(r, r)
    np.testing.assert_allclose(shown, expected, rtol=1e-4, atol=1e-5)
    assert plot.values.bar.isVisible() and tuple(plot.values.bar.levels()) == levels
    colours = np.array([rgb(c) for c in plot.train_points.colors()])
    exact = value_colors(page.dataset.y_train, *levels).astype(float)
    assert np.abs(colours - exact).max() <= 16  # one of 64 shades of the scale
    assert len(plot.values.lines.getData()[0]) > 0  # contour lines


def test_regression_figures_are_mse_rmse_and_r_squared(qtbot, sine):
    """The figures of a regression are MSE, RMSE and R², train and test, of the network shown."""
    page = _stepped(qtbot, sine, 30)
    figures, shown, data = sine.view.figures, page.shown, page.dataset
    assert shown.latest.step == shown.step
    assert [key for key, _ in figures.figures] == ["step", "train_mse", "test_mse", "train_rmse", "test_rmse",
                                                   "train_r2", "test_r2", "rate"]
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        mse, rmse, r2 = regression_scores(shown.network, X, y)
        assert float(figures.text(f"{part}_mse")) == pytest.approx(mse, rel=1e-3)
        assert float(figures.text(f"{part}_rmse")) == pytest.approx(rmse, rel=1e-3)
        assert float(figures.text(f"{part}_r2")) == pytest.approx(r2, abs=1e-3)


def test_the_loss_readout_says_r_squared_and_the_axis_names_the_loss(qtbot, sine):
    """Hovering the loss curve of a regression reads out R² where a classifier's says accuracy."""
    page = _stepped(qtbot, sine, 10)
    row = page.shown.history[-1]
    text = sine.view.loss.readout(row)
    assert f"train R² {row[2]:.4f}" in text and "acc" not in text
    assert sine.view.loss.getAxis("left").labelText == "squared-error loss"


def test_hovering_the_curve_reads_out_the_networks_value(qtbot, sine):
    """The pointer over the 1-D plot gives its x and the network's value there."""
    page = _stepped(qtbot, sine, 10)
    plot = sine.view.boundary
    view = plot.getViewBox()
    plot.hovered.emit("")
    plot.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(0.25, 0.0)))
    x = view.mapSceneToView(view.mapViewToScene(QPointF(0.25, 0.0))).x()
    value = float(page.shown.network.outputs(np.array([[x]]))[0, 0])
    assert sine.view.readout.text() == f"x {x:.3g}   network (identity output) {value:.4g}"


def test_hovering_the_value_map_reads_out_x1_x2_and_the_value(qtbot, plane):
    """The pointer over the 2-D map gives both coordinates and the network's value there."""
    page = WindowPage(plane)
    page.draw_now()
    view = plane.view.boundary.getViewBox()
    plane.view.boundary.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(0.1, -0.2)))
    at = view.mapSceneToView(view.mapViewToScene(QPointF(0.1, -0.2)))
    value = float(page.shown.network.outputs(np.array([[at.x(), at.y()]]))[0, 0])
    assert plane.view.readout.text() == f"x1 {at.x():.3g}, x2 {at.y():.3g}   network (identity output) {value:.4g}"


def test_a_single_sigmoid_unit_draws_both_classes(qtbot, make_window):
    """Two classes with one sigmoid output: the map holds both classes' probabilities (1 - p, p),
    as predict_proba gives them, and the boundary is drawn."""
    window = make_window(TrainingConfig(dataset="moons", hidden=5, output="sigmoid"))
    page = _stepped(qtbot, window, 20)
    plot = window.view.boundary
    shown = plot.probability_image()
    assert page.shown.network.layer_sizes[-1] == 1 and shown.shape[-1] == 2
    r = shown.shape[0]
    expected = page.shown.network.predict_proba(grid_points(plot.bounds, r)).reshape(r, r, 2)
    np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)
    assert len(plot.contour.getData()[0]) > 0


def test_identity_class_scores_are_held_to_probabilities_for_the_map():
    """Scores beyond [0, 1] are clipped, and where they add up to more than 1 scaled to sum to 1."""
    scores = np.array([[1.4, -0.3], [0.2, 0.3], [0.9, 0.8]])
    np.testing.assert_allclose(map_scores(scores), [[1.0, 0.0], [0.2, 0.3], [0.9 / 1.7, 0.8 / 1.7]])


def _nearest(points: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Each point's distance to the nearest of the segment ``ends``."""
    return np.sqrt(((points[:, None, :] - ends[None, :, :]) ** 2).sum(-1)).min(axis=1)


def test_a_tile_draws_an_identity_classifier_as_the_train_view_does(qtbot):
    """Identity outputs trained with squared error on moons give scores, not probabilities
    (here above 1 and summing past it): a Compare tile colours them and draws their boundary
    (where the two scores are equal) as the Train view's plot does. Each picture is
    :func:`class_map` of its own grid's scores, and the two boundaries trace one line, within
    half a tile cell, where the p1 = 0.5 line of the raw scores strays by more than a cell."""
    trainer = build_trainer(TrainingConfig(output="identity", loss="squared-error", lr=0.1))
    trainer.step(300)
    network, data = trainer.network, trainer.data
    tile, plot = TilePlot(), BoundaryPlot()
    qtbot.addWidget(tile)
    qtbot.addWidget(plot)
    plot.resize(500, 400)
    for view in (tile, plot):
        view.set_dataset(data)
        view.show_network(network)
    scores = tile.probability_image()
    assert scores.max() > 1 and (scores.sum(axis=-1) > 1).any()  # scores unlike probabilities, as the test needs
    colors, ends = class_map(scores, tile.bounds, "identity")
    np.testing.assert_array_equal(tile.picture(), colors)
    np.testing.assert_array_equal(tile.lines(), ends)
    train_colors, train_ends = class_map(plot.probability_image(), plot.bounds, "identity")
    np.testing.assert_array_equal(plot.image.image, train_colors)
    np.testing.assert_array_equal(np.column_stack(plot.contour.getData()), train_ends)
    cell = (tile.bounds[1] - tile.bounds[0]) / scores.shape[1]
    assert len(ends) and _nearest(ends, train_ends).max() < 0.5 * cell
    x0, x1, y0, y1 = tile.bounds
    inside = train_ends[(train_ends[:, 0] > x0) & (train_ends[:, 0] < x1) & (train_ends[:, 1] > y0)
                        & (train_ends[:, 1] < y1)]
    assert _nearest(inside, ends).max() < 0.75 * cell
    as_probabilities = boundary_segments(scores, tile.bounds)
    assert _nearest(as_probabilities, train_ends).max() > cell


def test_the_value_scale_runs_blue_white_red_and_is_centred():
    """The lookup table starts and ends at the scheme's ends, white in the middle; value_range
    is symmetric around 0 for targets on both sides of it, else their own range."""
    lut = value_lut()
    np.testing.assert_array_equal(lut[0], rgb(VALUE_STOPS[0]))
    np.testing.assert_array_equal(lut[-1], rgb(VALUE_STOPS[-1]))
    assert np.abs(lut[len(lut) // 2].astype(float) - rgb(VALUE_STOPS[4])).max() <= 2
    assert value_range(np.array([-0.5, 2.0])) == (-2.0, 2.0)
    assert value_range(np.array([1.0, 3.0])) == (1.0, 3.0)
    np.testing.assert_array_equal(value_colors(np.array([-2.0, 0.0, 2.0]), -2, 2), lut[[0, 128, 255]])


def test_the_value_scale_reads_in_lightness_for_colour_blind_users():
    """Under each simulated colour-vision deficiency the two ends stay far apart, and the
    lightness climbs from each end to the middle, so order reads without hue."""
    from test_colors import SIMULATIONS, _lab, _linear

    lut = value_lut(33)
    for vision, matrix in SIMULATIONS.items():
        labs = np.array([_lab(np.array(matrix) @ _linear("#{:02x}{:02x}{:02x}".format(*c))) for c in lut.tolist()])
        assert np.linalg.norm(labs[0] - labs[-1]) >= 30, vision
        lightness = labs[:, 0]
        assert np.all(np.diff(lightness[:17]) > -0.5) and np.all(np.diff(lightness[16:]) < 0.5), vision
