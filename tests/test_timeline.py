"""The timeline: which moments a run keeps, in bounded memory, and going on from one of them."""

import pickle
import time

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.core.training.timeline import (
    KEEP_FIRST,
    MAX_BYTES,
    Moment,
    Timeline,
    come_home,
)

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths


def _moment(step: int, size: int = 10) -> Moment:
    return Moment(step, np.full(size, float(step), dtype=np.float32), "sgd")


def _fill(timeline: Timeline, last: int, size: int = 10) -> None:
    for step in range(last + 1):
        if timeline.due(step):
            timeline.keep(_moment(step, size))


def test_moments_are_dense_early_then_log_spaced_then_regular():
    """Every step at first, gaps of 5% of the step next, then at most ``every`` steps apart."""
    timeline = Timeline(every=500)
    _fill(timeline, 30000)
    steps = np.array(timeline.steps)
    assert list(steps[:21]) == list(range(21))
    gaps = np.diff(steps)
    assert (np.diff(gaps) >= 0).all() and gaps.max() == 500  # they widen, up to the regular gap
    assert np.all(gaps[steps[:-1] < 10000] <= np.maximum(1, steps[:-1][steps[:-1] < 10000] // 20))
    assert (steps < 1000).sum() > (steps > 29000).sum()  # the start gets the most


def test_memory_is_bounded_and_the_run_stays_covered_evenly():
    """Over a long run the moments stay within the bound; thinning keeps the first few, the
    last, and evenly spaced ones between (no gap more than twice another after the start)."""
    size = 1000  # 4 kB a moment
    timeline = Timeline(max_bytes=200 * 4000, every=100)
    peak = 0
    for step in range(200_000):
        if timeline.due(step):
            timeline.keep(_moment(step, size))
            peak = max(peak, timeline.nbytes)
    assert peak <= 200 * 4000 and timeline.nbytes == sum(m.nbytes for m in timeline.moments)
    steps = np.array(timeline.steps)
    assert list(steps[:KEEP_FIRST]) == list(range(KEEP_FIRST)) and steps[-1] >= 200_000 - timeline.every
    late = np.diff(steps[steps > 20_000])
    assert late.max() <= 2 * late.min()
    assert len(steps) > 50  # thinned, not emptied


@pytest.mark.parametrize("share", [0.2, 0.3, 0.6])
def test_moments_too_large_for_many_still_keep_the_bound(share):
    """Where a moment is a large share of the bound (a big sweep's), fewer first moments are
    spared: the bound holds while two fit, and the first and the latest always stay."""
    bound = 400_000
    timeline = Timeline(max_bytes=bound, every=100)
    size = round(share * bound / 4)
    peak = 0
    for step in range(5000):
        if timeline.due(step):
            timeline.keep(_moment(step, size))
            peak = max(peak, timeline.nbytes)
            assert timeline.steps[0] == 0 and timeline.steps[-1] == step
    assert peak <= max(bound, 2 * 4 * size)
    assert len(timeline) >= 2


def test_the_stated_bound_at_six_layers_of_200_units():
    """100 MB holds 128 moments of six layers of 200 units (float32 weights, SGD): after a
    thinning at least half as many."""
    network = build_trainer(TrainingConfig(hidden=(200,) * 6, samples=20), build_dataset(TrainingConfig(samples=20))).network
    timeline = Timeline()
    for step in range(100_000):
        if timeline.due(step):
            timeline.keep(Moment(step, network.flat.copy(), "sgd"))
    assert timeline.nbytes <= MAX_BYTES and len(timeline) >= 64


@pytest.mark.parametrize(("optimizer", "batch_size", "dropout"), [("adam", 32, 0.2), ("sgd", None, 0.0),
                                                                  ("nesterov", 50, 0.0), ("rmsprop", 16, 0.5)])
def test_going_on_from_a_moment_equals_a_straight_run(optimizer, batch_size, dropout):
    """From a kept moment, with the optimiser's state, the batch order and the dropout masks of
    then, training retraces the straight run bit for bit: weights and history."""
    config = TrainingConfig(hidden=(10, 10), optimizer=optimizer, batch_size=batch_size, dropout=dropout,
                            momentum=0.9 if optimizer == "nesterov" else 0.0, dtype="float64")
    data = build_dataset(config)
    replayed = build_trainer(config, data)
    replayed.step(3000)
    moment = replayed.timeline.nearest(700)
    assert moment.step != 3000 and moment.resumable
    assert replayed.go_back_to(moment)
    assert replayed.step_count == moment.step and replayed.history.array()[-1, 0] <= moment.step
    assert replayed.timeline.steps[-1] == moment.step
    replayed.step(500)
    straight = build_trainer(config, data)
    straight.step(moment.step + 500)
    np.testing.assert_array_equal(replayed.network.flat, straight.network.flat)
    np.testing.assert_array_equal(replayed.history.array(), straight.history.array())


def test_after_a_change_of_rule_the_optimiser_restarts():
    """A moment kept under another rule gives its weights back, and says the optimiser restarts."""
    config = TrainingConfig(hidden=(5,), optimizer="adam")
    trainer = build_trainer(config, build_dataset(config))
    trainer.step(200)
    trainer.optimizer = "sgd"
    moment = trainer.timeline.nearest(100)
    assert not trainer.go_back_to(moment)
    np.testing.assert_array_equal(trainer.network.flat, moment.weights)
    assert trainer.optimizer_steps == 0 and trainer.step_count == moment.step


def test_a_divergence_drops_the_moment_of_the_weights_it_gave_up():
    """The timeline never holds weights whose loss was not finite."""
    config = TrainingConfig(hidden=(20,), lr=50.0)
    trainer = build_trainer(config, build_dataset(config))
    trainer.step(200)
    assert trainer.divergence is not None
    assert trainer.timeline.steps[-1] <= trainer.step_count
    assert all(np.isfinite(m.weights).all() for m in trainer.timeline.moments)


def test_nearest_and_cut():
    timeline = Timeline()
    for step in (0, 10, 20):
        timeline.keep(_moment(step))
    assert [timeline.nearest(s).step for s in (-5, 4, 5, 6, 16, 99)] == [0, 0, 0, 10, 20, 20]
    timeline.cut_after(12)
    assert timeline.steps == [0, 10] and timeline.due(11) and not timeline.due(10)
    assert Timeline().nearest(3) is None


def test_slow_motion_shows_every_step_and_waits_for_it():
    """At 20 steps a second, each snapshot is one step on (every step shown), the same snapshot
    comes again while the next is not due, and ten steps take at least half a second."""
    from nnviz.core.training.trainer import train

    config = TrainingConfig(hidden=(5,))
    trainer = build_trainer(config, build_dataset(config))
    trainer.speed = 20
    started = time.perf_counter()
    snapshots = list(train(trainer, 10, interval=1 / 60))
    elapsed = time.perf_counter() - started
    distinct = [s for k, s in enumerate(snapshots) if k == 0 or s is not snapshots[k - 1]]
    assert [s.step for s in distinct] == list(range(1, 11)) and len(snapshots) > len(distinct)
    assert elapsed >= 9 / 20
    trainer.speed = None  # full speed again: no waiting, snapshots as usual
    assert [s.step for s in train(trainer, 500, interval=1 / 60)][-1] == 510


def test_a_network_infinite_from_the_start_still_has_its_first_moment():
    """Weights of std 1 in six ReLU layers give an infinite loss at step 0: the trainer is made
    (the window shows it and says it diverged) and its timeline holds step 0."""
    config = TrainingConfig(hidden=(200,) * 6, activation="relu", init="normal-1")
    trainer = build_trainer(config, build_dataset(config))
    assert trainer.divergence is not None and trainer.timeline.steps == [0]


def test_slow_motion_draws_the_loss_curve_frame_by_frame():
    """In slow motion each frame's step is in the history, so the loss curve grows with it."""
    from nnviz.core.training.trainer import train

    config = TrainingConfig(hidden=(5,))
    trainer = build_trainer(config, build_dataset(config), log_every=10)
    trainer.speed = 60
    last = list(train(trainer, 5, interval=1 / 60))[-1]
    assert list(last.history[:, 0]) == [0, 1, 2, 3, 4, 5]


# Sweeps: one timeline for every network ------------------------------------------------------
SWEEPS = {
    "rules, batches and dropout": Sweep(TrainingConfig(hidden=(8,), batch_size=32, dropout=0.2, dtype="float64"),
                                        "optimizer", ("sgd", "adam", "rmsprop")),
    "shapes": Sweep(TrainingConfig(hidden=(8,), dtype="float64"), "hidden", ((3,), (8, 8), (5, 5, 5))),
    "one diverges": Sweep(TrainingConfig(hidden=(8,), activation="relu", dtype="float64"), "lr", (0.5, 20.0)),
}


@pytest.mark.parametrize("name", SWEEPS)
def test_a_sweep_moment_shows_every_network_as_it_was(name):
    """A sweep's moment holds each network at that step: the same weights and figures as a
    second sweep stopped there."""
    configs = SWEEPS[name].configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=10)
    sweep.step(400)
    moment = sweep.timeline.nearest(150)
    assert 0 < moment.step < 400
    shown = sweep.snapshot_at(moment)
    stopped = SweepTrainer(configs, data, log_every=10)
    stopped.step(moment.step)
    there = stopped.snapshot()
    assert shown.step == moment.step and shown.moments == len(sweep.timeline)
    for a, b in zip(shown.networks, there.networks):
        for p, q in zip(a.parameters(), b.parameters()):
            np.testing.assert_array_equal(p, q)
    assert [e.loss for e in shown.latest] == [e.loss for e in there.latest]
    assert shown.divergences == there.divergences
    # No moment keeps weights a divergence gave up: a diverged network shows its last finite ones.
    assert all(np.isfinite(e.loss) for m in sweep.timeline.moments[:20] for e in sweep.snapshot_at(m).latest)


@pytest.mark.parametrize("back_to", [1, 150])
@pytest.mark.parametrize("name", SWEEPS)
def test_a_sweep_going_on_from_a_moment_equals_a_straight_run(name, back_to):
    """From a sweep's moment every network retraces the straight run bit for bit (a network
    that diverged later trains again, and diverges where it did)."""
    configs = SWEEPS[name].configs()
    data = build_dataset(configs[0])
    replayed = SweepTrainer(configs, data, log_every=10)
    replayed.step(600)
    moment = replayed.timeline.nearest(back_to)
    assert replayed.go_back_to(moment)
    assert replayed.step_count == moment.step and replayed.timeline.steps[-1] == moment.step
    replayed.step(300)
    straight = SweepTrainer(configs, data, log_every=10)
    straight.step(moment.step + 300)
    np.testing.assert_array_equal(replayed._flat, straight._flat)
    for a, b in zip(replayed.histories, straight.histories):
        np.testing.assert_array_equal(a.array(), b.array())
    assert replayed.divergences == straight.divergences


# Hand-offs: the window trains in another process, which takes only the schedule ----------------
def _handed_off(trainer, run):
    """Do ``run(trainer)`` as the window's Runner does: in a copy (the training process's) that
    takes the timeline's schedule, whose moments then come home."""
    home = trainer.timeline
    trainer.timeline = home.schedule()
    away = pickle.loads(pickle.dumps(trainer))
    trainer.timeline = home
    run(away)
    come_home(home, away)
    return away


def _same_moments(a, b):
    assert a.steps == b.steps
    for m, n in zip(a.moments, b.moments):
        np.testing.assert_array_equal(m.weights, n.weights)


def test_hand_offs_keep_the_timeline_of_a_straight_run():
    """A divergence in one run steps back over a moment kept before the hand-off: that moment
    goes, and the timeline is the one an uninterrupted run keeps, every moment's loss finite."""
    config = TrainingConfig(hidden=(20,), lr=0.5)
    data = build_dataset(config)

    def runs(trainer, handed):
        for lr, steps in ((0.5, 1), (1e6, 1), (0.01, 40)):
            trainer = handed(trainer, lambda t, lr=lr, steps=steps: (setattr(t, "lr", lr), t.step(steps)))
        return trainer

    # The window's history records every 25 steps: the loss at step 2 is first seen at step 3.
    split = runs(build_trainer(config, data, log_every=25), _handed_off)
    straight = runs(build_trainer(config, data, log_every=25), lambda t, run: (run(t), t)[1])
    assert split.step_count == straight.step_count
    _same_moments(split.timeline, straight.timeline)
    assert all(np.isfinite(split.snapshot_at(m).latest.loss) for m in split.timeline.moments)


def test_hand_offs_keep_a_sweeps_timeline_whole():
    """A sweep's network diverging just after a hand-off: the moment at that step, kept before
    it, shows the network's last finite weights, as in an uninterrupted run."""
    configs = SWEEPS["one diverges"].configs()
    data = build_dataset(configs[0])
    split, straight = (SweepTrainer(configs, data, log_every=10) for _ in range(2))
    for steps in (2, 20):
        split = _handed_off(split, lambda t, steps=steps: t.step(steps))
        straight.step(steps)
    _same_moments(split.timeline, straight.timeline)
    assert all(np.isfinite(e.loss) for m in split.timeline.moments for e in split.snapshot_at(m).latest)
