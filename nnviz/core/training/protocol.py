"""What every trainer offers (:class:`TrainerLike`: the lone :class:`~nnviz.core.training.trainer.Trainer`
and the packed :class:`~nnviz.core.training.sweep_trainer.SweepTrainer`), and the one implementation
of what they share (:class:`TrainerBase`): moments, going back to one, the snapshot's cached
figures, and what a divergence is and how a trainer steps back from one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from nnviz.core.model.optimizers import Optimizer
from nnviz.core.training.history import HistoryEntry, LossHistory
from nnviz.core.training.timeline import Moment, Timeline


@dataclass(frozen=True)
class Divergence:
    """The loss stopped being finite after ``step`` updates; weights of ``step - 1`` were kept."""

    step: int
    lr: float

    @property
    def message(self) -> str:
        return (
            f"Training diverged: the loss stopped being finite at step {self.step} "
            f"with learning rate {self.lr:g}; kept the last finite weights. Try a smaller learning rate."
        )


class TrainerLike(Protocol):
    """What :func:`nnviz.core.training.trainer.train`, the training process, replays and movies use of
    a trainer, lone or sweep."""

    step_count: int
    divergence: Divergence | None
    timeline: Timeline
    speed: float | None  # steps a second in slow motion; None: full speed

    def step(self, count: int = 1) -> int:
        """Up to ``count`` updates; how far ``step_count`` moved."""

    def record(self) -> bool:
        """Append the current figures to the history; False after a divergence."""

    def snapshot(self, steps_per_second: float = 0.0, exact: bool = True):
        """Copies of everything a viewer needs."""

    def snapshot_at(self, moment: Moment):
        """What a viewer shows of ``moment``."""

    def keep_moment(self) -> None:
        """Keep the run as it is now in the timeline."""

    def go_back_to(self, moment: Moment) -> bool:
        """Carry on from ``moment``; True if exactly as the run went on from there."""

    def mend_timeline(self) -> None:
        """Make the timeline agree with what a divergence found after its moments were kept."""


class TrainerBase:
    """The shared part of :class:`TrainerLike`. A subclass has ``step_count``, ``timeline``,
    ``divergence``, ``_figures`` (the last figures a snapshot evaluated afresh, one per network)
    and ``_batches``, and says where its weights, optimisers, generator and histories are, and
    how one of its networks steps back after a divergence."""

    _run_divergence = Divergence  # what ``divergence`` holds once no network trains any more

    step_count: int
    timeline: Timeline
    divergence: Divergence | None
    _figures: list[HistoryEntry] | None

    # What a subclass provides ---------------------------------------------------------------
    def _flat_weights(self) -> np.ndarray:
        """Every weight trained, as one flat vector (live)."""
        raise NotImplementedError

    def _optimizer_list(self) -> list[Optimizer]:
        raise NotImplementedError

    def _dropout_generator(self) -> np.random.Generator:
        raise NotImplementedError

    def _histories(self) -> list[LossHistory]:
        raise NotImplementedError

    def _evaluate_all(self) -> list[HistoryEntry]:
        """Every network's figures at the current step."""
        raise NotImplementedError

    def _went_back(self, moment: Moment) -> None:
        """What else going back to ``moment`` resets (called before the optimisers come back)."""

    def record(self) -> bool:
        raise NotImplementedError

    def _learning_rates(self) -> list[float]:
        """Each network's learning rate."""
        raise NotImplementedError

    def _training(self) -> list[bool]:
        """Which networks still train (one that diverged does not, until the run goes back)."""
        raise NotImplementedError

    def _step_back(self, lost: list[int], divergences: list[Divergence]) -> bool:
        """Return the networks numbered in ``lost`` (whose ``divergences`` these are) to their
        weights before the last update, where they stay; True if another network still trains."""
        raise NotImplementedError

    # Divergence (shared) ----------------------------------------------------------------------
    def _diverged(self, lost: list[int]) -> bool:
        """The networks numbered in ``lost`` gave a loss that is not finite at this step: each
        steps back and stops. True if none trains any more: then ``divergence`` says so."""
        step, rates = self.step_count, self._learning_rates()
        if self._step_back(lost, [Divergence(step, rates[i]) for i in lost]):
            return False
        self.divergence = self._run_divergence(step, max(rates))
        return True

    def _step_back_lost(self, entries: list[HistoryEntry]) -> list[int]:
        """The networks still training whose figures ``entries`` (one per network, of this step)
        are not finite, each stepped back (see :meth:`_diverged`)."""
        lost = [i for i, (entry, training) in enumerate(zip(entries, self._training()))
                if training and not math.isfinite(entry.loss)]
        if lost:
            self._diverged(lost)
        return lost

    # Shared ---------------------------------------------------------------------------------
    @property
    def _rules(self) -> str:
        return ",".join(o.rule for o in self._optimizer_list())

    def keep_moment(self) -> None:
        """Keep the run as it is now in the timeline: the weights, each update rule's state, and
        the batch and dropout generators."""
        self.timeline.keep(Moment(
            self.step_count, self._flat_weights().copy(), self._rules,
            tuple(o.state_dict() for o in self._optimizer_list()), self._dropout_generator().bit_generator.state,
            self._batches.state(),  # its order is replaced each epoch, never changed in place: no copy
        ))

    def mend_timeline(self) -> None:
        """Nothing to mend unless a subclass says so."""

    def go_back_to(self, moment: Moment) -> bool:
        """Carry on from ``moment``: its weights, and the optimisers' states and the batch and
        dropout order of then where they were kept for the rules in use now; what came after
        it is forgotten. True if training goes on exactly as it did from there, False if the
        optimisers start afresh (their state was not kept, or the rule has changed since)."""
        self._flat_weights()[...] = moment.weights
        self.step_count = moment.step
        for history in self._histories():
            history.cut_after(moment.step)
        self.timeline.cut_after(moment.step)
        self.divergence, self._figures = None, None
        self._went_back(moment)
        exact = moment.resumable and moment.optimizer == self._rules and bool(moment.optimizers)
        for i, optimizer in enumerate(self._optimizer_list()):
            if exact:
                optimizer.load_state_dict(moment.optimizers[i])
            else:
                optimizer.reset()
        if exact:
            self._dropout_generator().bit_generator.state = moment.dropout_rng
            self._batches.rng.bit_generator.state = moment.batches["rng"]
            self._batches.restore(moment.batches["order"], moment.batches["cursor"])
        if not len(self._histories()[0]):
            self.record()
        return exact

    def _current_figures(self, logged: list[HistoryEntry | None], exact: bool) -> list[HistoryEntry]:
        """Each network's newest figures, the history's (``logged``) or an earlier snapshot's;
        evaluated afresh when one has none, or when ``exact`` and they are not of this step
        (evaluating every point again costs as much as a step of a large network)."""
        figures = self._figures or [None] * len(logged)
        latest = [max((e for e in pair if e is not None), key=lambda e: e.step, default=None)
                  for pair in zip(logged, figures)]
        if None in latest or (exact and any(e.step != self.step_count for e in latest)):
            latest = self._figures = self._evaluate_all()
        return latest
