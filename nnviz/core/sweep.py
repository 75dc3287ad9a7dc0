"""Several networks trained together on the same data, in one vectorised computation.

The hidden layers of all networks sit side by side in one wide matrix and the output layer
is block-diagonal, so one step of the whole sweep costs a few large array operations
instead of a few small ones per network. Each network's columns only ever meet its own
data: its gradient, and so its trajectory, is the one it would have trained alone (up to
the order in which floating-point sums are added).
"""

from __future__ import annotations

import copy
import csv
from dataclasses import dataclass

import numpy as np

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.experiment import batch_rng, build_network
from nnviz.core.files import write_atomically
from nnviz.core.history import HistoryEntry, LossHistory
from nnviz.core.network import MLP
from nnviz.core.training import Batches, Divergence, Trainer, evaluate

SWEEP_SETTINGS = ("hidden", "lr", "l2", "activation", "momentum")
MAX_NETWORKS = 16
TUTORIAL_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)


@dataclass(frozen=True)
class Sweep:
    """One setting of ``base`` taking each of ``values`` in turn."""

    base: TrainingConfig
    setting: str
    values: tuple

    def configs(self) -> list[TrainingConfig]:
        """One validated config per value; raises :class:`ConfigError` for a bad list."""
        if self.setting not in SWEEP_SETTINGS:
            raise ConfigError(f"a sweep varies one of {', '.join(SWEEP_SETTINGS)}; got {self.setting!r}")
        if not self.values:
            raise ConfigError("a sweep needs at least one value")
        if len(self.values) > MAX_NETWORKS:
            raise ConfigError(f"a sweep trains at most {MAX_NETWORKS} networks; got {len(self.values)} values")
        if len(set(self.values)) != len(self.values):
            duplicate = next(v for v in self.values if self.values.count(v) > 1)
            raise ConfigError(f"{self.setting} value {duplicate} appears twice in the sweep")
        return [self.base.replace(**{self.setting: value}).validated() for value in self.values]

    def label(self, value) -> str:
        """How a value is shown: "3 hidden", "lr 0.1", "relu"."""
        if self.setting == "hidden":
            return f"{value} hidden"
        if self.setting == "activation":
            return str(value)
        return f"{self.setting} {value:g}"


