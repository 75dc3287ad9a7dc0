"""The loss against step, train and test; hover for a step's figures."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QColor

from nnviz.core.training.history import FIELDS
from nnviz.gui.colors import TEST_COLOR, TRAIN_COLOR
from nnviz.gui.train.step_plot import MomentMarker, StepPlot, same_run

LOSS_LABELS = {"cross-entropy": "cross-entropy loss", "squared-error": "squared-error loss"}


class LossPlot(StepPlot):
    """Train and test loss against step; hover for the values at a step (and the accuracy, or
    for regression R², which the history keeps in the accuracy's place)."""

    hovered = pyqtSignal(str)  # a readout line; empty when the pointer leaves

    def __init__(self, parent=None):
        super().__init__("loss", parent)
        self.addLegend(offset=(-10, 10))
        self.train_curve = self.plot(name="train", pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.test_curve = self.plot(name="test", pen=pg.mkPen(TEST_COLOR, width=2, dash=[4, 3]))
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(QColor(0, 0, 0, 90)))
        self.cursor.hide()
        self.addItem(self.cursor, ignoreBounds=True)
        self.marker = MomentMarker(self)
        self._marked: int | None = None
        self._history = np.empty((0, len(FIELDS)))
        self.regression = False
        self._loss_name = ""
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_head(self, loss: str, regression: bool) -> None:
        """Say which loss the curves are of, and whether the runs are regressions (their readout
        gives R² where a classifier's gives accuracy)."""
        self.regression = regression
        if loss != self._loss_name:
            self._loss_name = loss
            self.setLabel("left", LOSS_LABELS.get(loss, "loss"))

    def set_log_scale(self, enabled: bool) -> None:
        """Loss axis in log10 or linear."""
        self.setLogMode(y=enabled)  # the step axis stays as it is

    def show_history(self, history: np.ndarray) -> None:
        """Feed the curves new history rows (columns as in ``history.FIELDS``). Another run (a
        reset, new data, a file opened) or one carried on from an earlier moment: the axes
        fit it afresh."""
        if len(history) and len(self._history) and (not same_run(history, self._history)
                                                    or history[-1, 0] < self._history[-1, 0]):
            self.restart()
        self._history = history
        self._draw_curves()

    def _draw_curves(self) -> None:
        history = self._history
        steps = history[:, 0]
        self.train_curve.setData(*self.thin(steps, history[:, 1]))
        test = history[:, 3]
        if np.isnan(test).all():
            self.test_curve.setData([], [])
        else:
            self.test_curve.setData(*self.thin(steps, test))

    def show_marker(self, step: int | None) -> None:
        """Mark ``step`` (the moment a replay shows) with a red line; None hides it."""
        self._marked = step
        self.marker.show_step(None if step is None else self.step_coordinate(step))

    def set_log_steps(self, enabled: bool) -> None:
        super().set_log_steps(enabled)
        self._draw_curves()  # thinned anew for the new axis
        self.show_marker(self._marked)  # lines are placed in the view's coordinates
        self.cursor.hide()

    def readout(self, row: np.ndarray) -> str:
        """One line describing a history row."""
        score = (lambda r: f"R² {r:.4f}") if self.regression else (lambda a: f"acc {a:.1%}")
        text = f"step {int(row[0]):,}   train loss {row[1]:.4f}   train {score(row[2])}"
        if not np.isnan(row[3]):
            text += f"   test loss {row[3]:.4f}   test {score(row[4])}"
        return text

    def _on_mouse_moved(self, scene_pos) -> None:
        view = self.getPlotItem().vb
        if not len(self._history) or not view.sceneBoundingRect().contains(scene_pos):
            self.cursor.hide()
            self.hovered.emit("")
            return
        x = view.mapSceneToView(scene_pos).x()
        steps = self._history[:, 0]
        index = int(np.clip(np.searchsorted(steps, self.step_at(x)), 0, len(steps) - 1))
        if index > 0 and abs(self.step_coordinate(steps[index - 1]) - x) < abs(self.step_coordinate(steps[index]) - x):
            index -= 1  # the nearer on screen, on a log axis too
        row = self._history[index]
        self.cursor.setPos(self.step_coordinate(row[0]))
        self.cursor.show()
        self.hovered.emit(self.readout(row))
