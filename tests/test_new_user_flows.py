"""What a new user met trying the timeline, the Compare tab, file dialogs and the Help menu for
the first time (issue 24): each test states the behaviour that was missing."""

import html
import json
import re
from pathlib import Path

import numpy as np
from gui_helpers import WindowPage
from PIL import Image
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtWidgets import QFileDialog, QMessageBox

from nnviz.core.analysis.units import unit_maps
from nnviz.core.config import TrainingConfig
from nnviz.core.io.runfile import save_run
from nnviz.core.model.optimizers import OPTIMIZERS
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.gui import help_dialogs
from nnviz.gui.files.movie_dialog import TIMELINE, TRAIN_VIEW, export_movie

README = Path(__file__).resolve().parents[1] / "README.md"


def _trained(qtbot, window, steps):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest.step >= steps, timeout=30000)
    page.settle(qtbot)


def _sweep(qtbot, window, values="3, 7", steps=200):
    return WindowPage(window).run_sweep(qtbot, values, past=steps - 1)


# The timeline -----------------------------------------------------------------------------------
def test_continue_from_here_pauses_the_replay_while_it_asks(qtbot, make_window, monkeypatch):
    """Continue from here pressed during Replay: the replay stops before the question, so the
    step asked about is the one on screen while the user decides, and Yes continues from it."""
    window = make_window(TrainingConfig(hidden=(8, 8), samples=100, optimizer="adam", lr=0.05))
    page = WindowPage(window)
    _trained(qtbot, window, 1000)
    bar = window.view.timeline
    bar.speed.setCurrentIndex(bar.speed.count() - 1)  # the fastest
    bar.slider.setValue(5)
    bar.play.click()
    qtbot.waitUntil(lambda: window.replay.index is not None and window.replay.index >= 10, timeout=10000)
    asked = []

    def question(parent, title, text, *args):
        asked.append((text, bar.play.isChecked(), page.shown.step, bar.where.text()))
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    bar.continue_button.click()
    text, playing, shown, where = asked[0]
    step = int(re.search(r"from step ([\d,]+)", text).group(1).replace(",", ""))
    assert not playing and not window.replay.playing
    assert shown == step and where.startswith(f"step {step:,} ·")
    assert window.statusBar().currentMessage().startswith(f"Continuing from step {step:,}:")
    assert page.is_running


