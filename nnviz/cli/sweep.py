"""``nnviz sweep``: networks that differ in one setting, trained side by side on the same data."""

from __future__ import annotations

import argparse
import json
import sys

from nnviz.cli.run import (
    Progress,
    base_for,
    figures,
    run_json,
    split,
    train_to,
    weights_from_args,
)
from nnviz.core.config import ConfigError, resolve_config, shape_name
from nnviz.core.io.atomic import SaveError
from nnviz.core.io.picture_texts import sweep_texts
from nnviz.core.io.weights_file import WeightsError
from nnviz.core.training.sweep import TUTORIAL_SIZES, Sweep, parse_values

SHAPING = ("hidden", "features")
"""Settings a sweep with ``--weights`` may not vary: the weights' shape, and what the first layer reads."""


def prepare(args: argparse.Namespace, given: dict, data=None):
    """The sweep the options describe, each of its configs validated (on ``data``, the
    points of ``--data``, if given), and the weights of ``--weights`` its networks start from
    (None: freshly drawn); raises ConfigError for a bad list, WeightsError for weights that do
    not fit every network."""
    if args.save_weights is not None:
        raise ConfigError("--save-weights saves one network's weights, and a sweep trains several: "
                          "train the one you want with nnviz train --save-weights")
    weights = _sweep_weights(args, given)
    sweep = _sweep_from_args(args, given, base_for(data))
    for config in sweep.configs():  # validates every value
        if data is not None:
            config.input_features(data.columns)  # features are for 2-D points
            config.head(data.task)  # an output and loss that can learn the file's task
    if weights is not None:  # each network must take the file's weights
        from nnviz.core.training.experiment import build_network

        points = split(data, sweep.base)
        build_network(sweep.base, points, weights)  # a file that does not fit the data at all: said plainly
        for config, value in zip(sweep.configs(), sweep.values):
            try:
                build_network(config, points, weights)
            except WeightsError as error:
                raise WeightsError(f"{sweep.label(value)}: {error} Every network of a sweep "
                                   "with --weights starts from the file's weights: vary a setting that keeps their "
                                   "shape.") from None
    return sweep, weights


def _sweep_weights(args: argparse.Namespace, given: dict):
    """The weights of ``--weights`` (None without), their settings added to ``given``; raises
    ConfigError for a sweep that changes the shape those weights have."""
    if args.weights is None:
        return None
    if args.vary in SHAPING:
        raise ConfigError(f"--vary {args.vary} changes what the first layer's weights read; every network of a "
                          "sweep with --weights starts from the file's weights: vary another setting")
    shapes = given.pop("hidden", None)
    weights = weights_from_args(args, given)
    hidden = given.pop("hidden")
    if args.vary is None and shapes is None:
        raise ConfigError("with --weights every network starts from the file's weights, so they share its "
                          f"hidden layers ({shape_name(hidden)}): vary another setting, e.g. --vary lr --values 0.1,1")
    for shape in shapes or ():
        if shape != hidden:
            raise ConfigError(f"--hidden {shape_name(shape)} disagrees with {weights.name}, whose hidden layers "
                              f"are {shape_name(hidden)}; every network of a sweep with --weights starts from them")
    given["hidden"] = (hidden,)  # the sweep's one shape
    return weights


def _sweep_from_args(args: argparse.Namespace, given: dict, base=None) -> Sweep:
    hidden = given.pop("hidden", None)
    if args.vary is None:
        if args.values is not None:
            raise ConfigError("--values needs --vary (the networks' shapes go in --hidden)")
        return Sweep(resolve_config(given, base), "hidden", hidden or TUTORIAL_SIZES)
    if hidden is not None and len(hidden) > 1:
        raise ConfigError("vary either the shape (--hidden S,S,...) or --vary, not both")
    if args.values is None:
        raise ConfigError(f"--vary {args.vary} needs --values")
    config = resolve_config({**given, **({"hidden": hidden[0]} if hidden else {})}, base)
    return Sweep(config, args.vary, parse_values(args.vary, args.values))


def run(sweep: Sweep, data, args: argparse.Namespace, weights=None) -> int:
    """Train the sweep to ``--steps`` (every network from ``weights`` if given), write its
    pictures and table, report; the exit status."""
    from nnviz.core.training.sweep import write_sweep_csv
    from nnviz.core.training.sweep_trainer import SweepTrainer

    configs = sweep.configs()
    trainer = SweepTrainer(configs, split(data, configs[0]), log_every=args.log_every,  # None: dense early
                           weights=weights)
    regression = trainer.data.regression
    progress = Progress(trainer.histories[0], args.steps, quiet=args.json,
                        line=lambda entry, steps: f"step {entry.step:>{len(str(steps))}}/{steps}")
    finished = train_to(trainer, args.steps, progress, args, "sweep", sweep_texts(sweep, trainer.step_count), sweep=sweep)
    if finished is None:
        return 1
    snapshot = finished.snapshot
    try:
        if args.csv:
            write_sweep_csv(args.csv, sweep, snapshot, regression=regression)
        if args.out:
            from nnviz.gui.files.picture_export import save_sweep_picture

            save_sweep_picture(sweep, trainer, snapshot, args.out)
    except SaveError as error:
        print(f"nnviz sweep: {error}", file=sys.stderr)
        return 1
    if args.json:
        runs = [run_json(config, history, divergence, args.steps, args, trainer.data, network)
                for config, history, divergence, network
                in zip(configs, trainer.histories, snapshot.divergences, snapshot.networks)]
        print(json.dumps({"runs": runs, "steps_per_second": finished.rate}))
    else:
        labels = [sweep.label(v) for v in sweep.values]
        width = max(map(len, labels))
        print(finished.summary(trainer.step_count, f" of {len(configs)} network{'s' if len(configs) > 1 else ''}"))
        for label, entry, divergence in zip(labels, snapshot.latest, snapshot.divergences):
            note = f"  (diverged at step {divergence.step})" if divergence else ""
            print(f"  {label:<{width}}  {figures(entry, regression=regression)}{note}")
    if snapshot.divergence is not None:
        print(f"nnviz sweep: {snapshot.divergence.message}", file=sys.stderr)
        return 1
    return 0
