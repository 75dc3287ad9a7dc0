"""The training loop, driven directly with no thread."""

import math
from itertools import pairwise

import numpy as np
import pytest

from nnviz.core.analysis.grid import DecisionGrid, grid_points
from nnviz.core.config import TrainingConfig
from nnviz.core.io.movie import snapshots_at, spread_steps
from nnviz.core.model.network import Backprop
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.history import HistoryEntry, LossHistory
from nnviz.core.training.sweep import Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.core.training.trainer import Batches, train

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths


def _gradients(network, trainer):
    """The loss's gradient at ``network`` on the trainer's whole training set and L2,
    through the public Backprop (copies)."""
    whole = Batches(trainer.data, network.dtype, network.layer_sizes[-1], None, np.random.default_rng(0))
    batch, width = whole.next(), network.layer_sizes[-1]
    backprop = Backprop(network)
    assert backprop.run(network, batch.inputs, batch.targets[width], batch.index[width], trainer.l2)
    return [g.copy() for g in backprop.gradients]


def test_loss_falls_and_accuracy_rises_on_moons():
    """A few hundred full-batch steps cut the loss and separate the moons."""
    trainer = build_trainer(TrainingConfig(), log_every=50)
    start = trainer.history.last()
    trainer.step(500)
    end = trainer.history.last()
    assert end.step == 500
    assert end.loss < 0.5 * start.loss
    assert end.train_accuracy > 0.85


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_keep_the_chosen_dtype(dtype):
    """float32 and float64 both train, and the weights stay in that type."""
    trainer = build_trainer(TrainingConfig(dtype=dtype))
    trainer.step(20)
    assert all(p.dtype == np.dtype(dtype) for p in trainer.network.parameters())


def test_step_advances_exactly_the_count():
    """step(n) does n updates; the history records step 0 and every log step."""
    trainer = build_trainer(TrainingConfig(), log_every=3)
    assert trainer.step(7) == 7
    assert trainer.step_count == 7
    assert [e.step for e in trainer.history.entries()] == [0, 3, 6]


def test_one_step_is_a_gradient_descent_update():
    """Without momentum, an update is w - lr * gradient."""
    trainer = build_trainer(TrainingConfig(lr=0.5, dtype="float64"))
    before = trainer.network.copy()
    grads = _gradients(before, trainer)
    trainer.step(1)
    for old, new, g in zip(before.parameters(), trainer.network.parameters(), grads):
        np.testing.assert_allclose(new, old - 0.5 * g, rtol=1e-12, atol=1e-15)


def test_momentum_accumulates_velocity():
    """With momentum m, the second update is m * (first update) - lr * gradient."""
    trainer = build_trainer(TrainingConfig(lr=0.1, momentum=0.9, dtype="float64"))
    p0 = [p.copy() for p in trainer.network.parameters()]
    trainer.step(1)
    after_one = trainer.network.copy()
    g1 = _gradients(after_one, trainer)
    trainer.step(1)
    for a, b, c, g in zip(p0, after_one.parameters(), trainer.network.parameters(), g1):
        np.testing.assert_allclose(c, b + 0.9 * (b - a) - 0.1 * g, rtol=1e-10, atol=1e-13)


def test_mini_batches_visit_every_point_once_per_epoch():
    """With batch size 40 on 160 training points, each run of four batches covers every point
    exactly once, in a fresh order each epoch."""
    data = build_trainer(TrainingConfig()).data
    batches = Batches(data, np.float64, 2, 40, np.random.default_rng(0))
    every_point = sorted(map(tuple, data.X_train))
    epochs = []
    for _ in range(2):
        seen = [tuple(row[:2]) for _ in range(4) for row in batches.next().inputs]  # less the column of ones
        assert sorted(seen) == every_point
        epochs.append(seen)
    assert epochs[0] != epochs[1]


def test_mini_batch_training_learns_and_is_reproducible():
    """Mini-batch descent lowers the loss, and the same seed gives the same weights."""
    config = TrainingConfig(batch_size=16, lr=0.5)
    a, b = build_trainer(config), build_trainer(config)
    loss0 = a.history.last().loss
    a.step(300)
    b.step(300)
    assert a.evaluate().loss < 0.7 * loss0
    for p, q in zip(a.network.parameters(), b.network.parameters()):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("log_every", [1, 10, 1000])
