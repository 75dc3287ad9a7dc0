"""The network as a node-and-edge diagram: inputs, the hidden units, the classes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from PyQt5.QtWidgets import QWidget

from nnviz.core.network import MLP
from nnviz.gui.colors import POINT_COLORS
from nnviz.gui.unit_picker import UnitPicker

# Paul Tol's vibrant blue and red: told apart with every common colour-vision deficiency.
POSITIVE_COLOR = "#0077bb"
NEGATIVE_COLOR = "#cc3311"
NODE_EDGE = "#555555"
MAX_EDGES = 80  # beyond this the picture is a hairball; draw the strongest
LINE = 15  # px per text line (legend on top, caption below)
HIDDEN_RADIUS = 12  # px, the largest a hidden node gets (they shrink to dots when many)
END_RADIUS = 10  # px, the largest an input or output node gets
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def feature_label(index: int) -> str:
    """``x₁``, ``x₂``, ... for feature ``index`` 0, 1, ..."""
    return "x" + str(index + 1).translate(SUBSCRIPTS)


def strongest_edges(weights: list[np.ndarray], limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``limit`` largest weights of the first two layers by ``|w|`` relative to the
    largest in their own layer, weakest first (so the strongest are drawn on top).

    Each layer is measured against its own largest weight because their scales differ (at
    200 units the second layer's weights start ten times smaller than the first's) and both
    halves of the picture matter. Returns ``(layer, i, j, relative)`` arrays: edge
    ``weights[layer][i, j]``, its ``|w|`` over its layer's largest ``|w|``.
    """
    relative = []
    for w in weights:
        magnitude = np.nan_to_num(np.abs(w.astype(np.float64)), nan=0.0, posinf=0.0)
        relative.append((magnitude / max(magnitude.max(initial=0.0), 1e-12)).ravel())
    every = np.concatenate(relative)
    if len(every) > limit:
        keep = np.argpartition(every, len(every) - limit)[len(every) - limit :]
    else:
        keep = np.arange(len(every))
    keep = keep[np.argsort(every[keep], kind="stable")]
    first = relative[0].size
    layer = (keep >= first).astype(np.intp)
    flat = keep - layer * first
    columns = np.array([w.shape[1] for w in weights])[layer]
    return layer, flat // columns, flat % columns, every[keep]


