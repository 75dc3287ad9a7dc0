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

from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import Dataset
from nnviz.core.engine import ops
from nnviz.core.engine.packed import PackedEngine, Work
from nnviz.core.engine.packing import (
    Level,
    PackingPlan,
    feature_union,
    spread_over,
    views_of,
)
from nnviz.core.io.weights_file import WeightsFile
from nnviz.core.model.network import MLP, parameter_views
from nnviz.core.model.optimizers import OPTIMIZERS, Optimizer
from nnviz.core.training.experiment import (
    batch_rng,
    build_network,
    dropout_rng,
    trainer_for,
)
from nnviz.core.training.history import HistoryEntry, LossHistory
from nnviz.core.training.protocol import Divergence, TrainerBase
from nnviz.core.training.sweep import SweepSnapshot
from nnviz.core.training.timeline import Moment, Timeline
from nnviz.core.training.trainer import Batches, Trainer, evaluate

SHARED = ("dataset", "samples", "noise", "test_fraction", "seed", "batch_size", "dtype", "preset")
"""Settings the networks of a sweep have in common (they train on the same batches)."""

@dataclass(frozen=True)
class SweepDivergence(Divergence):
    """Every network of a sweep has diverged (the last after ``step`` updates)."""

    @property
    def message(self) -> str:
        return (f"Every network in the sweep diverged (the last at step {self.step}); "
                "their last finite weights are kept. Try smaller learning rates.")


