"""What the hidden-unit views share: hovering names a unit, a click freezes it."""

from __future__ import annotations

import time

from PyQt5.QtCore import QEvent, QPoint, Qt, pyqtSignal
from PyQt5.QtGui import QCursor
from PyQt5.QtWidgets import QWidget


class UnitPicker(QWidget):
    """A widget whose points may show hidden units; subclasses say which with :meth:`unit_at`.

    ``unit_hovered(unit)`` when the pointer moves onto another unit (-1 when off them);
    ``unit_selected(unit)`` when a click freezes a unit, or -1 when a click on the frozen
    unit (or a new network without it) unfreezes it. Setting :attr:`selected_unit` or
    calling :meth:`highlight` from code emits nothing, so two views can mirror each other.
    """

    unit_hovered = pyqtSignal(int)
    unit_selected = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self._hovered = -1
        self._highlighted = -1  # hovered in another view
        self._selected = -1
        self._mouse: QPoint | None = None
        self.paint_ms = 0.0  # how long the last paint took: the panel paces its redraws by it

    def event(self, event) -> bool:
        if event.type() != QEvent.Paint:
            return super().event(event)
        started = time.perf_counter()
        handled = super().event(event)
        self.paint_ms = (time.perf_counter() - started) * 1000
        return handled

    def unit_at(self, point: QPoint) -> int:
        """The unit shown at ``point``, or -1."""
        raise NotImplementedError

    def highlight(self, unit: int) -> None:
        """Show ``unit`` as if hovered (it is, in another view); -1 for none."""
        if unit != self._highlighted:
            self._highlighted = unit
            self.update()

    @property
    def selected_unit(self) -> int:
        """The frozen unit, or -1."""
        return self._selected

    @selected_unit.setter
    def selected_unit(self, unit: int) -> None:
        if unit != self._selected:
            self._selected = unit
            self.update()

    def _network_changed(self, units: int) -> None:
        """Drop a frozen unit the new network lacks; the unit under the pointer may differ now."""
        if self._selected >= units:
            self._selected = -1
            self.unit_selected.emit(-1)
        if self._mouse is not None:
            self._set_hovered(self.unit_at(self._mouse))

    def _set_hovered(self, unit: int) -> None:
        if unit != self._hovered:
            self._hovered = unit
            self.update()
            self.unit_hovered.emit(unit)

    def enterEvent(self, event) -> None:
        # The pointer is here from the moment it enters, moved or not: an enter often comes
        # with no move (the first one, or after something passed over the pointer), and the
        # unit views hold still under the pointer only while they know where it is.
        self._mouse = event.pos() if hasattr(event, "pos") else self.mapFromGlobal(QCursor.pos())
        self._set_hovered(self.unit_at(self._mouse))
        super().enterEvent(event)

    def mouseMoveEvent(self, event) -> None:
        self._mouse = event.pos()
        self._set_hovered(self.unit_at(event.pos()))

    def leaveEvent(self, _event) -> None:
        self._mouse = None
        self._set_hovered(-1)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        unit = self.unit_at(event.pos())
        if unit < 0:
            return
        self._selected = -1 if unit == self._selected else unit
        self.update()
        self.unit_selected.emit(self._selected)
