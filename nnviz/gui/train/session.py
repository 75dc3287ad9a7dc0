"""The main view's model: one network, its data and settings, trained by a :class:`Runner`."""

from __future__ import annotations

import math
import threading
from dataclasses import fields

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from nnviz.core.config import TrainingConfig, for_task
from nnviz.core.data.datasets import CUSTOM, Dataset, resplit, without_points
from nnviz.core.model.features import DEFAULT_FEATURES
from nnviz.core.model.outputs import classes_told
from nnviz.core.training import messages as msg
from nnviz.core.training.experiment import (
    build_dataset,
    build_network,
    build_trainer,
    needs_scikit_learn,
)
from nnviz.core.training.history import FIELDS, HistoryEntry
from nnviz.core.training.process import apply_settings
from nnviz.core.training.trainer import LIVE_SETTINGS, Trainer, TrainingSnapshot
from nnviz.gui.process.runner import Runner

DATA_SETTINGS = ("dataset", "samples", "noise", "classes", "test_fraction", "seed", "preset")
HISTORY_EVERY = None  # record train/test loss densely early: every step at first, sparser as the run grows
HISTORY_CAPACITY = 2000  # entries kept for the loss plot, however long the run
FIRST_FRAME_MS = 100  # a window is on screen this long after it is made


