"""The Compare tab: sweeps on the Train view's data, tiles, pins and exports (offscreen)."""

import csv
import json

import numpy as np
import pytest
from gui_helpers import WindowPage, write_file
from PyQt5.QtCore import QSettings
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QApplication

from nnviz.core.analysis.grid import grid_points
from nnviz.core.config import TrainingConfig
from nnviz.core.training.experiment import build_trainer
from nnviz.core.training.sweep import SweepSnapshot, parse_values, write_rows_csv
from nnviz.gui.compare.pins import PINS_KEY, Pin, pins_rows, split_labels
from nnviz.gui.compare.sweep_view import SweepFigure
from nnviz.gui.files import export
from nnviz.gui.files.picture_export import SWEEP_KEY
from nnviz.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    window = MainWindow(TrainingConfig(hidden=5, samples=100), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    QApplication.setActiveWindow(window)
    window.tabs.setCurrentWidget(window.compare)
    yield window
    window.close()
    assert not page.has_any_process


def _run(qtbot, window, setting, values, steps=100):
    compare = window.compare
    compare.setting.setCurrentIndex(compare.setting.findData(setting))
    compare.values.setText(values)
    compare.run_button.click()
    qtbot.waitUntil(lambda: compare.latest is not None and compare.latest.step >= steps, timeout=20000)


def test_a_sweep_trains_one_tile_per_value_on_the_train_views_data(qtbot, window, page):
    """Run sweep makes a tile per value, trains them together on the same data, and draws each."""
    _run(qtbot, window, "hidden", "1, 3, 8")
    compare = window.compare
    page.settle_compare(qtbot)
    compare.draw_now()
    assert [t.title.text().split("<b>")[1][:-4] for t in compare.figure.tiles] == ["1 hidden", "3 hidden", "8 hidden"]
    assert page.compare_session.dataset is page.dataset
    snapshot = page.compare_session.snapshot()
    for tile, network in zip(compare.figure.tiles, snapshot.networks):
        shown = tile.plot.probability_image()
        r = shown.shape[0]
        expected = network.predict_proba(grid_points(tile.plot.bounds, r)).reshape(r, r, -1)
        np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)
    assert len(compare.figure.curves) == 3
    assert all(len(c.getData()[0]) > 1 for c in compare.figure.curves)


def test_the_sweep_varies_only_its_setting(qtbot, window, page):
    """A learning-rate sweep keeps the Train view's other settings."""
    _run(qtbot, window, "lr", "0.1, 0.5", steps=20)
    configs = page.sweep.configs()
    assert [c.lr for c in configs] == [0.1, 0.5]
    assert all(c.hidden == (5,) and c.samples == 100 for c in configs)


def test_pause_step_and_reset_act_on_the_whole_sweep(qtbot, window, page):
    """Pause stops all networks, Step advances them all by one, Reset returns to step 0."""
    _run(qtbot, window, "hidden", "2, 4")
    compare = window.compare
    compare.train_button.click()
    assert not page.compare_session.is_running
    qtbot.waitUntil(lambda: page.compare_session.is_settled)  # the sweep is back from the process
    stopped = page.compare_trainer.step_count
    compare.step_button.click()
    qtbot.waitUntil(lambda: compare.latest.step == stopped + 1)
    compare.reset_button.click()  # the new sweep is built on a thread
    qtbot.waitUntil(lambda: compare.latest.step == 0 and page.compare_trainer is not None)
    assert page.compare_trainer.step_count == 0


def test_training_one_pauses_the_other(qtbot, window, page):
    """The sweep and the Train view never train at once: starting one pauses the other."""
    _run(qtbot, window, "hidden", "2, 4", steps=10)
    page.start()
    assert page.is_running and not page.compare_session.is_running
    page.compare_session.start()
    assert page.compare_session.is_running and not page.is_running