def test_the_timeline_slider_moves_after_a_run_is_opened_onto_a_fresh_one(qtbot, make_window, tmp_path):
    """File > Open of a saved run just after the data changed (a fresh run of one moment): the
    slider spans the opened run's moments at once, and a click on it shows an earlier moment."""
    config = TrainingConfig(hidden=5, samples=100)
    trainer = build_trainer(config)
    trainer.step(300)
    save_run(tmp_path / "run.nnviz", config, trainer)
    window = make_window(config)
    page = WindowPage(window)
    window.controls.dataset.setCurrentText("circles")  # new data: a fresh run
    assert page.config.dataset == "circles" and len(page.timeline) == 1
    assert window.files.open_file(str(tmp_path / "run.nnviz"))
    bar = window.view.timeline
    count = len(page.timeline)
    assert count > 50 and bar.slider.maximum() == count - 1 and bar.slider.value() == count - 1
    qtbot.mouseClick(bar.slider, Qt.LeftButton, pos=QPoint(3, bar.slider.height() // 2))  # a page to the left
    qtbot.waitUntil(lambda: window.replay.index is not None, timeout=5000)
    assert window.replay.index < count - 1
    assert page.shown.step == page.timeline.moments[window.replay.index].step


# A network taken out of a sweep -----------------------------------------------------------------
def test_a_network_taken_out_of_a_sweep_brings_its_moments():
    """The lone trainer of a sweep's network has that network's part of every moment the sweep
    kept, from step 0: the same moments, weights and optimiser states as had it trained alone,
    and going back to one carries on exactly as alone."""
    base = TrainingConfig(hidden=5, samples=100, optimizer="adam", lr=0.05, batch_size=30, dtype="float64")
    configs = Sweep(base, "hidden", ((4,), (6, 3))).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=25)
    sweep.step(300)
    taken = sweep.trainer(1)
    alone = build_trainer(configs[1], data, log_every=25)
    alone.step(300)
    assert taken.timeline.steps == alone.timeline.steps and taken.timeline.steps[0] == 0
    for mine, its in zip(taken.timeline.moments, alone.timeline.moments):
        np.testing.assert_allclose(mine.weights, its.weights, rtol=1e-9, atol=1e-12)
        assert mine.optimizer == its.optimizer == "adam" and mine.optimizer_steps == its.optimizer_steps
        for name, buffer in its.optimizer_state.items():
            np.testing.assert_allclose(mine.optimizer_state[name], buffer, rtol=1e-9, atol=1e-12)
    assert taken.go_back_to(taken.timeline.moments[40]) and alone.go_back_to(alone.timeline.moments[40])
    taken.step(100)
    alone.step(100)
    np.testing.assert_allclose(taken.network.flat, alone.network.flat, rtol=1e-9, atol=1e-12)


def test_a_movie_of_a_network_opened_from_a_tile_starts_at_step_0(qtbot, make_window, tmp_path):
    """Open a tile's network, then film its timeline: the frames begin at step 0, as its loss
    curve does, not at the step the tile was opened; the slider reaches back as far."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    page = WindowPage(window)
    compare = _sweep(qtbot, window, steps=300)
    compare.figure.tiles[1].clicked.emit()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.view, timeout=10000)
    page.settle(qtbot)
    trainer = page.trainer
    assert trainer.step_count >= 300 and trainer.timeline.steps[0] == 0
    assert window.view.timeline.slider.maximum() == len(trainer.timeline) - 1
    done = []
    window.files.finished.connect(lambda path, error: done.append(error))
    export_movie(window.files, str(tmp_path / "tile.gif"), TRAIN_VIEW, TIMELINE, 8, 10, 0)
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    assert done == [""]
    steps = json.loads(Image.open(tmp_path / "tile.gif").info["comment"])["nnviz-steps"]
    assert steps[0] == 0 and steps[-1] >= 300


def test_a_tile_of_a_paused_sweep_opens_its_network_paused(qtbot, make_window):
    """Clicking a tile of a paused sweep opens the network in the Train view paused, with the
    Train view's own run stopped too, and the status bar says Space trains it."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    page = WindowPage(window)
    page.start()  # the Train view's own run, left training behind the Compare tab
    compare = _sweep(qtbot, window, steps=50)
    page.settle_compare(qtbot)
    page.start()
    window.tabs.setCurrentWidget(compare)
    compare.figure.tiles[0].clicked.emit()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.view, timeout=10000)
    assert not page.is_running and not page.compare_session.is_running
    assert page.config.hidden == (3,)
    assert "press Space" in window.statusBar().currentMessage()
    assert not window.controls.train_button.isChecked()


def test_a_network_opened_paused_shows_in_every_panel(qtbot, make_window):
    """The hidden units' maps of a network opened paused from a tile are its own, though no
    snapshot follows (the panels were out of sight when it came, and skipped drawing it)."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    page = WindowPage(window)
    units = window.view.inside.units
    qtbot.waitUntil(lambda: window.view.frames_drawn > 0 and units.displayed_maps() is not None)  # as seen
    compare = _sweep(qtbot, window, steps=50)
    page.settle_compare(qtbot)
    compare.figure.tiles[0].clicked.emit()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.view, timeout=10000)

    def shows_it():
        shown = units.displayed_maps()
        expected = unit_maps(page.network, window.view.boundary.bounds, shown.shape[1])
        return shown.shape == expected.shape and np.allclose(shown, expected[units.order()], atol=1e-6)

    qtbot.waitUntil(shows_it, timeout=5000)


# Pins -----------------------------------------------------------------------------------------
def _pinned(qtbot, window, steps=(1, 2, 3)):
    page = WindowPage(window)
    window.tabs.setCurrentWidget(window.view)
    for step in steps:
        page.step(1)
        qtbot.waitUntil(lambda step=step: page.latest.step == step)
        window.pin()
    compare = window.compare
    window.tabs.setCurrentWidget(compare)
    compare.show_pins.click()
    return compare


def _tile_steps(compare):
    return [int(t.title.text().rsplit("step ", 1)[1].split("<")[0]) for t in compare.pinned.tiles if t.isVisible()]


def test_a_pin_is_removed_by_its_button_or_its_menu(qtbot, make_window):
    """A pinned picture's × removes it; its right-click menu has Remove pin and Clear pins; the
    gallery, its count and its export follow."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    compare = _pinned(qtbot, window, (1, 2, 3, 4))
    assert _tile_steps(compare) == [1, 2, 3, 4]
    qtbot.mouseClick(compare.pinned.tiles[1].remove_button, Qt.LeftButton)
    assert [p.snapshot.step for p in compare.pins] == [1, 3, 4] and compare.show_pins.text() == "Pinned (3)"
    assert _tile_steps(compare) == [1, 3, 4]
    menu = compare.pin_menu(2)
    assert [a.text() for a in menu.actions()] == ["Remove pin", "Clear pins"]
    menu.actions()[0].trigger()
    assert [p.snapshot.step for p in compare.pins] == [1, 3] and _tile_steps(compare) == [1, 3]
    compare.pin_menu(0).actions()[1].trigger()
    assert compare.pins == [] and compare.show_pins.text() == "Pinned (0)" and _tile_steps(compare) == []
    assert not compare.clear_pins_button.isEnabled()


