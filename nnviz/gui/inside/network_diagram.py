"""The network as a node-and-edge diagram: inputs, every hidden layer, the outputs (the classes,
or the value of a regression), with their kind and the loss on hover."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QLineF, QPoint, QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PyQt5.QtWidgets import QWidget

from nnviz.core.analysis.grid import Bounds, grid_points
from nnviz.core.model.features import DEFAULT_FEATURES, expand, feature_symbol
from nnviz.core.model.network import MLP
from nnviz.core.naming import head_tip
from nnviz.gui.colors import class_color
from nnviz.gui.inside.sign_key import NEGATIVE_COLOR, POSITIVE_COLOR, draw_sign_key
from nnviz.gui.inside.unit_picker import UnitPicker
from nnviz.gui.inside.units_view import diverging_lut
from nnviz.gui.tips import PositionTips

NODE_EDGE = "#555555"
MAX_EDGES = 80  # between two layers; beyond this the picture is a hairball: draw the strongest
EDGE_BUDGET = 240  # in all: a deep network's columns stand closer, so each pair of layers gets fewer
BAR_BELOW = 3  # px: a layer whose circles would be smaller is drawn as a bar
LINE = 15  # px per text line (legend on top, caption below)
HIDDEN_RADIUS = 12  # px, the largest a hidden node gets (they shrink to dots when many)
END_RADIUS = 10  # px, the largest an input or output node gets
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
INPUT_MAP_RESOLUTION = 40  # cells a side of an input's map
INPUT_MAP_SHOWN = 120  # px a side of the map a hovered input shows
VALUE_NODE = "#dddddd"  # a regression's output node: a value, not a class with a colour
def feature_label(index: int) -> str:
    """``x₁``, ``x₂``, ... for feature ``index`` 0, 1, ..."""
    return "x" + str(index + 1).translate(SUBSCRIPTS)


def edges_per_pair(counts: Sequence[int]) -> list[int]:
    """How many edges to draw between each pair of adjacent layers, given how many weights each
    pair has: at most :data:`MAX_EDGES` a pair and :data:`EDGE_BUDGET` in all, shared out (a
    pair with fewer than its share keeps them all and leaves the rest to the others), so six
    layers of 200 do not make a hairball (nor take a frame to paint)."""
    limits = [0] * len(counts)
    left = EDGE_BUDGET
    for done, k in enumerate(sorted(range(len(counts)), key=lambda k: counts[k])):
        limits[k] = min(counts[k], MAX_EDGES, max(left // (len(counts) - done), 1))
        left -= limits[k]
    return limits


def strongest_edges(weights: list[np.ndarray], limits: Sequence[int]) -> tuple[tuple[np.ndarray, ...], tuple[float, ...]]:
    """The ``limits[k]`` largest weights of each layer ``k`` by ``|w|`` relative to the largest
    in that layer, weakest first (so the strongest are drawn on top), and each layer's largest
    ``|w|``.

    Each layer is measured against its own largest weight because their scales differ (at
    200 units the second layer's weights start ten times smaller than the first's) and every
    part of the picture matters. Returns ``((layer, i, j, relative, positive), peaks)``: edge
    ``weights[layer][i, j]``, its ``|w|`` over its layer's largest ``|w|``, and its sign.
    """
    layers, rows, cols, relative, positive, peaks = [], [], [], [], [], []
    for k, (w, limit) in enumerate(zip(weights, limits)):
        flat = w.ravel()
        magnitude = np.abs(flat)
        if not np.isfinite(magnitude.max(initial=0.0)):  # a diverged network's: count inf and NaN as 0
            magnitude = np.nan_to_num(magnitude, nan=0.0, posinf=0.0)
        peak = max(float(magnitude.max(initial=0.0)), 1e-12)
        keep = np.argpartition(magnitude, len(flat) - limit)[len(flat) - limit:] if len(flat) > limit \
            else np.arange(len(flat))
        layers.append(np.full(len(keep), k, np.intp))
        rows.append(keep // w.shape[1])
        cols.append(keep % w.shape[1])
        relative.append(magnitude[keep].astype(np.float64) / peak)
        positive.append(flat[keep] >= 0)
        peaks.append(peak)
    order = np.argsort(np.concatenate(relative), kind="stable")
    return tuple(np.concatenate(a)[order] for a in (layers, rows, cols, relative, positive)), tuple(peaks)


class NetworkDiagram(UnitPicker, PositionTips):
    """Every layer in a column: the inputs on the left, the hidden layers (units in index
    order), the classes on the right in their colours. An edge's colour is its weight's sign
    (blue positive, red negative) and its width and opacity its size relative to the largest
    in its layer; with more than :func:`edges_per_pair` weights between two layers only their
    strongest are drawn. A layer too large for circles is drawn as a bar.

    The units of the chosen hidden ``layer`` (shaded) are hovered and clicked as in
    :class:`UnitPicker`; their edges are then all drawn, emphasised. A click on another hidden
    layer's column emits ``layer_chosen``.

    Given the plane's bounds, each input of 2-D points is drawn as its map over the plane (as
    TensorFlow Playground draws its input features: purple negative, green positive), and
    hovering an input shows its map large. The output column is headed by the output units'
    kind (softmax, sigmoid, identity); hovering it says what they are and the loss.
    """

    layer_chosen = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(260, 180)
        self._sizes: tuple[int, ...] | None = None  # features, each hidden layer's width, classes
        self._weights: list[np.ndarray] = []
        self._peaks: tuple[float, ...] = ()  # largest |w| per layer
        self._edges = (np.zeros(0, np.intp),) * 3 + (np.zeros(0), np.zeros(0, dtype=bool))
        self._feature_names: list[str] = []
        self._class_names: list[str] = []  # a name for each output unit
        self._output_colors: list[str] = []
        self._head = ("softmax", "cross-entropy", False)  # the output, the loss, whether a regression
        self._layer = 0
        self._input_maps: tuple[tuple, np.ndarray | None, list[QImage]] = ((), None, [])  # key, values, images
        self.hovered_input = -1
        self._lut = diverging_lut()

    # --- feeding -------------------------------------------------------------------------

    def show_network(
        self, network: MLP, feature_names: Sequence[str] | None = None, class_names: Sequence[str] | None = None,
        bounds: Bounds | None = None, *, regression: bool = False,
    ) -> None:
        """Redraw for ``network``; names default to x₁, x₂, ... and class 0, class 1, ... (a
        network with input features names them). ``bounds``: the plane shown, for the inputs' maps.
        ``regression``: the outputs are values (ŷ), not classes."""
        sizes = network.layer_sizes
        self._sizes = sizes
        self._weights = [w.copy() for w in network.weights]
        self._edges, self._peaks = strongest_edges(self._weights, edges_per_pair([w.size for w in self._weights]))
        if network.features:
            feature_names = [feature_symbol(name) for name in network.features]
        self._feature_names = list(feature_names or [feature_label(k) for k in range(sizes[0])])
        self._make_input_maps(network.features or DEFAULT_FEATURES if network.point_dims == 2 else None, bounds)
        self._class_names, self._output_colors = output_labels(sizes[-1], class_names, regression)
        self._head = (network.output, network.loss, regression)
        self._layer = min(self._layer, max(len(sizes) - 3, 0))
        self._network_changed(self._units())
        self.update()

    def _make_input_maps(self, features: tuple[str, ...] | None, bounds: Bounds | None) -> None:
        """Each input's values over the plane, as images (kept while the inputs and plane stay)."""
        key = (features, None if bounds is None else tuple(bounds))
        if key == self._input_maps[0]:
            return
        if features is None or bounds is None:
            self._input_maps = (key, None, [])
            return
        side = INPUT_MAP_RESOLUTION
        values = expand(grid_points(bounds, side, np.float64), features).T.reshape(-1, side, side)
        peak = np.maximum(np.abs(values).max(axis=(1, 2), keepdims=True), 1e-12)
        index = np.rint((values / peak + 1) * 127.5).astype(np.intp)  # -peak..peak over the colour scale
        pixels = np.ascontiguousarray(self._lut[index[:, ::-1, :]])  # row 0 is y_min: flip so y is up
        images = [QImage(pixels[k].data, side, side, 4 * side, QImage.Format_RGB32).copy() for k in range(len(pixels))]
        self._input_maps = (key, values, images)

    def input_map(self, k: int) -> np.ndarray | None:
        """Input ``k``'s values over the plane, ``(resolution, resolution)`` with row 0 at y_min
        (None without a plane to map)."""
        values = self._input_maps[1]
        return None if values is None else values[k]

    def input_at(self, point: QPoint) -> int:
        """The input whose node is at widget position ``point``, or -1."""
        if self._sizes is None:
            return -1
        ys, radius = self._nodes(0)
        x = self.column_x()[0]
        reach = max(radius, 5) + 2
        hits = np.flatnonzero((np.abs(ys - point.y()) <= reach) & (abs(point.x() - x) <= reach))
        return int(hits[0]) if len(hits) else -1

    def mouseMoveEvent(self, event) -> None:
        hovered = self.input_at(event.pos())
        if hovered != self.hovered_input:
            self.hovered_input = hovered
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        if self.hovered_input >= 0:
            self.hovered_input = -1
            self.update()
        super().leaveEvent(event)

    @property
    def layer(self) -> int:
        """The hidden layer (from 0) whose units are hovered and picked."""
        return self._layer

    @layer.setter
    def layer(self, layer: int) -> None:
        if layer != self._layer:
            self._layer = layer
            self._network_changed(self._units())
            self.update()

    def _units(self) -> int:
        return self._sizes[1 + self._layer] if self._sizes is not None and len(self._sizes) > 2 else 0

    def drawn_edges(self) -> list[tuple[int, int, int]]:
        """The strongest edges drawn, as ``(layer, i, j)`` for ``weights[layer][i, j]``
        (not counting those drawn only because their unit is emphasised)."""
        layer, i, j, _, _ = self._edges
        return list(zip(layer.tolist(), i.tolist(), j.tolist()))

    def output_tip(self) -> str:
        """What hovering the outputs says: the output units' kind and the loss."""
        if self._sizes is None:
            return ""
        output, loss, regression = self._head
        return head_tip(output, loss, self._sizes[-1], regression)

    def tooltip_at(self, point: QPoint) -> str:
        """The hover text at widget position ``point``: the outputs' (see :meth:`output_tip`)
        anywhere right of the output column's left edge, else none."""
        if self._sizes is None:
            return ""
        reach = max(self._nodes(len(self._sizes) - 1)[1], 4) + 6
        return self.output_tip() if point.x() >= self.column_x()[-1] - reach else ""

    def caption(self) -> str:
        """The line under the diagram: how many of the weights are drawn."""
        if self._sizes is None:
            return ""
        total = sum(w.size for w in self._weights)
        shown = len(self._edges[0])
        if shown == total:
            return "its one weight" if total == 1 else f"all {total:,} weights"
        return f"strongest {shown:,} of {total:,} weights"

    # --- geometry -------------------------------------------------------------------------

    def column_x(self) -> list[float]:
        """x of each column: the inputs, each hidden layer, the outputs."""
        metrics = QFontMetrics(self._font())
        left = max((metrics.horizontalAdvance(n) for n in self._feature_names), default=0) + 18
        right = max((metrics.horizontalAdvance(n) for n in self._class_names), default=0) + 18
        x_in, x_out = 6 + left, self.width() - 6 - right
        return np.linspace(x_in, x_out, len(self._sizes)).tolist()

    def _column_nodes(self, count: int, largest: float) -> tuple[np.ndarray, float]:
        """y of ``count`` nodes spread over the drawing height, and their radius."""
        top, bottom = 2 * LINE + 8, self.height() - LINE - 6  # a line for the legend, one for the widths
        spacing = (bottom - top) / max(count, 1)
        ys = top + spacing * (np.arange(count) + 0.5)
        return ys, float(np.clip(spacing * 0.38, 1.5, largest))

    def _nodes(self, column: int) -> tuple[np.ndarray, float]:
        end = column in (0, len(self._sizes) - 1)
        return self._column_nodes(self._sizes[column], END_RADIUS if end else HIDDEN_RADIUS)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(11)
        return font

    def node_position(self, unit: int) -> QPointF:
        """The centre of ``unit``'s node in the chosen layer."""
        ys, _ = self._nodes(1 + self._layer)
        return QPointF(self.column_x()[1 + self._layer], ys[unit])

    def layer_at(self, point: QPoint) -> int:
        """The hidden layer whose column is at widget position ``point``, or -1."""
        if self._sizes is None:
            return -1
        for column, x in enumerate(self.column_x()[1:-1], start=1):
            if abs(point.x() - x) <= max(self._nodes(column)[1], 4) + 6:
                return column - 1
        return -1

    def unit_at(self, point: QPoint) -> int:
        """The unit of the chosen layer whose node is at widget position ``point``, or -1."""
        if self._sizes is None or self.layer_at(point) != self._layer:
            return -1
        ys, radius = self._nodes(1 + self._layer)
        nearest = int(np.argmin(np.abs(ys - point.y())))
        spacing = ys[1] - ys[0] if len(ys) > 1 else 2 * radius
        return nearest if abs(ys[nearest] - point.y()) <= max(radius, spacing / 2) + 1 else -1

    def mousePressEvent(self, event) -> None:
        layer = self.layer_at(event.pos())
        if event.button() == Qt.LeftButton and layer >= 0 and layer != self._layer:
            self.layer_chosen.emit(layer)
            return
        super().mousePressEvent(event)

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
        xs = self.column_x()
        nodes = [self._nodes(c) for c in range(len(self._sizes))]
        points = [np.column_stack([np.full(len(ys), x), ys]) for x, (ys, _) in zip(xs, nodes)]
        units = self._units()
        emphasised = {u for u in (self._hovered, self._highlighted, self._selected) if 0 <= u < units}
        if len(self._sizes) > 3:
            self._draw_chosen_column(painter, xs[1 + self._layer], nodes[1 + self._layer])
        self._draw_edges(painter, points, emphasised)
        self._draw_inputs(painter, xs[0], *nodes[0])
        for layer, (x, (ys, radius)) in enumerate(zip(xs[1:-1], nodes[1:-1])):
            self._draw_hidden(painter, x, ys, radius, emphasised if layer == self._layer else set())
        self._draw_outputs(painter, xs[-1], *nodes[-1])
        self._draw_legend(painter)
        if 0 <= self.hovered_input < len(self._input_maps[2]):
            self._draw_input_map(painter, xs[0], nodes[0][0][self.hovered_input])

    def _draw_chosen_column(self, painter: QPainter, x: float, nodes: tuple[np.ndarray, float]) -> None:
        """A shaded band behind the layer whose units the maps show."""
        ys, radius = nodes
        reach = max(radius, 4) + 5
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#fff3c4"))
        painter.drawRoundedRect(QRectF(x - reach, ys[0] - reach, 2 * reach, ys[-1] - ys[0] + 2 * reach), 6, 6)

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
        pen.setCapStyle(Qt.FlatCap)  # antialiased round caps made a frame of 560 edges take 70 ms; flat ones 10
        return pen

    def _draw_edges(self, painter: QPainter, points: list[np.ndarray], emphasised: set[int]) -> None:
        # Edges share a pen per sign and tenth of strength, and each pen draws its lines in
        # one call: hundreds of edges with a pen each took tens of milliseconds a frame.
        layers, rows, cols, relative, positive = self._edges
        chosen = self._layer
        own = ((layers == chosen) & np.isin(cols, list(emphasised))) | \
            ((layers == chosen + 1) & np.isin(rows, list(emphasised)))
        # Both ends of every edge at once: building the lines point by point took 4 ms a frame.
        starts = np.concatenate(points[:-1])[np.cumsum([0, *map(len, points[:-2])])[layers] + rows]
        ends = np.concatenate(points[1:])[np.cumsum([0, *map(len, points[1:-1])])[layers] + cols]
        ends_of = np.column_stack([starts, ends]).tolist()
        level = np.clip(np.nan_to_num(relative, nan=0.0) * 10, 0, 10).astype(int)
        for tenth in range(11):
            for sign in (False, True):
                picked = np.flatnonzero((level == tenth) & (positive == sign) & ~own)
                if not len(picked):
                    continue
                painter.setPen(self._edge_pen(1.0 if sign else -1.0, tenth / 10, False, bool(emphasised)))
                painter.drawLines([QLineF(*ends_of[k]) for k in picked.tolist()])
        w_in, w_out = self._weights[chosen], self._weights[chosen + 1] if chosen + 1 < len(self._weights) else None
        for unit in sorted(emphasised):
            for i in range(w_in.shape[0]):
                painter.setPen(self._edge_pen(w_in[i, unit], abs(w_in[i, unit]) / self._peaks[chosen], True, False))
                painter.drawLine(QPointF(*points[chosen][i]), QPointF(*points[chosen + 1][unit]))
            for j in range(w_out.shape[1]):
                painter.setPen(self._edge_pen(w_out[unit, j], abs(w_out[unit, j]) / self._peaks[chosen + 1], True, False))
                painter.drawLine(QPointF(*points[chosen + 1][unit]), QPointF(*points[chosen + 2][j]))
    def _draw_inputs(self, painter: QPainter, x: float, ys: np.ndarray, radius: float) -> None:
        images = self._input_maps[2]
        if radius < BAR_BELOW:  # too many for nodes (an image's pixels): a bar, and how many
            painter.setPen(QPen(QColor(NODE_EDGE), 1.0))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(QRectF(x - 4, ys[0] - 3, 8, ys[-1] - ys[0] + 6), 4, 4)
            painter.setPen(QColor("#222"))
            painter.drawText(QRectF(0, (ys[0] + ys[-1]) / 2 - LINE, x - 9, 2 * LINE), Qt.AlignRight | Qt.AlignVCenter,
                             f"{len(ys)}\ninputs")
            return
        painter.setPen(QPen(QColor(NODE_EDGE), 1.2))
        painter.setBrush(QColor("white"))
        for k, y in enumerate(ys):
            if k < len(images):  # the input as its map, a small square (as Playground draws inputs)
                square = QRectF(x - radius, y - radius, 2 * radius, 2 * radius)
                painter.drawImage(square, images[k])
                painter.setBrush(Qt.NoBrush)
                painter.drawRect(square)
            else:
                painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.setPen(QColor("#222"))
        for name, y in zip(self._feature_names, ys):
            painter.drawText(QRectF(0, y - LINE / 2, x - radius - 5, LINE), Qt.AlignRight | Qt.AlignVCenter, name)

    def _draw_hidden(self, painter: QPainter, x: float, ys: np.ndarray, radius: float, emphasised: set[int]) -> None:
        painter.setPen(QColor("#222"))
        painter.drawText(QRectF(x - 30, LINE + 1, 60, LINE), Qt.AlignCenter, f"{len(ys)}")  # its width, under the legend
        if radius < BAR_BELOW:  # too many for circles: a bar, with its units along it
            painter.setPen(QPen(QColor(NODE_EDGE), 1.0))
            painter.setBrush(QColor("#e4e4e4"))
            painter.drawRoundedRect(QRectF(x - 4, ys[0] - 3, 8, ys[-1] - ys[0] + 6), 4, 4)
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
        kind = self._head[0]  # above the column, where a hidden layer has its width
        half = painter.fontMetrics().horizontalAdvance(kind) / 2 + 2
        centre = min(x, self.width() - 2 - half)  # a narrow panel's last column is close to its edge
        painter.setPen(QColor("#222"))
        painter.drawText(QRectF(centre - half, LINE + 1, 2 * half, LINE), Qt.AlignCenter, kind)
        for k, y in enumerate(ys):
            painter.setPen(QPen(QColor(NODE_EDGE), 1.2))
            painter.setBrush(QColor(self._output_colors[k] if k < len(self._output_colors) else class_color(k)))
            painter.drawEllipse(QPointF(x, y), radius, radius)
            painter.setPen(QColor("#222"))
            painter.drawText(QRectF(x + radius + 5, y - LINE / 2, self.width(), LINE), Qt.AlignLeft | Qt.AlignVCenter,
                             self._class_names[k] if k < len(self._class_names) else f"class {k}")

    def _draw_input_map(self, painter: QPainter, x: float, y: float) -> None:
        """The hovered input's map, large, beside its node, with its name and range."""
        k, side = self.hovered_input, INPUT_MAP_SHOWN
        top = float(np.clip(y - side / 2, 2, max(self.height() - side - LINE - 2, 2)))
        frame = QRectF(x + END_RADIUS + 8, top, side, side)
        painter.setPen(QPen(QColor("#333"), 1))
        painter.fillRect(frame.adjusted(-3, -3, 3, LINE + 3), QColor(255, 255, 255, 235))
        painter.drawImage(frame, self._input_maps[2][k])
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(frame)
        peak = float(np.abs(self._input_maps[1][k]).max())
        painter.drawText(QRectF(frame.left(), frame.bottom() + 1, side, LINE), Qt.AlignCenter,
                         f"{self._feature_names[k]}: ±{peak:.2g}")

    def _draw_legend(self, painter: QPainter) -> None:
        font = QFont(painter.font())
        font.setPixelSize(10)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        y = LINE - 3
        x = draw_sign_key(painter, 6.0, y, y - 3)
        painter.drawText(QPointF(x - 6, y), "weights")
        painter.setPen(QColor("#666"))
        caption = self.caption() + "; thicker = stronger"
        if metrics.horizontalAdvance(caption) > self.width() - 12:
            caption = self.caption()  # a narrow panel keeps the count, which matters more
        painter.drawText(QPointF(6, self.height() - 6), caption)


def output_labels(units: int, class_names: Sequence[str] | None, regression: bool) -> tuple[list[str], list[str]]:
    """A name and a colour for each of ``units`` output units: ŷ in grey for a regression's value,
    class 1's name and colour for the one sigmoid unit of two classes (its probability), else
    each class's (named ``class_names``, or class 0, class 1, ...)."""
    if regression:
        return (["ŷ"] if units == 1 else [f"ŷ{k + 1}".translate(SUBSCRIPTS) for k in range(units)],
                [VALUE_NODE] * units)
    names = list(class_names or [])
    named = [names[k] if k < len(names) else f"class {k}" for k in range(max(units, 2))]
    if units == 1:  # the probability of class 1; class 0's is its complement
        return [named[1]], [class_color(1)]
    return named[:units], [class_color(k) for k in range(units)]
