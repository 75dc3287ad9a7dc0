"""Training in another process, so the window and the training loop each get a core of
their own instead of taking turns on Python's global interpreter lock.

:func:`serve` runs in the child. It receives whole :class:`Trainer` objects (they pickle),
trains them with :func:`train`, sends snapshots back, and returns the trainer when the run
ends, so ownership of the trainer passes back and forth and nothing is shared.

The messages both ways are the dataclasses of :mod:`nnviz.core.training.messages`: to the
child :class:`Run`, :class:`Set`, :class:`Data`, :class:`Stop` and :class:`Quit`; from it
:class:`Snapshot`, :class:`Done` (its trainer is None after an error) and :class:`Error`.

The child sends on a thread of its own (:class:`Outbox`), so training never waits for the
window to read: a large network's snapshot does not fit in the pipe, and while the window was
busy drawing the child stood still with it. A snapshot that finds the one before it still
unsent is dropped; the next one is newer anyway.
"""

from __future__ import annotations

import queue
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler

from nnviz.core.training import messages as msg
from nnviz.core.training.trainer import LIVE_SETTINGS, Trainer, train


class Outbox:
    """Sends messages through ``results`` on a thread, in order. :meth:`send` raises
    BrokenPipeError once the other end has gone."""

    def __init__(self, results: Connection):
        self._results = results
        self._queue: queue.Queue = queue.Queue()
        self._unsent = 0  # messages queued or being written
        self._lock = threading.Lock()
        self._broken = False
        threading.Thread(target=self._send_all, name="nnviz-outbox", daemon=True).start()

    def send(self, message: msg.Report, droppable: bool = False) -> None:
        """Queue ``message``; a ``droppable`` one is dropped while an earlier one is unsent."""
        if self._broken:
            raise BrokenPipeError("the window stopped listening")
        if droppable and self._unsent:
            return
        data = bytes(ForkingPickler.dumps(message))  # pickled now: the objects may change later
        with self._lock:
            self._unsent += 1
        self._queue.put(data)

    def flush(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for everything queued to be written."""
        deadline = time.monotonic() + timeout
        while self._unsent and not self._broken and time.monotonic() < deadline:
            time.sleep(0.005)

    def _send_all(self) -> None:
        while True:
            message = self._queue.get()
            try:
                if not self._broken:
                    self._results.send_bytes(message)
            except Exception:  # noqa: BLE001 (BrokenPipeError above all: the parent went away)
                self._broken = True  # the next send says so, and the child ends
            finally:
                with self._lock:
                    self._unsent -= 1


def apply_settings(trainer: Trainer, settings: dict) -> None:
    """Change settings that apply without a new network (see :data:`LIVE_SETTINGS`), or the
    training's ``speed``."""
    for name, value in settings.items():
        if name not in (*LIVE_SETTINGS, "speed"):
            raise ValueError(f"{name!r} cannot change during training")
        setattr(trainer, name, value)


def serve(commands: Connection, results: Connection) -> None:
    """The child's loop: obey ``commands`` until :class:`Quit` or until the parent goes away."""
    outbox = Outbox(results)
    pending = None  # a command that arrived during a run and ended it
    while True:
        if pending is not None:
            message, pending = pending, None
        else:
            try:
                message = commands.recv()
            except (EOFError, OSError):
                return
        if isinstance(message, msg.Quit):
            outbox.flush(1.0)  # the last run's Done, say
            return
        if not isinstance(message, msg.Run):
            continue  # a late Set, Data or Stop for a run that already ended
        trainer = message.trainer
        reports: list[msg.Report] = []
        try:
            pending = _run(message, commands, outbox)
        except (BrokenPipeError, EOFError):
            return  # the parent went away (killed, say): nobody to report to
        except Exception as error:  # noqa: BLE001 (any failure is reported, never raised into the void)
            reports.append(msg.Error(message.run_id, f"{type(error).__name__}: {error}"))
            trainer = None  # possibly half-updated: the parent keeps its own copy instead
        try:
            for report in (*reports, msg.Done(message.run_id, trainer)):
                outbox.send(report)
        except BrokenPipeError:
            return


def _run(run: msg.Run, commands: Connection, outbox: Outbox) -> msg.Quit | msg.Run | None:
    """Train and stream snapshots until done or told otherwise; returns a command that
    ended the run early and still needs handling (:class:`Quit` or another :class:`Run`), else None."""
    trainer = run.trainer
    target = None if run.steps is None else trainer.step_count + run.steps
    sent = None
    for snapshot in train(trainer, run.steps, run.interval):
        if snapshot is not sent:  # slow motion yields a frame again while the next is not due
            final = snapshot.divergence is not None or snapshot.step == target  # always sent
            outbox.send(msg.Snapshot(run.run_id, snapshot), droppable=not final)
            sent = snapshot
        while commands.poll():
            match commands.recv():
                case msg.Set(settings):
                    apply_settings(trainer, settings)
                case msg.Data(dataset):
                    trainer.replace_data(dataset)
                case msg.Stop():
                    return None
                case msg.Quit() | msg.Run() as command:
                    return command
    return None
