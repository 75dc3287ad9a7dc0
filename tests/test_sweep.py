"""Sweeps: several networks trained in one vectorised computation, each as if alone."""

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig, tutorial_config
from nnviz.core.data.datasets import Dataset
from nnviz.core.engine import packing
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import MAX_NETWORKS, Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.core.training.trainer import train

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths

BASE = TrainingConfig(dtype="float64", hidden=8, samples=120)


def _sweep_and_alone(base, setting, values, steps, every=1000):
    configs = Sweep(base, setting, tuple(values)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=every)
    sweep.step(steps)
    alone = []
    for config in configs:
        trainer = build_trainer(config, data, log_every=every)
        trainer.step(steps)
        alone.append(trainer)
    return sweep, alone


def _assert_same_histories(sweep, alone):
    for i, trainer in enumerate(alone):
        expected, got = trainer.history.array(), sweep.histories[i].array()
        assert expected.shape == got.shape
        np.testing.assert_array_equal(got[:, 0], expected[:, 0])
        np.testing.assert_allclose(got[:, 1:], expected[:, 1:], rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize(
    "setting,values",
    [
        ("hidden", (6, 10, 20)),
        ("lr", (0.3, 1.0, 2.0)),
        ("l2", (0.0, 1e-3, 1e-2)),
        ("activation", ("tanh", "sigmoid", "relu", "leaky_relu", "linear")),
        ("momentum", (0.0, 0.5, 0.9)),
    ],
)
def test_each_network_follows_its_lone_trajectory(setting, values):
    """Float64: every logged loss and accuracy of every network in a sweep agrees with the same
    network trained alone to 1e-6 relative, at every 1000th step up to 20000."""
    sweep, alone = _sweep_and_alone(BASE, setting, values, 20000)
    _assert_same_histories(sweep, alone)


@pytest.mark.slow
def test_tutorial_sizes_follow_their_lone_trajectories():
    """The seed's sweep: sizes 1, 10, 20, 50, 200 (those not sensitive to rounding) match alone."""
    configs = Sweep(tutorial_config(), "hidden", (1, 2, 3, 4, 10, 20, 50, 200)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=1000)
    sweep.step(20000)
    for i, config in enumerate(configs):
        if config.hidden in ((2,), (3,), (4,)):  # end in another minimum when only the order of additions changes
            continue
        trainer = build_trainer(config, data, log_every=1000)
        trainer.step(20000)
        np.testing.assert_allclose(sweep.histories[i].array(), trainer.history.array(), rtol=1e-6, equal_nan=True)


def test_mini_batch_sweeps_see_the_same_batches():
    """With mini-batches the sweep's networks match lone runs too (they share the batch order)."""
    sweep, alone = _sweep_and_alone(BASE.replace(batch_size=25), "lr", (0.1, 0.5), 3000, every=500)
    _assert_same_histories(sweep, alone)


def test_float32_sweep_trains():
    """In float32 the sweep keeps its dtype and every network learns."""
    configs = Sweep(BASE.replace(dtype="float32"), "hidden", (3, 30)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    start = [e.loss for e in sweep.evaluate()]
    sweep.step(500)
    assert sweep.params[0].dtype == np.float32
    assert all(end.loss < 0.6 * s for end, s in zip(sweep.evaluate(), start))


def test_a_diverging_network_is_frozen_and_the_others_go_on():
    """lr 1e6 diverges: that network keeps finite weights and stops; the other trains as if alone."""
    base = BASE.replace(activation="relu")
    configs = Sweep(base, "lr", (0.5, 1e6)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=100)
    assert sweep.step(1000) == 1000
    assert sweep.divergences[0] is None and sweep.divergences[1] is not None
    assert sweep.divergence is None
    frozen = sweep.network(1)
    assert all(np.isfinite(p).all() for p in frozen.parameters())
    lone_diverging = build_trainer(configs[1], data)
    lone_diverging.step(1000)
    assert sweep.divergences[1].step == lone_diverging.divergence.step
    for p, q in zip(frozen.parameters(), lone_diverging.network.parameters()):
        np.testing.assert_array_equal(p, q)
    lone = build_trainer(configs[0], data, log_every=100)
    lone.step(1000)
    np.testing.assert_allclose(sweep.histories[0].array(), lone.history.array(), rtol=1e-6, equal_nan=True)


def test_train_stops_when_every_network_has_diverged():
    """The generic training loop ends a sweep whose networks all diverged."""
    configs = Sweep(BASE.replace(activation="relu"), "lr", (1e6, 1e7)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    snapshots = list(train(sweep, steps=5000, interval=0.001))
    assert snapshots[-1].divergence is not None
    assert all(d is not None for d in snapshots[-1].divergences)
    assert sweep.step_count < 5000


def test_snapshot_networks_are_copies_matching_the_packed_weights():
    """Unpacked networks predict what the packed computation does, and share no memory."""
    configs = Sweep(BASE, "hidden", (2, 5)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    sweep.step(10)
    snapshot = sweep.snapshot()
    assert [n.layer_sizes for n in snapshot.networks] == [(2, 2, 2), (2, 5, 2)]
    assert not any(np.shares_memory(p, q) for n in snapshot.networks for p in n.parameters() for q in sweep.params)
    assert [e.step for e in snapshot.latest] == [10, 10]


@pytest.mark.parametrize(
    "setting,values,message",
    [
        ("hidden", (), "at least one"),
        ("hidden", (3, 0), "hidden"),
        ("hidden", (3, 501), "hidden"),
        ("hidden", ((8,) * 7,), "at most 6 hidden layers"),
        ("hidden", (3, 3), "twice"),
        ("hidden", tuple(range(1, MAX_NETWORKS + 2)), "at most"),
        ("lr", (0.1, -1.0), "lr"),
        ("activation", ("tanh", "softsign"), "activation"),
        ("dataset", ("moons",), "varies one of"),
    ],
)
def test_bad_sweeps_are_rejected(setting, values, message):
    """Empty lists, out-of-range values, duplicates and too many networks are refused."""
    with pytest.raises(ConfigError, match=message):
        Sweep(BASE, setting, values).configs()


def test_a_network_taken_out_of_a_sweep_carries_on_as_if_alone():
    """Sweep 300 steps, take network 1 out as a lone trainer, train 300 more: same as 600 alone."""
    base = BASE.replace(momentum=0.5, batch_size=30)
    configs = Sweep(base, "hidden", (4, 12)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=100)
    sweep.step(300)
    taken = sweep.trainer(1)
    assert taken.step_count == 300 and taken.network.layer_sizes == (2, 12, 2)
    taken.step(300)
    alone = build_trainer(configs[1], data, log_every=100)
    alone.step(600)
    np.testing.assert_allclose(taken.history.array(), alone.history.array(), rtol=1e-9, equal_nan=True)
    for p, q in zip(taken.network.parameters(), alone.network.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)


def _three_class_dataset():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0], [2, 0], [1, 2]])
    y = np.repeat(np.arange(3), 40)
    X = centres[y] + 0.5 * rng.standard_normal((120, 2))
    return Dataset("blobs", X[:90], y[:90], X[90:], y[90:])


@pytest.mark.parametrize("split", [[(0, 4)], [(0, 1), (1, 4)], [(0, 2), (2, 4)], [(0, 1), (1, 2), (2, 3), (3, 4)]])
def test_every_grouping_of_output_matrices_gives_the_lone_trajectories(monkeypatch, split):
    """Sizes in an odd order, mixed activations, momentum, mini-batches and 3 classes: each way of
    grouping the output matrices trains every network as it trains alone, and `trainer(i)` goes on."""
    monkeypatch.setattr(packing, "_runs", lambda networks, *args: [networks[a:b] for a, b in split])
    data = _three_class_dataset()
    base = BASE.replace(momentum=0.5, batch_size=30)
    configs = [base.replace(hidden=h, activation=a, lr=lr)
               for h, a, lr in ((20, "tanh", 0.5), (1, "relu", 1.0), (7, "sigmoid", 2.0), (3, "leaky_relu", 0.3))]
    sweep = SweepTrainer(configs, data, log_every=50)
    sweep.step(200)
    for i, config in enumerate(configs):
        alone = build_trainer(config, data, log_every=50)
        alone.step(200)
        np.testing.assert_allclose(sweep.histories[i].array(), alone.history.array(), rtol=1e-9, equal_nan=True)
        for p, q in zip(sweep.network(i).parameters(), alone.network.parameters()):
            np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)
        taken = sweep.trainer(i)
        taken.step(50)
        alone.step(50)
        np.testing.assert_allclose(taken.network.flat, alone.network.flat, rtol=1e-9, atol=1e-12)


