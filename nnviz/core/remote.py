"""Training in another process, so the window and the training loop each get a core of
their own instead of taking turns on Python's global interpreter lock.

:func:`serve` runs in the child. It receives whole :class:`Trainer` objects (they pickle),
trains them with :func:`train`, sends snapshots back, and returns the trainer when the run
ends, so ownership of the trainer passes back and forth and nothing is shared.

Messages to the child: ``("run", run_id, trainer, steps, interval)``, ``("set", settings)``,
``("data", dataset)`` (train on these points from now on), ``("stop",)``, ``("quit",)``. From
the child: ``("snapshot", run_id, TrainingSnapshot)``, ``("done", run_id, trainer)`` (``trainer`` is None after an error),
``("error", run_id, message)``.
"""

from __future__ import annotations

from multiprocessing.connection import Connection

from nnviz.core.training import LIVE_SETTINGS, Trainer, train


def apply_settings(trainer: Trainer, settings: dict) -> None:
    """Change settings that apply without a new network (see :data:`LIVE_SETTINGS`)."""
    for name, value in settings.items():
        if name not in LIVE_SETTINGS:
            raise ValueError(f"{name!r} cannot change during training")
        setattr(trainer, name, value)


def serve(commands: Connection, results: Connection) -> None:
    """The child's loop: obey ``commands`` until "quit" or until the parent goes away."""
    pending = None  # a command that arrived during a run and ended it
    while True:
        if pending is not None:
            message, pending = pending, None
        else:
            try:
                message = commands.recv()
            except (EOFError, OSError):
                return
        if message[0] == "quit":
            return
        if message[0] != "run":
            continue  # a late "set", "data" or "stop" for a run that already ended
        _, run_id, trainer, steps, interval = message
        try:
            pending = _run(trainer, run_id, steps, interval, commands, results)
        except (BrokenPipeError, EOFError):
            return  # the parent went away (killed, say): nobody to report to
        except Exception as error:  # noqa: BLE001 (any failure is reported, never raised into the void)
            results.send(("error", run_id, f"{type(error).__name__}: {error}"))
            trainer = None  # possibly half-updated: the parent keeps its own copy instead
        results.send(("done", run_id, trainer))


def _run(trainer: Trainer, run_id: int, steps, interval: float, commands: Connection, results: Connection):
    """Train and stream snapshots until done or told otherwise; returns a command that
    ended the run early and still needs handling ("quit" or another "run"), else None."""
    for snapshot in train(trainer, steps, interval):
        results.send(("snapshot", run_id, snapshot))
        while commands.poll():
            message = commands.recv()
            if message[0] == "set":
                apply_settings(trainer, message[1])
            elif message[0] == "data":
                trainer.replace_data(message[1])
            elif message[0] == "stop":
                return None
            elif message[0] in ("quit", "run"):
                return message
    return None
