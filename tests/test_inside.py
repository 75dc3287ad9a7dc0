"""Looking inside the network and bringing your own data, in the window (pytest-qt, offscreen)."""

import numpy as np
import pytest
from gui_helpers import WindowPage, write_file
from PyQt5.QtCore import QPoint, QPointF, Qt
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtTest import QTest
from PyQt5.QtWidgets import QApplication

from nnviz.core.analysis.baseline import fit_linear_baseline
from nnviz.core.analysis.contour import boundary_segments
from nnviz.core.analysis.grid import grid_points
from nnviz.core.analysis.units import activation_range
from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import CUSTOM
from nnviz.core.data.points_file import read_data_csv
from nnviz.core.io.runfile import save_run
from nnviz.gui.colors import class_color, probability_colors
from nnviz.gui.settings import load_config


@pytest.fixture
def window(make_window):
    return make_window()


def _csv(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _three_class_csv(tmp_path):
    rng = np.random.default_rng(5)
    lines = ["x,y,label"]
    for name, (cx, cy) in {"ant": (-1, 0), "bee": (1, 0), "cat": (0, 1.5)}.items():
        for x, y in rng.normal((cx, cy), 0.25, (40, 2)):
            lines.append(f"{x:.4f},{y:.4f},{name}")
    return _csv(tmp_path, "\n".join(lines) + "\n")


def _view_to_widget(plot, x, y) -> QPoint:
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def _click(qtbot, plot, x, y, button=Qt.LeftButton):
    qtbot.mouseClick(plot.viewport(), button, pos=_view_to_widget(plot, x, y))


def _drag(plot, path, button=Qt.LeftButton):
    """Press, move along ``path`` (view coordinates) with the button held, release."""
    viewport = plot.viewport()
    points = [_view_to_widget(plot, x, y) for x, y in path]
    send = QApplication.sendEvent
    send(viewport, QMouseEvent(QMouseEvent.MouseButtonPress, points[0], button, button, Qt.NoModifier))
    for point in points[1:]:
        QTest.qWait(25)  # pyqtgraph passes on at most one move per display frame
        send(viewport, QMouseEvent(QMouseEvent.MouseMove, point, Qt.NoButton, button, Qt.NoModifier))
    send(viewport, QMouseEvent(QMouseEvent.MouseButtonRelease, points[-1], button, Qt.NoButton, Qt.NoModifier))


# More classes ------------------------------------------------------------------------------
def test_a_four_class_spiral_is_drawn_in_four_class_colours(make_window):
    """Heatmap, boundary and points follow all four classes of the spiral."""
    window = make_window(TrainingConfig(dataset="spiral", classes=4, hidden=20))
    page = WindowPage(window)
    page.draw_now()
    plot = window.view.boundary
    network = page.network
    assert network.layer_sizes == (2, 20, 4)
    expected = network.predict_proba(grid_points(plot.bounds, 100)).reshape(100, 100, 4)
    np.testing.assert_allclose(plot.probability_image(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(plot.image.image, probability_colors(expected))
    brushes = {int(k): c for k, c in zip(page.dataset.y_train, plot.train_points.colors())}
    assert brushes == {k: class_color(k) for k in range(4)}


def test_classes_apply_to_the_multi_class_sets_only(window, page):
    """The classes box shows for spiral and blobs only, and changing it makes new data and outputs."""
    c = window.controls
    assert not c.classes.isVisible()
    c.dataset.setCurrentIndex(c.dataset.findData("blobs"))
    assert c.classes.isVisible()
    c.classes.setValue(5)
    assert page.dataset.classes == 5
    assert page.network.layer_sizes[-1] == 5


# The hidden units --------------------------------------------------------------------------
def test_hovering_a_unit_overlays_its_output_and_clicking_keeps_it(qtbot, window, page):
    """Hovering a tile shows that unit's output on the boundary plot, computed directly here;
    leaving hides it, unless a click froze it."""
    page.draw_now()
    grid, plot = window.view.inside.units, window.view.boundary
    unit = int(grid.order()[1])
    tile = next(QPoint(x, y) for y in range(2, grid.height(), 4) for x in range(2, grid.width(), 4)
                if grid.unit_at(QPoint(x, y)) == unit)
    qtbot.mouseMove(grid, tile + QPoint(2, 2))  # the pointer comes in (Qt's first move only enters)
    qtbot.mouseMove(grid, tile)
    qtbot.waitUntil(lambda: plot.unit_image.isVisible())
    network = page.network
    points = grid_points(plot.bounds, 100)
    direct = np.tanh(points @ network.weights[0][:, unit] + network.biases[0][unit]).reshape(100, 100)
    np.testing.assert_allclose(plot.unit_image.image, direct, rtol=1e-5, atol=1e-5)
    assert f"Unit {unit}" in plot.unit_label.textItem.toPlainText()

    grid.unit_hovered.emit(-1)  # the pointer left the tile
    assert not plot.unit_image.isVisible()
    qtbot.mouseClick(grid, Qt.LeftButton, pos=tile)
    grid.unit_hovered.emit(-1)
    assert plot.unit_image.isVisible() and window.view.inside.shown_unit == unit
    qtbot.mouseClick(grid, Qt.LeftButton, pos=tile)
    assert not plot.unit_image.isVisible()


def test_the_units_panel_follows_training(qtbot, window, page):
    """The maps shown are the trained network's, not the initial one's."""
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > 200, timeout=20000)
    page.settle(qtbot)
    page.draw_now()
    network = page.network
    grid = window.view.inside.units
    r = grid.displayed_maps().shape[-1]
    points = grid_points(window.view.boundary.bounds, r)
    direct = np.tanh(points @ network.weights[0] + network.biases[0]).T.reshape(-1, r, r)
    np.testing.assert_allclose(grid.displayed_maps(), direct[grid.order()], atol=1e-5)


# The linear baseline -----------------------------------------------------------------------
def test_the_linear_baseline_draws_logistic_regressions_boundary(qtbot, window, page):
    """Toggling the baseline draws the boundary of a logistic regression on the same points
    (fitted on another thread, so the window does not wait for scikit-learn)."""
    plot = window.view.boundary
    assert not plot.baseline.isVisible()
    with qtbot.waitSignal(window.view.baseline_fitted):
        window.view.baseline_box.setChecked(True)
    assert plot.baseline.isVisible()
    baseline = fit_linear_baseline(page.dataset)
    probs = baseline.probabilities(grid_points(plot.bounds, 100, np.float64)).reshape(100, 100, -1)
    expected = boundary_segments(probs, plot.bounds)
    x, y = plot.baseline.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), expected, atol=1e-9)
    assert f"{baseline.train_accuracy:.1%}" in window.view.plot_note.text()
    window.view.baseline_box.setChecked(False)
    assert not plot.baseline.isVisible()