def test_a_mini_batch_divergence_stops_where_a_lone_run_stops():
    """A network diverging on the whole training set (not on its batch) is frozen at the lone run's
    step and weights, and its history stays finite."""
    base = BASE.replace(activation="relu", batch_size=5, lr=100.0)
    configs = Sweep(base, "lr", (0.5, 100.0)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=1)
    sweep.step(50)
    lone = build_trainer(configs[1], data, log_every=1)
    lone.step(50)
    assert lone.divergence is not None
    assert sweep.divergences[1].step == lone.divergence.step
    np.testing.assert_array_equal(sweep.network(1).flat, lone.network.flat)
    assert np.isfinite(sweep.histories[1].array()[:, 1]).all()


def test_an_overflowing_network_does_not_take_its_neighbours_down():
    """In float32 an lr of 1e39 overflows at once; the networks beside it train on as if alone."""
    configs = Sweep(BASE.replace(dtype="float32"), "lr", (0.5, 1e39, 1.0)).configs()
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=100)
    assert sweep.step(300) == 300
    assert [d is not None for d in sweep.divergences] == [False, True, False]
    for i in (0, 2):
        lone = build_trainer(configs[i], data, log_every=100)
        lone.step(300)
        np.testing.assert_allclose(sweep.histories[i].array(), lone.history.array(), rtol=1e-5, equal_nan=True)


