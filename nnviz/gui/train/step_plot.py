"""Plots against step: the step axis (linear or log), its 1-2-5 log labels, and the red line
at the moment a replay shows."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtGui import QColor

# Every plot's look, set where every plot of steps (the window's, a sweep picture's) is made.
# Antialiasing only where it shows (points, the boundary line): it makes long curves slow.
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="w", foreground="#333")


class LogTickAxis(pg.AxisItem):
    """An axis whose log scale labels only 1, 2 and 5 times a power of ten, so short ranges do
    not crowd it with a label on every minor tick.

    ``number_format`` writes a label (``".3g"`` for a loss; ``",.0f"`` for steps, written out:
    1,000, not 1e+03); with ``from_one`` nothing below 1 is labelled (there are no such steps).
    """

    def __init__(self, orientation: str = "left", number_format: str = ".3g", *, from_one: bool = False):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.number_format, self.from_one = number_format, from_one

    def logTickStrings(self, values, scale, spacing):
        strings = []
        for value in values:  # value is log10 of the number
            mantissa = round(10 ** (value - np.floor(value + 1e-9)), 6)
            labelled = mantissa in (1, 2, 5) and (value > -1e-9 or not self.from_one)
            strings.append(format(10 ** value, self.number_format) if labelled else "")
        return strings


class StepPlot(pg.PlotWidget):
    """Something against step, from step 0: a light grid, plain step numbers, no menu; the
    step axis linear or (:meth:`set_log_steps`) logarithmic."""

    def __init__(self, quantity: str, parent=None):
        super().__init__(parent, axisItems={"left": LogTickAxis("left"), "bottom": LogTickAxis("bottom", ",.0f", from_one=True)})
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setLabel("bottom", "step")
        self.setLabel("left", quantity)
        self.setLimits(xMin=0)  # step 0 on a linear axis, step 1 on a log one (its coordinate is log10 of the step)
        self.log_steps = False

    def set_log_steps(self, enabled: bool) -> None:
        """Steps on a log10 axis, which spreads out the first steps, where most of the learning
        happens (step 0 itself has no place on it); or on a linear one."""
        self.log_steps = enabled
        self.setLogMode(x=enabled)  # pyqtgraph's curves leave out step 0 themselves
        self.getAxis("bottom").setLabel("step (log scale)" if enabled else "step")

    def step_coordinate(self, step: float) -> float:
        """Where ``step`` is on the step axis, in the view's coordinates (step 0 at the left
        end of a log axis)."""
        return float(np.log10(max(step, 1))) if self.log_steps else float(step)

    def step_at(self, coordinate: float) -> float:
        """The step at a view x coordinate."""
        return 10.0 ** coordinate if self.log_steps else coordinate

    def restart(self) -> None:
        """A new run: the axes fit its curves afresh, and until there are some, a first step's
        range instead of the last run's. (A zoom of the user's ends here too.)"""
        self.setRange(xRange=(self.step_coordinate(0), self.step_coordinate(10)), padding=0)
        self.enableAutoRange()

    def thin(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` as drawn: about two points a pixel column (of a linear or a log step axis),
        each column's lowest and highest (NaN ignored), then the last point as it is. A 2-px line
        through 2,000 points took 5 ms to paint, through 800, 3 ms."""
        width = max(self.width(), 1)
        if len(x) < 2 * width:
            return x, y
        at = np.log10(np.maximum(x, 1)) if self.log_steps else x  # where each point is drawn
        span = at[-1] - at[0]
        if not span > 0:
            return x, y
        columns = np.minimum(((at - at[0]) * (width / span)).astype(np.intp), width - 1)
        starts = np.flatnonzero(np.diff(columns, prepend=-1))  # each column's first point
        low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
        return np.append(np.repeat(x[starts], 2), x[-1]), np.append(np.column_stack([low, high]).ravel(), y[-1])


def same_run(history: np.ndarray, before: np.ndarray) -> bool:
    """Whether two loss histories (rows as in ``history.FIELDS``) are of one run: they start
    with the same figures (a new network or new points starts with others)."""
    return len(history) > 0 and len(before) > 0 and np.array_equal(history[0], before[0], equal_nan=True)


class MomentMarker(pg.InfiniteLine):
    """A red line at the step of the moment a replay shows, on a loss plot."""

    def __init__(self, plot: pg.PlotWidget):
        super().__init__(angle=90, pen=pg.mkPen(QColor(200, 30, 30), width=2))
        self.hide()
        plot.addItem(self, ignoreBounds=True)

    def show_step(self, step: int | None) -> None:
        """Mark ``step``; None hides the line."""
        self.setVisible(step is not None)
        if step is not None:
            self.setValue(step)
