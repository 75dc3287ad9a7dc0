"""The window's model: one training run, the process that advances it, and its settings."""

from __future__ import annotations

from dataclasses import fields

from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.experiment import build_dataset, build_trainer
from nnviz.core.remote import apply_settings
from nnviz.core.training import LIVE_SETTINGS, Trainer, TrainingSnapshot
from nnviz.gui.worker import TrainingWorker

DATA_SETTINGS = ("dataset", "samples", "noise", "test_fraction", "seed", "preset")
HISTORY_EVERY = 10  # record train/test loss every 10 steps (thinned further as it grows)
HISTORY_CAPACITY = 2000  # entries kept for the loss plot, however long the run
SNAPSHOT_INTERVAL = 1 / 60  # the trainer hands over at most ~60 snapshots a second


class TrainingSession(QObject):
    """Owns the current :class:`Trainer` and trains it in a :class:`TrainingWorker` process.

    While a run is active the trainer lives in the process and ``self.trainer`` is the copy
    from before the run; when the run ends the process hands the trainer back. Live settings
    are sent to the process; anything that needs a new network ends the run first.
    """

    snapshot_ready = pyqtSignal(object)  # TrainingSnapshot, at most ~60 a second
    run_reset = pyqtSignal(object)  # TrainingSnapshot at step 0 of a new network or data
    running_changed = pyqtSignal(bool)
    diverged = pyqtSignal(str)  # a sentence for the user

    def __init__(self, config: TrainingConfig, parent: QObject | None = None):
        super().__init__(parent)
        self.config = config.validated()
        self._dataset: Dataset = build_dataset(self.config)
        self.trainer: Trainer = self._new_trainer()
        self._worker: TrainingWorker | None = None  # started on first use
        self._run_id = 0
        self._active_run: int | None = None  # the run the process is doing, if any
        self._keep_running = False  # the user wants training (vs. paused)

    # Queries -------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self._keep_running

    @property
    def is_busy(self) -> bool:
        """Whether the process holds the trainer now."""
        return self._active_run is not None

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    def snapshot(self) -> TrainingSnapshot:
        """The state as of the last time the trainer was here."""
        return self.trainer.snapshot()

    # Commands ------------------------------------------------------------------------------
    def start(self) -> None:
        """Train until paused."""
        if self._keep_running:
            return
        self._end_run()
        self._keep_running = True
        self.running_changed.emit(True)
        self._launch(None)

    def pause(self) -> None:
        """Stop training; the trainer comes back from the process."""
        if not self._keep_running:
            return
        self._keep_running = False
        self._end_run()
        self.running_changed.emit(False)
        self.snapshot_ready.emit(self.trainer.snapshot())

    def toggle(self) -> None:
        """Train if paused, pause if training."""
        self.pause() if self._keep_running else self.start()

    def step(self, count: int = 1) -> None:
        """Pause, then advance exactly ``count`` updates."""
        self.pause()
        self._end_run()
        self._launch(count)

    def run_steps(self, count: int) -> None:
        """Train ``count`` updates, then stop (reported by ``running_changed(False)``)."""
        self.pause()
        self._end_run()
        self._keep_running = True
        self.running_changed.emit(True)
        self._launch(count)

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
            if self._active_run is not None:
                self._worker.send_settings(updates)
            else:
                apply_settings(self.trainer, updates)
            return
        self._rebuild(data_changed=bool(changed & set(DATA_SETTINGS)))

    def shutdown(self, timeout: float = 5.0) -> bool:
        """End any run and the training process; True if everything ended in time."""
        self._keep_running = False
        self._end_run(timeout)
        if self._worker is None:
            return True
        worker, self._worker = self._worker, None
        closed = worker.close(timeout)
        worker.deleteLater()
        return closed

    # Internals -----------------------------------------------------------------------------
    def _new_trainer(self) -> Trainer:
        return build_trainer(self.config, self._dataset, log_every=HISTORY_EVERY, history_capacity=HISTORY_CAPACITY)

    def _rebuild(self, data_changed: bool) -> None:
        was_running = self._keep_running
        self._end_run()
        if data_changed:
            self._dataset = build_dataset(self.config)
        self.trainer = self._new_trainer()
        self.run_reset.emit(self.trainer.snapshot())
        if was_running:
            self._launch(None)

    def _launch(self, steps: int | None) -> None:
        if self._worker is not None and not self._worker.is_alive:
            self._worker.close()
            self._worker.deleteLater()
            self._worker = None
        if self._worker is None:
            self._worker = TrainingWorker(self)
            self._worker.snapshot.connect(self._on_snapshot)
            self._worker.finished.connect(self._on_finished)
            self._worker.failed.connect(self._on_failed)
        self._run_id += 1
        self._active_run = self._run_id
        if not self._worker.run(self._run_id, self.trainer, steps, SNAPSHOT_INTERVAL):
            self._on_failed(0, TrainingWorker.LOST)

    def _end_run(self, timeout: float = 5.0) -> None:
        """Take the trainer back from the process (waits at most one snapshot interval or so)."""
        if self._active_run is None:
            return
        run, self._active_run = self._active_run, None
        returned = self._worker.stop(run, timeout)
        if returned is not None:
            self._adopt(returned)

    def _adopt(self, trainer: Trainer) -> None:
        # A setting sent just as the run ended may not have reached it: the config is the truth.
        apply_settings(trainer, {name: getattr(self.config, name) for name in LIVE_SETTINGS})
        self.trainer = trainer

    def _on_snapshot(self, run_id: int, snapshot: TrainingSnapshot) -> None:
        if run_id != self._active_run:
            return  # from a run that has been stopped or replaced
        self.snapshot_ready.emit(snapshot)
        if snapshot.divergence is not None:
            self.diverged.emit(snapshot.divergence.message)

    def _on_finished(self, run_id: int) -> None:
        if run_id != self._active_run:
            return
        self._active_run = None
        returned = self._worker.take_trainer(run_id)
        if returned is not None:
            self._adopt(returned)
        if self._keep_running:  # the run ended by itself: its step count or a divergence
            self._keep_running = False
            self.running_changed.emit(False)

    def _on_failed(self, run_id: int, message: str) -> None:
        if run_id and run_id != self._active_run:
            return  # about a run that has been stopped or replaced
        self._active_run = None  # the trainer of that run is lost; ours is the copy from before it
        self._adopt(self.trainer)
        self.snapshot_ready.emit(self.trainer.snapshot())
        if self._keep_running:
            self._keep_running = False
            self.running_changed.emit(False)
        self.diverged.emit(message)
