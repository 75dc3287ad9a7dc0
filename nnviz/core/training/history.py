"""The loss history: every K steps (exact while short, evenly thinned once it reaches its
capacity), or dense early: every step at first, then sparser as the run grows, as the timeline
keeps moments (learning is fastest at the start, so that is where a loss curve needs its points)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIELDS = ("step", "loss", "train_accuracy", "test_loss", "test_accuracy")
R2_FIELDS = ("step", "loss", "train_r2", "test_loss", "test_r2")


def figure_names(regression: bool) -> tuple[str, ...]:
    """The history's column names, in :data:`FIELDS` order: a regression's accuracy columns hold
    R² and are named ``train_r2`` and ``test_r2`` (in --json, sweep and history CSV files alike)."""
    return R2_FIELDS if regression else FIELDS
DENSE_FIRST = 128
"""A dense-early history records steps 0 to 127 one by one, then 64 steps per doubling of the
step count: 128 to 255 every second step, 256 to 511 every fourth, and so on. Each gap is under
1/64 of its step, so the curve is smooth at any step on a linear axis, and the history stays
small however long the run: about 600 entries at 20,000 steps, 1,600 at 10**9."""


def dense_gap(step: int) -> int:
    """The gap between the steps a dense-early history records around ``step``: 1 below
    :data:`DENSE_FIRST`, doubling each time the step count doubles."""
    return 1 << max(0, int(step).bit_length() - DENSE_FIRST.bit_length() + 1)


@dataclass(frozen=True)
class HistoryEntry:
    """Figures at one step (``step`` = updates done). Test figures are NaN with no test set."""

    step: int
    loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float

    def row(self) -> tuple:
        """The entry as a history row, in :data:`FIELDS` order."""
        return self.step, self.loss, self.train_accuracy, self.test_loss, self.test_accuracy

    def as_dict(self) -> dict:
        """JSON-ready: NaN and infinities become None."""
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in self.__dict__.items()}


class LossHistory:
    """Records an entry every ``every`` steps; when ``capacity`` entries are held, drops every
    second one and doubles ``every``, so memory stays bounded however long training runs.

    ``capacity=None`` keeps every entry (the command line's ``--log-every`` contract).
    ``every=None`` records densely early instead (see :data:`DENSE_FIRST`; the command line's
    and the window's default): the steps recorded depend on the step alone, so a resumed run
    records what an unbroken one does, and the history stays small without thinning. A
    capacity still bounds it where entries come off the schedule too (the window's slow motion
    records every frame): thinning then keeps the steps that are multiples of a growing ``every``.
    """

    def __init__(self, every: int | None = 1, capacity: int | None = None):
        self.dense_early = every is None
        if self.dense_early:
            every = 1  # the finest gap; :meth:`wants` follows :func:`dense_gap`
        if every < 1:
            raise ValueError("every must be at least 1")
        if capacity is not None and capacity < 4:
            raise ValueError("capacity must be at least 4")
        self.every = every
        self.capacity = capacity
        self._rows = np.empty((capacity or 64, len(FIELDS)))
        self._count = 0

    @classmethod
    def from_array(cls, rows: np.ndarray, every: int, capacity: int | None, dense_early: bool = False) -> LossHistory:
        """A history holding ``rows`` (as returned by :meth:`array`); ``dense_early`` as
        :meth:`description` says (then ``every`` is not used)."""
        history = cls(None if dense_early else every, capacity)
        capacity = history.capacity
        if capacity is None:
            history._rows = np.empty((max(64, len(rows)), len(FIELDS)))
        elif len(rows) > capacity:
            raise ValueError(f"{len(rows)} history entries do not fit a capacity of {capacity}")
        history._rows[: len(rows)] = rows
        history._count = len(rows)
        return history

    def __len__(self) -> int:
        return self._count

    def description(self) -> dict:
        """How it records, for a run file: ``every`` and ``capacity``, and ``dense_early``
        when it records densely early (left out otherwise, so files are as before)."""
        return {"every": self.every, "capacity": self.capacity, **({"dense_early": True} if self.dense_early else {})}

    def wants(self, step: int) -> bool:
        """Whether ``step`` is one this history records."""
        return step % (dense_gap(step) if self.dense_early else self.every) == 0

    def scheduled(self) -> np.ndarray:
        """:meth:`array` without the entries recorded off the schedule (the last step of a run,
        figures of a moment shown): what an unbroken run would hold, which a resumed one must match."""
        rows = self.array()
        return rows[[self.wants(int(step)) for step in rows[:, 0]]] if self.dense_early else rows[rows[:, 0] % self.every == 0]

    def append(self, entry: HistoryEntry) -> None:
        """Add an entry; one not later than the last is left out (already recorded, as the last
        step of a run that is also a log step, or one a divergence stepped back past)."""
        if self._count and self._rows[self._count - 1, 0] >= entry.step:
            return
        if self._count == len(self._rows):
            if self.capacity is None:
                self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
            else:
                self._thin()
        self._rows[self._count] = entry.row()
        self._count += 1

    def rewrite(self, entry: HistoryEntry) -> None:
        """Record ``entry`` in place of the last one when it is of the same step (the weights of
        that step were set anew), else as :meth:`append` does."""
        if self._count and self._rows[self._count - 1, 0] == entry.step:
            self._rows[self._count - 1] = entry.row()
        else:
            self.append(entry)

    def _thin(self) -> None:
        """Make room. A dense-early history drops every second entry off its schedule (or, with
        none, every second entry), keeping the last; one of every K steps keeps the multiples
        of a doubled ``every``, as often as it takes to free a row (entries off its grid go first)."""
        rows = self._rows[: self._count]
        if self.dense_early:
            # Entries off the schedule (slow motion's frames) go first, every second one.
            off = np.flatnonzero([not self.wants(int(step)) for step in rows[:, 0]])
            keep = np.ones(len(rows), bool)
            keep[off[::2]] = False
            keep[-1] = True
            if keep.all():  # all on the schedule: every second entry
                keep[1::2] = False
                keep[-1] = True
        else:
            keep = np.zeros(len(rows), bool)
            while keep.all() or not keep.any():
                self.every *= 2
                keep = rows[:, 0] % self.every == 0
        kept = rows[keep]
        self._count = len(kept)
        self._rows[: self._count] = kept

    def cut_after(self, step: int) -> None:
        """Forget the entries after ``step`` (the run goes on from there instead)."""
        self._count = int(np.searchsorted(self._rows[: self._count, 0], step, side="right"))

    def array(self) -> np.ndarray:
        """A copy of the entries, shape ``(len, 5)``, columns in :data:`FIELDS` order."""
        return self._rows[: self._count].copy()

    def entries(self) -> list[HistoryEntry]:
        """The entries as objects."""
        return [HistoryEntry(int(r[0]), *map(float, r[1:])) for r in self._rows[: self._count]]

    def last(self) -> HistoryEntry | None:
        """The most recent entry, if any."""
        if not self._count:
            return None
        r = self._rows[self._count - 1]
        return HistoryEntry(int(r[0]), *map(float, r[1:]))


def write_history_csv(path, rows: np.ndarray, regression: bool = False) -> None:
    """Write history rows (as from :meth:`LossHistory.array`) as CSV with a header of
    :func:`figure_names` (R² named as such for a ``regression``), atomically."""
    from nnviz.core.io.atomic import write_atomically

    def write(tmp: str) -> None:
        with open(tmp, "w") as handle:
            handle.write(",".join(figure_names(regression)) + "\n")
            for row in rows:
                cells = [str(int(row[0]))] + ["" if np.isnan(v) else repr(float(v)) for v in row[1:]]
                handle.write(",".join(cells) + "\n")

    write_atomically(path, write)
