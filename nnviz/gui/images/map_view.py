"""The map of the test images: where the network's last hidden layer puts each one (its first
two principal components), coloured by true class; a ring marks an image the network gets wrong.
The counterpart, for images, of the decision-boundary plot."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QPainter, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.core.analysis.metrics import evaluation_set
from nnviz.core.analysis.projection import last_hidden, principal_map
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.colors import class_color

MAX_POINTS = 2000  # more would only pile up (MNIST's test images: a fixed random 2,000)
MARGIN = 10
HEADER = 20  # the legend


def shown_points(data: Dataset) -> tuple[np.ndarray, np.ndarray, str]:
    """The images a map (and the image views) show: :func:`~nnviz.core.analysis.metrics.evaluation_set`,
    at most :data:`MAX_POINTS` of them. And which set they are."""
    return evaluation_set(data, MAX_POINTS)


class MapView(QWidget):
    """Fed a dataset once (:meth:`set_dataset`) and networks as they train (:meth:`show_network`)."""

    def __init__(self, parent: QWidget | None = None, *, legend: bool = True):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.legend = legend
        self._X = np.zeros((0, 0))
        self._y = np.zeros(0, np.int64)
        self._names: tuple[str, ...] = ()
        self._part = "test"
        self._axes: np.ndarray | None = None
        self._coordinates = np.zeros((0, 2))
        self._wrong = np.zeros(0, bool)

    def set_dataset(self, data: Dataset) -> None:
        self._X, self._y, self._part = shown_points(data)
        self._names = data.label_names
        self._axes = None
        self._coordinates = np.zeros((0, 2))
        self.setToolTip(f"The {self._part} images where the last hidden layer puts them (its first two principal "
                        "components), coloured by true class; a ring marks a mistake. Classes the network has "
                        "learned to tell apart pull away from each other.")
        self.update()

    def show_network(self, network: MLP) -> None:
        """Place every image as ``network`` sees it."""
        if not len(self._y) or network.point_dims != self._X.shape[1]:
            return
        with np.errstate(over="ignore", invalid="ignore"):
            features = last_hidden(network, self._X)
            self._coordinates, self._axes = principal_map(features, self._axes)
            self._wrong = network.predict_proba(self._X).argmax(axis=1) != self._y
        self.update()

    def coordinates(self) -> np.ndarray:
        """Where each image is, ``(images, 2)``, the larger spread scaled to 1."""
        return self._coordinates

    def sizeHint(self) -> QSize:
        return QSize(420, 380) if self.legend else QSize(180, 150)  # without a legend: a tile of a grid

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 140)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setRenderHint(QPainter.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        top = HEADER if self.legend else 0
        area = QRectF(MARGIN, top + MARGIN / 2, self.width() - 2 * MARGIN, self.height() - top - 1.5 * MARGIN)
        painter.setPen(QPen(QColor("#c8c8c8"), 1))
        painter.drawRect(area)
        if self.legend:
            self._draw_legend(painter)
        if not len(self._coordinates):
            painter.setPen(QColor("#777"))
            painter.drawText(area, Qt.AlignCenter, "no network yet")
            return
        side = min(area.width(), area.height()) / 2 - 6
        centre = area.center()
        radius = 3.0 if len(self._y) > 500 else 4.0
        for k in np.unique(self._y):
            color = QColor(class_color(int(k)))
            members = self._y == k
            for wrong, points in ((False, self._coordinates[members & ~self._wrong]),
                                  (True, self._coordinates[members & self._wrong])):
                painter.setPen(QPen(color, 1.6) if wrong else Qt.NoPen)
                painter.setBrush(Qt.NoBrush if wrong else color)
                size = radius + 1 if wrong else radius
                for x, y in points:
                    if np.isfinite(x) and np.isfinite(y):
                        painter.drawEllipse(QPointF(centre.x() + x * side, centre.y() - y * side), size, size)

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        x, baseline = MARGIN, (HEADER + metrics.ascent()) // 2
        for k, name in enumerate(self._names):
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(class_color(k)))
            painter.drawEllipse(QPointF(x + 4, baseline - metrics.ascent() / 2 + 1), 4, 4)
            painter.setPen(QColor("#333"))
            painter.drawText(int(x + 11), baseline, name)
            x += 11 + metrics.horizontalAdvance(name) + 10
        painter.setPen(QColor("#777"))
        note = metrics.elidedText(f"{self._part} images · ring: a mistake", Qt.ElideRight,
                                  max(0, int(self.width() - x - MARGIN)))
        painter.drawText(int(x + 4), baseline, note)
