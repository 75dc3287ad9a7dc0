"""What ``nnviz train`` and ``nnviz sweep`` share: the data of ``--data``, the weights of
``--weights``, the training loop with its progress lines, the movie made as it trains, and the
JSON of one run."""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from nnviz.cli.parser import PRINT_EVERY
from nnviz.core.config import (
    ConfigError,
    TrainingConfig,
    activation_name,
    features_name,
    shape_name,
)
from nnviz.core.data.datasets import CUSTOM
from nnviz.core.io.atomic import SaveError
from nnviz.core.io.movie import DEFAULT_FPS, DEFAULT_FRAMES, write_movie
from nnviz.core.training.history import HistoryEntry, figure_names

NOT_WITH_DATA = ("dataset", "samples", "noise", "classes", "preset")  # what a --data file decides instead


def data_from_args(args: argparse.Namespace, given: dict):
    """The points of ``--data`` (not yet split), read as ``--task`` says, or None; adds
    ``dataset="custom"`` to ``given``.

    Raises ConfigError for options that clash with it, DataFileError for a bad file."""
    if args.data is None:
        if args.task is not None:
            raise ConfigError(f"--task {args.task} says how to read the labels of a --data file; "
                              "a built-in dataset's task is its own")
        return None
    from nnviz.core.data.points_file import read_points

    clash = next((name for name in NOT_WITH_DATA if name in given), None)
    if clash is not None:
        raise ConfigError(f"--data takes the points from the file; leave out --{clash}")
    if getattr(args, "resume", None) is not None:
        raise ConfigError("--resume continues the saved run on its own points; leave out --data")
    given["dataset"] = CUSTOM
    return read_points(args.data, task=args.task)


SAID_BY_WEIGHTS = {"hidden": ("hidden layers are", shape_name), "activation": ("hidden units are", activation_name),
                   "output": ("outputs are", str), "loss": ("loss is", str), "features": ("inputs are", features_name)}
"""What a weights file may say of the network (:meth:`WeightsFile.settings`): how a sentence names it, and writes it."""


def weights_from_args(args: argparse.Namespace, given: dict):
    """The weights file of ``--weights`` (None without one); the settings it implies are added
    to ``given`` where not given there.

    Raises WeightsError for a file that is not one, ConfigError for a setting given that
    disagrees with it."""
    if getattr(args, "weights", None) is None:
        return None
    from nnviz.core.io.weights_file import read_weights

    weights = read_weights(args.weights)
    implied = weights.settings()
    layers = len(implied["hidden"])
    for key, value in implied.items():
        if key in given and _per_layer(key, given[key], layers) != _per_layer(key, value, layers):
            words, written = SAID_BY_WEIGHTS[key]
            option = "--" + key
            raise ConfigError(f"{option} {written(given[key])} disagrees with {weights.name}, whose {words} "
                              f"{written(value)}; leave out {option} to take the file's")
    given.update({key: value for key, value in implied.items() if key not in given})
    return weights


def _per_layer(key: str, value, layers: int):
    """An activation as one name a layer (``tanh`` is ``tanh,tanh`` for two layers); other settings as they are."""
    return (value,) * layers if key == "activation" and isinstance(value, str) else value


def base_for(data) -> TrainingConfig | None:
    """The settings a run on the ``--data`` points starts from, before the options given: the
    defaults, moved to the file's task (None: no file)."""
    from nnviz.core.config import for_task

    return None if data is None else for_task(TrainingConfig(), data.task, "classification")


def split(data, config: TrainingConfig):
    """The ``--data`` points split as the config's test fraction and seed say (None: the
    config's own dataset)."""
    from nnviz.core.data.datasets import resplit
    from nnviz.core.training.experiment import build_dataset

    return build_dataset(config) if data is None else resplit(data, config.test_fraction, config.seed)


@dataclass
class Finished:
    """How a command's training went: the last snapshot, and the time it took."""

    snapshot: object  # a TrainingSnapshot or a SweepSnapshot
    elapsed: float  # seconds
    rate: float  # steps a second

    def summary(self, steps: int, networks: str = "") -> str:
        """The first words of the closing line: "done: 200 steps in 0.10 s (2,000 steps/s)"."""
        verb = "stopped" if self.snapshot.divergence else "done"
        return f"{verb}: {steps} steps{networks} in {self.elapsed:.2f} s ({self.rate:,.0f} steps/s)"


def train_to(trainer, steps: int, progress: Progress, args: argparse.Namespace, command: str,
             texts: dict[str, str], title: str = "", sweep=None) -> Finished | None:
    """Train ``trainer`` (one network or a sweep) to step ``steps``, printing ``progress``;
    with ``--movie``, the movie's frames train it first, stopping at each frame's step (its
    settings ``texts``, its ``title``). None when the movie could not be written (said on
    stderr): the exit status is then 1."""
    started = time.perf_counter()
    if args.movie:
        from nnviz.gui.files.movie_export import recorded_frames

        if write_movie_of(args, command, lambda frames: recorded_frames(trainer, steps, frames, title, sweep), texts):
            return None
    going_on = trainer.step_count < steps and not trainer.divergence
    # What a movie that trained every step leaves, or a run that cannot go on.
    snapshot = trainer.snapshot() if args.movie or not going_on else None
    from nnviz.core.training.trainer import train

    for snapshot in train(trainer, steps - trainer.step_count, interval=0.25) if going_on else ():
        progress.show()
    progress.show(last=True)  # and those the movie's frames trained
    elapsed = time.perf_counter() - started
    return Finished(snapshot, elapsed, trainer.step_count / elapsed if elapsed > 0 else 0.0)


