"""How large each layer's gradient is, step by step: a vanishing gradient, seen at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from nnviz.core.training import TrainingSnapshot
from nnviz.gui.train.plots import StepPlot

MAX_POINTS = 2000  # per layer; beyond this every other point is dropped (the curve keeps its shape)


def layer_colors(count: int) -> list[str]:
    """One colour per weight layer, dark (first) to light (last, the output layer)."""
    ramp = pg.colormap.get("viridis")
    return [ramp.map(0.85 * k / max(count - 1, 1), mode="qcolor").name() for k in range(count)]


class GradientPlot(StepPlot):
    """The RMS of each weight matrix's gradient against step, on a log scale, one line per
    layer. Fed snapshots; starts again when the network changes shape or its run restarts."""

    def __init__(self, parent=None):
        super().__init__("gradient RMS", parent)
        self.setLogMode(y=True)
        self.curves: list[pg.PlotDataItem] = []
        self._rows = np.empty((0, 1))  # step, then each layer's RMS
        self._sizes: tuple[int, ...] = ()

    def show_snapshot(self, snapshot: TrainingSnapshot) -> None:
        """Add ``snapshot``'s gradient sizes (nothing before its first step)."""
        sizes = snapshot.network.layer_sizes
        if sizes != self._sizes or (len(self._rows) and snapshot.step < self._rows[-1, 0]):
            self._start(sizes)
        if not snapshot.gradient_rms or (len(self._rows) and snapshot.step == self._rows[-1, 0]):
            return
        row = np.array([[snapshot.step, *snapshot.gradient_rms]])
        row[row <= 0] = np.nan  # a zero gradient has no place on a log scale (step 0 is not a gradient)
        row[0, 0] = snapshot.step
        self._rows = np.vstack([self._rows, row])
        if len(self._rows) > MAX_POINTS:
            self._rows = self._rows[::2]
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
            self.setTitle("layer&nbsp; " + "&nbsp; ".join(f"<span style='color:{c}'>━</span>{n}"
                                                          for n, c in zip(names, colors)), size="9pt", color="#333")
        for curve in self.curves:
            curve.setData([], [])

    def rows(self) -> np.ndarray:
        """What is plotted: step, then each layer's gradient RMS (for tests and exports)."""
        return self._rows
