"""The training toolbox: optimisers, dropout and input features, each checked against an
independent implementation or a property that fails if the code is wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core.config import (
    ConfigError,
    TrainingConfig,
    resolve_config,
    with_optimizer,
)
from nnviz.core.data.datasets import Dataset
from nnviz.core.engine.ops import forward_inputs
from nnviz.core.io.runfile import load_run, save_run
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, Backprop
from nnviz.core.model.optimizers import OPTIMIZERS, Optimizer
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths


def _reference_steps(rule: str, w: np.ndarray, gradients, lrs, momentum: float) -> np.ndarray:
    """torch.optim's rules as written in its documentation, one element at a time in plain
    Python floats (no numpy arithmetic shared with the code under test)."""
    w = [float(v) for v in w]
    n = len(w)
    buf, total, square, mean, second = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    for t, (g, lr) in enumerate(zip(gradients, lrs), start=1):
        for k in range(n):
            gk = float(g[k])
            if rule in ("sgd", "nesterov"):
                if momentum:
                    buf[k] = gk if t == 1 else momentum * buf[k] + gk
                    step = gk + momentum * buf[k] if rule == "nesterov" else buf[k]
                else:
                    step = gk
                w[k] -= lr * step
            elif rule == "adagrad":
                total[k] += gk * gk
                w[k] -= lr * gk / (math.sqrt(total[k]) + 1e-10)
            elif rule == "rmsprop":
                square[k] = 0.99 * square[k] + 0.01 * gk * gk
                w[k] -= lr * gk / (math.sqrt(square[k]) + 1e-8)
            else:  # adam
                mean[k] = 0.9 * mean[k] + 0.1 * gk
                second[k] = 0.999 * second[k] + 0.001 * gk * gk
                m_hat, v_hat = mean[k] / (1 - 0.9**t), second[k] / (1 - 0.999**t)
                w[k] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    return np.array(w)


CASES = [("sgd", 0.0), ("sgd", 0.9), ("nesterov", 0.9), ("adagrad", 0.0), ("rmsprop", 0.0), ("adam", 0.0)]


@pytest.mark.parametrize("rule,momentum", CASES)
def test_each_optimizer_follows_its_update_rule(rule, momentum):
    """Twelve steps of random gradients, the learning rate changed half way (it applies live):
    the same weights as the reference to 1e-9."""
    rng = np.random.default_rng(3)
    w = rng.normal(size=40)
    gradients = [rng.normal(scale=10 ** rng.uniform(-3, 1), size=40) for _ in range(12)]
    lrs = [0.1] * 6 + [0.03] * 6
    optimizer = Optimizer(rule, 40, np.float64, lrs[0], momentum)
    params, out = w.copy(), np.empty(40)
    for g, lr in zip(gradients, lrs):
        optimizer.lr = lr
        optimizer.update(params, g, out)
        params, out = out, params
    np.testing.assert_allclose(params, _reference_steps(rule, w, gradients, lrs, momentum), rtol=0, atol=1e-9)


@pytest.mark.parametrize("rule,momentum", CASES)
def test_training_adds_l2_to_the_weights_gradient_before_the_optimizer(rule, momentum):
    """A trainer's steps on a float64 network: the data loss's gradient plus ``l2 * W`` on
    weights only (not biases), then the rule, matches the reference to 1e-9."""
    config = TrainingConfig(hidden=(5, 4), optimizer=rule, momentum=momentum, lr=0.05, l2=0.01, dtype="float64")
    trainer = build_trainer(config)
    network = trainer.network.copy()
    data_gradient = Backprop(network)
    X_ones = forward_inputs(trainer.data.X_train)
    targets = np.eye(2)[trainer.data.y_train]
    flat_index = np.arange(len(targets)) * 2 + trainer.data.y_train
    weights = network.weight_mask()
    w, gradients = network.flat.copy(), []
    expected = w.copy()
    for _ in range(8):
        probe = MLP.from_flat(expected.copy(), network.layer_sizes, network.activations)
        assert data_gradient.run(probe, X_ones, targets, flat_index, 0.0)
        gradients.append(data_gradient.flat_gradient + 0.01 * weights * expected)
        expected = _reference_steps(rule, w, gradients, [0.05] * len(gradients), momentum)  # replayed from the start
    trainer.step(8)
    np.testing.assert_allclose(trainer.network.flat, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("rule,momentum", CASES)
def test_each_optimizer_matches_torch(rule, momentum):
    """The same gradients fed to torch.optim (where PyTorch is installed: the benchmarks' peer)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    w = rng.normal(size=30)
    gradients = [rng.normal(size=30) for _ in range(10)]
    tensor = torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True)
    make = {
        "sgd": lambda: torch.optim.SGD([tensor], lr=0.1, momentum=momentum),
        "nesterov": lambda: torch.optim.SGD([tensor], lr=0.1, momentum=momentum, nesterov=True),
        "adagrad": lambda: torch.optim.Adagrad([tensor], lr=0.1),
        "rmsprop": lambda: torch.optim.RMSprop([tensor], lr=0.1),
        "adam": lambda: torch.optim.Adam([tensor], lr=0.1),
    }
    theirs = make[rule]()
    ours = Optimizer(rule, 30, np.float64, 0.1, momentum)
    params, out = w.copy(), np.empty(30)
    for g in gradients:
        tensor.grad = torch.tensor(g)
        theirs.step()
        ours.update(params, g, out)
        params, out = out, params
    np.testing.assert_allclose(params, tensor.detach().numpy(), rtol=0, atol=1e-9)


