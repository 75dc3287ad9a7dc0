"""Where the step diagram puts things: its columns and cards, its edges, the numbers beside
edges (where they overlap nothing), and what lies under the pointer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QPointF, QRectF
from PyQt5.QtGui import QFont, QFontMetrics

from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.gui.explain.phase_numbers import (
    UNKNOWN,
    EdgeRef,
    UnitRef,
    column_values,
    edge_text,
    phase_column,
    shown_units,
    unit_lines,
)

LINE = 16  # px a line of a card
HEADER = 42  # px above the cards: a column's name and how many of its units are shown
FOOTER = 26  # px below them: what the edges show
PAD = 6  # px inside a card, left and right
CARD_FONT, SMALL_FONT = 12, 11  # px
EDGE_REACH = 5  # px from an edge that still hovers it
LABEL_ALL = 9  # a pair of layers with at most this many edges shown has every edge's number drawn
LABEL_SPOTS = (0.74, 0.62, 0.5, 0.38, 0.86, 0.26)  # where along an edge its number may go, tried in turn
# A unit's incoming edges meet at it: their numbers go near where they start, where they are apart.
FOCUS_SPOTS = (0.3, 0.4, 0.22, 0.5, 0.6, 0.15, 0.7, 0.8)


def sized(font: QFont, pixels: int, bold: bool = False) -> QFont:
    """``font`` at ``pixels`` px."""
    font = QFont(font)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


@dataclass(frozen=True)
class EdgeLabel:
    """An edge's number and where it is drawn."""

    edge: EdgeRef
    rect: QRectF
    text: str


