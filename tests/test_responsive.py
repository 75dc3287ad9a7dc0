"""The window never waits on the training process: one that hangs or dies costs the user
nothing but a sentence, and the window answers every click within a frame or two."""

import os
import signal
import threading
import time

import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import QSettings
from PyQt5.QtWidgets import QApplication, QMessageBox

from nnviz.core.config import TrainingConfig
from nnviz.core.io.runfile import load_run
from nnviz.gui.main_window import MainWindow
from nnviz.gui.process.worker import NICENESS
from nnviz.gui.train.session import FIRST_FRAME_MS

SILENCE = 1.5  # seconds of silence after which these tests' windows give a process up


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    window = MainWindow(TrainingConfig(hidden=5), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    page.session.unresponsive_after = SILENCE
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    assert not page.has_process


def _train_until(qtbot, window, steps):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest.step >= steps, timeout=20000)


def _timed(action) -> float:
    """Seconds ``action`` and the events it causes hold the GUI thread."""
    started = time.perf_counter()
    action()
    QApplication.processEvents()
    return time.perf_counter() - started


def _hang(window) -> int:
    page = WindowPage(window)
    pid = page.process_id
    os.kill(pid, signal.SIGSTOP)  # alive, but never answers again
    return pid


def _kill(pid: int) -> None:
    """Make sure a process the test froze is gone (the window normally ended it already)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_hung_process_never_holds_the_window(qtbot, window, page, tmp_path):
    """With the training process frozen, Pause, Step, Train, a new hidden size and Save each
    return at once; the user is told when the process is given up, and training goes on in a
    new process."""
    _train_until(qtbot, window, 50)
    hung = _hang(window)
    try:
        controls = window.controls
        times = [_timed(controls.train_button.click),  # pause
                 _timed(controls.step_button.click),
                 _timed(controls.train_button.click),  # train again
                 _timed(lambda: controls.size_buttons[3].click()),
                 _timed(lambda: window.files.save_run(str(tmp_path / "run.nnviz")))]
        assert max(times) < 0.5, times  # it used to be 5 s: the wait for a trainer that never came
        with qtbot.waitSignal(page.session.failed, timeout=int(SILENCE * 1000) + 5000) as told:
            pass
        assert "stopped answering" in told.args[0]
        with pytest.raises(ProcessLookupError):
            os.kill(hung, 0)  # the window ended the frozen process itself
    finally:
        _kill(hung)
    qtbot.waitUntil(lambda: page.is_settled, timeout=5000)
    assert page.process_id != hung
    assert page.network.layer_sizes == (2, 3, 2)  # the size chosen meanwhile
    _train_until(qtbot, window, 30)


def test_a_save_waiting_on_a_hung_process_saves_what_the_window_then_shows(qtbot, window, page, tmp_path):
    """A save asked for while the process hangs is made once it is given up, from the step the
    window goes back to: nothing is lost that the window shows, and the file is whole."""
    _train_until(qtbot, window, 50)
    hung = _hang(window)
    path = tmp_path / "run.nnviz"
    try:
        with qtbot.waitSignal(window.files.finished, timeout=int(SILENCE * 1000) + 5000) as saved:
            window.files.save_run(str(path))
    finally:
        _kill(hung)
    assert saved.args == [str(path), ""]
    _, trainer = load_run(path)
    assert trainer.step_count == page.step_count == page.latest.step


def test_a_dead_process_is_reported_and_replaced(qtbot, window, page):
    """If the training process dies, the window says so, stops, and Train starts a new one."""
    _train_until(qtbot, window, 50)
    before = page.step_count
    with qtbot.waitSignal(page.session.failed, timeout=5000) as told:
        os.kill(page.process_id, signal.SIGKILL)
    assert "stopped unexpectedly" in told.args[0]
    qtbot.waitUntil(lambda: not page.is_running)
    assert window.controls.train_button.text() == "Train"
    assert page.step_count == before  # the copy from before the lost run
    window.controls.size_buttons[3].click()  # no error from the dead process
    _train_until(qtbot, window, 30)
    assert page.latest.network.layer_sizes == (2, 3, 2)


def test_the_training_process_gives_way_to_the_window(qtbot, window, page):
    """The training process runs at a lower priority than the window, so that when both want
    the same core the window answers the user first."""
    _train_until(qtbot, window, 5)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, page.process_id) == min(ours + NICENESS, 19) > ours


def test_closing_with_a_hung_process_is_prompt(qtbot, window, page):
    """Closing the window while the process hangs ends it within a couple of seconds."""
    _train_until(qtbot, window, 20)
    hung = _hang(window)
    try:
        started = time.perf_counter()
        window.close()
        assert time.perf_counter() - started < 2.5
        assert not page.has_process
    finally:
        _kill(hung)


def test_exporting_a_png_does_not_wait_for_the_encoder(qtbot, window, tmp_path):
    """The PNG is encoded and written on another thread; the export reports when it is there."""
    _train_until(qtbot, window, 20)
    path = tmp_path / "plots.png"
    with qtbot.waitSignal(window.files.finished, timeout=10000) as written:
        window.files.export_plots(str(path))
        assert not path.exists()  # still being encoded: the call came straight back
    assert written.args == [str(path), ""]
    assert path.stat().st_size > 1000


# The first window does not wait for scikit-learn ------------------------------------------------
def _points_thread_done() -> bool:
    return not any(t.name == "nnviz-points" for t in threading.enumerate())


@pytest.fixture
def early_window(qtbot):
    """Makes a window before scikit-learn has made its moons (as `nnviz` starts). Made in the
    test, not shown: pytest-qt and showing run the event loop, and the points may come then."""
    windows = []

    def make():
        windows.append(MainWindow(TrainingConfig(hidden=6), None, points_in_background=True))
        qtbot.addWidget(windows[-1])
        return windows[-1]

    yield make
    for window in windows:
        window.close()
    _wait_for_points_thread(qtbot)


def _wait_for_points_thread(qtbot) -> None:
    qtbot.wait(FIRST_FRAME_MS + 50)  # it starts after the first frame
    qtbot.waitUntil(_points_thread_done, timeout=30000)


def test_the_window_shows_its_network_before_the_points_come(qtbot, early_window):
    """At first the window shows the configured network's boundary and no points; Train
    pressed meanwhile starts once the points are there, on those points."""
    window = early_window()
    page = WindowPage(window)
    assert page.session.making_points and not len(page.dataset.y_train)
    assert page.latest.network.layer_sizes == (2, 6, 2) and page.latest.step == 0
    assert "Making the moons points" in window.statusBar().currentMessage()
    window.controls.train_button.click()
    window.show()
    qtbot.waitUntil(lambda: page.latest.step > 20, timeout=30000)
    assert not page.session.making_points and len(page.trainer.data.y_train) == 160
    assert len(window.view.boundary.train_points.getData()[0]) == 160


def test_data_chosen_before_the_points_come_wins(qtbot, early_window):
    """Choosing other data while the moons are being made keeps that choice: the late moons are dropped."""
    window = early_window()
    page = WindowPage(window)
    combo = window.controls.dataset
    combo.setCurrentIndex(combo.findData("xor"))
    window.show()
    _wait_for_points_thread(qtbot)
    QApplication.processEvents()  # the late moons arrive, and are dropped
    assert page.dataset.name == "xor" and page.trainer.data.name == "xor"


def test_a_new_size_before_the_points_come_is_the_network_they_get(qtbot, early_window):
    """A hidden size picked while the points are made is the network that trains on them."""
    window = early_window()
    page = WindowPage(window)
    window.controls.size_buttons[3].click()
    assert page.latest.network.layer_sizes == (2, 3, 2)  # shown at once
    window.show()
    qtbot.waitUntil(lambda: not page.session.making_points, timeout=30000)
    assert page.network.layer_sizes == (2, 3, 2)
    assert page.dataset.name == "moons" and len(page.dataset.y_train) == 160


def test_step_and_save_before_the_points_come_happen_once_they_do(qtbot, early_window, tmp_path):
    """A Step and a Save pressed while the points are made wait for them, then happen."""
    window = early_window()
    page = WindowPage(window)
    window.controls.step_button.click()
    path = tmp_path / "early.nnviz"
    with qtbot.waitSignal(window.files.finished, timeout=30000) as saved:
        window.files.save_run(str(path))
        window.show()
    assert saved.args == [str(path), ""]
    qtbot.waitUntil(lambda: page.latest.step == 1 and page.is_settled, timeout=30000)
    assert len(load_run(path)[1].data.y_train) == 160


def test_a_step_pressed_just_before_a_new_network_is_dropped_with_the_old_one(qtbot, window, page):
    """Step, then a new hidden size at once: the window ends up showing the new network at step 0."""
    _train_until(qtbot, window, 50)
    window.controls.step_button.click()
    window.controls.size_buttons[3].click()
    qtbot.waitUntil(lambda: page.is_settled, timeout=10000)
    qtbot.wait(100)
    assert page.network.layer_sizes == (2, 3, 2) and page.step_count == 0
    assert page.latest.network.layer_sizes == (2, 3, 2) and page.latest.step == 0
