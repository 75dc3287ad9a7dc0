"""A small decision-boundary picture for a grid of tiles, painted directly with QPainter; for a
regression, the fit: the network's curve through the points (data of one coordinate), or its
value as a map on the diverging value scale with contour lines (points of the plane).

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

from nnviz.core.analysis.contour import contour_levels, value_contours
from nnviz.core.analysis.grid import Bounds, DecisionGrid, grid_resolution
from nnviz.core.analysis.regression import extended_range, fit_curve
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.colors import (
    BEYOND_COLOR,
    CONTOUR_COLOR,
    VALUE_LINE_COLOR,
    VALUE_OUTLINE,
    value_colors,
    value_palette,
    value_range,
    value_shades,
)
from nnviz.gui.train.plots import class_map
from nnviz.gui.train.points_item import point_color, stamp_points
from nnviz.gui.train.regression_plot import FIT_COLOR, POINTS_COLOR

TILE_RESOLUTION = 64  # grid cells a side; the picture is smoothed when scaled up
TILE_POINTS = 400  # at most this many points of each split: a tile is too small to tell more apart
POINT_SIZE = (5, 8)  # px across, in a small tile and a large one
TICK = 4  # px, ticks point into the picture
AXIS_COLOR = "#333333"
CURVE_POINTS = 160  # x values of a tile's curve: smooth at any tile width
TILE_WIDEN = 0.25  # a curve tile shows this share of the data's x span beyond each side: extrapolation
TARGET_MARGIN = 0.12  # of the targets' span, above and below the points of a curve tile


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
    view of a dataset's extent (equal scales on both axes), with ticks on the left and below.

    For a regression on points of one coordinate: the points (x, target) and the network's
    curve over a range a little wider than theirs (shaded beyond them), x across and the
    target up, filling the tile. On points of the plane: the network's value as a map on the
    diverging value scale fixed by the targets, its contour lines, and the points coloured by
    their targets."""

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
        self._colors: np.ndarray | None = None  # the background's RGB, row 0 at y_min
        self._lines = np.empty((0, 2))  # the boundary's (a value map's contour lines') segment ends
        self._points: list[tuple[np.ndarray, np.ndarray, bool]] = []  # (xy, classes, filled) per split
        self._layer: QPixmap | None = None  # the points, painted once per size and dataset
        self._task = "classes"  # or "curve" (a regression of one coordinate) or "values" (of the plane)
        self._levels = (-1.0, 1.0)  # a value map's scale, fixed by the targets
        self._data_x = (0.0, 0.0)  # a curve's points' x extent (shaded beyond)
        self._values: np.ndarray | None = None  # a value map's values (rows, columns)
        self._curve: tuple[np.ndarray, np.ndarray] | None = None  # a curve's (xs, ys)

    @property
    def bounds(self) -> Bounds | None:
        """``(x_min, x_max, y_min, y_max)`` of the view, as the grid covers it."""
        return self._bounds

    def sizeHint(self) -> QSize:
        return QSize(220, 160)

    def set_dataset(self, data: Dataset) -> None:
        """Show ``data``'s points in a view of their extent."""
        self._task = "classes" if not data.regression else "curve" if data.columns == 1 else "values"
        self._bounds = self._curve_bounds(data) if self._task == "curve" else data.bounds()
        fill = data.feature_means[2:] if data.columns > 2 else None
        self._grid = None if self._task == "curve" else DecisionGrid(self._bounds, TILE_RESOLUTION, fill=fill)
        if self._task == "values":
            self._levels = value_range(data.merged()[1])
        self._points = []
        for X, y, filled in ((data.X_test, data.y_test, False), (data.X_train, data.y_train, True)):
            every = slice(None, None, max(1, -(-len(y) // TILE_POINTS)))  # every k-th: the same picture
            xy = np.column_stack([X[every, 0], y[every]]) if self._task == "curve" else X[every, :2]
            self._points.append((np.asarray(xy, float), np.asarray(y[every]), filled))
        self._probs = self._image = self._values = self._curve = self._colors = None
        self._boundary = QPainterPath()
        self._lines = np.empty((0, 2))
        self._layer = None
        self.update()

    def _curve_bounds(self, data: Dataset) -> Bounds:
        """A curve's view: x a little beyond the points' (:data:`TILE_WIDEN`), the targets with a margin."""
        X, y = data.merged()
        self._data_x = (float(X[:, 0].min()), float(X[:, 0].max())) if len(y) else (0.0, 0.0)
        x0, x1 = extended_range(data, TILE_WIDEN)
        low, high = (float(y.min()), float(y.max())) if len(y) else (-1.0, 1.0)
        margin = TARGET_MARGIN * (high - low) if high > low else 0.5
        return x0, x1, low - margin, high + margin

    def show_network(self, network: MLP) -> None:
        """Redraw the background and the boundary (a regression's curve or value map) for ``network``."""
        if self._bounds is None:
            return
        if self._task == "curve":
            xs, ys = fit_curve(network, self._bounds[:2], CURVE_POINTS)
            self._curve = (xs, ys)
            self._boundary = pg.arrayToQPath(xs, ys, connect="finite")  # a diverged network's NaN breaks it
            self.update()
            return
        resolution = min(TILE_RESOLUTION, grid_resolution(network.layer_sizes))
        if resolution != self._grid.resolution:  # a large network gets a coarser grid, as in the Train view
            self._grid = DecisionGrid(self._bounds, resolution, fill=self._grid.fill)
        if self._task == "values":
            self._show_values(network)
            return
        probs = self._grid.probabilities(network)
        if self.still:
            self._grid.release()
        self._probs = probs
        colors, ends = class_map(probs, self._bounds, network.output)  # as the Train view draws it
        self._show_picture(colors, ends)

    def _show_picture(self, colors: np.ndarray, ends: np.ndarray) -> None:
        """Show the background ``colors`` (RGB, row 0 at y_min) and the lines of segment ``ends``."""
        self._colors, self._lines = colors, ends
        rgb = np.ascontiguousarray(colors[::-1])  # row 0 is the top of the picture
        height, width = rgb.shape[:2]
        self._image = QImage(rgb.data, width, height, 3 * width, QImage.Format_RGB888).copy()
        self._boundary = pg.arrayToQPath(ends[:, 0], ends[:, 1], connect="pairs")  # built in C, not point by point
        self.update()

    def _show_values(self, network: MLP) -> None:
        values = self._grid.outputs(network)[..., 0].astype(np.float64)  # (the grid's buffer: a copy)
        if self.still:
            self._grid.release()
        self._values = values
        with np.errstate(invalid="ignore"):
            ends = value_contours(values, contour_levels(*self._levels), self._bounds)
        self._show_picture(value_colors(values, *self._levels), ends)

    def probability_image(self) -> np.ndarray | None:
        """The class probabilities ``(rows, columns, classes)`` shown now (for tests and checks)."""
        return self._probs

    def value_image(self) -> np.ndarray | None:
        """A regression's values on the plane ``(rows, columns)`` shown now, row 0 at y_min (for tests)."""
        return self._values

    def picture(self) -> np.ndarray | None:
        """The background's RGB colours ``(rows, columns, 3)`` shown now, row 0 at y_min (for tests)."""
        return self._colors

    def lines(self) -> np.ndarray:
        """The decision boundary (a value map's contour lines) shown now: segment ends in pairs,
        ``(2k, 2)`` in data coordinates (for tests)."""
        return self._lines

    def curve(self) -> tuple[np.ndarray, np.ndarray] | None:
        """A regression's curve ``(xs, ys)`` shown now, for data of one coordinate (for tests)."""
        return self._curve

    @property
    def levels(self) -> tuple[float, float]:
        """A value map's scale: the values at its two ends."""
        return self._levels

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
        if self._task == "curve":  # x and a value: no common scale to keep
            return room
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
        if self._task == "curve":
            self._paint_beyond(painter, frame)
        painter.setRenderHint(QPainter.Antialiasing, True)
        if self._task == "curve":  # the points under the curve: the fit is what the tile is about
            painter.drawPixmap(0, 0, self._points_layer(frame))
        if not self._boundary.isEmpty():
            x0, x1, y0, y1 = self._bounds
            painter.save()
            painter.setClipRect(frame)  # a curve may leave the view
            painter.setTransform(QTransform.fromTranslate(frame.left(), frame.bottom()), True)
            painter.scale(frame.width() / (x1 - x0), -frame.height() / (y1 - y0))
            painter.translate(-x0, -y0)
            pen = {"classes": QPen(QColor(CONTOUR_COLOR), 2), "curve": QPen(QColor(FIT_COLOR), 2.5),
                   "values": QPen(QColor(*VALUE_LINE_COLOR), 1)}[self._task]
            pen.setCosmetic(True)  # its width in pixels whatever the scale
            painter.strokePath(self._boundary, pen)
            painter.restore()
        if self._task != "curve":
            painter.drawPixmap(0, 0, self._points_layer(frame))
        self._paint_axes(painter, frame)

    def _paint_beyond(self, painter: QPainter, frame: QRectF) -> None:
        """Shade the x beyond the points: what the curve shows there is extrapolation."""
        x0, x1 = self._bounds[:2]
        lo, hi = (frame.left() + (x - x0) / (x1 - x0) * frame.width() for x in self._data_x)
        beyond = QColor(*BEYOND_COLOR)
        painter.fillRect(QRectF(frame.left(), frame.top(), max(lo - frame.left(), 0), frame.height()), beyond)
        painter.fillRect(QRectF(hi, frame.top(), max(frame.right() - hi, 0), frame.height()), beyond)

    def _points_layer(self, frame: QRectF) -> QPixmap:
        # The points change only with the data, the background with every frame.
        ratio = self.devicePixelRatioF()
        if self._layer is None or self._layer.size() != self.size() * ratio:
            layer = QPixmap(self.size() * ratio)
            layer.setDevicePixelRatio(ratio)
            layer.fill(Qt.transparent)
            painter = QPainter(layer)
            diameter = float(np.clip(frame.width() / 60, *POINT_SIZE))  # larger tiles, larger points
            for xy, labels, filled in self._points:
                centres = self._to_pixels(frame, xy)
                if self._task == "curve":
                    stamp_points(painter, centres, POINTS_COLOR, filled, diameter)
                elif self._task == "values":
                    self._stamp_targets(painter, centres, labels, filled, diameter)
                else:
                    for k in np.unique(labels).tolist():
                        stamp_points(painter, centres[labels == k], point_color(k), filled, diameter)
            painter.end()
            self._layer = layer
        return self._layer

    def _stamp_targets(self, painter: QPainter, centres: np.ndarray, targets: np.ndarray, filled: bool,
                       diameter: float) -> None:
        """Points coloured by their targets on the value scale, a stamp a shade, as the Train view's
        (:func:`~nnviz.gui.colors.value_shades`)."""
        shade, palette = value_shades(targets, *self._levels), value_palette()
        for k in np.unique(shade).tolist():
            stamp_points(painter, centres[shade == k], palette[k], filled, diameter, outline=VALUE_OUTLINE)

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
