"""Runs a trainer (a lone network or a sweep) in a training process, handing it back and forth.

The GUI thread never waits for the process. Whatever needs the trainer here (pausing, a step,
saving the run, a new network) is queued until the process hands it back, which it does
within a snapshot interval or so. A process that falls silent is given up after
:attr:`Runner.unresponsive_after` seconds: it is killed, the run goes back to where it began,
and the user is told.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from nnviz.core.training import messages as msg
from nnviz.core.training.timeline import come_home
from nnviz.gui.process.worker import TrainingWorker

SNAPSHOT_INTERVAL = 1 / 60  # the trainer hands over at most ~60 snapshots a second
START_ALLOWANCE = 30.0  # seconds a new process may take to say its first word (imports, a busy machine)
UNRESPONSIVE = ("The training process stopped answering, so nnviz ended it; the run went back to step {step:,}, "
                "where it began. Press Train to go on.")


@dataclass
class _Run:
    """A run whose trainer is in the training process. While there is one, ``Runner.trainer``
    is the copy from before it; without one, the trainer is here."""

    id: int
    steps: int | None  # None: until stopped
    ends_training: bool  # when it ends by itself (its steps done, or diverged), training stops
    recalled: bool = False  # Stop was sent: its trainer is on its way back
    shown: bool = True  # its snapshots are shown (not once another trainer has replaced it)
    last_heard: float = field(default_factory=time.monotonic)  # its latest snapshot, for the watchdog


# What waits for the trainer to be here (Runner._waiting), done in order ----------------------
@dataclass(frozen=True)
class _Launch:
    """Start a run of ``steps`` updates (Step, run_steps)."""

    steps: int
    ends_training: bool


@dataclass(frozen=True)
class _Use:
    """Call ``use(trainer)`` (a save, say)."""

    use: Callable[[object], None]


@dataclass(frozen=True)
class _Swap:
    """Take ``trainer`` in place of the one that comes back (which something before needed)."""

    trainer: object


_Action = _Launch | _Use | _Swap


class Runner(QObject):
    """Owns ``self.trainer`` (anything :func:`nnviz.core.training.trainer.train` can drive) and
    trains it in a :class:`TrainingWorker` process.

    While a run is active the trainer lives in the process and ``self.trainer`` is the copy
    from before the run; when the run ends the process hands the trainer back. ``is_settled``
    says whether the trainer is here and nothing waits for it. ``trainer`` may be None until
    a first one comes (:meth:`replace_trainer`); what needs it waits until then.

    Its state: ``_run`` (the run in the process, or None: the trainer is here), ``_waiting``
    (what needs the trainer here, in order), ``_wants_training`` (Train vs. paused) and
    ``_closed`` (shut down).
    """

    snapshot_ready = pyqtSignal(object)  # a snapshot, at most ~60 a second
    running_changed = pyqtSignal(bool)
    diverged = pyqtSignal(str)  # a sentence for the user: the training diverged
    failed = pyqtSignal(str)  # a sentence for the user: the process died, stopped answering or raised
    run_reset = pyqtSignal(object)  # the first snapshot of another run (a network, sweep or data, a reset, a file)

    speed: float | None = None  # steps a second in slow motion (every step shown); None: full speed

    unresponsive_after = 10.0
    """Seconds a process with work to do may stay silent before it is given up (the slowest
    step nnviz offers takes well under a second; starting a process takes one or two)."""

    def __init__(self, trainer, parent: QObject | None = None):
        super().__init__(parent)
        self.trainer = trainer
        self._worker: TrainingWorker | None = None  # started on first use
        self._runs_started = 0  # the latest run's id
        self._run: _Run | None = None  # the run whose trainer is in the process
        self._waiting: list[_Action] = []  # to do, in order, once the trainer is here
        self._wants_training = False  # the user wants training (vs. paused)
        self._closed = False  # shut down (or shutting down): no new runs
        self._heard_from_process = False  # the current process has said something (it has started)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check_process)

    @property
    def is_running(self) -> bool:
        return self._wants_training

    @property
    def is_settled(self) -> bool:
        """Whether the trainer is here (no run in the process) and nothing waits for it."""
        return self._run is None and not self._waiting and self.trainer is not None

    @property
    def in_process(self) -> bool:
        """Whether a run's trainer is in the training process (its moments are there)."""
        return self._run is not None

    @property
    def has_process(self) -> bool:
        """Whether a training process exists (one is started on first use)."""
        return self._worker is not None

    @property
    def process_id(self) -> int | None:
        """The training process's id, if there is one."""
        return None if self._worker is None else self._worker.pid

    def snapshot(self):
        """The state as of the last time the trainer was here."""
        return self.trainer.snapshot()

    def publish_snapshot(self) -> None:
        """Send the trainer's state to ``snapshot_ready`` (it is here): after it changed outside
        a run, gone back to a moment, say, or trained on by a movie's recording."""
        self.snapshot_ready.emit(self.trainer.snapshot())

    # Commands ------------------------------------------------------------------------------
    def start(self) -> None:
        """Train until paused."""
        if self._wants_training:
            return
        self._wants_training = True
        self.running_changed.emit(True)
        self._settle()

    def pause(self) -> None:
        """Stop training; the trainer comes back from the process, and its snapshot with it."""
        if not self._wants_training:
            return
        self._wants_training = False
        self._recall()
        self.running_changed.emit(False)

    def toggle(self) -> None:
        """Train if paused, pause if training."""
        self.pause() if self._wants_training else self.start()

    def step(self, count: int = 1) -> None:
        """Pause, then advance exactly ``count`` updates."""
        self.pause()
        self._when_home(_Launch(count, ends_training=False))

    def run_steps(self, count: int) -> None:
        """Train ``count`` updates, then stop (reported by ``running_changed(False)``)."""
        self.pause()
        self._wants_training = True
        self.running_changed.emit(True)
        self._when_home(_Launch(count, ends_training=True))

    def set_speed(self, speed: float | None) -> None:
        """Train at ``speed`` steps a second (slow motion), or None: full speed."""
        self.speed = speed
        if not self._send_to_run(msg.Set({"speed": speed})) and self.trainer is not None:
            self.trainer.speed = speed

    def replace_trainer(self, trainer) -> None:
        """Swap in another trainer, carrying on training if we were. The old run's snapshots
        stop showing at once; what waits for its trainer (a save, say) still gets it."""
        if self._run is not None:
            self._run.shown = False
        if self.trainer is not None:  # a Step pressed just before was meant for the network being replaced
            self._waiting = [action for action in self._waiting if not isinstance(action, _Launch)]
        if self._waiting and self._run is not None:  # a save, say, still needs the old trainer
            self._when_home(_Swap(trainer))
            return
        if self._run is not None:  # nothing needs the old trainer back: abandon its run
            self._recall()
            self._end_run()
        self._swap(trainer)

    def with_trainer(self, use: Callable[[object], None]) -> None:
        """Call ``use(trainer)`` once the trainer is here (at once if it is), then carry on
        training if we were."""
        self._when_home(_Use(use))

    def shutdown(self, timeout: float = 5.0) -> bool:
        """End training and the process; True if everything ended in time.

        What still waits for the trainer (a save the user asked for) gets it first, if the
        process hands it over within ``timeout`` seconds; the window is closing, so this is
        the one place that waits."""
        self._wants_training = False
        self._closed = True
        in_time = True
        if self._run is not None and self._waiting:
            self._recall()
            returned = self._worker.take_trainer(self._run.id, timeout)
            if returned is None:
                in_time = False
                self._give_up()
            else:
                self._end_run()
                self._came_home(returned)  # a save waiting for it saves the whole timeline
                self._adopt(returned)
                self._drain()
        self._end_run()
        self._waiting.clear()
        if self._worker is not None:
            worker, self._worker = self._worker, None
            in_time = worker.close() and in_time
            worker.deleteLater()
        return in_time

    # For subclasses ------------------------------------------------------------------------
    def _send_to_run(self, message: msg.Set | msg.Data) -> bool:
        """Send live settings (:class:`~nnviz.core.training.messages.Set`) or new points
        (:class:`~nnviz.core.training.messages.Data`) to a running trainer; False if none is
        running (or it is on its way back: the trainer adopted then is brought up to date by
        :meth:`_adopt`)."""
        if self._run is None or self._run.recalled:
            return False
        self._worker.send_to_run(message)
        return True

    def _adopt(self, trainer) -> None:
        """Take back a trainer from the process (subclasses may touch it up first)."""
        if trainer is not None:  # a speed sent just as the run ended may not have reached it
            trainer.speed = self.speed
        self.trainer = trainer

    # Internals -----------------------------------------------------------------------------
    def _when_home(self, action: _Action) -> None:
        """Do ``action`` once the trainer is here: now, or when the process returns it."""
        self._waiting.append(action)
        if self._run is None:
            self._drain()
        elif self._run.steps is None:
            self._recall()  # a run that trains until stopped: stop it (others end by themselves)

    def _drain(self) -> None:
        """Do what waits for the trainer, in order, while it is here; then train if wanted."""
        while self._waiting and self._run is None and self.trainer is not None:
            match self._waiting.pop(0):  # a launch starts a run: the rest then wait for its end
                case _Launch(steps, ends_training):
                    self._launch(steps, ends_training=ends_training)
                case _Use(use):
                    use(self.trainer)
                case _Swap(trainer):
                    self._swap(trainer)
        self._settle()

    def _settle(self) -> None:
        if self._wants_training and self._run is None and not self._waiting and self.trainer is not None:
            self._launch(None, ends_training=True)

    def _swap(self, trainer) -> None:
        self._adopt(trainer)  # settings changed while it waited in line apply to it
        self._drain()  # what waited for a first trainer (a Train or Step before the data came)

    def _recall(self) -> None:
        """Ask the active run to end and hand its trainer back."""
        if self._run is not None and not self._run.recalled:
            self._run.recalled = True
            self._worker.stop()

    def _end_run(self) -> None:
        """Forget the active run (its trainer came back, was lost or is no longer wanted)."""
        self._run = None
        self._watchdog.stop()

    def _launch(self, steps: int | None, *, ends_training: bool) -> None:
        if self._closed:
            return
        if self._worker is not None and not self._worker.is_alive:
            self._dispose_worker()
        if self._worker is None:
            self._worker = TrainingWorker(self)
            self._heard_from_process = False
            self._worker.snapshot.connect(self._on_snapshot)
            self._worker.finished.connect(self._on_finished)
            self._worker.failed.connect(self._on_failed)
        self._runs_started += 1
        self._run = _Run(self._runs_started, steps, ends_training)
        self._watchdog.start()
        self._send_run(steps)

    def _send_run(self, steps: int | None) -> None:
        """Hand the trainer to the process. Its timeline stays here: the run takes only the
        schedule and brings back the moments it kept (see :meth:`_came_home`), so that hand-offs
        do not carry up to 100 MB each way."""
        home = self.trainer.timeline
        self.trainer.timeline = home.schedule()
        try:
            self._worker.run(self._run.id, self.trainer, steps, SNAPSHOT_INTERVAL)  # pickles it now
        finally:
            self.trainer.timeline = home

    def _came_home(self, trainer) -> None:
        """A run's trainer is back: the timeline that stayed here takes its new moments."""
        come_home(self.trainer.timeline, trainer)

    def _dispose_worker(self) -> None:
        worker, self._worker = self._worker, None
        worker.kill()
        worker.deleteLater()

    def _check_process(self) -> None:
        """The watchdog: give up a process that has had nothing to say for too long."""
        if self._run is None:
            self._watchdog.stop()
        elif time.monotonic() - self._run.last_heard > self.unresponsive_after + (
                0 if self._heard_from_process else START_ALLOWANCE):
            self._give_up()

    def _give_up(self) -> None:
        self._dispose_worker()
        self._on_failed(self._run.id, UNRESPONSIVE.format(step=self.trainer.step_count))

    def _on_snapshot(self, run_id: int, snapshot) -> None:
        self._heard_from_process = True
        run = self._run
        if run is None or run_id != run.id:
            return  # from a run that has ended or been abandoned
        run.last_heard = time.monotonic()
        if not run.shown:
            return  # from a run whose trainer has been replaced
        self.snapshot_ready.emit(snapshot)
        if snapshot.divergence is not None:
            self.diverged.emit(snapshot.divergence.message)

    def _on_finished(self, run_id: int) -> None:
        self._heard_from_process = True
        run = self._run
        if run is None or run_id != run.id:
            return  # an abandoned run's trainer: take_trainer discards it with the next one
        returned = self._worker.take_trainer(run_id)
        if returned is None:
            return  # an error, reported by failed()
        self._end_run()
        self._came_home(returned)
        self._adopt(returned)
        if run.shown:
            self.snapshot_ready.emit(self.trainer.snapshot())
        if not run.recalled and run.ends_training and self._wants_training:
            self._wants_training = False  # its step count was reached, or it diverged
            self.running_changed.emit(False)
        self._drain()

    def _on_failed(self, run_id: int, message: str) -> None:
        """The process died, stopped answering or raised: the run's trainer is lost, and
        ``self.trainer`` (the copy from before it) carries on."""
        run = self._run
        if run is None:
            return  # nothing was lost
        if run_id and run_id != run.id:
            return  # about a run that has been stopped or replaced
        if not run_id and self.sender() is not None and self.sender() is not self._worker:
            return  # a process given up or replaced already
        self._end_run()
        self._adopt(self.trainer)
        self.snapshot_ready.emit(self.trainer.snapshot())
        if self._wants_training:
            self._wants_training = False
            self.running_changed.emit(False)
        self.failed.emit(message)
        self._drain()
