"""`nnviz check-gradients`: backpropagation against numerical differences for the network of the
settings; exit 0 when they agree, 1 naming the layer when not, 2 for a usage error."""

import json

import numpy as np
import pytest
from cli_helpers import run_cli

from nnviz.core.model import activations


def test_the_default_network_passes(capsys):
    """Defaults (moons, 10 tanh units): a line a layer, a verdict, exit 0."""
    status, out, err = run_cli(capsys, "check-gradients")
    lines = out.splitlines()
    assert status == 0 and err == ""
    assert lines[0].startswith("2-10-2 network (tanh; softmax, cross-entropy) at step 0")
    assert [line.split("  ")[0] for line in lines[2:4]] == ["hidden layer 1", "output layer"]
    assert any(line.startswith("Passed: ") for line in lines)
    assert not any("Dropout" in line for line in lines)


def test_json_gives_every_layers_errors(capsys):
    """--json: the verdict, the tolerance, the step checked, and each layer's largest errors (below 1e-6)."""
    status, out, _ = run_cli(capsys, "check-gradients", "--hidden", "4x3", "--steps", "20", "--points", "50", "--json")
    report = json.loads(out)
    assert status == 0
    assert set(report) == {"passed", "tolerance", "step", "points", "h", "dropout_off", "failing", "layers", "report"}
    assert report["passed"] is True and report["failing"] == [] and report["tolerance"] == 1e-6
    assert report["step"] == 20 and report["points"] == 50 and report["dropout_off"] is False
    assert [layer["name"] for layer in report["layers"]] == ["hidden layer 1", "hidden layer 2", "output layer"]
    for layer in report["layers"]:
        assert set(layer) == {"name", "weights", "biases", "at_kinks"}
        assert 0 <= layer["weights"] < 1e-6 and 0 <= layer["biases"] < 1e-6
    assert report["report"][-1].startswith("Relative error")


def test_dropout_is_turned_off_and_said(capsys):
    status, out, _ = run_cli(capsys, "check-gradients", "--dropout", "0.3", "--points", "30")
    assert status == 0
    assert "Dropout is off for the check: it draws new units every step." in out.splitlines()


@pytest.mark.parametrize("extra", [
    ["--dataset", "sine"],  # regression: identity outputs, squared error
    ["--activation", "sigmoid", "--output", "sigmoid", "--loss", "squared-error", "--l2", "0.1"],
    ["--dataset", "spiral", "--hidden", "5x5", "--activation", "relu,gelu", "--steps", "50"],
    ["--features", "x1,x2,x1sq,x1x2", "--activation", "elu"],
    ["--preset", "xor"],
])
def test_other_networks_and_heads_pass(capsys, extra):
    status, out, _ = run_cli(capsys, "check-gradients", "--points", "40", *extra)
    assert status == 0, out
    assert any(line.startswith("Passed: ") for line in out.splitlines())


def test_it_checks_the_weights_of_a_file(capsys, tmp_path):
    """--weights: the file's network is the one checked (its shape in the first line)."""
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "b1": [0.1, 0.2, 0.3],
                                "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], "b2": [0.1, 0.2],
                                "activation": "sigmoid", "output": "softmax"}))
    status, out, _ = run_cli(capsys, "check-gradients", "--weights", str(path), "--points", "20")
    assert status == 0
    assert out.splitlines()[0].startswith("2-3-2 network (sigmoid; softmax, cross-entropy) at step 0")


def _wrong_tanh_slope(factor):
    """tanh with its slope off by ``factor`` (backpropagation wrong, the forward pass right)."""
    good = activations.ACTIVATIONS["tanh"]

    def derivative(a, out, sums=None):
        good.derivative(a, out, sums)
        out *= factor
        return out

    return good._replace(derivative=derivative)


@pytest.mark.parametrize("factor", [0.5, 1 + 1e-4])
def test_a_wrong_derivative_fails_and_names_its_layer(capsys, monkeypatch, factor):
    """With tanh's derivative wrong in the engine (even by 1e-4), the check exits 1, naming the hidden
    layer whose gradient it spoils; the output layer's, which does not read it, still agrees."""
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", _wrong_tanh_slope(factor))
    status, out, err = run_cli(capsys, "check-gradients", "--hidden", "6", "--points", "60", "--json")
    report = json.loads(out)
    assert status == 1
    assert report["passed"] is False and report["failing"] == ["hidden layer 1"]
    hidden, output = report["layers"]
    assert hidden["weights"] > 1e-6 and output["weights"] < 1e-6
    assert err.strip().splitlines() == [
        "nnviz check-gradients: hidden layer 1: backpropagation and numerical differences disagree by more than 1e-06"]
    status, out, _ = run_cli(capsys, "check-gradients", "--hidden", "6", "--points", "60")
    assert status == 1
    assert any(line.startswith("Failed: hidden layer 1") for line in out.splitlines())


def test_a_wrong_derivative_spoils_its_layer_and_those_below_it(capsys, monkeypatch):
    """tanh wrong in the second hidden layer of sigmoid,tanh spoils hidden layers 2 and 1 (backpropagation
    carries the error down), not the output layer."""
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", _wrong_tanh_slope(0.5))
    status, out, _ = run_cli(capsys, "check-gradients", "--hidden", "5x5", "--activation", "sigmoid,tanh",
                             "--points", "40", "--json")
    assert status == 1
    assert json.loads(out)["failing"] == ["hidden layer 1", "hidden layer 2"]


def test_a_run_that_diverges_is_checked_at_the_weights_it_kept(capsys):
    """Training that diverges before the check: a note says so on stderr, and the weights it kept are checked."""
    status, out, err = run_cli(capsys, "check-gradients", "--lr", "1e6", "--steps", "50", "--points", "20")
    assert status == 0
    assert err.startswith("nnviz check-gradients: note: Training diverged")
    assert out.splitlines()[0].startswith("2-10-2 network (tanh; softmax, cross-entropy) at step 0,")


@pytest.mark.parametrize("args", [
    ["--points", "0"], ["--steps", "-1"], ["--hidden", "501"], ["--weights", "/nonexistent/w.json"],
    ["--dataset", "sine", "--loss", "cross-entropy"], ["--task", "values"],
])
def test_usage_errors_exit_2_with_one_line(capsys, args):
    status, out, err = run_cli(capsys, "check-gradients", *args)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err and "Traceback" not in err


def test_weights_that_do_not_fit_the_data_exit_2_naming_the_key(capsys, tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"W1": np.ones((3, 2)).tolist(), "b1": [0.0, 0.0]}))
    status, out, err = run_cli(capsys, "check-gradients", "--weights", str(path))
    assert status == 2 and out == ""
    assert err.startswith("nnviz check-gradients: error: W1 in w.json is 3×2") and len(err.strip().splitlines()) == 1
