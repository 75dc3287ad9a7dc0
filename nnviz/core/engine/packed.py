"""The packed sweep's step (see :mod:`nnviz.core.training.sweep_trainer`): buffers planned once per batch
size, then the forward and backward pass over the packed matrices, through the engine's
operations (:mod:`nnviz.core.engine.ops`), and the update."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.engine import ops
from nnviz.core.model.activations import ACTIVATIONS


@dataclass
class GroupWork:
    """A group's products for one batch size, as views into that size's buffers."""

    param: int
    inputs: np.ndarray | None  # its rows of the level's input (None: the batch itself, at level 0)
    outputs: np.ndarray  # its columns of the level's output
    delta: np.ndarray  # the loss's gradient w.r.t. them
    back: np.ndarray | None  # where the gradient w.r.t. its rows of units below goes
    hidden_rows: int | None  # rows of its matrix that read units below (None: all of them)
    mask: np.ndarray | None


@dataclass
class LevelWork:
    """A level's work for one batch size."""

    out: np.ndarray  # (n, units)
    delta: np.ndarray  # the loss's gradient w.r.t. the units
    inputs_copy: np.ndarray | None  # where the batch goes for networks starting at this level
    bias: int | None
    bias_out: np.ndarray
    bias_delta: np.ndarray
    activations: list[tuple]  # (activation, out, delta, scratch, kept, mask, sums) per run of columns
    groups: list[GroupWork]
    kept: np.ndarray | None  # the units' outputs before dropout (with dropout only)
    mask: np.ndarray | None  # each unit's dropout factor for this batch (with dropout only)
    draws: np.ndarray | None  # the uniform draws they come from


@dataclass
class HeadRun:
    """Neighbouring networks at the top with the same output units, loss and width: their
    outputs as one ``(n, networks, width)`` view, with its scratch."""

    output: str
    loss: str
    head: ops.Head  # their step's functions
    width: int
    networks: list[int]  # in column order
    scores: np.ndarray  # (n, networks, width)
    scratch: np.ndarray  # shaped like scores
    row_max: np.ndarray  # (n, networks)
    row_sum: np.ndarray
    picked: np.ndarray  # the probability of the true class, per sample and network (softmax, cross-entropy)


@dataclass
class Work:
    """Every buffer and view a step takes, for one batch size: made once, used every step."""

    levels: list[LevelWork]
    heads: list[HeadRun]
    ones: np.ndarray


