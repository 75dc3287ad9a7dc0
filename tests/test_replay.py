"""The timeline bar: scrubbing shows a kept moment in every panel, and Continue from here."""

import numpy as np
import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import QSettings, Qt
from PyQt5.QtWidgets import QApplication, QMessageBox

from nnviz.core.analysis.grid import grid_points
from nnviz.core.config import TrainingConfig
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    window = MainWindow(TrainingConfig(hidden=(8, 8), samples=100, optimizer="adam", lr=0.05),
                        QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    QApplication.setActiveWindow(window)
    yield window
    window.close()
    assert not page.has_any_process


def _trained(qtbot, window, steps=1500):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest.step >= steps, timeout=30000)


def test_scrubbing_pauses_and_shows_exactly_that_moment(qtbot, window, page):
    """Dragging the slider while training pauses it and shows the moment: the boundary is that
    of a network with the moment's weights, the figures are its step's, the loss curve is marked."""
    _trained(qtbot, window)
    bar = window.view.timeline
    assert bar.slider.maximum() > 20  # the slider grew with the run while it trained
    bar.slider.setValue(30)  # as a drag does
    qtbot.waitUntil(lambda: window.replay.index == 30, timeout=10000)
    assert not page.is_running
    moment = page.timeline.moments[30]
    page.draw_now()
    shown = page.shown
    assert shown.step == moment.step == 30 and page.latest.step > 1000
    np.testing.assert_array_equal(shown.network.flat, moment.weights)
    plot = window.view.boundary
    r = plot.probability_image().shape[0]
    expected = page.trainer.network_at(moment).predict_proba(grid_points(plot.bounds, r)).reshape(r, r, -1)
    np.testing.assert_allclose(plot.probability_image(), expected, rtol=1e-5, atol=1e-6)
    figures = window.view.figures
    loss = page.trainer.network_at(moment).evaluate(page.trainer.data.X_train,
                                                                page.trainer.data.y_train, 0.001)[0]
    assert figures.text("step") == "30" and figures.text("loss") == f"{loss:.4f}"
    assert window.view.loss.marker.isVisible() and window.view.loss.marker.value() == 30
    assert bar.where.text().startswith("step 30 ·") and bar.continue_button.isEnabled()


def test_arrow_actions_step_through_moments_and_train_goes_back_to_the_latest(qtbot, window, page):
    _trained(qtbot, window, 500)
    page.settle(qtbot)
    earlier = next(a for a in window.view.actions() if a.text() == "Earlier moment")
    later = next(a for a in window.view.actions() if a.text() == "Later moment")
    count = len(page.timeline)
    earlier.trigger()
    earlier.trigger()
    assert window.replay.index == count - 2
    later.trigger()
    assert window.replay.index == count - 1
    assert page.shown.step == page.timeline.moments[-1].step
    page.start()
    assert window.replay.index is None and window.view.moment is None and not window.view.loss.marker.isVisible()
    assert window.view.timeline.where.text() == "latest step"


def test_keys_pressed_while_training_pauses_count_from_the_last_moment(qtbot, window, page):
    """← three times at once while training: the third moment from the end of the whole run,
    though the run's moments are still in the training process when the keys come."""
    _trained(qtbot, window, 500)
    assert page.is_running
    earlier = next(a for a in window.view.actions() if a.text() == "Earlier moment")
    for _ in range(3):
        earlier.trigger()
    qtbot.waitUntil(lambda: window.replay.index is not None, timeout=10000)
    count = len(page.timeline)
    assert count > 20 and window.replay.index == count - 3
    assert page.shown.step == page.timeline.moments[-3].step


def test_replay_plays_the_moments_in_order(qtbot, window, page):
    _trained(qtbot, window, 300)
    page.settle(qtbot)
    shown = []
    window.view.timeline.speed.setCurrentIndex(window.view.timeline.speed.count() - 1)  # the fastest
    window.view.timeline.play.click()
    qtbot.waitUntil(lambda: (shown.append(window.replay.index), window.replay.index == 25)[1], timeout=10000)
    steps = [s for s in shown if s is not None]
    assert steps[0] == 0 and steps == sorted(steps)
    window.view.timeline.play.click()
    assert not window.view.timeline.play.isChecked()


@pytest.mark.parametrize("answer", [QMessageBox.Yes, QMessageBox.Cancel])
def test_continue_from_here_asks_then_trains_on_from_the_moment(qtbot, window, page, monkeypatch, answer):
    """Yes: the later part of the run is gone and training goes on from the moment, with the
    optimiser's state of then (the status bar says so). Cancel: nothing changes."""
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: asked.append(args[2]) or answer)
    _trained(qtbot, window, 1000)
    window.view.timeline.slider.setValue(40)
    qtbot.waitUntil(lambda: window.replay.index == 40, timeout=10000)
    trainer = page.trainer
    before = trainer.step_count
    window.view.timeline.continue_button.click()
    assert asked and f"{before - 40:,} steps after it" in asked[0]
    if answer == QMessageBox.Cancel:
        assert trainer.step_count == before and window.replay.index == 40 and not page.is_running
        return
    assert page.is_running and window.replay.index is None
    assert "with the optimiser's state of then" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: 40 < page.latest.step < before, timeout=10000)
    page.settle(qtbot)
    history = page.trainer.history.array()
    assert (np.diff(history[:, 0]) > 0).all()  # one history, the discarded steps gone


