"""Live figures: step, losses, accuracies and speed, readable at a glance."""

from __future__ import annotations

import math

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QGridLayout, QLabel, QWidget

from nnviz.core.training import TrainingSnapshot

FIGURES = (
    ("step", "Step"),
    ("loss", "Train loss"),
    ("test_loss", "Test loss"),
    ("train_accuracy", "Train accuracy"),
    ("test_accuracy", "Test accuracy"),
    ("rate", "Steps / s"),
)


class FiguresPanel(QWidget):
    """A row of large numbers with small captions."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setVerticalSpacing(0)
        self.values: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(FIGURES):
            value = QLabel("–")
            value.setObjectName(f"figure_{key}")
            value.setStyleSheet("font-size: 17pt; font-weight: 600; color: #222;")
            value.setAlignment(Qt.AlignCenter)
            label = QLabel(caption)
            label.setStyleSheet("color: #666;")
            label.setAlignment(Qt.AlignCenter)
            grid.addWidget(value, 0, column)
            grid.addWidget(label, 1, column)
            self.values[key] = value

    def show_snapshot(self, snapshot: TrainingSnapshot, running: bool) -> None:
        """Show the snapshot's figures; the rate only while training."""
        latest = snapshot.latest
        self.values["step"].setText(f"{snapshot.step:,}")
        self.values["loss"].setText(_shown(latest.loss, "{:.4f}"))
        self.values["test_loss"].setText(_shown(latest.test_loss, "{:.4f}"))
        self.values["train_accuracy"].setText(_shown(latest.train_accuracy, "{:.1%}"))
        self.values["test_accuracy"].setText(_shown(latest.test_accuracy, "{:.1%}"))
        self.values["rate"].setText(f"{snapshot.steps_per_second:,.0f}" if running and snapshot.steps_per_second else "–")


def _shown(value: float, form: str) -> str:
    """A figure, or a dash where there is none (no test set, or no points yet)."""
    return "–" if math.isnan(value) else form.format(value)