class TrainingSession(Runner):
    """A :class:`Runner` for one network described by a :class:`TrainingConfig`.

    Live settings go to the trainer wherever it is; anything that needs a new network or new
    data ends the run, rebuilds, and carries on training if it was.

    With ``points_in_background``, points that scikit-learn makes are made on a thread of their
    own (importing it takes a second or two): until they come, ``making_points`` is True, the
    dataset has no points, there is no trainer, and Train or Step wait for it.
    """

    points_edited = pyqtSignal(object)  # the Dataset, after a draw-mode edit (training carries on)
    weights_set = pyqtSignal()  # the run carries on from weights the user set (after their snapshot)
    next_step_changed = pyqtSignal()  # a live setting or the points changed: the next step is another
    _points_made = pyqtSignal(int, object)  # from the thread: the data generation they are for, a Dataset

    def __init__(self, config: TrainingConfig, parent: QObject | None = None, *, points_in_background: bool = False):
        self.config = config.validated()
        self.user_data: Dataset | None = None  # the user's own points (loaded or drawn), if any
        self._data_generation = 0  # counts the data set here, so that late points from the thread are dropped
        later = points_in_background and needs_scikit_learn(self.config)
        self._dataset: Dataset = without_points(self.config.dataset, self.config.classes) if later \
            else build_dataset(self.config)
        super().__init__(None if later else self._new_trainer(), parent)
        self._points_made.connect(self._on_points_made)
        if later:  # after the window's first frame: the import would only slow it down
            self._points_thread = threading.Thread(target=self._make_points, args=(self.config, self._data_generation),
                                                   name="nnviz-points", daemon=True)
            QTimer.singleShot(0, self._after_first_frame)

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    @property
    def making_points(self) -> bool:
        """Whether the first points are still being made (see the class docstring)."""
        return self.trainer is None

    def snapshot(self) -> TrainingSnapshot:
        """The state as of the last time the trainer was here (before any points: the
        configured network's starting weights)."""
        if self.trainer is not None:
            return self.trainer.snapshot()
        network = build_network(self.config, self._dataset)
        nan = math.nan
        return TrainingSnapshot(0, network, np.empty((0, len(FIELDS))), HistoryEntry(0, nan, nan, nan, nan), 0.0, None)

    def load_data(self, data: Dataset) -> None:
        """Train a fresh network on the user's points ``data``, split by the current settings."""
        self.user_data = data
        # From classes to values (or back) the output, loss and a default rate become the file's task's.
        self.config = for_task(self.config.replace(dataset=CUSTOM, preset=None), data.task, self._dataset.task)
        self._rebuild(data_changed=True)

    def edit_points(self, data: Dataset) -> bool:
        """Train on ``data`` (the points after a draw-mode edit) from the next step on.

        The network carries on; only a class it has no output for makes a new network, and
        then this returns True. (Before the first points come, there is nothing to edit.)
        """
        if self.making_points:
            return False
        self.config = self.config.replace(dataset=CUSTOM, preset=None)
        if data.classes > classes_told(self.trainer.network.layer_sizes[-1]):
            self.user_data = self._dataset = data
            self._rebuild(data_changed=False)
            return True
        self.user_data = self._dataset = data
        self.points_edited.emit(data)
        if not self._send_to_run(msg.Data(data)) and self.is_settled:
            self.trainer.replace_data(data)
            self.snapshot_ready.emit(self.trainer.snapshot())  # paused: the figures are the new points' now
        self.next_step_changed.emit()
        # (A trainer on its way back from the process gets the points when it arrives: _adopt.)
        return False

    def set_weights(self, flat: np.ndarray) -> None:
        """Carry on from the weights and biases ``flat`` (the network's flat layout, ``MLP.flat``):
        the user typed one, or opened a weights file. Training carries on if it was; the new
        weights' snapshot is published. ``flat`` must fit the network (the caller checks)."""
        flat = np.array(flat, copy=True)

        def use(trainer: Trainer) -> None:
            trainer.set_parameters(flat)
            self.publish_snapshot()
            self.weights_set.emit()

        self.with_trainer(use)

    def reset(self) -> None:
        """A fresh network (same seed, so the same starting weights) on the same data."""
        self._rebuild(data_changed=False)

    def apply(self, config: TrainingConfig) -> None:
        """Adopt new settings: live ones go to the trainer wherever it is, the rest start afresh."""
        config = config.validated()
        changed = {f.name for f in fields(config) if getattr(config, f.name) != getattr(self.config, f.name)}
        self.config = config
        if not changed:
            return
        if changed <= set(LIVE_SETTINGS):
            updates = {name: getattr(config, name) for name in changed}
            if not self._send_to_run(msg.Set(updates)) and self.trainer is not None:
                apply_settings(self.trainer, updates)
            self.next_step_changed.emit()
            return
        self._rebuild(data_changed=bool(changed & set(DATA_SETTINGS)))

    def open_config(self, config: TrainingConfig) -> None:
        """Start afresh from ``config`` (new data and network, step 0), whatever was shown."""
        self.config = config.validated()
        self._rebuild(data_changed=True)

    def adopt(self, config: TrainingConfig, trainer: Trainer, dataset: Dataset) -> None:
        """Continue ``trainer`` (begun elsewhere, on ``dataset``) as this session's run."""
        self._data_generation += 1
        self.config, self._dataset = config.validated(), dataset
        if config.dataset == CUSTOM:
            self.user_data = dataset
        self.run_reset.emit(trainer.snapshot())
        self.replace_trainer(trainer)

    def _new_trainer(self) -> Trainer:
        if self._dataset.columns != 2 and self.config.features != DEFAULT_FEATURES:
            self.config = self.config.replace(features=DEFAULT_FEATURES)  # input features are for 2-D points
        return build_trainer(self.config, self._dataset, log_every=HISTORY_EVERY, history_capacity=HISTORY_CAPACITY)

    def _rebuild(self, data_changed: bool) -> None:
        if data_changed:
            self._dataset = self._make_dataset()
            self._data_generation += 1
        elif self.making_points:  # the network is built when the points come, with the settings then
            self.run_reset.emit(self.snapshot())
            return
        trainer = self._new_trainer()
        self.run_reset.emit(trainer.snapshot())
        self.replace_trainer(trainer)

    def _after_first_frame(self) -> None:
        # Counted from when the event loop runs, which is when the window gets painted.
        QTimer.singleShot(FIRST_FRAME_MS, self._points_thread.start)

    def _make_points(self, config: TrainingConfig, generation: int) -> None:
        data = build_dataset(config)  # on the thread: scikit-learn's import holds nothing up
        try:
            self._points_made.emit(generation, data)
        except RuntimeError:  # the window was closed and deleted meanwhile
            pass

    def _on_points_made(self, generation: int, data: Dataset) -> None:
        if generation != self._data_generation:
            return  # other data came first (a file opened, a setting changed)
        self._dataset = data
        self._data_generation += 1
        trainer = self._new_trainer()
        self.run_reset.emit(trainer.snapshot())
        self.replace_trainer(trainer)

    def _make_dataset(self) -> Dataset:
        if self.config.dataset != CUSTOM:
            return build_dataset(self.config)
        if self.user_data is None:  # e.g. settings from a picture of a run on the user's points
            raise ValueError("there are no points of your own to train on: open a CSV file or draw some")
        self.user_data = resplit(self.user_data, self.config.test_fraction, self.config.seed)
        return self.user_data

    def _adopt(self, trainer: Trainer) -> None:
        # A setting or edit sent just as the run ended may not have reached it: ours are the truth.
        # (A trainer that cannot take the current points is on its way out: a new network for them
        # waits in line behind whatever still needed this one, such as a save.)
        apply_settings(trainer, {name: getattr(self.config, name) for name in LIVE_SETTINGS})
        if not _same_points(trainer.data, self._dataset) and _fits(trainer, self._dataset):
            trainer.replace_data(self._dataset)
        super()._adopt(trainer)


def _same_points(a: Dataset, b: Dataset) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("X_train", "y_train", "X_test", "y_test"))


def _fits(trainer: Trainer, data: Dataset) -> bool:
    sizes = trainer.network.layer_sizes
    return (data.columns == trainer.network.point_dims and data.regression == trainer.data.regression
            and data.classes <= classes_told(sizes[-1]) and len(data.y_train) > 0)
