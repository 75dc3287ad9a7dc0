"""The command line of issue 26: --loss, --output and --task, the usage errors of pairs that
cannot learn, the xor preset, `nnviz predict`, a regression run's figures (MSE, RMSE, R²) and
sweeps over outputs, losses and activations."""

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from test_cli import _env, run_cli

from nnviz.cli.parser import CONVENTIONS, build_parser
from nnviz.core.config import PRESET_STEPS, TrainingConfig
from nnviz.core.io.runfile import load_run
from nnviz.core.model.outputs import head_problem
from nnviz.core.training.sweep import Sweep, parse_values

TABLE_LINE = re.compile(r"in: (\[.*\])  ->  out: (\S+) \((\d+\.\d{4})\)")


def _sine_csv(tmp_path, name="wave.csv"):
    """60 points (x, sin 3x): one feature and targets that are not whole numbers, a regression set."""
    x = np.random.default_rng(0).uniform(-1, 1, 60)
    path = tmp_path / name
    path.write_text("x,y\n" + "".join(f"{float(a)!r},{float(np.sin(3 * a))!r}\n" for a in x))
    return path


def _whole_labels_csv(tmp_path):
    """40 points of two features whose labels are whole numbers: classes unless told otherwise."""
    rng = np.random.default_rng(1)
    rows = [f"{float(a)!r},{float(b)!r},{int(a + b > 0)}" for a, b in rng.uniform(-1, 1, (40, 2))]
    path = tmp_path / "whole.csv"
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    return path


def _one_line_error(capsys, *args):
    """Run `nnviz ARGS`, check it is a usage error (exit 2, nothing on stdout, one line on
    stderr, no traceback) and return that line."""
    status, out, err = run_cli(capsys, *args)
    lines = err.strip().splitlines()
    assert status == 2 and out == "", (status, out, err)
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --loss, --output and --task -----------------------------------------------------------------
def test_loss_and_output_reach_the_saved_network(capsys, tmp_path):
    """`--output sigmoid --loss squared-error` on moons (two classes): the JSON config says so,
    and the network saved has them, with ONE output unit (the probability of class 1)."""
    path = tmp_path / "run.nnviz"
    status, out, err = run_cli(capsys, "train", "--output", "sigmoid", "--loss", "squared-error", "--steps", "5",
                               "--json", "--save", str(path))
    assert status == 0, err
    config = json.loads(out)["config"]
    assert (config["output"], config["loss"]) == ("sigmoid", "squared-error")
    _, trainer = load_run(path)
    assert (trainer.network.output, trainer.network.loss) == ("sigmoid", "squared-error")
    assert trainer.network.layer_sizes == (2, 10, 1)


def test_the_tutorial_preset_takes_another_output(capsys, tmp_path):
    """`--preset tutorial --output sigmoid`: the tutorial's own weights, but one sigmoid output
    (its network is built apart from the others, and takes the output too)."""
    path = tmp_path / "run.nnviz"
    status, _, err = run_cli(capsys, "train", "--preset", "tutorial", "--output", "sigmoid", "--steps", "5",
                             "--save", str(path))
    assert status == 0, err
    network = load_run(path)[1].network
    assert (network.output, network.loss, network.layer_sizes) == ("sigmoid", "cross-entropy", (2, 3, 1))


def test_left_out_the_task_decides(capsys, tmp_path):
    """Without --output and --loss, classes get softmax and cross-entropy (one unit a class) and
    a regression set identity and squared error (one unit)."""
    for dataset, head, units in (("moons", ("softmax", "cross-entropy"), 2), ("sine", ("identity", "squared-error"), 1)):
        path = tmp_path / f"{dataset}.nnviz"
        status, _, err = run_cli(capsys, "train", "--dataset", dataset, "--lr", "0.1", "--steps", "3", "--save", str(path))
        assert status == 0, err
        network = load_run(path)[1].network
        assert (network.output, network.loss) == head and network.layer_sizes[-1] == units


