"""The training window, driven through its widgets with pytest-qt (offscreen)."""

import json
import multiprocessing
import os
import threading
import time
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from gui_helpers import WindowPage, write_file
from PyQt5.QtCore import QSettings, Qt
from PyQt5.QtGui import QColor, QImage, QPainter
from PyQt5.QtWidgets import QApplication, QMessageBox, QWidget

from nnviz.core.analysis.grid import grid_points
from nnviz.core.analysis.layer_stats import activation_histograms, weight_histograms
from nnviz.core.config import TrainingConfig
from nnviz.gui.colors import BACKGROUND_COLORS, rgb
from nnviz.gui.files import export
from nnviz.gui.main_window import MainWindow
from nnviz.gui.settings import load_config
from nnviz.gui.train.plots import LossPlot


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "nnviz.ini"), QSettings.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """Build windows; every one is closed and its worker stopped at teardown."""
    windows = []

    def make(config=None, store=settings):
        window = MainWindow(config or TrainingConfig(hidden=5), store)
        qtbot.addWidget(window)
        window.show()
        # Shortcuts only reach the active window, and offscreen nothing activates it by itself.
        QApplication.setActiveWindow(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        page = WindowPage(window)
        assert page.session.shutdown()
        assert not page.has_process


@pytest.fixture
def window(make_window):
    return make_window()


def _train_until(qtbot, window, steps, timeout=20000):
    WindowPage(window).train_until(qtbot, steps, timeout)


def test_window_builds_with_title_and_tooltips(window):
    """The title says what is shown, and every control has a tooltip."""
    assert "moons" in window.windowTitle() and "5 tanh hidden units" in window.windowTitle()
    c = window.controls
    for widget in (c.dataset, c.samples, c.noise, c.test_fraction, c.seed, c.new_data, c.hidden, c.hidden_slider,
                   c.activation, c.lr, c.lr_slider, c.l2, c.momentum, c.batch_size, c.train_button, c.step_button,
                   c.reset_button, *c.size_buttons.values(), window.view.log_scale):
        assert widget.toolTip(), widget


def test_heatmap_shows_the_networks_probabilities(window, page):
    """The image holds the class probabilities of the current network at the grid covering the view."""
    page.draw_now()
    shown = window.view.boundary.probability_image()
    network = page.network
    r = shown.shape[0]
    expected = network.predict_proba(grid_points(window.view.boundary.bounds, r)).reshape(r, r, -1)
    np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "edit,check",
    [
        (lambda c: c.dataset.setCurrentText("circles"), lambda page: page.dataset.name == "circles"),
        (lambda c: c.samples.setValue(300), lambda page: len(page.dataset.y_train) + len(page.dataset.y_test) == 300),
        (lambda c: c.test_fraction.setValue(0.5), lambda page: len(page.dataset.y_test) == 100),
        (lambda c: c.hidden.setValue(17), lambda page: page.network.layer_sizes == (2, 17, 2)),
        (lambda c: c.hidden_slider.setValue(33), lambda page: page.network.layer_sizes == (2, 33, 2)),
        (lambda c: c.size_buttons[50].click(), lambda page: page.network.layer_sizes == (2, 50, 2)),
        (lambda c: c.activation.setCurrentText("relu"), lambda page: page.network.activations == ("relu",)),
    ],
)
def test_structural_controls_rebuild_the_network(window, page, edit, check):
    """Data and network controls give a fresh network at step 0 with the new setting."""
    page.step(3)
    page.session.shutdown()
    edit(window.controls)
    assert check(page)
    assert page.step_count == 0


def test_noise_and_seed_and_new_data_change_the_points(window, page):
    """Noise, seed and New data each draw different points, and the plot shows them."""
    before = page.dataset.X_train.copy()
    window.controls.noise.setValue(0.5)
    after_noise = page.dataset.X_train.copy()
    window.controls.seed.setValue(7)
    after_seed = page.dataset.X_train.copy()
    window.controls.new_data.click()
    assert window.controls.seed.value() == 8
    for a, b in ((before, after_noise), (after_noise, after_seed), (after_seed, page.dataset.X_train)):
        assert not np.array_equal(a, b)
    shown = np.column_stack(window.view.boundary.train_points.getData())
    np.testing.assert_array_equal(shown, page.dataset.X_train)