def test_choosing_another_optimizer_resets_its_state_but_not_the_weights():
    trainer = build_trainer(TrainingConfig(optimizer="adam", lr=0.01))
    trainer.step(20)
    weights = trainer.network.flat.copy()
    assert trainer.optimizer_steps == 20 and trainer.optimizer_state("exp_avg")[0].any()
    trainer.optimizer = "rmsprop"
    assert trainer.optimizer == "rmsprop" and trainer.optimizer_steps == 0
    assert not any(p.any() for p in trainer.optimizer_state("square_avg"))
    np.testing.assert_array_equal(trainer.network.flat, weights)
    assert trainer.lr == 0.01


def test_nesterov_takes_momentum_when_none_is_given():
    assert resolve_config({"optimizer": "nesterov"}).momentum == 0.9
    assert resolve_config({"optimizer": "nesterov", "momentum": 0.5}).momentum == 0.5
    assert with_optimizer(TrainingConfig(), "adam").momentum == 0
    with pytest.raises(ConfigError, match="nesterov"):
        resolve_config({"optimizer": "nesterov", "momentum": 0.0})


@pytest.mark.parametrize("rule", OPTIMIZERS)
def test_every_optimizer_and_dropout_resume_exactly(tmp_path, rule):
    """150 steps, save, load, 150 more: bit for bit the 300 straight steps, optimiser state,
    mini-batch order and dropout masks included (on three input features: the points keep two
    coordinates)."""
    config = with_optimizer(TrainingConfig(hidden=(6, 5), lr=0.02, dropout=0.3, batch_size=24,
                                           features=("x1", "x2", "x1sq")), rule)
    straight = build_trainer(config, log_every=10)
    straight.step(300)
    first = build_trainer(config, log_every=10)
    first.step(150)
    save_run(tmp_path / "run.nnviz", config, first)
    loaded_config, resumed = load_run(tmp_path / "run.nnviz")
    assert loaded_config == config and resumed.optimizer == rule and resumed.dropout == 0.3
    resumed.step(150)
    np.testing.assert_array_equal(resumed.network.flat, straight.network.flat)
    np.testing.assert_array_equal(resumed.history.array(), straight.history.array())


def test_dropout_backpropagates_through_its_masks():
    """With fixed masks, the gradient equals the loss's numerical derivative (float64)."""
    network = MLP.initialise((2, 5, 4, 3), ("tanh", "sigmoid"), np.random.default_rng(1), np.float64)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(7, 2))
    y = rng.integers(0, 3, 7)
    masks = [(rng.random((7, w)) >= 0.4) / 0.6 for w in (5, 4)]

    def loss(flat):
        net = MLP.from_flat(flat, network.layer_sizes, network.activations)
        a = np.tanh(X @ net.weights[0] + net.biases[0]) * masks[0]
        a = 1 / (1 + np.exp(-(a @ net.weights[1] + net.biases[1]))) * masks[1]
        z = a @ net.weights[2] + net.biases[2]
        z -= z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(7), y]))

    backprop = Backprop(network)
    assert backprop.run(network, forward_inputs(X), np.eye(3)[y], np.arange(7) * 3 + y, 0.0, masks)
    numeric = np.empty_like(network.flat)
    for k in range(len(numeric)):
        up, down = network.flat.copy(), network.flat.copy()
        up[k] += 1e-6
        down[k] -= 1e-6
        numeric[k] = (loss(up) - loss(down)) / 2e-6
    np.testing.assert_allclose(backprop.flat_gradient, numeric, rtol=1e-6, atol=1e-8)
    assert backprop.run(network, forward_inputs(X), np.eye(3)[y], np.arange(7) * 3 + y, 0.0)
    assert not np.allclose(backprop.flat_gradient, numeric, atol=1e-4)  # without masks: another gradient


