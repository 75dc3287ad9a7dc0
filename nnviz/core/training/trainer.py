"""The training loop: a :class:`Trainer` that can be stepped from outside, and
:func:`train`, a generator that runs it and yields snapshot copies at a bounded rate."""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

from nnviz.core.analysis.layer_stats import LayerHistogram, weight_histograms
from nnviz.core.arithmetic.step import StepExplanation, explain_step
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import (
    MLP,
    Backprop,
    Dropout,
    parameter_views,
)
from nnviz.core.model.optimizers import Optimizer
from nnviz.core.model.outputs import classes_told
from nnviz.core.training.batches import Batches, evaluate
from nnviz.core.training.history import HistoryEntry, LossHistory
from nnviz.core.training.protocol import Divergence, TrainerBase, TrainerLike
from nnviz.core.training.timeline import Moment, Timeline

LIVE_SETTINGS = ("optimizer", "lr", "l2", "momentum", "dropout", "batch_size")
"""Settings of the training, not the network, so they apply without a new network (a new
optimiser starts from a fresh state)."""
# The most of its time a run spends on snapshots, and as much again on evaluating their figures
# (the loss on every point): at six layers of 200 units each costs as much as a training step,
# and 60 of both a second took a sixth of the time.
SNAPSHOT_SHARE = 0.1
FIGURES_INTERVAL = 0.1  # s at least between fresh figures; snapshots in between carry the newest ones
LONGEST_BETWEEN = 0.25  # s: commands (pause, settings) are read between snapshots, so never longer


@dataclass(frozen=True)
class TrainingSnapshot:
    """A self-contained copy of the training state, safe to hand to another thread."""

    step: int
    network: MLP
    history: np.ndarray  # rows of history.FIELDS
    latest: HistoryEntry
    steps_per_second: float
    divergence: Divergence | None
    gradient_rms: tuple[float, ...] = ()  # per weight layer, of the last step's gradient; () before one
    gradient_histograms: tuple[LayerHistogram, ...] = ()  # the same gradients' spread (of the last exact snapshot)
    moments: int = 0  # how many moments the trainer's timeline holds (in the process: those of this run)


@dataclass(frozen=True)
class TrainerState:
    """What a run file saves of a :class:`Trainer` besides its network, data and history."""

    previous: np.ndarray  # the weights before the last update (flat)
    optimizer: dict  # Optimizer.state_dict()
    has_previous: bool
    dropout_rng: dict  # the dropout generator's state
    order: np.ndarray  # this epoch's mini-batch order
    cursor: int  # where the next mini-batch starts in it
    rng: dict  # the batch shuffler's state