@pytest.mark.parametrize(
    "edit,attribute,value",
    [
        (lambda c: c.lr.setValue(0.05), "lr", 0.05),
        (lambda c: c.l2.setValue(0.002), "l2", 0.002),
        (lambda c: c.momentum.setValue(0.9), "momentum", 0.9),
        (lambda c: c.batch_size.setValue(32), "batch_size", 32),
    ],
)
def test_optimiser_controls_apply_without_reset(qtbot, window, page, edit, attribute, value):
    """Learning rate, L2, momentum and batch size change the running trainer and keep its step:
    the same run goes on training, with the new setting."""
    _train_until(qtbot, window, 50)
    before = page.latest.history
    edit(window.controls)
    qtbot.waitUntil(lambda: page.latest.step > before[-1, 0] + 50)
    page.settle(qtbot)
    assert getattr(page.trainer, attribute) == pytest.approx(value)
    # A restart would have begun a new history (at another loss from step 10 on).
    np.testing.assert_array_equal(page.trainer.history.array()[: len(before)], before)


def test_learning_rate_slider_is_logarithmic(window, page):
    """The slider's ends are 1e-4 and 10 and its middle is about 0.03."""
    slider = window.controls.lr_slider
    for position, expected in ((0, 1e-4), (slider.maximum(), 10.0), (slider.maximum() // 2, 0.032)):
        slider.setValue(position)
        assert page.trainer.lr == pytest.approx(expected, rel=0.05)


def test_log_scale_toggles_the_loss_axis(window):
    """The log-scale box switches the loss plot's y axis."""
    window.view.log_scale.setChecked(True)
    assert window.view.loss.getPlotItem().ctrl.logYCheck.isChecked()
    window.view.log_scale.setChecked(False)
    assert not window.view.loss.getPlotItem().ctrl.logYCheck.isChecked()


def test_training_in_the_worker_lowers_the_loss(qtbot, window, page):
    """Train runs on the worker; the loss falls and the loss curve grows."""
    first = page.snapshot().latest.loss
    _train_until(qtbot, window, 1000)
    page.settle(qtbot)
    page.draw_now()
    assert page.trainer.evaluate().loss < 0.5 * first
    assert len(window.view.loss.train_curve.getData()[0]) > 10
    assert window.view.frames_drawn > 1


def test_the_figures_show_the_snapshot_and_ask_for_no_new_layout(qtbot, window, page):
    """The figures read what the snapshot says, and changing them lays nothing out again: as
    labels, every new number asked the window for a new layout, which repainted every panel
    each frame."""
    from PyQt5.QtCore import QEvent, QObject

    class LayoutRequests(QObject):
        count = 0

        def eventFilter(self, _watched, event):
            self.count += event.type() == QEvent.LayoutRequest
            return False

    _train_until(qtbot, window, 200)
    window.controls.train_button.click()
    page.settle(qtbot)
    snapshot = page.snapshot()
    requests = LayoutRequests()
    for widget in (window, window.view, window.view.figures.parentWidget()):
        widget.installEventFilter(requests)
    for step in (5, 12345, 9_876_543):  # numbers of every width
        window.view.figures.show_snapshot(replace(snapshot, step=step, steps_per_second=step * 1.5), True)
        QApplication.processEvents()
    figures = window.view.figures
    assert figures.text("step") == "9,876,543" and figures.text("rate") == "14,814,814"
    assert figures.text("loss") == f"{snapshot.latest.loss:.4f}"
    assert figures.text("test_accuracy") == f"{snapshot.latest.test_accuracy:.1%}"
    assert requests.count == 0


def test_the_boundary_plot_times_its_painting(window, page):
    """The boundary plot says how long its last paint took: the view paces its frames by it."""
    window.view.boundary.paint_ms = 0.0
    page.draw_now()
    window.view.boundary.viewport().repaint()
    assert window.view.boundary.paint_ms > 0.0


def test_pause_stops_the_step_count(qtbot, window, page):
    """After Pause, the step count does not move."""
    _train_until(qtbot, window, 100)
    window.controls.train_button.click()
    assert not page.is_running and window.controls.train_button.text() == "Train"
    qtbot.waitUntil(lambda: page.is_settled)  # the trainer is back from the process
    stopped = page.step_count
    assert page.latest.step == stopped
    qtbot.wait(200)
    assert page.step_count == stopped and page.latest.step == stopped


def test_step_advances_exactly_one(qtbot, window, page):
    """Step (button and S key) does exactly one update each."""
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: page.latest.step == 1)
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: page.latest.step == 2)
    qtbot.waitUntil(lambda: page.is_settled)
    assert page.step_count == 2


