"""Every view besides the Train plot with regression data (one input and two) and with sigmoid
or identity outputs: the inside of the network, the Compare tiles and pins, the timeline,
movies and pictures, run files, the views of images and the draw mode (pytest-qt, offscreen)."""

import csv
import json
import math

import numpy as np
import pytest
from gui_helpers import WindowPage, write_file
from PIL import Image
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtWidgets import QMessageBox

from nnviz.core.analysis.grid import DecisionGrid, grid_points
from nnviz.core.analysis.layer_stats import activation_histograms
from nnviz.core.analysis.regression import (
    fit_curve,
    mse_from_r_squared,
    regression_figures,
    regression_scores,
)
from nnviz.core.analysis.units import unit_curves, unit_maps
from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP, layer_output
from nnviz.core.naming import head_tip
from nnviz.core.training.experiment import build_trainer
from nnviz.core.training.history import HistoryEntry
from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui.colors import UNIT_NEGATIVE, UNIT_POSITIVE, class_color, rgb, value_range
from nnviz.gui.compare.compare_view import default_values
from nnviz.gui.compare.sweep_view import figures_caption
from nnviz.gui.compare.tile_plot import CURVE_POINTS as TILE_CURVE_POINTS
from nnviz.gui.files.movie_dialog import TIMELINE, TRAIN_VIEW, export_movie
from nnviz.gui.files.movie_export import MovieFrame, frame_figures, image_array
from nnviz.gui.inside.network_diagram import (
    VALUE_NODE,
    NetworkDiagram,
    output_labels,
)
from nnviz.gui.inside.units_view import AREA_ALPHA, CURVE_POINTS, UnitGrid
from nnviz.gui.train.figures import FiguresPanel
from nnviz.gui.train.regression_plot import FIT_COLOR

SINE = TrainingConfig(dataset="sine", hidden=(6, 4), samples=100, lr=0.1)  # lr 1 diverges within 100 steps
PLANE = TrainingConfig(dataset="plane", hidden=5, samples=100, lr=0.1)


def _network(sizes, output="identity", loss="squared-error", seed=0, activation="tanh") -> MLP:
    return MLP.initialise(sizes, activation, np.random.default_rng(seed), output=output, loss=loss)


def _stepped(qtbot, page, steps: int) -> None:
    """Train ``steps`` steps, then draw the Train view's newest snapshot."""
    page.step(steps)
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step == steps and page.is_settled, timeout=20000)
    page.draw_now()


def _area_color(color: str) -> str:
    """The colour of a curve tile's area in ``color``, over white."""
    blend = np.round(255 + (rgb(color).astype(float) - 255) * AREA_ALPHA / 255).astype(int)
    return "#{:02x}{:02x}{:02x}".format(*blend)


def _share_near(image: np.ndarray, color: str, tolerance: int = 40) -> float:
    """The share of an RGB image's pixels within ``tolerance`` of ``color`` in every channel."""
    return float((np.abs(image[..., :3].astype(int) - rgb(color).astype(int)) <= tolerance).all(axis=-1).mean())


# --- the units of a network of one input -----------------------------------------------------

def test_unit_curves_are_each_units_output_over_x():
    """A layer's curves are its units' outputs at evenly spaced x, one row a unit, at any depth."""
    network = _network((1, 4, 3, 1))
    for layer, width in ((0, 4), (1, 3)):
        xs, curves = unit_curves(network, (-2.0, 3.0), 50, layer)
        assert curves.shape == (width, 50) and xs[0] == -2.0 and xs[-1] == 3.0
        np.testing.assert_allclose(curves, layer_output(network, xs[:, None], layer).T, rtol=1e-6)


def test_a_network_of_one_input_has_curves_and_one_of_two_has_maps():
    """Asking for the other kind says which to ask for."""
    with pytest.raises(ValueError, match="one coordinate.*unit_curves"):
        unit_maps(_network((1, 3, 1)), (-1, 1, -1, 1), 8)
    with pytest.raises(ValueError, match="2 coordinates.*maps"):
        unit_curves(_network((2, 3, 1)), (-1, 1), 8)