def test_a_reset_keeps_the_points_and_their_baseline(qtbot, window, page):
    """Reset (or a new hidden size) makes a new network on the same points: the points and the
    baseline stay as they are (5000 points take a while to set, a fit longer), still shown."""
    plot = window.view.boundary
    with qtbot.waitSignal(window.view.baseline_fitted):
        window.view.baseline_box.setChecked(True)
    fitted, shown = window.view.linear, plot.train_points.getData()[0]
    window.controls.size_buttons[20].click()
    qtbot.wait(100)  # a fit that was wrongly started would have time to land
    assert page.latest.network.layer_sizes[1] == 20
    assert window.view.linear is fitted and plot.baseline.isVisible()
    assert np.shares_memory(plot.train_points.getData()[0], shown)  # not set again
    np.testing.assert_array_equal(plot.train_points.getData()[0], page.dataset.X_train[:, 0])


# Drawing -----------------------------------------------------------------------------------
def test_clicking_in_draw_mode_adds_a_point_and_training_carries_on(qtbot, window, page):
    """A click adds a training point of the chosen class where it lands; the run keeps its step."""
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > 50, timeout=20000)
    before = len(page.dataset.y_train)
    window.controls.draw_button.click()
    window.controls.class_buttons.button(1).click()
    _click(qtbot, window.view.boundary, 0.25, 1.5)
    data = page.dataset
    assert len(data.y_train) == before + 1
    np.testing.assert_allclose(data.X_train[-1], (0.25, 1.5), atol=0.03)
    assert data.y_train[-1] == 1
    assert page.config.dataset == CUSTOM
    assert "your points" in window.controls.dataset.currentText()
    page.settle(qtbot)
    assert page.step_count > 50  # not a new network
    assert len(page.trainer.data.y_train) == before + 1  # the trainer trains on the new point


