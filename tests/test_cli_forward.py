"""`nnviz forward`: tutorial 002's forward pass printed layer by layer from a weights file, its JSON
form, and bad files, points and options refused with one line (exit 2)."""

import json

import numpy as np
import pytest
from cli_helpers import one_line_error, run_cli

# Tutorial 002's dictionary (three_layer_neural_network.py's init_network), as JSON gives it.
TUTORIAL = {"W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "b1": [0.1, 0.2, 0.3],
            "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], "b2": [0.1, 0.2],
            "W3": [[0.1, 0.3], [0.2, 0.4]], "b3": [0.1, 0.2]}


@pytest.fixture
def tutorial(tmp_path):
    """Tutorial 002's weights written as a JSON file; its path."""
    path = tmp_path / "tutorial.json"
    path.write_text(json.dumps(TUTORIAL))
    return str(path)


def _hand_forward(x):
    """Tutorial 002's forward(): sigmoid hidden layers, identity output; each layer's (a, z)."""
    layers, z = [], np.array(x)
    for k in (1, 2, 3):
        a = z @ np.array(TUTORIAL[f"W{k}"]) + np.array(TUTORIAL[f"b{k}"])
        z = a if k == 3 else 1 / (1 + np.exp(-a))
        layers.append((a, z))
    return layers


def test_the_tutorial_point_prints_as_the_tutorial_does(capsys, tutorial):
    """1.0,0.5 prints A1 = [0.3 0.7 1.1] ... and Y = [0.31682708 0.69627909], tutorial 002's print(y)."""
    status, out, err = run_cli(capsys, "forward", "--weights", tutorial, "1.0,0.5")
    lines = out.splitlines()
    assert status == 0 and err == ""
    assert [line.split(" = ")[0] for line in lines] == ["X", "A1", "Z1", "A2", "Z2", "A3", "Y"]
    assert lines[0] == "X = [1.  0.5]"
    assert lines[1] == "A1 = [0.3 0.7 1.1]"
    assert lines[2] == "Z1 = [0.57444252 0.66818777 0.75026011]"
    assert lines[-1] == "Y = [0.31682708 0.69627909]"


def test_json_gives_each_layer_of_each_point(capsys, tutorial):
    """--json: a list, an object a point, with each layer's A and Z (a hand computation's to 1e-12)
    and the output, the last layer's Z."""
    status, out, _ = run_cli(capsys, "forward", "--weights", tutorial, "1.0,0.5", "-1,2", "--json")
    points = json.loads(out)
    assert status == 0 and len(points) == 2
    for point, x in zip(points, ([1.0, 0.5], [-1.0, 2.0])):
        assert set(point) == {"inputs", "layers", "output"}
        assert point["inputs"] == x
        assert len(point["layers"]) == 3 and all(set(layer) == {"A", "Z"} for layer in point["layers"])
        for layer, (a, z) in zip(point["layers"], _hand_forward(x)):
            np.testing.assert_allclose(layer["A"], a, rtol=1e-12)
            np.testing.assert_allclose(layer["Z"], z, rtol=1e-12)
        assert point["output"] == point["layers"][-1]["Z"]
    assert str(np.array(points[0]["output"])) == "[0.31682708 0.69627909]"


def test_several_points_print_a_block_each(capsys, tutorial):
    """Each point gets its own block, separated by an empty line; a negative coordinate is a point, not an option."""
    status, out, _ = run_cli(capsys, "forward", "--weights", tutorial, "1.0,0.5", "-1,-0.5")
    blocks = out.strip().split("\n\n")
    assert status == 0 and len(blocks) == 2
    assert blocks[1].splitlines()[0] == "X = [-1.  -0.5]"
    assert blocks[0].splitlines()[-1] == "Y = [0.31682708 0.69627909]"


