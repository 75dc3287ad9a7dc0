"""A network's weights as tutorial ``002`` writes them: a dictionary ``W1``, ``b1``, ``W2``, ...
of nested lists (``W`` shaped ``(fan_in, fan_out)``, so ``a = x·W + b``), saved as JSON with the
hidden units' ``activation`` (one name, or one a layer), the ``output`` units and the ``loss``.

Reading checks everything and says what is wrong in one sentence naming the key."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.config import TrainingConfig, shape_name
from nnviz.core.io.atomic import SaveError, opened_to_read, write_atomically
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import DEFAULT_FEATURES, FEATURES
from nnviz.core.model.network import MLP, layers_name, per_layer
from nnviz.core.model.outputs import LOSSES, OUTPUTS, resolved_head

MAX_BYTES = 200 * 2**20  # a 784-500x6-10 network's weights as JSON text are ~40 MB


class WeightsError(ValueError):
    """A weights file cannot be read, written or used; the message is one sentence."""


@dataclass(frozen=True)
class WeightsFile:
    """Weights and biases of every layer, first to last, and what the file says of the units
    (None where it says nothing)."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...] | None = None
    output: str | None = None
    loss: str | None = None
    features: tuple[str, ...] | None = None  # the input features the first layer reads (None: the coordinates)
    name: str = "the weights"  # how messages name the file

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Inputs, each hidden layer's width, then the output units."""
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    def network(self, dtype=np.float64, *, activation: str | tuple[str, ...] | None = None, output: str | None = None,
                loss: str | None = None, features: tuple[str, ...] | None = None) -> MLP:
        """The file's network in ``dtype``; the arguments stand in for what the file does not say
        (tutorial ``002``'s sigmoid hidden units and identity outputs, then the output's own loss)."""
        activations = self.activations or per_layer(activation or "sigmoid", len(self.weights) - 1)
        output = self.output or output or "identity"
        loss = self.loss or loss or resolved_head(output, None, "classification")[1]
        return MLP([w.astype(dtype) for w in self.weights], [b.astype(dtype) for b in self.biases],
                   activations, self.features or features, output, loss)

    def check_fits(self, network: MLP) -> None:
        """Raise :class:`WeightsError` naming the first key whose shape differs from ``network``'s."""
        ours = [p.shape for p in network.parameters()]
        theirs = [p.shape for pair in zip(self.weights, self.biases) for p in pair]
        hidden = shape_name(network.layer_sizes[1:-1], "×")
        if len(ours) != len(theirs):
            raise WeightsError(f"{self.name} has {len(theirs) // 2} layers of weights (W1 to W{len(theirs) // 2}), "
                               f"but this network has {len(ours) // 2} (hidden layers {hidden}).")
        for k, (mine, given) in enumerate(zip(ours, theirs)):
            if mine != given:
                key = f"{'Wb'[k % 2]}{k // 2 + 1}"
                raise WeightsError(f"{key} in {self.name} is {_shape(given)}, but this network's {key} is "
                                   f"{_shape(mine)} (layers {layers_name(network.layer_sizes)}).")

    def misfit(self, network: MLP, data: str) -> str:
        """Why these weights cannot be ``network``'s, a network made with their settings for
        ``data`` ("the moons data"): its inputs or outputs are not the data's, or another key's
        shape differs; one sentence naming the key, or "" when they fit."""
        theirs, ours = self.layer_sizes, network.layer_sizes
        if theirs[0] != ours[0]:
            return (f"W1 in {self.name} is {theirs[0]}×{theirs[1]}, for {_count(theirs[0], 'input')}, but a "
                    f"network on {data} reads {ours[0]}.")
        if theirs[-1] != ours[-1]:
            return (f"W{len(self.weights)} in {self.name} is {theirs[-2]}×{theirs[-1]}, for "
                    f"{_count(theirs[-1], 'output unit')}, but a network on {data} has {ours[-1]} "
                    f"({network.output} outputs).")
        try:
            self.check_fits(network)
        except WeightsError as error:
            return str(error)
        return ""

    def config_for(self, config: TrainingConfig, task: str) -> TrainingConfig:
        """``config`` (on data of ``task``) made the file's network: its hidden layers, and the
        activation, output, loss and input features where it names them (the window's Open
        weights: the file wins); ``config`` itself when its network is that one already. Not validated."""
        implied = self.settings()
        layers = len(implied["hidden"])
        if "activation" not in implied and not isinstance(config.activation, str) and len(config.activation) != layers:
            # A name a layer, for another depth: the first name for every layer.
            implied["activation"] = config.activation[0] if config.activation else TrainingConfig.activation
        wanted = config.replace(**implied)
        same = ((wanted.hidden, wanted.activations, wanted.features) == (config.hidden, config.activations,
                                                                        config.features)
                and wanted.head(task) == config.head(task))
        return config if same else wanted

    def settings(self) -> dict:
        """The settings the file implies: the hidden layers' widths and the input features (a file
        that names none reads the coordinates), and the activation and output units and loss where
        it names them."""
        settings: dict = {"hidden": self.layer_sizes[1:-1], "features": self.features or DEFAULT_FEATURES}
        if self.activations:
            one = len(set(self.activations)) == 1
            settings["activation"] = self.activations[0] if one else self.activations
        if self.output:
            settings["output"] = self.output
        if self.loss:
            settings["loss"] = self.loss
        return settings


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if len(shape) == 2 else f"a vector of {shape[0]}"