def test_dragging_sprays_and_right_click_removes_the_nearest(qtbot, window, page):
    """A drag adds points along the way; a right click removes the point nearest to it."""
    window.controls.draw_button.click()
    before = len(page.dataset.y_train)
    _drag(window.view.boundary, [(-1.0 + 0.1 * i, 1.6) for i in range(8)])
    data = page.dataset
    added = len(data.y_train) - before
    assert added >= 7 * 2
    assert np.all(np.abs(data.X_train[before:, 1] - 1.6) < 0.5)
    # A sprayed point inside the view (the spray is random: one may land beyond the plot's edge,
    # where a click does not reach the plot).
    (x0, x1), (y0, y1) = window.view.boundary.getViewBox().viewRange()
    sprayed = data.X_train[before:]
    inside = (sprayed[:, 0] > x0 + 0.2) & (sprayed[:, 0] < x1 - 0.2) & (sprayed[:, 1] > y0 + 0.2) & (sprayed[:, 1] < y1 - 0.2)
    target = sprayed[np.flatnonzero(inside)[0]]
    _click(qtbot, window.view.boundary, *target, button=Qt.RightButton)
    remaining = page.dataset
    assert len(remaining.y_train) == len(data.y_train) - 1
    assert not np.any(np.all(remaining.X_train == target, axis=1))


def test_drawing_a_new_class_gives_the_network_an_output_for_it(qtbot, window, page):
    """Class 2 drawn into two-class data makes a network with three outputs."""
    window.controls.draw_button.click()
    window.controls.class_buttons.button(2).click()
    _click(qtbot, window.view.boundary, 0.0, 1.7)
    assert page.network.layer_sizes == (2, 5, 3)
    assert page.dataset.classes == 3


def test_without_draw_mode_clicks_do_not_add_points(qtbot, window, page):
    """Outside draw mode the plot pans and zooms as before; the points stay."""
    before = len(page.dataset.y_train)
    _click(qtbot, window.view.boundary, 0.0, 0.0)
    assert len(page.dataset.y_train) == before


def test_the_users_points_come_back_after_a_built_in_set(window, page):
    """Choosing moons after drawing, then "your points" again, brings the drawn points back."""
    window.controls.draw_button.click()
    window.view.boundary.draw_box.points_drawn.emit(np.array([[3.0, 3.0]]))
    drawn = page.dataset
    combo = window.controls.dataset
    combo.setCurrentIndex(combo.findData("circles"))
    assert page.dataset.name == "circles"
    combo.setCurrentIndex(combo.findData(CUSTOM))
    X, _ = page.dataset.merged()
    assert len(X) == len(drawn.merged()[0]) and np.any(np.all(X == (3.0, 3.0), axis=1))


# CSV files ---------------------------------------------------------------------------------
def test_opening_a_csv_trains_on_its_points(qtbot, window, page, tmp_path):
    """A CSV of three named classes becomes the data; settings that do not apply are disabled."""
    path = _three_class_csv(tmp_path)
    assert window.files.open_data(path)
    data = page.dataset
    assert data.label_names == ("ant", "bee", "cat")
    assert len(data.y_train) + len(data.y_test) == 120
    assert round(len(data.y_test) / 120, 2) == page.config.test_fraction
    assert page.network.layer_sizes == (2, 5, 3)
    c = window.controls
    assert "points" in c.dataset.currentText() and not c.samples.isEnabled() and not c.noise.isEnabled()
    page.start()
    qtbot.waitUntil(lambda: page.latest.latest.train_accuracy > 0.9, timeout=20000)
    page.settle(qtbot)


