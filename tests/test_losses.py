"""Every loss × output unit × task against a hand-written numpy reference: the loss, its
gradient (checked itself by finite differences) and 30 steps of gradient descent; the
pairs that cannot learn a task refused in a sentence; sigmoid with cross-entropy at saturation.

The reference (``ref_*`` below) is plain float64 numpy written from the conventions of
:mod:`nnviz.core.model.outputs` and the README, and reads no nnviz engine code: the mean over
the samples of ``1/2 sum_k (y_k - t_k)**2`` or of the cross-entropy (``-log y_true`` after
softmax; ``-sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)]`` after sigmoid, each log held at
-100 or above as PyTorch's ``BCELoss`` does), plus ``l2 / 2 * sum(W**2)`` over the weights
(not the biases). Its gradient goes back through each output unit's own Jacobian rather than
the ``y - t`` shortcut the engine takes for the natural pairs, so the two are independent.

Training, moments, run files and sweeps for every combination: tests/test_losses_training.py.
"""

from itertools import product

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import CUSTOM, Dataset
from nnviz.core.engine import ops
from nnviz.core.model.network import MLP, Backprop
from nnviz.core.model.outputs import LOSSES, OUTPUTS, head_problem, output_units
from nnviz.core.training.batches import Batches
from nnviz.core.training.experiment import (
    batch_rng,
    build_dataset,
    build_network,
    build_trainer,
)

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths

# Every pair that can learn each task.
CLASSIFICATION_HEADS = [(o, loss) for o, loss in product(OUTPUTS, LOSSES) if (o, loss) != ("identity", "cross-entropy")]
REGRESSION_HEADS = [("identity", "squared-error"), ("sigmoid", "squared-error")]
# (output, loss, task, classes or, for regression, input columns)
CASES = ([(o, loss, "classification", k) for k in (2, 3) for o, loss in CLASSIFICATION_HEADS]
         + [(o, loss, "regression", columns) for columns in (1, 2) for o, loss in REGRESSION_HEADS])
CASE_IDS = [f"{o}-{loss}-{k}-" + ("classes" if task == "classification" else "D-regression") for o, loss, task, k in CASES]


# The reference -------------------------------------------------------------------------------
def ref_sigmoid(z):
    return 1 / (1 + np.exp(-z))


HIDDEN = {  # activation: (function, derivative w.r.t. the weighted sum)
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (ref_sigmoid, lambda z: ref_sigmoid(z) * (1 - ref_sigmoid(z))),
}


def ref_targets(y, output, task, classes):
    """One column of values for regression and for two classes with one sigmoid unit (the
    class-1 probability); else one-hot classes."""
    if task == "regression" or (output == "sigmoid" and classes == 2):
        return np.asarray(y, dtype=np.float64)[:, None]
    return np.eye(classes)[y]


def ref_units(output, task, classes):
    return ref_targets(np.zeros(1, dtype=int), output, task, classes).shape[1]


def ref_forward(weights, biases, activations, X, output):
    """Output units' values, and each hidden layer's sums and outputs (the inputs first)."""
    a, sums, outputs = X, [], [X]
    for W, b, name in zip(weights[:-1], biases[:-1], activations):
        z = a @ W + b
        a = HIDDEN[name][0](z)
        sums.append(z)
        outputs.append(a)
    z = a @ weights[-1] + biases[-1]
    if output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
    elif output == "sigmoid":
        y = ref_sigmoid(z)
    else:
        y = z
    return y, sums, outputs


def ref_per_sample(y, t, output, loss):
    if loss == "squared-error":
        return 0.5 * np.sum((y - t) ** 2, axis=1)
    if output == "softmax":
        return -np.log(np.sum(y * t, axis=1))
    with np.errstate(divide="ignore"):  # log 0 is -inf, held at -100
        return -np.sum(t * np.maximum(np.log(y), -100) + (1 - t) * np.maximum(np.log(1 - y), -100), axis=1)


