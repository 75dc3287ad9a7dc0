"""Training in a child process: same numbers as in-process, settings and stops obeyed."""

import multiprocessing
import time

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.data.editing import add_points
from nnviz.core.training import messages as msg
from nnviz.core.training.experiment import build_trainer
from nnviz.core.training.process import apply_settings, serve

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths


@pytest.fixture
def child():
    """A real spawned training process, always told to quit and joined."""
    ctx = multiprocessing.get_context("spawn")
    commands_out, commands_in = ctx.Pipe(duplex=False)
    results_out, results_in = ctx.Pipe(duplex=False)
    process = ctx.Process(target=serve, args=(commands_out, results_in), daemon=True)
    process.start()
    yield commands_in, results_out
    commands_in.send(msg.Quit())
    process.join(10)
    assert not process.is_alive()


def _until_done(results, run_id):
    snapshots = []
    while True:
        assert results.poll(60), "the child sent nothing for a minute"
        report = results.recv()
        assert report.run_id == run_id
        if isinstance(report, msg.Done):
            return snapshots, report.trainer
        assert isinstance(report, msg.Snapshot)
        snapshots.append(report.snapshot)


def test_a_run_in_the_child_matches_the_same_run_here(child):
    """500 steps in the child give bit-for-bit the weights and history of 500 steps here."""
    commands, results = child
    config = TrainingConfig(hidden=12, momentum=0.5, batch_size=32)
    local = build_trainer(config, log_every=50)
    local.step(500)
    commands.send(msg.Run(1, build_trainer(config, log_every=50), 500, 0.01))
    snapshots, returned = _until_done(results, 1)
    assert snapshots[-1].step == 500 and returned.step_count == 500
    for a, b in zip(returned.network.parameters(), local.network.parameters()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(returned.history.array(), local.history.array())


def test_training_never_waits_for_the_window_to_read(child):
    """A snapshot of 200x200 units is larger than the pipe holds. While nobody reads for a
    second, the child trains on (it used to stand still, blocked on the first snapshot); the
    snapshots it could not send are dropped, and what arrives is in order, ending with "done"."""
    commands, results = child
    commands.send(msg.Run(4, build_trainer(TrainingConfig(hidden=(200, 200), lr=0.1)), None, 0.005))
    time.sleep(1.0)
    commands.send(msg.Stop())
    snapshots, returned = _until_done(results, 4)
    steps = [s.step for s in snapshots]
    assert steps == sorted(steps) and len(snapshots) < 100  # one every 5 ms would have made 200
    assert returned.step_count > 10 * steps[0]


def test_a_finite_run_always_sends_its_last_snapshot(child):
    """Snapshots may be dropped while the window is busy, but never the last one of a run."""
    commands, results = child
    commands.send(msg.Run(5, build_trainer(TrainingConfig(hidden=(200, 200), lr=0.1)), 100, 0.001))
    time.sleep(1.0)
    snapshots, returned = _until_done(results, 5)
    assert snapshots[-1].step == 100 == returned.step_count


def test_settings_and_stop_reach_a_running_child(child):
    """A Set changes the learning rate mid-run; a Stop ends an endless run and returns the trainer."""
    commands, results = child
    commands.send(msg.Run(7, build_trainer(TrainingConfig()), None, 0.005))
    assert isinstance(results.recv(), msg.Snapshot)
    commands.send(msg.Set({"lr": 0.25}))
    commands.send(msg.Stop())
    _, returned = _until_done(results, 7)
    assert returned.lr == 0.25
    assert returned.step_count > 0


def test_live_settings_only():
    """Only optimiser settings may change on a live trainer."""
    trainer = build_trainer(TrainingConfig())
    apply_settings(trainer, {"momentum": 0.3})
    assert trainer.momentum == 0.3
    with pytest.raises(ValueError):
        apply_settings(trainer, {"hidden": 3})


def test_an_error_returns_no_half_updated_trainer(child):
    """A run that fails reports the error and hands back None, never a half-updated trainer."""
    commands, results = child
    trainer = build_trainer(TrainingConfig())
    trainer.lr = "not a number"  # makes the first update raise inside the child
    commands.send(msg.Run(3, trainer, 10, 0.01))
    error = results.recv()
    assert isinstance(error, msg.Error) and error.run_id == 3 and "TypeError" in error.message
    assert results.recv() == msg.Done(3, None)


def test_a_new_run_during_a_run_ends_the_first(child):
    """If a Run arrives while another runs, the first is handed back and the second starts."""
    commands, results = child
    commands.send(msg.Run(1, build_trainer(TrainingConfig()), None, 0.005))
    assert isinstance(results.recv(), msg.Snapshot)
    commands.send(msg.Run(2, build_trainer(TrainingConfig(hidden=3)), 20, 0.005))
    reports = []
    while not (isinstance(report := results.recv(), msg.Done) and report.run_id == 2):
        reports.append((type(report), report.run_id))
    assert (msg.Done, 1) in reports
    assert report.trainer.step_count == 20 and report.trainer.network.layer_sizes == (2, 3, 2)


def test_new_points_reach_a_running_child(child):
    """A Data message makes the running trainer train on the edited points from then on."""
    commands, results = child
    trainer = build_trainer(TrainingConfig(hidden=5))
    edited = add_points(trainer.data, np.array([[4.0, 4.0]]), 1)
    commands.send(msg.Run(3, trainer, None, 0.005))
    assert isinstance(results.recv(), msg.Snapshot)
    commands.send(msg.Data(edited))
    commands.send(msg.Stop())
    _, returned = _until_done(results, 3)
    np.testing.assert_array_equal(returned.data.X_train, edited.X_train)
    assert returned.step_count > 0  # the same run, carried on


def test_a_child_whose_parent_stops_listening_ends_quietly():
    """When the parent goes away mid-run (killed, say), the child's next send finds the pipe
    broken: it ends with status 0, not with a traceback and status 1."""
    ctx = multiprocessing.get_context("spawn")
    commands_out, commands_in = ctx.Pipe(duplex=False)
    results_out, results_in = ctx.Pipe(duplex=False)
    process = ctx.Process(target=serve, args=(commands_out, results_in), daemon=True)
    process.start()
    try:
        commands_in.send(msg.Run(3, build_trainer(TrainingConfig()), None, 0.005))
        assert isinstance(results_out.recv(), msg.Snapshot)
        results_out.close()  # no reader left: the child's next snapshot cannot be sent
        results_in.close()
        process.join(10)
        assert process.exitcode == 0
    finally:
        process.kill()
        process.join(5)