@pytest.mark.parametrize("text", ["", "x,y,label\n1,2,a\n3,oops,b\n", "x,y,label\n1,2,a\n3,4,a\n"])
def test_a_bad_csv_is_refused_and_nothing_is_lost(window, page, tmp_path, text):
    """A malformed file gets one sentence; the data, network and settings stay as they were."""
    data, trainer, config = page.dataset, page.trainer, page.config
    assert not window.files.open_data(_csv(tmp_path, text))
    assert len(window.errors) == 1 and "points.csv" in window.errors[0]
    assert page.dataset is data and page.trainer is trainer and page.config == config


def test_saving_the_points_as_csv_reads_back_the_same(qtbot, window, page, tmp_path):
    """Save points writes every point with its label; reading it gives them back."""
    path = str(tmp_path / "saved.csv")
    assert write_file(qtbot, window.files.save_data, path) == ""
    back = read_data_csv(path)
    X, y = page.dataset.merged()
    np.testing.assert_array_equal(back.X_train, X)
    np.testing.assert_array_equal(back.y_train, y)


def test_more_than_two_features_are_shown_at_the_others_means(window, page, tmp_path):
    """With three features the boundary is drawn over the first two, the third at its mean,
    the window says so, and draw mode is refused."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    lines = ["a,b,c,label"] + [f"{p[0]},{p[1]},{p[2]},{int(p[0] + p[2] > 0)}" for p in X]
    assert window.files.open_data(_csv(tmp_path, "\n".join(lines)))
    page.draw_now()
    plot, data = window.view.boundary, page.dataset
    mean_c = data.feature_means[2]
    points = grid_points(plot.bounds, 100, fill=[mean_c])
    expected = page.network.predict_proba(points).reshape(100, 100, 2)
    np.testing.assert_allclose(plot.probability_image(), expected, rtol=1e-5, atol=1e-6)
    assert "Showing a and b; c held at its mean" in window.view.plot_note.text()
    window.controls.draw_button.click()
    assert not window.controls.draw_button.isChecked() and not window.view.drawing


def test_a_run_on_own_points_saves_and_opens_with_them(make_window, tmp_path):
    """A saved run keeps the user's points and their names; opening it offers them again."""
    window = make_window()
    page = WindowPage(window)
    window.files.open_data(_three_class_csv(tmp_path))
    path = str(tmp_path / "run.nnviz")
    save_run(path, page.config, page.trainer)
    other = make_window()
    assert other.files.open_file(path)
    assert WindowPage(other).dataset.label_names == ("ant", "bee", "cat")
    assert other.controls.dataset.currentData() == CUSTOM


def test_a_picture_of_a_run_on_own_points_is_refused(qtbot, window, page, tmp_path):
    """An exported PNG of a run on the user's points cannot bring the points back: it says so."""
    window.files.open_data(_three_class_csv(tmp_path))
    png = str(tmp_path / "shot.png")
    assert write_file(qtbot, window.files.export_plots, png) == ""
    config = page.config
    assert not window.files.open_file(png)
    assert "picture does not hold" in window.errors[-1] and page.config == config


def test_a_window_closed_on_own_points_reopens_on_built_in_data(make_window, tmp_path):
    """The settings remember everything but the points (which they cannot hold): the next
    window starts on the default dataset with the other settings kept."""
    window = make_window()
    window.files.open_data(_three_class_csv(tmp_path))
    window.controls.hidden.setValue(7)
    window.close()
    restored = load_config(window.settings)
    assert restored.dataset == TrainingConfig.dataset and restored.hidden == (7,)
    assert WindowPage(make_window(restored)).dataset.name == TrainingConfig.dataset