def ref_loss(weights, biases, activations, X, t, output, loss, l2):
    y = ref_forward(weights, biases, activations, X, output)[0]
    return np.mean(ref_per_sample(y, t, output, loss)) + l2 / 2 * sum(np.sum(W**2) for W in weights)


def ref_gradient(weights, biases, activations, X, t, output, loss, l2):
    """``[dW1, db1, dW2, db2, ...]`` by the chain rule through each output unit's Jacobian."""
    n = len(X)
    y, sums, outputs = ref_forward(weights, biases, activations, X, output)
    if loss == "squared-error":
        dy = (y - t) / n
    elif output == "softmax":
        dy = -t / y / n
    else:
        dy = -(t / y - (1 - t) / (1 - y)) / n
    if output == "softmax":  # J = diag(y) - y y^T, per sample
        jacobians = np.einsum("ij,jk->ijk", y, np.eye(y.shape[1])) - np.einsum("ij,ik->ijk", y, y)
        dz = np.einsum("ijk,ik->ij", jacobians, dy)
    elif output == "sigmoid":
        dz = dy * y * (1 - y)
    else:
        dz = dy
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        grads[:0] = [outputs[layer].T @ dz + l2 * weights[layer], dz.sum(axis=0)]
        if layer:
            dz = (dz @ weights[layer].T) * HIDDEN[activations[layer - 1]][1](sums[layer - 1])
    return grads


def ref_score(y_out, labels, task):
    """Accuracy (the largest class score; one sigmoid unit: class 1 above 0.5) or R²."""
    if task == "regression":
        values = y_out[:, 0]
        return 1 - np.sum((values - labels) ** 2) / np.sum((labels - labels.mean()) ** 2)
    predicted = (y_out[:, 0] > 0.5).astype(int) if y_out.shape[1] == 1 else np.argmax(y_out, axis=1)
    return np.mean(predicted == labels)