class PackedEngine:
    """The stepping part of :class:`~nnviz.core.training.sweep_trainer.SweepTrainer`, on the layout
    :class:`~nnviz.core.engine.packing.PackingPlan` made."""

    def _work_for(self, n: int) -> Work:
        if n not in self._work:
            self._work[n] = self._plan(n)
        return self._work[n]

    def _plan(self, n: int) -> Work:
        dtype = self.params[0].dtype
        features = len(self._inputs) if self._inputs else self.data.columns  # what the batch's rows hold
        levels, below = [], None  # below: the full output buffer of the level below
        for level, above, rates in zip(self._levels, [*self._levels[1:], None], self._dropout):
            units = max(c.stop for c in level.columns.values())
            tail = features + 1 if above is not None and above.starts else 0
            full = np.empty((n, units + tail), dtype)
            out = full[:, :units]
            delta = np.empty((n, units), dtype) if above is not None else out  # the scores become their gradient
            scratch = np.empty((n, units), dtype)
            groups = []
            for g in level.groups:
                rows = self.params[g.param].shape[0]
                groups.append(GroupWork(
                    g.param, None if below is None else below[:, g.rows], out[:, g.cols], delta[:, g.cols],
                    levels[-1].delta[:, g.rows.start:g.rows.start + g.hidden_rows] if g.hidden_rows else None,
                    None if g.hidden_rows == rows else g.hidden_rows, g.mask))
            kept = None if rates is None else np.empty((n, units), dtype)
            mask = None if rates is None else np.empty((n, units), dtype)
            sums = np.empty((n, units), dtype) if any(ACTIVATIONS[name].reads_sums
                                                      for name, _ in level.activation_runs) else None
            activations = [(ACTIVATIONS[name], out[:, cols], delta[:, cols], scratch[:, cols],
                            None if kept is None else kept[:, cols], None if mask is None else mask[:, cols],
                            None if sums is None else sums[:, cols])
                           for name, cols in level.activation_runs]
            copy = below[:, below.shape[1] - features - 1:] if below is not None and level.starts else None
            levels.append(LevelWork(out, delta, copy, level.bias, out[:, :level.carried], delta[:, :level.carried],
                                     activations, groups, kept, mask, None if mask is None else np.empty_like(mask)))
            below = full
        return Work(levels, self._head_runs(levels[-1].out, scratch), np.ones(n, dtype))

    def _head_runs(self, out: np.ndarray, scratch: np.ndarray) -> list[HeadRun]:
        """The top level's columns cut into runs of networks with one output, loss and width."""
        columns, runs = self._levels[-1].columns, []
        for i in self._order:  # the top level's column order
            head = (*self._heads[i], columns[i].stop - columns[i].start)
            if runs and runs[-1][0] == head:
                runs[-1][1].append(i)
            else:
                runs.append((head, [i]))
        n, dtype = len(out), out.dtype
        heads = []
        for (output, loss, width), networks in runs:
            cols = slice(columns[networks[0]].start, columns[networks[-1]].stop)
            shape = (n, len(networks), width)
            heads.append(HeadRun(output, loss, ops.head(output, loss), width, networks, out[:, cols].reshape(shape),
                                 scratch[:, cols].reshape(shape), *(np.empty(shape[:2], dtype) for _ in range(3))))
        return heads

    def _forward_backward(self, batch) -> np.ndarray | None:
        """Gradients of every network's loss into ``self._grads`` for a :class:`Batch`. Returns None
        when every live network's loss and gradient are finite (as a lone network's
        :class:`~nnviz.core.model.network.Backprop` checks them), else each network's loss (inf
        where only its L2 term or gradient is not finite; no gradients)."""
        X = batch.inputs
        n, params, grads = len(X), self.params, self._grads
        work = self._work_for(n)
        self._last_batch_size = n
        for level in work.levels:
            if level.inputs_copy is not None:  # networks starting here read the batch after the units below
                np.copyto(level.inputs_copy, X)
            for g in level.groups:  # the biases of networks that began below are added for all at once
                ops.affine(X if g.inputs is None else g.inputs, params[g.param], g.outputs)
            if level.bias is not None:
                level.bias_out += params[level.bias]
            for activation, out, _, _, kept, mask, sums in level.activations:  # with dropout, the next level reads them dropped
                ops.hidden_forward(out, activation, mask, kept, sums)
        finite = True
        for k, run in enumerate(work.heads):
            run.head.forward(run.scores, run.row_max, run.row_sum)
            index = self._true_class_index(k, run, batch.index[run.width], n)
            finite &= run.head.finite(run.scores, batch.targets[run.width][:, None, :], index, run.picked, run.scratch)
        if not finite:
            losses = np.empty(len(self.configs))
            for k, run in enumerate(work.heads):
                index = self._true_class_index(k, run, batch.index[run.width], n)
                losses[run.networks] = ops.loss_values(run.output, run.loss, run.scores,
                                                       batch.targets[run.width][:, None, :], index, run.picked, axis=0)
            if not np.isfinite(losses[~self._frozen]).all():
                return losses
        if (self._checks_weights and self._any_l2 and not math.isfinite(self._flat.dot(self._flat))  # rare: each network's then
                and (lost := self._unbounded_penalties())):
            return self._infinite_losses(lost)

        any_frozen = self._frozen.any()
        for run in work.heads:
            run.head.delta(run.scores, batch.targets[run.width][:, None, :], run.scratch, run.row_sum)
            if any_frozen:  # a diverged network learns no more: its gradient, zero, cannot overflow into others'
                run.scores[:, self._frozen[run.networks]] = 0
        for level in reversed(work.levels):
            for activation, out, delta, scratch, kept, mask, sums in level.activations:  # delta came from above
                ops.hidden_backward(delta, activation, out if kept is None else kept, scratch, mask, sums)
            if level.bias is not None:
                ops.bias_gradient(level.bias_delta, work.ones, grads[level.bias])
            for g in level.groups:
                gradient = ops.weight_gradient(X if g.inputs is None else g.inputs, g.delta, grads[g.param])
                if g.mask is not None:
                    gradient *= g.mask  # each network's weights only see its own units
                if g.back is not None:
                    weights = params[g.param] if g.hidden_rows is None else params[g.param][:g.hidden_rows]
                    ops.input_gradient(g.delta, weights, g.back)
        if self._any_l2:
            ops.add_l2_gradient(self._flat_grads, self._flat, self._l2, self._flat_scratch)  # weights only
        if self._checks_weights and not math.isfinite(self._flat_grads.sum()) and (lost := self._unbounded_gradients()):
            return self._infinite_losses(lost)
        return None

    def _infinite_losses(self, lost: list[int]) -> np.ndarray:
        """Losses that say networks ``lost`` diverged (see :meth:`_lost`)."""
        losses = np.zeros(len(self.configs))
        losses[lost] = np.inf
        return losses

    def _unbounded_penalties(self) -> list[int]:
        """Live networks whose L2 term is not finite, worked out as :meth:`MLP.penalty` does."""
        return [i for i, (config, places) in enumerate(zip(self.configs, self._places))
                if not self._frozen[i] and config.l2 and not math.isfinite(
                    0.5 * config.l2 * float(sum(np.vdot(w, w) for w in (self.params[p][at] for p, at in places[0::2]))))]

    def _unbounded_gradients(self) -> list[int]:
        """Live networks whose gradient is not finite: those of the layer nearest the output
        where one is not. Below it, through the zeros of a shared matrix (0 * inf), the
        networks beside them have NaN gradients too, and must not be blamed for it."""
        layers = [len(places) // 2 for places in self._places]
        for depth in range(max(layers)):  # 0: the output layers
            lost = [i for i, places in enumerate(self._places) if not self._frozen[i] and depth < layers[i]
                    and not all(math.isfinite(self._grads[p][..., at[-1]].sum())  # its whole columns
                                for p, at in places[2 * (layers[i] - 1 - depth):][:2])]
            if lost:
                return lost
        return []

    def _true_class_index(self, k: int, run: HeadRun, flat_index: np.ndarray | None, n: int) -> np.ndarray | None:
        """Positions in head run ``k``'s flattened scores of each sample's true class, for every
        network of the run (``flat_index``: the batch's, for one network; None for regression)."""
        if flat_index is None:
            return None
        made = self._indices.get(k)
        if made is None or made[0] is not flat_index:
            m, c = len(run.networks), run.width
            rows = np.arange(n)
            y = flat_index - rows * c
            made = self._indices[k] = (flat_index, (rows * m * c)[:, None] + (np.arange(m) * c)[None, :] + y[:, None])
        return made[1]

    def _lost(self, losses: np.ndarray) -> np.ndarray:
        """Live networks to freeze after a non-finite loss. A network whose own hidden units
        overflowed comes first: through the zeros of a shared block-diagonal matrix (0 * inf)
        it makes its neighbours' losses NaN too, and they must not be blamed for it."""
        levels = zip(self._levels[:-1], self._work[self._last_batch_size].levels)
        overflowed = {i for level, work in levels for i, cols in level.columns.items()
                      if not self._frozen[i] and not np.isfinite(work.out[:, cols]).all()}
        if overflowed:
            return np.array(sorted(overflowed))
        return np.flatnonzero(~np.isfinite(losses) & ~self._frozen)

    def _draw_masks(self, work: Work) -> None:
        """Fresh dropout factors for every level with dropout, from the run's generator."""
        for level, rates in zip(work.levels, self._dropout):
            if rates is not None:
                ops.draw_dropout(self._dropout_rng, rates, level.draws, level.mask)

    def _update(self) -> None:
        if not self._rule_masks:  # one optimiser for every network
            next(iter(self._optimizers.values())).update(self._flat, self._flat_grads, out=self._flat_spare)
        else:  # each rule steps every parameter; each network takes its own rule's step
            for rule, optimizer in self._optimizers.items():
                optimizer.update(self._flat, self._flat_grads, out=self._flat_scratch)
                np.copyto(self._flat_spare, self._flat_scratch, where=self._rule_masks[rule])
        # The new weights went into the spare vector, which keeps the previous ones.
        self._flat, self._flat_spare = self._flat_spare, self._flat
        self.params, self._spare = self._spare, self.params
