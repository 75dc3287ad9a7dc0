"""Painting the step diagram laid out by :class:`~nnviz.gui.explain.diagram_geometry.DiagramGeometry`:
the band behind the column the phase works on, the edges coloured and sized by what the phase
is about (the weights, the gradient, the change), the numbers beside them, the cards and their
headers, the point's loss, and a legend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QLineF, QPointF, QRect, QRectF, Qt
from PyQt5.QtGui import QColor, QFont, QPainter, QPen

from nnviz.core.arithmetic.formulas import number
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
    ParameterRef,
    UnitRef,
    computed,
    edge_values,
    phase_column,
    unit_value,
)
from nnviz.gui.inside.network_diagram import (
    NEGATIVE_COLOR,
    NODE_EDGE,
    POSITIVE_COLOR,
    draw_sign_key,
)

CURRENT_BAND = QColor("#eef3fa")  # behind the column the phase works on
WAITING_CARD = QColor("#f3f3f3")  # a card whose numbers the phase has not reached
FADED = 0.3  # opacity of the edges beside those of a unit in focus
EMPTY = "Pick a point to see it go through the network."


def paint_empty(painter: QPainter, rect: QRect, font: QFont, text: str = EMPTY) -> None:
    """What the diagram says when it has no step to show (``text``: why)."""
    painter.fillRect(rect, QColor("white"))
    painter.setPen(QColor("#666"))
    painter.setFont(sized(font, 13))
    painter.drawText(rect, Qt.AlignCenter, text)


def paint_diagram(painter: QPainter, g: DiagramGeometry, focus: UnitRef | ParameterRef | None,
                  output_colors: Sequence[str]) -> None:
    """Paint ``g`` on white, ``focus`` (a unit or an edge) drawn strong with its edges' numbers;
    ``output_colors``: the output units' swatches."""
    painter.fillRect(QRectF(0, 0, g.width, g.height), QColor("white"))
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    _draw_band(painter, g)
    _draw_edges(painter, g, focus)
    _draw_labels(painter, g, focus)
    for column in range(len(g.shown)):
        _draw_column(painter, g, column, focus, output_colors)
    _draw_loss(painter, g)
    _draw_legend(painter, g)


def _draw_band(painter: QPainter, g: DiagramGeometry) -> None:
    if g.phase.kind == "update":
        return  # every layer changes at once
    column = phase_column(g.phase, len(g.explanation.layers))
    half = g.widths[column] / 2 + 12
    painter.setPen(Qt.NoPen)
    painter.setBrush(CURRENT_BAND)
    painter.drawRoundedRect(QRectF(g.xs[column] - half, 2, 2 * half, g.height - FOOTER - 2), 8, 8)


def _draw_edges(painter: QPainter, g: DiagramGeometry, focus) -> None:
    """Blue positive, red negative; width and opacity the size against the largest in the layer.
    A unit in focus has its incoming edges drawn strong, the others of their layer faint."""
    own = set(g.focus_edges(focus)) if isinstance(focus, UnitRef) else set()
    for k in range(len(g.shown) - 1):
        values = edge_values(g.explanation, g.phase, k)
        peak = float(np.nan_to_num(np.abs(values), nan=0.0, posinf=0.0).max(initial=0.0)) or 1.0
        used = computed(g.phase, k)
        known = used or g.phase.kind == "forward"  # weights are there before the point reaches them
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


def _draw_labels(painter: QPainter, g: DiagramGeometry, focus) -> None:
    painter.setFont(sized(g.font, SMALL_FONT))
    for label in g.labels(focus):
        strong = label.edge == focus
        painter.setPen(QPen(QColor("#333" if strong else "#bbb"), 1.2 if strong else 0.8))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(label.rect, 3, 3)
        painter.setPen(QColor("#111"))
        painter.drawText(label.rect, Qt.AlignCenter, label.text)


def _draw_column(painter: QPainter, g: DiagramGeometry, column: int, focus, output_colors: Sequence[str]) -> None:
    header = g.headers[column]
    painter.setPen(QColor("#222"))
    painter.setFont(sized(g.font, CARD_FONT, bold=True))
    painter.drawText(QRectF(header.rect.left(), 4, header.rect.width(), LINE + 2), Qt.AlignCenter, header.title)
    painter.setFont(sized(g.font, SMALL_FONT))
    painter.setPen(QColor("#666"))
    painter.drawText(QRectF(header.rect.left(), 4 + LINE + 2, header.rect.width(), LINE), Qt.AlignCenter, header.note)
    waiting = column > 0 and not computed(g.phase, column - 1)
    values = {unit: unit_value(g.explanation, g.phase, column, unit) for unit in g.cards[column]}
    peak = max((abs(v) for v in values.values() if v is not None and np.isfinite(v)), default=0.0) or 1.0
    for unit, rect in g.cards[column].items():
        focused = focus == UnitRef(column, unit) or (isinstance(focus, ParameterRef) and focus.layer == column - 1
                                                     and focus.unit == unit)
        painter.setPen(QPen(QColor("#111") if focused else QColor(NODE_EDGE), 2.0 if focused else 1.0))
        if g.folded[column]:  # the number as a colour: hovering the square gives its formulas
            painter.setBrush(_value_color(values[unit], peak))
            painter.drawRoundedRect(rect, 3, 3)
        else:
            painter.setBrush(WAITING_CARD if waiting else QColor("white"))
            painter.drawRoundedRect(rect, 5, 5)
            _draw_card_text(painter, g.font, rect, g.lines(column, unit))
        if column == 0:
            _draw_name(painter, g, rect, g.input_names, unit, None)
        elif column == len(g.shown) - 1:
            _draw_name(painter, g, rect, g.output_names, unit, output_colors)