def test_clicking_a_tile_continues_that_network_in_the_train_view(qtbot, window, page):
    """A tile click opens its network in the Train view at the sweep's step, and it keeps training."""
    _run(qtbot, window, "hidden", "3, 7", steps=200)
    window.compare.figure.tiles[1].clicked.emit()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.view)  # once the sweep is back
    assert page.config.hidden == (7,) and window.controls.hidden.value() == 7
    taken_at = page.step_count
    assert taken_at >= 200
    qtbot.waitUntil(lambda: page.latest.step > taken_at + 100)
    assert page.latest.network.layer_sizes == (2, 7, 2)
    assert page.is_running and not page.compare_session.is_running


def test_bad_values_say_what_is_wrong_and_change_nothing(qtbot, window, page):
    """A bad list shows a sentence and leaves the current sweep running as it was."""
    _run(qtbot, window, "hidden", "2, 4", steps=10)
    sweep = page.sweep
    for text, words in (("", "separated by commas"), ("3, 3", "twice"), ("3, 501", "width"), ("a, b", "joined by x"),
                        ("8x8x8x8x8x8x8", "at most 6 hidden layers")):
        window.compare.values.setText(text)
        window.compare.run_button.click()
        assert words in window.compare.message.text()
        assert page.sweep is sweep


def test_values_parse_per_setting():
    """Shapes for the hidden layers (a width, widths joined by x, 0 for none), numbers for
    numeric settings, names for activations."""
    assert parse_values("hidden", "1, 2,3") == ((1,), (2,), (3,))
    assert parse_values("hidden", "8, 8x8, 8×8×4 ,0") == ((8,), (8, 8), (8, 8, 4), ())
    assert parse_values("lr", "0.1, 1e-2") == (0.1, 0.01)
    assert parse_values("activation", "tanh, relu") == ("tanh", "relu")


def test_grid_export_and_csv(qtbot, window, page, tmp_path):
    """The grid PNG carries the base config, the sweep and the step; the CSV has one row per value."""
    _run(qtbot, window, "hidden", "2, 6", steps=50)
    page.settle_compare(qtbot)
    png, table = tmp_path / "grid.png", tmp_path / "grid.csv"
    assert write_file(qtbot, window.files.export_plots, str(png)) == ""
    assert QImage(str(png)).width() == 2 * window.compare.figure.width()
    texts = export.read_png_texts(png)
    assert json.loads(texts[SWEEP_KEY]) == {"setting": "hidden", "values": [[2], [6]]}
    assert json.loads(texts[export.CONFIG_KEY])["samples"] == 100
    assert int(texts[export.STEP_KEY]) == page.compare_latest.step
    assert write_file(qtbot, window.files.export_csv, str(table)) == ""
    rows = list(csv.DictReader(table.open()))
    assert [r["value"] for r in rows] == ["2", "6"]
    assert all(int(r["step"]) == page.compare_latest.step for r in rows)


def test_pins_build_a_gallery_by_hand(qtbot, window, page, tmp_path):
    """Pin, change the hidden size, pin again: the gallery holds both pictures and exports them.
    It is built when it is seen, not while pinning from the Train view."""
    window.tabs.setCurrentWidget(window.view)
    page.step(5)
    qtbot.waitUntil(lambda: page.latest.step == 5)
    window.controls.pin_button.click()
    window.controls.size_buttons[20].click()
    window.pin()
    compare = window.compare
    assert compare.show_pins.text() == "Pinned (2)"
    assert [p.config.hidden for p in compare.pins] == [(5,), (20,)]
    assert not compare.pinned.tiles
    compare.show_pins.click()
    window.tabs.setCurrentWidget(compare)
    assert [t.plot.probability_image() is not None for t in compare.pinned.tiles] == [True, True]
    assert write_file(qtbot, window.files.export_plots, str(tmp_path / "pins.png")) == ""
    pins = json.loads(export.read_png_texts(tmp_path / "pins.png")[PINS_KEY])
    assert [p["config"]["hidden"] for p in pins] == [[5], [20]] and [p["step"] for p in pins] == [5, 0]
    assert write_file(qtbot, window.files.export_csv, str(tmp_path / "pins.csv")) == ""
    assert len(list(csv.DictReader((tmp_path / "pins.csv").open()))) == 2


