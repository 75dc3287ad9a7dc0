"""``nnviz forward``: points walked through a weights file's network layer by layer, as tutorial
002 computes it by hand::

    X = [1.  0.5]
    A1 = [0.3 0.7 1.1]
    Z1 = [0.57444252 0.66818777 0.75026011]
    ...
    A3 = [0.31682708 0.69627909]
    Y = [0.31682708 0.69627909]

``A`` is a layer's weighted sums ``X·W + b``, ``Z`` its outputs ``f(A)``; the last layer's outputs are
the network's, ``Y``. Every number is the engine's (:func:`nnviz.core.model.network.layer_output`)."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from nnviz.cli.predict import parse_point
from nnviz.core.config import ConfigError, activation_name
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, layer_output


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print each point's layers; a bad file, point or option exits 2 with one line."""
    from nnviz.core.io.weights_file import WeightsError, read_weights

    try:
        weights = read_weights(args.weights)
        network = network_of(weights, args.activation, args.output)
        X = points_of(args.points, network, weights.name)
    except (ConfigError, WeightsError) as error:
        parser.exit(2, f"nnviz forward: error: {error}\n")
    walks = [walk(network, X, k) for k in range(len(network.weights))]
    try:
        if args.json:
            print(json.dumps([point_json(x, [(a[i], z[i]) for a, z in walks]) for i, x in enumerate(X)]))
        else:
            for i, x in enumerate(X):
                if i:
                    print()
                print("\n".join(point_lines(network, x, [(a[i], z[i]) for a, z in walks])), flush=True)
    except BrokenPipeError:  # `nnviz forward ... | head -3`: the reader left
        sys.stderr.close()
    return 0


def network_of(weights, activation: str | tuple[str, ...] | None, output: str | None) -> MLP:
    """The file's network in float64; ``activation`` and ``output`` stand in for what the file
    does not say (raises :class:`ConfigError` where it says otherwise, or ``activation`` names
    a wrong number of layers)."""
    hidden = len(weights.weights) - 1
    if activation is not None and weights.activations is not None and weights.activations != _per_layer(activation, hidden):
        raise ConfigError(f"--activation {activation_name(activation)}: {weights.name} says its hidden units are "
                          f"{activation_name(_one(weights.activations))}; leave out --activation")
    if activation is not None and len(_per_layer(activation, hidden)) != hidden:
        raise ConfigError(f"--activation names {len(activation)} layers; {weights.name} has {hidden} hidden layers")
    if output is not None and weights.output is not None and output != weights.output:
        raise ConfigError(f"--output {output}: {weights.name} says its outputs are {weights.output}; leave out --output")
    network = weights.network(np.float64, activation=activation if isinstance(activation, str) else None, output=output)
    if isinstance(activation, tuple) and weights.activations is None:  # network() takes one name for every layer
        network = MLP.from_flat(network.flat, network.layer_sizes, activation, network.features, network.output,
                                network.loss)
    return network


def _per_layer(activation, layers: int) -> tuple[str, ...]:
    return (activation,) * layers if isinstance(activation, str) else tuple(activation)


def _one(activations: tuple[str, ...]) -> str | tuple[str, ...]:
    """One name where every layer has it, as the command line writes it."""
    return activations[0] if len(set(activations)) == 1 else activations


def points_of(texts: list[str], network: MLP, name: str) -> np.ndarray:
    """The points as an array ``(n, coordinates)``; raises :class:`ConfigError` naming the first
    that is not a point or has not as many coordinates as the network reads."""
    dims = network.point_dims
    points = [parse_point(text) for text in texts]
    for values, text in zip(points, texts):
        if len(values) != dims:
            reads = f"points of {dims} coordinates" if network.features is None else \
                f"points (x1, x2), of which it reads {', '.join(network.features)}"
            raise ConfigError(f"{text!r} has {len(values)} coordinate{'s' if len(values) != 1 else ''}; "
                              f"the network of {name} reads {reads}")
    return np.array(points, dtype=np.float64).reshape(len(points), dims)


def walk(network: MLP, X: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """Weight layer ``layer``'s sums ``A`` and outputs ``Z`` for the points ``X``, from the engine."""
    return (layer_output(network, X, layer, before_activation=True), layer_output(network, X, layer))


def point_lines(network: MLP, x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]]) -> list[str]:
    """One point's lines: ``X``, what the network reads of it (if it reads input features), then
    ``Ak`` and ``Zk`` a layer, the last ``Z`` named ``Y``."""
    lines = [f"X = {_array(x)}"]
    if network.features is not None:
        lines.append(f"inputs {', '.join(network.features)} = {_array(expand(x[None, :], network.features)[0])}")
    for k, (a, z) in enumerate(layers, start=1):
        lines.append(f"A{k} = {_array(a)}")
        lines.append(f"{'Y' if k == len(layers) else f'Z{k}'} = {_array(z)}")
    return lines


def point_json(x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """One point as ``--json`` prints it: its ``inputs``, each layer's ``A`` and ``Z``, and the ``output``
    (the last layer's ``Z``)."""
    return {"inputs": x.tolist(), "layers": [{"A": a.tolist(), "Z": z.tolist()} for a, z in layers],
            "output": layers[-1][1].tolist()}


def _array(values: np.ndarray) -> str:
    """As numpy prints an array (``print(y)`` in tutorial 002), on one line."""
    return np.array2string(values, max_line_width=sys.maxsize)