@dataclass(frozen=True)
class SweepSnapshot:
    """Copies of every network's state at one step (safe to hand to another thread)."""

    step: int
    networks: list[MLP]
    histories: list[np.ndarray]
    latest: list[HistoryEntry]
    steps_per_second: float
    divergences: list[Divergence | None]
    divergence: Divergence | None = None  # set only when every network has diverged


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
        self._blocks = [slice(e - h, e) for h, e in zip(self.hidden, ends)]
        total, k, c = int(ends[-1]), len(networks), self.classes
        # Packed parameters: the hidden biases ride as the last row of W1 (inputs get a column
        # of ones), so one product does both; W2 (total, k*c) is block-diagonal; b2 (k*c,).
        self.params = [
            np.concatenate([np.vstack([n.weights[0], n.biases[0]]) for n in networks], axis=1),
            np.zeros((total, k * c), dtype),
            np.concatenate([n.biases[1] for n in networks]),
        ]
        for i, (n, block) in enumerate(zip(networks, self._blocks)):
            self.params[1][block, i * c : (i + 1) * c] = n.weights[1]
        self._with_ones: tuple[np.ndarray, np.ndarray] | None = None  # (X, X with ones) cache
        self._mask = _block_mask(self._blocks, k, c, total).astype(dtype)
        self._spare = [p.copy() for p in self.params]
        self._velocity = [np.zeros_like(p) for p in self.params]
        self._grads = [np.empty_like(p) for p in self.params]
        self._scratch = [np.empty_like(p) for p in self.params]
        self._buffers: dict[int, _SweepBuffers] = {}
        self._activations = [(ACTIVATIONS[cfg.activation], block) for cfg, block in zip(configs, self._blocks)]
        self._single_activation = len({cfg.activation for cfg in configs}) == 1
        self._frozen = np.zeros(k, dtype=bool)
        self._set_rates()
        self.record()

    # Per-network settings, spread over each network's columns ---------------------------------
    def _set_rates(self) -> None:
        dtype = self.params[0].dtype
        live = ~self._frozen
        lr = np.array([c.lr for c in self.configs]) * live
        l2 = np.array([c.l2 for c in self.configs])
        momentum = np.array([c.momentum for c in self.configs])
        per_hidden = lambda values: np.repeat(values, self.hidden).astype(dtype)
        per_output = lambda values: np.repeat(values, self.classes).astype(dtype)
        weight_rows = np.ones((self.params[0].shape[0], 1), dtype)
        weight_rows[-1] = 0  # the bias row of W1 is not penalised
        self._lr = [per_hidden(lr), per_output(lr), per_output(lr)]
        self._l2 = [weight_rows * per_hidden(l2), per_output(l2), None]
        self._momentum = [per_hidden(momentum), per_output(momentum), per_output(momentum)]
        self._any_momentum = bool(momentum.any())

    # Stepping ----------------------------------------------------------------------------------
    def step(self, count: int = 1) -> int:
        """Run ``count`` updates of every live network; returns the updates done (fewer only
        when every network has diverged)."""
        for done in range(count):
            X, targets, flat_index = self._batches.next()
            losses = self._forward_backward(X, targets, flat_index)
            bad = ~np.isfinite(losses) & ~self._frozen
            if bad.any():
                self._freeze(np.flatnonzero(bad))
                if self._frozen.all():
                    self.divergence = self.divergences[int(np.flatnonzero(bad)[0])]
                    return done
                self._forward_backward(X, targets, flat_index)  # again, without the lost networks
            self._update()
            self.step_count += 1
            if self.histories[0].wants(self.step_count):
                self.record()
        return count

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

    def _forward_backward(self, X, targets, flat_index) -> np.ndarray:
        """Gradients of every network's loss into ``self._grads``; returns each mean cross-entropy."""
        W1, W2, b2 = self.params
        n, k, c = len(X), len(self.configs), self.classes
        buf = self._buffers_for(n)
        X = self._append_ones(X)
        hidden = buf.hidden
        np.matmul(X, W1, out=hidden)
        if self._single_activation:
            self._activations[0][0].forward(hidden)
        else:
            for activation, block in self._activations:
                activation.forward(hidden[:, block])
        logits = buf.logits
        np.matmul(hidden, W2, out=logits)
        logits += b2
        probs = logits.reshape(n, k, c)
        _softmax_last_axis(probs, buf.row_max, buf.row_sum)
        # Probability of the true class, per sample and network: p . one-hot, column by column.
        picked = buf.picked
        np.multiply(probs[..., 0], targets[:, :1], out=picked)
        for j in range(1, c):
            picked += probs[..., j] * targets[:, j : j + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.log(picked, out=picked)
        losses = -picked.sum(axis=0) / n
        if not np.isfinite(losses[~self._frozen]).all():
            return losses

        probs -= targets[:, None, :]
        probs *= 1.0 / n
        delta = logits  # (n, k*c), now the loss gradient w.r.t. the logits
        g1, g2, gb2 = self._grads
        np.matmul(hidden.T, delta, out=g2)
        g2 *= self._mask  # each network's output weights only see its own hidden units
        np.matmul(buf.ones, delta, out=gb2)
        back = buf.back
        np.matmul(delta, W2.T, out=back)
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
        return losses

    def _append_ones(self, X: np.ndarray) -> np.ndarray:
        if self._with_ones is None or self._with_ones[0] is not X:
            self._with_ones = (X, np.column_stack([X, np.ones(len(X), X.dtype)]))
        return self._with_ones[1]

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

    def _freeze(self, lost: np.ndarray) -> None:
        """Return the networks numbered in ``lost`` to their previous weights and stop training them."""
        for i in lost:
            self.divergences[i] = Divergence(self.step_count, self.configs[i].lr)
            cols, outs = self._blocks[i], slice(i * self.classes, (i + 1) * self.classes)
            indices = (np.s_[:, cols], np.s_[:, outs], outs)
            if self.step_count:
                for p, s, index in zip(self.params, self._spare, indices):
                    p[index] = s[index]
            for v, index in zip(self._velocity, indices):
                v[index] = 0
        self._frozen[lost] = True
        self._set_rates()

    # Reporting ---------------------------------------------------------------------------------
    def _unpack(self, packed: list[np.ndarray], i: int) -> list[np.ndarray]:
        """Network ``i``'s ``[W1, b1, W2, b2]`` cut out of packed arrays (copies)."""
        W1, W2, b2 = packed
        block, outs = self._blocks[i], slice(i * self.classes, (i + 1) * self.classes)
        return [W1[:-1, block].copy(), W1[-1, block].copy(), W2[block, outs].copy(), b2[outs].copy()]

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
        """Append every network's figures to its history."""
        for history, entry in zip(self.histories, self.evaluate()):
            history.append(entry)
        return True

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


def _softmax_last_axis(z: np.ndarray, row_max: np.ndarray, row_sum: np.ndarray) -> np.ndarray:
    """Softmax over the short last axis of ``z`` in place, built class by class (numpy
    reduces along a short last axis slowly)."""
    columns = [z[..., j] for j in range(z.shape[-1])]
    np.copyto(row_max, columns[0])
    for column in columns[1:]:
        np.maximum(row_max, column, out=row_max)
    z -= row_max[..., None]
    np.exp(z, out=z)
    np.copyto(row_sum, columns[0])
    for column in columns[1:]:
        row_sum += column
    z /= row_sum[..., None]
    return z


def _block_mask(blocks: list[slice], k: int, c: int, total: int) -> np.ndarray:
    mask = np.zeros((total, k * c), dtype=bool)
    for i, block in enumerate(blocks):
        mask[block, i * c : (i + 1) * c] = True
    return mask


CSV_COLUMNS = ("setting", "value", "step", "loss", "train_accuracy", "test_loss", "test_accuracy", "diverged_at_step")


def sweep_rows(sweep: Sweep, snapshot: SweepSnapshot) -> list[dict]:
    """Each network's final figures, one dict per value (in the order asked for)."""
    rows = []
    for value, entry, divergence in zip(sweep.values, snapshot.latest, snapshot.divergences):
        figures = entry.as_dict()
        rows.append({"setting": sweep.setting, "value": value, **figures,
                     "diverged_at_step": divergence.step if divergence else None})
    return rows


def write_sweep_csv(path, sweep: Sweep, snapshot: SweepSnapshot) -> None:
    """Write :func:`sweep_rows` as CSV (atomically; raises :class:`SaveError`)."""
    write_rows_csv(path, sweep_rows(sweep, snapshot))


def write_rows_csv(path, rows: list[dict]) -> None:
    """Write rows with :data:`CSV_COLUMNS` as CSV, atomically (None becomes an empty cell)."""

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})

    write_atomically(path, write)