def test_histograms_of_a_network_of_one_input():
    """Each hidden layer's outputs over points of one coordinate make a histogram, its shares summing to 1."""
    X = np.linspace(-1, 1, 40)[:, None]
    histograms = activation_histograms(_network((1, 5, 3, 1)), X)
    assert len(histograms) == 2 and all(math.isclose(h.shares.sum(), 1.0) for h in histograms)


def test_the_unit_grid_draws_each_curve_with_its_sign_coloured(qtbot):
    """Tiles are in strength order with their units' curves; the area between a curve and zero
    is green above and purple below: a unit positive all over x is green, a negative one purple."""
    network = _network((1, 2, 1))
    network.weights[0][:] = [[1.0, 1.0]]
    network.biases[0][:] = [4.0, -4.0]  # unit 0 is above zero over (-1, 1), unit 1 below
    network.weights[1][:] = [[2.0], [1.0]]  # unit 0 the stronger: the first tile
    grid = UnitGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 200)
    grid.show_curves(network, (-1.0, 1.0), 0)
    assert grid.order().tolist() == [0, 1] and grid.legend_caption() == "each unit's output over x"
    np.testing.assert_allclose(grid.displayed_maps(), unit_curves(network, (-1, 1), CURVE_POINTS)[1], rtol=1e-6)
    picture = image_array(grid.grab().toImage())
    ratio = picture.shape[1] / grid.width()  # (a screen's pixels per widget pixel)
    for position, own, other in ((0, UNIT_POSITIVE, UNIT_NEGATIVE), (1, UNIT_NEGATIVE, UNIT_POSITIVE)):
        rect = grid.tile_rect(position)
        tile = picture[int(rect.top() * ratio):int(rect.bottom() * ratio), int(rect.left() * ratio):int(rect.right() * ratio)]
        shares = [_share_near(tile, _area_color(color), 6) for color in (own, other)]
        assert shares[0] > 0.3 and shares[1] < 0.01


# --- the diagram's outputs -------------------------------------------------------------------

def test_the_diagram_of_a_regression_has_one_input_and_the_value(qtbot):
    """One input, one hidden unit, one output: drawn, hovered and clicked without error; the
    output is ŷ in grey, and hovering it names the identity output and the squared error."""
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.resize(360, 260)
    diagram.show()
    diagram.show_network(_network((1, 1, 1)), ["x"], (), None, regression=True)
    assert diagram.caption() == "all 2 weights" and len(diagram.column_x()) == 3
    assert output_labels(1, (), True) == (["ŷ"], [VALUE_NODE])
    centre = diagram.node_position(0).toPoint()
    qtbot.mouseMove(diagram, centre)
    qtbot.mouseClick(diagram, Qt.LeftButton, pos=centre)
    assert diagram.selected_unit == 0
    diagram.grab()  # paints with the unit emphasised
    output = QPoint(int(diagram.column_x()[-1]), centre.y())
    tip = diagram.tooltip_at(output)
    assert "identity" in tip and "squared error" in tip and "values" in tip
    assert diagram.tooltip_at(QPoint(int(diagram.column_x()[0]), centre.y())) == ""


def test_one_sigmoid_unit_of_two_classes_is_class_ones_probability():
    """Its node is class 1's, in class 1's colour; the hover text says what it is and its loss."""
    assert output_labels(1, ("no", "yes"), False) == (["yes"], [class_color(1)])
    assert output_labels(3, (), False) == (["class 0", "class 1", "class 2"], [class_color(k) for k in range(3)])
    tip = head_tip("sigmoid", "cross-entropy", 1, False)
    assert "probability of class 1" in tip and "log(1 − y)" in tip
    assert "−log of the probability given to the true class" in head_tip("softmax", "cross-entropy", 3, False)


# --- the Inside tab in the window ------------------------------------------------------------

