"""Pictures pinned from the Train view (P), shown in the Compare tab's gallery: what a pin
holds, how the gallery names them, and what an export of the gallery writes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import Dataset
from nnviz.core.io.picture_texts import metadata
from nnviz.core.training.history import figure_names
from nnviz.core.training.sweep import SweepSnapshot
from nnviz.core.training.trainer import TrainingSnapshot

PINS_KEY = "nnviz-pins"  # the PNG text chunk listing a gallery's pins
NO_PINS = "Nothing pinned: P on the Train view keeps its picture here."
PART = " · "  # between the parts of a pin's label: data, network, training, step


def split_labels(labels: list[str]) -> tuple[str, list[str]]:
    """What the labels' parts all share, and what each has of its own: a gallery names the
    shared parts once above and each picture by the rest ("step 400"), as a sweep names only
    the value it varies. A label with nothing of its own is named by its place."""
    if len(labels) < 2:
        return "", labels
    parts = [label.split(PART) for label in labels]
    shared = [part for part in parts[0] if all(part in p for p in parts[1:])]
    own = [PART.join(part for part in p if part not in shared) or f"pin {i + 1}" for i, p in enumerate(parts)]
    return PART.join(shared), own


@dataclass(frozen=True)
class Pin:
    """A picture kept from the Train view: settings, data and the state at that step."""

    label: str
    config: TrainingConfig
    dataset: Dataset
    snapshot: TrainingSnapshot


def pins_snapshot(pins: list[Pin]) -> SweepSnapshot:
    """The pins as one snapshot of a sweep, a tile each (the gallery is drawn as a sweep is)."""
    snaps = [p.snapshot for p in pins]
    return SweepSnapshot(
        step=max(s.step for s in snaps), networks=[s.network for s in snaps], histories=[s.history for s in snaps],
        latest=[s.latest for s in snaps], steps_per_second=0.0, divergences=[s.divergence for s in snaps],
    )


def pins_texts(pins: list[Pin]) -> dict[str, str]:
    """The PNG text chunks of the gallery: as a single export of the last pin, with every pin
    listed under :data:`PINS_KEY`."""
    last = pins[-1]
    texts = metadata(last.config, last.snapshot.step)
    texts["Description"] = f"{len(pins)} pictures pinned in nnviz"
    texts[PINS_KEY] = json.dumps([{"config": p.config.as_dict(), "step": p.snapshot.step} for p in pins])
    return texts


def pins_rows(pins: list[Pin]) -> list[dict]:
    """The pins' figures, a row each, for the CSV export: a regression's R² (which its history's
    accuracy columns hold) as ``train_r2`` and ``test_r2``, a classifier's accuracies as such."""
    rows = []
    for p in pins:
        names = dict(zip(figure_names(False), figure_names(p.dataset.regression)))
        rows.append({"setting": "pinned", "value": p.label,
                     **{names[k]: v for k, v in p.snapshot.latest.as_dict().items()},
                     "diverged_at_step": p.snapshot.divergence.step if p.snapshot.divergence else None})
    return rows