class Trainer(TrainerBase):
    """Owns a network, its data and optimiser; :meth:`step` advances training.

    ``network`` is replaced by another object at every update (the trainer alternates two
    networks so the previous weights stay at hand); take :meth:`snapshot` copies to keep one.

    ``step_count``, ``history`` and ``batches`` let a trainer carry on a run begun
    elsewhere (see :meth:`nnviz.core.training.sweep.SweepTrainer.trainer`).

    Settings ``optimizer`` (:data:`nnviz.core.model.optimizers.OPTIMIZERS`; a new one starts from a
    fresh state), ``lr``, ``l2``, ``momentum``, ``dropout`` and ``batch_size`` may change
    between steps. ``batch_size=None`` trains on the whole training set every step; otherwise
    each step takes the next batch of a fresh shuffle per epoch, drawn from ``rng``; dropout
    masks come from ``dropout_rng`` (a generator of their own, so that dropout does not change
    the batch order).
    """

    def __init__(
        self,
        network: MLP,
        data: Dataset,
        *,
        lr: float,
        l2: float = 0.0,
        momentum: float = 0.0,
        optimizer: str = "sgd",
        dropout: float = 0.0,
        batch_size: int | None = None,
        rng: np.random.Generator | None = None,
        dropout_rng: np.random.Generator | None = None,
        history: LossHistory | None = None,
        step_count: int = 0,
        batches: Batches | None = None,
        timeline: Timeline | None = None,
    ):
        self.network = network
        self.data = data
        self.l2 = l2
        self.step_count = step_count
        self.divergence: Divergence | None = None
        self.history = history if history is not None else LossHistory()
        self._optimizer = Optimizer(optimizer, network.flat.size, network.dtype, lr, momentum)
        self._dropout = Dropout(dropout, network.layer_sizes[1:-1], network.dtype,
                                dropout_rng or np.random.default_rng(1))
        self._backprop = Backprop(network)
        self._previous = network.copy()  # the weights before the last update (once there was one)
        self._has_previous = False
        self._has_gradient = False  # the backprop buffers hold a gradient (after the first step)
        self._data_replaced_at = -1
        self.speed: float | None = None  # steps a second in slow motion (see train()); None: full speed
        self._figures: list[HistoryEntry] | None = None  # the last figures a snapshot evaluated afresh
        self._gradient_histograms: tuple[LayerHistogram, ...] = ()  # of the last exact snapshot

        self._batches = batches or Batches(
            data, network.dtype, network.layer_sizes[-1], batch_size, rng or np.random.default_rng(0), network.features
        )
        self.timeline = timeline if timeline is not None else Timeline()
        if not len(self.history):
            self.record()
        if not self.timeline.moments:
            self.keep_moment()

    # Hyperparameters that apply live -------------------------------------------------------
    @property
    def optimizer(self) -> str:
        """The update rule's name; setting another starts it from a fresh state (the weights stay)."""
        return self._optimizer.rule

    @optimizer.setter
    def optimizer(self, rule: str) -> None:
        if rule != self._optimizer.rule:
            old = self._optimizer
            self._optimizer = Optimizer(rule, old.state_size, self.network.dtype, old.lr, old.momentum)

    @property
    def optimizer_steps(self) -> int:
        """Updates since the optimiser's state was last reset (Adam's bias correction counts them)."""
        return self._optimizer.steps

    @property
    def lr(self) -> float:
        return self._optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._optimizer.lr = value

    @property
    def momentum(self) -> float:
        return self._optimizer.momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._optimizer.momentum = value

    @property
    def dropout(self) -> float:
        return self._dropout.rate

    @dropout.setter
    def dropout(self, value: float) -> None:
        self._dropout.rate = value

    def replace_data(self, data: Dataset) -> None:
        """Train on ``data`` from the next step on (the user drew or removed points); the
        network, step count, history, optimiser state and batch settings carry on.

        ``data`` must have the network's inputs, its task and no more classes than it has.
        """
        sizes = self.network.layer_sizes
        classes = classes_told(sizes[-1])
        if (data.columns != self.network.point_dims or data.regression != self.data.regression
                or (not data.regression and data.classes > classes) or not len(data.y_train)):
            raise ValueError(f"the network ({self.network.point_dims} inputs, {classes} classes) "
                             "cannot train on these points")
        old = self._batches
        self._batches = Batches(data, self.network.dtype, sizes[-1], old.batch_size, old.rng, old.features)
        self.data = data
        self._data_replaced_at = self.step_count  # the history's entry for this step is about the old points
        self._figures = None

    def set_parameters(self, flat: np.ndarray) -> None:
        """Carry on from the weights and biases ``flat`` (the network's flat layout, :attr:`MLP.flat`),
        which the user set: the optimiser's state carries on, the history records this step's
        figures anew and the timeline keeps the weights as this step's moment."""
        flat = np.asarray(flat)
        if flat.shape != self.network.flat.shape or not np.all(np.isfinite(flat)):
            raise ValueError(f"need {self.network.flat.size} finite weights and biases for {self.network!r}")
        self.network.flat[...] = flat
        self._has_previous = self._has_gradient = False  # the last update and gradient were of other weights
        self.divergence = None
        self._figures = None
        self.history.rewrite(self.evaluate())  # this step's figures are the new weights' now
        self.keep_moment()

    def explain(self, point, target) -> StepExplanation:
        """Every number of the next step for one ``point`` with ``target`` (its class or value):
        the batch the next step takes (peeked: nothing advances) and the optimiser's own update."""
        rows = self._batches.upcoming_rows()
        return explain_step(self.network, point, target, l2=self.l2, optimizer=self._optimizer,
                            batch=(self._batches.X[rows], self._batches.y[rows]),
                            regression=self.data.regression, dropout=self.dropout)

    # Stepping ------------------------------------------------------------------------------
    def step(self, count: int = 1) -> int:
        """Run up to ``count`` updates; stops early if the loss stops being finite.

        Returns how far ``step_count`` moved: the updates done, less one when a divergence
        stepped back over an update. After a divergence ``self.divergence`` says what
        happened; calling :meth:`step` again (say with a smaller ``lr``) carries on.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is dealt with below
            return self._steps(count)

    def _steps(self, count: int) -> int:
        self.divergence = None
        history, timeline = self.history, self.timeline
        start = self.step_count
        width = self._backprop.layer_sizes[-1]
        for _ in range(count):
            batch = self._batches.next()
            masks = self._dropout.masks(len(batch.inputs))
            if not self._backprop.run(self.network, batch.inputs, batch.targets[width], batch.index[width], self.l2,
                                      masks):
                self._diverged([0])
                return self.step_count - start
            self._has_gradient = True
            # The new weights go into the other network, which keeps the previous ones.
            self._optimizer.update(self.network.flat, self._backprop.flat_gradient, out=self._previous.flat)
            self.network, self._previous = self._previous, self.network
            self._has_previous = True
            self.step_count += 1
            if history.wants(self.step_count) and not self.record():
                return self.step_count - start
            if self.step_count >= timeline.next_step:
                self.keep_moment()
        return count

    # Divergence (see TrainerBase) ------------------------------------------------------------
    def _learning_rates(self) -> list[float]:
        return [self.lr]

    def _training(self) -> list[bool]:
        return [self.divergence is None]

    def _step_back(self, lost: list[int], divergences: list[Divergence]) -> bool:
        """The current weights give a non-finite loss: return to the previous ones."""
        self._has_gradient = False  # the gradient at hand belongs to weights now given up
        if self._has_previous:
            self.network, self._previous = self._previous, self.network
            self._has_previous = False
            self.step_count -= 1
        self.timeline.cut_after(self.step_count)  # a moment of the weights given up
        self._optimizer.reset()
        return False

    # The timeline (see TrainerBase) ---------------------------------------------------------
    def _flat_weights(self) -> np.ndarray:
        return self.network.flat

    def _optimizer_list(self) -> list[Optimizer]:
        return [self._optimizer]

    def _dropout_generator(self) -> np.random.Generator:
        return self._dropout.rng

    def _histories(self) -> list[LossHistory]:
        return [self.history]

    def _evaluate_all(self) -> list[HistoryEntry]:
        return [self.evaluate()]

    def _went_back(self, moment: Moment) -> None:
        self._has_previous = self._has_gradient = False

    def network_at(self, moment: Moment) -> MLP:
        """The network as it was at ``moment``."""
        network = self.network.copy()
        network.flat[...] = moment.weights
        return network

    def snapshot_at(self, moment: Moment) -> TrainingSnapshot:
        """What a viewer shows of ``moment``: its network and figures, with the whole history
        (the gradients of that step are not kept)."""
        network = self.network_at(moment)
        latest = evaluate(network, self._batches, self.l2, moment.step)
        return TrainingSnapshot(moment.step, network, self.history.array(), latest, 0.0, None)

    def state(self) -> TrainerState:
        """The parts of the run a run file saves besides network, data and history."""
        batches = self._batches.state()
        return TrainerState(self._previous.flat, self._optimizer.state_dict(), self._has_previous,
                            self._dropout.rng.bit_generator.state, batches["order"], batches["cursor"], batches["rng"])

    def restore(self, previous: np.ndarray, optimizer: dict, has_previous: bool) -> None:
        """Take back the weights before the last update and the optimiser's state (a
        :meth:`~nnviz.core.model.optimizers.Optimizer.state_dict`); the rest goes to the constructor."""
        self._previous.flat[...] = previous
        self.load_optimizer_state(optimizer)
        self._has_previous = has_previous

    def load_optimizer_state(self, state_dict: dict) -> None:
        """Carry on with the optimiser's state ``state_dict`` (:meth:`~nnviz.core.model.optimizers.Optimizer.state_dict`)."""
        self._optimizer.load_state_dict(state_dict)

    def optimizer_state(self, name: str) -> list[np.ndarray]:
        """The optimiser's buffer ``name`` per parameter (``[W1, b1, ...]``); live views."""
        return parameter_views(self._optimizer.state[name], self.network.layer_sizes)

    @property
    def batch_size(self) -> int | None:
        return self._batches.batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        self._batches.batch_size = value

    # Reporting -----------------------------------------------------------------------------
    def evaluate(self) -> HistoryEntry:
        """Loss and accuracy on the training and test sets at the current step."""
        return evaluate(self.network, self._batches, self.l2, self.step_count)

    def record(self) -> bool:
        """Append the current figures to the history; False (and a step back) if not finite.
        After a divergence these are the weights it went back to, the last step reached: they
        are recorded, and never stepped back from again."""
        entry = self.evaluate()
        if self._step_back_lost([entry]) or not math.isfinite(entry.loss):
            return False
        self.history.append(entry)
        return True

    def snapshot(self, steps_per_second: float = 0.0, exact: bool = True) -> TrainingSnapshot:
        """Copies of everything a viewer needs; nothing in it is shared with the trainer.

        ``exact``: the figures are of this very step. Otherwise the newest figures about these
        points serve, the history's or an earlier snapshot's (evaluating every point again
        costs as much as a step of a large network)."""
        logged = self.history.last()
        if logged is not None and logged.step <= self._data_replaced_at:
            logged = None  # about the points before
        latest = self._current_figures([logged], exact)[0]
        gradients = self.data_gradients()
        if exact or not gradients or not self._gradient_histograms:
            self._gradient_histograms = tuple(weight_histograms(gradients))
        return TrainingSnapshot(
            self.step_count, self.network.copy(), self.history.array(), latest, steps_per_second, self.divergence,
            _rms(gradients), self._gradient_histograms, len(self.timeline),
        )

    def data_gradients(self) -> list[np.ndarray]:
        """Each weight matrix's gradient of the data loss at the last step, first layer first; []
        before the first step. The L2 term is left out: it would set a floor under every layer's,
        hiding vanishing gradients."""
        if not self._has_gradient:
            return []
        at = self._previous.weights  # the weights the last gradient was taken at
        return [g - self.l2 * w for g, w in zip(self._backprop.gradients[0::2], at)]

    def gradient_rms(self) -> tuple[float, ...]:
        """The root mean square of each of :meth:`data_gradients`; () before the first step."""
        return _rms(self.data_gradients())


