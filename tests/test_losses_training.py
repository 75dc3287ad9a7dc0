"""Every loss × output unit × task through the run's machinery: a divergence steps back and the
run goes on, moments replay and saved runs resume bit for bit, sweeps that mix output units
train each network as alone; run files of every older format still open, and format 5 keeps
regression runs and sigmoid outputs.

The cases and the small configs are those of tests/test_losses.py (two hidden layers, float64,
40 points of moons, blobs, sine or plane).
"""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from test_losses import (
    CASE_IDS,
    CASES,
    CLASSIFICATION_HEADS,
    REGRESSION_HEADS,
    training_config,
)

from nnviz.core.config import PRESET_STEPS, preset_config
from nnviz.core.io.runfile import VERSION, load_run, save_run
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep_trainer import SweepTrainer

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths

DATA = Path(__file__).parent / "data"
ELSEWHERE = 1e-10  # how near numbers made on another machine must come (README: Run files)


# Divergence ----------------------------------------------------------------------------------
def _training_loss(trainer) -> float:
    """The loss on the training points (at blown-up weights the test points' may overflow)."""
    with np.errstate(over="ignore"):
        return trainer.evaluate().loss


@pytest.mark.parametrize("log_every", [1, 1000])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_diverging_run_steps_back_to_finite_weights_and_goes_on(case, log_every):
    """lr 1e6 with ReLU units: the run stops at the first loss (or gradient) that is not finite,
    however rarely it records its figures, keeps the weights an identical run has after the
    steps it made (finite, with a finite loss), and after a smaller learning rate trains on."""
    config = training_config(case, lr=1e6, activation="relu")
    trainer = build_trainer(config, log_every=log_every)
    done = trainer.step(1000)
    assert trainer.divergence is not None and "smaller learning rate" in trainer.divergence.message
    assert done < 1000 and trainer.step_count == done and trainer.divergence.step == done + 1
    assert np.isfinite(trainer.network.flat).all() and np.isfinite(_training_loss(trainer))
    twin = build_trainer(config)
    twin.step(done)
    np.testing.assert_array_equal(trainer.network.flat, twin.network.flat)
    # The weights kept may be those of a run blown up to 1e150, whose gradient is as large: a
    # rate small enough steps on from them. (Had a step gone on to weights whose gradient
    # overflows, no rate at all could: the run would go back to them at every divergence.)
    lr, went = 1e-3, 0
    while went < 50 and lr > 1e-300:
        trainer.lr = lr
        went = trainer.step(50)
        lr *= 1e-10
    assert went == 50 and trainer.divergence is None
    assert np.isfinite(trainer.network.flat).all() and np.isfinite(_training_loss(trainer))


# Moments and run files -----------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_going_back_to_a_moment_replays_bit_for_bit(case):
    """Mini-batches and momentum: 300 steps, back to the moment nearest step 120, on to step
    300 again: the weights and history of an unbroken run of 300 steps."""
    config = training_config(case, batch_size=7, momentum=0.5)
    replayed = build_trainer(config, log_every=5)
    replayed.step(300)
    moment = replayed.timeline.nearest(120)
    assert moment.step not in (0, 300) and moment.resumable
    assert replayed.go_back_to(moment)
    replayed.step(300 - moment.step)
    straight = build_trainer(config, log_every=5)
    straight.step(300)
    np.testing.assert_array_equal(replayed.network.flat, straight.network.flat)
    np.testing.assert_array_equal(replayed.history.array(), straight.history.array())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_saved_run_resumes_bit_for_bit(tmp_path, case):
    """Mini-batches and momentum: 150 steps, save, load, 150 more: the same head, task and
    targets, and the same weights, optimiser state and history as 300 steps straight."""
    output, loss, task, _ = case
    config = training_config(case, batch_size=7, momentum=0.5)
    first = build_trainer(config, log_every=5)
    first.step(150)
    save_run(tmp_path / "run.nnviz", config, first)
    loaded_config, resumed = load_run(tmp_path / "run.nnviz")
    assert loaded_config == config
    assert (resumed.network.output, resumed.network.loss) == (output, loss)
    assert resumed.network.layer_sizes == first.network.layer_sizes and resumed.data.task == task
    np.testing.assert_array_equal(resumed.data.y_train, first.data.y_train)
    assert resumed.data.y_train.dtype == first.data.y_train.dtype
    resumed.step(150)
    straight = build_trainer(config, log_every=5)
    straight.step(300)
    np.testing.assert_array_equal(resumed.network.flat, straight.network.flat)
    np.testing.assert_array_equal(resumed.state().optimizer["state"]["momentum_buffer"],
                                  straight.state().optimizer["state"]["momentum_buffer"])
    np.testing.assert_array_equal(resumed.history.array(), straight.history.array())