def test_the_inside_of_a_sine_network_is_curves_over_the_x_in_view(qtbot, make_window):
    """Each layer's units are curves over the plot's x range (the maps' counterpart); the
    diagram has one input and one output; histograms and gradient sizes draw."""
    window = make_window(SINE)
    page = WindowPage(window)
    _stepped(qtbot, page, 30)
    inside, network = window.view.inside, page.shown.network
    x_range = window.view.boundary.bounds[:2]
    units = inside.units
    expected = unit_curves(network, x_range, CURVE_POINTS, 0)[1][units.order()]
    np.testing.assert_allclose(units.displayed_maps(), expected, rtol=1e-5, atol=1e-6)
    assert inside.diagram.caption() == "all 34 weights"  # 1×6 + 6×4 + 4×1: one input, one output
    inside.show_layer(1)
    assert units.displayed_maps().shape == (4, CURVE_POINTS)
    for tab in range(window.view.layer_tabs.count()):  # the gradient sizes, then each histogram
        window.view.layer_tabs.setCurrentIndex(tab)
        page.draw_now()
    assert len(window.view.gradients.rows()) and not window.errors


def test_the_inside_of_a_plane_regression_is_maps(qtbot, make_window):
    """Points of the plane keep their maps: each unit's output over the plot's bounds."""
    window = make_window(PLANE)
    page = WindowPage(window)
    _stepped(qtbot, page, 10)
    units = window.view.inside.units
    shown = units.displayed_maps()
    assert shown.ndim == 3 and len(shown) == 5
    resolution = shown.shape[1]
    expected = unit_maps(page.shown.network, window.view.boundary.bounds, resolution)[units.order()]
    np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)


def test_one_unit_and_no_hidden_layer_on_one_input(qtbot, make_window):
    """A network of one input with one hidden unit, then (− in the panel) none, trains and draws."""
    window = make_window(SINE.replace(hidden=(1,)))
    page = WindowPage(window)
    _stepped(qtbot, page, 5)
    assert window.view.inside.units.displayed_maps().shape == (1, CURVE_POINTS)
    assert window.view.inside.diagram.caption() == "all 2 weights"
    window.controls.remove_layer.click()
    qtbot.waitUntil(lambda: page.latest.network.layer_sizes == (1, 1), timeout=10000)
    page.draw_now()
    assert window.view.inside.diagram.caption() == "its one weight" and not window.view.inside.units.isVisible()
    assert not window.errors


# --- the Compare tab -------------------------------------------------------------------------

def test_a_regression_tiles_figures_are_rmse_and_r2():
    """A regression's history holds R² where accuracy goes: the tile shows it, and the RMSE
    that goes with it on the targets, (1 − R²) · var(y) squared-rooted; a classifier's shows accuracy."""
    y_train, y_test = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 3.0])
    data = Dataset("sine", np.zeros((4, 1)), y_train, np.zeros((2, 1)), y_test, task="regression")
    network = _network_of_one_input()
    caption = figures_caption(HistoryEntry(10, 0.3, 0.75, 0.4, 0.5), data, network)
    assert caption == f"RMSE {math.sqrt(0.25 * 1.25):.3g} · test {math.sqrt(0.5 * 1.0):.3g}<br>R² 0.75 · test 0.5"
    assert "%" not in caption and mse_from_r_squared(0.75, y_train) == 0.25 * 1.25
    entry = HistoryEntry(10, 0.3, 0.75, math.nan, math.nan)
    assert figures_caption(entry, None, network) == "loss 0.3000<br>train 75.0%"


def _network_of_one_input() -> MLP:
    return MLP.initialise((1, 4, 1), "tanh", np.random.default_rng(0), output="identity", loss="squared-error")


