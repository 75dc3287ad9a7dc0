"""``nnviz train``: one network trained headless, its loss history printed (or as JSON)."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

from nnviz.cli.outputs import OUTPUT_KINDS
from nnviz.cli.run import (
    Progress,
    base_for,
    final_figures,
    run_json,
    split,
    train_to,
    weights_from_args,
)
from nnviz.core.config import ConfigError, TrainingConfig, resolve_config
from nnviz.core.io.atomic import SaveError, check_writable
from nnviz.core.io.picture_texts import metadata, run_title
from nnviz.core.model.optimizers import rate_advice


def prepare(args: argparse.Namespace, given: dict, data=None):
    """The config and trainer `nnviz train` starts from: a new run (on ``data`` if given, from
    the weights of ``--weights`` if given), or a saved one to resume. Raises ConfigError where
    the options do not fit the data (an output and loss that cannot learn its task, a
    classification report of a regression), WeightsError where the weights do not."""
    from nnviz.core.io.runfile import load_run
    from nnviz.core.training.experiment import build_trainer

    if args.resume is None:
        weights = weights_from_args(args, given)
        config = resolve_config(given, base_for(data))
        points = split(data, config)
        trainer = build_trainer(config, points, log_every=args.log_every, weights=weights)  # None: dense early
    elif args.weights is not None:
        raise ConfigError("--resume continues the saved run from its own weights; leave out --weights")
    elif given or args.log_every is not None:
        extra = "--" + next(iter(given), "log_every").replace("_", "-")
        raise ConfigError(f"--resume continues the saved run with its own settings; leave out {extra}")
    else:
        config, trainer = load_run(args.resume)
    if args.report and trainer.data.regression:
        raise ConfigError("--report is a report on classes, and this run predicts values: "
                          "its progress lines and --json give MSE, RMSE and R²")
    return config, trainer


def rate_note(config: TrainingConfig, given: dict) -> str:
    """The window's advice on choosing an optimiser, for ``--optimizer`` given at a rate far
    from the ones it usually takes: one line for stderr, or "" (a rate given with no
    optimiser is the user's own, as in the window)."""
    advice = rate_advice(config.optimizer, config.lr) if "optimizer" in given else ""
    return f"nnviz train: note: {advice}" if advice else ""


def run(config: TrainingConfig, trainer, args: argparse.Namespace, note: str = "") -> int:
    """Train to ``--steps`` more steps, report, save; the exit status. ``note``: a line for
    stderr before training starts."""
    if note:
        print(note, file=sys.stderr, flush=True)
    steps = trainer.step_count + args.steps  # the step to reach (a resumed run goes on from its own)
    regression = trainer.data.regression
    progress = Progress(trainer.history, steps, len(trainer.history) if args.resume else 0, quiet=args.json,
                        regression=regression)
    finished = train_to(trainer, steps, progress, args, "train", metadata(config, trainer.step_count), run_title(config))
    if finished is None:
        return 1
    history = trainer.history
    final = history.last()
    divergence = finished.snapshot.divergence
    classified = _classified(trainer) if args.report else None
    if args.json:
        report = run_json(config, history, divergence, steps, args, trainer.data, trainer.network,
                          steps_per_second=finished.rate)
        if classified is not None:
            report["report"] = _report_json(*classified, trainer.data.label_names)
        print(json.dumps(report))
    elif regression:
        print(f"{finished.summary(trainer.step_count)}; loss {final.loss:.6f}, {_fit(trainer)}")
    else:
        print(f"{finished.summary(trainer.step_count)}; loss {final.loss:.6f}, train accuracy {final.train_accuracy:.1%}"
              + ("" if math.isnan(final.test_accuracy) else f", test accuracy {final.test_accuracy:.1%}"))
        if classified is not None:
            result, part = classified
            where = "test set" if part == "test" else "training set (no test set is held out)"
            print(f"\nclassification report on the {where} ({len(result.y):,} points):")
            print(result.report_text(trainer.data.label_names))
    if args.save:
        from nnviz.core.io.runfile import save_run

        try:
            save_run(args.save, config, trainer)
        except SaveError as error:
            print(f"nnviz train: {error}", file=sys.stderr)
            return 1
        print(f"saved {args.save}: the run at step {trainer.step_count:,} (carry it on with --resume)",
              file=sys.stderr)
    if args.save_weights:
        from nnviz.core.io.weights_file import WeightsError, save_weights

        try:
            save_weights(trainer.network, args.save_weights)
        except WeightsError as error:
            print(f"nnviz train: {error}", file=sys.stderr)
            return 1
        print(f"saved {args.save_weights}: the weights at step {trainer.step_count:,} (start from them with --weights)",
              file=sys.stderr)
    if divergence is not None:
        print(f"nnviz train: {divergence.message}", file=sys.stderr)
        return 1
    return 0


def check_weights_output(args: argparse.Namespace) -> None:
    """``--save-weights`` can be written and its name does not say another kind of file: raises
    ConfigError or SaveError (one sentence) before anything is trained, as for ``--save``."""
    path = args.save_weights
    if path is None:
        return
    says = OUTPUT_KINDS.get(os.path.splitext(path)[1].lower())
    if says is not None:
        raise ConfigError(f"--save-weights {path}: that name says {says}, but --save-weights writes a JSON "
                          "weights file; name it with .json")
    check_writable(path)


def _fit(trainer) -> str:
    """How well a regression run fits: "train RMSE 0.0812, R² 0.9871; test RMSE ..."."""
    figures = final_figures(trainer.network, trainer.data)
    parts = []
    for part in ("train", "test"):
        rmse, r2 = figures[f"{part}_rmse"], figures[f"{part}_r2"]
        if rmse is not None:
            parts.append(f"{part} RMSE {rmse:.4f}" + ("" if r2 is None else f", R² {r2:.4f}"))
    return "; ".join(parts)


def _classified(trainer):
    """How the trained network classifies the test set (the training set if none is held out),
    and which set that is ("test" or "training")."""
    from nnviz.core.analysis.metrics import classify, evaluation_set

    X, y, part = evaluation_set(trainer.data)
    return classify(trainer.network, X, y), part


def _report_json(result, part: str, names: tuple[str, ...]) -> dict:
    precision, recall, f1, support = result.report()
    return {"on": f"{part} set", "classes": list(names), "accuracy": result.accuracy,
            "precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist(),
            "support": support.tolist(), "confusion_matrix": result.confusion().tolist()}