def ref_finite_differences(weights, biases, activations, X, t, output, loss, l2, h=1e-6):
    params = [p for pair in zip(weights, biases) for p in pair]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = ref_loss(weights, biases, activations, X, t, output, loss, l2)
            p[i] = old - h
            down = ref_loss(weights, biases, activations, X, t, output, loss, l2)
            p[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


# Fixtures ------------------------------------------------------------------------------------
def _points(task, k, rng, n=13):
    """``n`` points and their labels (``k`` classes, each present) or targets (``k`` columns)."""
    if task == "regression":
        X = rng.standard_normal((n, k))
        return X, np.sin(2 * X[:, 0]) * 0.4 + 0.5 + 0.1 * X[:, -1]  # within (0, 1) mostly, as sigmoid units reach
    X = rng.standard_normal((n, 2))
    y = rng.integers(0, k, size=n)
    y[:k] = np.arange(k)
    return X, y


def _network(case, hidden, rng, dtype=np.float64):
    output, loss, task, k = case
    columns = k if task == "regression" else 2
    units = output_units(output, task, 0 if task == "regression" else k)
    activations = ("tanh", "sigmoid")[: len(hidden)]
    network = MLP.initialise((columns, *hidden, units), activations, rng, dtype, output=output, loss=loss)
    for b in network.biases:  # not zero, so that the biases' gradients are not all alike
        b[:] = 0.3 * rng.standard_normal(b.shape)
    return network


def _reference_parameters(network):
    return [w.astype(np.float64) for w in network.weights], [b.astype(np.float64) for b in network.biases]


def _flat_index(y, width, task):
    return None if task == "regression" or width == 1 else np.arange(len(y)) * width + y


def dataset_for(task, k):
    """The built-in dataset each case trains on: moons (2 classes), blobs (3), sine (1-D) or plane (2-D)."""
    if task == "regression":
        return "sine" if k == 1 else "plane"
    return "moons" if k == 2 else "blobs"


SHAPES = [(), (5,), (4, 3)]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_units_and_targets_follow_the_conventions(case):
    """Two classes with sigmoid outputs take one unit whose target is the label; regression one
    unit whose target is the value; anything else a unit and a one-hot column per class. The
    training set's batches carry exactly those targets, and the true classes' places."""
    output, loss, task, k = case
    classes = 0 if task == "regression" else k
    assert output_units(output, task, classes) == ref_units(output, task, classes)
    config = TrainingConfig(dataset=dataset_for(task, k), classes=max(k, 2), samples=40, output=output, loss=loss,
                            dtype="float64")
    data = build_dataset(config)
    network = build_network(config, data)
    assert (network.output, network.loss) == (output, loss)
    assert network.layer_sizes[-1] == ref_units(output, task, classes)
    width = network.layer_sizes[-1]
    batch = Batches(data, np.float64, width, None, np.random.default_rng(0)).next()
    np.testing.assert_array_equal(batch.targets[width], ref_targets(data.y_train, output, task, classes))
    expected_index = _flat_index(data.y_train, width, task)
    if expected_index is None:
        assert batch.index[width] is None
    else:
        np.testing.assert_array_equal(batch.index[width], expected_index)


@pytest.mark.parametrize("l2", [0.0, 0.05])
@pytest.mark.parametrize("hidden", SHAPES, ids=lambda h: "x".join(map(str, h)) or "none")
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_loss_score_and_gradient_match_the_reference(case, hidden, l2):
    """Float64: ``MLP.evaluate``'s loss and accuracy (or R²), ``MLP.outputs`` and
    ``Backprop.run``'s gradient of every parameter agree with the reference to 1e-10 relative."""
    output, loss, task, k = case
    rng = np.random.default_rng(len(hidden) * 31 + k + 7 * CASES.index(case))
    X, y = _points(task, k, rng)
    network = _network(case, hidden, rng)
    weights, biases = _reference_parameters(network)
    t = ref_targets(y, output, task, k)
    y_out = ref_forward(weights, biases, network.activations, X, output)[0]
    np.testing.assert_allclose(network.outputs(X), y_out, rtol=1e-12, atol=1e-15)

    got_loss, got_score = network.evaluate(X, y, l2, regression=task == "regression")
    assert got_loss == pytest.approx(ref_loss(weights, biases, network.activations, X, t, output, loss, l2), rel=1e-10)
    assert got_score == pytest.approx(ref_score(y_out, y, task), rel=1e-10)

    backprop = Backprop(network)
    assert backprop.run(network, network.inputs(X), t, _flat_index(y, t.shape[1], task), l2)
    expected = ref_gradient(weights, biases, network.activations, X, t, output, loss, l2)
    for got, want in zip(backprop.gradients, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_reference_gradient_matches_finite_differences(case):
    """The reference's gradient is the derivative of the reference's loss: central differences
    agree to 1e-7 relative (two hidden layers, L2 on)."""
    output, loss, task, k = case
    rng = np.random.default_rng(11 + CASES.index(case))
    X, y = _points(task, k, rng)
    network = _network(case, (4, 3), rng)
    weights, biases = _reference_parameters(network)
    t = ref_targets(y, output, task, k)
    args = (weights, biases, network.activations, X, t, output, loss, 0.05)
    for analytic, numeric in zip(ref_gradient(*args), ref_finite_differences(*args), strict=True):
        error = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
        assert error < 1e-7


# Thirty steps of gradient descent ------------------------------------------------------------
def training_config(case, **settings):
    """A small float64 config of ``case``'s head and data (two hidden layers, L2 on)."""
    output, loss, task, k = case
    return TrainingConfig(dataset=dataset_for(task, k), classes=max(k, 2), samples=40, hidden=(4, 3),
                          activation=("tanh", "sigmoid"), output=output, loss=loss, lr=0.5, l2=1e-3,
                          dtype="float64").replace(**settings)


def ref_batches(n, batch_size, rng):
    """Rows of each step: the whole set, or the next ``batch_size`` rows of a fresh shuffle an
    epoch (the rows too few for a batch at an epoch's end are left out)."""
    order, cursor = np.arange(n), n
    while True:
        if batch_size is None:
            yield np.arange(n)
            continue
        if cursor + batch_size > n:
            order, cursor = rng.permutation(n), 0
        yield order[cursor:cursor + batch_size]
        cursor += batch_size


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("batch_size", [None, 7], ids=["full-batch", "mini-batches"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_thirty_steps_are_the_reference_updates(case, batch_size, momentum):
    """Thirty sgd steps (``b = m b + g``, ``w -= lr b``) of nnviz's Trainer land on the weights,
    and record the losses, of the reference doing the same updates on the same batches."""
    output, loss, task, k = case
    config = training_config(case, batch_size=batch_size, momentum=momentum)
    trainer = build_trainer(config, log_every=1)
    data = trainer.data
    weights, biases = _reference_parameters(trainer.network)
    activations = trainer.network.activations
    X, labels = data.X_train, data.y_train
    t = ref_targets(labels, output, task, k)
    velocity = None
    losses = []
    for rows in ref_batches(len(labels), batch_size, batch_rng(config)):
        losses.append(ref_loss(weights, biases, activations, X, t, output, loss, config.l2))
        if len(losses) == 31:
            break
        grads = ref_gradient(weights, biases, activations, X[rows], t[rows], output, loss, config.l2)
        velocity = grads if velocity is None else [momentum * v + g for v, g in zip(velocity, grads)]
        params = [p for pair in zip(weights, biases) for p in pair]
        for p, v in zip(params, velocity):
            p -= config.lr * v
    assert trainer.step(30) == 30
    for got, want in zip(trainer.network.parameters(), [p for pair in zip(weights, biases) for p in pair], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(trainer.history.array()[:, 1], losses, rtol=1e-10)


# Refused pairs -------------------------------------------------------------------------------
ALL = list(product(OUTPUTS, LOSSES, ("classification", "regression")))
REFUSED = [c for c in ALL if c[:2] not in (CLASSIFICATION_HEADS if c[2] == "classification" else REGRESSION_HEADS)]


def test_the_allowed_pairs_are_exactly_those_listed():
    """Classification takes any output with squared error, and softmax or sigmoid with
    cross-entropy; regression takes identity or sigmoid with squared error. Nothing else."""
    assert {c for c in ALL if head_problem(*c) is None} == set(ALL) - set(REFUSED)
    assert sorted(REFUSED) == sorted([("identity", "cross-entropy", "classification"),
                                      ("identity", "cross-entropy", "regression"),
                                      ("sigmoid", "cross-entropy", "regression"),
                                      ("softmax", "cross-entropy", "regression"),
                                      ("softmax", "squared-error", "regression")])


@pytest.mark.parametrize("output,loss,task", REFUSED)
def test_an_impossible_pair_is_refused_in_one_sentence(output, loss, task):
    """``head_problem`` says why in one line that names the option to change; a config on a
    built-in dataset of that task is refused by ``validated`` with that sentence, and custom
    points of that task when the network is built."""
    problem = head_problem(output, loss, task)
    assert isinstance(problem, str) and problem and "\n" not in problem
    assert "--output" in problem or "--loss" in problem
    dataset = "sine" if task == "regression" else "moons"
    with pytest.raises(ConfigError) as refused:
        TrainingConfig(dataset=dataset, output=output, loss=loss).validated()
    assert str(refused.value) == problem
    with pytest.raises(ConfigError) as refused:
        build_trainer(TrainingConfig(dataset=dataset, output=output, loss=loss))
    assert str(refused.value) == problem
    custom = TrainingConfig(dataset=CUSTOM, output=output, loss=loss).validated()  # its task is its points'
    points = build_dataset(TrainingConfig(dataset=dataset, samples=20))
    with pytest.raises(ConfigError) as refused:
        build_network(custom, Dataset("points", points.X_train, points.y_train, points.X_test, points.y_test,
                                      task=task))
    assert str(refused.value) == problem


@pytest.mark.parametrize("output,loss", [("identity", None), (None, "cross-entropy"), ("softmax", None)])
def test_a_half_given_pair_is_completed_by_the_task_or_refused(output, loss):
    """An output or a loss alone takes the other from the task: identity takes squared error
    (for classes too); on regression data cross-entropy alone, or softmax alone, is refused."""
    classes = TrainingConfig(dataset="moons", output=output, loss=loss).head("classification")
    assert classes == {("identity", None): ("identity", "squared-error"),
                       (None, "cross-entropy"): ("softmax", "cross-entropy"),
                       ("softmax", None): ("softmax", "cross-entropy")}[(output, loss)]
    regression = TrainingConfig(dataset="sine", output=output, loss=loss)
    if output == "identity":
        assert regression.validated().head("regression") == ("identity", "squared-error")
    else:
        with pytest.raises(ConfigError, match="--"):
            regression.validated()


# Sigmoid with cross-entropy at saturation ----------------------------------------------------
def _saturated(dtype, bias):
    """Two classes, one sigmoid unit with cross-entropy, no hidden layer, whose sum is ``bias``
    for every point (zero weights)."""
    return MLP([np.zeros((2, 1), dtype)], [np.full(1, bias, dtype)], (), output="sigmoid", loss="cross-entropy")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias,wrong", [(800.0, 0), (-800.0, 1)], ids=["one-for-class-0", "zero-for-class-1"])
def test_a_saturated_sigmoid_on_the_wrong_side_costs_100_not_infinity(dtype, bias, wrong):
    """Outputs of exactly 1 for a point of class 0 (or 0 for class 1) cost 100 each, as the
    log is held at -100 (PyTorch's BCELoss); the points on the right side cost nothing."""
    network = _saturated(dtype, bias)
    X = np.zeros((4, 2))
    y = np.array([wrong, wrong, 1 - wrong, 1 - wrong])
    assert network.outputs(X)[0, 0] == (1.0 if bias > 0 else 0.0)  # exactly: the case in point
    loss, accuracy = network.evaluate(X, y, 0.0)
    assert loss == pytest.approx(100 * 2 / 4, rel=1e-6) and accuracy == 0.5
    assert ref_per_sample(network.outputs(X).astype(np.float64), y[:, None], "sigmoid", "cross-entropy") \
        == pytest.approx([100, 100, 0, 0], abs=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("z", [-10.0, -17.0, -20.0, -30.0, -60.0, -80.0])
def test_a_confidently_wrong_sigmoid_output_costs_its_log_probability(dtype, z):
    """A point of class 1 whose sum is a very negative ``z`` costs ``-log sigmoid(z)`` (about
    ``-z``), as PyTorch's sigmoid and BCELoss charge it: a float32 sigmoid stays above 0 down
    to about -88, so the floor of -100 is for outputs that are exactly 0 or 1, not small ones."""
    network = _saturated(dtype, z)
    X, y = np.zeros((1, 2)), np.array([1])
    expected = np.log1p(np.exp(-z))  # -log(1 / (1 + e^-z))
    assert network.evaluate(X, y, 0.0)[0] == pytest.approx(expected, rel=1e-6 if dtype == np.float32 else 1e-12)


def test_float32_outputs_reaching_one_train_on_without_a_divergence():
    """A float32 sigmoid output reaches exactly 1 at a sum of 17; a run whose points of class 0
    sit there has a finite loss and trains on (nothing diverged): the sum comes down."""
    config = TrainingConfig(dataset="moons", samples=40, hidden=(), output="sigmoid", loss="cross-entropy",
                            lr=0.5, dtype="float32")
    trainer = build_trainer(config, log_every=1)
    trainer.network.weights[0][...] = 0
    trainer.network.biases[0][...] = 20.0
    assert (trainer.network.outputs(trainer.data.X_train) == 1.0).all()
    assert trainer.step(20) == 20
    assert trainer.divergence is None
    losses = trainer.history.array()[1:, 1]
    assert np.isfinite(losses).all() and losses[0] > 10
    assert trainer.network.biases[0][0] < 20.0 and np.isfinite(trainer.network.flat).all()


def test_a_nan_output_is_still_a_divergence():
    """NaN is not saturation: a sigmoid output of NaN gives a NaN loss (the floor does not hide
    it), and a run whose weights give one reports a divergence."""
    y = np.array([[np.nan], [0.5]])
    assert np.isnan(ops.loss_values("sigmoid", "cross-entropy", y, np.array([[0.0], [1.0]])))
    config = TrainingConfig(dataset="moons", samples=40, hidden=(3,), output="sigmoid", loss="cross-entropy",
                            dtype="float32")
    trainer = build_trainer(config)
    trainer.network.weights[0][0, 0] = np.nan
    assert np.isnan(trainer.evaluate().loss)
    trainer.step(5)
    assert trainer.divergence is not None


# PyTorch's losses, where it is installed -----------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_losses_and_gradients_match_pytorch(case):
    """The same network in PyTorch (float64), with F.cross_entropy on the sums (softmax),
    F.binary_cross_entropy (sigmoid) or half of F.mse_loss summed (squared error), divided by
    the samples, plus the L2 term: nnviz's loss and gradients agree to 1e-10."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    output, loss, task, k = case
    rng = np.random.default_rng(5 + CASES.index(case))
    X, y = _points(task, k, rng)
    network = _network(case, (4, 3), rng)
    l2 = 0.05
    t = ref_targets(y, output, task, k)
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in network.parameters()]
    a = torch.tensor(X, dtype=torch.float64)
    for i, name in enumerate(network.activations):
        a = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}[name](a @ params[2 * i] + params[2 * i + 1])
    z = a @ params[-2] + params[-1]
    n, target = len(X), torch.tensor(t, dtype=torch.float64)
    if output == "softmax" and loss == "cross-entropy":
        data_loss = functional.cross_entropy(z, torch.tensor(y), reduction="sum") / n
    else:
        out = {"softmax": lambda s: torch.softmax(s, dim=1), "sigmoid": torch.sigmoid, "identity": lambda s: s}[output](z)
        if loss == "cross-entropy":
            data_loss = functional.binary_cross_entropy(out, target, reduction="sum") / n
        else:
            data_loss = functional.mse_loss(out, target, reduction="sum") / (2 * n)
    total = data_loss + l2 / 2 * sum((w**2).sum() for w in params[0::2])
    total.backward()
    assert network.evaluate(X, y, l2, regression=task == "regression")[0] == pytest.approx(total.item(), rel=1e-10)
    backprop = Backprop(network)
    assert backprop.run(network, network.inputs(X), t, _flat_index(y, t.shape[1], task), l2)
    for got, p in zip(backprop.gradients, params, strict=True):
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_saturated_sigmoid_cross_entropy_matches_pytorch():
    """Where PyTorch's float32 sigmoid gives exactly 1 for a point of class 0, BCELoss costs
    100, as nnviz's loss does."""
    torch = pytest.importorskip("torch")
    z = torch.tensor([[30.0], [-30.0], [2.0]], dtype=torch.float32)
    target = torch.tensor([[0.0], [1.0], [1.0]])
    expected = torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), target).item()
    y = ops.head("sigmoid", "cross-entropy").forward(z.numpy().copy(), np.empty(3, np.float32), np.empty(3, np.float32))
    got = ops.loss_values("sigmoid", "cross-entropy", y, target.numpy())
    assert got == pytest.approx(expected, rel=1e-6)
