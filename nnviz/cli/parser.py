"""The ``nnviz`` parser: its commands, their options, and the option types, which check
values against the ranges the config declares (:data:`nnviz.core.config.RANGES`)."""

from __future__ import annotations

import argparse
import math
import re

from nnviz.core.config import (
    DTYPES,
    PRESET_STEPS,
    PRESETS,
    RANGES,
    TUTORIAL_STEPS,
    ConfigError,
    Range,
    TrainingConfig,
    activation_name,
    features_name,
    parse_features,
    parse_shape,
    shape_name,
)
from nnviz.core.data.datasets import (
    CLASSES_RANGE,
    DATASETS,
    DIGITS,
    ONE_D_DATASETS,
    REGRESSION_DATASETS,
    TASKS,
    XOR_TABLE,
)
from nnviz.core.io.movie import DEFAULT_FPS, DEFAULT_FRAMES, FPS_RANGE, FRAMES_RANGE
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import FEATURES
from nnviz.core.model.initialisation import INIT_SCHEMES
from nnviz.core.model.optimizers import OPTIMIZERS
from nnviz.core.model.outputs import LOSSES, OUTPUTS
from nnviz.core.training.sweep import SWEEP_SETTINGS, TUTORIAL_SIZES, parse_values

VARIED = tuple(s for s in SWEEP_SETTINGS if s != "hidden")
LOG_EVERY = None  # the default --log-every: record densely early (see nnviz.core.training.history.DENSE_FIRST)
PRINT_EVERY = 1000  # progress lines of a run recorded densely early: every this many steps, and the last
STEPS = Range(1, 10**9, whole=True)  # --steps and --log-every
AFTER_STEPS = Range(0, 10**9, whole=True)
AT_STEP = Range(0, 10**15, whole=True)