def test_divergence_stops_and_keeps_last_finite_weights(log_every):
    """A huge learning rate stops at the first non-finite loss and steps back to finite weights;
    the count returned is how far the step count moved."""
    config = TrainingConfig(lr=1e6, activation="relu", dtype="float64")
    trainer = build_trainer(config, log_every=log_every)
    done = trainer.step(1000)
    assert trainer.divergence is not None
    assert done < 1000 and trainer.step_count == done
    assert trainer.divergence.step == done + 1
    assert "smaller learning rate" in trainer.divergence.message
    assert all(np.isfinite(p).all() for p in trainer.network.parameters())
    assert math.isfinite(trainer.evaluate().loss)
    # The kept weights are exactly those after `done` updates of an identical run.
    twin = build_trainer(config)
    twin.step(done)
    for p, q in zip(trainer.network.parameters(), twin.network.parameters()):
        np.testing.assert_array_equal(p, q)


def test_training_continues_after_a_smaller_learning_rate():
    """After a divergence, lowering lr and stepping again carries on from the kept weights."""
    trainer = build_trainer(TrainingConfig(lr=1e6, activation="relu"))
    trainer.step(100)
    stopped_at = trainer.step_count
    trainer.lr = 0.1
    assert trainer.step(50) == 50
    assert trainer.divergence is None
    assert trainer.step_count == stopped_at + 50


def test_train_generator_yields_copies_and_ends_on_the_last_step():
    """The generator yields snapshots the trainer cannot change, and records the final step."""
    trainer = build_trainer(TrainingConfig(), log_every=1000)
    snapshots = list(train(trainer, steps=2500, interval=0.001))
    assert snapshots[-1].step == 2500
    assert [e.step for e in trainer.history.entries()] == [0, 1000, 2000, 2500]
    first = snapshots[0]
    weights = first.network.weights[0].copy()
    trainer.step(10)
    np.testing.assert_array_equal(first.network.weights[0], weights)
    assert not np.shares_memory(first.network.weights[0], trainer.network.weights[0])


