"""Weights files (nnviz.core.io.weights_file): tutorial 002's dictionary as JSON, read back
exactly, and every way a file can be wrong said in one sentence naming the key."""

import json

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.io.weights_file import (
    WeightsError,
    read_weights,
    save_weights,
    weights_dict,
    weights_from_dict,
)
from nnviz.core.model.network import MLP
from nnviz.core.training.experiment import build_dataset, build_trainer

TUTORIAL = {"W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "b1": [0.1, 0.2, 0.3],
            "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], "b2": [0.1, 0.2],
            "W3": [[0.1, 0.3], [0.2, 0.4]], "b3": [0.1, 0.2]}


def test_the_tutorials_dictionary_gives_its_output():
    network = weights_from_dict(TUTORIAL).network()
    assert network.activations == ("sigmoid", "sigmoid") and network.output == "identity"
    assert str(network.outputs(np.array([[1.0, 0.5]]))[0]) == "[0.31682708 0.69627909]"


def test_saved_weights_read_back_exactly(tmp_path):
    network = MLP.initialise((3, 7, 3, 3), ("relu", "gelu"), np.random.default_rng(4), output="sigmoid",
                             loss="squared-error", features=("x1", "x2", "x1sq"))
    path = tmp_path / "w.json"
    save_weights(network, path)
    back = read_weights(path)
    assert back.activations == ("relu", "gelu") and (back.output, back.loss) == ("sigmoid", "squared-error")
    assert back.features == ("x1", "x2", "x1sq")
    again = back.network()
    assert np.array_equal(again.flat, network.flat)  # JSON's shortest repr round-trips float64 exactly
    back.check_fits(network)
    assert back.settings() == {"hidden": (7, 3), "activation": ("relu", "gelu"), "output": "sigmoid",
                               "loss": "squared-error", "features": ("x1", "x2", "x1sq")}


def test_a_run_carries_on_from_set_weights():
    config = TrainingConfig(dataset="xor", hidden=(3, 2), activation="sigmoid")
    data = build_dataset(config)
    trainer = build_trainer(config, data)
    trainer.step(3)
    weights = weights_from_dict({**TUTORIAL, "W3": [[0.1, 0.3], [0.2, 0.4]]})
    weights.check_fits(trainer.network)
    given = weights.network(trainer.network.dtype).flat
    trainer.set_parameters(given)
    assert np.array_equal(trainer.network.flat, given)
    assert np.array_equal(trainer.timeline.moments[-1].weights, given)  # kept as this step's moment
    loss = trainer.network.evaluate(data.X_train, data.y_train, trainer.l2)[0]
    assert trainer.snapshot().latest.loss == pytest.approx(loss)
    assert trainer.history.last().step == 3 and trainer.history.last().loss == pytest.approx(loss)  # rewritten
    trainer.step(1)
    assert not np.array_equal(trainer.network.flat, given)
    with pytest.raises(ValueError, match="finite"):
        trainer.set_parameters(np.full_like(given, np.nan))


@pytest.mark.parametrize("change, words", [
    ({"W2": [[0.1, 0.4], [0.2, 0.5]]}, "W2 in the weights is 2×2, but W1 gives 3 outputs"),
    ({"b1": [0.1, 0.2]}, "b1 in the weights is a vector of 2, but W1 is 2×3"),
    ({"W1": [[0.1, 0.3], [0.2]]}, "W1 in the weights is not a list of rows of numbers"),
    ({"W1": "no"}, "W1 in the weights is not a list of rows of numbers"),
    ({"b1": ["0.1", 0.2, 0.3]}, 'b1 in the weights is not a list of numbers: it holds "0.1"'),
    ({"W2": [[0.1, True], [0.2, 0.5], [0.3, 0.6]]}, "W2 in the weights is not a list of rows of numbers: it holds true"),
    ({"b3": None}, "b3 in the weights is not a list of numbers"),
    ({"W2": [[0.1, float("inf")], [0.2, 0.5], [0.3, 0.6]]}, "W2 in the weights holds a number that is not finite"),
    ({"activation": "swish"}, "activation in the weights must be one of"),
    ({"output": "tanh"}, "output in the weights is 'tanh'"),
    ({"W9": [[1.0]]}, "a key nnviz does not know: W9"),
    ({"output": "identity", "loss": "cross-entropy"}, "pairs identity outputs with cross-entropy"),
])
def test_bad_contents_are_named(change, words):
    with pytest.raises(WeightsError, match=words.replace("(", r"\(").replace(")", r"\)")):
        weights_from_dict({**TUTORIAL, **change})


def test_shapes_that_do_not_fit_the_network_are_named():
    network = MLP.initialise((2, 3, 4, 2), "tanh", np.random.default_rng(0))
    with pytest.raises(WeightsError, match=r"W2 in the weights is 3×2, but this network's W2 is 3×4 \(layers 2-3-4-2\)"):
        weights_from_dict(TUTORIAL).check_fits(network)
    deeper = MLP.initialise((2, 3, 2, 2, 2), "tanh", np.random.default_rng(0))
    with pytest.raises(WeightsError, match="has 3 layers of weights .* but this network has 4"):
        weights_from_dict(TUTORIAL).check_fits(deeper)


def test_files_that_are_not_ours(tmp_path):
    text = tmp_path / "notes.json"
    text.write_text("hello")
    with pytest.raises(WeightsError, match="notes.json is not a weights file: it is not JSON"):
        read_weights(text)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"name": "x"}))
    with pytest.raises(WeightsError, match="other.json is not a weights file: it has no W1"):
        read_weights(other)
    with pytest.raises(WeightsError, match="Cannot read"):
        read_weights(tmp_path / "missing.json")
    with pytest.raises(WeightsError, match="is a folder"):
        read_weights(tmp_path)


def test_unwritable_paths_leave_nothing(tmp_path):
    network = weights_from_dict(TUTORIAL).network()
    with pytest.raises(WeightsError, match="does not exist"):
        save_weights(network, tmp_path / "no" / "w.json")
    kept = tmp_path / "w.json"
    kept.write_text("keep me")
    network.flat[0] = np.nan
    with pytest.raises(WeightsError, match="not all finite"):
        save_weights(network, kept)
    assert kept.read_text() == "keep me"


def test_the_dictionary_is_the_tutorials():
    content = weights_dict(weights_from_dict(TUTORIAL).network())
    assert {k: content[k] for k in TUTORIAL} == TUTORIAL
    assert content["activation"] == "sigmoid" and content["output"] == "identity"


def test_float32_weights_are_written_short_and_read_back_exactly(tmp_path):
    network = MLP.initialise((2, 6, 2), "tanh", np.random.default_rng(5), dtype=np.float32)
    path = tmp_path / "w.json"
    save_weights(network, path)
    assert "0000000" not in path.read_text()  # no float64 expansions of float32 numbers
    assert np.array_equal(read_weights(path).network(np.float32).flat, network.flat)
