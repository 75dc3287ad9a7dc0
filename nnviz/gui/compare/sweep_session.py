"""The Compare view's model: a sweep of networks on the main view's data, trained together."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PyQt5.QtCore import QObject, pyqtSignal

from nnviz.core.data.datasets import Dataset
from nnviz.core.training.sweep import Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer
from nnviz.core.training.trainer import Trainer
from nnviz.gui.process.runner import Runner
from nnviz.gui.train.session import HISTORY_CAPACITY

SWEEP_HISTORY_EVERY = 25  # each record evaluates every network: keep it rarer than for one


class SweepSession(Runner):
    """A :class:`Runner` for a :class:`SweepTrainer`; empty until :meth:`set_sweep`."""

    _built = pyqtSignal(int, object, object)  # from the thread: the sweep it is for, a SweepTrainer, its snapshot

    def __init__(self, parent: QObject | None = None):
        super().__init__(None, parent)
        self.sweep: Sweep | None = None
        self.dataset: Dataset | None = None
        self._generation = 0  # counts the sweeps asked for, so that a late one is dropped
        self._built.connect(self._on_built)

    def set_sweep(self, sweep: Sweep, dataset: Dataset) -> None:
        """Replace the sweep (raises ConfigError for a bad one, changing nothing). Its trainer
        is built on a thread: evaluating sixteen wide networks on 5,000 points would hold the
        window. Train and Step meanwhile wait for it."""
        configs = sweep.configs()
        self.sweep, self.dataset = sweep, dataset
        self._generation += 1
        self.replace_trainer(None)  # the old sweep stops; what comes next waits for the new one
        threading.Thread(target=self._build, args=(self._generation, configs, dataset), name="nnviz-sweep",
                         daemon=True).start()

    def _build(self, generation: int, configs, dataset: Dataset) -> None:
        try:
            # Step 0's figures are evaluated by the training process (its first snapshot), not here.
            trainer = SweepTrainer(configs, dataset, log_every=SWEEP_HISTORY_EVERY, history_capacity=HISTORY_CAPACITY,
                                   record=False)
            built = (trainer, trainer.snapshot(exact=False))
        except ValueError as error:  # (a sweep the controls let through that cannot train: say why)
            built = (None, str(error))
        try:
            self._built.emit(generation, *built)
        except RuntimeError:  # the window was closed and deleted meanwhile
            pass

    def _on_built(self, generation: int, trainer, snapshot) -> None:
        if generation != self._generation:
            return  # another sweep was asked for meanwhile
        if trainer is None:
            self.failed.emit(f"This sweep cannot train: {snapshot}.")
            return
        self.replace_trainer(trainer)
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
        if self.sweep is not None:  # (a sweep being built trains once it is)
            super().start()

    def step(self, count: int = 1) -> None:
        if self.sweep is not None:
            super().step(count)