@pytest.mark.parametrize("command", ["train", "sweep", "gui", None])
@pytest.mark.parametrize(("args", "pair"), [
    (["--output", "identity", "--loss", "cross-entropy"], ("identity", "cross-entropy", "classification")),
    (["--dataset", "sine", "--output", "softmax"], ("softmax", "squared-error", "regression")),
    (["--dataset", "plane", "--loss", "cross-entropy"], ("identity", "cross-entropy", "regression")),
    (["--preset", "xor", "--output", "identity", "--loss", "cross-entropy"], ("identity", "cross-entropy", "classification")),
])
def test_impossible_pairs_are_usage_errors(capsys, command, args, pair):
    """An output and loss that cannot learn the data: exit 2 with the one sentence that says
    why and what to use, for every command that takes them (None: `nnviz` itself, the window),
    before any training or window."""
    words = [command] if command else []
    line = _one_line_error(capsys, *words, *args, "--steps", "5") if command in ("train", "sweep") else \
        _one_line_error(capsys, *words, *args)
    assert line == f"nnviz {command or 'gui'}: error: {head_problem(*pair)}"


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize(("args", "pair"), [
    (["--loss", "cross-entropy"], ("identity", "cross-entropy", "regression")),
    (["--output", "softmax"], ("softmax", "squared-error", "regression")),
    (["--output", "softmax", "--loss", "cross-entropy"], ("softmax", "cross-entropy", "regression")),
])
def test_a_regression_file_refuses_classification_heads(capsys, tmp_path, command, args, pair):
    """A CSV file of targets with --loss cross-entropy or --output softmax: exit 2, one line."""
    line = _one_line_error(capsys, command, "--data", str(_sine_csv(tmp_path)), *args, "--steps", "5")
    assert line == f"nnviz {command}: error: {head_problem(*pair)}"


@pytest.mark.parametrize(("args", "words"), [
    (["--output", "linear"], "argument --output: invalid choice: 'linear' (choose from 'softmax', 'sigmoid', 'identity')"),
    (["--loss", "mse"], "argument --loss: invalid choice: 'mse' (choose from 'cross-entropy', 'squared-error')"),
    (["--task", "values"], "argument --task: invalid choice: 'values' (choose from 'classification', 'regression')"),
])
def test_unknown_choices_are_usage_errors(capsys, args, words):
    """A name that is not an output, loss or task: exit 2, one line naming the choices."""
    assert _one_line_error(capsys, "train", *args) == f"nnviz train: error: {words}"


def test_task_without_a_data_file_is_a_usage_error(capsys):
    """--task says how to read a file's labels: without --data it is a usage error."""
    line = _one_line_error(capsys, "train", "--task", "regression")
    assert line == ("nnviz train: error: --task regression says how to read the labels of a --data file; "
                    "a built-in dataset's task is its own")


def test_task_makes_whole_labels_targets(capsys, tmp_path):
    """Labels 0 and 1 in two feature columns are classes; with --task regression they are
    targets: the run reports MSE and R², and its network has one identity output."""
    path, run = _whole_labels_csv(tmp_path), tmp_path / "run.nnviz"
    status, out, _ = run_cli(capsys, "train", "--data", str(path), "--steps", "5", "--json")
    assert status == 0 and "train_accuracy" in json.loads(out)["final"]
    status, out, err = run_cli(capsys, "train", "--data", str(path), "--task", "regression", "--lr", "0.1",
                               "--steps", "5", "--json", "--save", str(run))
    assert status == 0, err
    assert {"train_mse", "train_rmse", "train_r2"} <= set(json.loads(out)["final"])
    _, trainer = load_run(run)
    assert trainer.data.regression and trainer.network.output == "identity"


def test_task_classification_of_one_feature_is_the_readers_sentence(capsys, tmp_path):
    """--task classification of a file with one feature column: the reader's one sentence, exit 2."""
    path = _sine_csv(tmp_path)
    line = _one_line_error(capsys, "train", "--data", str(path), "--task", "classification")
    assert line.startswith(f"nnviz train: error: Cannot read {path}: it has 2 columns; it needs at least two feature")


def test_a_report_on_classes_of_a_regression_is_a_usage_error(capsys, tmp_path):
    """--report is a classification report: for a regression run it is a usage error."""
    line = _one_line_error(capsys, "train", "--data", str(_sine_csv(tmp_path)), "--report", "--steps", "5")
    assert line.startswith("nnviz train: error: --report is a report on classes, and this run predicts values")


# The xor preset ------------------------------------------------------------------------------
def test_the_xor_preset_is_listed_and_explained():
    """`--preset` offers xor, and its help calls it tutorial 003's network."""
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    for name in ("train", "sweep", "gui"):
        preset = next(a for a in commands.choices[name]._actions if a.dest == "preset")
        assert "xor" in preset.choices and "xor (003's network" in preset.help


