"""Training the networks of a sweep together, in one vectorised computation.

The hidden layers of all networks sit side by side in one wide matrix and the output layers
form block-diagonal matrices (one per group of neighbouring networks), so one step of the whole
sweep costs a few large array operations instead of a few small ones per network. Each
network's columns only ever meet its own data: its gradient, and so its trajectory, is the one
it would have trained alone (up to the order in which floating-point sums are added).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.experiment import batch_rng, build_network
from nnviz.core.history import HistoryEntry, LossHistory
from nnviz.core.network import MLP, softmax_by_class
from nnviz.core.sweep import SweepSnapshot
from nnviz.core.training import Batches, Divergence, Trainer, evaluate


@dataclass(frozen=True)
class SweepDivergence(Divergence):
    """Every network of a sweep has diverged (the last after ``step`` updates)."""

    @property
    def message(self) -> str:
        return (f"Every network in the sweep diverged (the last at step {self.step}); "
                "their last finite weights are kept. Try smaller learning rates.")


class SweepTrainer:
    """Trains the networks of ``configs`` (same data, seed, dtype and batch size) together.

    Offers what :func:`nnviz.core.training.train` needs: ``step``, ``record``,
    ``snapshot``, ``step_count`` and ``divergence``. A network whose loss stops being finite
    is stepped back to its last finite weights and frozen; the others go on.
    """

    def __init__(self, configs: list[TrainingConfig], data: Dataset, *, log_every: int = 1,
                 history_capacity: int | None = None):
        first = configs[0]
        shared = ("dataset", "samples", "noise", "test_fraction", "seed", "batch_size", "dtype", "preset")
        for config in configs[1:]:
            for name in shared:
                if getattr(config, name) != getattr(first, name):
                    raise ValueError(f"networks in a sweep share their {name}")
        self.configs = list(configs)
        self.data = data
        self.step_count = 0
        self.divergence: Divergence | None = None
        self.divergences: list[Divergence | None] = [None] * len(configs)
        dtype = np.dtype(first.dtype)
        self.classes = data.classes
        self._batches = Batches(data, dtype, self.classes, first.batch_size, batch_rng(first))
        self.histories = [LossHistory(log_every, history_capacity) for _ in configs]

        networks = [build_network(c, data.features, self.classes) for c in configs]
        self.hidden = np.array([n.layer_sizes[1] for n in networks])
        ends = np.cumsum(self.hidden)
        self._blocks = [slice(e - h, e) for h, e in zip(self.hidden, ends)]  # each network's hidden columns
        c = self.classes
        self._outputs = [slice(i * c, (i + 1) * c) for i in range(len(networks))]  # and its output columns
        samples = first.batch_size or len(data.y_train)
        splits = _output_groups(list(self.hidden), c, samples)
        self._groups = [_Group(self._blocks[start:stop], self._outputs[start:stop], dtype) for start, stop in splits]
        self._group_of = [g for g, (start, stop) in enumerate(splits) for _ in range(start, stop)]
        # Packed parameters: W1 with the hidden biases as its last row (the inputs come with a
        # column of ones, so one product does both), the output biases, then one block-diagonal
        # output matrix per group of networks.
        self.params = [
            np.concatenate([np.vstack([n.weights[0], n.biases[0]]) for n in networks], axis=1),
            np.concatenate([n.biases[1] for n in networks]),
        ]
        for group in self._groups:
            W2 = np.zeros((group.rows.stop - group.rows.start, group.cols.stop - group.cols.start), dtype)
            for block, outs in zip(group.blocks, group.outputs):
                W2[group.local(block, outs)] = networks[self._outputs.index(outs)].weights[1]
            self.params.append(W2)
        self._spare = [p.copy() for p in self.params]
        self._velocity = [np.zeros_like(p) for p in self.params]
        self._grads = [np.empty_like(p) for p in self.params]
        self._scratch = [np.empty_like(p) for p in self.params]
        self._buffers: dict[int, _SweepBuffers] = {}
        self._last_batch_size = 0
        self._index: np.ndarray | None = None  # positions of the true classes, for one batch
        self._index_for: np.ndarray | None = None
        self._activations = [(ACTIVATIONS[cfg.activation], block) for cfg, block in zip(configs, self._blocks)]
        self._single_activation = len({cfg.activation for cfg in configs}) == 1
        self._frozen = np.zeros(len(networks), dtype=bool)
        self._set_rates()
        self.record()

    # Per-network settings, spread over each network's columns ---------------------------------
    def _set_rates(self) -> None:
        """Spread each network's lr, l2 and momentum over its columns (a frozen one gets lr 0)."""
        dtype = self.params[0].dtype
        lr = np.array([c.lr for c in self.configs]) * ~self._frozen
        l2 = np.array([c.l2 for c in self.configs])
        momentum = np.array([c.momentum for c in self.configs])

        def per_hidden(values):
            return np.repeat(values, self.hidden).astype(dtype)

        def per_output(values):
            return np.repeat(values, self.classes).astype(dtype)

        weight_rows = np.ones((self.params[0].shape[0], 1), dtype)
        weight_rows[-1] = 0  # the bias row of W1 is not penalised
        groups = [g.cols for g in self._groups]
        with np.errstate(over="ignore"):  # an lr beyond float32's range becomes inf: it diverges at once
            self._lr = [per_hidden(lr), per_output(lr), *(per_output(lr)[cols] for cols in groups)]
            self._l2 = [weight_rows * per_hidden(l2), None, *(per_output(l2)[cols] for cols in groups)]
            self._momentum = [per_hidden(momentum), per_output(momentum), *(per_output(momentum)[cols] for cols in groups)]
        self._any_momentum = bool(momentum.any())

    # Stepping ----------------------------------------------------------------------------------
    def step(self, count: int = 1) -> int:
        """Run ``count`` updates of every live network; returns the updates done (fewer only
        when every network has diverged, none once they all have)."""
        if self._frozen.all():
            return 0
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging network is dealt with below
            return self._steps(count)

    def _steps(self, count: int) -> int:
        for done in range(count):
            X, targets, flat_index = self._batches.next()
            while (losses := self._forward_backward(X, targets, flat_index)) is not None:
                self._freeze(self._lost(losses))
                if self._frozen.all():
                    self.divergence = SweepDivergence(self.step_count, max(c.lr for c in self.configs))
                    return done
            self._update()
            self.step_count += 1
            if self.histories[0].wants(self.step_count) and not self.record():
                return done + 1
        return count

    def _lost(self, losses: np.ndarray) -> np.ndarray:
        """Live networks to freeze after a non-finite loss. A network whose own hidden units
        overflowed comes first: through the zeros of a shared output matrix (0 * inf) it makes
        its neighbours' losses NaN too, and they must not be blamed for it."""
        hidden = self._buffers[self._last_batch_size].hidden
        overflowed = [i for i, block in enumerate(self._blocks)
                      if not self._frozen[i] and not np.isfinite(hidden[:, block]).all()]
        if overflowed:
            return np.array(overflowed)
        return np.flatnonzero(~np.isfinite(losses) & ~self._frozen)

    def _buffers_for(self, n: int) -> _SweepBuffers:
        if n not in self._buffers:
            dtype, total, k, c = self.params[0].dtype, self.params[0].shape[1], len(self.configs), self.classes
            self._buffers[n] = _SweepBuffers(
                hidden=np.empty((n, total), dtype), back=np.empty((n, total), dtype),
                derivative=np.empty((n, total), dtype), logits=np.empty((n, k * c), dtype),
                row_max=np.empty((n, k), dtype), row_sum=np.empty((n, k), dtype),
                picked=np.empty((n, k), dtype), ones=np.ones(n, dtype),
            )
        return self._buffers[n]

    def _forward_backward(self, X, targets, flat_index) -> np.ndarray | None:
        """Gradients of every network's loss into ``self._grads``. Returns None when every
        loss is finite, else each network's mean cross-entropy (and no gradients)."""
        W1, b2, *W2s = self.params
        n, k, c = len(X), len(self.configs), self.classes
        buf = self._buffers_for(n)
        self._last_batch_size = n
        hidden = buf.hidden
        np.matmul(X, W1, out=hidden)
        if self._single_activation:
            self._activations[0][0].forward(hidden)
        else:
            for activation, block in self._activations:
                activation.forward(hidden[:, block])
        logits = buf.logits
        for group, W2 in zip(self._groups, W2s):
            np.matmul(hidden[:, group.rows], W2, out=logits[:, group.cols])
        logits += b2
        probs = softmax_by_class(logits.reshape(n, k, c), buf.row_max, buf.row_sum)
        picked = buf.picked  # probability of the true class, per sample and network
        np.take(logits, self._true_class_index(flat_index, n), out=picked)
        if not picked.min() > 0:  # a zero or NaN probability: some loss is not finite
            with np.errstate(divide="ignore", invalid="ignore"):
                losses = -np.log(picked).sum(axis=0) / n
            if not np.isfinite(losses[~self._frozen]).all():
                return losses

        probs -= targets[:, None, :]
        probs *= 1.0 / n
        delta = logits  # (n, k*c), now the loss gradient w.r.t. the logits
        g1, gb2, *gW2s = self._grads
        back = buf.back
        np.matmul(buf.ones, delta, out=gb2)
        for group, W2, gW2 in zip(self._groups, W2s, gW2s):
            np.matmul(hidden[:, group.rows].T, delta[:, group.cols], out=gW2)
            gW2 *= group.mask  # each network's output weights only see its own hidden units
            np.matmul(delta[:, group.cols], W2.T, out=back[:, group.rows])
        if self._single_activation:
            back *= self._activations[0][0].derivative(hidden, buf.derivative)
        else:
            for activation, block in self._activations:
                back[:, block] *= activation.derivative(hidden[:, block], buf.derivative[:, block])
        np.matmul(X.T, back, out=g1)  # the last row is the hidden biases' gradient
        for g, p, l2, scratch in zip(self._grads, self.params, self._l2, self._scratch):
            if l2 is not None:
                np.multiply(p, l2, out=scratch)
                g += scratch
        return None

    def _true_class_index(self, flat_index: np.ndarray, n: int) -> np.ndarray:
        """Positions in the flattened logits of each sample's true class, for every network."""
        if self._index_for is not flat_index:
            k, c = len(self.configs), self.classes
            rows = np.arange(n)
            y = flat_index - rows * c
            self._index = (rows * k * c)[:, None] + (np.arange(k) * c)[None, :] + y[:, None]
            self._index_for = flat_index
        return self._index

    def _update(self) -> None:
        for i, (p, g, s, scratch) in enumerate(zip(self.params, self._grads, self._spare, self._scratch)):
            np.multiply(g, self._lr[i], out=scratch)
            if self._any_momentum:
                v = self._velocity[i]
                v *= self._momentum[i]
                v -= scratch
                np.add(p, v, out=s)
            else:
                np.subtract(p, scratch, out=s)
        self.params, self._spare = self._spare, self.params

    def _places(self, i: int) -> list:
        """Where network ``i`` lives in each packed parameter (None where it does not)."""
        own = self._group_of[i]
        outs = self._groups[own].local(self._blocks[i], self._outputs[i])[1]
        places = [np.s_[:, self._blocks[i]], self._outputs[i]]
        return places + [np.s_[:, outs] if g == own else None for g in range(len(self._groups))]

    def _freeze(self, lost: np.ndarray) -> None:
        """Return the networks numbered in ``lost`` to their previous weights and stop training them."""
        for i in lost:
            self.divergences[i] = Divergence(self.step_count, self.configs[i].lr)
            for p, s, v, place in zip(self.params, self._spare, self._velocity, self._places(i)):
                if place is None:
                    continue
                if self.step_count:
                    p[place] = s[place]
                v[place] = 0
        self._frozen[lost] = True
        self._set_rates()

    # Reporting ---------------------------------------------------------------------------------
    def _unpack(self, packed: list[np.ndarray], i: int) -> list[np.ndarray]:
        """Network ``i``'s ``[W1, b1, W2, b2]`` cut out of packed arrays (copies)."""
        W1, b2, *W2s = packed
        block, outs, own = self._blocks[i], self._outputs[i], self._group_of[i]
        W2 = W2s[own][self._groups[own].local(block, outs)]
        return [W1[:-1, block].copy(), W1[-1, block].copy(), W2.copy(), b2[outs].copy()]

    def network(self, i: int) -> MLP:
        """Network ``i`` unpacked (copies)."""
        W1, b1, W2, b2 = self._unpack(self.params, i)
        return MLP([W1, W2], [b1, b2], self.configs[i].activation)

    def trainer(self, i: int) -> Trainer:
        """Network ``i`` as a lone :class:`Trainer` that carries on exactly where the sweep is
        (weights, velocity, history, step and batch order)."""
        config = self.configs[i]
        trainer = Trainer(
            self.network(i), self.data, lr=config.lr, l2=config.l2,
            momentum=config.momentum, batch_size=config.batch_size, history=copy.deepcopy(self.histories[i]),
            step_count=self.step_count, batches=copy.deepcopy(self._batches),
        )
        for mine, sweeps in zip(trainer.velocity, self._unpack(self._velocity, i)):
            mine[...] = sweeps
        return trainer

    def evaluate(self) -> list[HistoryEntry]:
        """Each network's figures at the current step."""
        return [evaluate(self.network(i), self._batches, c.l2, self.step_count) for i, c in enumerate(self.configs)]

    def record(self) -> bool:
        """Append every network's figures to its history. A live network whose loss on the
        whole training set is not finite is frozen at its previous weights first (as a lone
        trainer steps back); False if that leaves none training."""
        entries = self.evaluate()
        lost = [i for i, e in enumerate(entries) if not self._frozen[i] and not math.isfinite(e.loss)]
        if lost:
            self._freeze(np.array(lost))
            if self._frozen.all():
                self.divergence = SweepDivergence(self.step_count, max(c.lr for c in self.configs))
        for i, (history, entry) in enumerate(zip(self.histories, entries)):
            if i not in lost:
                history.append(entry)
        return self.divergence is None

    def __getstate__(self) -> dict:
        # Scratch buffers are rebuilt on demand: do not ship them to the training process.
        return {**self.__dict__, "_buffers": {}, "_index": None, "_index_for": None}

    def snapshot(self, steps_per_second: float = 0.0) -> SweepSnapshot:
        """Copies of every network and history."""
        networks = [self.network(i) for i in range(len(self.configs))]
        latest = self.evaluate()
        return SweepSnapshot(self.step_count, networks, [h.array() for h in self.histories], latest,
                             steps_per_second, list(self.divergences), self.divergence)