def test_a_gallery_names_what_its_pictures_share_once():
    """Above the gallery what every pin shares; on each tile what is its own, or its place."""
    labels = ["moons · 2-5-2 tanh · sgd, lr 1 · step 5", "moons · 2-20-2 tanh · sgd, lr 1 · step 5",
              "moons · 2-20-2 tanh · sgd, lr 1 · step 5"]
    assert split_labels(labels) == ("moons · sgd, lr 1 · step 5", ["2-5-2 tanh", "2-20-2 tanh", "2-20-2 tanh"])
    assert split_labels(labels[1:]) == (labels[1], ["pin 1", "pin 2"])
    assert split_labels(labels[:1]) == ("", labels[:1])
    assert split_labels(["a · b", "c · d"]) == ("", ["a · b", "c · d"])


def test_sixteen_long_named_pins_keep_the_window_on_the_screen(qtbot, window, page):
    """Pins of networks whose names are long (deep, seven inputs, an optimiser, dropout) fit a
    1400 x 900 window: their tiles scroll rather than widen or heighten the window (they once
    made it 4,622 pixels wide)."""
    window.resize(1400, 900)
    window.tabs.setCurrentWidget(window.view)
    page.session.open_config(TrainingConfig(hidden=(50, 20, 8), samples=100, optimizer="nesterov", momentum=0.9,
                                              dropout=0.2, features=("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1")))
    for count in range(16):
        page.step(1)
        qtbot.waitUntil(lambda count=count: page.latest.step == count + 1)
        window.pin()
    window.tabs.setCurrentWidget(window.compare)
    window.compare.show_pins.click()
    qtbot.wait(200)  # the layout settles
    assert window.width() <= 1400 and window.height() <= 900
    assert window.minimumSizeHint().width() <= 1400 and window.minimumSizeHint().height() <= 900
    tiles = window.compare.pinned.tiles
    assert [t.title.text().endswith(f"step {k + 1}</b>") for k, t in enumerate(tiles)] == [True] * 16
    assert all(t.plot.height() >= t.plot.minimumHeight() for t in tiles)  # squeezed to nothing never
    assert "nesterov" in window.compare.pinned.heading.text()


def test_exporting_before_any_sweep_says_so(qtbot, window, monkeypatch):
    """With nothing to export, a sentence says what to do first."""
    messages = []
    monkeypatch.setattr("PyQt5.QtWidgets.QMessageBox.warning", lambda *args: messages.append(args[2]))
    assert write_file(qtbot, window.files.export_plots, "/tmp/never.png")
    assert "run a sweep or pin a picture first" in messages[-1]


def test_train_without_a_sweep_stays_unpressed(window, page):
    """Train before any sweep does nothing and says so by staying unchecked."""
    window.compare.train_button.click()
    assert not window.compare.train_button.isChecked() and not page.compare_session.is_running


def test_an_empty_gallery_is_not_exported(qtbot, window, monkeypatch, tmp_path):
    """With the gallery showing and no pins, export and CSV say there is nothing to export."""
    messages = []
    monkeypatch.setattr("PyQt5.QtWidgets.QMessageBox.warning", lambda *args: messages.append(args[2]))
    window.compare.show_pins.click()
    assert write_file(qtbot, window.files.export_plots, str(tmp_path / "pins.png"))
    assert write_file(qtbot, window.files.export_csv, str(tmp_path / "pins.csv"))
    assert len(messages) == 2 and all("nothing to export" in m for m in messages)
    assert not list(tmp_path.iterdir())


def test_pinned_grid_carries_the_single_export_metadata(qtbot, window, page, tmp_path):
    """A pinned grid PNG has the config and step chunks of a single export (of the last pin)."""
    window.tabs.setCurrentWidget(window.view)
    page.step(3)
    qtbot.waitUntil(lambda: page.latest.step == 3)
    window.pin()
    window.tabs.setCurrentWidget(window.compare)
    window.compare.show_pins.click()
    assert write_file(qtbot, window.files.export_plots, str(tmp_path / "pins.png")) == ""
    texts = export.read_png_texts(tmp_path / "pins.png")
    assert json.loads(texts[export.CONFIG_KEY])["hidden"] == [5] and texts[export.STEP_KEY] == "3"