def weights_dict(network: MLP) -> dict:
    """``network``'s weights as tutorial ``002``'s dictionary (lists, ready for JSON)."""
    content: dict = {}
    for k, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        content[f"W{k}"] = _decimals(w)
        content[f"b{k}"] = _decimals(b)
    one = len(set(network.activations)) == 1
    content["activation"] = network.activations[0] if one else list(network.activations)
    if not network.activations:
        del content["activation"]
    content["output"], content["loss"] = network.output, network.loss
    if network.features:
        content["features"] = list(network.features)
    return content


def _decimals(array: np.ndarray) -> list:
    """``array`` as nested lists of the shortest decimals that read back as its values (a float32
    0.1 is 0.1, not float64's 0.10000000149011612)."""
    if array.dtype == np.float32:
        return array.astype(str).astype(np.float64).tolist()
    return array.tolist()


def save_weights(network: MLP, path: str | os.PathLike) -> None:
    """Write ``network``'s weights to ``path`` as JSON, atomically; :class:`WeightsError` (one
    sentence) when it cannot."""
    if not np.all(np.isfinite(network.flat)):
        raise WeightsError("These weights are not all finite numbers: JSON cannot hold them.")
    text = json.dumps(weights_dict(network), indent=1)

    def write(tmp: str) -> None:
        Path(tmp).write_text(text + "\n", encoding="utf-8")

    try:
        write_atomically(path, write)
    except SaveError as error:
        raise WeightsError(str(error)) from None


def read_weights(path: str | os.PathLike) -> WeightsFile:
    """The weights in ``path``; :class:`WeightsError` (one sentence) when it is missing, is not JSON
    or does not hold weights as tutorial ``002`` writes them."""
    path = Path(path)
    name = path.name
    try:
        with opened_to_read(path) as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise WeightsError(f"{path} is a folder, not a weights file.") from None
    except OSError as error:
        raise WeightsError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(raw) > MAX_BYTES:
        raise WeightsError(f"{name} is larger than any network nnviz makes ({MAX_BYTES >> 20} MB).")
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WeightsError(f"{name} is not a weights file: it is not JSON text.") from None
    return weights_from_dict(content, name)