def test_space_trains_and_pauses_r_resets(qtbot, window, page):
    """Space starts and pauses; R returns to step 0 with the same initial weights."""
    initial = page.network.weights[0].copy()
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: page.is_running and page.latest.step > 20)
    qtbot.keyClick(window, Qt.Key_Space)
    assert not page.is_running
    qtbot.keyClick(window, Qt.Key_R)
    assert page.step_count == 0 and page.latest.step == 0
    np.testing.assert_array_equal(page.network.weights[0], initial)


def test_changing_hidden_size_while_training_keeps_training(qtbot, window, page):
    """A new hidden size restarts at step 0 with that size and goes on training."""
    _train_until(qtbot, window, 200)
    window.controls.size_buttons[20].click()
    assert page.is_running
    qtbot.waitUntil(lambda: page.latest.network.layer_sizes == (2, 20, 2) and page.latest.step > 50)
    assert window.controls.train_button.text() == "Pause"


def test_divergence_pauses_and_says_what_to_do(qtbot, make_window):
    """A learning rate that diverges stops training, keeps finite weights and says so."""
    window = make_window(TrainingConfig(hidden=5, lr=1e6, activation="relu"))
    page = WindowPage(window)
    with qtbot.waitSignal(page.session.diverged, timeout=10000):
        page.start()
    qtbot.waitUntil(lambda: not page.is_running)
    assert window.view.banner.isVisible() and "smaller learning rate" in window.view.banner.text()
    assert all(np.isfinite(p).all() for p in page.network.parameters())
    stopped = page.step_count
    window.controls.lr.setValue(0.1)
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > stopped + 100)
    assert page.latest.divergence is None and page.is_running
    assert not window.view.banner.isVisible()


def _png_colours(image: QImage) -> set:
    image = image.convertToFormat(QImage.Format_RGB888)
    pixels = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), np.uint8)
    rows = pixels.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3]
    return {tuple(c) for c in rows.reshape(-1, 3)[::7]}


def test_choosing_an_initialisation_starts_a_network_drawn_that_way(window, page):
    """Init in the controls starts a fresh network by that scheme, as a new shape does."""
    window.controls.init.setCurrentIndex(window.controls.init.findData("zeros"))
    assert page.config.init == "zeros"
    snapshot = page.snapshot()
    assert snapshot.step == 0 and not any(w.any() for w in snapshot.network.weights)
    assert page.latest.network.layer_sizes == snapshot.network.layer_sizes
    window.controls.init.setCurrentIndex(window.controls.init.findData("normal-1"))
    assert page.snapshot().network.weights[0].std() > 0.5


