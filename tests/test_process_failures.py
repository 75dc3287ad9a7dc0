"""A training process that fails (it dies, stops answering or raises) is reported by the
Runner's ``failed`` signal; ``diverged`` only ever means that the training diverged. The
window says a failure where it said it before: in the status bar and above the plots, or on
the Compare tab for a sweep."""

import os
import signal

import pytest
from gui_helpers import WindowPage

from nnviz.core.config import TrainingConfig
from nnviz.core.training.experiment import build_trainer
from nnviz.gui.process.runner import Runner


@pytest.fixture
def make_runner(qtbot):
    """Runners whose ``diverged`` and ``failed`` sentences are recorded (``told``); each is shut
    down at teardown, its training process with it."""
    runners = []

    def make(trainer):
        runner = Runner(trainer)
        runner.told = {"diverged": [], "failed": []}
        runner.diverged.connect(runner.told["diverged"].append)
        runner.failed.connect(runner.told["failed"].append)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.shutdown()
        assert not runner.has_process


def _train_a_little(qtbot, runner):
    shown = []
    runner.snapshot_ready.connect(shown.append)
    runner.start()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].step >= 20, timeout=20000)


def test_a_killed_process_is_a_failure_not_a_divergence(qtbot, make_runner):
    """When the training process is killed, ``failed`` says so and training stops;
    ``diverged`` stays silent."""
    runner = make_runner(build_trainer(TrainingConfig(hidden=5)))
    _train_a_little(qtbot, runner)
    with qtbot.waitSignal(runner.failed, timeout=5000) as told:
        os.kill(runner.process_id, signal.SIGKILL)
    assert "stopped unexpectedly" in told.args[0]
    assert runner.told["diverged"] == []
    assert not runner.is_running and runner.is_settled


def test_a_process_that_stops_answering_is_a_failure_not_a_divergence(qtbot, make_runner):
    """A frozen process is given up and reported by ``failed``, never by ``diverged``."""
    runner = make_runner(build_trainer(TrainingConfig(hidden=5)))
    runner.unresponsive_after = 1.0
    _train_a_little(qtbot, runner)
    hung = runner.process_id
    try:
        with qtbot.waitSignal(runner.failed, timeout=8000) as told:
            os.kill(hung, signal.SIGSTOP)
    finally:
        try:
            os.kill(hung, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the runner ended it already
    assert "stopped answering" in told.args[0]
    assert runner.told["diverged"] == []


def test_an_error_in_the_process_is_a_failure_not_a_divergence(qtbot, make_runner):
    """A run that raises in the process is reported by ``failed`` with the error's type."""
    trainer = build_trainer(TrainingConfig(hidden=5))
    trainer.lr = "not a number"  # makes the first update raise inside the process
    runner = make_runner(trainer)
    with qtbot.waitSignal(runner.failed, timeout=20000) as told:
        runner.step()
    assert told.args[0].startswith("Training stopped: ") and "TypeError" in told.args[0]
    assert runner.told["diverged"] == []
    assert runner.trainer.step_count == 0  # the copy from before the run


def test_a_divergence_is_not_a_failure(qtbot, make_runner):
    """A learning rate that diverges is reported by ``diverged`` alone."""
    runner = make_runner(build_trainer(TrainingConfig(hidden=5, lr=1e6, activation="relu")))
    with qtbot.waitSignal(runner.diverged, timeout=20000):
        runner.start()
    qtbot.waitUntil(lambda: not runner.is_running and runner.is_settled)
    assert runner.told["failed"] == []


def test_the_window_says_a_failure_where_it_says_a_divergence(qtbot, make_window):
    """The main window shows a failure's sentence in the status bar and above the plots."""
    window = make_window()
    page = WindowPage(window)
    page.session.start()
    qtbot.waitUntil(lambda: page.latest.step >= 20, timeout=20000)
    with qtbot.waitSignal(page.session.failed, timeout=5000) as told:
        os.kill(page.process_id, signal.SIGKILL)
    assert window.statusBar().currentMessage() == told.args[0]
    assert page.view.banner.isVisible() and page.view.banner.text() == told.args[0]


def test_the_compare_tab_says_a_sweeps_failure(qtbot, make_window):
    """A sweep whose training process dies says so on the Compare tab."""
    window = make_window()
    page = WindowPage(window)
    compare = page.run_sweep(qtbot, "2, 4", past=19, timeout=20000)
    sweep = compare.session
    with qtbot.waitSignal(sweep.failed, timeout=5000) as told:
        os.kill(sweep.process_id, signal.SIGKILL)
    assert "stopped unexpectedly" in told.args[0]
    assert compare.message.text() == told.args[0]
    assert not sweep.is_running