def test_tiles_draw_a_share_per_turn_and_then_the_rest(qtbot):
    """With no time to spare, one tile is drawn at once and the others in later turns of the
    event loop, in order; an export's finish() draws whatever is still waiting."""
    config = TrainingConfig(hidden=3, samples=60)
    trainers = [build_trainer(config) for _ in range(4)]
    snaps = [t.snapshot() for t in trainers]
    snapshot = SweepSnapshot(step=0, networks=[s.network for s in snaps], histories=[s.history for s in snaps],
                             latest=[s.latest for s in snaps], steps_per_second=0.0, divergences=[None] * 4)
    figure = SweepFigure()
    qtbot.addWidget(figure)
    figure.set_tiles(list("abcd"), True, [trainers[0].data] * 4, "four")
    figure.show_snapshot(snapshot, budget=0.0)
    assert [t.plot.probability_image() is not None for t in figure.tiles] == [True, False, False, False]
    qtbot.waitUntil(lambda: all(t.plot.probability_image() is not None for t in figure.tiles), timeout=2000)
    other = build_trainer(TrainingConfig(hidden=3, samples=80)).data
    figure.set_tiles(list("ab"), True, [other] * 2, "two")  # tiles used again, on new points
    figure.show_snapshot(snapshot, budget=0.0)
    assert [t.plot.probability_image() is not None for t in figure.tiles] == [True, False]
    figure.finish()
    assert all(t.plot.probability_image() is not None for t in figure.tiles)
    tiles, curves = list(figure.tiles), list(figure.curves)
    figure.set_tiles(list("ab"), True, [other] * 2, "two again")  # a reset: everything is used again
    assert figure.tiles == tiles and figure.curves == curves
    assert all(len(c.getData()[0] or ()) == 0 for c in curves)  # the curves start afresh
    clicks = []
    figure.tile_clicked.connect(clicks.append)
    figure.tiles[1].clicked.emit()
    assert clicks == [1]  # once: a tile used again is not connected twice


def test_a_sweep_over_initialisations_starts_each_network_its_own_way(qtbot, window, page):
    """Compare > Initialisation: "zeros" and "normal-1" side by side, from the same seed; the
    zeros network's hidden weights are still all 0 (tanh: nothing reaches them), the other's not."""
    _run(qtbot, window, "init", "zeros, normal-1", steps=20)
    compare = window.compare
    assert [c.init for c in page.sweep.configs()] == ["zeros", "normal-1"]
    assert [t.title.text().split("<b>")[1][:-4] for t in compare.figure.tiles] == ["init zeros", "init normal-1"]
    zeros, normal = compare.latest.networks
    assert not any(w.any() for w in zeros.weights)
    assert all(w.std() > 0.5 for w in normal.weights)


def test_a_gallery_of_both_tasks_names_each_pins_figures_for_its_task(tmp_path):
    """Pins of moons and of sine in one gallery: the CSV has accuracy columns for the moons
    pin and R² columns (train_r2, test_r2) for the sine pin, each row filling its own."""
    pins = []
    for config in (TrainingConfig(hidden=3, samples=60), TrainingConfig(dataset="sine", hidden=3, samples=60, lr=0.1)):
        trainer = build_trainer(config)
        trainer.step(5)
        pins.append(Pin(config.dataset, config, trainer.data, trainer.snapshot()))
    path = tmp_path / "pins.csv"
    write_rows_csv(path, pins_rows(pins))
    with path.open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert {"train_accuracy", "test_accuracy", "train_r2", "test_r2"} <= set(reader.fieldnames)
    moons, sine = rows
    assert float(moons["train_accuracy"]) == pins[0].snapshot.latest.train_accuracy and moons["train_r2"] == ""
    assert float(sine["train_r2"]) == pins[1].snapshot.latest.train_accuracy and sine["train_accuracy"] == ""