# Sweeps that mix output units ----------------------------------------------------------------
def _mixed(heads, task, k):
    """Networks of every head of a task, of several shapes and rates, one head twice with
    others between (so the sweep's output layer has two runs of it)."""
    shapes = [(4, 3), (5,), (3,), (2, 4), (6,)]
    configs = [training_config((o, loss, task, k), hidden=shapes[i % len(shapes)],
                               activation=("tanh", "sigmoid")[:len(shapes[i % len(shapes)])], lr=0.2 + 0.05 * i)
               for i, (o, loss) in enumerate(heads)]
    again = training_config((*heads[0], task, k), hidden=(7,), activation="tanh", lr=0.2)
    return [configs[0], *configs[1:], again]


GROUPS = {
    "2-classes": (CLASSIFICATION_HEADS, "classification", 2),
    "3-classes": (CLASSIFICATION_HEADS, "classification", 3),
    "1-D-regression": (REGRESSION_HEADS, "regression", 1),
    "2-D-regression": (REGRESSION_HEADS, "regression", 2),
}


@pytest.mark.parametrize("batch_size,momentum", [(None, 0.0), (7, 0.5)], ids=["full-batch", "mini-batches"])
@pytest.mark.parametrize("group", GROUPS)
def test_a_sweep_of_mixed_outputs_trains_each_network_as_alone(group, batch_size, momentum):
    """A sweep mixing every output unit and loss of a task (softmax, sigmoid and identity
    outputs side by side; one sigmoid unit beside two softmax units for two classes): each
    network's history and weights after 200 steps are a lone Trainer's to 1e-9, and one taken
    out of the sweep carries on as the lone one does."""
    heads, task, k = GROUPS[group]
    configs = [c.replace(batch_size=batch_size, momentum=momentum) for c in _mixed(heads, task, k)]
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=20)
    assert sweep.step(200) == 200
    for i, config in enumerate(configs):
        alone = build_trainer(config, data, log_every=20)
        alone.step(200)
        network = sweep.network(i)
        assert (network.output, network.loss, network.layer_sizes) == (
            alone.network.output, alone.network.loss, alone.network.layer_sizes)
        np.testing.assert_allclose(sweep.histories[i].array(), alone.history.array(), rtol=1e-9, equal_nan=True)
        np.testing.assert_allclose(network.flat, alone.network.flat, rtol=1e-9, atol=1e-12)
        taken = sweep.trainer(i)
        taken.step(50)
        alone.step(50)
        np.testing.assert_allclose(taken.network.flat, alone.network.flat, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch_size", [None, 7], ids=["full-batch", "mini-batches"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_a_diverging_network_of_each_head_is_frozen_and_the_others_go_on(case, batch_size):
    """In a sweep of every head of its task, the network of ``case``'s head at lr 1e6 (ReLU)
    stops at the step and weights of a lone run; every other network trains as if alone (the
    frozen one's weights, blown up, never overflow into theirs on later batches)."""
    output, loss, task, k = case
    heads = CLASSIFICATION_HEADS if task == "classification" else REGRESSION_HEADS
    configs = [c.replace(batch_size=batch_size) for c in _mixed(heads, task, k)]
    wild = heads.index((output, loss))
    configs[wild] = configs[wild].replace(lr=1e6, activation="relu")
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=10)
    assert sweep.step(300) == 300 and sweep.divergence is None
    assert [d is not None for d in sweep.divergences] == [i == wild for i in range(len(configs))]
    lone = build_trainer(configs[wild], data, log_every=10)
    lone.step(300)
    assert sweep.divergences[wild].step == lone.divergence.step
    np.testing.assert_allclose(sweep.network(wild).flat, lone.network.flat, rtol=1e-12)
    for i, config in enumerate(configs):
        if i != wild:
            alone = build_trainer(config, data, log_every=10)
            alone.step(300)
            np.testing.assert_allclose(sweep.histories[i].array(), alone.history.array(), rtol=1e-9, equal_nan=True)
            np.testing.assert_allclose(sweep.network(i).flat, alone.network.flat, rtol=1e-9, atol=1e-12)