def test_the_xor_preset_trains_its_own_steps_on_the_truth_table(capsys):
    """`--preset xor` with no --steps trains PRESET_STEPS["xor"] steps on the four rows, with one
    sigmoid output and squared error, and learns the table (every row right)."""
    status, out, err = run_cli(capsys, "train", "--preset", "xor", "--json")
    assert status == 0, err
    report = json.loads(out)
    config = report["config"]
    assert config["steps"] == PRESET_STEPS["xor"] == report["final"]["step"]
    assert (config["dataset"], config["output"], config["loss"], config["preset"]) == \
        ("xor-table", "sigmoid", "squared-error", "xor")
    assert report["final"]["train_accuracy"] == 1.0 and report["final"]["test_accuracy"] is None


# nnviz predict -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    """A run of `nnviz train --preset xor --save f.nnviz`, as a user makes it (a real process)."""
    path = tmp_path_factory.mktemp("xor") / "f.nnviz"
    done = subprocess.run([sys.executable, "-m", "nnviz", "train", "--preset", "xor", "--save", str(path)],
                          capture_output=True, text=True, check=False, env=_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    return path


def test_predict_prints_the_tutorials_table_for_the_xor_preset(xor_run):
    """`nnviz predict f.nnviz 0,0 0,1 1,0 1,1` (a real process) prints tutorial 003's table, a
    line an input: the inputs as numpy prints them, the class, and the sigmoid unit's output,
    below 0.05 for 0,0 and 1,1 and above 0.95 for 0,1 and 1,0."""
    done = subprocess.run([sys.executable, "-m", "nnviz", "predict", str(xor_run), "0,0", "0,1", "1,0", "1,1"],
                          capture_output=True, text=True, check=False, env=_env(), timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    rows = [TABLE_LINE.fullmatch(line).groups() for line in lines]
    assert [r[0] for r in rows] == ["[0. 0.]", "[0. 1.]", "[1. 0.]", "[1. 1.]"]
    assert [r[1] for r in rows] == ["0", "1", "1", "0"]
    outputs = [float(r[2]) for r in rows]
    assert outputs[0] < 0.05 and outputs[3] < 0.05 and outputs[1] > 0.95 and outputs[2] > 0.95


def test_predict_json_lists_inputs_class_and_probabilities(capsys, xor_run):
    """`--json`: a list, an object an input, with its inputs, class and label, both classes'
    probabilities (summing to 1) and the one output unit, the probability of class 1, which is
    what the table prints."""
    status, out, _ = run_cli(capsys, "predict", str(xor_run), "0,1", "1,1", "--json")
    rows = json.loads(out)
    assert status == 0 and [row["inputs"] for row in rows] == [[0.0, 1.0], [1.0, 1.0]]
    assert [(row["class"], row["label"]) for row in rows] == [(1, "1"), (0, "0")]
    for row in rows:
        assert len(row["outputs"]) == 1 and row["probabilities"][1] == pytest.approx(row["outputs"][0])
        assert sum(row["probabilities"]) == pytest.approx(1.0)
    _, table, _ = run_cli(capsys, "predict", str(xor_run), "0,1")
    assert table.strip() == f"in: [0. 1.]  ->  out: 1 ({rows[0]['outputs'][0]:.4f})"


def test_predict_of_several_classes_prints_the_chosen_classs_probability(capsys, tmp_path):
    """With softmax over three classes, the bracket holds the chosen class's probability, the
    largest, and the class is named as the data names it."""
    run = tmp_path / "spiral.nnviz"
    assert run_cli(capsys, "train", "--dataset", "spiral", "--steps", "50", "--save", str(run))[0] == 0
    status, out, _ = run_cli(capsys, "predict", str(run), "0.3,-0.2", "--json")
    (row,) = json.loads(out)
    assert status == 0 and len(row["probabilities"]) == 3
    assert row["class"] == int(np.argmax(row["probabilities"]))
    _, table, _ = run_cli(capsys, "predict", str(run), "0.3,-0.2")
    assert table.strip() == f"in: [ 0.3 -0.2]  ->  out: {row['label']} ({max(row['probabilities']):.4f})"


def test_predict_of_a_regression_run_prints_the_value(capsys, tmp_path):
    """A regression run's table says the network's value at each input (the one identity
    output), with negative inputs written plainly; --json gives the value."""
    data, run = _sine_csv(tmp_path), tmp_path / "wave.nnviz"
    assert run_cli(capsys, "train", "--data", str(data), "--lr", "0.1", "--steps", "300", "--save", str(run))[0] == 0
    _, trainer = load_run(run)
    expected = trainer.network.outputs(np.array([[0.5], [-0.25]]))[:, 0]
    status, out, _ = run_cli(capsys, "predict", str(run), "0.5", "-0.25")
    assert status == 0
    assert out.splitlines() == [f"in: [0.5]  ->  out: {expected[0]:.4f}", f"in: [-0.25]  ->  out: {expected[1]:.4f}"]
    _, out, _ = run_cli(capsys, "predict", str(run), "0.5", "--json")
    assert json.loads(out) == [{"inputs": [0.5], "value": pytest.approx(float(expected[0]))}]


@pytest.mark.parametrize(("points", "words"), [
    (["0,1,1"], "'0,1,1' has 3 coordinates; the run's points have 2 (x1, x2)"),
    (["0,1", "1"], "'1' has 1 coordinate; the run's points have 2 (x1, x2)"),
    (["one,two"], "'one,two' is not a point: write its coordinates as numbers separated by commas, like 0.5,1"),
    (["0,"], "'0,' is not a point: write its coordinates as numbers"),
    (["nan,1"], "'nan,1' is not a point: its coordinates must be finite numbers"),
])
def test_predict_refuses_bad_points_in_one_line(capsys, xor_run, points, words):
    """Wrong number of coordinates (naming how many the run's points have), words, empty or
    non-finite coordinates: exit 2, one line."""
    assert _one_line_error(capsys, "predict", str(xor_run), *points).startswith(f"nnviz predict: error: {words}")


def test_predict_refuses_what_is_not_a_run(capsys, tmp_path):
    """A text file, or no file at all: the run-file errors, exit 2, one line."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a run")
    assert _one_line_error(capsys, "predict", str(notes), "0,0") == \
        f"nnviz predict: error: Cannot open {notes}: it is not an nnviz run file (or it is damaged)."
    assert _one_line_error(capsys, "predict", str(tmp_path / "none.nnviz"), "0,0").startswith(
        f"nnviz predict: error: Cannot open {tmp_path / 'none.nnviz'}:")
    assert "required" in _one_line_error(capsys, "predict", str(notes))


def test_predict_loads_no_qt_and_no_training_command():
    """`nnviz predict` imports neither Qt nor the train and sweep commands' modules."""
    code = ("import sys\nfrom nnviz.cli import main\n"
            "try:\n    main(['predict', 'none.nnviz', '0,0'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded = set(done.stdout.split())
    assert "nnviz.cli.predict" in loaded
    assert not loaded & {"PyQt5", "nnviz.cli.train", "nnviz.cli.sweep", "sklearn"}


# A regression run's figures ------------------------------------------------------------------
def test_regression_json_reports_mse_rmse_and_r2(capsys, tmp_path):
    """`--json` of a regression run: history entries with train_r2 and test_r2 in place of the
    accuracies; `final` with train and test MSE, RMSE and R² of the network saved: the MSE is
    the mean of (prediction - target)^2, not the loss (half of it, plus the L2 term)."""
    run = tmp_path / "sine.nnviz"
    status, out, err = run_cli(capsys, "train", "--dataset", "sine", "--lr", "0.1", "--steps", "300", "--log-every",
                               "100", "--json", "--save", str(run))
    assert status == 0, err
    report = json.loads(out)
    for entry in report["history"]:
        assert set(entry) == {"step", "loss", "train_r2", "test_loss", "test_r2"}
    final = report["final"]
    assert set(final) == {"step", "loss", "test_loss", *(f"{part}_{name}" for part in ("train", "test")
                                                          for name in ("mse", "rmse", "r2"))}
    _, trainer = load_run(run)
    data, network = trainer.data, trainer.network
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        predicted = network.outputs(X)[:, 0].astype(np.float64)
        mse = np.mean((predicted - y) ** 2)
        assert final[f"{part}_mse"] == pytest.approx(mse, rel=1e-6)
        assert final[f"{part}_rmse"] == pytest.approx(math.sqrt(mse), rel=1e-6)
        assert final[f"{part}_r2"] == pytest.approx(1 - np.sum((predicted - y) ** 2) / np.sum((y - y.mean()) ** 2),
                                                    rel=1e-5)
    assert final["loss"] == pytest.approx(final["train_mse"] / 2 + network.penalty(1e-3), rel=1e-4)
    assert final["train_r2"] == pytest.approx(report["history"][-1]["train_r2"], rel=1e-5)


def test_regression_json_without_a_test_set_has_no_test_figures(capsys):
    """No test set: the test MSE, RMSE and R² are null."""
    status, out, _ = run_cli(capsys, "train", "--dataset", "cubic", "--test-fraction", "0", "--lr", "0.1",
                             "--steps", "20", "--json")
    final = json.loads(out)["final"]
    assert status == 0 and final["train_mse"] > 0
    assert (final["test_mse"], final["test_rmse"], final["test_r2"], final["test_loss"]) == (None, None, None, None)


def test_classification_json_has_no_regression_figures(capsys):
    """A classification run's JSON keeps its accuracies and has no MSE."""
    status, out, _ = run_cli(capsys, "train", "--steps", "5", "--json")
    final = json.loads(out)["final"]
    assert status == 0 and set(final) == {"step", "loss", "train_accuracy", "test_loss", "test_accuracy"}


def test_regression_progress_lines_print_r2(capsys):
    """Progress lines of a regression run print R² where a classifier's print accuracy, and the
    closing line the train and test RMSE and R²."""
    status, out, _ = run_cli(capsys, "train", "--dataset", "abs", "--lr", "0.1", "--steps", "200", "--log-every", "100")
    lines = out.strip().splitlines()
    assert status == 0 and len(lines) == 4
    for line in lines[:3]:
        assert re.fullmatch(r"step +\d+/200  loss \d\.\d{6}  train R² +-?\d+\.\d{4}  test loss \d\.\d{6}  "
                            r"test R² +-?\d+\.\d{4}", line), line
    assert re.fullmatch(r"done: 200 steps in .*; loss \d\.\d{6}, train RMSE \d\.\d{4}, R² -?\d\.\d{4}; "
                        r"test RMSE \d\.\d{4}, R² -?\d\.\d{4}", lines[3]), lines[3]


# Sweeps over outputs, losses and activations ---------------------------------------------------
def test_sweep_varies_the_output_units(capsys):
    """`--vary output --values softmax,sigmoid`: two networks with those outputs, labelled so."""
    status, out, _ = run_cli(capsys, "sweep", "--vary", "output", "--values", "softmax,sigmoid", "--hidden", "5",
                             "--steps", "200", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0 and [r["config"]["output"] for r in runs] == ["softmax", "sigmoid"]
    assert runs[0]["final"]["loss"] != runs[1]["final"]["loss"]
    status, out, _ = run_cli(capsys, "sweep", "--vary", "output", "--values", "softmax,sigmoid", "--steps", "5")
    assert status == 0 and [line.split()[:2] for line in out.splitlines()[-2:]] == [["output", "softmax"],
                                                                                     ["output", "sigmoid"]]


def test_sweep_varies_the_loss(capsys):
    """`--vary loss`: cross-entropy and squared error side by side; different losses, one data."""
    status, out, _ = run_cli(capsys, "sweep", "--vary", "loss", "--values", "cross-entropy,squared-error",
                             "--steps", "50", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0 and [r["config"]["loss"] for r in runs] == ["cross-entropy", "squared-error"]
    assert runs[0]["history"][0]["loss"] != runs[1]["history"][0]["loss"]


def test_sweep_of_activations_on_regression_reports_its_figures(capsys, tmp_path):
    """`--vary activation --values tanh,relu,gelu` on a regression set: each run's JSON has its
    MSE, RMSE and R²; the CSV names its columns train_r2 and test_r2; the lines print R²."""
    table = tmp_path / "fits.csv"
    args = ["sweep", "--dataset", "sine", "--vary", "activation", "--values", "tanh,relu,gelu", "--lr", "0.1",
            "--steps", "100"]
    status, out, _ = run_cli(capsys, *args, "--json", "--csv", str(table))
    runs = json.loads(out)["runs"]
    assert status == 0 and [r["config"]["activation"] for r in runs] == ["tanh", "relu", "gelu"]
    assert all(r["final"]["train_mse"] > 0 and r["final"]["test_rmse"] > 0 for r in runs)
    assert len({r["final"]["train_mse"] for r in runs}) == 3
    assert table.read_text().splitlines()[0] == "setting,value,step,loss,train_r2,test_loss,test_r2,diverged_at_step"
    status, out, _ = run_cli(capsys, *args)
    assert status == 0 and all("train R²" in line for line in out.splitlines()[-3:])


@pytest.mark.parametrize(("args", "pair"), [
    (["--vary", "output", "--values", "softmax,identity", "--loss", "cross-entropy"],
     ("identity", "cross-entropy", "classification")),
    (["--dataset", "sine", "--vary", "loss", "--values", "squared-error,cross-entropy"],
     ("identity", "cross-entropy", "regression")),
    (["--dataset", "plane", "--vary", "output", "--values", "identity,softmax"],
     ("softmax", "squared-error", "regression")),
])
def test_a_sweep_to_an_impossible_pair_is_a_usage_error(capsys, args, pair):
    """A sweep whose values make an output and loss that cannot learn the data: exit 2, one line."""
    assert _one_line_error(capsys, "sweep", *args, "--steps", "5") == f"nnviz sweep: error: {head_problem(*pair)}"


def test_a_sweep_of_a_regression_file_to_softmax_is_a_usage_error(capsys, tmp_path):
    """The same for a file's targets, whose task is known once the file is read."""
    line = _one_line_error(capsys, "sweep", "--data", str(_sine_csv(tmp_path)), "--vary", "output",
                           "--values", "identity,softmax", "--steps", "5")
    assert line == f"nnviz sweep: error: {head_problem('softmax', 'squared-error', 'regression')}"


def test_a_sweep_of_unknown_outputs_names_the_choices(capsys):
    """`--vary output --values softmax,linear`: exit 2 naming the outputs there are."""
    line = _one_line_error(capsys, "sweep", "--vary", "output", "--values", "softmax,linear", "--steps", "5")
    assert "output must be one of softmax, sigmoid, identity; got 'linear'" in line


def test_sweep_labels_and_parses_outputs_and_losses():
    """Output and loss values are names (no order), shown as "output sigmoid", "loss squared-error"."""
    assert parse_values("output", "softmax, sigmoid") == ("softmax", "sigmoid")
    sweep = Sweep(TrainingConfig(), "loss", ("cross-entropy", "squared-error"))
    assert [sweep.label(v) for v in sweep.values] == ["loss cross-entropy", "loss squared-error"]
    assert not sweep.ordered and Sweep(TrainingConfig(), "output", ("sigmoid",)).label("sigmoid") == "output sigmoid"
    assert [c.loss for c in sweep.configs()] == ["cross-entropy", "squared-error"]


# The conventions in the help -----------------------------------------------------------------
def test_the_help_states_the_loss_conventions():
    """Every command's help ends with the conventions: squared error's 1/2 sum, sigmoid
    cross-entropy's sum over units, and the one output unit of two classes with sigmoid."""
    assert "squared-error: 1/2 sum_k (y_k - t_k)^2" in CONVENTIONS
    assert "-sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)]" in CONVENTIONS
    assert "ONE output unit, the probability of class 1" in CONVENTIONS
    assert "l2/2 * sum of squared weights" in CONVENTIONS


# Found by the review ---------------------------------------------------------------------------
@pytest.mark.parametrize("args", [("train", "--dataset", "sine", "--features", "x1sq"),
                                  ("sweep", "--dataset", "abs", "--features", "x1sq", "--hidden", "3,4"),
                                  ("sweep", "--dataset", "sine", "--vary", "features", "--values", "x1,x2/x1sq")])
def test_input_features_on_one_input_are_a_usage_error(capsys, args):
    """Input features are functions of a 2-D point: on a 1-D set they are refused in one line,
    whichever command names them."""
    assert "two coordinates" in _one_line_error(capsys, *args)


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_regression_file_starts_at_the_regression_rate(capsys, tmp_path, command):
    """A CSV file of values trains at regression's default rate (0.1: at 1.0 fifty units fitting
    a sine overshoot and diverge), as the built-in regression sets do; a rate given still wins."""
    path = _sine_csv(tmp_path)
    hidden = ("--hidden", "50") if command == "train" else ("--hidden", "50,51")
    status, out, err = run_cli(capsys, command, "--data", str(path), *hidden, "--steps", "300", "--json")
    assert status == 0, err
    report = json.loads(out)
    configs = [report["config"]] if command == "train" else [run["config"] for run in report["runs"]]
    assert all(c["lr"] == 0.1 for c in configs)
    status, out, err = run_cli(capsys, "train", "--data", str(path), "--lr", "0.05", "--steps", "5", "--json")
    assert status == 0 and json.loads(out)["config"]["lr"] == 0.05