def weights_from_dict(content, name: str = "the weights") -> WeightsFile:
    """A :class:`WeightsFile` from tutorial ``002``'s dictionary (as JSON gives it); ``name`` names it in messages."""
    if not isinstance(content, dict) or "W1" not in content:
        raise WeightsError(f"{name} is not a weights file: it has no W1 (expected W1, b1, W2, b2, ... as nested lists).")
    layers = 0
    while f"W{layers + 1}" in content:
        layers += 1
    known = {f"{p}{k}" for k in range(1, layers + 1) for p in "Wb"} | {"activation", "output", "loss", "features"}
    if unknown := sorted(set(content) - known):
        keys = "W1, b1" + (f", ... W{layers}, b{layers}" if layers > 1 else "")
        raise WeightsError(f"{name} has a key nnviz does not know: {unknown[0]} (expected {keys}, activation, "
                           "output, loss, features).")
    weights, biases = [], []
    for k in range(1, layers + 1):
        w = _array(content, f"W{k}", 2, name)
        b = _array(content, f"b{k}", 1, name) if f"b{k}" in content else None
        if b is None:
            raise WeightsError(f"{name} has W{k} but no b{k}.")
        if weights and w.shape[0] != weights[-1].shape[1]:
            raise WeightsError(f"W{k} in {name} is {_shape(w.shape)}, but W{k - 1} gives {weights[-1].shape[1]} "
                               f"outputs: W{k} needs {weights[-1].shape[1]} rows.")
        if b.shape[0] != w.shape[1]:
            raise WeightsError(f"b{k} in {name} is {_shape(b.shape)}, but W{k} is {_shape(w.shape)}: "
                               f"b{k} needs {w.shape[1]} numbers.")
        weights.append(w)
        biases.append(b)
    activations = _activations(content.get("activation"), layers - 1, name)
    output, loss = content.get("output"), content.get("loss")
    features = content.get("features")
    if features is not None and (not isinstance(features, list) or not features
                                 or not all(f in FEATURES for f in features) or len(features) != weights[0].shape[0]):
        raise WeightsError(f"features in {name} must list W1's {weights[0].shape[0]} inputs, each one of "
                           f"{', '.join(FEATURES)}.")
    if output is not None and output not in OUTPUTS:
        raise WeightsError(f"output in {name} is {output!r}; nnviz knows {', '.join(OUTPUTS)}.")
    if loss is not None and loss not in LOSSES:
        raise WeightsError(f"loss in {name} is {loss!r}; nnviz knows {', '.join(LOSSES)}.")
    if output == "identity" and loss == "cross-entropy":
        raise WeightsError(f"{name} pairs identity outputs with cross-entropy, which needs probabilities: "
                           "use squared-error.")
    return WeightsFile(tuple(weights), tuple(biases), activations, output, loss,
                       None if features is None else tuple(features), name)


def _array(content: dict, key: str, dims: int, name: str) -> np.ndarray:
    what = "a list of rows of numbers" if dims == 2 else "a list of numbers"
    try:
        cells = np.array(content[key], dtype=object)
    except ValueError:  # rows of different lengths
        cells = np.empty(0, dtype=object)
    if cells.ndim != dims or 0 in cells.shape:
        raise WeightsError(f"{key} in {name} is not {what}" + (" (rows of one length)." if dims == 2 else "."))
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in cells.flat):  # not "0.1", true
        raise WeightsError(f"{key} in {name} is not {what}: it holds {_first_odd(cells)}.")
    value = cells.astype(np.float64)
    if not all(math.isfinite(x) for x in value.flat):
        raise WeightsError(f"{key} in {name} holds a number that is not finite.")
    return value


def _first_odd(cells: np.ndarray) -> str:
    """The first cell that is not a number, as JSON writes it."""
    odd = next(x for x in cells.flat if not isinstance(x, (int, float)) or isinstance(x, bool))
    return json.dumps(odd)[:40]


def _activations(value, hidden: int, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = (value,) * hidden if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or len(names) != hidden or not all(n in ACTIVATIONS for n in names):
        raise WeightsError(f"activation in {name} must be one of {', '.join(ACTIVATIONS)}, or a list of one "
                           f"per hidden layer ({hidden}); it is {value!r}.")
    return tuple(names)
