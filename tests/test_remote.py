"""Training in a child process: same numbers as in-process, settings and stops obeyed."""

import multiprocessing
import time

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.editing import add_points
from nnviz.core.experiment import build_trainer
from nnviz.core.remote import apply_settings, serve

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
    commands_in.send(("quit",))
    process.join(10)
    assert not process.is_alive()


def _until_done(results, run_id):
    snapshots = []
    while True:
        assert results.poll(60), "the child sent nothing for a minute"
        kind, rid, payload = results.recv()
        assert rid == run_id
        if kind == "done":
            return snapshots, payload
        assert kind == "snapshot"
        snapshots.append(payload)


def test_a_run_in_the_child_matches_the_same_run_here(child):
    """500 steps in the child give bit-for-bit the weights and history of 500 steps here."""
    commands, results = child
    config = TrainingConfig(hidden=12, momentum=0.5, batch_size=32)
    local = build_trainer(config, log_every=50)
    local.step(500)
    commands.send(("run", 1, build_trainer(config, log_every=50), 500, 0.01))
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
    commands.send(("run", 4, build_trainer(TrainingConfig(hidden=(200, 200), lr=0.1)), None, 0.005))
    time.sleep(1.0)
    commands.send(("stop",))
    snapshots, returned = _until_done(results, 4)
    steps = [s.step for s in snapshots]
    assert steps == sorted(steps) and len(snapshots) < 100  # one every 5 ms would have made 200
    assert returned.step_count > 10 * steps[0]


def test_a_finite_run_always_sends_its_last_snapshot(child):
    """Snapshots may be dropped while the window is busy, but never the last one of a run."""
    commands, results = child
    commands.send(("run", 5, build_trainer(TrainingConfig(hidden=(200, 200), lr=0.1)), 100, 0.001))
    time.sleep(1.0)
    snapshots, returned = _until_done(results, 5)
    assert snapshots[-1].step == 100 == returned.step_count


def test_settings_and_stop_reach_a_running_child(child):
    """A "set" changes the learning rate mid-run; "stop" ends an endless run and returns the trainer."""
    commands, results = child
    commands.send(("run", 7, build_trainer(TrainingConfig()), None, 0.005))
    assert results.recv()[0] == "snapshot"
    commands.send(("set", {"lr": 0.25}))
    commands.send(("stop",))
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
    commands.send(("run", 3, trainer, 10, 0.01))
    kind, run_id, message = results.recv()
    assert (kind, run_id) == ("error", 3) and "TypeError" in message
    assert results.recv() == ("done", 3, None)


def test_a_new_run_during_a_run_ends_the_first(child):
    """If a "run" arrives while another runs, the first is handed back and the second starts."""
    commands, results = child
    commands.send(("run", 1, build_trainer(TrainingConfig()), None, 0.005))
    assert results.recv()[0] == "snapshot"
    commands.send(("run", 2, build_trainer(TrainingConfig(hidden=3)), 20, 0.005))
    kinds = []
    while True:
        kind, run_id, payload = results.recv()
        kinds.append((kind, run_id))
        if (kind, run_id) == ("done", 2):
            break
    assert ("done", 1) in kinds
    assert payload.step_count == 20 and payload.network.layer_sizes == (2, 3, 2)


def test_new_points_reach_a_running_child(child):
    """A "data" message makes the running trainer train on the edited points from then on."""
    commands, results = child
    trainer = build_trainer(TrainingConfig(hidden=5))
    edited = add_points(trainer.data, np.array([[4.0, 4.0]]), 1)
    commands.send(("run", 3, trainer, None, 0.005))
    assert results.recv()[0] == "snapshot"
    commands.send(("data", edited))
    commands.send(("stop",))
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
        commands_in.send(("run", 3, build_trainer(TrainingConfig()), None, 0.005))
        assert results_out.recv()[0] == "snapshot"
        results_out.close()  # no reader left: the child's next snapshot cannot be sent
        results_in.close()
        process.join(10)
        assert process.exitcode == 0
    finally:
        process.kill()
        process.join(5)