class SweepTrainer(PackingPlan, PackedEngine, TrainerBase):
    """Trains the networks of ``configs`` (same data, seed, dtype and batch size; any shapes)
    together.

    Offers what :func:`nnviz.core.training.trainer.train` needs: ``step``, ``record``,
    ``snapshot``, ``step_count`` and ``divergence``. A network whose loss stops being finite
    is stepped back to its last finite weights and frozen; the others go on. Its ``timeline``
    keeps moments of every network at once (the packed weights), as a lone trainer's does.
    """

    def __init__(self, configs: list[TrainingConfig], data: Dataset, *, log_every: int = 1,
                 history_capacity: int | None = None, timeline: Timeline | None = None, record: bool = True,
                 weights: WeightsFile | None = None):
        """``record``: evaluate every network at step 0 now (else at its first step or exact
        snapshot: the window leaves that work to the training process). ``weights``: every
        network starts from these (raises :class:`WeightsError` for one they do not fit)."""
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
        networks = [build_network(c, data, weights) for c in configs]
        self._inputs = feature_union([n.features for n in networks])
        self._batches = Batches(data, np.dtype(first.dtype), tuple(n.layer_sizes[-1] for n in networks),
                                first.batch_size, batch_rng(first), self._inputs)
        self._dropout_rng = dropout_rng(first)
        self.histories = [LossHistory(log_every, history_capacity) for _ in configs]
        self.speed: float | None = None  # steps a second in slow motion (see training.train); None: full speed
        self._figures: list[HistoryEntry] | None = None  # the last figures a snapshot evaluated afresh

        self.layer_sizes = [n.layer_sizes for n in networks]
        self._activations = [n.activations for n in networks]
        self._features = [n.features for n in networks]
        self._heads = [(n.output, n.loss) for n in networks]
        # As a lone Backprop does (ops.Head.shows_blowups), with any head whose loss does not show them.
        self._checks_weights = not all(ops.head(*head).shows_blowups for head in self._heads)
        self.params: list[np.ndarray] = []
        self._levels: list[Level] = []
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
        self._work: dict[int, Work] = {}  # per batch size
        self._indices: dict[int, tuple] = {}  # per head run: (a batch's index, where its true classes are)
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

    # Per-network settings, spread over each network's columns ---------------------------------
    def _set_rates(self) -> None:
        """Spread each network's lr, l2, momentum, optimiser and dropout over its parameters and
        units (a frozen one gets lr 0, as do the weights from features a network does not read)."""
        dtype = self._flat.dtype
        lr = np.array([c.lr for c in self.configs]) * ~self._frozen
        l2 = np.array([c.l2 for c in self.configs])
        momentum = np.array([c.momentum for c in self.configs])
        # Whole columns belong to one network, the zeros beside its blocks included (see _step_back).
        owner = np.zeros(len(self._flat), dtype=np.intp)
        penalised = np.zeros(len(self._flat), dtype=bool)  # weights, not biases
        learning = np.zeros(len(self._flat), dtype=bool)  # not a weight from a feature the network does not read
        owners, weights, learns = (views_of(a, self._shapes) for a in (owner, penalised, learning))
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
                         spread_over(rates, level.columns).astype(dtype) for level in self._levels]
        self._any_dropout = any(level_rates is not None for level_rates in self._dropout)  # read every step

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
            batch = self._batches.next()
            if self._any_dropout:
                self._draw_masks(self._work_for(len(batch.inputs)))
            while (losses := self._forward_backward(batch)) is not None:
                if self._diverged([int(i) for i in self._lost(losses)]):
                    return done
            self._update()
            self.step_count += 1
            if self.histories[0].wants(self.step_count) and not self.record():
                return done + 1
            if self.step_count >= self.timeline.next_step:
                self.keep_moment()
        return count

    # Divergence (see TrainerBase) --------------------------------------------------------------
    _run_divergence = SweepDivergence

    def _learning_rates(self) -> list[float]:
        return [c.lr for c in self.configs]

    def _training(self) -> list[bool]:
        return list(~self._frozen)

    def _step_back(self, lost: list[int], divergences: list[Divergence]) -> bool:
        """Freeze the networks numbered in ``lost``: return them to their previous weights and
        stop training them (the others go on)."""
        rates = views_of(self._lr, self._shapes)  # the optimisers' own (spreading them anew takes long)
        for i, divergence in zip(lost, divergences):
            self.divergences[i] = divergence
            for param, index in self._places[i]:
                # Its whole columns: beside its block they should hold zeros, but an overflowing
                # update (0 * inf) may have left NaN there, which its neighbours would read.
                columns = (..., index[-1])
                if self.step_count:
                    self.params[param][columns] = self._spare[param][columns]
                rates[param][columns] = 0  # it learns no more
                for optimizer in self._optimizers.values():
                    for buffer in optimizer.state.values():
                        views_of(buffer, self._shapes)[param][columns] = 0
        self._frozen[lost] = True
        self.mend_timeline()
        return not self._frozen.all()

    # The timeline (see TrainerBase) ------------------------------------------------------------
    def _flat_weights(self) -> np.ndarray:
        return self._flat

    def _optimizer_list(self) -> list[Optimizer]:
        return list(self._optimizers.values())  # every rule steps every parameter

    def _dropout_generator(self) -> np.random.Generator:
        return self._dropout_rng

    def _histories(self) -> list[LossHistory]:
        return self.histories

    def _evaluate_all(self) -> list[HistoryEntry]:
        return self.evaluate()

    def _went_back(self, moment: Moment) -> None:
        """A network that diverged since trains again."""
        self._flat_spare[...] = moment.weights  # a network diverging at once keeps these
        self.divergences = self._divergences_at(moment.step)
        self._frozen = np.array([d is not None for d in self.divergences])
        self._set_rates()

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
                kept = views_of(moment.weights, self._shapes)
                for param, index in self._places[i]:
                    kept[param][..., index[-1]] = self.params[param][..., index[-1]]

    def _divergences_at(self, step: int) -> list[Divergence | None]:
        return [d if d is not None and d.step <= step else None for d in self.divergences]

    def snapshot_at(self, moment: Moment) -> SweepSnapshot:
        """What a viewer shows of ``moment``: every network then, its figures then, and the
        whole histories."""
        packed = views_of(moment.weights, self._shapes)
        networks = [MLP(p[0::2], p[1::2], self._activations[i], self._features[i], *self._heads[i])
                    for i, p in enumerate(self._unpack(packed, i) for i in range(len(self.configs)))]
        latest = [evaluate(n, self._batches, c.l2, moment.step) for n, c in zip(networks, self.configs)]
        return SweepSnapshot(moment.step, networks, [h.array() for h in self.histories], latest, 0.0,
                             self._divergences_at(moment.step), None, len(self.timeline))

    # Reporting ---------------------------------------------------------------------------------
    def _unpack(self, packed: list[np.ndarray], i: int) -> list[np.ndarray]:
        """Network ``i``'s ``[W1, b1, W2, b2, ...]`` cut out of packed arrays (copies)."""
        return [packed[param][index].copy() for param, index in self._places[i]]

    def network(self, i: int) -> MLP:
        """Network ``i`` unpacked (copies)."""
        parameters = self._unpack(self.params, i)
        return MLP(parameters[0::2], parameters[1::2], self._activations[i], self._features[i], *self._heads[i])

    def trainer(self, i: int) -> Trainer:
        """Network ``i`` as a lone :class:`Trainer` that carries on where the sweep is (weights,
        optimiser state, history, step, batch order, and its part of the timeline): exactly, but
        for its dropout masks, which a lone trainer draws differently."""
        config = self.configs[i]
        network = self.network(i)
        trainer = trainer_for(config, network, self.data, history=copy.deepcopy(self.histories[i]),
                              dropout_rng=copy.deepcopy(self._dropout_rng), step_count=self.step_count,
                              batches=self._batches.with_features(network.features), timeline=self.timeline_of(i))
        trainer.load_optimizer_state(self._lone_state_dict(network, self._optimizers[config.optimizer].state_dict(), i))
        return trainer

    def timeline_of(self, i: int) -> Timeline:
        """Network ``i``'s part of every moment kept, as a lone trainer's timeline: its weights,
        its update rule's state, and the batch and dropout generators (see :meth:`trainer`), so
        that a network taken out of the sweep can be replayed, and filmed, from step 0."""
        rule, template = self.configs[i].optimizer, self.network(i)
        timeline = Timeline(self.timeline.max_bytes, self.timeline.every)
        for moment in self.timeline.moments:
            weights = self._lone_flat(template, moment.weights, i)
            kept = [self._lone_state_dict(template, s, i) for s in moment.optimizers if s["rule"] == rule]
            timeline.keep(Moment(moment.step, weights, rule if kept else moment.optimizer, tuple(kept),
                                 moment.dropout_rng, moment.batches))
        return timeline

    def _lone_state_dict(self, template: MLP, state_dict: dict, i: int) -> dict:
        """Network ``i``'s part of an optimiser's state dict, as a lone network's optimiser has it."""
        return {**state_dict, "state": {name: self._lone_flat(template, buffer, i)
                                        for name, buffer in state_dict["state"].items()}}

    def _lone_flat(self, template: MLP, packed: np.ndarray, i: int) -> np.ndarray:
        """Network ``i``'s part of a flat packed vector (weights or an optimiser buffer), laid
        out as a lone network's flat vector (``template``'s)."""
        flat = np.empty_like(template.flat)
        for mine, sweeps in zip(parameter_views(flat, template.layer_sizes), self._unpack(views_of(packed, self._shapes), i)):
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
        lost = self._step_back_lost(entries)
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
        return {**{k: v for k, v in self.__dict__.items() if k not in views + scratch}, "_work": {}, "_indices": {}}

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
            latest = self._current_figures([h.last() for h in self.histories], exact)
        return SweepSnapshot(self.step_count, networks, [h.array() for h in self.histories], latest,
                             steps_per_second, list(self.divergences), self.divergence, len(self.timeline))
