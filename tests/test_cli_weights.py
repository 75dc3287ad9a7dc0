"""`--weights FILE.json` (train, sweep, the window's parser) and `--save-weights FILE.json` (train):
a run starts from given weights, takes the settings the file implies, refuses settings and data
that do not fit it with one line (exit 2), and writes its weights as tutorial 002's dictionary."""

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import one_line_error, run_cli

from nnviz.cli import build_parser

TUTORIAL = {"W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "b1": [0.1, 0.2, 0.3],
            "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], "b2": [0.1, 0.2],
            "W3": [[0.1, 0.3], [0.2, 0.4]], "b3": [0.1, 0.2], "activation": "sigmoid"}


@pytest.fixture
def tutorial(tmp_path):
    path = tmp_path / "tutorial.json"
    path.write_text(json.dumps(TUTORIAL))
    return str(path)


@pytest.fixture
def trained(capsys, tmp_path):
    """A 4x3 relu network trained 150 steps at lr 0.3 in float64, saved both as a run and as weights: (its
    --json report, the weights' path, the run's path)."""
    weights, run = str(tmp_path / "w.json"), str(tmp_path / "r.nnviz")
    status, out, err = run_cli(capsys, "train", "--hidden", "4x3", "--activation", "relu", "--dtype", "float64",
                               "--steps", "150", "--lr", "0.3", "--save-weights", weights, "--save", run, "--json")
    assert status == 0
    assert f"saved {weights}: the weights at step 150" in err
    return json.loads(out), weights, run


def test_save_weights_writes_tutorial_002s_dictionary(trained):
    _, path, _ = trained
    content = json.loads(Path(path).read_text())
    assert set(content) == {"W1", "b1", "W2", "b2", "W3", "b3", "activation", "output", "loss"}
    assert np.array(content["W1"]).shape == (2, 4) and np.array(content["W2"]).shape == (4, 3)
    assert np.array(content["W3"]).shape == (3, 2) and len(content["b3"]) == 2
    assert (content["activation"], content["output"], content["loss"]) == ("relu", "softmax", "cross-entropy")


def test_train_from_saved_weights_starts_where_the_run_ended(capsys, trained):
    """The round trip: a run from the saved weights starts at the loss the first run ended with, and takes
    the file's shape and activation without being told them."""
    first, path, _ = trained
    status, out, _ = run_cli(capsys, "train", "--weights", path, "--dtype", "float64", "--steps", "1", "--json")
    again = json.loads(out)
    assert status == 0
    assert again["history"][0]["loss"] == first["final"]["loss"]
    assert again["history"][0]["train_accuracy"] == first["final"]["train_accuracy"]
    assert again["config"]["hidden"] == [4, 3] and again["config"]["activation"] == "relu"


def test_fresh_weights_start_elsewhere(capsys, trained):
    """The same settings without --weights start from drawn weights: a higher loss (so the test above means something)."""
    first, _, _ = trained
    status, out, _ = run_cli(capsys, "train", "--hidden", "4x3", "--activation", "relu", "--dtype", "float64",
                             "--steps", "1", "--json")
    assert status == 0 and json.loads(out)["history"][0]["loss"] > first["final"]["loss"]


def test_forward_prints_what_the_saved_run_predicts(capsys, trained):
    """forward --weights of the saved weights gives the outputs predict gives for the saved run."""
    _, weights, run = trained
    status, out, _ = run_cli(capsys, "forward", "--weights", weights, "0.5,-0.25", "1,1", "--json")
    assert status == 0
    forwarded = [point["output"] for point in json.loads(out)]
    status, out, _ = run_cli(capsys, "predict", run, "0.5,-0.25", "1,1", "--json")
    assert status == 0
    np.testing.assert_allclose(forwarded, [row["outputs"] for row in json.loads(out)], rtol=1e-12)


def test_settings_that_disagree_with_the_file_exit_2_naming_the_setting(capsys, tutorial):
    err = one_line_error(capsys, "train", "--weights", tutorial, "--hidden", "10")
    assert err == ("nnviz train: error: --hidden 10 disagrees with tutorial.json, whose hidden layers are 3x2; "
                   "leave out --hidden to take the file's")
    err = one_line_error(capsys, "train", "--weights", tutorial, "--activation", "relu")
    assert "--activation relu disagrees with tutorial.json, whose hidden units are sigmoid" in err
    status, _, _ = run_cli(capsys, "train", "--weights", tutorial, "--hidden", "3x2", "--activation", "sigmoid,sigmoid",
                           "--steps", "1")
    assert status == 0  # settings that agree with the file are fine