def test_activation_and_output_fill_in_what_the_file_does_not_say(capsys, tutorial):
    """--activation relu --output softmax: Z1 is relu(A1) and Y a softmax of A3 (the default, sigmoid, is not used)."""
    status, out, _ = run_cli(capsys, "forward", "--weights", tutorial, "1.0,0.5", "--activation", "relu",
                             "--output", "softmax", "--json")
    layers = json.loads(out)[0]["layers"]
    assert status == 0
    np.testing.assert_allclose(layers[0]["Z"], np.maximum(layers[0]["A"], 0), rtol=1e-15)
    a3 = np.array(layers[2]["A"])
    np.testing.assert_allclose(layers[2]["Z"], np.exp(a3) / np.exp(a3).sum(), rtol=1e-12)


def test_an_activation_per_layer(capsys, tutorial):
    """--activation relu,tanh: the first hidden layer relu, the second tanh."""
    status, out, _ = run_cli(capsys, "forward", "--weights", tutorial, "1.0,0.5", "--activation", "relu,tanh", "--json")
    layers = json.loads(out)[0]["layers"]
    assert status == 0
    np.testing.assert_allclose(layers[0]["Z"], np.maximum(layers[0]["A"], 0), rtol=1e-15)
    np.testing.assert_allclose(layers[1]["Z"], np.tanh(layers[1]["A"]), rtol=1e-12)


def test_the_file_names_its_input_features(capsys, tmp_path):
    """A file whose first layer reads x1sq and x2: a line shows what it reads of the point, and A1 uses it."""
    path = tmp_path / "features.json"
    path.write_text(json.dumps({"W1": [[1.0], [2.0]], "b1": [0.5], "features": ["x1sq", "x2"],
                                "output": "identity", "loss": "squared-error"}))
    status, out, _ = run_cli(capsys, "forward", "--weights", str(path), "3,1")
    lines = out.splitlines()
    assert status == 0
    assert lines[1] == "inputs x1sq, x2 = [9. 1.]"
    assert lines[2] == "A1 = [11.5]"  # 9·1 + 1·2 + 0.5


def _one_line_error(capsys, *args):
    err = one_line_error(capsys, "forward", *args)
    assert err.startswith("nnviz forward: error: ")
    return err


@pytest.mark.parametrize("point, words", [("1.0", "has 1 coordinate"), ("1,2,3", "has 3 coordinates"),
                                          ("a,b", "is not a point"), ("1,nan", "finite")])
def test_a_bad_point_exits_2_with_one_line(capsys, tutorial, point, words):
    assert words in _one_line_error(capsys, "--weights", tutorial, point)


def test_bad_files_exit_2_with_one_line(capsys, tmp_path, tutorial):
    """A missing file, text that is not JSON, and a bias that does not fit its weights are named."""
    assert "Cannot read" in _one_line_error(capsys, "--weights", str(tmp_path / "none.json"), "1,2")
    text = tmp_path / "notes.json"
    text.write_text("not json")
    assert "not JSON" in _one_line_error(capsys, "--weights", str(text), "1,2")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**TUTORIAL, "b2": [0.1, 0.2, 0.3]}))
    assert "b2" in _one_line_error(capsys, "--weights", str(bad), "1,2")


def test_options_that_contradict_the_file_exit_2(capsys, tmp_path, tutorial):
    """A file that says sigmoid and identity refuses --activation relu and --output softmax; an
    activation list of the wrong length is refused too."""
    said = tmp_path / "said.json"
    said.write_text(json.dumps({**TUTORIAL, "activation": "sigmoid", "output": "identity"}))
    assert "sigmoid" in _one_line_error(capsys, "--weights", str(said), "1,2", "--activation", "relu")
    assert "identity" in _one_line_error(capsys, "--weights", str(said), "1,2", "--output", "softmax")
    assert "2 hidden layers" in _one_line_error(capsys, "--weights", tutorial, "1,2", "--activation", "relu,relu,relu")
    status, out, _ = run_cli(capsys, "forward", "--weights", str(said), "1.0,0.5", "--activation", "sigmoid")
    assert status == 0 and out.splitlines()[-1] == "Y = [0.31682708 0.69627909]"  # agreeing is fine


def test_weights_are_required(capsys):
    status, out, err = run_cli(capsys, "forward", "1,2")
    assert status == 2 and out == "" and "--weights" in err and len(err.strip().splitlines()) == 1
