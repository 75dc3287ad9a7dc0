"""Per-layer histograms, live: of what each hidden layer outputs over the training points, of
each layer's weights, or of their gradients ("Deep Learning from Scratch", figures 6-10 to 6-14),
with the share of units that stopped working in each hidden layer's plot."""

from __future__ import annotations

import math

import pyqtgraph as pg

from nnviz.core.analysis.layer_stats import (
    LayerHistogram,
    activation_histograms,
    weight_histograms,
)
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui.train.gradient_plot import layer_colors

KINDS = ("activations", "weights", "gradients")


class SparseTickAxis(pg.AxisItem):
    """A value axis for a narrow plot: a tick label that would touch another is left out, the
    end labels kept first (three labels ran together into "-1e-301e-3")."""

    GAP = 4  # px, at least, between two labels

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        ends_first = sorted(range(len(texts)), key=lambda k: (0 < k < len(texts) - 1, k))
        kept: list[int] = []
        for k in ends_first:
            room = texts[k][0].adjusted(-self.GAP / 2, 0, self.GAP / 2, 0)
            if not any(room.intersects(texts[j][0]) for j in kept):
                kept.append(k)
        return axis, ticks, [texts[k] for k in sorted(kept)]


class HistogramPanel(pg.GraphicsLayoutWidget):
    """One small histogram per layer, side by side; fed snapshots (and the points they see)."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self.kind = kind
        self.plots: list[pg.PlotItem] = []
        self.bars: list[pg.PlotDataItem] = []
        self.notes: list[pg.TextItem] = []  # the share of units that stopped working, inside each plot
        self._pool: list[tuple[pg.PlotItem, pg.PlotDataItem, pg.TextItem]] = []  # every plot made so far
        self.histograms: list[LayerHistogram] = []

    def show_snapshot(self, snapshot: TrainingSnapshot, data: Dataset) -> None:
        """Histograms of the snapshot's layers (activations over ``data``'s training points)."""
        network = snapshot.network
        if self.kind == "activations":
            histograms = activation_histograms(network, data.X_train) if len(data.X_train) else []
            names = [f"layer {k + 1}" for k in range(len(histograms))]
        else:
            histograms = weight_histograms(network.weights) if self.kind == "weights" else snapshot.gradient_histograms
            names = [f"layer {k + 1}" for k in range(len(histograms) - 1)] + ["output"] if histograms else []
        self.histograms = histograms
        if len(self.plots) != len(histograms):
            self._make_plots(names)
        top = 100 * max((h.shares.max() for h in histograms), default=1.0)  # one scale for all, as the first shows
        for k, (plot, bars, histogram) in enumerate(zip(self.plots, self.bars, histograms)):
            bars.setData(histogram.edges, 100 * histogram.shares, stepMode="center", fillLevel=0)
            plot.setYRange(0, top, padding=0.05)
            low, high = float(histogram.edges[0]), float(histogram.edges[-1])
            plot.setXRange(low, high, padding=0.08)  # room for the end ticks' labels
            plot.getAxis("bottom").setTicks([[(v, _tick(v)) for v in _tick_values(low, high)]])
            note = self.notes[k]
            note.setVisible(histogram.stalled is not None)
            if histogram.stalled is not None:
                word = ACTIVATIONS[network.activations[k]].stalls
                note.setHtml(f"<span style='font-size:7pt; color:#333'>{histogram.stalled:.0%}<br>{word}</span>")

    def _make_plots(self, names: list[str]) -> None:
        """Lay out a plot per name, reusing those made before: making six took 0.17-0.23 s, too long
        to do whenever the network changes shape (laying out ones made before: 12-37 ms)."""
        count = len(names)
        for plot in self.plots:
            self.removeItem(plot)
        while len(self._pool) < count:
            self._pool.append(self._new_plot(first=not self._pool))
        self.plots, self.bars, self.notes = (list(column) for column in zip(*self._pool[:count])) if count else ([], [], [])
        for k, (plot, bars, colour) in enumerate(zip(self.plots, self.bars, layer_colors(count))):
            self.addItem(plot, row=0, col=k)
            plot.setTitle(names[k], size="8pt", color="#333")  # here, not each frame: a title lays the plots out anew
            fill = pg.mkColor(colour)
            fill.setAlpha(140)
            bars.setPen(pg.mkPen(colour, width=1))
            bars.setBrush(pg.mkBrush(fill))

    def _new_plot(self, first: bool) -> tuple[pg.PlotItem, pg.PlotDataItem, pg.TextItem]:
        plot = pg.PlotItem(axisItems={"bottom": SparseTickAxis("bottom")})
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        if first:
            plot.setLabel("left", f"% of {self.kind}")  # names the panel where its tab is not seen (exports)
            plot.getAxis("left").enableAutoSIPrefix(False)
        else:
            plot.hideAxis("left")  # the plots are narrow: one scale, on the first
        bars = plot.plot()
        # Inside the plot, not in its title: a wide title would push the last plots out of view.
        note = pg.TextItem(fill=pg.mkBrush(255, 255, 255, 200), anchor=(0, 0))
        note.setParentItem(plot.vb)  # placed in the plot's pixels, whatever its range
        note.setPos(1, 1)
        return plot, bars, note


def _tick_values(low: float, high: float) -> tuple[float, ...]:
    """Three ticks: the ends and the middle, or for a range symmetric about 0 (weights,
    gradients), 0 and a round value inside each end, so that the end labels fit the narrow plot."""
    if low >= 0 or not math.isclose(-low, high):
        return low, (low + high) / 2, high
    exponent = math.floor(math.log10(0.7 * high))
    inside = max(m * 10.0**exponent for m in (1, 2, 5) if m * 10.0**exponent <= 0.7 * high)
    return -inside, 0.0, inside


def _tick(value: float) -> str:
    """A short tick label (the plots are narrow): 0.5, 14, 290, 1.4k, 3e-5 (gradients are small)."""
    if abs(value) >= 1000:
        return f"{value / 1000:.2g}k"
    if 0 < abs(value) < 0.01:
        return f"{value:.0e}".replace("e-0", "e-")
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"
