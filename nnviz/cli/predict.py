"""``nnviz predict``: what a saved run's network says of given points, a line a point, as
tutorial 003 prints it::

    in: [0. 1.]  ->  out: 1 (0.9978)

The class predicted and, in brackets, the probability the network gives it (one sigmoid unit:
the unit's output, the probability of class 1, as the tutorial prints it); for a regression
run, the value."""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from nnviz.core.config import ConfigError

SHOWN_NAMES = 4  # a run whose points have more coordinates is not told their names (digits have 64)


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print the network's outputs for ``args.points``; bad input exits 2 with one line."""
    from nnviz.core.io.runfile import RunFileError, load_run

    try:
        points = [parse_point(text) for text in args.points]
        _, trainer = load_run(args.run)
        X = points_of(points, args.points, trainer.data)
    except (ConfigError, RunFileError) as error:
        parser.exit(2, f"nnviz predict: error: {error}\n")
    rows = predictions_of(trainer.network, trainer.data, X)
    try:
        if args.json:
            print(json.dumps(rows))
        else:
            for row, point in zip(rows, X):
                print(table_line(row, point), flush=True)
    except BrokenPipeError:  # `nnviz predict ... | head -1`: the reader left
        sys.stderr.close()
    return 0


def parse_point(text: str) -> list[float]:
    """A point written as its coordinates separated by commas: ``"0.5,-1"``. Raises
    :class:`ConfigError` for words, empty coordinates or numbers that are not finite."""
    cells = [cell.strip() for cell in text.split(",")]
    try:
        values = [float(cell) for cell in cells]
    except ValueError:
        raise ConfigError(f"{text!r} is not a point: write its coordinates as numbers separated by commas, "
                          "like 0.5,1") from None
    if not all(math.isfinite(value) for value in values):
        raise ConfigError(f"{text!r} is not a point: its coordinates must be finite numbers")
    return values


def points_of(points: list[list[float]], texts: list[str], data) -> np.ndarray:
    """The points as an array ``(n, columns)``, each with as many coordinates as ``data``'s
    points have (raises :class:`ConfigError` naming the first that has not)."""
    columns = data.columns
    for values, text in zip(points, texts):
        if len(values) != columns:
            names = data.axis_names
            named = f" ({', '.join(names)})" if 0 < len(names) <= SHOWN_NAMES else ""
            have = "coordinate" if len(values) == 1 else "coordinates"
            raise ConfigError(f"{text!r} has {len(values)} {have}; the run's points have {columns}{named}")
    return np.array(points, dtype=np.float64).reshape(len(points), columns)


def predictions_of(network, data, X: np.ndarray) -> list[dict]:
    """What ``network`` says of each point of ``X``, as ``--json`` prints it: ``inputs`` and,
    for a regression run, ``value``; else ``class`` (its index), ``label`` (its name),
    ``probabilities`` (each class's, or ``scores`` for identity outputs, which are not
    probabilities) and ``outputs``, the output units' values (one sigmoid unit for two classes:
    the probability of class 1)."""
    from nnviz.core.model.network import class_scores

    outputs = network.outputs(X).astype(np.float64)
    if data.regression:
        return [{"inputs": x.tolist(), "value": _finite(out[0])} for x, out in zip(X, outputs)]
    scores = class_scores(outputs)
    names = data.label_names
    kind = "scores" if network.output == "identity" else "probabilities"
    rows = []
    for x, out, score in zip(X, outputs, scores):
        k = int(np.argmax(score))
        rows.append({"inputs": x.tolist(), "class": k, "label": names[k] if k < len(names) else str(k),
                     kind: [_finite(s) for s in score], "outputs": [_finite(o) for o in out]})
    return rows


def table_line(row: dict, point: np.ndarray) -> str:
    """One line of the tutorial's table: ``in: [0. 1.]  ->  out: 1 (0.9978)``, or the value."""
    inputs = np.array2string(point, max_line_width=sys.maxsize)
    if "value" in row:
        return f"in: {inputs}  ->  out: {_number(row['value'])}"
    scores = row.get("probabilities", row.get("scores"))
    # One sigmoid unit: its output, as the tutorial prints it (class 1's probability, whichever wins).
    shown = row["outputs"][0] if len(row["outputs"]) == 1 else scores[row["class"]]
    return f"in: {inputs}  ->  out: {row['label']} ({_number(shown)})"


def _finite(value) -> float | None:
    """A number for JSON: None where it is not finite (a diverged network's)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _number(value: float | None) -> str:
    return "nan" if value is None else f"{value:.4f}"