def test_the_layer_histograms_show_the_network_drawn(make_window):
    """Activations and Weights: one histogram per layer of the network shown, computed only
    while its tab is shown, with the share of saturated units in each hidden layer's plot."""
    window = make_window(TrainingConfig(hidden=(8, 6), activation="sigmoid", init="normal-1"))
    page = WindowPage(window)
    view = window.view
    view.draw_now()
    activations, weights = view.histograms["activations"], view.histograms["weights"]
    assert activations.histograms == [] and weights.histograms == []  # not shown: not computed
    view.layer_tabs.setCurrentWidget(activations)
    network = page.latest.network
    expected = activation_histograms(network, view.data.X_train)
    assert len(activations.plots) == 2
    for bars, histogram in zip(activations.bars, expected):
        x, y = bars.getData()
        np.testing.assert_allclose(y, 100 * histogram.shares)
        np.testing.assert_allclose(x, histogram.edges)
    note = activations.notes[1].textItem.toPlainText().split()
    assert note == [f"{expected[1].stalled:.0%}", "saturated"] and activations.notes[1].isVisible()
    view.layer_tabs.setCurrentWidget(weights)
    assert len(weights.plots) == 3 and "output" in weights.plots[2].titleLabel.text
    assert not any(note.isVisible() for note in weights.notes)
    np.testing.assert_allclose(weights.bars[0].getData()[1], 100 * weight_histograms(network.weights)[0].shares)


