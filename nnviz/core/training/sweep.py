"""Sweeps: one setting taking several values on the same data, and their figures as a table.

The networks of a sweep are trained together by :class:`nnviz.core.training.sweep_trainer.SweepTrainer`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from nnviz.core.config import (
    ConfigError,
    TrainingConfig,
    features_name,
    parse_features,
    parse_shape,
    shape_name,
    with_optimizer,
)
from nnviz.core.io.atomic import write_atomically
from nnviz.core.model.features import feature_symbol
from nnviz.core.model.network import MLP
from nnviz.core.model.optimizers import MOMENTUM_RULES
from nnviz.core.training.history import HistoryEntry, figure_names
from nnviz.core.training.trainer import Divergence

SWEEP_SETTINGS = ("hidden", "lr", "l2", "activation", "momentum", "init", "optimizer", "dropout", "features",
                  "output", "loss")
NAMED_SETTINGS = ("activation", "init", "optimizer", "features", "output", "loss")  # values are names, not numbers
FEATURE_SETS = "/"  # between the feature lists of a features sweep (each is a comma list)
MAX_NETWORKS = 16
TUTORIAL_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)


@dataclass(frozen=True)
class Sweep:
    """One setting of ``base`` taking each of ``values`` in turn. Values of ``hidden`` are
    shapes (tuples of widths; a bare width is one layer), so a sweep can vary depth."""

    base: TrainingConfig
    setting: str
    values: tuple

    def __post_init__(self):
        if self.setting == "hidden":  # 10 and (10,) are the same network
            shapes = tuple((v,) if isinstance(v, int) and not isinstance(v, bool) else v for v in self.values)
            object.__setattr__(self, "values", shapes)
        if self.setting == "features":  # from JSON: lists
            object.__setattr__(self, "values", tuple(tuple(v) for v in self.values))

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
            raise ConfigError(f"{self.label(duplicate)} appears twice in the sweep")
        if self.setting == "optimizer":  # nesterov takes momentum if the base has none
            return [with_optimizer(self.base, value).validated() for value in self.values]
        return [self.base.replace(**{self.setting: value}).validated() for value in self.values]

    @property
    def ordered(self) -> bool:
        """Whether the values have an order (numbers, shapes) rather than being names."""
        return self.setting not in NAMED_SETTINGS

    def label(self, value) -> str:
        """How a value is shown: "3 hidden", "8×8 hidden", "no hidden layer", "lr 0.1", "relu",
        "output sigmoid", "loss squared-error"."""
        if self.setting == "hidden":
            return f"{shape_name(value, '×')} hidden" if value else "no hidden layer"
        if self.setting == "activation":
            return str(value)
        if self.setting in ("init", "output", "loss"):
            return f"{self.setting} {value}"
        if self.setting == "optimizer":  # with the momentum it uses, if any
            momentum = with_optimizer(self.base, value).momentum if value in MOMENTUM_RULES else 0
            return f"{value}, momentum {momentum:g}" if momentum else str(value)
        if self.setting == "features":
            return ", ".join(feature_symbol(name) for name in value)
        return f"{self.setting} {value:g}"


def parse_values(setting: str, text: str) -> tuple:
    """Comma-separated values for ``setting``: shapes for hidden (``8,8x8,8x8x8``), names for
    activations, initialisations, optimisers, outputs and losses, feature lists separated by ``/``
    (``x1,x2/x1sq,x2sq``), numbers otherwise. Raises :class:`ConfigError` with a sentence."""
    if setting == "features":
        if not text.strip():
            raise ConfigError(f"expected feature lists separated by {FEATURE_SETS}, got {text!r}")
        return tuple(parse_features(item) for item in text.split(FEATURE_SETS))
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or not all(items):
        raise ConfigError(f"expected {setting} values separated by commas, got {text!r}")
    if setting in NAMED_SETTINGS:
        return tuple(items)
    if setting == "hidden":
        return tuple(parse_shape(item) for item in items)
    try:
        return tuple(float(item) for item in items)
    except ValueError:
        raise ConfigError(f"{setting} values must be numbers separated by commas, got {text!r}") from None


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
    moments: int = 0  # how many moments the sweep's timeline holds (in the process: those of this run)


CSV_COLUMNS = ("setting", "value", "step", "loss", "train_accuracy", "test_loss", "test_accuracy", "diverged_at_step")
R2_COLUMNS = dict(zip(figure_names(False), figure_names(True)))
"""A regression sweep's names for the accuracy columns, which hold R² (as its history does)."""


def sweep_rows(sweep: Sweep, snapshot: SweepSnapshot, regression: bool = False) -> list[dict]:
    """Each network's final figures, one dict per value (in the order asked for); for a
    ``regression`` sweep, ``train_r2`` and ``test_r2`` in place of the accuracies."""
    rows = []
    for value, entry, divergence in zip(sweep.values, snapshot.latest, snapshot.divergences):
        figures = {R2_COLUMNS.get(k, k) if regression else k: v for k, v in entry.as_dict().items()}
        shown = shape_name(value) if sweep.setting == "hidden" else \
            features_name(value) if sweep.setting == "features" else value
        rows.append({"setting": sweep.setting, "value": shown, **figures,
                     "diverged_at_step": divergence.step if divergence else None})
    return rows


def write_sweep_csv(path, sweep: Sweep, snapshot: SweepSnapshot, regression: bool = False) -> None:
    """Write :func:`sweep_rows` as CSV (atomically; raises :class:`SaveError`)."""
    write_rows_csv(path, sweep_rows(sweep, snapshot, regression))


def write_rows_csv(path, rows: list[dict]) -> None:
    """Write rows with :data:`CSV_COLUMNS` (R² in place of the accuracies where the rows have
    it, both where some rows have one and some the other, as a gallery of pins of both tasks)
    as CSV, atomically (None becomes an empty cell)."""
    present = {key for row in rows for key in row}
    columns = []
    for name in CSV_COLUMNS:
        named = [key for key in dict.fromkeys((name, R2_COLUMNS.get(name, name))) if key in present]
        columns += named or [name]

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})

    write_atomically(path, write)