def _value_color(value: float | None, peak: float) -> QColor:
    """A folded card's colour: blue positive, red negative, stronger the larger against the column's largest."""
    if value is None:
        return WAITING_CARD
    color = QColor(POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR)
    color.setAlpha(int(40 + 215 * min(abs(value) / peak, 1.0)) if np.isfinite(value) else 255)
    return color


def _draw_card_text(painter: QPainter, font: QFont, rect: QRectF, lines: list[tuple[str, str]]) -> None:
    painter.setFont(sized(font, CARD_FONT))
    for k, (symbol, value) in enumerate(lines):
        row = QRectF(rect.left() + PAD, rect.top() + 3 + k * LINE, rect.width() - 2 * PAD, LINE)
        painter.setPen(QColor("#666"))
        painter.drawText(row, Qt.AlignLeft | Qt.AlignVCenter, symbol)
        painter.setPen(QColor("#aaa") if value == UNKNOWN else QColor("#111"))
        painter.drawText(row, Qt.AlignRight | Qt.AlignVCenter, value)


def _draw_name(painter: QPainter, g: DiagramGeometry, rect: QRectF, names: list[str], unit: int,
               colors: Sequence[str] | None) -> None:
    """An input's name left of its card, or an output's swatch and name right of it."""
    painter.setFont(sized(g.font, SMALL_FONT))
    painter.setPen(QColor("#222"))
    name = names[unit] if unit < len(names) else str(unit)
    middle = QRectF(0, rect.center().y() - LINE, 0, 2 * LINE)
    if colors is None:
        painter.drawText(middle.adjusted(0, 0, rect.left() - 6, 0), Qt.AlignRight | Qt.AlignVCenter, name)
        return
    if unit < len(colors):
        painter.setPen(QPen(QColor(NODE_EDGE), 1.0))
        painter.setBrush(QColor(colors[unit]))
        painter.drawEllipse(QPointF(rect.right() + 10, rect.center().y()), 5, 5)
    painter.setPen(QColor("#222"))
    painter.drawText(middle.adjusted(rect.right() + 19, 0, g.width, 0), Qt.AlignLeft | Qt.AlignVCenter, name)


def _draw_loss(painter: QPainter, g: DiagramGeometry) -> None:
    """At the loss, the point's loss under the output units (within the diagram)."""
    if g.phase.kind != "loss":
        return
    text = f"E = {number(g.explanation.point_loss)}"
    painter.setFont(sized(g.font, 13, bold=True))
    width = painter.fontMetrics().horizontalAdvance(text) + 16
    below = max(rect.bottom() for rect in g.cards[-1].values()) + 12
    left = min(g.xs[-1] - width / 2, g.width - width - 4)
    box = QRectF(left, min(below, g.height - FOOTER - 30), width, 26)
    painter.setPen(QPen(QColor("#111"), 1.2))
    painter.setBrush(QColor("#fff8e0"))
    painter.drawRoundedRect(box, 5, 5)
    painter.drawText(box, Qt.AlignCenter, text)


def _draw_legend(painter: QPainter, g: DiagramGeometry) -> None:
    """What the edges' colours and widths follow (and the folded cards' colours), as much as fits."""
    painter.setFont(sized(g.font, SMALL_FONT))
    metrics = painter.fontMetrics()
    x, y = 8.0, g.height - 9
    painter.setPen(QColor("#444"))
    painter.drawText(QPointF(x, y), "edges:")
    x += metrics.horizontalAdvance("edges:") + 8
    x = draw_sign_key(painter, x, y, y - 4)
    meaning = EDGE_MEANING[g.phase.kind]
    folded = "squares: a unit's number as a colour (hover one)" if any(g.folded) else ""
    forms = [f"{meaning}; thicker = larger in its layer", meaning]
    if folded:
        forms = [f"{meaning}; {folded}", meaning]
    rest = next((form for form in forms if x + metrics.horizontalAdvance(form) <= g.width - 8), forms[-1])
    painter.drawText(QPointF(x, y), rest)
