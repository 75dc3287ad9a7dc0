"""The Qt side of the training process: start it, send it commands, relay what it sends.

Nothing here blocks the GUI thread on the process: commands are pickled on the caller's
thread and written to the pipe by a writer thread (a trainer can be larger than the pipe's
buffer, and a process that has stopped reading would otherwise hold the window), and a
reader thread turns what comes back into queued signals.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from contextlib import contextmanager
from multiprocessing.reduction import ForkingPickler

from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.core.training import messages as msg
from nnviz.core.training.process import serve
from nnviz.core.training.trainer import Trainer

_SINGLE_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NICENESS = 10  # the training process yields a contended core to the window (see _serve_politely)
_CLOSE = object()  # tells the writer thread to finish


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


def _serve_politely(commands, results) -> None:
    """The training process's entry: lower its priority, so that when the window and the
    training contend for a core (two here), the window wins and answers the user at once;
    training takes only what the window leaves."""
    if hasattr(os, "nice"):  # not on Windows, where the process simply keeps the window's priority
        os.nice(NICENESS)
    serve(commands, results)


class TrainingWorker(QObject):
    """A training process plus two threads: one writes its commands, one waits on its messages.

    ``snapshot``, ``finished`` and ``failed`` arrive on the GUI thread (queued). The trainer
    of a run that ended is collected with :meth:`take_trainer`.
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
        self._process = ctx.Process(target=_serve_politely, args=(commands_out, results_in), daemon=True, name="nnviz-training")
        with _single_threaded_blas():
            self._process.start()
        commands_out.close()
        results_in.close()
        self._returned: queue.Queue = queue.Queue()  # (run id, trainer) of ended runs
        self._outbox: queue.Queue = queue.Queue()  # pickled commands for the writer thread
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="nnviz-training-reader", daemon=True)
        self._writer = threading.Thread(target=self._write, name="nnviz-training-writer", daemon=True)
        self._reader.start()
        self._writer.start()

    # Commands (none of them waits for the process) -----------------------------------------
    def run(self, run_id: int, trainer: Trainer, steps: int | None, interval: float) -> None:
        """Hand ``trainer`` to the process and train ``steps`` updates (None: until stopped).

        The trainer is pickled now, so the caller may change its own copy straight away."""
        self._send(msg.Run(run_id, trainer, steps, interval))

    def send_to_run(self, message: msg.Set | msg.Data) -> None:
        """Tell the running trainer something between steps: live settings or new points."""
        self._send(message)

    def stop(self) -> None:
        """Ask the current run to end; its trainer comes back with ``finished``."""
        self._send(msg.Stop())

    def _send(self, message: msg.Command) -> None:
        self._outbox.put(bytes(ForkingPickler.dumps(message)))

    def take_trainer(self, run_id: int, timeout: float = 0.0) -> Trainer | None:
        """The trainer of ended run ``run_id``; older runs' trainers are discarded. Waits up to
        ``timeout`` seconds (only ever non-zero while the window closes)."""
        try:
            while True:
                rid, trainer = self._returned.get(timeout=timeout) if timeout else self._returned.get_nowait()
                if rid == run_id:
                    return trainer
        except queue.Empty:
            return None

    def close(self, timeout: float = 1.0) -> bool:
        """Quit the process (killing it if it does not quit within ``timeout`` seconds) and end
        both threads; True if it quit by itself."""
        self._closing = True
        self._send(msg.Quit())
        self._outbox.put(_CLOSE)
        self._process.join(timeout)
        quit_in_time = not self._process.is_alive()
        self.kill()
        return quit_in_time

    def kill(self) -> None:
        """End the process now, whatever it is doing, and both threads with it."""
        self._closing = True
        if self._process.is_alive():
            self._process.kill()  # SIGKILL: works on a process that is stopped or stuck, too
        self._process.join(1.0)
        self._outbox.put(_CLOSE)
        self._reader.join(1.0)  # its pipe has no writer any more: it sees the end at once
        self._writer.join(1.0)
        self._commands.close()
        self._results.close()

    @property
    def is_alive(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The training process's id (for diagnostics)."""
        return self._process.pid

    # The threads ---------------------------------------------------------------------------
    def _write(self) -> None:
        while (message := self._outbox.get()) is not _CLOSE:
            try:
                self._commands.send_bytes(message)  # may block while the process is busy: not on the GUI thread
            except OSError:  # the process is gone; the reader reports it
                return

    def _read(self) -> None:
        while True:
            try:
                report: msg.Report = self._results.recv()  # blocks without holding the GIL
            except (EOFError, OSError):
                if not self._closing:
                    self.failed.emit(0, self.LOST)
                return
            match report:
                case msg.Snapshot(run_id, snapshot):
                    self.snapshot.emit(run_id, snapshot)
                case msg.Done(run_id, trainer):
                    self._returned.put((run_id, trainer))
                    self.finished.emit(run_id)
                case msg.Error(run_id, message):
                    self.failed.emit(run_id, f"Training stopped: {message}")
