"""The training set as a run serves it: whole or as shuffled mini-batches, in the engine's
input layout with the targets each output layer needs, and scored (loss and accuracy, or R²)
through the engine's forward."""

from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np

from nnviz.core.data.datasets import Dataset
from nnviz.core.engine.ops import forward_inputs, target_matrix
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP
from nnviz.core.model.scoring import Scoring, scoring_key
from nnviz.core.training.history import HistoryEntry


class Batch(NamedTuple):
    """One step's training points: ``inputs`` as the engine reads them, and by output width the
    ``targets`` (:func:`~nnviz.core.engine.ops.target_matrix`) and ``index`` (each true class's
    place in the flattened outputs; None for regression)."""

    inputs: np.ndarray
    targets: dict[int, np.ndarray]
    index: dict[int, np.ndarray | None]


class Batches:
    """The training set in the network's dtype, served whole or as shuffled mini-batches.

    Each epoch draws a fresh permutation from ``rng``; a step takes the next
    ``batch_size`` rows (``None`` or a size of at least the set: the whole set every step).
    ``X`` holds the points, and the batches their input ``features`` (None: the points).
    ``widths``: the output layers' widths the targets are laid out for (a sweep's may differ).
    """

    def __init__(self, data: Dataset, dtype, widths: int | tuple[int, ...], batch_size: int | None,
                 rng: np.random.Generator, features: tuple[str, ...] | None = None):
        self.X = np.ascontiguousarray(data.X_train, dtype=dtype)
        self.inputs = forward_inputs(expand(self.X, features))  # what the engine's forward reads
        self.features = features
        self.y = data.y_train
        self.X_test = np.ascontiguousarray(data.X_test, dtype=dtype)
        self.y_test = data.y_test
        self.regression = data.regression
        self.batch_size = batch_size
        self.rng = rng
        self.widths = (widths,) if isinstance(widths, int) else tuple(sorted(set(widths)))
        self._whole = Batch(self.inputs, {w: target_matrix(self.y, w, dtype) for w in self.widths},
                            {w: self._index(self.y, w) for w in self.widths})
        self._row_starts: dict[int, dict] = {}
        self._order = np.arange(len(self.y))
        self._cursor = len(self.y)  # forces a shuffle before the first mini-batch
        self._scorings: dict[tuple, Scoring] = {}  # (test?, network shape): the last two evaluated

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_scorings": {}}  # buffers, rebuilt on demand

    def scores(self, network: MLP, l2: float, test: bool = False) -> tuple[float, float]:
        """Loss (with the L2 term) and accuracy of ``network`` on the training set (or the test set)."""
        key = (test, scoring_key(network))
        scoring = self._scorings.get(key)
        if scoring is None:
            if len(self._scorings) >= 2:  # one network's two sets: a sweep's many shapes are not all kept
                self._scorings.clear()
            X, y = (self.X_test, self.y_test) if test else (self.X, self.y)
            # The training set's inputs are at hand when the network reads the features they hold
            # (a lone trainer's always): the whole set is not laid out twice (MNIST's is 220 MB).
            held = not test and network.features == self.features and network.dtype == self.X.dtype
            scoring = self._scorings[key] = Scoring(network, X, y, self.inputs if held else None, self.regression)
        return scoring.of(network, l2)

    def state(self) -> dict:
        """What a run file needs to continue the batch order exactly."""
        return {"order": self._order, "cursor": self._cursor, "rng": self.rng.bit_generator.state}

    def with_features(self, features: tuple[str, ...] | None) -> Batches:
        """A copy serving the same points in the same order, as the input ``features`` (with a
        copy of the generator, so both go on alike)."""
        data = Dataset("", self.X, self.y, self.X_test, self.y_test, task="regression" if self.regression else "classification")
        batches = Batches(data, self.X.dtype, self.widths, self.batch_size, copy.deepcopy(self.rng), features)
        batches.restore(self._order.copy(), self._cursor)
        return batches

    def restore(self, order: np.ndarray, cursor: int) -> None:
        """Continue a batch order saved by :meth:`state` (the generator is restored by the caller)."""
        if sorted(order.tolist()) != list(range(len(self.y))) or not 0 <= cursor <= len(self.y):
            raise ValueError("the mini-batch order does not fit the training set")
        self._order, self._cursor = np.asarray(order, dtype=np.int64), cursor

    def next(self) -> Batch:
        """The next step's :class:`Batch`."""
        n = len(self.y)
        if self.batch_size is None or self.batch_size >= n:
            return self._whole
        if self._cursor + self.batch_size > n:
            self._order = self.rng.permutation(n)
            self._cursor = 0
        rows = self._order[self._cursor : self._cursor + self.batch_size]
        self._cursor += self.batch_size
        y = self.y[rows]
        if len(rows) not in self._row_starts:  # each row's first place in the flattened outputs (this size's only)
            self._row_starts = {len(rows): {w: self._index(np.zeros(len(rows), np.int64), w) for w in self.widths}}
        starts = self._row_starts[len(rows)]
        return Batch(self.inputs[rows], {w: t[rows] for w, t in self._whole.targets.items()},
                     {w: None if first is None else first + y for w, first in starts.items()})

    def upcoming_rows(self) -> np.ndarray:
        """The training rows :meth:`next` will serve, without serving them (a shuffle that is due
        is drawn from a copy of the generator, so the run's own draws are untouched)."""
        n = len(self.y)
        if self.batch_size is None or self.batch_size >= n:
            return np.arange(n)
        order, cursor = self._order, self._cursor
        if cursor + self.batch_size > n:
            order, cursor = copy.deepcopy(self.rng).permutation(n), 0
        return order[cursor : cursor + self.batch_size]

    def _index(self, y: np.ndarray, width: int) -> np.ndarray | None:
        return None if self.regression or width == 1 else np.arange(len(y)) * width + y


def evaluate(network: MLP, batches: Batches, l2: float, step: int) -> HistoryEntry:
    """Loss and accuracy of ``network`` on the training and test sets."""
    loss, accuracy = batches.scores(network, l2)
    if len(batches.y_test):
        test_loss, test_accuracy = batches.scores(network, l2, test=True)
    else:
        test_loss = test_accuracy = math.nan
    return HistoryEntry(step, loss, accuracy, test_loss, test_accuracy)
