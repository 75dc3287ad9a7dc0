"""A grid of small maps, one per unit of a hidden layer: what each unit responds to over the
plane (for points of one coordinate, its output as a curve over x), or, for images, what it
looks for in an image."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike
from PyQt5.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PyQt5.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.core.analysis.grid import Bounds
from nnviz.core.analysis.units import (
    activation_range,
    describe_unit,
    outgoing_strength,
    sticky_order,
    unit_curves,
    unit_images,
    unit_maps,
)
from nnviz.core.model.network import MLP
from nnviz.gui.colors import UNIT_NEGATIVE, UNIT_POSITIVE, activation_lut, rgb
from nnviz.gui.inside.unit_picker import UnitPicker

__all__ = ["UnitGrid", "describe_unit", "diverging_lut", "map_resolution"]  # describe_unit: for tooltips

MISSING_COLOR = "#9a9a9a"  # a NaN pixel (a diverged network)
MIN_TILE = 36  # px; narrower and a map is too small to read
MAX_TILE = 150  # px; a few units should not each fill the panel
GAP = 3
MARGIN = 4
HEADER = 22  # the colour-scale legend, at least: a caption that does not fit beside the scale goes below it
LEGEND_PX = 10  # the legend's and the unit numbers' font size
SCALE_BAR = 90  # px, the legend's colour bar
NUMBER_MIN_TILE = 44  # tiles at least this big carry their unit number
POINT_BUDGET = 200 * 28 * 28  # grid points for all maps: 28 px each at 200 units, finer when fewer
CURVE_POINTS = 64  # x values a unit's curve is drawn through: tiles are at most 150 px wide, most far less
CURVE_COLOR = "#222222"
AREA_ALPHA = 90  # of the unit colours filling between a curve and zero: the curve stays the thing seen


def diverging_lut(size: int = 256) -> np.ndarray:
    """``size + 1`` colours as ``0xFFRRGGBB`` (QImage RGB32): :func:`activation_lut` (purple
    negative, white zero, green positive, as in the plot's unit overlay), then the colour
    for missing values."""
    table = np.vstack([activation_lut(size), rgb(MISSING_COLOR)]).astype(np.uint32)
    r, g, b = table.T
    return 0xFF000000 | (r << 16) | (g << 8) | b


def map_resolution(units: int) -> int:
    """Pixels per side of each unit's map: 28 at 200 units, up to 64 when there are few."""
    return int(np.clip(math.isqrt(POINT_BUDGET // max(units, 1)), 28, 64))


class UnitGrid(UnitPicker):
    """One tile per hidden unit, showing its activation over the data's plane.

    Tiles are ordered by outgoing strength (strongest first, with a little hysteresis so
    near ties do not swap every frame, and held while the pointer is on the grid); all share one colour scale (purple negative, white
    zero, green positive). The column count follows the width and the height follows from
    it (``heightForWidth``), so it belongs in a ``QScrollArea`` with ``widgetResizable``.
    All tiles are one QImage, drawn tile by tile: cheap at 200 units and 60 frames a second.
    For points of one coordinate a tile is a small plot instead: the unit's output (up, on the
    shared scale) against x (across), the area between it and zero green above and purple below.

    Hovering and clicking tiles work as in :class:`UnitPicker` (units are hidden unit
    indices, as in ``network.weights[0][:, unit]``).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        policy.setHeightForWidth(True)  # QScrollArea asks the policy, not the virtual method
        self.setSizePolicy(policy)
        self._lut = diverging_lut()
        self._maps = np.zeros((0, 1, 1), np.float32)  # display order
        self._order = np.zeros(0, np.intp)
        self._layer = 0  # the hidden layer shown
        self._levels = (-1.0, 1.0)
        self._caption = "each unit's output"
        self._sequential = False  # the scale is white to green (pictures of images), not purple to green
        self._image_rows = 0  # rows of the data's images in each (square) tile; 0 for maps over the plane
        self._curves: list[tuple[QPainterPath, QPainterPath]] = []  # of 1-D points: (line, area) a tile, in a unit square
        self._zero = 0.5  # where zero is in a curve's tile, from the top (0) to the bottom (1)
        self._buffer = np.zeros((0, 0), np.uint32)  # kept alive: the QImage does not copy it
        self._image = QImage()
        self._legend_buffer = np.ascontiguousarray(self._lut[None, :-1])
        self._legend = QImage(self._legend_buffer.data, len(self._lut) - 1, 1, 4 * (len(self._lut) - 1),
                              QImage.Format_RGB32)
        self._header_of: tuple = ((), HEADER)  # the legend's height, and what it was worked out for

    # --- feeding -------------------------------------------------------------------------

    def show_network(self, network: MLP, bounds: Bounds, fill: ArrayLike | None = None, layer: int = 0) -> None:
        """Recompute the map of every unit of hidden layer ``layer`` over ``bounds`` and redraw;
        ``fill`` holds features beyond the first two (see :func:`nnviz.core.analysis.units.unit_maps`)."""
        units = network.layer_sizes[1 + layer]
        maps = unit_maps(network, bounds, map_resolution(units), fill, layer)
        self._image_rows = 0
        self._show(network, layer, maps, activation_range(network.activations[layer], maps), "each unit's output",
                   sequential=False)

    def show_curves(self, network: MLP, x_range: tuple[float, float], layer: int = 0) -> None:
        """For a network of one input: recompute every unit of hidden layer ``layer`` as its
        output over ``x_range`` and redraw (see :func:`nnviz.core.analysis.units.unit_curves`)."""
        _xs, curves = unit_curves(network, x_range, CURVE_POINTS, layer)
        self._image_rows = 0
        self._show(network, layer, curves, activation_range(network.activations[layer], curves),
                   "each unit's output over x", sequential=False)

    def show_images(self, network: MLP, image_shape: tuple[int, int], layer: int, images: np.ndarray) -> None:
        """For image data: each unit's picture (see :func:`nnviz.core.analysis.units.unit_images`), its
        images at most ``images`` (the test images) deep in the network."""
        pictures, levels, caption = unit_images(network, image_shape, layer, images)
        sequential = levels[0] == 0  # pictures of images: white (no ink) to green
        rows, columns = image_shape
        side = max(rows, columns)  # tiles are square: a wide image gets grey bands
        square = np.full((len(pictures), side, side), np.nan, np.float32)
        square[:, (side - rows) // 2:(side - rows) // 2 + rows, (side - columns) // 2:(side - columns) // 2 + columns] = pictures
        self._image_rows = rows
        self._show(network, layer, square[:, ::-1, :], levels, caption, sequential)  # bottom row first, as maps are

    def _show(self, network: MLP, layer: int, maps: np.ndarray, levels: tuple[float, float], caption: str,
              sequential: bool) -> None:
        """Show ``maps`` (units, side, side), row 0 the bottom, on the colour scale ``levels``:
        purple, white, green, or (``sequential``) white to green only; or curves (units, points)
        on the scale ``levels``."""
        units = len(maps)
        new_shape = units != len(self._order) or layer != self._layer
        if new_shape:
            self._order = np.zeros(0, np.intp)  # another layer's order means nothing here
        self._layer = layer
        if new_shape or self._mouse is None:  # hold the order under the pointer: no tile slips away
            self._order = sticky_order(outgoing_strength(network, layer), self._order)
        self._maps = maps[self._order]
        relayout = new_shape or caption != self._caption or self._blank()  # the legend may take two lines
        self._levels, self._caption, self._sequential = levels, caption, sequential
        if maps.ndim == 2:
            self._trace_curves()
        else:
            self._colour_tiles()
        if relayout:
            self.updateGeometry()
        self._network_changed(units)
        self.update()

    def _blank(self) -> bool:
        """Whether nothing is shown yet."""
        return not len(self._maps)

    def _trace_curves(self) -> None:
        """Each curve as paths in a unit square (x across, the scale's top at y = 0): its line
        and the area between it and zero, built once a frame and scaled into any tile."""
        low, high = self._levels
        heights = (high - np.asarray(self._maps, dtype=np.float64)) / (high - low)  # 0 at the top
        zero = float(np.clip(high / (high - low), 0.0, 1.0))
        heights = np.clip(heights, -0.02, 1.02)  # a touch past the edges: a clipped curve shows it is
        xs = np.linspace(0.0, 1.0, heights.shape[1])
        around = np.concatenate([xs, [1.0, 0.0]])
        curves = []
        for height in heights:
            line = pg.arrayToQPath(xs, height, connect="finite")  # a diverged network's NaN breaks the line
            area = pg.arrayToQPath(around, np.concatenate([np.nan_to_num(height, nan=zero), [zero, zero]]))
            area.closeSubpath()
            curves.append((line, area))
        self._curves, self._zero = curves, zero
        self._image = QImage()

    def _colour_tiles(self) -> None:
        self._curves = []
        maps = self._maps
        low, high = self._levels
        finite = np.isfinite(maps)
        scaled = np.clip((np.where(finite, maps, low) - low) * (255.0 / (high - low)), 0, 255)
        if self._sequential:  # white to green, the upper half of the scale
            scaled = 128 + scaled * (127 / 255)
        index = np.where(finite, np.rint(scaled), len(self._lut) - 1).astype(np.intp)
        # Row 0 of a map is y_min; an image's row 0 is its top, so flip to put y up. The one
        # pixel border repeats the edge, so bilinear scaling never blends in the next tile.
        pixels = np.pad(self._lut[index[:, ::-1, :]], ((0, 0), (1, 1), (1, 1)), mode="edge")
        count, side = pixels.shape[0], pixels.shape[1]
        self._buffer = np.ascontiguousarray(pixels.reshape(count * side, side))
        self._image = QImage(self._buffer.data, side, count * side, 4 * side, QImage.Format_RGB32)

    # --- for tests and consumers -----------------------------------------------------------

    def displayed_maps(self) -> np.ndarray:
        """The maps ``(H, r, r)`` as shown, in tile order (row 0 of each is the bottom: ``y_min``,
        or an image's last row); for points of one coordinate, the curves ``(H, points)``."""
        return self._maps

    def order(self) -> np.ndarray:
        """The unit index shown by each tile, first tile first."""
        return self._order

    def levels(self) -> tuple[float, float]:
        """The activation values at the two ends of the colour scale."""
        return self._levels

    def columns(self) -> int:
        """Tiles per row at the current size."""
        return self._layout(self.width(), self.height())[0]

    # --- geometry -------------------------------------------------------------------------

    def _layout(self, width: int, height: int) -> tuple[int, int]:
        """``(columns, tile side)``: the biggest tiles that fit the whole grid in the widget,
        or, when even ``MIN_TILE`` tiles do not fit its height, as many columns as the width
        takes (the height then comes from :meth:`heightForWidth`, in a scroll area)."""
        count = max(len(self._order), 1)
        room_w, room_h = max(width - 2 * MARGIN, 1), height - self._header(width) - MARGIN
        columns = np.arange(1, count + 1)
        rows = -(-count // columns)
        by_width = (room_w - (columns - 1) * GAP) // columns
        by_height = (room_h - (rows - 1) * GAP) // rows
        tile = np.minimum(np.minimum(by_width, by_height), MAX_TILE)
        if tile.max() >= MIN_TILE:
            # Among tiles within 10% of the biggest, the fewest rows (3 tiles in a row, not 2 + 1).
            best = int(np.flatnonzero(tile >= max(0.9 * tile.max(), MIN_TILE))[-1])
            return int(columns[best]), int(tile[best])
        fit = max(1, min(count, (room_w + GAP) // (MIN_TILE + GAP)))
        return fit, int(max(8, min(MAX_TILE, (room_w - (fit - 1) * GAP) // fit)))

    def tile_rect(self, position: int) -> QRect:
        """Where the ``position``-th tile (counting from the first) is drawn."""
        return self._tile_rect(position, *self._layout(self.width(), self.height()), self._header(self.width()))

    def _tile_rect(self, position: int, columns: int, tile: int, top: int) -> QRect:
        """``top``: the legend's height (:meth:`_header`), worked out once a paint, not a tile."""
        row, column = divmod(position, columns)
        return QRect(MARGIN + column * (tile + GAP), top + row * (tile + GAP), tile, tile)

    def _legend_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(LEGEND_PX)
        return font

    def _legend_ends(self) -> tuple[str, str]:
        return tuple(f"{v:.2g}".replace("-", "\u2212") for v in self._levels)

    def _caption_x(self, metrics: QFontMetrics, ends: tuple[str, str] | None = None) -> int:
        """Where the caption starts when it goes beside the scale: after low, bar and high."""
        low, high = ends or self._legend_ends()
        return MARGIN + metrics.horizontalAdvance(low) + 4 + SCALE_BAR + 5 + metrics.horizontalAdvance(high) + 12

    def _caption_below(self, metrics: QFontMetrics, width: int) -> bool:
        """Whether the caption goes on a line of its own, below the scale: whether it would not
        fit beside it with ends as wide as they usually are (so that the tiles do not jump up
        and down as the ends change in training)."""
        widest = "\u22120.88"
        return not self._blank() and \
            self._caption_x(metrics, (widest, widest)) + metrics.horizontalAdvance(self._caption) > width - MARGIN

    def _header(self, width: int) -> int:
        """The legend's height at ``width``: a line for the scale (as tall as the font needs),
        and one for the caption when it does not fit beside it."""
        key = (width, self._caption, self._blank(), self.font().key())
        if self._header_of[0] != key:
            metrics = QFontMetrics(self._legend_font())
            height = max(HEADER, metrics.height() + 8)
            if self._caption_below(metrics, width):
                height += metrics.height()
            self._header_of = (key, height)
        return self._header_of[1]

    def unit_at(self, point: QPoint) -> int:
        """The unit whose tile is at widget position ``point``, or -1 (gaps count as none)."""
        columns, tile = self._layout(self.width(), self.height())
        x, y = point.x() - MARGIN, point.y() - self._header(self.width())
        if x < 0 or y < 0:
            return -1
        (column, dx), (row, dy) = divmod(x, tile + GAP), divmod(y, tile + GAP)
        position = row * columns + column
        if column >= columns or dx >= tile or dy >= tile or position >= len(self._order):
            return -1
        return int(self._order[position])

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        columns, tile = self._layout(width, 0)  # height 0: the width decides
        rows = max(1, -(-len(self._order) // columns))
        return self._header(width) + rows * (tile + GAP) - GAP + MARGIN

    def sizeHint(self) -> QSize:
        width = 2 * MARGIN + 6 * MIN_TILE + 5 * GAP
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(2 * MARGIN + MIN_TILE, self._header(2 * MARGIN + MIN_TILE) + MIN_TILE + MARGIN)

    # --- drawing --------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        visible = event.rect()  # in a scroll area most rows are out of view
        painter = QPainter(self)
        painter.fillRect(visible, QColor("white"))
        painter.setFont(self._legend_font())
        self._draw_legend(painter)
        if self._blank():
            return
        columns, tile = self._layout(self.width(), self.height())
        top = self._header(self.width())
        if self._curves:
            self._draw_curves(painter, columns, tile, top, visible)
        else:
            self._draw_images(painter, columns, tile, top, visible)
        if tile >= NUMBER_MIN_TILE:
            self._draw_numbers(painter, columns, tile, top, visible)
        self._draw_frames(painter, columns, tile, top)

    def _draw_images(self, painter: QPainter, columns: int, tile: int, top: int, visible: QRect) -> None:
        side = self._image.width()
        resolution = side - 2
        painter.setRenderHint(QPainter.SmoothPixmapTransform, tile > resolution and not self._image_rows)  # pixels stay crisp
        painter.setPen(QPen(QColor("#c8c8c8"), 1))
        for position in range(len(self._order)):
            rect = self._tile_rect(position, columns, tile, top)
            if not visible.intersects(rect):
                continue
            source = QRectF(1, position * side + 1, resolution, resolution)
            painter.drawImage(QRectF(rect), self._image, source)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))  # white (inactive) tiles need an edge

    def _draw_curves(self, painter: QPainter, columns: int, tile: int, top: int, visible: QRect) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        above, below = QColor(UNIT_POSITIVE), QColor(UNIT_NEGATIVE)
        for color in (above, below):
            color.setAlpha(AREA_ALPHA)
        line_pen = QPen(QColor(CURVE_COLOR), 1.5)
        zero_pen = QPen(QColor("#9a9a9a"), 1, Qt.DashLine)
        for pen in (line_pen, zero_pen):
            pen.setCosmetic(True)  # the same width in every tile, however scaled
        zero = self._zero
        for position, (line, area) in enumerate(self._curves):
            rect = self._tile_rect(position, columns, tile, top)
            if not visible.intersects(rect):
                continue
            inner = QRectF(rect).adjusted(1, 1, -1, -1)
            painter.save()
            painter.setClipRect(inner)
            painter.translate(inner.topLeft())
            painter.scale(inner.width(), inner.height())
            for color, side in ((above, QRectF(0, 0, 1, zero)), (below, QRectF(0, zero, 1, 1 - zero))):
                painter.save()  # each colour clipped to its side of zero
                painter.setClipRect(side, Qt.IntersectClip)
                painter.fillPath(area, color)
                painter.restore()
            if 0 < zero < 1:
                painter.setPen(zero_pen)
                painter.drawLine(QPointF(0, zero), QPointF(1, zero))
            painter.strokePath(line, line_pen)
            painter.restore()
            painter.setPen(QPen(QColor("#c8c8c8"), 1))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.setRenderHint(QPainter.Antialiasing, False)

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        line = max(HEADER, metrics.height() + 8)  # the scale's line
        y = (line - 8) // 2 - 1  # the bar's top
        baseline = (line + metrics.ascent() - metrics.descent()) // 2  # text centred on the line
        if self._blank():
            painter.setPen(QColor("#666"))
            painter.drawText(MARGIN, baseline, "no network yet")
            return
        low, high = self._legend_ends()
        painter.setPen(QColor("#444"))
        x = MARGIN
        painter.drawText(x, baseline, low)
        x += metrics.horizontalAdvance(low) + 4
        bar = QRect(x, y, SCALE_BAR, 8)
        half = self._legend.width() // 2
        source = QRect(half, 0, self._legend.width() - half, 1) if self._sequential else self._legend.rect()
        painter.drawImage(bar, self._legend, source)
        painter.drawText(bar.right() + 5, baseline, high)
        x, below, text = self._caption_place(metrics)
        painter.setPen(QColor("#666"))
        painter.drawText(x, baseline + below * (metrics.height() - 2), text)

    def _caption_place(self, metrics: QFontMetrics) -> tuple[int, bool, str]:
        """Where the caption goes (x, and whether on a line below the scale) and its text,
        elided only if even a line of its own is too short."""
        x, below = self._caption_x(metrics), self._caption_below(metrics, self.width())
        if below:
            x = MARGIN
        return x, below, metrics.elidedText(self._caption, Qt.ElideRight, max(0, self.width() - x - MARGIN))

    def legend_caption(self) -> str:
        """The caption as the legend shows it (for tests)."""
        return self._caption_place(QFontMetrics(self._legend_font()))[2]

    def _draw_numbers(self, painter: QPainter, columns: int, tile: int, top: int, visible: QRect) -> None:
        metrics = painter.fontMetrics()
        for position, unit in enumerate(self._order):
            rect = self._tile_rect(position, columns, tile, top)
            if not visible.intersects(rect):
                continue
            text = str(unit)
            label = QRect(rect.left() + 1, rect.top() + 1, metrics.horizontalAdvance(text) + 4, metrics.height())
            painter.fillRect(label, QColor(255, 255, 255, 190))
            painter.setPen(QColor("#333"))
            painter.drawText(label, Qt.AlignCenter, text)

    def _draw_frames(self, painter: QPainter, columns: int, tile: int, top: int) -> None:
        positions = {int(u): p for p, u in enumerate(self._order)}
        for unit, width in ((self._hovered, 2), (self._highlighted, 2), (self._selected, 3)):
            if unit not in positions:
                continue
            rect = self._tile_rect(positions[unit], columns, tile, top)
            # A white line inside the dark frame keeps it visible on dark purple or green.
            painter.setPen(QPen(QColor("#111"), width))
            painter.drawRect(QRectF(rect).adjusted(-width / 2, -width / 2, width / 2, width / 2))
            painter.setPen(QPen(QColor("white"), 1))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
