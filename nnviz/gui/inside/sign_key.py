"""The sign of a weight or gradient as both network diagrams draw it: blue positive, red negative."""

from __future__ import annotations

from PyQt5.QtCore import QPointF
from PyQt5.QtGui import QColor, QPainter, QPen

# Paul Tol's vibrant blue and red: told apart with every common colour-vision deficiency.
POSITIVE_COLOR = "#0077bb"
NEGATIVE_COLOR = "#cc3311"


def draw_sign_key(painter: QPainter, x: float, y: float, line_y: float) -> float:
    """The edges' key, a blue line "positive" and a red one "negative", from ``x`` on the text
    baseline ``y`` (the lines at ``line_y``); returns where it ends."""
    metrics = painter.fontMetrics()
    for color, text in ((POSITIVE_COLOR, "positive"), (NEGATIVE_COLOR, "negative")):
        painter.setPen(QPen(QColor(color), 2.5))
        painter.drawLine(QPointF(x, line_y), QPointF(x + 16, line_y))
        painter.setPen(QColor("#444"))
        painter.drawText(QPointF(x + 20, y), text)
        x += 20 + metrics.horizontalAdvance(text) + 10
    return x
