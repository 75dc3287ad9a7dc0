"""``nnviz`` and ``nnviz gui``: the window, after the checks of its own options."""

from __future__ import annotations

import argparse

from nnviz.cli.outputs import check_png_name
from nnviz.cli.parser import given_settings
from nnviz.core.config import ConfigError, resolve_config
from nnviz.core.io.atomic import SaveError, check_writable


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Open the window as the options say; a usage error exits 2 with one line."""
    given = given_settings(args)
    problem = _usage_problem(args, given)
    weights = None
    if not problem and getattr(args, "weights", None) is not None:
        weights, problem = _weights(args, given)
    if problem:
        parser.exit(2, f"nnviz gui: error: {problem}\n")
    from nnviz.gui.app import run_app

    return run_app(given, start=args.start, screenshot=args.screenshot, after_steps=args.after_steps,
                   open_path=args.open, at_step=args.at_step, weights=weights)


def _weights(args: argparse.Namespace, given: dict):
    """The weights file of ``--weights`` and "" (the settings it implies join ``given``, so the
    window starts with its network), or None and what is wrong, in one sentence. Whether it fits
    the data is known once the window has its settings (:func:`nnviz.gui.app.open_start_files`)."""
    # Imported here, with --weights only: the window needs none of the training commands' modules.
    from nnviz.cli.run import weights_from_args
    from nnviz.core.io.weights_file import WeightsError

    try:
        return weights_from_args(args, given), ""
    except (ConfigError, WeightsError) as error:
        return None, str(error)


def _usage_problem(args: argparse.Namespace, given: dict) -> str:
    """What is wrong with the window's options, in one sentence; "" when nothing is."""
    if args.data is not None:
        return "--data works with nnviz train and nnviz sweep"
    if args.after_steps and not args.screenshot:
        return "--after-steps needs --screenshot"
    if args.at_step is not None and not args.open:
        return "--at-step needs --open (a saved run)"
    if args.at_step is not None and (args.after_steps or args.start):
        return f"--at-step shows a moment without training; leave out {'--after-steps' if args.after_steps else '--start'}"
    if args.open and getattr(args, "weights", None) is not None:
        return "--open takes the weights from the file; leave out --weights"
    if args.open and given:
        extra = "--" + next(iter(given)).replace("_", "-")
        return f"--open takes the settings from the file; leave out {extra}"
    if "output" in given or "loss" in given:  # a pair that cannot learn the data given: before any window
        try:
            resolve_config({k: v for k, v in given.items() if k in ("preset", "dataset", "output", "loss")})
        except ConfigError as error:
            return str(error)
    if args.screenshot is not None:
        try:
            check_png_name("--screenshot", args.screenshot, "the window's picture")
            check_writable(args.screenshot)
        except (ConfigError, SaveError) as error:
            return str(error)
    return ""
