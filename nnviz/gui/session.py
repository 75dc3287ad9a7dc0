"""The window's model: one training run, the worker that advances it, and its settings."""

from __future__ import annotations

from dataclasses import fields
from queue import SimpleQueue

from PyQt5.QtCore import QObject, QThreadPool, pyqtSignal
from superqt.utils import GeneratorWorker

from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.experiment import build_dataset, build_trainer
from nnviz.core.training import LIVE_SETTINGS, Trainer, TrainingSnapshot, train

DATA_SETTINGS = ("dataset", "samples", "noise", "test_fraction", "seed", "preset")
HISTORY_EVERY = 10  # record train/test loss every 10 steps (thinned further as it grows)
HISTORY_CAPACITY = 2000  # entries kept for the loss plot, however long the run
SNAPSHOT_INTERVAL = 1 / 60  # the worker hands over at most ~60 snapshots a second


class TrainingSession(QObject):
    """Owns the current :class:`Trainer` and runs it on a worker thread.

    The trainer belongs to the worker while one runs and to the GUI thread otherwise, so
    they never touch it at the same time: settings that apply live are sent to the worker,
    anything that needs a new network stops the worker first.
    """

    snapshot_ready = pyqtSignal(object)  # TrainingSnapshot, at most ~60 a second
    run_reset = pyqtSignal(object)  # TrainingSnapshot at step 0 of a new network or data
    running_changed = pyqtSignal(bool)
    diverged = pyqtSignal(str)  # a sentence for the user

    def __init__(self, config: TrainingConfig, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._worker: GeneratorWorker | None = None
        self._generation = 0  # snapshots from an older worker are ignored
        self._keep_running = False  # the user wants training (vs. paused)
        self._inbox: SimpleQueue = SimpleQueue()  # live settings for the running worker
        self.config = config.validated()
        self._dataset: Dataset = build_dataset(self.config)
        self.trainer: Trainer = self._new_trainer()

    # Queries -------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self._keep_running

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    def snapshot(self) -> TrainingSnapshot:
        """The current state (only valid while no worker runs)."""
        return self.trainer.snapshot()

    # Commands ------------------------------------------------------------------------------
    def start(self) -> None:
        """Train until paused."""
        if self._keep_running:
            return
        self._keep_running = True
        self.running_changed.emit(True)
        self._launch(None)

    def pause(self) -> None:
        """Stop training after the current chunk; the trainer comes back to this thread."""
        if not self._keep_running:
            return
        self._keep_running = False
        self._stop_worker()
        self.running_changed.emit(False)
        self.snapshot_ready.emit(self.trainer.snapshot())

    def toggle(self) -> None:
        """Train if paused, pause if training."""
        self.pause() if self._keep_running else self.start()

    def step(self, count: int = 1) -> None:
        """Pause, then advance exactly ``count`` updates on the worker."""
        self.pause()
        self._stop_worker()
        self._launch(count)

    def run_steps(self, count: int) -> None:
        """Train ``count`` updates, then stop (reported by ``running_changed(False)``)."""
        self.pause()
        self._keep_running = True
        self.running_changed.emit(True)
        self._launch(count)

    def reset(self) -> None:
        """A fresh network (same seed, so the same starting weights) on the same data."""
        self._rebuild(data_changed=False)

    def apply(self, config: TrainingConfig) -> None:
        """Adopt new settings: live ones go to the running trainer, the rest start afresh."""
        config = config.validated()
        changed = {f.name for f in fields(config) if getattr(config, f.name) != getattr(self.config, f.name)}
        self.config = config
        if not changed:
            return
        if changed <= set(LIVE_SETTINGS):
            updates = {name: getattr(config, name) for name in changed}
            if self._worker is not None:
                self._inbox.put(updates)
            else:
                for name, value in updates.items():
                    setattr(self.trainer, name, value)
            return
        self._rebuild(data_changed=bool(changed & set(DATA_SETTINGS)))

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop any worker and wait for it; True if it ended in time."""
        self._keep_running = False
        return self._stop_worker(timeout_ms)

    # Internals -----------------------------------------------------------------------------
    def _new_trainer(self) -> Trainer:
        return build_trainer(
            self.config, self._dataset, log_every=HISTORY_EVERY, history_capacity=HISTORY_CAPACITY
        )

    def _rebuild(self, data_changed: bool) -> None:
        was_running = self._keep_running
        self._stop_worker()
        if data_changed:
            self._dataset = build_dataset(self.config)
        self.trainer = self._new_trainer()
        self.run_reset.emit(self.trainer.snapshot())
        if was_running:
            self._launch(None)

    def _launch(self, steps: int | None) -> None:
        self._generation += 1
        generation = self._generation
        self._inbox = SimpleQueue()
        worker = GeneratorWorker(train, self.trainer, steps, SNAPSHOT_INTERVAL, self._inbox)
        worker.yielded.connect(lambda snap: self._on_snapshot(generation, snap))
        worker.finished.connect(lambda: self._on_finished(generation))
        worker.errored.connect(lambda error: self._on_error(generation, error))
        self._worker = worker
        self._pool.start(worker)

    def _stop_worker(self, timeout_ms: int = 5000) -> bool:
        if self._worker is None:
            return True
        self._worker.quit()
        self._generation += 1  # whatever it still emits is stale
        self._worker = None
        finished = self._pool.waitForDone(timeout_ms)
        # The worker may have stopped before reading its inbox: the config is the truth.
        for name in LIVE_SETTINGS:
            setattr(self.trainer, name, getattr(self.config, name))
        return finished

    def _on_snapshot(self, generation: int, snapshot: TrainingSnapshot) -> None:
        if generation != self._generation:
            return
        self.snapshot_ready.emit(snapshot)
        if snapshot.divergence is not None:
            self.diverged.emit(snapshot.divergence.message)

    def _on_finished(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._worker = None
        if self._keep_running:  # the run ended by itself: its step count or a divergence
            self._keep_running = False
            self.running_changed.emit(False)

    def _on_error(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.diverged.emit(f"Training stopped: {error}")