def _rms(arrays: list[np.ndarray]) -> tuple[float, ...]:
    return tuple(math.sqrt(float(np.vdot(a, a)) / a.size) for a in arrays)


def _slow_motion(trainer: Trainer, target: int | None, interval: float) -> Generator[TrainingSnapshot, None, None]:
    """One frame of slow motion: the steps ``trainer.speed`` allows an interval (at least one),
    their snapshot, then that same snapshot again every interval until the next frame is due,
    so that the caller hears its commands meanwhile (and need not send it twice)."""
    count = max(1, round(trainer.speed * interval))
    if target is not None:
        count = min(count, target - trainer.step_count)
    started = time.perf_counter()
    trainer.step(count)
    # The loss curve grows frame by frame (entries off the history's grid go when it thins);
    # after a divergence, to the step it went back to.
    if not trainer.record() and trainer.divergence is not None:
        trainer.record()
    snapshot = trainer.snapshot(trainer.speed, exact=True)  # every frame's figures are its own
    yield snapshot
    while trainer.speed is not None and not trainer.divergence and (
            left := started + count / trainer.speed - time.perf_counter()) > 0:
        time.sleep(min(left, interval))
        yield snapshot


def train(trainer: Trainer, steps: int | None = None, interval: float = 1 / 60) -> Generator[TrainingSnapshot, None, None]:
    """Train until ``steps`` more updates are done (forever if None) or the loss diverges,
    yielding a snapshot every ``interval`` seconds and once at the end.

    Snapshots, and the fresh figures some of them evaluate, each keep to
    :data:`SNAPSHOT_SHARE` of the time: a large network's come less often (but at least every
    :data:`LONGEST_BETWEEN`), and its figures are evaluated afresh at most every
    :data:`FIGURES_INTERVAL` and at the end; the snapshots in between carry the newest ones.

    Between snapshots the caller may change the trainer's :data:`LIVE_SETTINGS`, and its
    ``speed``: steps a second in slow motion (each frame's step shown), None for full speed. In
    slow motion the same snapshot comes again while the next step is not yet due.
    """
    target = None if steps is None else trainer.step_count + steps
    chunk = 1
    rate = 0.0
    between = interval  # the training time between two snapshots
    figured = -math.inf  # when a snapshot last evaluated its figures afresh
    cost = {False: None, True: None}  # seconds a snapshot takes, without and with fresh figures
    rest = (1 - SNAPSHOT_SHARE) / SNAPSHOT_SHARE  # training time per second of snapshots
    while target is None or trainer.step_count < target:
        if trainer.speed is not None:
            yield from _slow_motion(trainer, target, interval)
            if trainer.divergence:
                return
            continue
        started = time.perf_counter()
        done = 0
        # Run small chunks until the time is used up, so the clock is read rarely.
        while time.perf_counter() - started < between:
            todo = chunk if target is None else min(chunk, target - trainer.step_count)
            done += trainer.step(todo)
            if trainer.divergence or (target is not None and trainer.step_count >= target):
                break
        elapsed = time.perf_counter() - started
        rate = done / elapsed if elapsed > 0 else rate
        chunk = max(1, min(1000, int(rate * between / 8)))
        if trainer.divergence is not None or (target is not None and trainer.step_count >= target):
            record_last_step(trainer)
        taken = time.perf_counter()
        last = trainer.divergence is not None or (target is not None and trainer.step_count >= target)
        exact = last or taken - figured >= max(FIGURES_INTERVAL, (cost[True] or 0.0) * rest)
        snapshot = trainer.snapshot(rate, exact)
        took = time.perf_counter() - taken
        cost[exact] = took if cost[exact] is None else 0.8 * cost[exact] + 0.2 * took  # smoothed
        if exact:
            figured = taken
        between = min(max(interval, (cost[False] or took) * rest), LONGEST_BETWEEN)
        yield snapshot
        if trainer.divergence:
            return


def record_last_step(trainer: TrainerLike) -> None:
    """As a run ends (:func:`train`, a movie's frames): its last step always appears in the
    history, and after a divergence the step whose weights it went back to. A record that finds
    the divergence steps back, so the step gone back to is recorded after it."""
    diverged = trainer.divergence is not None
    if not trainer.record() and not diverged and trainer.divergence is not None:
        trainer.record()  # that record found the divergence and stepped back: the step gone back to
