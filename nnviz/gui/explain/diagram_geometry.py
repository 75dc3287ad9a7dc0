"""Where the step diagram puts things: its columns and their headers, cards and edges, the
numbers beside edges (where they overlap nothing), and what lies under the pointer.

A column is as wide as its cards' numbers. When the widget is too narrow for every column's
numbers, the columns the phase is about keep them and the others fold: their cards become small
squares whose colour tells the number (hovering one shows its formulas), and their headers shorten
("L3 · tanh", then "L3")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QPointF, QRectF
from PyQt5.QtGui import QFont, QFontMetrics

from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.gui.explain.phase_numbers import (
    UNKNOWN,
    ParameterRef,
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
MARGIN = 6  # px at the widget's left and right
GAP = 18  # px at least between neighbouring columns' cards: room for the edges between them
FOLDED = 16  # px: a folded column's card, a square of colour
HEADER_SPACE = 10  # px at least between neighbouring columns' headers
CARD_FONT, SMALL_FONT = 12, 11  # px
EDGE_REACH = 5  # px from an edge that still hovers it
LABEL_ALL = 9  # a pair of layers with at most this many edges shown has every edge's number drawn (if there is room)
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

    edge: ParameterRef
    rect: QRectF
    text: str


@dataclass(frozen=True)
class Header:
    """A column's name (bold) and what its width is, above its cards, within ``rect``."""

    title: str
    note: str
    rect: QRectF


def header_texts(explanation: StepExplanation, column: int, shown: int) -> list[tuple[str, str]]:
    """A column's header, ``(title, note)``, from the longest form ("layer 3 · tanh", "12 of 14
    units shown") to the shortest ("L3", "12/14"); ``shown`` of its units are drawn."""
    layers = explanation.layers
    total = len(layers[0].inputs if column == 0 else layers[column - 1].outputs)
    kind = "" if column == 0 else layers[column - 1].kind
    if column == 0:
        titles = ("inputs", "inputs", "in")
    elif column == len(layers):
        titles = (f"output · {kind}", f"out · {kind}", "out")
    else:
        titles = (f"layer {column} · {kind}", f"L{column} · {kind}", f"L{column}")
    if shown < total:
        notes = (f"{shown} of {total} units shown", f"{shown} of {total}", f"{shown}/{total}")
    else:
        notes = ("1 unit" if total == 1 else f"{total} units",) * 2 + (str(total),)
    return [(titles[0], notes[0]), (titles[0], notes[1]), (titles[1], notes[1]), (titles[2], notes[1]),
            (titles[2], notes[2])]


def column_order(phase: Phase, layers: int) -> list[int]:
    """The columns by how much ``phase`` is about them: the one it works on, then outwards (the
    left one first: what the phase reads going forward, the gradients' inputs going backward)."""
    focus = phase_column(phase, layers)
    return sorted(range(layers + 1), key=lambda column: (abs(column - focus), column))


def place_columns(full: Sequence[float], order: Sequence[int], start: float, room: float
                  ) -> tuple[list[float], list[float]]:
    """Card widths and centres of columns whose cards are ``full`` px wide, in ``room`` px from ``start``.

    Evenly spaced when every pair of neighbours keeps :data:`GAP` between them (so the columns stay
    put from phase to phase). Else the columns first in ``order`` keep their width as long as all
    fit, the others fold to :data:`FOLDED`, and the space left is shared between them."""
    n = len(full)
    xs = np.linspace(start + full[0] / 2, start + room - full[-1] / 2, n)
    if all(xs[k + 1] - xs[k] >= (full[k] + full[k + 1]) / 2 + GAP for k in range(n - 1)):
        return list(full), xs.tolist()
    widths = [float(FOLDED)] * n
    for column in order:
        wider = widths.copy()
        wider[column] = max(full[column], FOLDED)
        if sum(wider) + GAP * (n - 1) > room:
            break
        widths = wider
    gap = (room - sum(widths)) / max(n - 1, 1)  # (below GAP only when even folded columns do not fit)
    centres, x = [], start
    for width in widths:
        centres.append(x + width / 2)
        x += width + gap
    return widths, centres