CONVENTIONS = """\
conventions:
  loss  = mean over the batch of the per-point loss + l2/2 * sum of squared weights (biases excluded)
          cross-entropy: -log y_class with softmax outputs,
                         -sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)] with sigmoid outputs
          squared-error: 1/2 sum_k (y_k - t_k)^2, so a regression run's loss is MSE/2 (+ L2)
          targets t: one-hot classes, or the value for regression; two classes with --output sigmoid
          have ONE output unit, the probability of class 1; identity outputs take squared error
  step  = the optimiser's update (torch.optim's rules) on the gradient of that loss
          (one full batch, or one mini-batch); sgd without momentum is w -= lr * gradient
  The seed tutorial's epsilon=0.01 on the summed gradient of N=200 points is --lr 2.0,
  and its reg_lambda=0.01 is --l2 5e-05; --preset tutorial sets exactly that.
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit status 2 (without argparse's usage block)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _within(values: Range):
    """An option type: the text as a number (a whole one where ``values`` says so) in ``values``."""

    def parse(text: str) -> float:
        try:
            value = int(text) if values.whole else float(text)
        except ValueError:
            expected = f"a whole number {values.span}" if values.whole else "a number"
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not values.whole and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if value not in values:
            below = values.above_low and value <= values.low
            span = f"greater than {values.low:g}" if below else values.span
            raise argparse.ArgumentTypeError(f"must be {span}, got {text if not values.whole else value}")
        return value

    return parse


def _setting(name: str):
    """The option type of the setting ``name``, in :data:`RANGES`."""
    return _within(RANGES[name])


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
    r = RANGES
    data = parser.add_argument_group("data")
    curves, planes = ONE_D_DATASETS, tuple(n for n in REGRESSION_DATASETS if n not in ONE_D_DATASETS)
    data.add_argument("--dataset", choices=DATASETS, default=S,
                      help=f"which dataset: 2-D points of classes; {XOR_TABLE}, XOR's four rows; values to predict "
                           f"(regression) on a curve, {', '.join(curves)}, or over a plane, {', '.join(planes)}; "
                           f"or digits, scikit-learn's 8x8 images (default {d.dataset})")
    data.add_argument("--samples", type=_setting("samples"), default=S, metavar="N",
                      help=f"points in all, {r['samples'].dashed} (default {d.samples}); "
                           f"of the digits, a random subset of at most N (default all {DIGITS:,})")
    data.add_argument("--noise", type=_setting("noise"), default=S, metavar="X",
                      help=f"noise of the 2-D sets, {r['noise'].dashed} (default {d.noise})")
    data.add_argument("--classes", type=_setting("classes"), default=S, metavar="K",
                      help=f"classes of spiral and blobs, {CLASSES_RANGE[0]}-{CLASSES_RANGE[1]} (default {d.classes}); "
                           f"of the digits, the digits 0 to K-1 (default 10)")
    data.add_argument("--test-fraction", type=_setting("test_fraction"), default=S, metavar="F",
                      help=f"share held out for testing, {r['test_fraction'].dashed} (default {d.test_fraction})")
    data.add_argument("--seed", type=_setting("seed"), default=S, metavar="N", help=f"seed for data, split and initial weights (default {d.seed})")
    net = parser.add_argument_group("network")
    layers = f"up to {r['layers'].high} hidden layers of {r['hidden'].dashed} units"
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
    net.add_argument("--output", choices=OUTPUTS, default=S,
                     help="the output units: softmax (class probabilities that sum to 1), sigmoid (a probability "
                          "for each class; for two classes ONE unit, the probability of class 1) or identity "
                          "(the value itself) (default softmax for classes, identity for regression)")
    net.add_argument("--dtype", choices=DTYPES, default=S, help=f"floating-point type (default {d.dtype})")
    opt = parser.add_argument_group("training")
    opt.add_argument("--optimizer", choices=OPTIMIZERS, default=S,
                     help=f"the update rule, as torch.optim's: {', '.join(OPTIMIZERS)} (default {d.optimizer})")
    opt.add_argument("--loss", choices=LOSSES, default=S,
                     help="what training minimises: cross-entropy, or squared-error, 1/2 sum (y - t)^2 a point "
                          "(default cross-entropy for classes; squared-error for regression, and with identity outputs)")
    opt.add_argument("--lr", type=_setting("lr"), default=S, metavar="X", help=f"learning rate on the mean-loss gradient (default {d.lr:g})")
    opt.add_argument("--l2", type=_setting("l2"), default=S, metavar="X", help=f"L2 strength: adds l2/2*sum(W^2) to the loss (default {d.l2:g})")
    opt.add_argument("--momentum", type=_setting("momentum"), default=S, metavar="X",
                     help=f"momentum of sgd and nesterov, {r['momentum'].dashed} (default 0: plain gradient descent; nesterov 0.9)")
    opt.add_argument("--dropout", type=_setting("dropout"), default=S, metavar="P",
                     help=f"share of hidden units dropped at each training step, {r['dropout'].dashed} (default 0)")
    opt.add_argument("--batch-size", type=_setting("batch_size"), default=S, metavar="N", help="mini-batch size (default: the full training set)")
    parser.add_argument("--preset", choices=PRESETS, default=S,
                        help="start from a seed tutorial's setup: tutorial (001's moons network, exactly), digits "
                             "(000's 100 logistic units), digits-deep (004's 500 and 100 leaky ReLU units, momentum), "
                             "xor (003's network: XOR's truth table, 3 sigmoid hidden units, one sigmoid output, "
                             "squared error, plain gradient descent); other options override single settings")


def given_settings(args: argparse.Namespace) -> dict:
    """The training settings actually given on the command line."""
    return {k: v for k, v in vars(args).items() if k in TrainingConfig.__dataclass_fields__}


def _add_data_file_option(parser: argparse.ArgumentParser) -> None:
    own = parser.add_argument_group("own data")
    own.add_argument(
        "--data", metavar="PATH", default=None,
        help="train on the points in a CSV file (a header like x,y,label, then one point a line), or on "
             "MNIST-format images (train-images-idx3-ubyte[.gz], the labels file beside it), instead of a "
             "built-in dataset; --test-fraction and --seed split them")
    own.add_argument(
        "--task", choices=TASKS, default=None,
        help="what the labels of the --data file are: classes, or the values to predict (regression) "
             "(default: values when every label is a number and one is not whole, or there is one feature "
             "column; else classes)")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    run = parser.add_argument_group("run")
    steps = ", ".join(f"{name} {count:,}" for name, count in PRESET_STEPS.items() if name != "tutorial")
    run.add_argument("--steps", type=_within(STEPS), default=None, metavar="N",
                     help=f"gradient steps (default {TUTORIAL_STEPS:,}; with a preset, its own: {steps})")
    run.add_argument("--log-every", type=_within(STEPS), default=None, metavar="K",
                     help="record the loss every K steps (default: densely early, every step up to 127, then 64 steps "
                          f"per doubling of the step count; progress lines at step 0, every {PRINT_EVERY:,} steps and the last)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of progress lines")


def _add_movie_options(parser: argparse.ArgumentParser, what: str) -> None:
    movie = parser.add_argument_group("movie")
    movie.add_argument("--movie", metavar="PATH",
                       help=f"save a movie (.gif or .mp4) of {what} as the run learns (no display needed); frames dense early")
    movie.add_argument("--frames", type=_within(Range(*FRAMES_RANGE, whole=True)), default=None, metavar="N",
                       help=f"frames in the movie, {FRAMES_RANGE[0]}-{FRAMES_RANGE[1]} (default {DEFAULT_FRAMES})")
    movie.add_argument("--fps", type=_within(Range(*FPS_RANGE, whole=True)), default=None, metavar="N",
                       help=f"frames a second, {FPS_RANGE[0]}-{FPS_RANGE[1]} (default {DEFAULT_FPS})")


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
    _add_weights_option(files, "the network starts from")
    files.add_argument("--save-weights", metavar="FILE.json",
                       help="save the network's weights there at the end, as tutorial 002's dictionary (W1, b1, ...) "
                            "with its activation and output (start from them with --weights, or nnviz forward)")
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
    _add_weights_option(vary, "every network starts from (so they share its shape: vary a setting that keeps it, such "
                              "as --vary lr; to save one network's weights, train it with nnviz train --save-weights)")
    vary.add_argument("--save-weights", default=None, help=argparse.SUPPRESS)  # refused with a sentence (cli.sweep)
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
    window.add_argument("--at-step", type=_within(AT_STEP), default=None, metavar="N",
                        help="with --open: show the run's kept moment nearest step N (training paused)")
    _add_weights_option(window, "the network starts from")
    window.add_argument("--after-steps", type=_within(AFTER_STEPS), default=0, metavar="N", help="steps to train before --screenshot (default 0)")
    # Without this, argparse would take --data for an abbreviation of --dataset.
    window.add_argument("--data", default=None, help=argparse.SUPPRESS)
    _add_predict(commands)
    _add_forward(commands)
    _add_check_gradients(commands)
    return parser


def _add_weights_option(group, starts: str) -> None:
    group.add_argument("--weights", metavar="FILE.json",
                       help=f"weights {starts}: tutorial 002's dictionary (W1, b1, W2, ... as nested lists, and the "
                            "activation and output) as JSON. Settings not given are the file's (hidden, activation, "
                            "output, loss, features: x1,x2 where it names none); given ones must agree with it, and "
                            "its shapes must fit the data")


def _point_command(commands, name: str, summary: str, description: str, *, before=None, points: str):
    """A command that reads points X1,X2 ... (``before``: a (name, metavar, help) argument ahead of
    them); ``points`` says how many coordinates each has."""
    command = commands.add_parser(name, help=summary, description=description)
    # A point such as -1,0.5 is a value, not an option (argparse takes only -1 or -0.5 for numbers).
    command._negative_number_matcher = re.compile(r"^-\.?\d")
    if before is not None:
        command.add_argument(before[0], metavar=before[1], help=before[2])
    command.add_argument("points", nargs="+", metavar="X1,X2",
                         help=f"a point's coordinates separated by commas, as many as {points}")
    return command


def _add_predict(commands) -> None:
    predict = _point_command(
        commands, "predict", "print a saved run's outputs for given points",
        "Print what a saved run's network says of each point, one line a point, as tutorial 003 prints "
        "it: the class and (in brackets) the probability the network gives it (for one sigmoid unit, "
        "the unit's output, the probability of class 1), or the value of a regression run.",
        before=("run", "RUN.nnviz", "a run saved by nnviz train --save (or the window)"),
        points="the run's points have")
    predict.add_argument("--json", action="store_true",
                         help="print a JSON list, an object a point: its inputs and class, label and probabilities "
                              "(scores for identity outputs), or its value")


def _add_forward(commands) -> None:
    forward = _point_command(
        commands, "forward", "print one point's way through a weights file's network, layer by layer",
        "Walk points through the network of a weights file as tutorial 002 does by hand, printing each "
        "layer's weighted sums A = X·W + B and outputs Z = f(A), then the output Y (numbers as numpy "
        "prints them).", points="the network reads")
    forward.add_argument("--weights", metavar="FILE.json", required=True,
                         help="the network: tutorial 002's dictionary (W1, b1, W2, ...) as JSON, as nnviz train "
                              "--save-weights writes it")
    forward.add_argument("--activation", type=_activation, metavar="NAME[,NAME...]", default=None,
                         help="the hidden activation where the file does not say one (default sigmoid, as tutorial 002)")
    forward.add_argument("--output", choices=OUTPUTS, default=None,
                         help="the output units where the file does not say (default identity, as tutorial 002)")
    forward.add_argument("--json", action="store_true",
                         help='print a JSON list, an object a point: {"inputs": [...], "layers": [{"A": [...], '
                              '"Z": [...]}, ...], "output": [...]}, a layer a weight layer (the last one\'s Z is '
                              'the output)')


def _add_check_gradients(commands) -> None:
    check = _command(
        commands, "check-gradients", "compare backpropagation with numerical differences",
        "Compare the gradient backpropagation computes with central differences, in float64, for the network of "
        "the settings (or of --weights) on its training points. Prints each layer's largest relative error, "
        "weights and biases apart; exit status 0 when every one is below 1e-6, 1 when one is not (named), 2 for "
        "a usage error. Dropout is turned off for the check.")
    add_config_options(check)
    _add_data_file_option(check)
    own = check.add_argument_group("check")
    _add_weights_option(own, "to check (instead of freshly initialised ones)")
    own.add_argument("--steps", type=_within(AFTER_STEPS), default=0, metavar="N",
                     help="train N steps first, then check the weights reached (default 0)")
    own.add_argument("--points", type=_within(STEPS), default=None, metavar="N",
                     help="check on the first N training points (default: all of them, or as many as take "
                          "about 30 s)")
    own.add_argument("--json", action="store_true",
                     help='print one JSON object: "passed", "tolerance", "step", "points", "h" (the difference\'s step), '
                          '"dropout_off", "failing" (layer names), "layers" (a list of {"name", "weights", "biases", '
                          '"at_kinks"}: the largest relative errors, null where none was compared, and the parameters '
                          'left out at kinks) and "report" (the printed lines)')