def write_movie_of(args: argparse.Namespace, command: str, make_frames: Callable, texts: dict[str, str]) -> int:
    """Write ``args.movie`` from ``make_frames(count)`` (steps, frames), with the settings of
    ``texts`` (a PNG's text chunks), printing progress; the exit status (1 with one line on
    stderr when it cannot be written). The steps may be cut short as the frames are made (a
    divergence ends a movie): each line, and the comment, tell the frames made."""
    from nnviz.gui.files.movie_export import movie_comment
    from nnviz.gui.files.picture_export import offscreen_application

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


def run_json(config: TrainingConfig, history, divergence, steps: int, args: argparse.Namespace, data, network,
             **extra) -> dict:
    """One run as ``--json`` prints it: its config, history and final figures, then ``extra``
    and whether it diverged.

    A regression run's entries have ``train_r2`` and ``test_r2`` in place of the accuracies, and
    its ``final`` also ``train_mse``, ``train_rmse``, ``test_mse`` and ``test_rmse`` of ``network``
    (the run's last weights): the mean of (prediction - target)^2, not the loss, which is half
    of it plus the L2 term. Test figures are None without a test set."""
    entries = [e.as_dict() for e in history.entries()]
    final = entries[-1]
    if data.regression:
        entries = [{R2_KEYS.get(key, key): value for key, value in entry.items()} for entry in entries]
        final = {**entries[-1], **final_figures(network, data)}
    return {"config": {**config.as_dict(), "steps": steps, "log_every": _log_every(history), **_data_key(args, data)},
            "history": entries, "final": final, **extra, "diverged": divergence is not None}


R2_KEYS = dict(zip(figure_names(False), figure_names(True)))
"""What a regression run's history calls its accuracy columns, which hold R²."""


def final_figures(network, data) -> dict[str, float | None]:
    """The figures of the network a run ends with, worked out on its points (a forward pass: the
    history's last entry may be of an earlier step): ``train_mse``, ``train_rmse``, ``train_r2``
    and the test set's of ``network`` on ``data``
    (None for a figure that is not a finite number, as without a test set)."""
    from nnviz.core.analysis.regression import regression_scores

    figures = {}
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        for name, value in zip(("mse", "rmse", "r2"), regression_scores(network, X, y)):
            figures[f"{part}_{name}"] = value if math.isfinite(value) else None
    return figures


def _data_key(args: argparse.Namespace, data) -> dict:
    """What the JSON config says differently for ``--data``: the file the points came from,
    and their count and classes in place of the settings that make built-in data."""
    if args.data is None:
        return {}
    return {"data": args.data, "samples": len(data.y_train) + len(data.y_test), "classes": data.classes, "noise": None}


def _log_every(history) -> int | None:
    """The JSON config's ``log_every``: the history's spacing, None when it records densely early."""
    return None if history.dense_early else history.every


class Progress:
    """The progress lines of a run: one for each entry of ``history`` recorded every
    ``--log-every`` steps; of a history recorded densely early, one every :data:`PRINT_EVERY`
    steps, and the last (printing every entry would flood the terminal early on)."""

    def __init__(self, history, steps: int, printed: int = 0, quiet: bool = False, line=None,
                 regression: bool = False):
        """``printed``: entries already reported (a resumed run's); ``line(entry, steps)``
        makes a line (by default the loss and accuracies, or R² for ``regression``)."""
        self.history, self.steps, self.printed, self.quiet = history, steps, printed, quiet
        self.line = line or (lambda entry, steps: progress_line(entry, steps, regression))
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


def progress_line(entry: HistoryEntry, steps: int, regression: bool = False) -> str:
    """A progress line: the step of ``steps`` and :func:`figures`."""
    return f"step {entry.step:>{len(str(steps))}}/{steps}  {figures(entry, test_loss=True, regression=regression)}"


def figures(entry: HistoryEntry, test_loss: bool = False, regression: bool = False) -> str:
    """An entry's loss and accuracies in columns (the test set's where one is held out); for
    ``regression``, R² in place of the accuracies (the history holds R² there)."""
    score = "R²" if regression else "acc"

    def shown(value: float) -> str:
        return f"{value:7.4f}" if regression else f"{value:6.1%}"

    if math.isnan(entry.test_loss if test_loss else entry.test_accuracy):
        test = ""
    else:
        test = (f"  test loss {entry.test_loss:.6f}" if test_loss else "") + f"  test {score} {shown(entry.test_accuracy)}"
    return f"loss {entry.loss:.6f}  train {score} {shown(entry.train_accuracy)}{test}"