def test_step_curves_keep_every_peak_and_the_last_point(qtbot):
    """Curves are drawn with about two points a pixel column: each column's lowest and highest,
    so a spike survives, NaN (a zero gradient on a log scale) does not blank a column, and the
    newest point is drawn as it is."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    x = np.arange(2001.0)
    y = np.sin(x / 50)
    y[1234], y[500], y[-1] = 7.0, np.nan, -3.0
    drawn_x, drawn_y = plot.thin(x, y)
    assert len(drawn_x) <= 2 * 400 + 3
    assert drawn_y.max() == 7.0 and drawn_y.min() == -3.0 and np.isfinite(drawn_y).all()
    assert (drawn_x[-1], drawn_y[-1]) == (2000.0, -3.0)
    assert np.all(np.diff(drawn_x) >= 0)
    short_x, short_y = plot.thin(x[:500], y[:500])  # few enough: drawn as they are
    assert np.array_equal(short_x, x[:500]) and np.array_equal(short_y, y[:500])


def test_export_png_has_both_class_colours_and_the_config(qtbot, window, page, tmp_path):
    """An exported PNG is 2x the plots, shows both background colours, and carries the config and step."""
    _train_until(qtbot, window, 300)
    page.settle(qtbot)
    path = tmp_path / "plots.png"
    assert write_file(qtbot, window.files.export_plots, str(path)) == ""
    image = QImage(str(path))
    assert image.width() == 2 * window.view.plots.width()
    colours = _png_colours(image)
    for end in (rgb(BACKGROUND_COLORS[0]).astype(int), rgb(BACKGROUND_COLORS[1]).astype(int)):  # confident class 0 and class 1 regions
        assert any(np.abs(np.subtract(c, end, dtype=int)).max() <= 6 for c in colours)
    texts = export.read_png_texts(path)
    assert TrainingConfig.from_dict(json.loads(texts[export.CONFIG_KEY])) == page.config
    assert int(texts[export.STEP_KEY]) == page.step_count


@pytest.mark.parametrize("scale", [1, 1.5, 2, 4])
def test_a_picture_painted_in_strips_is_the_picture_painted_at_once(qtbot, monkeypatch, scale):
    """The picture is not filled up front (80 MB at 4x): each strip whitens its own rows before
    painting them. None is left as it came from memory, and none whitened after it was painted."""

    class Stripes(QWidget):  # no background of its own: what is not painted must come out white
        def paintEvent(self, event):
            painter = QPainter(self)
            for y in range(3, self.height(), 7):
                painter.fillRect(10, y, self.width() - 20, 2, QColor("black"))

    widget = Stripes()
    widget.setAttribute(Qt.WA_NoSystemBackground)
    widget.resize(301, 203)
    qtbot.addWidget(widget)
    at_once = export.render(widget, scale)  # one strip
    monkeypatch.setattr(export, "STRIP_PIXELS", 5000)  # many strips, seams at fractional rows
    renderer = export.StripRenderer(widget, scale)
    with qtbot.waitSignal(renderer.finished, timeout=10000) as done:
        renderer.start()
    assert done.args[0] == at_once
    pixels = np.frombuffer(at_once.constBits().asstring(at_once.sizeInBytes()), np.uint32)
    assert {hex(p) for p in np.unique(pixels)} >= {"0xffffffff", "0xff000000"}  # white, and black stripes


def test_export_svg_and_window(qtbot, window, tmp_path):
    """SVG export writes an SVG; window export writes a PNG the size of the window."""
    assert write_file(qtbot, window.files.export_plots, str(tmp_path / "plots.svg")) == ""
    assert (tmp_path / "plots.svg").read_text().lstrip().startswith("<?xml")
    assert write_file(qtbot, window.files.export_window, str(tmp_path / "window.png")) == ""
    assert QImage(str(tmp_path / "window.png")).size() == window.grab().size()


def test_default_export_name_says_what_is_shown(window):
    """The suggested file name holds dataset, hidden size and step."""
    assert window.files.default_name() == "nnviz-moons-h5-tanh-step0.png"


def test_unwritable_export_path_says_so_and_changes_nothing(qtbot, window, page, tmp_path, monkeypatch):
    """Saving into a missing folder, or onto a path that is a folder, shows a message; nothing changes."""
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: messages.append(text))
    config, step = page.config, page.step_count
    assert write_file(qtbot, window.files.export_plots, str(tmp_path / "missing" / "plots.png"))
    assert "does not exist" in messages[-1]
    folder = tmp_path / "taken.png"
    folder.mkdir()
    (folder / "inside.txt").write_text("precious")
    assert write_file(qtbot, window.files.export_window, str(folder))
    assert messages[-1].startswith(f"Cannot save {folder}")
    assert (folder / "inside.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.png"]  # no temporary file left
    assert page.config == config and page.step_count == step


def test_export_never_leaves_a_partial_file(qtbot, window, tmp_path, monkeypatch):
    """If writing fails midway, the previous file at the path is untouched and no temp file remains."""
    target = tmp_path / "plots.png"
    target.write_bytes(b"old picture")
    monkeypatch.setattr(QImage, "save", lambda *args: False)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    assert write_file(qtbot, window.files.export_plots, str(target))
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["plots.png"]


def test_closing_while_training_stops_the_worker(qtbot, window, page):
    """Close during training ends the training process and its threads promptly."""
    before = threading.active_count()
    _train_until(qtbot, window, 10)
    pid = page.process_id
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 2.0
    assert not page.has_process and not page.is_running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert threading.active_count() < before + 1
    assert not [p for p in multiprocessing.active_children() if p.name == "nnviz-training"]


def test_settings_are_remembered(make_window, settings):
    """Closing stores settings and geometry; the next window starts from them."""
    first = make_window()
    first.controls.hidden.setValue(42)
    first.controls.dataset.setCurrentText("xor")
    first.view.log_scale.setChecked(True)
    first.resize(1111, 700)
    first.close()
    restored = load_config(settings)
    assert restored.hidden == (42,) and restored.dataset == "xor"
    second = make_window(restored, settings)
    assert second.controls.hidden.value() == 42 and second.view.log_scale.isChecked()
    assert second.size().width() == 1111 and second.size().height() == 700


def test_hovering_the_loss_curve_reads_out_that_step(qtbot, window, page):
    """Moving the pointer over the loss plot shows the step and losses under it."""
    _train_until(qtbot, window, 500)
    page.settle(qtbot)
    page.draw_now()
    plot = window.view.loss
    view = plot.getPlotItem().vb
    qtbot.wait(100)  # let the view range itself to the data
    history = page.latest.history  # what the plot shows
    target = history[len(history) // 2]
    widget_point = plot.mapFromScene(view.mapViewToScene(pg.Point(target[0], target[1])))
    qtbot.mouseMove(plot.viewport(), widget_point)
    pointer_step = view.mapSceneToView(plot.mapToScene(widget_point)).x()
    nearest = history[np.argmin(np.abs(history[:, 0] - pointer_step))]
    assert abs(nearest[0] - target[0]) <= 30  # the pointer is where we aimed
    text = window.view.readout.text()
    assert text.startswith(f"step {int(nearest[0]):,}   train loss {nearest[1]:.4f}")
    assert plot.cursor.isVisible() and plot.cursor.value() == nearest[0]


def test_shortcuts_and_copy(qtbot, window):
    """Ctrl+E exports, Ctrl+Q quits; Copy puts a 2x picture of the plots on the clipboard."""
    assert window.export_plots_action.shortcut().toString() == "Ctrl+E"
    QApplication.clipboard().clear()
    window.copy_action.trigger()  # painted a strip at a time: the clipboard has it a few frames later
    qtbot.waitUntil(lambda: not QApplication.clipboard().image().isNull())
    copied = QApplication.clipboard().image()
    assert copied.width() == 2 * window.view.plots.width()
    qtbot.keyClick(window, Qt.Key_Q, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_values_the_widgets_cannot_show_are_kept(make_window):
    """Settings given on the command line survive edits of other controls exactly."""
    window = make_window(TrainingConfig(hidden=5, lr=5e-5, l2=1e-6, momentum=0.123456))
    page = WindowPage(window)
    window.controls.size_buttons[20].click()
    config = page.config
    assert (config.hidden, config.lr, config.l2, config.momentum) == ((20,), 5e-5, 1e-6, 0.123456)


def test_largest_seed_fits_the_seed_box(make_window):
    """The largest seed the command line accepts opens the window and shows in the seed box."""
    window = make_window(TrainingConfig(hidden=5, seed=2**31 - 1))
    assert window.controls.seed.value() == 2**31 - 1


def test_clicking_the_current_size_keeps_it_selected(window, page):
    """A second click on the selected size button leaves it checked and the size unchanged."""
    button = window.controls.size_buttons[4]
    button.click()
    button.click()
    assert button.isChecked() and page.config.hidden == (4,)


def test_exported_files_follow_the_umask(qtbot, window, tmp_path):
    """An export is readable like any new file (not private to its owner)."""
    old = os.umask(0o022)
    try:
        assert write_file(qtbot, window.files.export_plots, str(tmp_path / "plots.png")) == ""
    finally:
        os.umask(old)
    assert (tmp_path / "plots.png").stat().st_mode & 0o777 == 0o644


def test_save_and_open_a_run_carries_on_exactly(qtbot, make_window, tmp_path):
    """Ctrl+S saves the whole run; opening it in a new window shows the same step and weights."""
    first = make_window()
    first_page = WindowPage(first)
    _train_until(qtbot, first, 200)
    assert write_file(qtbot, first.files.save_run, str(tmp_path / "run.nnviz")) == ""
    assert first_page.is_running  # saving does not stop training
    first_page.settle(qtbot)
    second = make_window(TrainingConfig(hidden=17, dataset="circles"))
    second_page = WindowPage(second)
    from nnviz.core.io.runfile import load_run

    _, saved = load_run(tmp_path / "run.nnviz")
    assert second.files.open_file(str(tmp_path / "run.nnviz"))
    assert second_page.step_count == saved.step_count >= 200
    np.testing.assert_array_equal(second_page.network.flat, saved.network.flat)
    assert second_page.config.hidden == (5,) and second.controls.hidden.value() == 5
    assert second_page.latest.step == saved.step_count


def test_opening_an_exported_png_restores_its_settings_at_step_0(qtbot, make_window, tmp_path):
    """A PNG that nnviz exported opens as its configuration, from step 0."""
    first = make_window(TrainingConfig(hidden=9, dataset="xor", noise=0.1))
    first_page = WindowPage(first)
    first_page.step(20)
    qtbot.waitUntil(lambda: first_page.latest.step == 20)
    assert write_file(qtbot, first.files.export_plots, str(tmp_path / "plots.png")) == ""
    second = make_window()
    second_page = WindowPage(second)
    assert second.files.open_file(str(tmp_path / "plots.png"))
    assert (second_page.config.hidden, second_page.config.dataset, second_page.config.noise) == ((9,), "xor", 0.1)
    assert second_page.step_count == 0 and second.controls.dataset.currentText() == "xor"


def test_opening_a_bad_file_says_what_is_wrong_and_keeps_the_run(qtbot, window, page, tmp_path, monkeypatch):
    """A text file, a truncated run and a PNG without our settings: a message each, run unchanged."""
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: messages.append(text))
    page.step(5)
    qtbot.waitUntil(lambda: page.latest.step == 5 and page.is_settled)
    before = page.network.flat.copy()
    (tmp_path / "a.txt").write_text("hello")
    assert write_file(qtbot, window.files.save_run, str(tmp_path / "run.nnviz")) == ""
    whole = (tmp_path / "run.nnviz").read_bytes()
    (tmp_path / "cut.nnviz").write_bytes(whole[: len(whole) // 3])
    QImage(8, 8, QImage.Format_RGB32).save(str(tmp_path / "plain.png"))
    for name, words in (("a.txt", "not an nnviz run"), ("cut.nnviz", "not an nnviz run"), ("plain.png", "no nnviz settings")):
        assert not window.files.open_file(str(tmp_path / name))
        assert words in messages[-1]
    assert page.step_count == 5
    np.testing.assert_array_equal(page.network.flat, before)


def test_dropping_a_run_on_the_window_opens_it(qtbot, make_window, tmp_path):
    """Drag and drop a saved run onto the window."""
    from PyQt5.QtCore import QMimeData, QPoint, QUrl
    from PyQt5.QtGui import QDropEvent

    first = make_window(TrainingConfig(hidden=8))
    first_page = WindowPage(first)
    first_page.step(3)
    qtbot.waitUntil(lambda: first_page.latest.step == 3)
    assert write_file(qtbot, first.files.save_run, str(tmp_path / "dropped.nnviz")) == ""
    second = make_window()
    second_page = WindowPage(second)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.nnviz"))])
    second.dropEvent(QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    assert second_page.config.hidden == (8,) and second_page.step_count == 3


def test_loss_history_exports_as_csv(qtbot, window, page, tmp_path):
    """The Train view's history as CSV, one row per recorded step: every step at first (the
    history is dense early)."""
    page.step(30)
    qtbot.waitUntil(lambda: page.latest.step == 30)
    assert write_file(qtbot, window.files.export_history, str(tmp_path / "h.csv")) == ""
    rows = (tmp_path / "h.csv").read_text().splitlines()
    assert rows[0].startswith("step,loss") and [r.split(",")[0] for r in rows[1:]] == [str(k) for k in range(31)]


def test_fields_clamp_what_the_engine_must_not_see(window, page):
    """Out-of-range, infinite or NaN entries end up clamped to a valid, finite setting."""
    from PyQt5.QtWidgets import QAbstractSpinBox

    boxes = [b for b in window.controls.findChildren(QAbstractSpinBox)]
    assert len(boxes) >= 9
    for box in boxes:
        whole = isinstance(box.value(), int)
        for bad in (-(10**9), 10**9) if whole else (-1e12, 1e12, float("inf"), float("-inf"), float("nan")):
            box.setValue(bad)
            assert box.minimum() <= box.value() <= box.maximum()
    config = page.config.validated()  # raises if anything reached it out of range
    assert config.samples >= 10 and config.hidden[0] >= 1 and config.lr > 0


def test_saving_a_run_where_it_cannot_be_written_says_so(qtbot, window, tmp_path, monkeypatch):
    """Save run into a missing folder: a message, no file, the run goes on untouched."""
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: messages.append(text))
    assert write_file(qtbot, window.files.save_run, str(tmp_path / "missing" / "run.nnviz"))
    assert "does not exist" in messages[-1] and not list(tmp_path.iterdir())