def test_weights_that_do_not_fit_the_data_exit_2_naming_the_key(capsys, tutorial):
    """The file's outputs must be the classes (spiral's 3), its inputs the points' coordinates (sine's 1)."""
    err = one_line_error(capsys, "train", "--weights", tutorial, "--dataset", "spiral")
    assert err == ("nnviz train: error: W3 in tutorial.json is 2×2, for 2 output units, but a network on the "
                   "spiral data has 3 (softmax outputs).")
    err = one_line_error(capsys, "train", "--weights", tutorial, "--dataset", "sine")
    assert err.startswith("nnviz train: error: W1 in tutorial.json is 2×3, for 2 inputs, but a network on the sine "
                          "data reads 1.")
    err = one_line_error(capsys, "train", "--weights", tutorial, "--features", "x1sq,x2sq")
    assert "--features x1sq,x2sq disagrees with tutorial.json, whose inputs are x1,x2" in err  # it names none: x1,x2


def test_a_file_with_input_features_brings_them(capsys, tmp_path):
    """A file whose first layer reads x1sq,x2sq,x1x2 trains a network that reads them, unasked."""
    path = tmp_path / "squares.json"
    path.write_text(json.dumps({"W1": np.full((3, 2), 0.1).tolist(), "b1": [0.0, 0.0], "features": ["x1sq", "x2sq", "x1x2"]}))
    status, out, _ = run_cli(capsys, "train", "--weights", str(path), "--steps", "1", "--json")
    assert status == 0
    config = json.loads(out)["config"]
    assert config["features"] == ["x1sq", "x2sq", "x1x2"] and config["hidden"] == []


def test_a_file_that_is_not_weights_exits_2(capsys, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"weights": [1, 2]}))
    assert "no W1" in one_line_error(capsys, "train", "--weights", str(path))
    assert "Cannot read" in one_line_error(capsys, "train", "--weights", str(tmp_path / "none.json"))


def test_save_weights_is_checked_before_training(capsys, tmp_path):
    """An unwritable --save-weights, or one named as another kind of file, is refused before any training
    (no progress line), leaving nothing behind."""
    err = one_line_error(capsys, "train", "--steps", "10", "--save-weights", str(tmp_path / "no" / "w.json"))
    assert "does not exist" in err
    err = one_line_error(capsys, "train", "--steps", "10", "--save-weights", str(tmp_path / "w.png"))
    assert "PNG" in err
    assert list(tmp_path.iterdir()) == []


def test_resume_takes_no_weights(capsys, trained):
    _, weights, run = trained
    assert "leave out --weights" in one_line_error(capsys, "train", "--resume", run, "--weights", weights)


def test_every_network_of_a_sweep_starts_from_the_files_weights(capsys, trained):
    """sweep --weights --vary lr: each network's step 0 is the loss the saved run ended with, and
    the file's shape is the sweep's."""
    first, path, _ = trained
    status, out, _ = run_cli(capsys, "sweep", "--weights", path, "--dtype", "float64", "--vary", "lr",
                             "--values", "0.1,1", "--steps", "5", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0 and len(runs) == 2
    for run in runs:
        assert run["history"][0]["loss"] == pytest.approx(first["final"]["loss"], rel=1e-12)
        assert run["config"]["hidden"] == [4, 3] and run["config"]["activation"] == "relu"
    assert runs[0]["final"]["loss"] != runs[1]["final"]["loss"]  # the rates differ, the start does not


@pytest.mark.parametrize("args, words", [
    ([], "vary another setting"),  # the default sweep varies the shape
    (["--hidden", "4x3,8"], "--hidden 8 disagrees"),
    (["--vary", "features", "--values", "x1,x2/x1sq,x2sq"], "--vary features"),
    (["--vary", "output", "--values", "softmax,sigmoid"],
         "output sigmoid: W3 in w.json is 3×2, for 2 output units, but a network on the moons data has 1"),
    (["--vary", "lr", "--values", "0.1,1", "--save-weights", "x.json"], "nnviz train --save-weights"),
])
def test_a_sweep_that_changes_the_shape_is_refused(capsys, trained, args, words):
    _, path, _ = trained
    assert words in one_line_error(capsys, "sweep", "--weights", path, *args)


def test_a_sweep_may_vary_what_keeps_the_shape(capsys, trained):
    """Varying the activation keeps every weight's place: allowed, each network from the file's weights."""
    first, path, _ = trained
    status, out, _ = run_cli(capsys, "sweep", "--weights", path, "--dtype", "float64", "--vary", "activation",
                             "--values", "relu,tanh", "--steps", "1", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0
    assert runs[0]["history"][0]["loss"] == pytest.approx(first["final"]["loss"], rel=1e-12)
    assert runs[1]["history"][0]["loss"] != runs[0]["history"][0]["loss"]  # tanh reads the same weights otherwise


def test_the_window_takes_weights():
    """The window's parser takes --weights (the window starts from them)."""
    args = build_parser().parse_args(["gui", "--weights", "w.json"])
    assert args.weights == "w.json"
