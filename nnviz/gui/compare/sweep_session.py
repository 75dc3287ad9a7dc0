"""The Compare view's model: a sweep of networks on the main view's data, trained together."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import QObject

from nnviz.core.datasets import Dataset
from nnviz.core.sweep import Sweep
from nnviz.core.sweep_trainer import SweepTrainer
from nnviz.core.training import Trainer
from nnviz.gui.process.runner import Runner
from nnviz.gui.train.session import HISTORY_CAPACITY

SWEEP_HISTORY_EVERY = 25  # each record evaluates every network: keep it rarer than for one


class SweepSession(Runner):
    """A :class:`Runner` for a :class:`SweepTrainer`; empty until :meth:`set_sweep`."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(None, parent)
        self.sweep: Sweep | None = None
        self.dataset: Dataset | None = None

    def set_sweep(self, sweep: Sweep, dataset: Dataset) -> None:
        """Replace the sweep (raises ConfigError for a bad one, changing nothing)."""
        trainer = SweepTrainer(sweep.configs(), dataset, log_every=SWEEP_HISTORY_EVERY, history_capacity=HISTORY_CAPACITY)
        self.sweep, self.dataset = sweep, dataset
        self.replace_trainer(trainer)
        snapshot = trainer.snapshot()
        self.run_reset.emit(snapshot)
        self.snapshot_ready.emit(snapshot)

    def reset(self) -> None:
        """Start the same sweep again from step 0."""
        if self.sweep is not None:
            self.set_sweep(self.sweep, self.dataset)

    def take_out(self, index: int, use: Callable[[Trainer], None]) -> None:
        """Pause, and hand network ``index`` to ``use`` as a lone trainer that carries on from
        here (once the sweep is back from the training process)."""
        self.pause()
        self.with_trainer(lambda sweep: use(sweep.trainer(index)))

    def start(self) -> None:
        if self.trainer is not None:
            super().start()

    def step(self, count: int = 1) -> None:
        if self.trainer is not None:
            super().step(count)