def test_clear_pins_empties_the_gallery(qtbot, make_window):
    """The Clear pins button beside the gallery lets go of every pin; nothing is left to export."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    compare = _pinned(qtbot, window, (1, 2))
    assert compare.clear_pins_button.isVisible() and compare.clear_pins_button.isEnabled()
    compare.clear_pins_button.click()
    assert compare.pins == [] and _tile_steps(compare) == [] and "Nothing pinned" in compare.pinned.heading.text()
    assert not compare.pinned.loss.isVisible()  # no empty plot under the sentence
    compare.show_sweep.click()
    assert not compare.clear_pins_button.isVisible()


# File dialogs ---------------------------------------------------------------------------------
def test_file_dialogs_open_where_the_last_one_was_left_in_this_session_and_the_next(qtbot, make_window, tmp_path,
                                                                                   monkeypatch):
    """A file saved in a folder: the next dialog, open or save, starts in that folder, and so does
    the first dialog of a window opened later on the same settings; cancelling changes nothing."""
    folder = tmp_path / "my runs"
    folder.mkdir()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, filters: asked.append(start) or (str(folder / "points.csv"), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, title, start, filters: asked.append(start) or ("", ""))
    first = make_window(TrainingConfig(hidden=5, samples=100))
    first.files.ask_save_data()
    assert (folder / "points.csv").exists()
    first.files.ask_open()
    first.files.ask_open_data()
    assert asked[1:] == [str(folder), str(folder)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, title, start, filters: asked.append(start) or ("", ""))
    first.files.ask_export_history()
    assert asked[-1] == str(folder / first.files.default_name(".csv"))
    first.settings.sync()
    second = make_window(TrainingConfig(hidden=5, samples=100))
    second.files.ask_open()
    assert asked[-1] == str(folder)


def test_a_remembered_folder_that_is_gone_or_garbled_is_let_go(make_window, tmp_path):
    """A folder remembered but deleted since, or a value of another type under its key, leaves
    the dialogs where Qt puts them, and the window opens as ever."""
    first = make_window(TrainingConfig(hidden=5, samples=100))
    for value in (str(tmp_path / "gone"), 42, ["a", "b"]):
        first.settings.setValue("files/last_folder", value)
        first.settings.sync()
        assert make_window(TrainingConfig(hidden=5, samples=100)).files.last_folder == ""


# The Help menu --------------------------------------------------------------------------------
def _readme_keys() -> list[str]:
    text = README.read_text(encoding="utf-8")
    bullet = re.search(r"^- \*\*Keys\*\*: (.*?)(?=^- |^\S)", text, re.MULTILINE | re.DOTALL).group(1)
    return [item.strip() for item in " ".join(bullet.split()).rstrip(".").split(", ")]


def _help_action(window, text):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return next(a for a in help_menu.actions() if a.text().replace("&", "") == text)


def test_the_help_menu_lists_the_keys_as_the_readme_does(make_window):
    """Help > Keyboard shortcuts shows every key of the README's Keys list, in its words, and
    every key the window's actions answer to."""
    window = make_window()
    _help_action(window, "Keyboard shortcuts").trigger()
    box = window.findChild(QMessageBox, "keyboard-shortcuts")
    assert box.isVisible() and not box.isModal()  # it may stay open while the keys are tried
    title, text = box.windowTitle(), box.text()
    assert title == "Keyboard shortcuts"
    listed = {f"{key} {what}" for key, what in help_dialogs.KEYS}
    assert set(_readme_keys()) <= listed
    plain = html.unescape(text)
    assert all(f"<b>{key}</b>" in plain and what in plain for key, what in help_dialogs.KEYS)
    names = {"Left": "←", "Right": "→", "-": "−"}
    keys = {part for key, _ in help_dialogs.KEYS for part in key.split(" and ")}
    for action in window.actions() + window.view.actions():
        shortcut = action.shortcut().toString()
        assert not shortcut or names.get(shortcut, shortcut) in keys, shortcut