def test_a_sweep_that_has_wholly_diverged_stays_put():
    """Once every network has diverged, stepping again does nothing and says why."""
    configs = Sweep(BASE.replace(activation="relu"), "lr", (1e6, 1e7)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    sweep.step(1000)
    stopped, weights = sweep.step_count, sweep.params[0].copy()
    assert sweep.step(10) == 0 and sweep.step_count == stopped
    np.testing.assert_array_equal(sweep.params[0], weights)
    assert "Every network in the sweep diverged" in sweep.divergence.message


def test_a_sweep_ships_to_the_training_process_without_its_scratch_buffers():
    """Pickling leaves out the per-batch buffers (several arrays of every hidden unit's output
    at every training point), so handing a sweep over takes less than even one of them."""
    import pickle

    configs = Sweep(BASE.replace(samples=2000, dtype="float32"), "hidden", (100, 150, 200)).configs()
    sweep = SweepTrainer(configs, build_dataset(configs[0]))
    sweep.step(2)
    one_buffer = len(sweep.data.y_train) * (100 + 150 + 200) * np.dtype("float32").itemsize  # 2.9 MB
    assert len(pickle.dumps(sweep)) < one_buffer / 2
    restored = pickle.loads(pickle.dumps(sweep))
    restored.step(1)
    sweep.step(1)
    np.testing.assert_array_equal(restored.params[0], sweep.params[0])


DEEP = TrainingConfig(dataset="spiral", classes=3, samples=150, dtype="float64", momentum=0.5, batch_size=40, lr=0.1)
SHAPES = ((8,), (8, 8), (), (8, 8, 8), (5, 3, 4, 6))


@pytest.mark.parametrize("grouping", ["cheapest", "one matrix per level", "one per network"])
def test_a_sweep_over_shapes_follows_each_lone_trajectory(monkeypatch, grouping):
    """Depths 0 to 4 in one sweep (spiral, 3 classes, momentum, mini-batches, float64), however the
    deeper levels are grouped: every network matches its lone run at every 100th step to 1000,
    and taken out it carries on as alone."""
    if grouping != "cheapest":
        split = (lambda networks, *_: [networks]) if grouping == "one matrix per level" else \
            (lambda networks, *_: [[i] for i in networks])
        monkeypatch.setattr(packing, "_runs", split)
    sweep, alone = _sweep_and_alone(DEEP, "hidden", SHAPES, 1000, every=100)
    _assert_same_histories(sweep, alone)
    for i, trainer in enumerate(alone):
        assert sweep.network(i).layer_sizes == trainer.network.layer_sizes == (2, *SHAPES[i], 3)
        np.testing.assert_allclose(sweep.network(i).flat, trainer.network.flat, rtol=1e-6, atol=1e-9)
        taken = sweep.trainer(i)
        taken.step(100)
        trainer.step(100)
        np.testing.assert_allclose(taken.network.flat, trainer.network.flat, rtol=1e-6, atol=1e-9)


def test_networks_with_an_activation_per_layer_train_together_as_alone():
    """Each layer's own activation is applied to its own columns only."""
    configs = [DEEP.replace(hidden=(6, 4), activation=("relu", "tanh")),
               DEEP.replace(hidden=(5, 7), activation=("sigmoid", "leaky_relu")),
               DEEP.replace(hidden=(3,), activation="linear")]
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=100)
    sweep.step(600)
    for i, config in enumerate(configs):
        alone = build_trainer(config, data, log_every=100)
        alone.step(600)
        assert sweep.network(i).activations == alone.network.activations
        np.testing.assert_allclose(sweep.histories[i].array(), alone.history.array(), rtol=1e-6, equal_nan=True)