def test_where_every_target_is_the_same_every_view_gives_the_networks_own_rmse(qtbot):
    """A test set whose targets are all one value has no R² (NaN): the Train view's figures,
    a tile's caption and a movie frame all give the RMSE of the network's predictions there
    (regression_figures, the one place that works the figures out), and the training set's
    from its R², with no forward pass."""
    network = _network_of_one_input()
    X_train, X_test = np.array([[-1.0], [0.0], [1.0]]), np.array([[0.5], [2.0]])
    y_train, y_test = np.array([0.0, 1.0, 3.0]), np.array([2.0, 2.0])
    data = Dataset("sine", X_train, y_train, X_test, y_test, task="regression")
    entry = HistoryEntry(7, 0.4, 0.6, 0.5, math.nan)
    found = regression_figures(entry, data, network)
    test_rmse = regression_scores(network, X_test, y_test)[1]
    assert found["test_rmse"] == pytest.approx(test_rmse, rel=1e-12) and math.isnan(found["test_r2"])
    assert found["train_mse"] == pytest.approx(0.4 * np.var(y_train), rel=1e-12)  # (1 - R²) var(y)
    assert f"test {test_rmse:.3g}<br>" in figures_caption(entry, data, network)
    assert f"(test {test_rmse:.3g})" in frame_figures(entry, data, network)
    figures = FiguresPanel()
    qtbot.addWidget(figures)
    figures.set_data(data)
    figures.show_snapshot(TrainingSnapshot(7, network, np.empty((0, 5)), entry, 0.0, None), running=False)
    assert float(figures.text("test_rmse")) == pytest.approx(test_rmse, rel=1e-3)
    assert float(figures.text("train_rmse")) == pytest.approx(math.sqrt(found["train_mse"]), rel=1e-3)


def _sweep(qtbot, page, setting: str, values: str, past: int = 40):
    """Run a sweep of ``setting`` from the Compare tab and let it train past step ``past``, then
    pause it and draw every tile."""
    compare = page.compare
    page.window.tabs.setCurrentWidget(compare)
    compare.setting.setCurrentIndex(compare.setting.findData(setting))
    compare.values.setText(values)
    compare.run_button.click()
    qtbot.waitUntil(lambda: compare.latest is not None and compare.latest.step > past, timeout=30000)
    page.settle_compare(qtbot)
    compare.draw_now()
    return compare


def test_a_sine_sweep_of_outputs_shows_each_fit_with_rmse_and_r2(qtbot, make_window, tmp_path):
    """The window sweeps identity against sigmoid outputs on sine: each tile draws its network's
    curve over a range wider than the points, its figures are RMSE and R², and the CSV says R²."""
    window = make_window(SINE)
    page = WindowPage(window)
    compare = page.compare
    compare.setting.setCurrentIndex(compare.setting.findData("output"))
    assert compare.values.text() == default_values("output", True) == "identity, sigmoid"
    compare = _sweep(qtbot, page, "output", "identity, sigmoid")
    shown = compare.shown
    assert [n.output for n in shown.networks] == ["identity", "sigmoid"]
    data = page.dataset
    for tile, network in zip(compare.figure.tiles, shown.networks):
        xs, ys = tile.plot.curve()
        assert xs[0] < data.X_train.min() and xs[-1] > data.X_train.max() and len(xs) == TILE_CURVE_POINTS
        np.testing.assert_allclose(ys, fit_curve(network, (xs[0], xs[-1]), len(xs))[1], rtol=1e-6)
        assert "RMSE" in tile.caption.text() and "R²" in tile.caption.text() and "%" not in tile.caption.text()
    assert (shown.networks[1].outputs(data.X_train) > 0).all()  # sigmoid: values between 0 and 1 only
    path = tmp_path / "sweep.csv"
    assert write_file(qtbot, page.files.export_csv, path) == ""
    rows = list(csv.DictReader(path.open()))
    assert [r["value"] for r in rows] == ["identity", "sigmoid"] and "train_r2" in rows[0] and "train_accuracy" not in rows[0]
    compare.figure.tiles[1].clicked.emit()  # opens the sigmoid network in the Train view
    qtbot.waitUntil(lambda: page.config.output == "sigmoid" and page.is_settled, timeout=10000)
    np.testing.assert_array_equal(page.network.flat, shown.networks[1].flat)
    assert page.network.output == "sigmoid" and window.tabs.currentWidget() is window.view