class DiagramGeometry:
    """The diagram of ``explanation`` in ``phase`` laid out in ``width`` × ``height`` px:
    a column a layer (``xs``, card ``widths``), the units ``shown`` in each and their ``cards``.
    Cards have two lines, or one (``compact``) when too many units share a column's height."""

    def __init__(self, explanation: StepExplanation, phase: Phase, width: int, height: int,
                 input_names: Sequence[str], output_names: Sequence[str], font: QFont):
        self.explanation, self.phase, self.font = explanation, phase, font
        self.width, self.height = width, height
        self.shown = shown_units(explanation, phase)
        top, bottom = HEADER + 4, height - FOOTER - 4
        self.compact = (bottom - top) / max(len(s) for s in self.shown) < 2 * LINE + 8  # two lines and a gap
        metrics = QFontMetrics(sized(font, CARD_FONT))
        self.widths = [max(metrics.horizontalAdvance(f"{s} {n}") for u in units for s, n in self.lines(c, int(u)))
                       + 2 * PAD + 8 for c, units in enumerate(self.shown)]
        small = QFontMetrics(sized(font, SMALL_FONT))
        left = max((small.horizontalAdvance(n) for n in input_names), default=0) + 10
        right = max((small.horizontalAdvance(n) for n in output_names), default=0) + 22  # a swatch and the name
        self.xs = np.linspace(6 + left + self.widths[0] / 2, width - 6 - right - self.widths[-1] / 2,
                              len(self.shown)).tolist()
        card = (1 if self.compact else 2) * LINE + 6
        self.cards: list[dict[int, QRectF]] = []
        for column, units in enumerate(self.shown):
            spacing = (bottom - top) / max(len(units), 1)
            self.cards.append({int(u): QRectF(self.xs[column] - self.widths[column] / 2,
                                              top + spacing * (k + 0.5) - card / 2, self.widths[column], card)
                               for k, u in enumerate(units)})
        self._labels: tuple[object, list[EdgeLabel]] | None = None

    def lines(self, column: int, unit: int) -> list[tuple[str, str]]:
        """The lines of ``unit``'s card (:func:`unit_lines`, one of them when compact)."""
        lines = unit_lines(self.explanation, self.phase, column, unit)
        if not self.compact or len(lines) == 1:
            return lines
        if self.phase.kind == "update":  # one line: the bias before and after
            return [(lines[0][0], f"{lines[0][1]} → {lines[1][1]}")]
        at_loss = self.phase.kind == "loss" and column == len(self.explanation.layers)
        return [lines[0] if at_loss else lines[-1]]  # the number the phase is about: y, z or δ

    def default_focus(self) -> UnitRef | None:
        """The strongest unit shown of the column the phase works on: what it is most about."""
        column = phase_column(self.phase, len(self.explanation.layers))
        shown = self.shown[column]
        if not len(shown):
            return None
        values = np.nan_to_num(np.abs(column_values(self.explanation, self.phase)[column][shown]), nan=0.0)
        return UnitRef(column, int(shown[int(np.argmax(values))]))

    def ends(self, edge: EdgeRef) -> tuple[QPointF, QPointF]:
        """Where ``edge``'s line starts (its input's card) and ends (its unit's)."""
        start, end = self.cards[edge.layer][edge.row], self.cards[edge.layer + 1][edge.unit]
        return QPointF(start.right(), start.center().y()), QPointF(end.left(), end.center().y())

    def edges(self, layer: int) -> list[EdgeRef]:
        """The edges drawn of weight layer ``layer``: between the units shown."""
        return [EdgeRef(layer, int(i), int(j)) for i in self.shown[layer] for j in self.shown[layer + 1]]

    def is_drawn(self, part: UnitRef | EdgeRef | None) -> bool:
        """Whether ``part`` is on the diagram."""
        if isinstance(part, UnitRef):
            return part.column < len(self.cards) and part.unit in self.cards[part.column]
        return isinstance(part, EdgeRef) and part.layer + 1 < len(self.cards) and \
            part.row in self.cards[part.layer] and part.unit in self.cards[part.layer + 1]

    def focus_edges(self, focus: UnitRef | EdgeRef | None) -> list[EdgeRef]:
        """The edges of the part in focus: a unit's incoming edges, or the edge itself."""
        if isinstance(focus, UnitRef) and focus.column > 0 and self.is_drawn(focus):
            return [EdgeRef(focus.column - 1, int(i), focus.unit) for i in self.shown[focus.column - 1]]
        return [focus] if isinstance(focus, EdgeRef) and self.is_drawn(focus) else []

    def labels(self, focus: UnitRef | EdgeRef | None) -> list[EdgeLabel]:
        """The numbers beside edges: every edge's between small layers, then those of the part
        in focus, each at the first of its spots where it overlaps no card and no other number."""
        if self._labels is not None and self._labels[0] == focus:
            return self._labels[1]
        wanted = [(edge, LABEL_SPOTS) for k in range(len(self.shown) - 1)
                  if len(self.shown[k]) * len(self.shown[k + 1]) <= LABEL_ALL for edge in self.edges(k)]
        wanted += [(edge, FOCUS_SPOTS) for edge in self.focus_edges(focus)]
        metrics = QFontMetrics(sized(self.font, SMALL_FONT))
        taken = [rect.adjusted(-2, -2, 2, 2) for cards in self.cards for rect in cards.values()]
        labels, done = [], set()
        for edge, spots in wanted:
            text = edge_text(self.explanation, self.phase, edge)
            if edge in done or text == UNKNOWN:
                continue
            done.add(edge)
            start, end = self.ends(edge)
            width, height = metrics.horizontalAdvance(text) + 6, metrics.height() + 2
            for spot in spots:
                centre = start + (end - start) * spot
                rect = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)
                if not any(rect.intersects(other) for other in taken):
                    labels.append(EdgeLabel(edge, rect, text))
                    taken.append(rect.adjusted(-1, -1, 1, 1))
                    break
        self._labels = (focus, labels)
        return labels

    def part_at(self, point: QPointF, focus: UnitRef | EdgeRef | None) -> UnitRef | EdgeRef | None:
        """The unit, edge number or edge at ``point`` (with ``focus``'s numbers drawn), or None."""
        for column, cards in enumerate(self.cards):
            for unit, rect in cards.items():
                if rect.adjusted(-2, -2, 2, 2).contains(point):
                    return UnitRef(column, unit)
        for label in self.labels(focus):
            if label.rect.contains(point):
                return label.edge
        best, reach = None, EDGE_REACH
        for layer in range(len(self.shown) - 1):
            for edge in self.edges(layer):
                distance = _distance(point, *self.ends(edge))
                if distance <= reach:
                    best, reach = edge, distance
        return best


def _distance(point: QPointF, start: QPointF, end: QPointF) -> float:
    """How far ``point`` is from the segment ``start``-``end``."""
    d = end - start
    length = d.x() ** 2 + d.y() ** 2
    t = 0.0 if length == 0 else max(0.0, min(1.0, QPointF.dotProduct(point - start, d) / length))
    nearest = start + d * t
    return float(np.hypot(point.x() - nearest.x(), point.y() - nearest.y()))
