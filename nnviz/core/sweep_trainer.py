"""Training the networks of a sweep together: a few large array operations per layer instead of
a few small ones per network and layer.

The networks are packed level by level: level ``l`` holds every network's ``l``-th weight
layer. At level 0 every network reads the same inputs, so the first layers sit side by side in
one matrix. Deeper, each network reads its own previous layer, so the matrices of neighbouring
networks form block-diagonal matrices (one per group of networks, so that a large network's
zeros are not multiplied for the sake of small ones). The networks are ordered deepest first:
at each level, those that end there come last, and their class scores go to a buffer of their
own beside the hidden units of the networks that go on.

Each network's columns only ever meet its own: its gradient, and so its trajectory, is the one
it would have trained alone (up to the order in which floating-point sums are added), except
that dropout masks are drawn for the whole sweep at once (from a generator of their own, so the
batches stay those of a lone run).

Networks with different input features read the union of their features; the weights from a
feature a network does not read stay zero (their learning rate is 0).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.experiment import batch_rng, build_network, dropout_rng
from nnviz.core.features import DEFAULT_FEATURES, FEATURES
from nnviz.core.history import HistoryEntry, LossHistory
from nnviz.core.network import MLP, parameter_views, softmax_by_class
from nnviz.core.optimizers import OPTIMIZERS, Optimizer
from nnviz.core.sweep import SweepSnapshot
from nnviz.core.timeline import Moment, Timeline
from nnviz.core.training import Batches, Divergence, Trainer, evaluate

SHARED = ("dataset", "samples", "noise", "test_fraction", "seed", "batch_size", "dtype", "preset")
"""Settings the networks of a sweep have in common (they train on the same batches)."""

GROUP_COST = 1_000_000
"""What one more block-diagonal matrix costs a step (a few numpy calls), in multiply-adds of
its products. Both scale with the machine alike, so the grouping does not depend on its speed."""


@dataclass(frozen=True)
class SweepDivergence(Divergence):
    """Every network of a sweep has diverged (the last after ``step`` updates)."""

    @property
    def message(self) -> str:
        return (f"Every network in the sweep diverged (the last at step {self.step}); "
                "their last finite weights are kept. Try smaller learning rates.")


@dataclass
class _Group:
    """Neighbouring networks whose weights at one level share the matrix ``params[param]``,
    which maps columns ``rows`` of the level's input to columns ``cols`` of its output.
    The first ``hidden_rows`` rows read units of the level below; any others read the inputs
    (with their column of ones), for networks that start at this level. ``blocks[k]`` is
    network ``networks[k]``'s part of the matrix; ``mask`` is 1 on the blocks (None when
    they fill it)."""

    networks: list[int]
    rows: slice
    cols: slice
    hidden_rows: int
    param: int
    blocks: list[tuple[slice, slice]]
    mask: np.ndarray | None


@dataclass
class _Level:
    """One weight layer of every network deep enough to reach it (networks end together)."""

    columns: dict[int, slice]  # network -> its output columns
    groups: list[_Group]
    bias: int | None  # params holding the biases of the networks that began below (first columns)
    carried: int  # how many columns those networks have (the others start here)
    starts: bool  # some network starts here, reading the inputs
    activation_runs: list[tuple[str, slice]]  # neighbouring columns with one activation (not at the top)


@dataclass
class _GroupWork:
    """A group's products for one batch size, as views into that size's buffers."""

    param: int
    inputs: np.ndarray | None  # its rows of the level's input (None: the batch itself, at level 0)
    outputs: np.ndarray  # its columns of the level's output
    delta: np.ndarray  # the loss's gradient w.r.t. them
    back: np.ndarray | None  # where the gradient w.r.t. its rows of units below goes
    hidden_rows: int | None  # rows of its matrix that read units below (None: all of them)
    mask: np.ndarray | None


@dataclass
class _LevelWork:
    """A level's work for one batch size."""

    out: np.ndarray  # (n, units)
    delta: np.ndarray  # the loss's gradient w.r.t. the units
    inputs_copy: np.ndarray | None  # where the batch goes for networks starting at this level
    bias: int | None
    bias_out: np.ndarray
    bias_delta: np.ndarray
    activations: list[tuple]  # (forward, derivative, out, delta, scratch, kept) per run of columns
    groups: list[_GroupWork]
    kept: np.ndarray | None  # the units' outputs before dropout (with dropout only)
    mask: np.ndarray | None  # each unit's dropout factor for this batch (with dropout only)