def test_a_plane_tile_is_its_value_map_on_the_targets_scale(qtbot, make_window):
    """On points of the plane (a sweep of activations) a tile shows the network's value over
    the grid on the diverging scale fixed by the targets."""
    window = make_window(PLANE)
    page = WindowPage(window)
    compare = _sweep(qtbot, page, "activation", "tanh, gelu")
    assert [n.activations for n in compare.shown.networks] == [("tanh",), ("gelu",)]
    for tile, network in zip(compare.figure.tiles, compare.shown.networks):
        plot = tile.plot
        values = plot.value_image()
        grid = DecisionGrid(plot.bounds, values.shape[0])
        np.testing.assert_allclose(values, grid.outputs(network)[..., 0], rtol=1e-5, atol=1e-6)
        assert plot.levels == value_range(page.dataset.merged()[1]) and plot.probability_image() is None


def test_a_sweep_refuses_outputs_a_regression_cannot_have_in_a_sentence(qtbot, make_window):
    """Softmax on sine is refused before anything trains, with the reason; the loss sweep of a
    regression offers squared error only."""
    window = make_window(SINE)
    page = WindowPage(window)
    compare = page.compare
    window.tabs.setCurrentWidget(compare)
    compare.setting.setCurrentIndex(compare.setting.findData("loss"))
    assert compare.values.text() == "squared-error"
    compare.setting.setCurrentIndex(compare.setting.findData("output"))
    compare.values.setText("identity, softmax")
    compare.run_button.click()
    assert "softmax outputs are class probabilities" in compare.message.text() and page.sweep is None


def test_a_sweep_of_outputs_on_classes_gives_one_sigmoid_unit_two_classes(qtbot, make_window):
    """On moons, softmax against sigmoid: the sigmoid network has one output unit, and its tile
    shows the two classes' probabilities and an accuracy."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    page = WindowPage(window)
    compare = _sweep(qtbot, page, "output", default_values("output"))
    softmax, sigmoid = compare.shown.networks
    assert softmax.layer_sizes[-1] == 2 and sigmoid.layer_sizes[-1] == 1
    tile = compare.figure.tiles[1]
    probabilities = tile.plot.probability_image()
    assert probabilities.shape[-1] == 2 and np.allclose(probabilities.sum(axis=-1), 1, atol=1e-5)
    assert "%" in tile.caption.text()


def test_pins_of_a_sine_run_show_their_curves(qtbot, make_window, tmp_path):
    """Two pictures pinned at two steps: each tile is its snapshot's curve; the CSV says R²."""
    window = make_window(SINE)
    page = WindowPage(window)
    _stepped(qtbot, page, 20)
    window.pin()
    page.step(200)
    qtbot.waitUntil(lambda: page.latest.step == 220 and page.is_settled, timeout=20000)
    window.pin()
    compare = page.compare
    window.tabs.setCurrentWidget(compare)
    compare.show_pins.setChecked(True)
    compare.draw_now()
    tiles = compare.pinned.tiles
    curves = [tile.plot.curve() for tile in tiles]
    for (xs, ys), pin in zip(curves, compare.pins):
        np.testing.assert_allclose(ys, fit_curve(pin.snapshot.network, (xs[0], xs[-1]), len(xs))[1], rtol=1e-6)
    assert not np.allclose(curves[0][1], curves[1][1]) and all("RMSE" in t.caption.text() for t in tiles)
    path = tmp_path / "pins.csv"
    assert write_file(qtbot, page.files.export_csv, path) == ""
    rows = list(csv.DictReader(path.open()))
    assert [r["step"] for r in rows] == ["20", "220"] and "test_r2" in rows[0]


# --- the timeline, movies and pictures -------------------------------------------------------

