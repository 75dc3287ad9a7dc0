"""The Qt side of the training process: start it, send it commands, relay what it sends."""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from contextlib import contextmanager

from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.core.remote import serve
from nnviz.core.training import Trainer

_SINGLE_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _single_threaded_blas():
    # The child's matrices are small; BLAS threads would only fight the window for the cores.
    saved = {k: os.environ.get(k) for k in _SINGLE_THREAD_ENV}
    os.environ.update({k: "1" for k in _SINGLE_THREAD_ENV})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class TrainingWorker(QObject):
    """A training process plus a thread that waits on its messages.

    ``snapshot`` and ``finished`` arrive on the GUI thread (queued). The trainer of a run
    that ended is collected with :meth:`take_trainer` (or :meth:`stop`, which waits for it).
    """

    snapshot = pyqtSignal(int, object)  # run id, TrainingSnapshot
    finished = pyqtSignal(int)  # run id: its trainer (or None after an error) awaits take_trainer()
    failed = pyqtSignal(int, str)  # run id (0: the process itself), a sentence for the user

    LOST = "The training process stopped unexpectedly; press Train to start a new one."

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
        commands_out, self._commands = ctx.Pipe(duplex=False)
        self._results, results_in = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=serve, args=(commands_out, results_in), daemon=True, name="nnviz-training")
        with _single_threaded_blas():
            self._process.start()
        commands_out.close()
        results_in.close()
        self._returned: queue.Queue = queue.Queue()  # (run id, trainer) of ended runs
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="nnviz-training-reader", daemon=True)
        self._reader.start()

    # Commands ------------------------------------------------------------------------------
    def run(self, run_id: int, trainer: Trainer, steps: int | None, interval: float) -> bool:
        """Hand ``trainer`` to the process and train ``steps`` updates (None: until stopped);
        False if the process is gone."""
        return self._send(("run", run_id, trainer, steps, interval))

    def send_to_run(self, kind: str, payload) -> bool:
        """Tell the running trainer something between steps: ``"set"`` live settings (a dict) or
        ``"data"`` new points (a Dataset); False if the process is gone."""
        return self._send((kind, payload))

    def stop(self, run_id: int, timeout: float = 5.0) -> Trainer | None:
        """End run ``run_id`` and wait for its trainer (None if it does not come in time)."""
        if not self._send(("stop",)):
            return None
        return self.take_trainer(run_id, timeout)

    def _send(self, message: tuple) -> bool:
        try:
            self._commands.send(message)
            return True
        except OSError:  # the process died; the reader reports it
            return False

    def take_trainer(self, run_id: int, timeout: float = 0.0) -> Trainer | None:
        """The trainer of ended run ``run_id``; older runs' trainers are discarded."""
        try:
            while True:
                rid, trainer = self._returned.get(timeout=timeout) if timeout else self._returned.get_nowait()
                if rid == run_id:
                    return trainer
        except queue.Empty:
            return None

    def close(self, timeout: float = 5.0) -> bool:
        """Quit the process and the reader; True if both ended in time."""
        self._closing = True
        self._send(("quit",))
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(1.0)
        self._reader.join(timeout)
        self._commands.close()
        self._results.close()
        return not self._process.is_alive() and not self._reader.is_alive()

    @property
    def is_alive(self) -> bool:
        return self._process.is_alive()

    # The reader thread ---------------------------------------------------------------------
    def _read(self) -> None:
        while True:
            try:
                kind, run_id, payload = self._results.recv()  # blocks without holding the GIL
            except (EOFError, OSError):
                if not self._closing:
                    self.failed.emit(0, self.LOST)
                return
            if kind == "snapshot":
                self.snapshot.emit(run_id, payload)
            elif kind == "done":
                self._returned.put((run_id, payload))
                self.finished.emit(run_id)
            elif kind == "error":
                self.failed.emit(run_id, f"Training stopped: {payload}")
