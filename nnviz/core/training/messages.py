"""The messages between the window and its training process, defined once for both ends.

The window (``nnviz.gui.process.worker``) sends :data:`Command` s; the training process
(:func:`nnviz.core.training.process.serve`) sends :data:`Report` s back. Each is a small frozen
dataclass that pickles as its class and fields, so a message costs a few bytes more than the
trainer or snapshot it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nnviz.core.data.datasets import Dataset
    from nnviz.core.training.trainer import TrainingSnapshot


# To the training process ------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """Train ``trainer`` (a Trainer or SweepTrainer; it pickles whole) for ``steps`` updates
    (None: until stopped), sending a snapshot at most every ``interval`` seconds."""

    run_id: int
    trainer: Any
    steps: int | None
    interval: float


@dataclass(frozen=True)
class Set:
    """Change live settings of the running trainer (see ``LIVE_SETTINGS``) or its ``speed``."""

    settings: dict[str, Any]


@dataclass(frozen=True)
class Data:
    """Train on these points from the next step on (the same run carries on)."""

    dataset: Dataset


@dataclass(frozen=True)
class Stop:
    """End the current run; its trainer comes back with :class:`Done`."""


@dataclass(frozen=True)
class Quit:
    """End the training process (after sending what is queued)."""


# From the training process ----------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """Where run ``run_id`` is now (a copy: nothing is shared with the trainer)."""

    run_id: int
    snapshot: TrainingSnapshot


@dataclass(frozen=True)
class Done:
    """Run ``run_id`` ended; here is its trainer, or None after an :class:`Error` (a trainer
    that failed half-way may be half-updated: the window keeps its own copy instead)."""

    run_id: int
    trainer: Any | None


@dataclass(frozen=True)
class Error:
    """Run ``run_id`` raised: ``message`` is the exception's type and text."""

    run_id: int
    message: str


Command = Run | Set | Data | Stop | Quit
Report = Snapshot | Done | Error