def test_scrubbing_a_sine_run_shows_the_moments_units_and_goes_on_from_there(qtbot, make_window, monkeypatch):
    """A kept moment of a regression run shows in the Inside tab too, and training goes on from it."""
    window = make_window(SINE)
    page = WindowPage(window)
    _stepped(qtbot, page, 300)
    window.view.timeline.slider.setValue(10)
    qtbot.waitUntil(lambda: window.replay.index == 10, timeout=10000)
    moment = page.timeline.moments[10]
    page.draw_now()
    assert page.shown.step == moment.step
    units = window.view.inside.units
    expected = unit_curves(page.trainer.network_at(moment), window.view.boundary.bounds[:2], CURVE_POINTS)[1]
    np.testing.assert_allclose(units.displayed_maps(), expected[units.order()], rtol=1e-5, atol=1e-6)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.Yes)
    window.replay.continue_from_here()
    assert page.latest.step == moment.step and page.is_running  # and on from there
    page.settle(qtbot)


def test_a_movie_frame_of_a_sine_run_shows_the_fit_and_its_figures(qapp):
    """A frame of the Train view's movie draws the curve, and its caption gives RMSE and R²."""
    trainer = build_trainer(SINE)
    trainer.step(100)
    snapshot = trainer.snapshot()
    frame = MovieFrame(trainer.data, "sine")
    try:
        picture = frame.picture(snapshot, snapshot.history)
        assert "RMSE" in frame.caption.text() and "R²" in frame.caption.text()
        assert "accuracy" not in frame.caption.text()
        assert _share_near(picture, FIT_COLOR) > 0.001  # the curve, across the plot
    finally:
        frame.close()


def test_the_window_films_a_sine_runs_timeline(qtbot, make_window, tmp_path):
    """A GIF of a sine run's kept moments: every frame shows the fit, and its comment the settings."""
    window = make_window(SINE)
    page = WindowPage(window)
    _stepped(qtbot, page, 200)
    path = tmp_path / "sine.gif"
    done = []
    window.files.finished.connect(lambda _path, error: done.append(error))
    export_movie(window.files, str(path), TRAIN_VIEW, TIMELINE, 4, 10, 0)
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    assert done == [""]
    image = Image.open(path)
    comment = json.loads(image.info["comment"])
    assert comment["nnviz-config"]["dataset"] == "sine" and len(comment["nnviz-steps"]) == 4
    for k in range(image.n_frames):
        image.seek(k)
        assert _share_near(np.asarray(image.convert("RGB")), FIT_COLOR) > 0.001


def test_an_exported_picture_of_a_sine_run_shows_the_fit(qtbot, make_window, tmp_path):
    """Export plots: a PNG with the curve in it and the run's settings, output and loss included."""
    window = make_window(SINE.replace(output="sigmoid"))
    page = WindowPage(window)
    _stepped(qtbot, page, 20)
    path = tmp_path / "sine.png"
    assert write_file(qtbot, page.files.export_plots, path) == ""
    image = Image.open(path)
    config = json.loads(image.text["nnviz-config"])
    assert config["dataset"] == "sine" and config["output"] == "sigmoid"
    assert _share_near(np.asarray(image.convert("RGB")), FIT_COLOR) > 0.001


# --- run files -------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [SINE, TrainingConfig(hidden=4, samples=100, output="sigmoid")],
                         ids=["sine", "moons-sigmoid"])
