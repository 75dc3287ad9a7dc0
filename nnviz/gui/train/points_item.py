"""Data points, many of them, in the colour of their class (or of their value, in a few dozen
shades): stamped from one small picture per colour instead of drawn one by one.

pyqtgraph's ScatterPlotItem works point by point when it is given points: 5000 of them took about
20 ms to set and as long again to paint, on every new sample or sprayed point. Here new points
are two arrays kept as given, and painting stamps every point of a class in one call.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QPaintEngine, QPainter, QPen, QPixmap
from pyqtgraph.Qt.internals import PrimitiveArray

from nnviz.gui.colors import POINT_COLORS

VECTOR_ENGINES = (QPaintEngine.SVG, QPaintEngine.Pdf, QPaintEngine.Picture)  # exports keep true circles


def point_color(k: int) -> str:
    return POINT_COLORS[k % len(POINT_COLORS)]


def _pen_and_brush(color: str, filled: bool, outline: str | None = None) -> tuple[QPen, QColor]:
    """Training points are filled with a white outline (or ``outline``); test points are rings."""
    if filled:
        return QPen(QColor(outline) if outline else QColor(Qt.white), 1.0), QColor(color)
    return QPen(QColor(color), 1.5), QColor(0, 0, 0, 0)


def _draw_point(painter: QPainter, centre: QPointF, color: str, filled: bool, diameter: float,
                outline: str | None) -> None:
    """One point; a ring with an ``outline`` gets a dark rim outside and inside, so that it reads
    on a map of its own colours."""
    radius = diameter / 2
    if outline and not filled:  # a thick ring in its colour, a thin dark rim outside it
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.setPen(QPen(QColor(outline), 1.0))
        painter.drawEllipse(centre, radius + 1.25, radius + 1.25)
        painter.setPen(QPen(QColor(color), 2.0))
        painter.drawEllipse(centre, radius - 0.25, radius - 0.25)
        return
    pen, brush = _pen_and_brush(color, filled, outline)
    painter.setPen(pen)
    painter.setBrush(brush)
    painter.drawEllipse(centre, radius, radius)


@functools.lru_cache(maxsize=256)
def point_stamp(color: str, filled: bool, diameter: float, ratio: float, outline: str | None = None) -> QPixmap:
    """One point, drawn once, centred in a pixmap ``diameter + 4`` px across."""
    side = diameter + 4
    stamp = QPixmap(QSize(math.ceil(side * ratio), math.ceil(side * ratio)))
    stamp.setDevicePixelRatio(ratio)
    stamp.fill(Qt.transparent)
    painter = QPainter(stamp)
    painter.setRenderHint(QPainter.Antialiasing, True)
    _draw_point(painter, QPointF(side / 2, side / 2), color, filled, diameter, outline)
    painter.end()
    return stamp


def stamp_points(painter: QPainter, centres: np.ndarray, color: str, filled: bool, diameter: float,
                 fragments: PrimitiveArray | None = None, outline: str | None = None) -> None:
    """Points of one colour at pixel ``centres`` ``(n, 2)``, stamped in one call (a stamp each
    is ten times quicker than an ellipse each, and one call for all a hundred times)."""
    ratio = painter.device().devicePixelRatioF()
    stamp = point_stamp(color, filled, diameter, ratio, outline)
    fragments = fragments or PrimitiveArray(QPainter.PixmapFragment, 10)
    fragments.resize(len(centres))
    rows = fragments.ndarray()
    rows[:, 0:2] = centres  # where each stamp's centre goes
    rows[:, 2:6] = (0, 0, stamp.width(), stamp.height())  # all of the stamp, in its pixels
    rows[:, 6:10] = (1 / ratio, 1 / ratio, 0.0, 1.0)  # scale, rotation, opacity
    painter.drawPixmapFragments(*fragments.drawargs(), stamp)


class PointsItem(pg.GraphicsObject):
    """Points of a plot, ``diameter`` pixels across whatever the zoom, coloured by class:
    filled (training points) or rings (test points)."""

    def __init__(self, diameter: float, filled: bool):
        super().__init__()
        self.diameter, self.filled = diameter, filled
        self._xy = np.zeros((0, 2))
        self._classes = np.zeros(0, dtype=np.intp)
        self._palette: tuple[str, ...] = POINT_COLORS
        self._outline: str | None = None
        self._extent = QRectF()
        self._fragments = PrimitiveArray(QPainter.PixmapFragment, 10)

    def set_points(self, xy: np.ndarray, classes: np.ndarray, palette: tuple[str, ...] | None = None,
                   outline: str | None = None) -> None:
        """Show points ``xy`` ``(n, 2)`` of classes ``classes`` ``(n,)``, class ``k`` in colour
        ``palette[k]`` (by default the class colours); ``outline``: a dark rim for points drawn on
        a map of their own colours (None: training points get a white one)."""
        self.prepareGeometryChange()
        self._xy = np.array(xy, dtype=np.float64).reshape(-1, 2)  # a copy: the caller's may change
        self._classes = np.array(classes, dtype=np.intp)
        self._palette = POINT_COLORS if palette is None else tuple(palette)
        self._outline = outline
        if len(self._xy):
            (x0, y0), (x1, y1) = self._xy.min(axis=0), self._xy.max(axis=0)
            self._extent = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._extent = QRectF()
        self.update()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of the points shown."""
        return self._xy[:, 0], self._xy[:, 1]

    def classes(self) -> np.ndarray:
        """The class of each point shown."""
        return self._classes

    def colors(self) -> list[str]:
        """The colour each point is drawn in."""
        return [self._color(k) for k in self._classes.tolist()]

    def _color(self, k: int) -> str:
        return self._palette[k % len(self._palette)]

    def boundingRect(self) -> QRectF:
        if not len(self._xy):
            return QRectF()
        reach = self.diameter / 2 + 2  # px beyond a point's centre
        dx, dy = reach * (self.pixelWidth() or 0.0), reach * (self.pixelHeight() or 0.0)
        return self._extent.adjusted(-dx, -dy, dx, dy)

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the bounds hold a radius in pixels, so they change with the zoom
        super().viewTransformChanged()

    def paint(self, painter: QPainter, _option, widget) -> None:
        if not len(self._xy):
            return
        centres = pg.functions.transformCoordinates(painter.transform(), self._xy.T).T
        vector = painter.paintEngine() is not None and painter.paintEngine().type() in VECTOR_ENGINES
        painter.save()
        painter.resetTransform()
        for k in np.unique(self._classes).tolist():
            mine = centres[self._classes == k]
            if vector:
                painter.setRenderHint(QPainter.Antialiasing, True)
                for x, y in mine.tolist():
                    _draw_point(painter, QPointF(x, y), self._color(k), self.filled, self.diameter, self._outline)
                continue
            stamp_points(painter, mine, self._color(k), self.filled, self.diameter, self._fragments, self._outline)
        painter.restore()