def test_slow_motion_from_the_window_shows_each_step(qtbot, window, page):
    """Speed at 10 steps a second: the view gets every step, one at a time; + and − step the
    speed up and down, and full speed is the fastest."""
    controls = window.controls
    controls.speed.setCurrentIndex(controls.speed.findData(10))
    steps = []
    page.session.snapshot_ready.connect(lambda snapshot: steps.append(snapshot.step))
    page.start()
    qtbot.waitUntil(lambda: len(set(steps)) >= 6, timeout=20000)
    page.pause()
    seen = sorted(set(steps))
    assert seen[1:] == list(range(seen[1], seen[1] + len(seen) - 1))  # after the first, one step at a time
    faster = next(a for a in window.actions() if a.text() == "Faster")
    slower = next(a for a in window.actions() if a.text() == "Slower")
    faster.trigger()
    assert controls.speed.currentData() == 30 and page.session.speed == 30
    for _ in range(10):
        faster.trigger()
    assert controls.speed.currentData() is None and page.session.speed is None
    slower.trigger()
    assert controls.speed.currentData() == 1000


def test_the_arrow_keys_step_moments_in_the_train_view_not_in_the_controls(qtbot, window, page):
    """← in the Train view shows the moment before; ← on the learning-rate slider moves the
    slider, as it always did."""
    page.step(30)
    qtbot.waitUntil(lambda: page.latest.step == 30)
    page.settle(qtbot)
    slider = window.controls.lr_slider
    slider.setFocus()
    before = slider.value()
    qtbot.keyClick(slider, Qt.Key_Left)
    assert slider.value() == before - 1 and window.replay.index is None
    window.view.boundary.setFocus()
    qtbot.keyClick(window.view.boundary, Qt.Key_Left)
    assert window.replay.index == len(page.timeline) - 1
    qtbot.keyClick(window.view.boundary, Qt.Key_End)
    assert window.replay.index is None


# The Compare tab: every tile at one moment of the sweep -----------------------------------------
def _sweep(qtbot, window, values="3, 8x8", steps=400):
    return WindowPage(window).run_sweep(qtbot, values, past=steps - 1)


def test_the_sweep_tiles_replay_in_step_on_one_slider(qtbot, window, page):
    """Dragging the Compare tab's slider pauses the sweep and shows every tile at that moment:
    each boundary is that of its network trained that many steps (a second sweep, stopped
    there), the captions are that step's, the loss curves are marked. End goes back."""
    compare = _sweep(qtbot, window)
    bar = compare.timeline
    assert bar.isVisible() and bar.slider.maximum() > 20
    bar.slider.setValue(25)
    qtbot.waitUntil(lambda: window.compare_replay.index == 25, timeout=10000)
    assert not page.compare_session.is_running and not page.is_running
    trainer = page.compare_trainer
    moment = trainer.timeline.moments[25]
    assert compare.shown.step == moment.step == 25 and compare.latest.step >= 400
    compare.draw_now()
    stopped = SweepTrainer(page.sweep.configs(), page.compare_session.dataset)
    stopped.step(moment.step)
    for tile, network, entry in zip(compare.figure.tiles, (stopped.network(i) for i in range(2)), stopped.evaluate()):
        r = tile.plot.probability_image().shape[0]
        expected = network.predict_proba(grid_points(tile.plot.bounds, r)).reshape(r, r, -1)
        np.testing.assert_allclose(tile.plot.probability_image(), expected, rtol=1e-4, atol=1e-5)
        assert f"loss {entry.loss:.4f}" in tile.caption.text()
    assert compare.figure.marker.isVisible() and compare.figure.marker.value() == 25
    assert compare.figure.heading.text().endswith("· step 25")
    assert bar.where.text().startswith("step 25 ·")
    end = next(a for a in window.view.actions() if a.text() == "Latest step")
    end.trigger()
    assert window.compare_replay.index is None and compare.moment is None and not compare.figure.marker.isVisible()
    assert window.replay.index is None  # the Train view's timeline was not touched


def test_a_sweep_continues_from_a_moment(qtbot, window, page, monkeypatch):
    """Continue from here on the Compare tab: every network trains on from the moment shown,
    the later part of each history gone."""
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.Yes)
    compare = _sweep(qtbot, window, "2, 5", 600)
    compare.timeline.slider.setValue(30)
    qtbot.waitUntil(lambda: window.compare_replay.index == 30, timeout=10000)
    before = page.compare_trainer.step_count
    step = page.compare_trainer.timeline.moments[30].step
    compare.timeline.continue_button.click()
    assert page.compare_session.is_running and window.compare_replay.index is None
    qtbot.waitUntil(lambda: step < compare.latest.step < before, timeout=10000)
    page.settle_compare(qtbot)
    for history in page.compare_trainer.histories:
        assert (np.diff(history.array()[:, 0]) > 0).all()


def test_the_arrow_keys_step_the_sweeps_moments_but_not_in_its_text_field(qtbot, window, page):
    """← with the sweep's figure in focus shows the moment before the latest; in the values
    field it moves the cursor. The speed set for the window is the sweep's too."""
    window.controls.speed.setCurrentIndex(window.controls.speed.findData(1000))
    compare = _sweep(qtbot, window, steps=100)
    assert page.compare_trainer.speed == 1000  # what the sweep trains at
    page.compare_session.pause()
    page.settle_compare(qtbot)
    compare.values.setFocus()
    compare.values.setCursorPosition(3)
    qtbot.keyClick(compare.values, Qt.Key_Left)
    assert compare.values.cursorPosition() == 2 and window.compare_replay.index is None
    compare.figure.loss.setFocus()
    qtbot.keyClick(compare.figure.loss, Qt.Key_Left)
    assert window.compare_replay.index == len(page.compare_trainer.timeline) - 1
    assert window.replay.index is None