def _simulated_clock(monkeypatch, trainer, step_s: float, snapshot_s: float, fresh_s: float | None = None) -> None:
    """Make the training loop's clock advance ``step_s`` per step and ``snapshot_s`` per
    snapshot (``fresh_s`` per snapshot that evaluates its figures afresh, if given)."""
    from types import SimpleNamespace

    from nnviz.core.training import trainer as training_loop

    now = [0.0]
    monkeypatch.setattr(training_loop, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    step, snapshot = trainer.step, trainer.snapshot

    def slow_step(count=1):
        now[0] += step_s * count
        return step(count)

    def slow_snapshot(rate=0.0, exact=True):
        now[0] += fresh_s if exact and fresh_s is not None else snapshot_s
        return snapshot(rate, exact)

    monkeypatch.setattr(trainer, "step", slow_step)
    monkeypatch.setattr(trainer, "snapshot", slow_snapshot)


def test_snapshots_are_spaced_so_they_take_at_most_their_share_of_the_time(monkeypatch):
    """When a snapshot costs as much as ten steps (a large network), the generator trains for
    longer between snapshots, so snapshots keep to SNAPSHOT_SHARE of the time. Simulated
    clock: a step takes 1 ms, a snapshot 10 ms."""
    from nnviz.core.training import trainer as training_loop

    trainer = build_trainer(TrainingConfig(), log_every=1000)
    _simulated_clock(monkeypatch, trainer, 0.001, 0.010)
    snapshots = list(train(trainer, steps=2000, interval=0.005))
    steps = [s.step for s in snapshots]
    gaps = np.diff(steps[:-1])  # the last snapshot comes when the steps run out
    assert steps[0] == 5  # before any snapshot was timed: the interval asked for
    assert gaps.min() >= 90  # 10 ms of snapshot per 90 ms of training: a share of 0.1
    assert training_loop.SNAPSHOT_SHARE == 0.1
    assert all(s.latest.step == s.step for s in snapshots)  # 100 ms apart: each evaluated afresh


def test_snapshots_evaluate_their_figures_ten_times_a_second_and_at_the_end(monkeypatch):
    """Between evaluations a snapshot carries the newest history entry (here logged every 10
    steps). Simulated clock: a step takes 1 ms, a snapshot nothing, one every 5 ms."""
    from nnviz.core.training import trainer as training_loop

    trainer = build_trainer(TrainingConfig(), log_every=10)
    _simulated_clock(monkeypatch, trainer, 0.001, 0.0)
    snapshots = list(train(trainer, steps=503, interval=0.005))
    assert training_loop.FIGURES_INTERVAL == 0.1
    fresh = [s.latest.step == s.step and s.step % 10 != 0 for s in snapshots]
    evaluated = [s.step for s, f in zip(snapshots, fresh) if f]
    assert evaluated[0] == 5 and evaluated[-1] == 503 and len(evaluated) == 6
    assert all(100 <= b - a <= 105 for a, b in pairwise(evaluated[:-1]))  # 100 ms apart, give a snapshot
    others = [s for s, f in zip(snapshots, fresh) if not f]
    assert len(others) > 80 and all(s.latest.step == s.step // 10 * 10 for s in others)
    for s in others:
        assert s.latest.loss == trainer.history.entries()[s.step // 10].loss


def test_costly_figures_are_evaluated_less_often_without_slowing_the_snapshots(monkeypatch):
    """When evaluating the figures costs 50 steps and a snapshot without them one, snapshots
    still come every 9 steps or so (paced by their own cost), while fresh figures come at most
    once per 0.45 s (a tenth of the time); the figures in between never go back in time."""
    trainer = build_trainer(TrainingConfig(), log_every=100)
    _simulated_clock(monkeypatch, trainer, 0.001, 0.001, fresh_s=0.050)
    snapshots = list(train(trainer, steps=3003, interval=0.005))
    steps = [s.step for s in snapshots]
    assert max(np.diff(steps[3:-1])) <= 12  # not 9 x 50 steps apart (once the first costs are known)
    fresh = [s.step for s in snapshots if s.latest.step == s.step and s.step % 100]
    assert fresh[-1] == 3003 and all(b - a >= 350 for a, b in pairwise(fresh[:-1]))  # 0.45 s: 370 steps and the snapshots
    shown = [s.latest.step for s in snapshots]
    assert shown == sorted(shown)  # the newest figures, the history's or a fresh one's


def test_train_generator_stops_on_divergence():
    """A diverging run ends with a snapshot that reports the divergence."""
    trainer = build_trainer(TrainingConfig(lr=1e6, activation="relu"))
    snapshots = list(train(trainer, steps=10_000, interval=0.001))
    assert snapshots[-1].divergence is not None
    assert trainer.step_count < 10_000


@pytest.mark.parametrize("speed", [None, 10_000.0])
def test_a_diverged_run_records_the_step_it_went_back_to(speed):
    """The history ends on the step training stopped at (its last finite weights), at full
    speed or in slow motion, with the figures the last snapshot shows: a diverged run's last
    step is in it as any run's is."""
    trainer = build_trainer(TrainingConfig(lr=50), log_every=1000)
    trainer.speed = speed
    snapshots = list(train(trainer, steps=2000, interval=0.001))
    last = trainer.history.last()
    assert snapshots[-1].divergence is not None and trainer.step_count == 2
    assert last.step == 2 == snapshots[-1].latest.step and last.loss == snapshots[-1].latest.loss
    assert math.isfinite(last.loss) and last.loss > 100  # step 2's, not step 0's 0.87
    assert snapshots[-1].history[-1, 0] == 2


def test_recording_after_a_divergence_never_steps_back_again():
    """The weights a divergence went back to are recorded as they are: recording them does not
    step back a second time, whatever their loss over the whole set."""
    trainer = build_trainer(TrainingConfig(lr=50), log_every=1000)
    trainer.step(10)
    assert trainer.divergence is not None and trainer.step_count == 2
    weights = trainer.network.flat.copy()
    trainer.evaluate = lambda: HistoryEntry(2, math.inf, 0.5, math.inf, 0.5)  # as if the whole set overflowed
    assert not trainer.record()
    assert trainer.step_count == 2 and trainer.divergence.step == 3
    np.testing.assert_array_equal(trainer.network.flat, weights)


def test_a_dense_early_history_records_every_step_then_fewer_as_the_step_grows():
    """``LossHistory(None)``: steps 0 to 127 one by one, then 64 steps per doubling of the step
    count (gaps of at most a 64th of the step), so a long run stays small without thinning."""
    from nnviz.core.training.history import DENSE_FIRST, dense_gap

    history = LossHistory(None)
    for step in range(2**20 + 1):
        if history.wants(step):
            history.append(HistoryEntry(step, 1.0, 1.0, math.nan, math.nan))
    steps = history.array()[:, 0].astype(int).tolist()
    assert steps[:DENSE_FIRST] == list(range(DENSE_FIRST)) and steps[-1] == 2**20
    assert steps[DENSE_FIRST:DENSE_FIRST + 3] == [128, 130, 132]
    assert all(b - a == dense_gap(a) <= max(1, a // 64) for a, b in pairwise(steps))
    assert len(steps) == DENSE_FIRST + 64 * 13 + 1  # 2**7 one by one, 64 in each doubling to 2**20, and 2**20
    assert history.capacity is None and history.description()["dense_early"] is True


def test_a_history_leaves_out_an_entry_before_its_last():
    """An entry for a step before the last one (a divergence stepped back past it) is left out,
    so the history stays in step order."""
    history = LossHistory(1)
    for step in (0, 1, 2, 1):
        history.append(HistoryEntry(step, 1.0, 1.0, math.nan, math.nan))
    assert history.array()[:, 0].tolist() == [0, 1, 2]


def test_history_thins_itself_at_capacity():
    """A bounded history keeps at most `capacity` entries, evenly spaced up to the latest."""
    history = LossHistory(every=1, capacity=100)
    for step in range(10_001):
        if history.wants(step):
            history.append(HistoryEntry(step, 1.0, 1.0, math.nan, math.nan))
    steps = history.array()[:, 0]
    assert len(history) <= 100
    assert len(history) >= 50  # thinning halves, it does not empty
    assert steps[0] == 0 and 10_000 - history.every < steps[-1] <= 10_000
    assert set(np.diff(steps)) == {history.every}


def test_decision_grid_equals_network_output_at_cell_centres():
    """The grid holds predict_proba at each cell centre, laid out y-major."""
    trainer = build_trainer(TrainingConfig(hidden=7))
    bounds = (-1.0, 2.0, -0.5, 1.0)
    grid = DecisionGrid(bounds, resolution=30).probabilities(trainer.network)
    assert grid.shape == (30, 30, 2)
    points = grid_points(bounds, 30)
    np.testing.assert_allclose(grid.reshape(-1, 2), trainer.network.predict_proba(points), rtol=1e-6)
    # Row index grows with y, column index with x.
    assert points[1, 0] > points[0, 0] and points[30, 1] > points[0, 1]


def test_a_reused_grid_follows_each_network():
    """One DecisionGrid evaluates networks of other sizes and dtypes correctly, one after another."""
    bounds = (-2.0, 2.0, -1.0, 3.0)
    grid = DecisionGrid(bounds, resolution=20)
    for hidden, dtype in ((3, "float32"), (50, "float32"), (3, "float64")):
        network = build_trainer(TrainingConfig(hidden=hidden, dtype=dtype)).network
        expected = network.predict_proba(grid_points(bounds, 20, dtype)).reshape(20, 20, 2)
        np.testing.assert_allclose(grid.probabilities(network), expected, rtol=1e-5, atol=1e-7)


def test_switching_momentum_on_starts_from_rest():
    """Turning momentum on after plain steps does not reuse an old velocity."""
    trainer = build_trainer(TrainingConfig(lr=0.1, momentum=0.9, dtype="float64"))
    trainer.step(5)
    trainer.momentum = 0.0
    trainer.step(5)
    trainer.momentum = 0.9
    before = trainer.network.copy()
    grads = _gradients(before, trainer)
    trainer.step(1)
    for old, new, g in zip(before.parameters(), trainer.network.parameters(), grads):
        np.testing.assert_allclose(new, old - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_gradient_sizes_are_those_of_the_data_loss_at_the_last_step():
    """gradient_rms is each weight matrix's RMS gradient of the data loss (no L2 floor) at the
    weights of the last step; a snapshot carries it, and none before the first step."""
    from nnviz.core.engine.ops import forward_inputs
    from nnviz.core.model.network import Backprop

    config = TrainingConfig(hidden=(6, 4), l2=0.05, dtype="float64")
    trainer = build_trainer(config)
    assert trainer.gradient_rms() == () and trainer.snapshot().gradient_rms == ()
    trainer.step(10)
    before = trainer.network.copy()
    trainer.step(1)
    data = trainer.data
    backprop = Backprop(before)
    classes = before.layer_sizes[-1]
    assert backprop.run(before, forward_inputs(data.X_train), np.eye(classes)[data.y_train],
                        np.arange(len(data.y_train)) * classes + data.y_train, 0.0)
    expected = [np.sqrt(np.mean(g ** 2)) for g in backprop.gradients[0::2]]
    np.testing.assert_allclose(trainer.gradient_rms(), expected, rtol=1e-12)
    assert trainer.snapshot().gradient_rms == trainer.gradient_rms() and len(expected) == 3


# Snapshots at given steps (a recorded movie's frames), with no thread -----------------------
def test_snapshots_at_train_to_each_step_and_leave_the_run_as_train_does():
    """A straight run: one snapshot at each step asked for (the steps left as they were), and
    the network and history at the end are those `train` leaves after as many steps."""
    config = TrainingConfig(hidden=5, samples=100)
    steps = spread_steps(60, 12)
    trainer = build_trainer(config, log_every=25)
    snapshots = list(snapshots_at(trainer, steps))
    assert [s.step for s in snapshots] == steps == spread_steps(60, 12) and trainer.step_count == 60
    alone = build_trainer(config, log_every=25)
    list(train(alone, steps=60, interval=0.001))
    np.testing.assert_array_equal(trainer.network.flat, alone.network.flat)
    np.testing.assert_array_equal(trainer.history.array(), alone.history.array())
    assert snapshots[-1].history[-1, 0] == 60  # the last step is in the history


@pytest.mark.parametrize("frames", [120, 10])
def test_snapshots_at_end_a_diverged_run_where_it_went_back_to(frames):
    """`lr 50` diverges at step 3 and goes back to step 2: the snapshots are of steps 0, 1 and 2
    (whether the frame after step 2 was step 3 or a later one), never of a non-finite network,
    and the history ends on step 2 as `train` leaves it."""
    trainer = build_trainer(TrainingConfig(lr=50), log_every=1000)
    snapshots = list(snapshots_at(trainer, spread_steps(2000, frames)))
    assert [s.step for s in snapshots] == [0, 1, 2]
    assert all(math.isfinite(s.latest.loss) and np.isfinite(s.network.flat).all() for s in snapshots)
    assert trainer.divergence is not None and trainer.history.last().step == 2
    alone = build_trainer(TrainingConfig(lr=50), log_every=1000)
    list(train(alone, steps=2000, interval=0.001))
    np.testing.assert_array_equal(trainer.history.array(), alone.history.array())


def test_snapshots_at_go_on_past_one_diverged_network_of_a_sweep():
    """A sweep where one network diverges: the other trains on to every step asked for, the
    diverged one is kept at finite weights, and no snapshot shows a live network's loss that is
    not finite."""
    configs = Sweep(TrainingConfig(hidden=8, samples=120, activation="relu"), "lr", (0.5, 1e6)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]), log_every=100)
    steps = spread_steps(300, 20)
    snapshots = list(snapshots_at(sweep, steps))
    assert [s.step for s in snapshots] == steps and sweep.step_count == 300
    assert snapshots[-1].divergences[0] is None and snapshots[-1].divergences[1] is not None
    assert snapshots[-1].divergence is None
    for snapshot in snapshots:
        live = [e.loss for e, d in zip(snapshot.latest, snapshot.divergences) if d is None]
        assert all(math.isfinite(loss) for loss in live)
    assert all(np.isfinite(p).all() for network in snapshots[-1].networks for p in network.parameters())
    assert sweep.histories[0].last().step == 300


def test_snapshots_at_end_a_sweep_where_every_network_diverged():
    """Every network of a sweep diverging ends the snapshots at the step training stopped at."""
    configs = Sweep(TrainingConfig(), "lr", (50, 60)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    snapshots = list(snapshots_at(sweep, spread_steps(500, 40)))
    assert [s.step for s in snapshots] == [0, 1, 2, 3] and sweep.step_count == 3
    assert snapshots[-1].divergence is not None