class DiagramGeometry:
    """The diagram of ``explanation`` in ``phase`` laid out in ``width`` × ``height`` px:
    a column a layer (centres ``xs``, card ``widths``, whether ``folded``, ``headers``), the units
    ``shown`` in each and their ``cards``. Cards have two lines, or one (``compact``) when too many
    units share a column's height."""

    def __init__(self, explanation: StepExplanation, phase: Phase, width: int, height: int,
                 input_names: Sequence[str], output_names: Sequence[str], font: QFont):
        self.explanation, self.phase, self.font = explanation, phase, font
        self.width, self.height = width, height
        self.input_names, self.output_names = list(input_names), list(output_names)
        self.shown = shown_units(explanation, phase)
        top, bottom = HEADER + 4, height - FOOTER - 4
        self.compact = (bottom - top) / max(len(s) for s in self.shown) < 2 * LINE + 8  # two lines and a gap
        metrics = QFontMetrics(sized(font, CARD_FONT))
        full = [max(metrics.horizontalAdvance(f"{s} {n}") for u in units for s, n in self.lines(c, int(u)))
                + 2 * PAD + 8 for c, units in enumerate(self.shown)]
        small = QFontMetrics(sized(font, SMALL_FONT))
        left = max((small.horizontalAdvance(n) for n in input_names), default=0) + 10
        right = max((small.horizontalAdvance(n) for n in output_names), default=0) + 22  # a swatch and the name
        self.widths, self.xs = place_columns(full, column_order(phase, len(explanation.layers)), MARGIN + left,
                                             width - 2 * MARGIN - left - right)
        self.folded = [w < f for w, f in zip(self.widths, full)]
        card = (1 if self.compact else 2) * LINE + 6
        self.cards: list[dict[int, QRectF]] = []
        for column, units in enumerate(self.shown):
            spacing = (bottom - top) / max(len(units), 1)
            tall, wide = (FOLDED, FOLDED) if self.folded[column] else (card, self.widths[column])
            self.cards.append({int(u): QRectF(self.xs[column] - wide / 2, top + spacing * (k + 0.5) - tall / 2,
                                              wide, tall) for k, u in enumerate(units)})
        self.headers = self._headers(QFontMetrics(sized(font, CARD_FONT, bold=True)), small)
        self._labels: tuple[object, list[EdgeLabel]] | None = None

    def _headers(self, bold: QFontMetrics, small: QFontMetrics) -> list[Header]:
        """Each column's header, the longest form that fits above it (between the middles of the gaps beside it)."""
        n = len(self.xs)
        sides = [self.xs[k] + self.widths[k] / 2 for k in range(n)], [self.xs[k] - self.widths[k] / 2 for k in range(n)]
        bounds = [0.0] + [(sides[0][k] + sides[1][k + 1]) / 2 for k in range(n - 1)] + [float(self.width)]
        headers = []
        for column, units in enumerate(self.shown):
            low, high = bounds[column] + HEADER_SPACE / 2, bounds[column + 1] - HEADER_SPACE / 2
            forms = header_texts(self.explanation, column, len(units))
            wide = [max(bold.horizontalAdvance(title), small.horizontalAdvance(note)) + 2 for title, note in forms]
            k = next((k for k, width in enumerate(wide) if width <= high - low), len(forms) - 1)
            # Centred over the cards, unless that would take the neighbours' room (the outer columns').
            left = min(max(self.xs[column] - wide[k] / 2, low), high - wide[k])
            headers.append(Header(*forms[k], QRectF(left, 4, wide[k], HEADER - 4)))
        return headers

    def lines(self, column: int, unit: int) -> list[tuple[str, str]]:
        """The lines of ``unit``'s card (:func:`unit_lines`, one of them when compact)."""
        lines = unit_lines(self.explanation, self.phase, column, unit)
        if not self.compact or len(lines) == 1:
            return lines
        if self.phase.kind == "update":  # one line: the bias after (before it is the forward phases')
            return [(f"{lines[0][0]} {lines[1][0]}", lines[1][1])]
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

    def ends(self, edge: ParameterRef) -> tuple[QPointF, QPointF]:
        """Where ``edge``'s line starts (its input's card) and ends (its unit's)."""
        start, end = self.cards[edge.layer][edge.row], self.cards[edge.layer + 1][edge.unit]
        return QPointF(start.right(), start.center().y()), QPointF(end.left(), end.center().y())

    def edges(self, layer: int) -> list[ParameterRef]:
        """The edges drawn of weight layer ``layer``: between the units shown."""
        return [ParameterRef(layer, int(i), int(j)) for i in self.shown[layer] for j in self.shown[layer + 1]]

    def is_drawn(self, part: UnitRef | ParameterRef | None) -> bool:
        """Whether ``part`` is on the diagram."""
        if isinstance(part, UnitRef):
            return part.column < len(self.cards) and part.unit in self.cards[part.column]
        return isinstance(part, ParameterRef) and part.layer + 1 < len(self.cards) and \
            part.row in self.cards[part.layer] and part.unit in self.cards[part.layer + 1]

    def focus_edges(self, focus: UnitRef | ParameterRef | None) -> list[ParameterRef]:
        """The edges of the part in focus: a unit's incoming edges, or the edge itself."""
        if isinstance(focus, UnitRef) and focus.column > 0 and self.is_drawn(focus):
            return [ParameterRef(focus.column - 1, int(i), focus.unit) for i in self.shown[focus.column - 1]]
        return [focus] if isinstance(focus, ParameterRef) and self.is_drawn(focus) else []

    def labels(self, focus: UnitRef | ParameterRef | None) -> list[EdgeLabel]:
        """The numbers beside edges: every edge's between small layers with room between them, then
        those of the part in focus, each at the first of its spots where it overlaps no card and no
        other number (a number with no such spot is left out: the formulas give it)."""
        if self._labels is not None and self._labels[0] == focus:
            return self._labels[1]
        metrics = QFontMetrics(sized(self.font, SMALL_FONT))
        wanted = [(edge, LABEL_SPOTS) for k in range(len(self.shown) - 1) if self._labels_fit(k, metrics)
                  for edge in self.edges(k)]
        wanted += [(edge, FOCUS_SPOTS) for edge in self.focus_edges(focus)]
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

    def _labels_fit(self, layer: int, metrics: QFontMetrics) -> bool:
        """Whether every edge of weight layer ``layer`` gets its number: few edges, and a gap
        between the two columns wider than their numbers."""
        edges = self.edges(layer)
        if len(edges) > LABEL_ALL:
            return False
        gap = (self.xs[layer + 1] - self.widths[layer + 1] / 2) - (self.xs[layer] + self.widths[layer] / 2)
        widest = max((metrics.horizontalAdvance(edge_text(self.explanation, self.phase, e)) for e in edges), default=0)
        return gap >= widest + 16

    def part_at(self, point: QPointF, focus: UnitRef | ParameterRef | None) -> UnitRef | ParameterRef | None:
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