def test_dropout_trains_only():
    """Evaluation, the figures and the plots use the whole network: the same figures as a trainer
    without dropout holding the same weights; the training steps themselves differ."""
    dropped = build_trainer(TrainingConfig(hidden=(20,), dropout=0.5))
    whole = build_trainer(TrainingConfig(hidden=(20,)))
    assert dropped.evaluate() == whole.evaluate()
    dropped.step(5)
    whole.step(5)
    assert not np.array_equal(dropped.network.flat, whole.network.flat)
    whole.network.flat[...] = dropped.network.flat
    assert dropped.evaluate() == whole.evaluate()


def test_a_sweep_trains_each_optimizer_dropout_and_feature_set_as_alone():
    """Networks that differ in optimiser, momentum and input features, packed together, follow
    their lone runs to rounding; a network carried on alone goes on the same way."""
    base = TrainingConfig(hidden=(6, 5), lr=0.05, dtype="float64", batch_size=32)
    configs = [with_optimizer(base, rule) for rule in OPTIMIZERS] + [
        base.replace(features=("x1sq", "x2", "sinx1")),
        base.replace(hidden=(4,), features=("x1x2", "x1"), optimizer="adam"),
    ]
    data = build_dataset(base)
    sweep = SweepTrainer(configs, data)
    sweep.step(40)
    for i, config in enumerate(configs):
        alone = build_trainer(config, data)
        alone.step(40)
        np.testing.assert_allclose(sweep.network(i).flat, alone.network.flat, rtol=0, atol=1e-12)
        carried = sweep.trainer(i)
        carried.step(20)
        alone.step(20)
        np.testing.assert_allclose(carried.network.flat, alone.network.flat, rtol=0, atol=1e-12)


def test_a_sweep_with_dropout_drops_only_where_asked():
    """A sweep of dropout 0 and 0.5 on mini-batches: the first network follows its lone run over
    several epochs (no mask touches its units, and drawing masks leaves the batch order alone),
    the second does not follow a run without dropout."""
    base = TrainingConfig(hidden=(8,), dtype="float64", batch_size=8)
    data = build_dataset(base)
    sweep = SweepTrainer(Sweep(base, "dropout", (0.0, 0.5)).configs(), data)
    sweep.step(100)  # five epochs of 160 points
    alone = build_trainer(base, data)
    alone.step(100)
    np.testing.assert_allclose(sweep.network(0).flat, alone.network.flat, rtol=0, atol=1e-12)
    assert np.abs(sweep.network(1).flat - alone.network.flat).max() > 1e-3


def test_features_are_computed_from_each_point():
    points = np.array([[0.5, -2.0], [3.0, 1.0]])
    expected = [[0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0), 0.5, -2.0], [9.0, 1.0, 3.0, np.sin(3.0), np.sin(1.0), 3.0, 1.0]]
    names = ("x1sq", "x2sq", "x1x2", "sinx1", "sinx2", "x1", "x2")
    np.testing.assert_allclose(expand(points, names), expected)


def test_with_squared_features_circles_are_linearly_separable():
    """No hidden layer, x1² and x2²: softmax regression on circles reaches test accuracy 0.9
    (on x1 and x2 it cannot beat a coin)."""
    squared = build_trainer(TrainingConfig(dataset="circles", hidden=(), features=("x1sq", "x2sq"), lr=1.0))
    squared.step(2000)
    plain = build_trainer(TrainingConfig(dataset="circles", hidden=(), lr=1.0))
    plain.step(2000)
    assert squared.evaluate().test_accuracy >= 0.9
    assert plain.evaluate().test_accuracy < 0.7


def test_the_network_reads_its_features_everywhere():
    """The decision map, layer outputs and evaluation all see the features: a network trained on
    x1² and x2² gives the same probabilities whether asked through it or by hand."""
    trainer = build_trainer(TrainingConfig(dataset="circles", hidden=(3,), features=("x1sq", "x2sq")))
    trainer.step(50)
    network = trainer.network
    assert network.layer_sizes[0] == 2 and network.point_dims == 2
    points = np.random.default_rng(0).normal(size=(5, 2))
    by_hand = MLP.from_flat(network.flat, network.layer_sizes, network.activations).predict_proba(points ** 2)
    np.testing.assert_allclose(network.predict_proba(points), by_hand, rtol=1e-6)


def test_features_need_two_dimensional_points():
    three = Dataset("d", np.zeros((4, 3)), np.array([0, 1, 0, 1]), np.zeros((0, 3)), np.zeros(0, int))
    with pytest.raises(ConfigError, match="two coordinates"):
        build_trainer(TrainingConfig(features=("x1sq", "x2"), dataset="custom"), three)
