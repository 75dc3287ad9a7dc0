"""``nnviz check-gradients``: backpropagation's gradient against numerical differences, the check
"Deep Learning from Scratch" makes (:mod:`nnviz.core.arithmetic.gradient_check`), for the network
the settings describe (or ``--weights``), on its training points, after ``--steps`` steps of training.

Exit status 0 when every layer agrees to better than the tolerance, 1 when one does not (the
report names it, or says the weights are too large to tell), 2 for a usage error or weights whose
loss is not finite (there is nothing to compare)."""

from __future__ import annotations

import argparse
import json
import math
import sys

from nnviz.cli.parser import given_settings
from nnviz.cli.run import base_for, data_from_args, split, weights_from_args
from nnviz.core.config import ConfigError, resolve_config

CLI_SECONDS = 30.0  # without --points, all the training points unless a check of them would take longer


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Build the run, train ``--steps``, check, report; the exit status."""
    from nnviz.core.arithmetic.gradient_check import (
        FEWEST_POINTS,
        check_gradients,
        points_to_check,
        seconds_for,
    )
    from nnviz.core.data.points_file import DataFileError
    from nnviz.core.io.weights_file import WeightsError
    from nnviz.core.training.experiment import build_trainer

    given = given_settings(args)
    try:
        data = data_from_args(args, given)
        weights = weights_from_args(args, given)
        config = resolve_config(given, base_for(data))
        # Figures recorded at step 0 and at the last step only: the check is what is reported.
        trainer = build_trainer(config, split(data, config), log_every=max(args.steps, 1), weights=weights)
    except (ConfigError, DataFileError, WeightsError) as error:
        parser.exit(2, f"nnviz check-gradients: error: {error}\n")
    trainer.step(args.steps)  # a run that diverges steps back to its last finite weights and stops
    if trainer.divergence is not None:  # said before the report: the weights checked are those kept
        print(f"nnviz check-gradients: note: {trainer.divergence.message}", file=sys.stderr, flush=True)
    data = trainer.data
    points = args.points
    if points is None:  # all of them, unless that would take long
        parameters, available = trainer.network.flat.size, len(data.y_train)
        points = points_to_check(parameters, available, seconds=CLI_SECONDS) or FEWEST_POINTS
        if points < available:
            print(f"nnviz check-gradients: note: checking the first {points:,} of {available:,} training points "
                  f"(about {seconds_for(parameters, points):.0f} s); --points N chooses", file=sys.stderr, flush=True)
    try:
        result = check_gradients(trainer.network, data.X_train, data.y_train, config.l2,
                                 regression=data.regression, dropout=config.dropout, points=points)
    except ValueError as error:  # the loss itself is not finite: there is nothing to compare
        parser.exit(2, f"nnviz check-gradients: error: {error}\n")
    if args.json:
        print(json.dumps(result_json(result, trainer.step_count)))
    else:
        print(f"{checked(trainer.network, trainer.step_count, config.l2)}, {result.points} training points")
        print("\n".join(result.lines()), flush=True)
    if result.rounding_limited:
        print(f"nnviz check-gradients: inconclusive: the loss ({result.loss:.3g}) is too large for numerical "
              "differences to tell", file=sys.stderr)
    elif not result.passed:
        print(f"nnviz check-gradients: {', '.join(result.failing)}: backpropagation and numerical differences "
              f"disagree by more than {result.tolerance:g}", file=sys.stderr)
    return 0 if result.passed else 1


def checked(network, step: int, l2: float) -> str:
    """What is checked, in words: "2-10-2 network (tanh; softmax, cross-entropy) at step 0, l2 0.001"."""
    activations = ",".join(dict.fromkeys(network.activations)) or "no hidden layer"
    from nnviz.core.model.network import layers_name

    return (f"{layers_name(network.layer_sizes)} network ({activations}; {network.output}, {network.loss}) "
            f"at step {step:,}, l2 {l2:g}")


def result_json(result, step: int) -> dict:
    """The check as ``--json`` prints it (errors NaN where nothing was compared become null)."""
    def number(value: float) -> float | None:
        return None if math.isnan(value) else value

    return {"passed": result.passed, "tolerance": result.tolerance, "step": step, "points": result.points,
            "h": result.h, "dropout_off": result.dropout_off, "failing": result.failing,
            "layers": [{"name": layer.name, "weights": number(layer.weights), "biases": number(layer.biases),
                        "at_kinks": layer.at_kinks} for layer in result.layers],
            "report": result.lines()}
