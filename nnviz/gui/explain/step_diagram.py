"""The explained step as a diagram: a card a unit with its numbers for the phase, edges coloured
and sized by what the phase is about (the weights, the gradient, the change), the numbers of
the edges in focus beside them. Where things go is :mod:`.diagram_geometry`'s."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QLineF, QPoint, QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QPainter, QPen
from PyQt5.QtWidgets import QWidget

from nnviz.core.arithmetic.formulas import number
from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.gui.explain.diagram_geometry import (
    CARD_FONT,
    FOOTER,
    LINE,
    PAD,
    SMALL_FONT,
    DiagramGeometry,
    sized,
)
from nnviz.gui.explain.phase_numbers import (
    EDGE_MEANING,
    UNKNOWN,
    EdgeRef,
    UnitRef,
    computed,
    edge_values,
    phase_column,
)
from nnviz.gui.inside.network_diagram import NEGATIVE_COLOR, NODE_EDGE, POSITIVE_COLOR

CURRENT_BAND = QColor("#eef3fa")  # behind the column the phase works on
WAITING_CARD = QColor("#f3f3f3")  # a card whose numbers the phase has not reached
FADED = 0.3  # opacity of the edges beside those of a unit in focus


class StepDiagram(QWidget):
    """One point's step through the network: inputs on the left, the output units on the
    right. A card a unit shows the phase's numbers (``a`` and ``z`` going forward, ``y``, ``t``
    at the loss, ``δ`` going backward, the bias before and after the update); a column wider
    than :data:`~nnviz.gui.explain.phase_numbers.UNITS_SHOWN` shows its strongest units and says so.

    Hovering a unit or an edge emits ``hovered``, clicking one ``picked`` (a click elsewhere
    picks None); clicking an edge or its number, or double-clicking a unit (its bias), emits
    ``edit_requested`` with the :class:`EdgeRef` to set.
    """

    hovered = pyqtSignal(object)  # UnitRef, EdgeRef or None
    picked = pyqtSignal(object)
    edit_requested = pyqtSignal(object)  # EdgeRef (row == fan_in: the bias)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)  # the phase keys reach the tab through it
        self.setMinimumSize(420, 300)
        self.explanation: StepExplanation | None = None
        self.phase = Phase("forward", 0)
        self.input_names: list[str] = []  # as drawn left of the input cards
        self.output_names: list[str] = []  # as drawn right of the output cards
        self._output_colors: list[str] = []
        self._hovered: UnitRef | EdgeRef | None = None
        self._selected: UnitRef | EdgeRef | None = None
        self._geometry: DiagramGeometry | None = None

    # --- feeding -------------------------------------------------------------------------

    def show_step(self, explanation: StepExplanation, input_names: Sequence[str], output_names: Sequence[str],
                  output_colors: Sequence[str]) -> None:
        """Show ``explanation``; names for the inputs and output units, colours for the outputs."""
        self.explanation = explanation
        self.input_names, self.output_names = list(input_names), list(output_names)
        self._output_colors = list(output_colors)
        self._geometry = None
        self._hovered = None
        if not self.placement().is_drawn(self._selected):
            self._selected = None
        self.update()

    def clear(self) -> None:
        """Show nothing (no point, or a network of another shape on its way)."""
        self.explanation, self._geometry, self._hovered, self._selected = None, None, None, None
        self.update()

    def set_phase(self, phase: Phase) -> None:
        """Show ``phase`` of the step."""
        self.phase = phase
        if self.explanation is not None and not self.placement().is_drawn(self._selected):
            self._selected = None  # the strongest units of another phase may be others
        self.update()

    def placement(self) -> DiagramGeometry | None:
        """Where everything is drawn at the widget's size (None without an explanation)."""
        if self.explanation is None:
            return None
        g = self._geometry
        if g is None or g.explanation is not self.explanation or g.phase != self.phase or \
                (g.width, g.height) != (self.width(), self.height()):
            self._geometry = DiagramGeometry(self.explanation, self.phase, self.width(), self.height(),
                                             self.input_names, self.output_names, self.font())
        return self._geometry

    @property
    def selected(self) -> UnitRef | EdgeRef | None:
        """The unit or edge clicked last (None: none)."""
        return self._selected

    def focus(self) -> UnitRef | EdgeRef | None:
        """What the numbers beside the edges and the formulas are about: the part hovered, else
        the one clicked, else the strongest unit of the column the phase works on."""
        if self._hovered is not None or self._selected is not None:
            return self._hovered if self._hovered is not None else self._selected
        return None if self.explanation is None else self.placement().default_focus()

    def shown_units(self) -> list[np.ndarray]:
        """The units drawn in each column."""
        return [] if self.explanation is None else self.placement().shown

    def card_texts(self) -> dict[UnitRef, list[tuple[str, str]]]:
        """Each card drawn and its lines ``(symbol, number)``, as painted."""
        g = self.placement()
        return {} if g is None else {UnitRef(c, int(u)): g.lines(c, int(u))
                                     for c, shown in enumerate(g.shown) for u in shown}

    def edge_labels(self) -> dict[EdgeRef, str]:
        """The numbers drawn beside edges, by edge."""
        g = self.placement()
        return {} if g is None else {label.edge: label.text for label in g.labels(self.focus())}

    def units_note(self, column: int) -> str:
        """What a column's header says of its width: "3 units", "12 of 50 units shown"."""
        e = self.explanation
        total = len(e.layers[0].inputs if column == 0 else e.layers[column - 1].outputs)
        shown = len(self.placement().shown[column])
        if shown < total:
            return f"{shown} of {total} units shown"
        return "1 unit" if total == 1 else f"{total} units"

    def card_rect(self, part: UnitRef) -> QRectF | None:
        """Where ``part``'s card is drawn (None: not drawn)."""
        g = self.placement()
        return g.cards[part.column].get(part.unit) if g is not None and g.is_drawn(part) else None

    def edge_point(self, edge: EdgeRef) -> QPointF:
        """A point on ``edge``'s line, two thirds of the way to its unit (where clicks find it)."""
        start, end = self.placement().ends(edge)
        return start + (end - start) * (2 / 3)

    def part_at(self, point: QPoint | QPointF) -> UnitRef | EdgeRef | None:
        """The unit, edge or edge number at widget position ``point``, or None."""
        g = self.placement()
        return None if g is None else g.part_at(QPointF(point), self.focus())

    def sizeHint(self) -> QSize:
        return QSize(760, 560)

    # --- the mouse --------------------------------------------------------------------------

    def mouseMoveEvent(self, event) -> None:
        part = self.part_at(event.pos())
        if part != self._hovered:
            self._hovered = part
            self.setCursor(Qt.PointingHandCursor if isinstance(part, EdgeRef) else Qt.ArrowCursor)
            self.update()
            self.hovered.emit(part)

    def leaveEvent(self, _event) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.update()
            self.hovered.emit(None)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        part = self.part_at(event.pos())
        self._selected = None if part == self._selected and isinstance(part, UnitRef) else part
        self.update()
        self.picked.emit(self._selected)
        if isinstance(part, EdgeRef):
            self.edit_requested.emit(part)

    def mouseDoubleClickEvent(self, event) -> None:
        part = self.part_at(event.pos())
        if event.button() == Qt.LeftButton and isinstance(part, UnitRef) and part.column > 0:
            layer = part.column - 1
            self._selected = part
            self.update()
            self.edit_requested.emit(EdgeRef(layer, len(self.explanation.layers[layer].inputs), part.unit))

    # --- drawing --------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        g = self.placement()
        if g is None:
            painter.setPen(QColor("#666"))
            painter.setFont(sized(self.font(), 13))
            painter.drawText(self.rect(), Qt.AlignCenter, "Pick a point to see it go through the network.")
            return
        focus = self.focus()
        self._draw_band(painter, g)
        self._draw_edges(painter, g, focus)
        self._draw_labels(painter, g, focus)
        for column in range(len(g.shown)):
            self._draw_column(painter, g, column, focus)
        self._draw_loss(painter, g)
        self._draw_legend(painter)

    def _draw_band(self, painter: QPainter, g: DiagramGeometry) -> None:
        if self.phase.kind == "update":
            return  # every layer changes at once
        column = phase_column(self.phase, len(self.explanation.layers))
        half = g.widths[column] / 2 + 12
        painter.setPen(Qt.NoPen)
        painter.setBrush(CURRENT_BAND)
        painter.drawRoundedRect(QRectF(g.xs[column] - half, 2, 2 * half, self.height() - FOOTER - 2), 8, 8)

    def _draw_edges(self, painter: QPainter, g: DiagramGeometry, focus) -> None:
        """Blue positive, red negative; width and opacity the size against the largest in the layer.
        A unit in focus has its incoming edges drawn strong, the others of their layer faint."""
        own = set(g.focus_edges(focus)) if isinstance(focus, UnitRef) else set()
        for k in range(len(g.shown) - 1):
            values = edge_values(self.explanation, self.phase, k)
            peak = float(np.nan_to_num(np.abs(values), nan=0.0, posinf=0.0).max(initial=0.0)) or 1.0
            used = computed(self.phase, k)
            known = used or self.phase.kind == "forward"  # weights are there before the point reaches them
            fade = FADED if any(edge.layer == k for edge in own) else 1.0
            edges = sorted(g.edges(k), key=lambda e: (e in own, abs(float(values[e.row, e.unit]))))  # strong on top
            for edge in edges:
                value = float(values[edge.row, edge.unit])
                relative = min(abs(value) / peak, 1.0) if np.isfinite(value) else 0.0
                if not known:
                    pen = QPen(QColor(200, 200, 200), 0.8)
                else:
                    color = QColor(POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR)
                    mine = edge in own
                    color.setAlpha(int((60 + 195 * (1.0 if mine else relative)) * (1.0 if used else 0.45)
                                       * (1.0 if mine else fade)))
                    pen = QPen(color, 0.7 + 3.8 * relative, cap=Qt.RoundCap)
                line = QLineF(*g.ends(edge))
                if edge == focus:  # a dark rim under it
                    painter.setPen(QPen(QColor(20, 20, 20, 150), pen.widthF() + 4, cap=Qt.RoundCap))
                    painter.drawLine(line)
                painter.setPen(pen)
                painter.drawLine(line)

    def _draw_labels(self, painter: QPainter, g: DiagramGeometry, focus) -> None:
        painter.setFont(sized(self.font(), SMALL_FONT))
        for label in g.labels(focus):
            strong = label.edge == focus
            painter.setPen(QPen(QColor("#333" if strong else "#bbb"), 1.2 if strong else 0.8))
            painter.setBrush(QColor(255, 255, 255, 235))
            painter.drawRoundedRect(label.rect, 3, 3)
            painter.setPen(QColor("#111"))
            painter.drawText(label.rect, Qt.AlignCenter, label.text)

    def _draw_column(self, painter: QPainter, g: DiagramGeometry, column: int, focus) -> None:
        e, x = self.explanation, g.xs[column]
        last = column == len(e.layers)
        title = "inputs" if column == 0 else f"output · {e.layers[-1].kind}" if last \
            else f"layer {column} · {e.layers[column - 1].kind}"
        half = max(g.widths[column], 150) / 2
        painter.setPen(QColor("#222"))
        painter.setFont(sized(self.font(), CARD_FONT, bold=True))
        painter.drawText(QRectF(x - half, 4, 2 * half, LINE + 2), Qt.AlignCenter, title)
        painter.setFont(sized(self.font(), SMALL_FONT))
        painter.setPen(QColor("#666"))
        painter.drawText(QRectF(x - half, 4 + LINE + 2, 2 * half, LINE), Qt.AlignCenter, self.units_note(column))
        waiting = column > 0 and not computed(self.phase, column - 1)
        for unit, rect in g.cards[column].items():
            focused = focus == UnitRef(column, unit) or (isinstance(focus, EdgeRef) and focus.layer == column - 1
                                                         and focus.unit == unit)
            painter.setPen(QPen(QColor("#111") if focused else QColor(NODE_EDGE), 2.0 if focused else 1.0))
            painter.setBrush(WAITING_CARD if waiting else QColor("white"))
            painter.drawRoundedRect(rect, 5, 5)
            self._draw_card_text(painter, rect, g.lines(column, unit))
            if column == 0:
                self._draw_name(painter, rect, self.input_names, unit, left=True)
            elif last:
                self._draw_name(painter, rect, self.output_names, unit, left=False)

    def _draw_card_text(self, painter: QPainter, rect: QRectF, lines: list[tuple[str, str]]) -> None:
        painter.setFont(sized(self.font(), CARD_FONT))
        for k, (symbol, value) in enumerate(lines):
            row = QRectF(rect.left() + PAD, rect.top() + 3 + k * LINE, rect.width() - 2 * PAD, LINE)
            painter.setPen(QColor("#666"))
            painter.drawText(row, Qt.AlignLeft | Qt.AlignVCenter, symbol)
            painter.setPen(QColor("#aaa") if value == UNKNOWN else QColor("#111"))
            painter.drawText(row, Qt.AlignRight | Qt.AlignVCenter, value)

    def _draw_name(self, painter: QPainter, rect: QRectF, names: list[str], unit: int, left: bool) -> None:
        painter.setFont(sized(self.font(), SMALL_FONT))
        painter.setPen(QColor("#222"))
        name = names[unit] if unit < len(names) else str(unit)
        if left:
            painter.drawText(QRectF(0, rect.top(), rect.left() - 6, rect.height()), Qt.AlignRight | Qt.AlignVCenter,
                             name)
            return
        if unit < len(self._output_colors):
            painter.setPen(QPen(QColor(NODE_EDGE), 1.0))
            painter.setBrush(QColor(self._output_colors[unit]))
            painter.drawEllipse(QPointF(rect.right() + 10, rect.center().y()), 5, 5)
        painter.setPen(QColor("#222"))
        painter.drawText(QRectF(rect.right() + 19, rect.top(), self.width(), rect.height()),
                         Qt.AlignLeft | Qt.AlignVCenter, name)

    def _draw_loss(self, painter: QPainter, g: DiagramGeometry) -> None:
        """At the loss, the point's loss under the output units."""
        if self.phase.kind != "loss":
            return
        text = f"E = {number(self.explanation.point_loss)}"
        painter.setFont(sized(self.font(), 13, bold=True))
        width = painter.fontMetrics().horizontalAdvance(text) + 16
        below = max(rect.bottom() for rect in g.cards[-1].values()) + 12
        box = QRectF(g.xs[-1] - width / 2, min(below, self.height() - FOOTER - 30), width, 26)
        painter.setPen(QPen(QColor("#111"), 1.2))
        painter.setBrush(QColor("#fff8e0"))
        painter.drawRoundedRect(box, 5, 5)
        painter.drawText(box, Qt.AlignCenter, text)

    def _draw_legend(self, painter: QPainter) -> None:
        painter.setFont(sized(self.font(), SMALL_FONT))
        metrics = painter.fontMetrics()
        x, y = 8.0, self.height() - 9
        painter.setPen(QColor("#444"))
        painter.drawText(QPointF(x, y), "edges:")
        x += metrics.horizontalAdvance("edges:") + 8
        for color, text in ((POSITIVE_COLOR, "positive"), (NEGATIVE_COLOR, "negative")):
            painter.setPen(QPen(QColor(color), 2.5))
            painter.drawLine(QPointF(x, y - 4), QPointF(x + 16, y - 4))
            painter.setPen(QColor("#444"))
            painter.drawText(QPointF(x + 20, y), text)
            x += 20 + metrics.horizontalAdvance(text) + 10
        rest = f"{EDGE_MEANING[self.phase.kind]}; thicker = larger in its layer"
        if x + metrics.horizontalAdvance(rest) > self.width() - 8:
            rest = EDGE_MEANING[self.phase.kind]
        painter.drawText(QPointF(x, y), rest)
