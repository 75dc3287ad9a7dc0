"""The main view's model: one network, its data and settings, trained by a :class:`Runner`."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import CUSTOM, Dataset, resplit
from nnviz.core.experiment import build_dataset, build_trainer
from nnviz.core.remote import apply_settings
from nnviz.core.training import LIVE_SETTINGS, Trainer
from nnviz.gui.runner import Runner

DATA_SETTINGS = ("dataset", "samples", "noise", "classes", "test_fraction", "seed", "preset")
HISTORY_EVERY = 10  # record train/test loss every 10 steps (thinned further as it grows)
HISTORY_CAPACITY = 2000  # entries kept for the loss plot, however long the run


class TrainingSession(Runner):
    """A :class:`Runner` for one network described by a :class:`TrainingConfig`.

    Live settings go to the trainer wherever it is; anything that needs a new network or new
    data ends the run, rebuilds, and carries on training if it was.
    """

    run_reset = pyqtSignal(object)  # TrainingSnapshot at step 0 of a new network or data
    points_edited = pyqtSignal(object)  # the Dataset, after a draw-mode edit (training carries on)

    def __init__(self, config: TrainingConfig, parent: QObject | None = None):
        self.config = config.validated()
        self._dataset: Dataset = build_dataset(self.config)
        self.user_data: Dataset | None = None  # the user's own points (loaded or drawn), if any
        super().__init__(self._new_trainer(), parent)

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    def load_data(self, data: Dataset) -> None:
        """Train a fresh network on the user's points ``data``, split by the current settings."""
        self.user_data = data
        self.config = self.config.replace(dataset=CUSTOM, preset=None)
        self._rebuild(data_changed=True)

    def edit_points(self, data: Dataset) -> bool:
        """Train on ``data`` (the points after a draw-mode edit) from the next step on.

        The network carries on; only a class it has no output for makes a new network, and
        then this returns True.
        """
        self.config = self.config.replace(dataset=CUSTOM, preset=None)
        if data.classes > self.trainer.network.layer_sizes[-1]:
            self._end_run()  # the old network goes back with the old points; the new one gets these
            self.user_data = self._dataset = data
            self._rebuild(data_changed=False)
            return True
        self.user_data = self._dataset = data
        self.points_edited.emit(data)
        if not self._send_to_run("data", data):
            self.trainer.replace_data(data)
            self.snapshot_ready.emit(self.trainer.snapshot())  # paused: the figures are the new points' now
        return False

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
            if not self._send_to_run("set", updates):
                apply_settings(self.trainer, updates)
            return
        self._rebuild(data_changed=bool(changed & set(DATA_SETTINGS)))

    def open_config(self, config: TrainingConfig) -> None:
        """Start afresh from ``config`` (new data and network, step 0), whatever was shown."""
        self.config = config.validated()
        self._rebuild(data_changed=True)

    def adopt(self, config: TrainingConfig, trainer: Trainer, dataset: Dataset) -> None:
        """Continue ``trainer`` (begun elsewhere, on ``dataset``) as this session's run."""
        self._end_run()
        self.config, self._dataset = config.validated(), dataset
        if config.dataset == CUSTOM:
            self.user_data = dataset
        self.run_reset.emit(trainer.snapshot())
        self.replace_trainer(trainer)

    def _new_trainer(self) -> Trainer:
        return build_trainer(self.config, self._dataset, log_every=HISTORY_EVERY, history_capacity=HISTORY_CAPACITY)

    def _rebuild(self, data_changed: bool) -> None:
        if data_changed:
            self._end_run()
            self._dataset = self._make_dataset()
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
        apply_settings(trainer, {name: getattr(self.config, name) for name in LIVE_SETTINGS})
        if not _same_points(trainer.data, self._dataset):
            trainer.replace_data(self._dataset)
        self.trainer = trainer


def _same_points(a: Dataset, b: Dataset) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("X_train", "y_train", "X_test", "y_test"))