def test_a_deep_network_diverging_leaves_the_shallow_ones_alone():
    """A deep relu network at lr 20 diverges at step 3: it is frozen at its lone run's weights,
    and the networks beside it in the same matrices train on as alone."""
    configs = [DEEP.replace(hidden=(8, 8, 8), lr=20.0, momentum=0.0, activation="relu"),
               DEEP.replace(hidden=(8, 8)), DEEP.replace(hidden=(8,))]
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=10)
    assert sweep.step(300) == 300
    lone = build_trainer(configs[0], data, log_every=10)
    lone.step(300)
    assert lone.divergence is not None and sweep.divergences[0].step == lone.divergence.step
    np.testing.assert_allclose(sweep.network(0).flat, lone.network.flat, rtol=1e-12, atol=1e-14)
    for i in (1, 2):
        assert sweep.divergences[i] is None
        other = build_trainer(configs[i], data, log_every=10)
        other.step(300)
        np.testing.assert_allclose(sweep.histories[i].array(), other.history.array(), rtol=1e-6, equal_nan=True)


def test_a_sweep_made_without_figures_trains_the_same():
    """The window makes a sweep without evaluating it (record=False): its first snapshot says
    nothing yet, and it records step 0 before its first step, then goes exactly as one made
    with its figures (a diverging network included)."""
    configs = Sweep(BASE, "lr", (0.5, 1e6)).configs()
    data = build_dataset(configs[0])
    made, deferred = SweepTrainer(configs, data, log_every=10), SweepTrainer(configs, data, log_every=10, record=False)
    assert all(np.isnan(e.loss) for e in deferred.snapshot(exact=False).latest) and not len(deferred.histories[0])
    made.step(200)
    deferred.step(200)
    np.testing.assert_array_equal(made._flat, deferred._flat)
    for a, b in zip(made.histories, deferred.histories):
        np.testing.assert_array_equal(a.array(), b.array())
    assert made.divergences == deferred.divergences and deferred.divergences[1] is not None
