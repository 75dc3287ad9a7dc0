"""Live figures: step, losses, accuracies and speed, readable at a glance."""

from __future__ import annotations

import math

from PyQt5.QtCore import QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QPainter
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.core.training.trainer import TrainingSnapshot

FIGURES = (
    ("step", "Step"),
    ("loss", "Train loss"),
    ("test_loss", "Test loss"),
    ("train_accuracy", "Train accuracy"),
    ("test_accuracy", "Test accuracy"),
    ("rate", "Steps / s"),
)


class FiguresPanel(QWidget):
    """A row of large numbers with small captions.

    Painted by hand rather than as labels: a label whose text changes asks the whole window to
    lay itself out again, and at 30 frames a second that repainted every panel each frame."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._texts = {key: "–" for key, _ in FIGURES}
        self._value_font = QFont(self.font())
        self._value_font.setPointSize(17)
        self._value_font.setWeight(QFont.DemiBold)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)

    def text(self, key: str) -> str:
        """The figure shown for ``key`` (one of :data:`FIGURES`')."""
        return self._texts[key]

    def show_snapshot(self, snapshot: TrainingSnapshot, running: bool) -> None:
        """Show the snapshot's figures; the rate only while training."""
        latest = snapshot.latest
        texts = {
            "step": f"{snapshot.step:,}",
            "loss": _shown(latest.loss, "{:.4f}"),
            "test_loss": _shown(latest.test_loss, "{:.4f}"),
            "train_accuracy": _shown(latest.train_accuracy, "{:.1%}"),
            "test_accuracy": _shown(latest.test_accuracy, "{:.1%}"),
            "rate": f"{snapshot.steps_per_second:,.0f}" if running and snapshot.steps_per_second else "–",
        }
        if texts != self._texts:
            self._texts = texts
            self.update()

    def _heights(self) -> tuple[int, int]:
        return QFontMetrics(self._value_font).height(), QFontMetrics(self.font()).height()

    def sizeHint(self) -> QSize:
        widest = max(QFontMetrics(self.font()).horizontalAdvance(caption) for _, caption in FIGURES)
        return QSize(len(FIGURES) * (widest + 16), sum(self._heights()) + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(len(FIGURES) * 60, sum(self._heights()) + 4)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        value_height, caption_height = self._heights()
        column = self.width() / len(FIGURES)
        for k, (key, caption) in enumerate(FIGURES):
            painter.setFont(self._value_font)
            painter.setPen(QColor("#222"))
            painter.drawText(QRectF(k * column, 2, column, value_height), Qt.AlignCenter, self._texts[key])
            painter.setFont(self.font())
            painter.setPen(QColor("#666"))
            painter.drawText(QRectF(k * column, 2 + value_height, column, caption_height), Qt.AlignCenter, caption)


def _shown(value: float, form: str) -> str:
    """A figure, or a dash where there is none (no test set, or no points yet)."""
    return "–" if math.isnan(value) else form.format(value)
