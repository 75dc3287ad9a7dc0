"""The explained step as a diagram: a card a unit with its numbers for the phase, edges coloured
and sized by what the phase is about (the weights, the gradient, the change), the numbers of
the edges in focus beside them; hovering and clicking a unit or an edge. Where things go is
:mod:`.diagram_geometry`'s, how they look :mod:`.diagram_painting`'s."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QPoint, QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QPainter
from PyQt5.QtWidgets import QWidget

from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.gui.explain.diagram_geometry import DiagramGeometry, header_texts
from nnviz.gui.explain.diagram_painting import EMPTY, paint_diagram, paint_empty
from nnviz.gui.explain.phase_numbers import ParameterRef, UnitRef


class StepDiagram(QWidget):
    """One point's step through the network: inputs on the left, the output units on the
    right. A card a unit shows the phase's numbers (``a`` and ``z`` going forward, ``y``, ``t``
    at the loss, ``δ`` going backward, the bias before and after the update); a column wider
    than :data:`~nnviz.gui.explain.phase_numbers.UNITS_SHOWN` shows its strongest units and says so;
    when the widget is too narrow for every column's numbers, the columns away from the phase fold.

    Hovering a unit or an edge emits ``hovered``, clicking one ``picked`` (a click elsewhere
    picks None); clicking an edge or its number, or double-clicking a unit (its bias), emits
    ``edit_requested`` with the :class:`ParameterRef` to set.
    """

    hovered = pyqtSignal(object)  # UnitRef, ParameterRef or None
    picked = pyqtSignal(object)
    edit_requested = pyqtSignal(object)  # ParameterRef (row == fan_in: the bias)

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
        self._hovered: UnitRef | ParameterRef | None = None
        self._selected: UnitRef | ParameterRef | None = None
        self._geometry: DiagramGeometry | None = None
        self._empty = EMPTY  # what it says without an explanation

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

    def clear(self, why: str = EMPTY) -> None:
        """Show nothing but ``why`` (no point, numbers that cannot be, a network of another shape on its way)."""
        self.explanation, self._geometry, self._hovered, self._selected = None, None, None, None
        self._empty = why
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
    def selected(self) -> UnitRef | ParameterRef | None:
        """The unit or edge clicked last (None: none)."""
        return self._selected

    def focus(self) -> UnitRef | ParameterRef | None:
        """What the numbers beside the edges and the formulas are about: the part hovered, else
        the one clicked, else the strongest unit of the column the phase works on."""
        if self._hovered is not None or self._selected is not None:
            return self._hovered if self._hovered is not None else self._selected
        return None if self.explanation is None else self.placement().default_focus()

    def shown_units(self) -> list[np.ndarray]:
        """The units drawn in each column."""
        return [] if self.explanation is None else self.placement().shown

    def card_texts(self) -> dict[UnitRef, list[tuple[str, str]]]:
        """Each card drawn and its lines ``(symbol, number)``, as painted (none on a folded column's)."""
        g = self.placement()
        return {} if g is None else {UnitRef(c, int(u)): [] if g.folded[c] else g.lines(c, int(u))
                                     for c, shown in enumerate(g.shown) for u in shown}

    def edge_labels(self) -> dict[ParameterRef, str]:
        """The numbers drawn beside edges, by edge."""
        g = self.placement()
        return {} if g is None else {label.edge: label.text for label in g.labels(self.focus())}

    def units_note(self, column: int) -> str:
        """What a column's header says of its width, in full: "3 units", "12 of 50 units shown"."""
        return header_texts(self.explanation, column, len(self.placement().shown[column]))[0][1]

    def card_rect(self, part: UnitRef) -> QRectF | None:
        """Where ``part``'s card is drawn (None: not drawn)."""
        g = self.placement()
        return g.cards[part.column].get(part.unit) if g is not None and g.is_drawn(part) else None

    def edge_point(self, edge: ParameterRef) -> QPointF:
        """A point on ``edge``'s line, two thirds of the way to its unit (where clicks find it)."""
        start, end = self.placement().ends(edge)
        return start + (end - start) * (2 / 3)

    def part_at(self, point: QPoint | QPointF) -> UnitRef | ParameterRef | None:
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
            self.setCursor(Qt.PointingHandCursor if isinstance(part, ParameterRef) else Qt.ArrowCursor)
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
        if isinstance(part, ParameterRef):
            self.edit_requested.emit(part)

    def mouseDoubleClickEvent(self, event) -> None:
        part = self.part_at(event.pos())
        if event.button() == Qt.LeftButton and isinstance(part, UnitRef) and part.column > 0:
            layer = part.column - 1
            self._selected = part
            self.update()
            self.edit_requested.emit(ParameterRef(layer, len(self.explanation.layers[layer].inputs), part.unit))

    # --- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        g = self.placement()
        if g is None:
            paint_empty(painter, self.rect(), self.font(), self._empty)
        else:
            paint_diagram(painter, g, self.focus(), self._output_colors)
