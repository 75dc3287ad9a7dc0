"""Live figures: step, losses, accuracies (for regression: MSE, RMSE and R²) and speed,
readable at a glance."""

from __future__ import annotations

import math

from PyQt5.QtCore import QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QPainter
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.core.analysis.regression import regression_figures
from nnviz.core.data.datasets import Dataset
from nnviz.core.training.trainer import TrainingSnapshot

FIGURES = (
    ("step", "Step"),
    ("loss", "Train loss"),
    ("test_loss", "Test loss"),
    ("train_accuracy", "Train accuracy"),
    ("test_accuracy", "Test accuracy"),
    ("rate", "Steps / s"),
)
REGRESSION_FIGURES = (
    ("step", "Step"),
    ("train_mse", "Train MSE"),
    ("test_mse", "Test MSE"),
    ("train_rmse", "Train RMSE"),
    ("test_rmse", "Test RMSE"),
    ("train_r2", "Train R²"),
    ("test_r2", "Test R²"),
    ("rate", "Steps / s"),
)


class FiguresPanel(QWidget):
    """A row of large numbers with small captions.

    Painted by hand rather than as labels: a label whose text changes asks the whole window to
    lay itself out again, and at 30 frames a second that repainted every panel each frame."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figures = FIGURES
        self._data: Dataset | None = None
        self._texts = {key: "–" for key, _ in FIGURES}
        self._value_font = QFont(self.font())
        self._value_font.setPointSize(17)
        self._value_font.setWeight(QFont.DemiBold)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)

    def text(self, key: str) -> str:
        """The figure shown for ``key`` (one of :attr:`figures`', :data:`FIGURES` or
        :data:`REGRESSION_FIGURES`)."""
        return self._texts[key]

    def set_data(self, data: Dataset) -> None:
        """The points the figures are of: a regression's get MSE, RMSE and R² in place of accuracy."""
        self._data = data
        figures = REGRESSION_FIGURES if data.regression else FIGURES
        if figures is not self.figures:
            self.figures = figures
            self._texts = {key: "–" for key, _ in figures}
            self.updateGeometry()
            self.update()

    def show_snapshot(self, snapshot: TrainingSnapshot, running: bool) -> None:
        """Show the snapshot's figures; the rate only while training."""
        latest = snapshot.latest
        texts = {
            "step": f"{snapshot.step:,}",
            "rate": f"{snapshot.steps_per_second:,.0f}" if running and snapshot.steps_per_second else "–",
        }
        if self.figures is REGRESSION_FIGURES:
            found = regression_figures(latest, self._data, snapshot.network)  # no forward pass (in most cases)
            for part in ("train", "test"):
                texts[f"{part}_mse"] = _shown(found[f"{part}_mse"], "{:.4g}")
                texts[f"{part}_rmse"] = _shown(found[f"{part}_rmse"], "{:.4g}")
                texts[f"{part}_r2"] = _shown(found[f"{part}_r2"], "{:.3f}")
        else:
            texts.update({
                "loss": _shown(latest.loss, "{:.4f}"),
                "test_loss": _shown(latest.test_loss, "{:.4f}"),
                "train_accuracy": _shown(latest.train_accuracy, "{:.1%}"),
                "test_accuracy": _shown(latest.test_accuracy, "{:.1%}"),
            })
        if texts != self._texts:
            self._texts = texts
            self.update()

    def _heights(self) -> tuple[int, int]:
        return QFontMetrics(self._value_font).height(), QFontMetrics(self.font()).height()

    def sizeHint(self) -> QSize:
        widest = max(QFontMetrics(self.font()).horizontalAdvance(caption) for _, caption in self.figures)
        return QSize(len(self.figures) * (widest + 16), sum(self._heights()) + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(len(self.figures) * 60, sum(self._heights()) + 4)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        value_height, caption_height = self._heights()
        column = self.width() / len(self.figures)
        for k, (key, caption) in enumerate(self.figures):
            painter.setFont(self._value_font)
            painter.setPen(QColor("#222"))
            painter.drawText(QRectF(k * column, 2, column, value_height), Qt.AlignCenter, self._texts[key])
            painter.setFont(self.font())
            painter.setPen(QColor("#666"))
            painter.drawText(QRectF(k * column, 2 + value_height, column, caption_height), Qt.AlignCenter, caption)


def _shown(value: float, form: str) -> str:
    """A figure, or a dash where there is none (no test set, or no points yet)."""
    return "–" if math.isnan(value) else form.format(value)
