"""Tooltips that depend on where the pointer is, for views painted as one picture."""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QPoint
from PyQt5.QtWidgets import QToolTip, QWidget


class PositionTips(QWidget):
    """Shows :meth:`tooltip_at` the pointer's position; nothing where it is empty."""

    def tooltip_at(self, point: QPoint) -> str:
        return ""

    def event(self, event) -> bool:
        if event.type() != QEvent.ToolTip:
            return super().event(event)
        text = self.tooltip_at(event.pos())
        if text:
            QToolTip.showText(event.globalPos(), text, self)
        else:
            QToolTip.hideText()
            event.ignore()
        return True