def test_a_frozen_network_never_takes_its_neighbours_down_on_later_batches():
    """An identity-output network at lr 30 diverges and is frozen at weights whose loss was
    finite on its batch but is not on most others: it learns no more, its gradient never
    reaches the networks beside it (softmax and sigmoid outputs), and they train on as alone."""
    configs = [c.replace(batch_size=7) for c in _mixed(CLASSIFICATION_HEADS, "classification", 2)]
    wild = CLASSIFICATION_HEADS.index(("identity", "squared-error"))
    configs[wild] = configs[wild].replace(lr=30.0, activation="relu")
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=10)
    assert sweep.step(300) == 300
    assert [d is not None for d in sweep.divergences] == [i == wild for i in range(len(configs))]
    assert np.isfinite(sweep.network(wild).flat).all()
    for i, config in enumerate(configs):
        if i != wild:
            alone = build_trainer(config, data, log_every=10)
            alone.step(300)
            np.testing.assert_allclose(sweep.network(i).flat, alone.network.flat, rtol=1e-9, atol=1e-12)


def test_a_gradient_that_overflows_is_a_divergence_in_a_sweep_as_alone():
    """From weights blown up by lr 1e6 (identity outputs), one step at lr 1e-43 reaches weights
    whose loss is finite but whose gradient overflows: the network steps back to the weights
    before, in a sweep as alone, and the network beside it (which that gradient would have
    made NaN through the zeros of their shared matrices) trains on as if alone."""
    case = ("identity", "squared-error", "regression", 1)
    blown = build_trainer(training_config(case, lr=1e6, activation="relu"))
    blown.step(1000)
    assert blown.divergence is not None
    configs = [training_config(case, lr=1e-43, activation="relu"),
               training_config(("sigmoid", "squared-error", "regression", 1), hidden=(5,), activation="tanh", lr=0.3)]
    data = build_dataset(configs[0])
    sweep = SweepTrainer(configs, data, log_every=10)
    for (param, at), value in zip(sweep._places[0], blown.network.parameters(), strict=True):
        sweep.params[param][at] = value  # the first network's weights: the blown-up ones
    lone = build_trainer(configs[0], data, log_every=10)
    lone.network.flat[...] = blown.network.flat
    assert lone.step(100) == 0 and lone.divergence.step == 1
    assert np.isfinite(_training_loss(lone))
    np.testing.assert_array_equal(lone.network.flat, blown.network.flat)
    assert sweep.step(100) == 100
    assert sweep.divergences[0].step == 1 and sweep.divergences[1] is None
    np.testing.assert_array_equal(sweep.network(0).flat, blown.network.flat)
    beside = build_trainer(configs[1], data, log_every=10)
    beside.step(100)
    np.testing.assert_allclose(sweep.network(1).flat, beside.network.flat, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("group", GROUPS)
def test_a_mixed_sweep_goes_back_to_a_moment_bit_for_bit(group):
    """A sweep of mixed outputs (mini-batches, momentum) taken back to a moment and on again
    gives, bit for bit, the packed weights and histories of an unbroken run."""
    heads, task, k = GROUPS[group]
    configs = [c.replace(batch_size=7, momentum=0.5) for c in _mixed(heads, task, k)]
    data = build_dataset(configs[0])
    replayed = SweepTrainer(configs, data, log_every=10)
    replayed.step(300)
    moment = replayed.timeline.nearest(130)
    assert replayed.go_back_to(moment)
    replayed.step(300 - moment.step)
    straight = SweepTrainer(configs, data, log_every=10)
    straight.step(300)
    np.testing.assert_array_equal(replayed._flat, straight._flat)
    for a, b in zip(replayed.histories, straight.histories, strict=True):
        np.testing.assert_array_equal(a.array(), b.array())


# Run files: every older format, and format 5 ---------------------------------------------------
# Files saved by earlier nnviz (this repository's history, `git archive` of each commit):
# format 1 by the nnviz of one hidden layer (see tests/test_runfile.py); format 2 by 3feff09
# (spiral, 3 classes, 6x4 tanh/sigmoid, momentum 0.5, batches of 32); format 3 by 93b1311
# (blobs, 4 classes, inputs x1,x2,x1x2, adam, dropout 0.1, batches of 20); format 4 by e3ef74d
# (circles, 5x5 sigmoid, rmsprop, batches of 25, its timeline). Each: float64, 300 steps; then
# that nnviz gave, 200 steps after opening it, the training and test losses listed here.
OLD_FILES = {
    1: ("run-format1.nnviz", (0.2873472270083045, 0.36645098051709574)),
    2: ("run-format2.nnviz", (0.40050809698105017, 0.40687138501410247)),
    3: ("run-format3.nnviz", (0.03953640975404472, 0.05243560708508707)),
    4: ("run-format4.nnviz", (0.6951860464097117, 0.7185902415554484)),
}


@pytest.mark.parametrize("version", OLD_FILES)
def test_a_run_file_of_every_older_format_opens_as_softmax_classification(version):
    """Each older format opens as what it was, softmax outputs with cross-entropy on classes
    (the config's output and loss unset: the task's defaults), at step 300; 200 more steps
    give the losses the nnviz that saved it gave, and the weights of an unbroken run on its points."""
    name, losses = OLD_FILES[version]
    with zipfile.ZipFile(DATA / name) as archive:
        header = json.loads(archive.read("run.json"))
    assert header["version"] == version and "output" not in header["config"]
    config, trainer = load_run(DATA / name)
    assert (config.output, config.loss) == (None, None)
    assert (trainer.network.output, trainer.network.loss) == ("softmax", "cross-entropy")
    assert trainer.data.task == "classification" and trainer.data.y_train.dtype == np.int64
    assert trainer.network.layer_sizes[-1] == trainer.data.classes and trainer.step_count == 300
    trainer.step(200)
    entry = trainer.evaluate()
    assert (entry.loss, entry.test_loss) == pytest.approx(losses, rel=ELSEWHERE)
    straight = build_trainer(config, trainer.data)
    straight.step(500)
    np.testing.assert_allclose(trainer.network.flat, straight.network.flat, rtol=ELSEWHERE, atol=ELSEWHERE)


def test_a_regression_run_is_saved_in_format_5_with_its_task_and_targets(tmp_path):
    """A regression run (sine, default head) is saved as format 5 with the data's task and its
    float targets; it opens as regression with identity outputs and squared error, the same
    targets, and resumes bit for bit."""
    assert VERSION == 5
    config = training_config(("identity", "squared-error", "regression", 1), output=None, loss=None, batch_size=7)
    trainer = build_trainer(config, log_every=5)
    trainer.step(100)
    save_run(tmp_path / "sine.nnviz", config, trainer)
    with zipfile.ZipFile(tmp_path / "sine.nnviz") as archive:
        header = json.loads(archive.read("run.json"))
    assert header["version"] == 5 and header["data"]["task"] == "regression"
    assert (header["config"]["output"], header["config"]["loss"]) == (None, None)
    assert header["data"]["class_names"] == []
    loaded, opened = load_run(tmp_path / "sine.nnviz")
    assert loaded == config and opened.data.task == "regression"
    assert (opened.network.output, opened.network.loss, opened.network.layer_sizes[-1]) == (
        "identity", "squared-error", 1)
    for got, saved in ((opened.data.y_train, trainer.data.y_train), (opened.data.y_test, trainer.data.y_test)):
        assert got.dtype == np.float64 and not np.array_equal(got, np.round(got))
        np.testing.assert_array_equal(got, saved)
    opened.step(100)
    trainer.step(100)
    np.testing.assert_array_equal(opened.network.flat, trainer.network.flat)
    np.testing.assert_array_equal(opened.history.array(), trainer.history.array())


def test_the_xor_preset_is_saved_with_its_one_sigmoid_output(tmp_path):
    """The xor preset (one sigmoid unit, squared error, two classes) is saved as format 5 with
    its output and loss, opens with one output unit, and its predictions carry on exactly."""
    config = preset_config("xor")
    trainer = build_trainer(config)
    trainer.step(PRESET_STEPS["xor"] // 10)
    save_run(tmp_path / "xor.nnviz", config, trainer)
    with zipfile.ZipFile(tmp_path / "xor.nnviz") as archive:
        header = json.loads(archive.read("run.json"))
    assert header["version"] == 5 and header["data"]["task"] == "classification"
    assert (header["config"]["output"], header["config"]["loss"]) == ("sigmoid", "squared-error")
    loaded, opened = load_run(tmp_path / "xor.nnviz")
    assert loaded == config
    assert (opened.network.output, opened.network.loss, opened.network.layer_sizes[-1]) == (
        "sigmoid", "squared-error", 1)
    X = opened.data.X_train
    np.testing.assert_array_equal(opened.network.outputs(X), trainer.network.outputs(X))
    opened.step(100)
    trainer.step(100)
    np.testing.assert_array_equal(opened.network.flat, trainer.network.flat)