class NetworkDiagram(UnitPicker):
    """Inputs on the left, the first hidden layer in a column (index order), the classes on
    the right in their colours. An edge's colour is its weight's sign (blue positive, red
    negative) and its width and opacity its size relative to the largest in its layer; with
    more than ``MAX_EDGES`` weights only the strongest are drawn.

    Hidden nodes are hovered and clicked as in :class:`UnitPicker`. The hovered, highlighted
    and selected units' edges are all drawn, emphasised.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(260, 180)
        self._sizes: tuple[int, int, int] | None = None  # features, hidden, classes
        self._weights: list[np.ndarray] = []
        self._peaks = (1.0, 1.0)  # largest |w| per layer
        self._edges = (np.zeros(0, np.intp),) * 3 + (np.zeros(0),)
        self._feature_names: list[str] = []
        self._class_names: list[str] = []

    # --- feeding -------------------------------------------------------------------------

    def show_network(
        self, network: MLP, feature_names: Sequence[str] | None = None, class_names: Sequence[str] | None = None
    ) -> None:
        """Redraw for ``network`` (its first hidden layer); names default to x₁, x₂, ... and
        class 0, class 1, ..."""
        if len(network.layer_sizes) != 3:
            raise ValueError(f"the diagram shows one hidden layer, not {network!r}")
        features, hidden, classes = network.layer_sizes
        self._sizes = (features, hidden, classes)
        self._weights = [w.copy() for w in network.weights]
        self._peaks = tuple(
            max(float(np.nan_to_num(np.abs(w), nan=0.0, posinf=0.0).max(initial=0.0)), 1e-12)
            for w in self._weights
        )
        self._edges = strongest_edges(self._weights, MAX_EDGES)
        self._feature_names = list(feature_names or [feature_label(k) for k in range(features)])
        self._class_names = list(class_names or [f"class {k}" for k in range(classes)])
        self._network_changed(hidden)
        self.update()

    def drawn_edges(self) -> list[tuple[int, int, int]]:
        """The strongest edges drawn, as ``(layer, i, j)`` for ``weights[layer][i, j]``
        (not counting those drawn only because their unit is emphasised)."""
        layer, i, j, _ = self._edges
        return list(zip(layer.tolist(), i.tolist(), j.tolist()))

    def caption(self) -> str:
        """The line under the diagram: how many of the weights are drawn."""
        if self._sizes is None:
            return ""
        total = sum(w.size for w in self._weights)
        shown = len(self._edges[0])
        return f"all {total:,} weights" if shown == total else f"strongest {shown:,} of {total:,} weights"

    # --- geometry -------------------------------------------------------------------------

    def _columns(self, painter_font: QFont) -> tuple[float, float, float]:
        """x of the input, hidden and output columns."""
        metrics = QFontMetrics(painter_font)
        left = max((metrics.horizontalAdvance(n) for n in self._feature_names), default=0) + 18
        right = max((metrics.horizontalAdvance(n) for n in self._class_names), default=0) + 18
        x_in, x_out = 6 + left, self.width() - 6 - right
        return x_in, (x_in + x_out) / 2, x_out

    def _column_nodes(self, count: int, largest: float) -> tuple[np.ndarray, float]:
        """y of ``count`` nodes spread over the drawing height, and their radius."""
        top, bottom = LINE + 6, self.height() - LINE - 6
        spacing = (bottom - top) / max(count, 1)
        ys = top + spacing * (np.arange(count) + 0.5)
        return ys, float(np.clip(spacing * 0.38, 1.5, largest))

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(11)
        return font

    def node_position(self, unit: int) -> QPointF:
        """The centre of hidden ``unit``'s node."""
        ys, _ = self._column_nodes(self._sizes[1], HIDDEN_RADIUS)
        return QPointF(self._columns(self._font())[1], ys[unit])

    def unit_at(self, point: QPoint) -> int:
        """The hidden unit whose node is at widget position ``point``, or -1."""
        if self._sizes is None:
            return -1
        hidden = self._sizes[1]
        x_hidden = self._columns(self._font())[1]
        ys, radius = self._column_nodes(hidden, HIDDEN_RADIUS)
        if abs(point.x() - x_hidden) > max(radius, 4) + 4:
            return -1
        nearest = int(np.argmin(np.abs(ys - point.y())))
        spacing = ys[1] - ys[0] if hidden > 1 else 2 * radius
        return nearest if abs(ys[nearest] - point.y()) <= max(radius, spacing / 2) + 1 else -1

    def sizeHint(self) -> QSize:
        return QSize(360, 280)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 180)

    # --- drawing --------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setFont(self._font())
        if self._sizes is None:
            painter.setPen(QColor("#666"))
            painter.drawText(self.rect(), Qt.AlignCenter, "no network yet")
            return
        features, hidden, classes = self._sizes
        x_in, x_hidden, x_out = self._columns(painter.font())
        y_in, r_in = self._column_nodes(features, END_RADIUS)
        y_hidden, r_hidden = self._column_nodes(hidden, HIDDEN_RADIUS)
        y_out, r_out = self._column_nodes(classes, END_RADIUS)
        ends = [
            (np.column_stack([np.full(features, x_in), y_in]), np.column_stack([np.full(hidden, x_hidden), y_hidden])),
            (np.column_stack([np.full(hidden, x_hidden), y_hidden]), np.column_stack([np.full(classes, x_out), y_out])),
        ]
        emphasised = {u for u in (self._hovered, self._highlighted, self._selected) if 0 <= u < hidden}
        self._draw_edges(painter, ends, emphasised)
        self._draw_inputs(painter, x_in, y_in, r_in)
        self._draw_hidden(painter, x_hidden, y_hidden, r_hidden, emphasised)
        self._draw_outputs(painter, x_out, y_out, r_out)
        self._draw_legend(painter)

    def _edge_pen(self, weight: float, relative: float, strong: bool, dimmed: bool) -> QPen:
        color = QColor(POSITIVE_COLOR if weight >= 0 else NEGATIVE_COLOR)
        relative = min(relative, 1.0) if np.isfinite(relative) else 0.0  # a diverged network's NaN
        alpha = 50 + 205 * relative
        if strong:
            alpha = 255
        elif dimmed:
            alpha *= 0.3  # step back so the emphasised unit's edges stand out
        color.setAlpha(int(alpha))
        width = 0.5 + 3.5 * relative
        pen = QPen(color, max(width, 1.5) if strong else width)
        pen.setCapStyle(Qt.RoundCap)
        return pen

    def _draw_edges(self, painter: QPainter, ends, emphasised: set[int]) -> None:
        layers, rows, cols, relative = self._edges
        for layer, i, j, rel in zip(layers.tolist(), rows.tolist(), cols.tolist(), relative.tolist()):
            unit = j if layer == 0 else i
            if unit in emphasised:
                continue  # drawn below, on top of the rest
            painter.setPen(self._edge_pen(self._weights[layer][i, j], rel, False, bool(emphasised)))
            painter.drawLine(QPointF(*ends[layer][0][i]), QPointF(*ends[layer][1][j]))
        w1, w2 = self._weights[0], self._weights[1]
        for unit in sorted(emphasised):
            for i in range(w1.shape[0]):
                painter.setPen(self._edge_pen(w1[i, unit], abs(w1[i, unit]) / self._peaks[0], True, False))
                painter.drawLine(QPointF(*ends[0][0][i]), QPointF(*ends[0][1][unit]))
            for j in range(w2.shape[1]):
                painter.setPen(self._edge_pen(w2[unit, j], abs(w2[unit, j]) / self._peaks[1], True, False))
                painter.drawLine(QPointF(*ends[1][0][unit]), QPointF(*ends[1][1][j]))

    def _draw_inputs(self, painter: QPainter, x: float, ys: np.ndarray, radius: float) -> None:
        painter.setPen(QPen(QColor(NODE_EDGE), 1.2))
        painter.setBrush(QColor("white"))
        for y in ys:
            painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.setPen(QColor("#222"))
        for name, y in zip(self._feature_names, ys):
            painter.drawText(QRectF(0, y - LINE / 2, x - radius - 5, LINE), Qt.AlignRight | Qt.AlignVCenter, name)

    def _draw_hidden(self, painter: QPainter, x: float, ys: np.ndarray, radius: float, emphasised: set[int]) -> None:
        if radius < 4:  # many units: plain dots, drawn at once as round points
            pen = QPen(QColor("#b4b4b4"), 2 * radius)
            pen.setCapStyle(Qt.RoundCap)
            painter.setPen(pen)
            painter.drawPoints(QPolygonF([QPointF(x, y) for y in ys]))
        else:
            painter.setPen(QPen(QColor(NODE_EDGE), 1.2))
            painter.setBrush(QColor("#eeeeee"))
            for y in ys:
                painter.drawEllipse(QPointF(x, y), radius, radius)
        if radius >= 8:
            painter.setPen(QColor("#222"))
            font = QFont(painter.font())
            font.setPixelSize(int(min(11, radius)))
            painter.setFont(font)
            for unit, y in enumerate(ys):
                painter.drawText(QRectF(x - radius, y - radius, 2 * radius, 2 * radius), Qt.AlignCenter, str(unit))
            painter.setFont(self._font())
        for unit in emphasised:
            ring = max(radius, 4) + 1.5
            frozen = unit == self._selected
            painter.setPen(QPen(QColor("#111"), 2.5 if frozen else 1.8))
            painter.setBrush(QColor("#111") if frozen and radius < 8 else Qt.NoBrush)
            painter.drawEllipse(QPointF(x, ys[unit]), ring, ring)

    def _draw_outputs(self, painter: QPainter, x: float, ys: np.ndarray, radius: float) -> None:
        for k, y in enumerate(ys):
            painter.setPen(QPen(QColor(NODE_EDGE), 1.2))
            painter.setBrush(QColor(POINT_COLORS[k % len(POINT_COLORS)]))
            painter.drawEllipse(QPointF(x, y), radius, radius)
            painter.setPen(QColor("#222"))
            painter.drawText(QRectF(x + radius + 5, y - LINE / 2, self.width(), LINE), Qt.AlignLeft | Qt.AlignVCenter,
                             self._class_names[k] if k < len(self._class_names) else f"class {k}")

    def _draw_legend(self, painter: QPainter) -> None:
        font = QFont(painter.font())
        font.setPixelSize(10)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        x, y = 6.0, LINE - 3
        for color, text in ((POSITIVE_COLOR, "positive"), (NEGATIVE_COLOR, "negative")):
            painter.setPen(QPen(QColor(color), 2.5))
            painter.drawLine(QPointF(x, y - 3), QPointF(x + 16, y - 3))
            painter.setPen(QColor("#444"))
            painter.drawText(QPointF(x + 20, y), text)
            x += 20 + metrics.horizontalAdvance(text) + 10
        painter.drawText(QPointF(x - 6, y), "weights")
        painter.setPen(QColor("#666"))
        caption = self.caption() + "; thicker = stronger"
        if metrics.horizontalAdvance(caption) > self.width() - 12:
            caption = self.caption()  # a narrow panel keeps the count, which matters more
        painter.drawText(QPointF(6, self.height() - 6), caption)