def test_a_run_saved_from_the_window_opens_to_the_same_picture(qtbot, make_window, tmp_path, config):
    """Save a regression run, and a classifier with one sigmoid output, from the File menu's
    action; another window opens it at the same step with the same weights, data and head,
    and draws the same: the plot's curve or classes, the units and the diagram."""
    window = make_window(config)
    page = WindowPage(window)
    _stepped(qtbot, page, 40)
    drawn = _drawn(window)
    saved = page.shown.network
    path = tmp_path / "run.nnviz"
    assert write_file(qtbot, page.files.save_run, path) == ""
    other = make_window(config)  # as a window started again would be, with its settings remembered
    again = WindowPage(other)
    assert other.files.open_file(str(path)) and not other.errors
    qtbot.waitUntil(lambda: again.latest is not None and again.latest.step == 40, timeout=10000)
    again.draw_now()
    assert again.config == page.config and again.network.output == page.network.output
    np.testing.assert_array_equal(again.network.flat, saved.flat)
    np.testing.assert_array_equal(again.dataset.y_train, page.dataset.y_train)
    assert again.dataset.task == page.dataset.task
    if page.dataset.regression:  # a curve over the data's x: the same pixels' worth of numbers
        for before, after in zip(drawn, _drawn(other)):
            np.testing.assert_array_equal(after, before)
        return
    # On the plane the view's extent follows the plot's axes, laid out anew: the saved network,
    # drawn over the new window's extent.
    plot, units = other.view.boundary, other.view.inside.units
    side = plot.probability_image().shape[0]
    expected = saved.predict_proba(grid_points(plot.bounds, side)).reshape(side, side, -1)
    np.testing.assert_allclose(plot.probability_image(), expected, rtol=1e-5, atol=1e-6)
    maps = unit_maps(saved, plot.bounds, units.displayed_maps().shape[1])[units.order()]
    np.testing.assert_allclose(units.displayed_maps(), maps, rtol=1e-5, atol=1e-6)
    assert other.view.inside.diagram.drawn_edges() == window.view.inside.diagram.drawn_edges()


def _drawn(window) -> list[np.ndarray]:
    """What a window draws of a network of one input: the plot's curve, each unit's curve by
    unit (the tiles' order has hysteresis, so it depends on the run's past frames) and the
    diagram's edges."""
    plot, inside = window.view.boundary, window.view.inside
    shown = list(plot.curves.fit.getData())
    units = inside.units.displayed_maps()[np.argsort(inside.units.order())]
    return [*shown, units, np.array(inside.diagram.drawn_edges())]


# --- the views of images, and drawing --------------------------------------------------------

def test_digits_with_one_sigmoid_output_fill_every_view_of_images(qtbot, make_window):
    """Two digits with a sigmoid output (one unit): the map, the confusion matrix, the mistakes
    and the drawing pad each show two classes."""
    window = make_window(TrainingConfig(dataset="digits", classes=2, hidden=10, output="sigmoid"))
    page = WindowPage(window)
    _stepped(qtbot, page, 5)
    assert page.network.layer_sizes[-1] == 1
    images = window.view.images
    assert len(images.map.coordinates()) == len(page.dataset.y_test)
    images.setCurrentWidget(images.confusion)
    assert images.confusion.matrix().shape == (2, 2) and images.confusion.matrix().sum() == len(page.dataset.y_test)
    images.setCurrentIndex(2)  # the mistakes
    wrong = int(images.confusion.matrix().sum() - np.trace(images.confusion.matrix()))
    assert len(images.mistakes.shown()) == min(wrong, 60)
    images.setCurrentWidget(images.drawing)
    images.drawing.show_test_image()
    bars = images.drawing.bars.shown()
    assert [name for name, _ in bars] == list(page.dataset.label_names) and math.isclose(sum(p for _, p in bars), 1, rel_tol=1e-6)  # float32
    assert not window.errors


def test_regression_data_shows_no_view_of_classes(qtbot, make_window):
    """The confusion matrix and the mistakes are views of classes (of images): for a regression
    the plot is shown, never them."""
    window = make_window(SINE)
    _stepped(qtbot, WindowPage(window), 5)
    view = window.view
    assert view.data_view.currentWidget() is not view.images and not view.images.isVisible()
    assert not view.images.confusion.isVisible() and not view.images.mistakes.isVisible()


def test_drawing_is_off_for_regression_data_and_says_why(qtbot, make_window):
    """D on sine (or plane) does not enter draw mode: the status line says in a sentence that
    these points have values, not classes."""
    for config in (SINE, PLANE):
        window = make_window(config)
        window.controls.draw_button.toggle()  # what D does
        assert not window.view.drawing and not window.controls.draw_button.isChecked()
        assert "regression" in window.statusBar().currentMessage()