# Found in review ---------------------------------------------------------------------------
def _three_feature_csv(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    return _csv(tmp_path, "\n".join(["a,b,c,label"] + [f"{p[0]},{p[1]},{p[2]},{int(p[0] + p[2] > 0)}" for p in X]))


def test_opening_three_features_mid_run_and_going_back_draws_without_error(qtbot, window, page, tmp_path):
    """Between a two- and a three-feature set, no frame pairs a network with the other's grid
    (with the baseline and draw mode on, which draw on that grid too)."""
    with qtbot.waitSignal(window.view.baseline_fitted):
        window.view.baseline_box.setChecked(True)
    window.controls.draw_button.click()
    qtbot.wait(100)  # past the redraw throttle, so a stale frame would be drawn at once
    assert window.files.open_data(_three_feature_csv(tmp_path))
    assert not window.view.drawing and not window.controls.draw_button.isChecked()
    qtbot.wait(100)
    page.draw_now()
    combo = window.controls.dataset
    combo.setCurrentIndex(combo.findData("moons"))
    qtbot.wait(100)
    page.draw_now()
    plot = window.view.boundary
    expected = page.network.predict_proba(grid_points(plot.bounds, 100)).reshape(100, 100, 2)
    np.testing.assert_allclose(plot.probability_image(), expected, rtol=1e-5, atol=1e-6)


def test_a_baseline_without_two_training_classes_says_so(qtbot, window, page):
    """When the training points hold one class, the baseline is left out with a sentence."""
    window.view.baseline_box.setChecked(True)
    window.controls.samples.setValue(10)
    with qtbot.waitSignal(window.view.baseline_fitted):
        window.controls.test_fraction.setValue(0.9)
    assert len(set(page.dataset.y_train.tolist())) == 1
    assert not window.view.boundary.baseline.isVisible()
    assert "fewer than two classes" in window.view.plot_note.text()


def test_drawn_points_reach_the_compare_tab_and_the_title(window, page):
    """A sweep started after drawing trains on the drawn points."""
    window.controls.draw_button.click()
    window.view.boundary.draw_box.points_drawn.emit(np.array([[2.5, 1.5]]))
    assert window.compare.dataset is page.dataset
    assert window.compare.base.dataset == CUSTOM and "your points" in window.windowTitle()


def test_figures_follow_an_edit_made_while_paused(window, page):
    """Points added while paused change the accuracy shown at once (the network has not moved)."""
    data = page.dataset
    wrong = data.X_train[data.y_train == 0][:40]
    window.controls.draw_button.click()
    window.controls.class_buttons.button(1).click()
    window.view.boundary.draw_box.points_drawn.emit(wrong)  # class-0 places, labelled 1
    edited = page.dataset
    _, expected = page.network.evaluate(edited.X_train, edited.y_train, 0.0)
    assert page.latest.latest.train_accuracy == pytest.approx(expected)


def test_the_unit_overlay_shares_the_maps_colour_scale(qtbot, make_window):
    """With an unbounded activation the plot's overlay uses the grid's one scale, not its own."""
    window = make_window(TrainingConfig(hidden=6, activation="relu"))
    page = WindowPage(window)
    page.draw_now()
    grid = window.view.inside.units
    grid.unit_selected.emit(int(grid.order()[-1]))  # the weakest unit, on the last tile
    page.draw_now()
    assert activation_range("relu", grid.displayed_maps()[-1])[1] < grid.levels()[1]  # its own scale is narrower
    np.testing.assert_allclose(window.view.boundary.unit_image.levels, grid.levels())


def test_drawing_for_a_single_sigmoid_unit_carries_on(qtbot, make_window):
    """Two classes with a sigmoid output have one output unit, which tells both: a point drawn
    of either class is trained on by the same network, from the step it was at."""
    window = make_window(TrainingConfig(hidden=5, output="sigmoid"))
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > 50, timeout=20000)
    window.controls.draw_button.click()
    window.controls.class_buttons.button(1).click()
    _click(qtbot, window.view.boundary, 0.25, 1.5)
    page.settle(qtbot)
    assert page.network.layer_sizes[-1] == 1
    assert page.step_count > 50  # not a new network