@dataclass
class _Work:
    """Every buffer and view a step takes, for one batch size: made once, used every step."""

    levels: list[_LevelWork]
    scores: np.ndarray  # (n, networks, classes), in the packing order
    row_max: np.ndarray
    row_sum: np.ndarray
    picked: np.ndarray  # the probability of the true class, per sample and network
    ones: np.ndarray


class SweepTrainer:
    """Trains the networks of ``configs`` (same data, seed, dtype and batch size; any shapes)
    together.

    Offers what :func:`nnviz.core.training.train` needs: ``step``, ``record``,
    ``snapshot``, ``step_count`` and ``divergence``. A network whose loss stops being finite
    is stepped back to its last finite weights and frozen; the others go on. Its ``timeline``
    keeps moments of every network at once (the packed weights), as a lone trainer's does.
    """

    def __init__(self, configs: list[TrainingConfig], data: Dataset, *, log_every: int = 1,
                 history_capacity: int | None = None, timeline: Timeline | None = None, record: bool = True):
        """``record``: evaluate every network at step 0 now (else at its first step or exact
        snapshot: the window leaves that work to the training process)."""
        first = configs[0]
        for config in configs[1:]:
            for name in SHARED:
                if getattr(config, name) != getattr(first, name):
                    raise ValueError(f"networks in a sweep share their {name}")
        self.configs = list(configs)
        self.data = data
        self.step_count = 0
        self.divergence: Divergence | None = None
        self.divergences: list[Divergence | None] = [None] * len(configs)
        self.classes = data.classes
        networks = [build_network(c, data.features, self.classes) for c in configs]
        self._inputs = _union([n.features for n in networks])
        self._batches = Batches(data, np.dtype(first.dtype), self.classes, first.batch_size, batch_rng(first),
                                self._inputs)
        self._dropout_rng = dropout_rng(first)
        self.histories = [LossHistory(log_every, history_capacity) for _ in configs]
        self.speed: float | None = None  # steps a second in slow motion (see training.train); None: full speed
        self._figures: list[HistoryEntry] | None = None  # the last figures a snapshot evaluated afresh

        self.layer_sizes = [n.layer_sizes for n in networks]
        self._activations = [n.activations for n in networks]
        self._features = [n.features for n in networks]
        self.params: list[np.ndarray] = []
        self._levels: list[_Level] = []
        self._order = self._pack(networks, first.batch_size or len(data.y_train))
        self._places = [self._places_of(i) for i in range(len(networks))]
        # Every packed array lives in one flat vector, so that L2 and the update are a few
        # whole-vector operations however many matrices a sweep of deep networks has.
        self._shapes = [p.shape for p in self.params]
        self._flat = np.concatenate([p.ravel() for p in self.params])
        self._flat_spare = self._flat.copy()  # the weights before the last update (or after the next)
        self._flat_grads = np.empty_like(self._flat)
        self._flat_scratch = np.empty_like(self._flat)
        self._make_views()
        self._work: dict[int, _Work] = {}  # per batch size
        self._index: np.ndarray | None = None  # where each true class is among the scores, for one batch
        self._index_for: np.ndarray | None = None
        self._last_batch_size = 0
        self._frozen = np.zeros(len(networks), dtype=bool)
        rules = sorted({c.optimizer for c in configs}, key=OPTIMIZERS.index)
        self._optimizers = {rule: Optimizer(rule, len(self._flat), self._flat.dtype, 0.0) for rule in rules}
        self._set_rates()
        self.timeline = timeline if timeline is not None else Timeline()
        if record:
            self.record()
        if not self.timeline.moments:
            self.keep_moment()

    # Packing -----------------------------------------------------------------------------------
    def _pack(self, networks: list[MLP], samples: int) -> list[int]:
        """Lay the networks out level by level, aligned at the top: a network of ``d`` weight
        layers starts at level ``L - d``, reading the inputs there. Returns the networks in
        the order their columns come (deepest first)."""
        depth = [len(n.weights) for n in networks]
        top = max(depth)
        order = sorted(range(len(networks)), key=lambda i: -depth[i])  # stable: ties in the sweep's order
        inputs = (len(self._inputs) if self._inputs else networks[0].layer_sizes[0]) + 1  # and the column of ones
        for level in range(top):
            present = [i for i in order if depth[i] >= top - level]
            starting = {i for i in present if depth[i] == top - level}
            widths = [self.classes if level == top - 1 else networks[i].weights[level - top + depth[i]].shape[1]
                      for i in present]
            columns = _columns(present, widths)
            below = self._levels[-1].columns if level else {}
            rows = {i: below[i] for i in present if i not in starting}
            groups = [self._group(run, rows, columns, inputs, networks, level - top)
                      for run in _runs(present, rows, columns, inputs, samples)]
            carried = sum(widths[k] for k, i in enumerate(present) if i not in starting)
            bias = None
            if carried:
                bias = len(self.params)
                self.params.append(np.concatenate([networks[i].biases[level - top + depth[i]]
                                                   for i in present if i not in starting]))
            runs = [] if level == top - 1 else _activation_runs(
                [(self._activations[i][level - top + depth[i]], columns[i]) for i in present])
            self._levels.append(_Level(columns, groups, bias, carried, bool(starting), runs))
        return order

    def _group(self, members, rows, columns, inputs, networks, from_top) -> _Group:
        """The shared matrix of ``members`` (a run of the level's networks) at the level
        ``-from_top`` levels below the top."""
        carried = [i for i in members if i in rows]
        starting = [i for i in members if i not in rows]
        first = rows[carried[0]].start if carried else 0
        hidden_rows = rows[carried[-1]].stop - first if carried else 0
        cols = slice(columns[members[0]].start, columns[members[-1]].stop)
        blocks = [(_shifted(rows[i], first), _shifted(columns[i], cols.start)) for i in carried]
        blocks += [(self._input_rows(networks[i], hidden_rows, inputs), _shifted(columns[i], cols.start))
                   for i in starting]
        below = max(c.stop for c in self._levels[-1].columns.values()) if self._levels else 0  # the inputs follow
        row_span = slice(first, first + hidden_rows) if not starting else \
            slice(first if carried else below, None)
        matrix = np.zeros((hidden_rows + (inputs if starting else 0), cols.stop - cols.start), networks[0].dtype)
        mask = None if len(members) == 1 or not carried else np.zeros_like(matrix)
        for i, block in zip(carried + starting, blocks):
            layer = len(networks[i].weights) + from_top
            matrix[block] = networks[i].first_layer if i in starting else networks[i].weights[layer]
            if mask is not None:
                mask[block] = 1
        self.params.append(matrix)
        order = carried + starting
        return _Group(order, row_span, cols, hidden_rows, len(self.params) - 1, blocks, mask)

    def _input_rows(self, network: MLP, first: int, inputs: int) -> slice | np.ndarray:
        """The rows of a group's matrix from ``first`` on that hold ``network``'s first layer: every
        input and the bias, or, where networks read different features, its features' and the bias."""
        if not self._inputs or network.features == self._inputs:
            return slice(first, first + inputs)
        own = network.features or DEFAULT_FEATURES
        return np.array([first + self._inputs.index(name) for name in own] + [first + inputs - 1])

    def _places_of(self, i: int) -> list[tuple[int, tuple]]:
        """Where network ``i``'s parameters live, in :meth:`MLP.parameters` order: pairs of
        an index into ``params`` and an index into that array."""
        places = []
        for level in self._levels:
            for group in level.groups:
                if i not in group.networks:
                    continue
                rows, cols = group.blocks[group.networks.index(i)]
                if isinstance(rows, np.ndarray):  # it starts here, reading some of the features
                    places += [(group.param, (rows[:-1], cols)), (group.param, (rows[-1], cols))]
                elif rows.start >= group.hidden_rows:  # it starts here: its biases are the last row
                    places += [(group.param, (slice(rows.start, rows.stop - 1), cols)), (group.param, (rows.stop - 1, cols))]
                else:
                    places += [(group.param, (rows, cols)), (level.bias, (level.columns[i],))]
        return places

    def _make_views(self) -> None:
        """The packed arrays as views into the flat vectors (again after unpickling)."""
        self.params, self._spare, self._grads = (
            _views(flat, self._shapes) for flat in (self._flat, self._flat_spare, self._flat_grads))

    # Per-network settings, spread over each network's columns ---------------------------------
    def _set_rates(self) -> None:
        """Spread each network's lr, l2, momentum, optimiser and dropout over its parameters and
        units (a frozen one gets lr 0, as do the weights from features a network does not read)."""
        dtype = self._flat.dtype
        lr = np.array([c.lr for c in self.configs]) * ~self._frozen
        l2 = np.array([c.l2 for c in self.configs])
        momentum = np.array([c.momentum for c in self.configs])
        # Whole columns belong to one network, the zeros beside its blocks included (see _freeze).
        owner = np.zeros(len(self._flat), dtype=np.intp)
        penalised = np.zeros(len(self._flat), dtype=bool)  # weights, not biases
        learning = np.zeros(len(self._flat), dtype=bool)  # not a weight from a feature the network does not read
        owners, weights, learns = (_views(a, self._shapes) for a in (owner, penalised, learning))
        for i, places in enumerate(self._places):
            for k, (param, index) in enumerate(places):
                owners[param][..., index[-1]] = i
                weights[param][index] = k % 2 == 0  # places alternate weights and biases
                learns[param][index] = True
        with np.errstate(over="ignore"):  # an lr beyond float32's range becomes inf: it diverges at once
            self._lr = (lr[owner] * learning).astype(dtype)
            self._momentum = momentum[owner].astype(dtype)
            self._l2 = (l2[owner] * penalised).astype(dtype)
        self._any_l2 = bool(l2.any())
        rules = np.array([c.optimizer for c in self.configs])  # per network: spread as masks, never as strings
        self._rule_masks = {rule: (rules == rule)[owner] for rule in self._optimizers} if len(self._optimizers) > 1 else {}
        for optimizer in self._optimizers.values():
            optimizer.lr = self._lr
            optimizer.momentum = self._momentum if momentum.any() else 0.0
        rates = np.array([c.dropout for c in self.configs])
        self._dropout = [None if not rates.any() or not level.activation_runs else
                         _spread(rates, level.columns).astype(dtype) for level in self._levels]

    # Stepping ----------------------------------------------------------------------------------
    def step(self, count: int = 1) -> int:
        """Run ``count`` updates of every live network; returns the updates done (fewer only
        when every network has diverged, none once they all have)."""
        if not len(self.histories[0]) and not self.record():  # step 0 not recorded yet
            return 0
        if self._frozen.all():
            return 0
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging network is dealt with below
            return self._steps(count)

    def _steps(self, count: int) -> int:
        for done in range(count):
            X, targets, flat_index = self._batches.next()
            if any(rates is not None for rates in self._dropout):
                self._draw_masks(self._work_for(len(X)))
            while (losses := self._forward_backward(X, targets, flat_index)) is not None:
                self._freeze(self._lost(losses))
                if self._frozen.all():
                    self.divergence = SweepDivergence(self.step_count, max(c.lr for c in self.configs))
                    return done
            self._update()
            self.step_count += 1
            if self.histories[0].wants(self.step_count) and not self.record():
                return done + 1
            if self.step_count >= self.timeline.next_step:
                self.keep_moment()
        return count

    def _work_for(self, n: int) -> _Work:
        if n not in self._work:
            self._work[n] = self._plan(n)
        return self._work[n]

    def _plan(self, n: int) -> _Work:
        dtype = self.params[0].dtype
        features = len(self._inputs) if self._inputs else self.data.features  # what the batch's rows hold
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
                groups.append(_GroupWork(
                    g.param, None if below is None else below[:, g.rows], out[:, g.cols], delta[:, g.cols],
                    levels[-1].delta[:, g.rows.start:g.rows.start + g.hidden_rows] if g.hidden_rows else None,
                    None if g.hidden_rows == rows else g.hidden_rows, g.mask))
            kept = None if rates is None else np.empty((n, units), dtype)
            activations = [(ACTIVATIONS[name].forward, ACTIVATIONS[name].derivative, out[:, cols], delta[:, cols],
                            scratch[:, cols], out[:, cols] if kept is None else kept[:, cols])
                           for name, cols in level.activation_runs]
            copy = below[:, below.shape[1] - features - 1:] if below is not None and level.starts else None
            levels.append(_LevelWork(out, delta, copy, level.bias, out[:, :level.carried], delta[:, :level.carried],
                                     activations, groups, kept, None if rates is None else np.empty((n, units), dtype)))
            below = full
        k = len(self.configs)
        return _Work(levels, levels[-1].out.reshape(n, k, self.classes), *(np.empty((n, k), dtype) for _ in range(3)),
                     np.ones(n, dtype))

    def _forward_backward(self, X, targets, flat_index) -> np.ndarray | None:
        """Gradients of every network's loss into ``self._grads``. Returns None when every
        loss is finite, else each network's mean cross-entropy (and no gradients)."""
        n, params, grads = len(X), self.params, self._grads
        work = self._work_for(n)
        self._last_batch_size = n
        for level in work.levels:
            if level.inputs_copy is not None:  # networks starting here read the batch after the units below
                np.copyto(level.inputs_copy, X)
            for g in level.groups:
                np.matmul(X if g.inputs is None else g.inputs, params[g.param], out=g.outputs)
            if level.bias is not None:
                level.bias_out += params[level.bias]
            for forward, _, out, *_ in level.activations:
                forward(out)
            if level.mask is not None:  # dropout: the next level reads the kept units, scaled
                np.copyto(level.kept, level.out)
                level.out *= level.mask
        scores = work.scores
        softmax_by_class(scores, work.row_max, work.row_sum)
        np.take(scores, self._true_class_index(flat_index, n), out=work.picked)
        if not work.picked.min() > 0:  # a zero or NaN probability: some loss is not finite
            losses = np.empty(len(self.configs))
            with np.errstate(divide="ignore", invalid="ignore"):
                losses[self._order] = -np.log(work.picked).sum(axis=0) / n
            if not np.isfinite(losses[~self._frozen]).all():
                return losses

        scores -= targets[:, None, :]  # the mean loss's gradient w.r.t. the scores: (probs - onehot) / n
        scores *= 1.0 / n
        for level in reversed(work.levels):
            if level.mask is not None:
                level.delta *= level.mask
            for _, derivative, _, delta, scratch, before_dropout in level.activations:  # delta came from above
                delta *= derivative(before_dropout, scratch)
            if level.bias is not None:
                np.matmul(work.ones, level.bias_delta, out=grads[level.bias])  # column sums, one BLAS call
            for g in level.groups:
                gradient = grads[g.param]
                np.matmul((X if g.inputs is None else g.inputs).T, g.delta, out=gradient)
                if g.mask is not None:
                    gradient *= g.mask  # each network's weights only see its own units
                if g.back is not None:
                    weights = params[g.param] if g.hidden_rows is None else params[g.param][:g.hidden_rows]
                    np.matmul(g.delta, weights.T, out=g.back)
        if self._any_l2:
            np.multiply(self._flat, self._l2, out=self._flat_scratch)
            self._flat_grads += self._flat_scratch  # + l2 * W, weights only
        return None

    def _true_class_index(self, flat_index: np.ndarray, n: int) -> np.ndarray:
        """Positions in the flattened scores of each sample's true class, for every network."""
        if self._index_for is not flat_index:
            k, c = len(self.configs), self.classes
            rows = np.arange(n)
            y = flat_index - rows * c
            self._index = (rows * k * c)[:, None] + (np.arange(k) * c)[None, :] + y[:, None]
            self._index_for = flat_index
        return self._index

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

    def _draw_masks(self, work: _Work) -> None:
        """Fresh dropout factors for every level with dropout, from the run's generator."""
        for level, rates in zip(work.levels, self._dropout):
            if rates is not None:
                draws = self._dropout_rng.random(level.mask.shape, dtype=level.mask.dtype)
                np.greater_equal(draws, rates, out=level.mask, casting="unsafe")
                level.mask /= 1 - rates

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

    def _freeze(self, lost: np.ndarray) -> None:
        """Return the networks numbered in ``lost`` to their previous weights and stop training them."""
        rates = _views(self._lr, self._shapes)  # the optimisers' own (spreading them anew takes long)
        for i in lost:
            self.divergences[i] = Divergence(self.step_count, self.configs[i].lr)
            for param, index in self._places[i]:
                # Its whole columns: beside its block they should hold zeros, but an overflowing
                # update (0 * inf) may have left NaN there, which its neighbours would read.
                columns = (..., index[-1])
                if self.step_count:
                    self.params[param][columns] = self._spare[param][columns]
                rates[param][columns] = 0  # it learns no more
                for optimizer in self._optimizers.values():
                    for buffer in optimizer.state.values():
                        _views(buffer, self._shapes)[param][columns] = 0
        self._frozen[lost] = True
        self.mend_timeline()

    # The timeline ------------------------------------------------------------------------------
    @property
    def _rules(self) -> str:
        return ",".join(self._optimizers)

    def keep_moment(self) -> None:
        """Keep every network as it is now in the timeline: the packed weights, each update
        rule's state, and the batch and dropout generators."""
        state = {f"{rule}/{name}": buffer.copy() for rule, optimizer in self._optimizers.items()
                 for name, buffer in optimizer.state.items()}
        steps = next(iter(self._optimizers.values())).steps  # every rule steps every parameter
        self.timeline.keep(Moment(self.step_count, self._flat.copy(), self._rules, state, steps,
                                  self._dropout_rng.bit_generator.state, self._batches.state()))

    def mend_timeline(self) -> None:
        """The moment of the step at which a network froze shows the weights it went back to
        (kept before the freeze was found, it holds those given up). A frozen network's weights
        stay as they are, so its part of the moment is copied from them."""
        moments = self.timeline.moments
        for i, divergence in enumerate(self.divergences):
            if divergence is None or not moments:
                continue
            moment = moments[self.timeline.index_of(divergence.step)]
            if moment.step == divergence.step:
                kept = _views(moment.weights, self._shapes)
                for param, index in self._places[i]:
                    kept[param][..., index[-1]] = self.params[param][..., index[-1]]

    def _divergences_at(self, step: int) -> list[Divergence | None]:
        return [d if d is not None and d.step <= step else None for d in self.divergences]

    def snapshot_at(self, moment: Moment) -> SweepSnapshot:
        """What a viewer shows of ``moment``: every network then, its figures then, and the
        whole histories."""
        packed = _views(moment.weights, self._shapes)
        networks = [MLP(p[0::2], p[1::2], self._activations[i], self._features[i])
                    for i, p in enumerate(self._unpack(packed, i) for i in range(len(self.configs)))]
        latest = [evaluate(n, self._batches, c.l2, moment.step) for n, c in zip(networks, self.configs)]
        return SweepSnapshot(moment.step, networks, [h.array() for h in self.histories], latest, 0.0,
                             self._divergences_at(moment.step), None, len(self.timeline))

    def go_back_to(self, moment: Moment) -> bool:
        """Carry on from ``moment``, forgetting what came after it (a network that diverged
        since trains again). True: exactly as the sweep went on from there (the optimisers'
        states, batch order and dropout generator were kept), False: from its weights."""
        self._flat[...] = moment.weights
        self._flat_spare[...] = moment.weights  # a network diverging at once keeps these
        self.step_count = moment.step
        for history in self.histories:
            history.cut_after(moment.step)
        self.timeline.cut_after(moment.step)
        self.divergences = self._divergences_at(moment.step)
        self._frozen = np.array([d is not None for d in self.divergences])
        self.divergence, self._figures = None, None
        self._set_rates()
        exact = moment.resumable and moment.optimizer == self._rules
        for rule, optimizer in self._optimizers.items():
            if exact:
                optimizer.restore({name: moment.optimizer_state[f"{rule}/{name}"] for name in optimizer.state},
                                  moment.optimizer_steps)
            else:
                optimizer.reset()
        if exact:
            self._dropout_rng.bit_generator.state = moment.dropout_rng
            self._batches.rng.bit_generator.state = moment.batches["rng"]
            self._batches.restore(moment.batches["order"], moment.batches["cursor"])
        if not len(self.histories[0]):
            self.record()
        return exact

    # Reporting ---------------------------------------------------------------------------------
    def _unpack(self, packed: list[np.ndarray], i: int) -> list[np.ndarray]:
        """Network ``i``'s ``[W1, b1, W2, b2, ...]`` cut out of packed arrays (copies)."""
        return [packed[param][index].copy() for param, index in self._places[i]]

    def network(self, i: int) -> MLP:
        """Network ``i`` unpacked (copies)."""
        parameters = self._unpack(self.params, i)
        return MLP(parameters[0::2], parameters[1::2], self._activations[i], self._features[i])

    def trainer(self, i: int) -> Trainer:
        """Network ``i`` as a lone :class:`Trainer` that carries on where the sweep is (weights,
        optimiser state, history, step, batch order, and its part of the timeline): exactly, but
        for its dropout masks, which a lone trainer draws differently."""
        config = self.configs[i]
        network = self.network(i)
        trainer = Trainer(
            network, self.data, lr=config.lr, l2=config.l2, momentum=config.momentum, optimizer=config.optimizer,
            dropout=config.dropout, batch_size=config.batch_size, history=copy.deepcopy(self.histories[i]),
            dropout_rng=copy.deepcopy(self._dropout_rng),
            step_count=self.step_count, batches=self._batches.with_features(network.features),
            timeline=self.timeline_of(i),
        )
        optimizer = self._optimizers[config.optimizer]
        for name, buffer in optimizer.state.items():
            for mine, sweeps in zip(trainer.optimizer_state(name), self._unpack(_views(buffer, self._shapes), i)):
                mine[...] = sweeps
        trainer.optimizer_steps = optimizer.steps
        return trainer

    def timeline_of(self, i: int) -> Timeline:
        """Network ``i``'s part of every moment kept, as a lone trainer's timeline: its weights,
        its update rule's state, and the batch and dropout generators (see :meth:`trainer`), so
        that a network taken out of the sweep can be replayed, and filmed, from step 0."""
        rule, template = self.configs[i].optimizer, self.network(i)
        keys = {name: f"{rule}/{name}" for name in self._optimizers[rule].state}  # as keep_moment names them
        timeline = Timeline(self.timeline.max_bytes, self.timeline.every)
        for moment in self.timeline.moments:
            weights = self._lone_flat(template, moment.weights, i)
            kept = all(key in moment.optimizer_state for key in keys.values())
            state = {name: self._lone_flat(template, moment.optimizer_state[key], i)
                     for name, key in keys.items()} if kept else {}
            timeline.keep(Moment(moment.step, weights, rule if kept else moment.optimizer, state,
                                 moment.optimizer_steps, moment.dropout_rng, moment.batches))
        return timeline

    def _lone_flat(self, template: MLP, packed: np.ndarray, i: int) -> np.ndarray:
        """Network ``i``'s part of a flat packed vector (weights or an optimiser buffer), laid
        out as a lone network's flat vector (``template``'s)."""
        flat = np.empty_like(template.flat)
        for mine, sweeps in zip(parameter_views(flat, template.layer_sizes), self._unpack(_views(packed, self._shapes), i)):
            mine[...] = sweeps
        return flat

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
            else:  # the weights it went back to
                entries[i] = evaluate(self.network(i), self._batches, self.configs[i].l2, self.step_count)
        self._figures = entries  # this step's: a snapshot need not evaluate them again
        return self.divergence is None

    def __getstate__(self) -> dict:
        # Scratch buffers are rebuilt on demand: do not ship them to the training process.
        # Views would arrive as copies: they are made again from the flat vectors.
        views = ("params", "_spare", "_grads")
        scratch = ("_flat_grads", "_flat_scratch")  # made again where it arrives
        return {**{k: v for k, v in self.__dict__.items() if k not in views + scratch}, "_work": {}, "_index": None,
                "_index_for": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._flat_grads, self._flat_scratch = np.empty_like(self._flat), np.empty_like(self._flat)
        self._make_views()

    def snapshot(self, steps_per_second: float = 0.0, exact: bool = True) -> SweepSnapshot:
        """Copies of every network and history; ``exact`` as for :meth:`Trainer.snapshot`."""
        if exact and not len(self.histories[0]):  # step 0's figures, not evaluated when it was made
            self.record()
        networks = [self.network(i) for i in range(len(self.configs))]
        if not len(self.histories[0]):  # nothing evaluated yet, nor asked for
            latest = [HistoryEntry(self.step_count, math.nan, math.nan, math.nan, math.nan)] * len(self.configs)
        else:
            logged = [h.last() for h in self.histories]
            figures = self._figures or logged
            latest = [max((a, b), key=lambda e: -1 if e is None else e.step) for a, b in zip(logged, figures)]
            if None in latest or (exact and any(e.step != self.step_count for e in latest)):
                latest = self._figures = self.evaluate()
        return SweepSnapshot(self.step_count, networks, [h.array() for h in self.histories], latest,
                             steps_per_second, list(self.divergences), self.divergence, len(self.timeline))


def _union(features: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """The input features a sweep's batches carry: every feature some network reads (None if
    every network reads the points as they are)."""
    if all(f is None for f in features):
        return None
    wanted = {name for f in features for name in (f or DEFAULT_FEATURES)}
    return tuple(name for name in FEATURES if name in wanted)


def _spread(values: np.ndarray, columns: dict[int, slice]) -> np.ndarray:
    """Each network's value over its columns of a level."""
    spread = np.zeros(max(c.stop for c in columns.values()))
    for i, cols in columns.items():
        spread[cols] = values[i]
    return spread


def _columns(networks: list[int], widths: list[int]) -> dict[int, slice]:
    """Consecutive column ranges, one per network, of the given widths."""
    ends = np.cumsum(widths, dtype=int).tolist()
    return {i: slice(end - width, end) for i, width, end in zip(networks, widths, ends)}


def _views(flat: np.ndarray, shapes: list[tuple]) -> list[np.ndarray]:
    """Consecutive pieces of ``flat`` in the given shapes (views, not copies)."""
    ends = np.cumsum([math.prod(shape) for shape in shapes]).tolist()
    return [flat[end - math.prod(shape):end].reshape(shape) for shape, end in zip(shapes, ends)]


def _shifted(columns: slice, start: int) -> slice:
    return slice(columns.start - start, columns.stop - start)


def _activation_runs(blocks: list[tuple[str, slice]]) -> list[tuple[str, slice]]:
    """Neighbouring blocks of columns with the same activation, merged (one call each)."""
    runs: list[tuple[str, slice]] = []
    for name, cols in blocks:
        if runs and runs[-1][0] == name and runs[-1][1].stop == cols.start:
            runs[-1] = (name, slice(runs[-1][1].start, cols.stop))
        else:
            runs.append((name, cols))
    return runs


def _runs(networks: list[int], rows: dict[int, slice], columns: dict[int, slice], inputs: int,
          samples: int) -> list[list[int]]:
    """Split a level's networks, in order, into runs that share one matrix, choosing the
    cheapest split by dynamic programming (at most 16 networks: instant). A matrix costs
    :data:`GROUP_COST` plus the multiply-adds of its three products, zeros included; networks
    without ``rows`` start at this level and all read the same ``inputs`` rows."""
    def cost(run: list[int]) -> float:
        height = sum(rows[i].stop - rows[i].start for i in run if i in rows)
        height += inputs if any(i not in rows for i in run) else 0
        width = sum(columns[i].stop - columns[i].start for i in run)
        return GROUP_COST + 3 * samples * height * width

    count = len(networks)
    best, cut = [0.0] + [math.inf] * count, [0] * (count + 1)
    for stop in range(1, count + 1):
        for start in range(stop):
            total = best[start] + cost(networks[start:stop])
            if total < best[stop]:
                best[stop], cut[stop] = total, start
    runs, stop = [], count
    while stop:
        runs.append(networks[cut[stop]:stop])
        stop = cut[stop]
    return runs[::-1]
