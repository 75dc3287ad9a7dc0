"""Command line: ``nnviz`` (the window), ``nnviz train`` (headless training), ``nnviz sweep``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.config import (
    DTYPES,
    HIDDEN_RANGE,
    MAX_DROPOUT,
    MAX_LAYERS,
    PRESET_STEPS,
    PRESETS,
    SAMPLES_RANGE,
    SEED_LIMIT,
    TUTORIAL_STEPS,
    ConfigError,
    TrainingConfig,
    activation_name,
    features_name,
    parse_features,
    parse_shape,
    resolve_config,
    shape_name,
)
from nnviz.core.datafile import DataFileError
from nnviz.core.datasets import (
    CLASSES_RANGE,
    CUSTOM,
    DATASETS,
    DIGITS,
    IMAGE_CLASSES_RANGE,
)
from nnviz.core.features import FEATURES
from nnviz.core.files import SaveError, check_writable
from nnviz.core.history import HistoryEntry
from nnviz.core.initialisation import INIT_SCHEMES
from nnviz.core.movie import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    FPS_RANGE,
    FRAMES_RANGE,
    MovieError,
    movie_kind,
    write_movie,
)
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.runfile import RunFileError
from nnviz.core.sweep import SWEEP_SETTINGS, TUTORIAL_SIZES, Sweep, parse_values

VARIED = tuple(s for s in SWEEP_SETTINGS if s != "hidden")
NOT_WITH_DATA = ("dataset", "samples", "noise", "classes", "preset")  # what a --data file decides instead

LOG_EVERY = None  # the default --log-every: record densely early (see nnviz.core.history.DENSE_FIRST)
PRINT_EVERY = 1000  # progress lines of a run recorded densely early: every this many steps, and the last
RUN_FILE_KINDS = {".png": "a PNG picture", ".jpg": "a JPEG picture", ".jpeg": "a JPEG picture", ".svg": "an SVG picture",
                  ".gif": "a GIF movie", ".mp4": "an MP4 movie", ".csv": "a CSV table", ".nnviz": "an nnviz run file"}
"""What a file's extension says it holds: an output of another kind under such a name is refused."""

