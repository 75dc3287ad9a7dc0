"""How large each layer's gradient is, step by step: a vanishing gradient, seen at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QTextOption

from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui.train.step_plot import StepPlot, same_run

MAX_POINTS = 2000  # per layer; beyond this every other point is dropped (the curve keeps its shape)
NOT_YET = "Gradient sizes are measured at each training step: press Train to see them."
NOT_KEPT = ("No gradient sizes up to step {step:,}: they are measured as this window trains the network, and "
            "neither a saved run nor a moment of the timeline keeps them. Press Train to see them from here on.")


def layer_colors(count: int) -> list[str]:
    """One colour per weight layer, dark (first) to light (last, the output layer)."""
    ramp = pg.colormap.get("viridis")
    return [ramp.map(0.85 * k / max(count - 1, 1), mode="qcolor").name() for k in range(count)]


def layer_key(names: list[str], colors: list[str]) -> str:
    """The plot's title: a coloured square before each layer's name. (A coloured dash read as
    a minus sign: "layer -1 -2".)"""
    return "layer&nbsp;&nbsp; " + "&nbsp;&nbsp; ".join(f"<span style='color:{c}; font-size:11pt'>■</span>&nbsp;{n}"
                                                       for n, c in zip(names, colors))


class GradientPlot(StepPlot):
    """The RMS of each weight matrix's gradient against step, on a log scale, one line per
    layer. Fed snapshots; starts again when the network changes shape or its run restarts.
    While it has nothing to draw, a sentence in the middle says why."""

    def __init__(self, parent=None):
        super().__init__("gradient RMS", parent)
        self.setLogMode(y=True)
        self.curves: list[pg.PlotDataItem] = []
        self._rows = np.empty((0, 1))  # step, then each layer's RMS
        self._sizes: tuple[int, ...] = ()
        self._history = np.empty((0, 1))  # the run's loss history as last seen: it tells a new run
        self.empty_note = pg.TextItem(NOT_YET, color="#555", anchor=(0.5, 0.5))
        self.empty_note.setParentItem(self.getViewBox())  # placed in the plot's pixels, whatever its range
        self.empty_note.textItem.document().setDefaultTextOption(QTextOption(Qt.AlignCenter))
        self.getViewBox().sigResized.connect(self._place_note)
        self._place_note()

    def show_snapshot(self, snapshot: TrainingSnapshot) -> None:
        """Add ``snapshot``'s gradient sizes (nothing before its first step)."""
        sizes = snapshot.network.layer_sizes
        another_run = len(self._history) and len(snapshot.history) and not same_run(snapshot.history, self._history)
        self._history = snapshot.history
        if sizes != self._sizes or another_run or (len(self._rows) and snapshot.step < self._rows[-1, 0]):
            self._start(sizes)
        if not snapshot.gradient_rms or (len(self._rows) and snapshot.step == self._rows[-1, 0]):
            if not len(self._rows):
                self.empty_note.setText(NOT_KEPT.format(step=snapshot.step) if snapshot.step else NOT_YET)
                self._place_note()
            return
        row = np.array([[snapshot.step, *snapshot.gradient_rms]])
        row[row <= 0] = np.nan  # a zero gradient has no place on a log scale (step 0 is not a gradient)
        row[0, 0] = snapshot.step
        self._rows = np.vstack([self._rows, row])
        if len(self._rows) > MAX_POINTS:
            self._rows = self._rows[::2]
        self.empty_note.hide()
        self._draw_curves()

    def set_log_steps(self, enabled: bool) -> None:
        super().set_log_steps(enabled)
        self._draw_curves()  # thinned anew for the new axis

    def _draw_curves(self) -> None:
        for k, curve in enumerate(self.curves):
            curve.setData(*self.thin(self._rows[:, 0], self._rows[:, 1 + k]), connect="finite")

    def _start(self, sizes: tuple[int, ...]) -> None:
        self._sizes = sizes
        layers = len(sizes) - 1
        self._rows = np.empty((0, 1 + layers))
        if len(self.curves) != layers:
            self.clear()
            colors = layer_colors(layers)
            self.curves = [self.plot(pen=pg.mkPen(color, width=2)) for color in colors]
            # The names go above the plot, not in a legend over the curves, which fall as they train.
            names = [str(k + 1) for k in range(layers - 1)] + ["output"]
            self.setTitle(layer_key(names, colors), size="9pt", color="#333")
        for curve in self.curves:
            curve.setData([], [])
        self.empty_note.show()
        self.restart()

    def _place_note(self) -> None:
        rect = self.getViewBox().rect()
        self.empty_note.setTextWidth(max(120.0, 0.8 * rect.width()))
        self.empty_note.setPos(rect.center())

    def rows(self) -> np.ndarray:
        """What is plotted: step, then each layer's gradient RMS (for tests and exports)."""
        return self._rows