@dataclass
class _SweepBuffers:
    """Scratch arrays for one batch size."""

    hidden: np.ndarray
    back: np.ndarray
    derivative: np.ndarray
    logits: np.ndarray
    row_max: np.ndarray
    row_sum: np.ndarray
    picked: np.ndarray
    ones: np.ndarray


class _Group:
    """Networks next to each other that share one block-diagonal output matrix."""

    def __init__(self, blocks: list[slice], outputs: list[slice], dtype):
        self.blocks, self.outputs = blocks, outputs
        self.rows = slice(blocks[0].start, blocks[-1].stop)  # hidden columns, in the packed layout
        self.cols = slice(outputs[0].start, outputs[-1].stop)  # output columns
        self.mask = np.zeros((self.rows.stop - self.rows.start, self.cols.stop - self.cols.start), dtype)
        for block, outs in zip(blocks, outputs):
            self.mask[self.local(block, outs)] = 1

    def local(self, block: slice, outs: slice) -> tuple[slice, slice]:
        """A network's block within this group's output matrix."""
        return (slice(block.start - self.rows.start, block.stop - self.rows.start),
                slice(outs.start - self.cols.start, outs.stop - self.cols.start))


# A dense block-diagonal product spends time on its zeros; a separate product per group costs a
# call. Rough costs of one float32 multiply-add and of the three products of a group, measured
# on a 2-core x86 machine: enough to tell one big network from many small ones.
MULTIPLY_ADD_US = 2e-5
GROUP_CALLS_US = 7.5


def _output_groups(sizes: list[int], classes: int, samples: int) -> list[tuple[int, int]]:
    """Split networks, in order, into runs ``(start, stop)`` that share an output matrix,
    choosing the cheapest split by dynamic programming (at most 16 networks: instant)."""
    count = len(sizes)
    best, cut = [0.0] + [math.inf] * count, [0] * (count + 1)
    for stop in range(1, count + 1):
        for start in range(stop):
            rows, cols = sum(sizes[start:stop]), classes * (stop - start)
            cost = best[start] + GROUP_CALLS_US + 3 * rows * cols * samples * MULTIPLY_ADD_US
            if cost < best[stop]:
                best[stop], cut[stop] = cost, start
    groups, stop = [], count
    while stop:
        groups.append((cut[stop], stop))
        stop = cut[stop]
    return groups[::-1]