CONVENTIONS = """\
conventions:
  loss  = mean softmax cross-entropy + l2/2 * sum of squared weights (biases excluded)
  step  = the optimiser's update (torch.optim's rules) on the gradient of that loss
          (one full batch, or one mini-batch); sgd without momentum is w -= lr * gradient
  The seed tutorial's epsilon=0.01 on the summed gradient of N=200 points is --lr 2.0,
  and its reg_lambda=0.01 is --l2 5e-05; --preset tutorial sets exactly that.
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit status 2 (without argparse's usage block)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _integer(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


def _number(low: float, high: float = math.inf, *, positive: bool = False):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        if not low <= value <= high:
            span = f"at least {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value

    return parse


def _shape(text: str) -> tuple[int, ...]:
    """``--hidden`` of ``nnviz train`` and the window: one network's shape, like ``8x8x4``."""
    if "," in text:
        raise argparse.ArgumentTypeError(f"{text!r} lists several networks: compare them with nnviz sweep --hidden {text}")
    try:
        return parse_shape(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _shapes(text: str) -> tuple[tuple[int, ...], ...]:
    """``--hidden`` of ``nnviz sweep``: shapes separated by commas, like ``8,8x8,8x8x8``."""
    try:
        return parse_values("hidden", text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _activation(text: str) -> str | tuple[str, ...]:
    """One activation for every hidden layer, or one per layer separated by commas."""
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if name not in ACTIVATIONS:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(ACTIVATIONS)} (or one per layer, "
                                             f"separated by commas), got {name!r}")
    return names[0] if len(names) == 1 else names


def _features(text: str) -> tuple[str, ...]:
    try:
        return parse_features(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_config_options(parser: argparse.ArgumentParser, *, hidden_list: bool = False) -> None:
    """The data, network and training options shared by every command.

    Defaults are suppressed so that only the options actually given override the
    defaults (or the preset). With ``hidden_list``, ``--hidden`` takes a comma-separated list."""
    d = TrainingConfig()
    S = argparse.SUPPRESS
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASETS, default=S,
                      help=f"which dataset: 2-D points, or digits, scikit-learn's 8x8 images (default {d.dataset})")
    data.add_argument("--samples", type=_integer(*SAMPLES_RANGE), default=S, metavar="N",
                      help=f"points in all, {SAMPLES_RANGE[0]}-{SAMPLES_RANGE[1]} (default {d.samples}); "
                           f"of the digits, a random subset of at most N (default all {DIGITS:,})")
    data.add_argument("--noise", type=_number(0, 1), default=S, metavar="X", help=f"noise of the 2-D sets, 0-1 (default {d.noise})")
    data.add_argument("--classes", type=_integer(*IMAGE_CLASSES_RANGE), default=S, metavar="K",
                      help=f"classes of spiral and blobs, {CLASSES_RANGE[0]}-{CLASSES_RANGE[1]} (default {d.classes}); "
                           f"of the digits, the digits 0 to K-1 (default 10)")
    data.add_argument("--test-fraction", type=_number(0, 0.9), default=S, metavar="F", help=f"share held out for testing, 0-0.9 (default {d.test_fraction})")
    data.add_argument("--seed", type=_integer(0, SEED_LIMIT - 1), default=S, metavar="N", help=f"seed for data, split and initial weights (default {d.seed})")
    net = parser.add_argument_group("network")
    layers = f"up to {MAX_LAYERS} hidden layers of {HIDDEN_RANGE[0]}-{HIDDEN_RANGE[1]} units"
    if hidden_list:
        tutorial = ",".join(map(str, TUTORIAL_SIZES))
        net.add_argument("--hidden", type=_shapes, default=S, metavar="S,S,...",
                         help=f"the networks to compare, shapes separated by commas (8,8x8,8x8x8), each {layers} "
                              f"(default the tutorial's {tutorial})")
    else:
        net.add_argument("--hidden", type=_shape, default=S, metavar="WxWx...",
                         help=f"hidden layer widths, first to last, joined by x (8x8x4); {layers}; "
                              f"0 for none (default {shape_name(d.hidden)})")
    net.add_argument("--activation", type=_activation, default=S, metavar="NAME[,NAME...]",
                     help=f"hidden activation, {', '.join(ACTIVATIONS)}: one for every layer, or one per layer "
                          f"separated by commas (default {activation_name(d.activation)})")
    net.add_argument("--init", choices=INIT_SCHEMES, default=S,
                     help=f"how the weights start, {', '.join(INIT_SCHEMES)}; biases start at 0 (default {d.init})")
    net.add_argument("--features", type=_features, default=S, metavar="NAME,NAME,...",
                     help=f"what the network reads of each point, from {', '.join(FEATURES)} (x1sq is x1 squared); "
                          f"for 2-D points only (default {features_name(d.features)})")
    net.add_argument("--dtype", choices=DTYPES, default=S, help=f"floating-point type (default {d.dtype})")
    opt = parser.add_argument_group("training")
    opt.add_argument("--optimizer", choices=OPTIMIZERS, default=S,
                     help=f"the update rule, as torch.optim's: {', '.join(OPTIMIZERS)} (default {d.optimizer})")
    opt.add_argument("--lr", type=_number(0, positive=True), default=S, metavar="X", help=f"learning rate on the mean-loss gradient (default {d.lr:g})")
    opt.add_argument("--l2", type=_number(0), default=S, metavar="X", help=f"L2 strength: adds l2/2*sum(W^2) to the loss (default {d.l2:g})")
    opt.add_argument("--momentum", type=_number(0, 0.99), default=S, metavar="X",
                     help="momentum of sgd and nesterov, 0-0.99 (default 0: plain gradient descent; nesterov 0.9)")
    opt.add_argument("--dropout", type=_number(0, MAX_DROPOUT), default=S, metavar="P",
                     help=f"share of hidden units dropped at each training step, 0-{MAX_DROPOUT:g} (default 0)")
    opt.add_argument("--batch-size", type=_integer(1, SAMPLES_RANGE[1]), default=S, metavar="N", help="mini-batch size (default: the full training set)")
    parser.add_argument("--preset", choices=PRESETS, default=S,
                        help="start from a seed tutorial's setup: tutorial (001's moons network, exactly), digits "
                             "(000's 100 logistic units), digits-deep (004's 500 and 100 leaky ReLU units, momentum); "
                             "other options override single settings")


def _add_data_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument_group("own data").add_argument(
        "--data", metavar="PATH", default=None,
        help="train on the points in a CSV file (a header like x,y,label, then one point a line), or on "
             "MNIST-format images (train-images-idx3-ubyte[.gz], the labels file beside it), instead of a "
             "built-in dataset; --test-fraction and --seed split them")


def given_settings(args: argparse.Namespace) -> dict:
    """The training settings actually given on the command line."""
    return {k: v for k, v in vars(args).items() if k in TrainingConfig.__dataclass_fields__}


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    run = parser.add_argument_group("run")
    steps = ", ".join(f"{name} {count:,}" for name, count in PRESET_STEPS.items() if name != "tutorial")
    run.add_argument("--steps", type=_integer(1, 10**9), default=None, metavar="N",
                     help=f"gradient steps (default {TUTORIAL_STEPS:,}; with a preset, its own: {steps})")
    run.add_argument("--log-every", type=_integer(1, 10**9), default=None, metavar="K",
                     help="record the loss every K steps (default: densely early, every step up to 127, then 64 steps "
                          f"per doubling of the step count; progress lines at step 0, every {PRINT_EVERY:,} steps and the last)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of progress lines")


def _command(commands, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=summary, description=description, epilog=CONVENTIONS,
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """The ``nnviz`` parser with its sub-commands."""
    parser = _Parser(
        prog="nnviz",
        description="Watch a small neural network learn a 2-D dataset, or handwritten digits.",
        epilog="Without a command, nnviz opens the window. " + CONVENTIONS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    train = _command(commands, "train", "train headless and print the loss", "Train a network without a window and report the loss history.")
    add_config_options(train)
    _add_data_file_option(train)
    _add_run_options(train)
    files = train.add_argument_group("run files")
    files.add_argument("--save", metavar="PATH", help="save the whole run there at the end (resume it with --resume)")
    files.add_argument("--resume", metavar="PATH", help="carry on a saved run for --steps more steps, with its own settings")
    train.add_argument_group("report").add_argument(
        "--report", action="store_true",
        help="print each class's precision, recall, F1 and support on the test set at the end "
             "(scikit-learn's classification report); with --json, the report and the confusion matrix")
    _add_movie_options(train, "the Train view's plots")
    sweep = _command(commands, "sweep", "train several networks side by side", "Train networks that differ in one setting together, on the same data.")
    add_config_options(sweep, hidden_list=True)
    _add_data_file_option(sweep)
    vary = sweep.add_argument_group("sweep")
    vary.add_argument("--vary", choices=VARIED, default=None, help="vary this setting instead of the hidden size")
    vary.add_argument("--values", metavar="A,B,...", default=None,
                      help="the values --vary takes, comma-separated (feature lists separated by /: x1,x2/x1sq,x2sq)")
    _add_run_options(sweep)
    vary.add_argument("--out", metavar="PATH.png", help="save the grid picture there as PNG, its name ending in .png (no display needed)")
    vary.add_argument("--csv", metavar="PATH", help="save each network's final figures there as CSV")
    _add_movie_options(sweep, "the grid")
    gui = _command(commands, "gui", "open the window (the default)", "Open the nnviz window. Settings given here override the remembered ones.")
    add_config_options(gui)
    window = gui.add_argument_group("window")
    window.add_argument("--start", action="store_true", help="begin training at once")
    window.add_argument("--open", metavar="PATH", help="open a saved run, or a PNG that nnviz exported")
    window.add_argument("--screenshot", metavar="PATH", help="train --after-steps steps, save a PNG of the window to PATH, exit")
    window.add_argument("--at-step", type=_integer(0, 10**15), default=None, metavar="N",
                        help="with --open: show the run's kept moment nearest step N (training paused)")
    window.add_argument("--after-steps", type=_integer(0, 10**9), default=0, metavar="N", help="steps to train before --screenshot (default 0)")
    # Without this, argparse would take --data for an abbreviation of --dataset.
    window.add_argument("--data", default=None, help=argparse.SUPPRESS)
    return parser


def _add_movie_options(parser: argparse.ArgumentParser, what: str) -> None:
    movie = parser.add_argument_group("movie")
    movie.add_argument("--movie", metavar="PATH",
                       help=f"save a movie (.gif or .mp4) of {what} as the run learns (no display needed); frames dense early")
    movie.add_argument("--frames", type=_integer(*FRAMES_RANGE), default=None, metavar="N",
                       help=f"frames in the movie, {FRAMES_RANGE[0]}-{FRAMES_RANGE[1]} (default {DEFAULT_FRAMES})")
    movie.add_argument("--fps", type=_integer(*FPS_RANGE), default=None, metavar="N",
                       help=f"frames a second, {FPS_RANGE[0]}-{FPS_RANGE[1]} (default {DEFAULT_FPS})")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nnviz`` and ``python -m nnviz``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "gui")  # `nnviz --hidden 5` means the window
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "gui":
        if args.data is not None:
            parser.exit(2, "nnviz gui: error: --data works with nnviz train and nnviz sweep\n")
        if args.after_steps and not args.screenshot:
            parser.exit(2, "nnviz gui: error: --after-steps needs --screenshot\n")
        if args.at_step is not None and not args.open:
            parser.exit(2, "nnviz gui: error: --at-step needs --open (a saved run)\n")
        if args.at_step is not None and (args.after_steps or args.start):
            parser.exit(2, "nnviz gui: error: --at-step shows a moment without training; leave out "
                           f"{'--after-steps' if args.after_steps else '--start'}\n")
        if args.open and given_settings(args):
            extra = "--" + next(iter(given_settings(args))).replace("_", "-")
            parser.exit(2, f"nnviz gui: error: --open takes the settings from the file; leave out {extra}\n")
        if args.screenshot is not None:
            try:
                _check_png_name("--screenshot", args.screenshot, "the window's picture")
                check_writable(args.screenshot)
            except (ConfigError, SaveError) as error:
                parser.exit(2, f"nnviz gui: error: {error}\n")
        from nnviz.gui.app import run_app

        return run_app(given_settings(args), start=args.start, screenshot=args.screenshot, after_steps=args.after_steps,
                       open_path=args.open, at_step=args.at_step)
    given = given_settings(args)
    try:
        if args.movie is not None:
            movie_kind(args.movie)
        elif args.frames is not None or args.fps is not None:
            raise ConfigError(f"{'--frames' if args.frames is not None else '--fps'} needs --movie")
        _check_outputs(args)  # before any training: a path that cannot be written is found now
        data = _data_from_args(args, given)
        if args.command == "sweep":
            sweep = _sweep_from_args(args, given)
            for config in sweep.configs():  # validates every value
                if data is not None:
                    config.input_features(data.features)  # features are for 2-D points
        else:
            config, trainer = _trainer_from_args(args, given, data)
        preset = (sweep.base if args.command == "sweep" else config).preset
        args.steps = args.steps or PRESET_STEPS.get(preset, TUTORIAL_STEPS)
    except (ConfigError, RunFileError, DataFileError, MovieError, SaveError) as error:
        parser.exit(2, f"nnviz {args.command}: error: {error}\n")
    # Our matrices are small: one BLAS thread is faster than two fighting over them.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        return _run_sweep(sweep, data, args) if args.command == "sweep" else _train(config, trainer, args)
    except BrokenPipeError:  # e.g. `nnviz train | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Each file the command is to write can be written, and its name says what it will hold:
    raises ConfigError or SaveError (one sentence) before anything is trained."""
    outputs = {"--movie": (args.movie, None)}  # its kind was checked by movie_kind
    if args.command == "train":
        outputs["--save"] = (args.save, RUN_FILE_KINDS[".nnviz"])
    else:
        outputs["--out"] = (args.out, RUN_FILE_KINDS[".png"])
        outputs["--csv"] = (args.csv, RUN_FILE_KINDS[".csv"])
    for option, (path, holds) in outputs.items():
        if path is None:
            continue
        suffix = os.path.splitext(path)[1].lower()
        says = RUN_FILE_KINDS.get(suffix)
        if option == "--out":
            _check_png_name("--out", path, "the grid picture")
        if holds is not None and says is not None and says != holds:
            raise ConfigError(f"{option} {path}: that name says {says}, but {option} writes {holds}")
        check_writable(path)


def _check_png_name(option: str, path: str, what: str) -> None:
    """A picture's name must say PNG, which is what is written: raises ConfigError otherwise."""
    if RUN_FILE_KINDS.get(os.path.splitext(path)[1].lower()) != RUN_FILE_KINDS[".png"]:
        raise ConfigError(f"{option} {path}: {what} is written as PNG (its settings in its text chunks); "
                          f"name it {os.path.splitext(path)[0]}.png")


def _data_from_args(args: argparse.Namespace, given: dict):
    """The points of ``--data`` (not yet split), or None; adds ``dataset="custom"`` to ``given``.

    Raises ConfigError for options that clash with it, DataFileError for a bad file."""
    if args.data is None:
        return None
    from nnviz.core.datafile import read_points

    clash = next((name for name in NOT_WITH_DATA if name in given), None)
    if clash is not None:
        raise ConfigError(f"--data takes the points from the file; leave out --{clash}")
    if getattr(args, "resume", None) is not None:
        raise ConfigError("--resume continues the saved run on its own points; leave out --data")
    given["dataset"] = CUSTOM
    return read_points(args.data)


def _split(data, config: TrainingConfig):
    """The ``--data`` points split as the config's test fraction and seed say (None: the
    config's own dataset)."""
    from nnviz.core.datasets import resplit
    from nnviz.core.experiment import build_dataset

    return build_dataset(config) if data is None else resplit(data, config.test_fraction, config.seed)


def _trainer_from_args(args: argparse.Namespace, given: dict, data=None):
    """The config and trainer `nnviz train` starts from: a new run (on ``data`` if given),
    or a saved one to resume."""
    from nnviz.core.experiment import build_trainer
    from nnviz.core.runfile import load_run

    if args.resume is None:
        config = resolve_config(given)
        return config, build_trainer(config, _split(data, config), log_every=args.log_every or LOG_EVERY)
    if given or args.log_every is not None:
        extra = "--" + next(iter(given), "log_every").replace("_", "-")
        raise ConfigError(f"--resume continues the saved run with its own settings; leave out {extra}")
    return load_run(args.resume)


def _train(config: TrainingConfig, trainer, args: argparse.Namespace) -> int:
    from nnviz.core.training import train

    steps = trainer.step_count + args.steps  # the step to reach (a resumed run goes on from its own)
    progress = _Progress(trainer.history, steps, len(trainer.history) if args.resume else 0, quiet=args.json)
    started = time.perf_counter()
    if args.movie:  # the movie's frames train the network, stopping at each frame's step
        from nnviz.gui.files.export import metadata, run_title
        from nnviz.gui.files.movie_export import recorded_frames

        if _movie(args, "train", lambda frames: recorded_frames(trainer, steps, frames, run_title(config)),
                  metadata(config, trainer.step_count)):
            return 1
    snapshot = trainer.snapshot() if args.movie else None  # what a movie that trained every step leaves
    going_on = trainer.step_count < steps and not trainer.divergence
    for snapshot in train(trainer, steps - trainer.step_count, interval=0.25) if going_on else ():
        progress.show()
    progress.show(last=True)  # and those the movie's frames trained
    elapsed = time.perf_counter() - started
    rate = trainer.step_count / elapsed if elapsed > 0 else 0.0
    history = trainer.history.entries()
    divergence = snapshot.divergence
    classified = _classified(trainer) if args.report else None
    if args.json:
        report = {
            "config": {**config.as_dict(), "steps": steps, "log_every": _log_every(trainer.history),
                       **_data_key(args, trainer.data)},
            "history": [e.as_dict() for e in history],
            "final": history[-1].as_dict(),
            "steps_per_second": rate,
            "diverged": divergence is not None,
        }
        if classified is not None:
            report["report"] = _report_json(*classified, trainer.data.label_names)
        print(json.dumps(report))
    else:
        final = history[-1]
        verb = "stopped" if divergence else "done"
        print(f"{verb}: {trainer.step_count} steps in {elapsed:.2f} s ({rate:,.0f} steps/s); "
              f"loss {final.loss:.6f}, train accuracy {final.train_accuracy:.1%}"
              + ("" if math.isnan(final.test_accuracy) else f", test accuracy {final.test_accuracy:.1%}"))
        if classified is not None:
            result, part = classified
            where = "test set" if part == "test" else "training set (no test set is held out)"
            print(f"\nclassification report on the {where} ({len(result.y):,} points):")
            print(result.report_text(trainer.data.label_names))
    if args.save:
        from nnviz.core.runfile import save_run

        try:
            save_run(args.save, config, trainer)
        except SaveError as error:
            print(f"nnviz train: {error}", file=sys.stderr)
            return 1
        print(f"saved {args.save}: the run at step {trainer.step_count:,} (carry it on with --resume)",
              file=sys.stderr)
    if divergence is not None:
        print(f"nnviz train: {divergence.message}", file=sys.stderr)
        return 1
    return 0


def _classified(trainer):
    """How the trained network classifies the test set (the training set if none is held out),
    and which set that is ("test" or "training")."""
    from nnviz.core.metrics import classify, evaluation_set

    X, y, part = evaluation_set(trainer.data)
    return classify(trainer.network, X, y), part


def _report_json(result, part: str, names: tuple[str, ...]) -> dict:
    precision, recall, f1, support = result.report()
    return {"on": f"{part} set", "classes": list(names), "accuracy": result.accuracy,
            "precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist(),
            "support": support.tolist(), "confusion_matrix": result.confusion().tolist()}


def _movie(args: argparse.Namespace, command: str, make_frames, texts: dict[str, str]) -> int:
    """Write ``args.movie`` from ``make_frames(count)`` (steps, frames), with the settings of
    ``texts`` (a PNG's text chunks), printing progress; the exit status (1 with one line on
    stderr when it cannot be written). The steps may be cut short as the frames are made (a
    divergence ends a movie): each line, and the comment, tell the frames made."""
    from nnviz.gui.files.figure_export import offscreen_application
    from nnviz.gui.files.movie_export import movie_comment

    app = offscreen_application()  # noqa: F841 (a movie, not a window: kept for the frames)
    frames, fps = args.frames or DEFAULT_FRAMES, args.fps or DEFAULT_FPS
    steps, pictures = make_frames(frames)

    def reported():
        shown = made = 0
        for made, picture in enumerate(pictures, 1):
            if made == len(steps) or made % max(1, len(steps) // 10) == 0:
                print(f"movie: frame {made}/{len(steps)} (step {steps[made - 1]:,})", file=sys.stderr, flush=True)
                shown = made
            yield picture
        if made and shown != made:  # cut short after its last frame was made (a divergence)
            print(f"movie: frame {made}/{len(steps)} (step {steps[made - 1]:,})", file=sys.stderr, flush=True)

    try:
        count = write_movie(args.movie, reported(), fps, lambda: movie_comment(texts, steps))
    except SaveError as error:
        print(f"nnviz {command}: {error}", file=sys.stderr)
        return 1
    print(f"saved {args.movie}: {count} frames, steps {steps[0]:,} to {steps[-1]:,}, {count / fps:.1f} s at {fps} frames/s",
          file=sys.stderr)
    return 0


def _data_key(args: argparse.Namespace, data) -> dict:
    """What the JSON config says differently for ``--data``: the file the points came from,
    and their count and classes in place of the settings that make built-in data."""
    if getattr(args, "data", None) is None:
        return {}
    return {"data": args.data, "samples": len(data.y_train) + len(data.y_test), "classes": data.classes, "noise": None}


def _log_every(history) -> int | None:
    """The JSON config's ``log_every``: the history's spacing, None when it records densely early."""
    return None if history.dense_early else history.every


class _Progress:
    """The progress lines of a run: one for each entry of ``history`` recorded every
    ``--log-every`` steps; of a history recorded densely early, one every :data:`PRINT_EVERY`
    steps, and the last (printing every entry would flood the terminal early on)."""

    def __init__(self, history, steps: int, printed: int = 0, quiet: bool = False, line=None):
        """``printed``: entries already reported (a resumed run's); ``line(entry, steps)``
        makes a line (the loss and accuracies, by default)."""
        self.history, self.steps, self.printed, self.quiet = history, steps, printed, quiet
        self.line = line or _progress_line
        self.every = PRINT_EVERY if history.dense_early else 1
        self.last_shown: int | None = None

    def show(self, last: bool = False) -> None:
        """Print the lines of the entries recorded since; ``last``: the run is over, so its
        last entry gets a line too."""
        rows = self.history.array()[self.printed:]
        self.printed += len(rows)
        if self.quiet:
            return
        for row in rows:
            if row[0] % self.every == 0:
                self._print(row)
        if last and len(self.history) and self.last_shown != self.history.last().step:
            self._print(self.history.last().row())

    def _print(self, row) -> None:
        entry = HistoryEntry(int(row[0]), *map(float, row[1:]))
        print(self.line(entry, self.steps), flush=True)
        self.last_shown = entry.step


def _progress_line(entry, steps: int) -> str:
    width = len(str(steps))
    test = "" if math.isnan(entry.test_loss) else f"  test loss {entry.test_loss:.6f}  test acc {entry.test_accuracy:6.1%}"
    return f"step {entry.step:>{width}}/{steps}  loss {entry.loss:.6f}  train acc {entry.train_accuracy:6.1%}{test}"


def _sweep_from_args(args: argparse.Namespace, given: dict) -> Sweep:
    """The sweep the options describe; raises ConfigError for a bad list."""
    hidden = given.pop("hidden", None)
    if args.vary is None:
        if args.values is not None:
            raise ConfigError("--values needs --vary (the networks' shapes go in --hidden)")
        base = resolve_config(given)
        return Sweep(base, "hidden", hidden or TUTORIAL_SIZES)
    if hidden is not None and len(hidden) > 1:
        raise ConfigError("vary either the shape (--hidden S,S,...) or --vary, not both")
    if args.values is None:
        raise ConfigError(f"--vary {args.vary} needs --values")
    base = resolve_config({**given, **({"hidden": hidden[0]} if hidden else {})})
    return Sweep(base, args.vary, parse_values(args.vary, args.values))


def _run_sweep(sweep: Sweep, data, args: argparse.Namespace) -> int:
    from nnviz.core.sweep import write_sweep_csv
    from nnviz.core.sweep_trainer import SweepTrainer
    from nnviz.core.training import train

    configs = sweep.configs()
    trainer = SweepTrainer(configs, _split(data, configs[0]), log_every=args.log_every or LOG_EVERY)
    labels = [sweep.label(v) for v in sweep.values]
    started = time.perf_counter()
    progress = _Progress(trainer.histories[0], args.steps, quiet=args.json,
                         line=lambda entry, steps: f"step {entry.step:>{len(str(steps))}}/{steps}")
    if args.movie:  # the movie's frames train the sweep, stopping at each frame's step
        from nnviz.gui.files.figure_export import sweep_texts
        from nnviz.gui.files.movie_export import recorded_frames

        if _movie(args, "sweep", lambda frames: recorded_frames(trainer, args.steps, frames, "", sweep),
                  sweep_texts(sweep, trainer.step_count)):
            return 1
    snapshot = trainer.snapshot() if args.movie else None  # what a movie that trained every step leaves
    going_on = trainer.step_count < args.steps and not trainer.divergence
    for snapshot in train(trainer, args.steps - trainer.step_count, interval=0.25) if going_on else ():
        progress.show()
    progress.show(last=True)
    elapsed = time.perf_counter() - started
    rate = trainer.step_count / elapsed if elapsed > 0 else 0.0
    try:
        if args.csv:
            write_sweep_csv(args.csv, sweep, snapshot)
        if args.out:
            from nnviz.gui.files.figure_export import save_sweep_figure

            save_sweep_figure(sweep, trainer, snapshot, args.out)
    except SaveError as error:
        print(f"nnviz sweep: {error}", file=sys.stderr)
        return 1
    if args.json:
        runs = []
        for config, history, divergence in zip(configs, trainer.histories, snapshot.divergences):
            entries = [e.as_dict() for e in history.entries()]
            runs.append({"config": {**config.as_dict(), "steps": args.steps, "log_every": _log_every(history),
                                    **_data_key(args, trainer.data)},
                         "history": entries, "final": entries[-1], "diverged": divergence is not None})
        print(json.dumps({"runs": runs, "steps_per_second": rate}))
    else:
        width = max(map(len, labels))
        verb = "stopped" if snapshot.divergence else "done"
        print(f"{verb}: {trainer.step_count} steps of {len(configs)} networks in {elapsed:.2f} s ({rate:,.0f} steps/s)")
        for label, entry, divergence in zip(labels, snapshot.latest, snapshot.divergences):
            test = "" if math.isnan(entry.test_accuracy) else f"  test acc {entry.test_accuracy:6.1%}"
            note = f"  (diverged at step {divergence.step})" if divergence else ""
            print(f"  {label:<{width}}  loss {entry.loss:.6f}  train acc {entry.train_accuracy:6.1%}{test}{note}")
    if snapshot.divergence is not None:
        print(f"nnviz sweep: {snapshot.divergence.message}", file=sys.stderr)
        return 1
    return 0
