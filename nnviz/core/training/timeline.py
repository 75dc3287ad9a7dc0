"""A run's timeline: copies of the network (and of what training needs to go on from there)
at moments spread over the run, dense early and sparser later, in bounded memory.

The moments are every step at first, then log-spaced (each gap a twentieth of the step it
follows), then regular (at most ``every`` steps apart): learning is fastest at the start, so
that is where a replay needs the most frames. When the moments hold more than ``max_bytes``,
every second one after the first few is dropped and ``every`` doubles, so the run stays
covered evenly however long it trains. The bound holds unless two moments exceed it (a sweep
of sixteen networks of six layers of 200 with Adam in float64: 74 MB a moment): then the
first and the latest are kept.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nnviz.core.training.protocol import TrainerLike

MAX_BYTES = 100 * 2**20  # at six layers of 200 units (0.8 MB of float32 weights, SGD): 64 to 128 moments
EVERY = 1000  # the widest gap between moments at first, in steps
LOG_GAP = 0.05  # early on, a moment each time the step count grows by 5%
KEEP_FIRST = 8  # moments never thinned (fewer if they would fill a quarter of the bound): the very first steps


@dataclass(frozen=True, eq=False)
class Moment:
    """The run at one step: the weights, and the state training goes on from there with."""

    step: int
    weights: np.ndarray  # the network's flat parameters, a copy
    optimizer: str  # the update rule then (a sweep's rules, joined by commas)
    optimizers: tuple[dict, ...] = ()  # each rule's Optimizer.state_dict() (none: not kept)
    dropout_rng: dict | None = None  # the generators' states (None: not kept, as in older run files)
    batches: dict | None = None  # Batches.state(): order, cursor, rng

    @property
    def optimizer_steps(self) -> int:
        """Updates since the optimiser's state was last reset (every rule steps alike)."""
        return self.optimizers[0]["steps"] if self.optimizers else 0

    @property
    def optimizer_state(self) -> dict[str, np.ndarray]:
        """The buffers of a lone run's rule, by name ({} when not kept)."""
        return {name: buffer for kept in self.optimizers for name, buffer in kept["state"].items()}

    @property
    def nbytes(self) -> int:
        return self.weights.nbytes + sum(b.nbytes for kept in self.optimizers for b in kept["state"].values())

    @property
    def resumable(self) -> bool:
        """Whether training can go on from here exactly as it did (or only from the weights)."""
        return self.dropout_rng is not None and self.batches is not None


class Timeline:
    """The moments of one run, in step order (see the module docstring)."""

    def __init__(self, max_bytes: int = MAX_BYTES, every: int = EVERY):
        self.max_bytes, self.every = max_bytes, every
        self.moments: list[Moment] = []
        self.next_step = 0  # the first step not yet due a moment
        self._bytes = 0

    def __len__(self) -> int:
        return len(self.moments)

    @property
    def nbytes(self) -> int:
        return self._bytes

    @property
    def steps(self) -> list[int]:
        return [m.step for m in self.moments]

    def schedule(self) -> Timeline:
        """An empty timeline that keeps moments where this one would next (what a run takes
        to the training process, rather than every moment so far: see :func:`come_home`)."""
        timeline = Timeline(self.max_bytes, self.every)
        timeline.next_step = self.next_step
        return timeline

    def merge(self, returned: Timeline, step: int) -> None:
        """Take back the moments of a run that ended at ``step``, kept in ``returned`` (its
        :meth:`schedule`): they replace those here from their first step on, and moments after
        ``step`` go (a divergence stepped back over them)."""
        first = returned.moments[0].step if returned.moments else step + 1
        self.cut_after(min(step, first - 1))
        self.extend(returned.moments)

    def due(self, step: int) -> bool:
        """Whether a moment at ``step`` should be kept."""
        return step >= self.next_step

    def keep(self, moment: Moment) -> None:
        """Add ``moment`` (later than the last), thinning the timeline if it is over its bound."""
        if self.moments and moment.step <= self.moments[-1].step:
            self.cut_after(moment.step - 1)  # the run went back (a divergence stepped back over it)
        self.moments.append(moment)
        self._bytes += moment.nbytes
        self.next_step = self._after(moment.step)
        while self._bytes > self.max_bytes and len(self.moments) > 2:
            self._thin()

    def _after(self, step: int) -> int:
        return step + max(1, min(int(step * LOG_GAP), self.every))

    def extend(self, moments) -> None:
        """Keep each of ``moments`` that is later than the last kept."""
        for moment in moments:
            if not self.moments or moment.step > self.moments[-1].step:
                self.keep(moment)

    def _thin(self) -> None:
        kept = min(KEEP_FIRST, max(1, self.max_bytes // (4 * self.moments[-1].nbytes)))
        first, rest = self.moments[:kept], self.moments[kept:]
        self.moments = first + rest[::-1][::2][::-1]  # every second one, counted back from the last
        self._bytes = sum(m.nbytes for m in self.moments)
        self.every *= 2

    def nearest(self, step: int) -> Moment | None:
        """The moment closest to ``step`` (the earlier on a tie); None when there is none."""
        return self.moments[self.index_of(step)] if self.moments else None

    def index_of(self, step: int) -> int:
        """The position of the moment closest to ``step`` (the earlier on a tie); needs one."""
        steps = self.steps
        i = bisect.bisect_left(steps, step)
        if i == len(steps) or (i > 0 and step - steps[i - 1] <= steps[i] - step):
            i -= 1
        return i

    def cut_after(self, step: int) -> None:
        """Forget the moments after ``step`` (the run goes on from there instead)."""
        self.moments = [m for m in self.moments if m.step <= step]
        self._bytes = sum(m.nbytes for m in self.moments)
        self.next_step = self._after(self.moments[-1].step) if self.moments else 0


def come_home(home: Timeline, trainer: TrainerLike) -> None:
    """``trainer`` is back from a run that took ``home``'s :meth:`~Timeline.schedule`: ``home``
    takes the run's moments and is the trainer's timeline again, which the trainer then mends
    (a sweep's network frozen at a moment kept before the run)."""
    home.merge(trainer.timeline, trainer.step_count)
    trainer.timeline = home
    trainer.mend_timeline()
