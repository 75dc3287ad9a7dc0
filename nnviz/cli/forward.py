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
from nnviz.core.config import ConfigError
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, layer_output


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print each point's layers; a bad file, point or option exits 2 with one line."""
    from nnviz.core.io.weights_file import WeightsError

    try:
        weights, network = network_of(args)
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


def network_of(args: argparse.Namespace):
    """The weights file of ``--weights`` and its network in float64; ``--activation`` and ``--output``
    stand in for what the file does not say (raises :class:`ConfigError` where it says otherwise,
    as ``--weights`` does for training, or ``--activation`` names another number of layers)."""
    from nnviz.cli.run import weights_from_args

    given = {name: value for name, value in (("activation", args.activation), ("output", args.output))
             if value is not None}
    weights = weights_from_args(args, given)
    hidden = len(weights.weights) - 1
    if isinstance(given.get("activation"), tuple) and len(given["activation"]) != hidden:
        raise ConfigError(f"--activation names {len(given['activation'])} layers; {weights.name} has {hidden} "
                          "hidden layers")
    return weights, weights.network(np.float64, activation=given.get("activation"), output=given.get("output"))


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
