"""Command line: ``nnviz`` (the window), ``nnviz train`` (headless training), ``nnviz sweep``,
``nnviz predict`` (a saved run's outputs), ``nnviz forward`` (a weights file's network, layer by
layer) and ``nnviz check-gradients`` (backpropagation against numerical differences).

:mod:`~nnviz.cli.parser` builds the parser; one module a command (:mod:`~nnviz.cli.train`,
:mod:`~nnviz.cli.sweep`, :mod:`~nnviz.cli.gui`, :mod:`~nnviz.cli.predict`, :mod:`~nnviz.cli.forward`,
:mod:`~nnviz.cli.check_gradients`); what train and sweep share is in :mod:`~nnviz.cli.run` and
:mod:`~nnviz.cli.outputs`."""

from __future__ import annotations

import sys

from nnviz.cli.parser import LOG_EVERY, add_config_options, build_parser, given_settings
from nnviz.core.config import PRESET_STEPS, TUTORIAL_STEPS, ConfigError

__all__ = ["LOG_EVERY", "add_config_options", "build_parser", "given_settings", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nnviz`` and ``python -m nnviz``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "gui")  # `nnviz --hidden 5` means the window
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "gui":  # the window loads what it needs itself: none of the commands' modules
        from nnviz.cli import gui

        return gui.run(parser, args)
    if args.command == "predict":  # reads a run: none of the training commands' modules
        from nnviz.cli import predict

        return predict.run(parser, args)
    if args.command == "forward":  # reads a weights file: no data, no training
        from nnviz.cli import forward

        return forward.run(parser, args)
    if args.command == "check-gradients":
        from nnviz.cli import check_gradients

        return check_gradients.run(parser, args)
    from nnviz.cli import sweep, train
    from nnviz.cli.outputs import check_outputs
    from nnviz.cli.run import data_from_args
    from nnviz.core.data.points_file import DataFileError
    from nnviz.core.io.atomic import SaveError
    from nnviz.core.io.movie import MovieError, movie_kind
    from nnviz.core.io.runfile import RunFileError
    from nnviz.core.io.weights_file import WeightsError

    given = given_settings(args)
    try:
        if args.movie is not None:
            movie_kind(args.movie)
        elif args.frames is not None or args.fps is not None:
            raise ConfigError(f"{'--frames' if args.frames is not None else '--fps'} needs --movie")
        check_outputs(args)  # before any training: a path that cannot be written is found now
        if args.command == "train":
            train.check_weights_output(args)
        data = data_from_args(args, given)
        if args.command == "sweep":
            swept, weights = sweep.prepare(args, given, data)
            preset, command = swept.base.preset, lambda: sweep.run(swept, data, args, weights)
        else:
            config, trainer = train.prepare(args, given, data)
            note = train.rate_note(config, given)
            preset, command = config.preset, lambda: train.run(config, trainer, args, note)
        args.steps = args.steps or PRESET_STEPS.get(preset, TUTORIAL_STEPS)
    except (ConfigError, RunFileError, DataFileError, MovieError, SaveError, WeightsError) as error:
        parser.exit(2, f"nnviz {args.command}: error: {error}\n")
    # Our matrices are small: one BLAS thread is faster than two fighting over them.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        return command()
    except BrokenPipeError:  # e.g. `nnviz train | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
