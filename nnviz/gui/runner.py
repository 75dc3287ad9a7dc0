"""Runs a trainer (a lone network or a sweep) in a training process, handing it back and forth."""

from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.gui.worker import TrainingWorker

SNAPSHOT_INTERVAL = 1 / 60  # the trainer hands over at most ~60 snapshots a second


class Runner(QObject):
    """Owns ``self.trainer`` (anything :func:`nnviz.core.training.train` can drive) and
    trains it in a :class:`TrainingWorker` process.

    While a run is active the trainer lives in the process and ``self.trainer`` is the copy
    from before the run; when the run ends the process hands the trainer back.
    """

    snapshot_ready = pyqtSignal(object)  # a snapshot, at most ~60 a second
    running_changed = pyqtSignal(bool)
    diverged = pyqtSignal(str)  # a sentence for the user (a divergence or a failure)

    def __init__(self, trainer, parent: QObject | None = None):
        super().__init__(parent)
        self.trainer = trainer
        self._worker: TrainingWorker | None = None  # started on first use
        self._run_id = 0
        self._active_run: int | None = None  # the run the process is doing, if any
        self._keep_running = False  # the user wants training (vs. paused)

    @property
    def is_running(self) -> bool:
        return self._keep_running

    @property
    def is_busy(self) -> bool:
        """Whether the process holds the trainer now."""
        return self._active_run is not None

    def snapshot(self):
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

    def replace_trainer(self, trainer) -> None:
        """Swap in another trainer, carrying on training if we were."""
        self._end_run()
        self.trainer = trainer
        if self._keep_running:
            self._launch(None)

    def with_trainer(self, use):
        """Call ``use(trainer)`` with the trainer back here (ending a run for it), then carry
        on training if we were; returns what ``use`` returns."""
        self._end_run()
        try:
            return use(self.trainer)
        finally:
            if self._keep_running and self._active_run is None:
                self._launch(None)

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

    # For subclasses ------------------------------------------------------------------------
    def _send_to_run(self, kind: str, payload) -> bool:
        """Send live settings (``"set"``) or new points (``"data"``) to a running trainer;
        False if none is running."""
        if self._active_run is None:
            return False
        self._worker.send_to_run(kind, payload)
        return True

    def _adopt(self, trainer) -> None:
        """Take back a trainer from the process (subclasses may touch it up first)."""
        self.trainer = trainer

    # Internals -----------------------------------------------------------------------------
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

    def _on_snapshot(self, run_id: int, snapshot) -> None:
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