def test_getting_started_says_what_to_press_first(make_window):
    """Help > Getting started: Space trains, the slider looks back, Compare runs sweeps."""
    window = make_window()
    _help_action(window, "Getting started").trigger()
    _help_action(window, "Getting started").trigger()  # again: the same box, to the front
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "getting-started"]
    assert len(boxes) == 1 and boxes[0].isVisible() and not boxes[0].isModal()
    assert all(word in boxes[0].text() for word in ("Space", "slider", "Compare", "Run sweep", "Continue from here"))


def test_about_states_each_optimisers_step_not_sgds_for_all(make_window, monkeypatch):
    """About gives each optimiser's update (adam's is not w −= lr·g) and the loss."""
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window = make_window()
    _help_action(window, "About nnviz").trigger()
    text = shown[-1]
    assert "Step: w −= lr · gradient." not in text and "chosen optimiser" in text
    assert all(f"<b>{name}</b>" in text for name in OPTIMIZERS)
    assert "0.999" in text and "l2/2·Σw²" in text


# The Compare tab before any sweep ----------------------------------------------------------------
def test_the_compare_tab_first_says_what_run_sweep_will_train(qtbot, make_window):
    """Before any sweep the Compare tab lists the networks Run sweep will train, not an empty
    plot; the list follows the setting, the values and the Train view's settings, says what is
    wrong with a bad list, and gives way to the sweep's figure once it runs."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    page = WindowPage(window)
    compare = window.compare
    window.tabs.setCurrentWidget(compare)
    assert compare.preview.isVisible() and not compare.figure.isVisible() and not compare.timeline.isVisible()
    text = compare.preview.text()
    assert "8 networks" in text and all(f"<b>{n} hidden</b>" in text for n in (1, 2, 3, 4, 10, 20, 50, 200))
    assert f"moons, {len(page.dataset.y_train)} training points" in text  # the data it trains on
    compare.setting.setCurrentIndex(compare.setting.findData("lr"))
    assert "5 networks" in compare.preview.text() and "<b>lr 0.03</b>" in compare.preview.text()
    compare.values.setText("0.1, 0.5")
    assert "2 networks" in compare.preview.text() and "<b>lr 0.5</b>" in compare.preview.text()
    window.controls.activation.setCurrentText("relu")
    assert "relu" in compare.preview.text()
    compare.values.setText("0.1, 0.1")
    assert "twice" in compare.preview.text()
    compare.show_pins.click()
    assert not compare.preview.isVisible()
    compare.show_sweep.click()
    assert compare.preview.isVisible()
    compare.values.setText("0.1, 0.5")
    compare.run_button.click()
    qtbot.waitUntil(lambda: compare.latest is not None and compare.latest.step > 0, timeout=20000)
    assert not compare.preview.isVisible() and compare.figure.isVisible() and compare.timeline.isVisible()
    assert len(compare.figure.tiles) == 2


def test_the_preview_of_sixteen_networks_fits_the_window(qtbot, make_window):
    """The longest list (16 networks) fits a 1400 x 900 window without growing it: the
    preview's whole text shows, its wrapped lines no taller than the label, and the label
    inside the window."""
    window = make_window(TrainingConfig(hidden=5, samples=100))
    window.tabs.setCurrentWidget(window.compare)
    preview = window.compare.preview
    window.compare.values.setText(", ".join(str(n) for n in range(1, 17)))
    assert "16 networks" in preview.text()
    qtbot.waitUntil(lambda: preview.isVisible() and preview.width() > 0)
    window.compare.layout().activate()  # laid out for the new text now, not at the next turn of the loop
    assert window.width() <= 1400 and window.height() <= 900
    assert preview.heightForWidth(preview.width()) <= preview.height()
    bottom = preview.mapTo(window, QPoint(0, preview.height())).y()
    assert bottom <= window.height()
