"""A small decision-boundary picture for a grid of tiles, painted directly with QPainter.

A tile shows a fixed view (no panning or zooming) and is one of up to sixteen on screen, so it
does without pyqtgraph: a plot widget takes tens of milliseconds to build and regenerates its
axes on every paint, which made pinning and starting a sweep hold the window for a few hundred
milliseconds. Here a tile is built in well under a millisecond and paints in about one.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)
from PyQt5.QtWidgets import QWidget

from nnviz.core.analysis.contour import boundary_segments
from nnviz.core.analysis.grid import Bounds, DecisionGrid, grid_resolution
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.colors import CONTOUR_COLOR, probability_colors
from nnviz.gui.train.points_item import point_color, stamp_points

TILE_RESOLUTION = 64  # grid cells a side; the picture is smoothed when scaled up
TILE_POINTS = 400  # at most this many points of each split: a tile is too small to tell more apart
POINT_SIZE = (5, 8)  # px across, in a small tile and a large one
TICK = 4  # px, ticks point into the picture
AXIS_COLOR = "#333333"


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) between ``low`` and ``high``, at most ``most``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return []
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(high / step + 1e-9) + 1)]


def tick_label(value: float) -> str:
    return f"{value:g}" if value else "0"


class TilePlot(QWidget):
    """Class probabilities as a background, the decision boundary and the points, in a fixed
    view of a dataset's extent (equal scales on both axes), with ticks on the left and below."""

    def __init__(self, parent: QWidget | None = None, *, still: bool = False):
        """``still``: the tile shows one network for good (a pin), so the grid's buffers for
        every layer (megabytes at 200 units) are let go once it is drawn."""
        super().__init__(parent)
        self.still = still
        self.setMinimumSize(150, 110)
        self._bounds: Bounds | None = None
        self._grid: DecisionGrid | None = None
        self._probs: np.ndarray | None = None
        self._image: QImage | None = None
        self._boundary = QPainterPath()  # in data coordinates
        self._points: list[tuple[np.ndarray, np.ndarray, bool]] = []  # (xy, classes, filled) per split
        self._layer: QPixmap | None = None  # the points, painted once per size and dataset

    @property
    def bounds(self) -> Bounds | None:
        """``(x_min, x_max, y_min, y_max)`` of the view, as the grid covers it."""
        return self._bounds

    def sizeHint(self) -> QSize:
        return QSize(220, 160)

    def set_dataset(self, data: Dataset) -> None:
        """Show ``data``'s points in a view of their extent."""
        self._bounds = data.bounds()
        fill = data.feature_means[2:] if data.columns > 2 else None
        self._grid = DecisionGrid(self._bounds, TILE_RESOLUTION, fill=fill)
        self._points = []
        for X, y, filled in ((data.X_test, data.y_test, False), (data.X_train, data.y_train, True)):
            every = slice(None, None, max(1, -(-len(y) // TILE_POINTS)))  # every k-th: the same picture
            self._points.append((np.asarray(X[every, :2], float), np.asarray(y[every]), filled))
        self._probs = self._image = None
        self._boundary = QPainterPath()
        self._layer = None
        self.update()

    def show_network(self, network: MLP) -> None:
        """Redraw the background and the boundary for ``network``."""
        if self._grid is None:
            return
        resolution = min(TILE_RESOLUTION, grid_resolution(network.layer_sizes))
        if resolution != self._grid.resolution:  # a large network gets a coarser grid, as in the Train view
            self._grid = DecisionGrid(self._bounds, resolution, fill=self._grid.fill)
        probs = self._grid.probabilities(network)
        if self.still:
            self._grid.release()
        self._probs = probs
        rgb = np.ascontiguousarray(probability_colors(probs)[::-1])  # row 0 is the top of the picture
        height, width = rgb.shape[:2]
        self._image = QImage(rgb.data, width, height, 3 * width, QImage.Format_RGB888).copy()
        ends = boundary_segments(probs, self._bounds)
        self._boundary = pg.arrayToQPath(ends[:, 0], ends[:, 1], connect="pairs")  # built in C, not point by point
        self.update()

    def probability_image(self) -> np.ndarray | None:
        """The class probabilities ``(rows, columns, classes)`` shown now (for tests and checks)."""
        return self._probs

    # --- painting ---------------------------------------------------------------------------

    def _frame(self) -> QRectF:
        """Where the picture goes: the largest rectangle of the data's aspect ratio that leaves
        room for the tick labels."""
        metrics = QFontMetrics(self.font())
        x0, x1, y0, y1 = self._bounds
        labels = [tick_label(v) for v in nice_ticks(y0, y1, 4)]
        left = max((metrics.horizontalAdvance(s) for s in labels), default=0) + 6
        bottom = metrics.height() + 4
        room = QRectF(left, 4, max(self.width() - left - 6, 1), max(self.height() - bottom - 4, 1))
        scale = min(room.width() / (x1 - x0), room.height() / (y1 - y0))
        width, height = scale * (x1 - x0), scale * (y1 - y0)
        return QRectF(room.center().x() - width / 2, room.center().y() - height / 2, width, height)

    def _to_pixels(self, frame: QRectF, xy: np.ndarray) -> np.ndarray:
        x0, x1, y0, y1 = self._bounds
        px = frame.left() + (xy[:, 0] - x0) / (x1 - x0) * frame.width()
        py = frame.bottom() - (xy[:, 1] - y0) / (y1 - y0) * frame.height()
        return np.column_stack([px, py])

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.white)
        if self._bounds is None:
            return
        frame = self._frame()
        if self._image is not None:
            painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
            painter.drawImage(frame, self._image)
        painter.setRenderHint(QPainter.Antialiasing, True)
        if not self._boundary.isEmpty():
            x0, x1, y0, y1 = self._bounds
            painter.save()
            painter.setTransform(QTransform.fromTranslate(frame.left(), frame.bottom()), True)
            painter.scale(frame.width() / (x1 - x0), -frame.height() / (y1 - y0))
            painter.translate(-x0, -y0)
            pen = QPen(QColor(CONTOUR_COLOR), 2)
            pen.setCosmetic(True)  # 2 px whatever the scale
            painter.strokePath(self._boundary, pen)
            painter.restore()
        painter.drawPixmap(0, 0, self._points_layer(frame))
        self._paint_axes(painter, frame)

    def _points_layer(self, frame: QRectF) -> QPixmap:
        # The points change only with the data, the background with every frame.
        ratio = self.devicePixelRatioF()
        if self._layer is None or self._layer.size() != self.size() * ratio:
            layer = QPixmap(self.size() * ratio)
            layer.setDevicePixelRatio(ratio)
            layer.fill(Qt.transparent)
            painter = QPainter(layer)
            diameter = float(np.clip(frame.width() / 60, *POINT_SIZE))  # larger tiles, larger points
            for xy, classes, filled in self._points:
                centres = self._to_pixels(frame, xy)
                for k in np.unique(classes).tolist():
                    stamp_points(painter, centres[classes == k], point_color(k), filled, diameter)
            painter.end()
            self._layer = layer
        return self._layer

    def _paint_axes(self, painter: QPainter, frame: QRectF) -> None:
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(QPen(QColor(AXIS_COLOR), 1))
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(frame)
        metrics = QFontMetrics(self.font())
        x0, x1, y0, y1 = self._bounds
        corner = np.array([[x0, y0]])
        for value in nice_ticks(x0, x1, max(2, int(frame.width() // 40))):
            x = self._to_pixels(frame, corner + [[value - x0, 0]])[0, 0]
            painter.drawLine(QLineF(x, frame.bottom(), x, frame.bottom() - TICK))
            text = tick_label(value)
            painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2, frame.bottom() + metrics.ascent() + 2), text)
        for value in nice_ticks(y0, y1, 4):
            y = self._to_pixels(frame, corner + [[0, value - y0]])[0, 1]
            painter.drawLine(QLineF(frame.left(), y, frame.left() + TICK, y))
            text = tick_label(value)
            painter.drawText(QPointF(frame.left() - metrics.horizontalAdvance(text) - 3,
                                     y + metrics.ascent() / 2 - 1), text)

    def resizeEvent(self, event) -> None:
        self._layer = None
        super().resizeEvent(event)
