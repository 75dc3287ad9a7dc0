"""What the data plot draws for regression: for points of one coordinate, the network's curve
with each last hidden unit's contribution and the residuals; for points of the plane, the
network's value as a map on a fixed diverging scale with a colour bar.

Items are made once and fed new data each frame, as the classification picture's are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtGui import QColor

from nnviz.core.analysis.contour import contour_levels, value_contours
from nnviz.core.analysis.regression import contributions, extended_range, fit_curve
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP, layer_output
from nnviz.gui.colors import (
    BEYOND_COLOR,
    VALUE_LINE_COLOR,
    value_lut,
    value_palette,
    value_range,
    value_shades,
)

FIT_COLOR = "#d95f02"  # the network's function: strong, apart from the blue points
POINTS_COLOR = "#1f5fa0"
PART_COLOR = (90, 90, 110, 150)  # the units' contributions: faint, one colour (up to 30 of them)
UNIT_COLOR = "#7b3294"  # the one unit picked on the inside view
RESIDUAL_COLOR = (178, 24, 43, 150)
CURVE_POINTS = 400  # points of the curve: smooth at any plot width
CONTRIBUTION_LIMIT = 30  # units up to which the contributions are shown unless asked not to


def curve_key(parts: bool, residuals: bool) -> str:
    """What the curve's lines are, as rich text with a sample of each line's colour (for the
    note above the plot: a legend on it would hide part of the curve)."""
    def sample(color: str, text: str) -> str:
        return f"<span style='color:{color}'>&#9473;&#9473;</span>&nbsp;{text}"

    key = [sample(FIT_COLOR, "the network")]
    if parts:
        key.append(sample("#777", "each last hidden unit's output × its weight "
                             "(+ bias = the network; for a sigmoid output, its value before the sigmoid)"))
    if residuals:
        key.append(sample("#b2182b", "residuals"))
    return "&nbsp;&nbsp; ".join(key)


def curve_axis_names(data: Dataset) -> tuple[str, str]:
    """The 1-D plot's axis labels: the feature's name (a CSV's, else "x") and "target"."""
    return (data.feature_names[0] if data.feature_names else "x"), "target"


class CurveLayers:
    """The 1-D regression picture on ``plot``: the fit over the x range in view (never less than
    :func:`extended_range` of the data), the contributions, the residuals and a unit's curve."""

    def __init__(self, plot: pg.PlotWidget):
        self.beyond = [pg.LinearRegionItem(movable=False, brush=pg.mkBrush(*BEYOND_COLOR), pen=pg.mkPen(None))
                       for _ in range(2)]
        self.parts = pg.PlotDataItem(connect="finite", pen=pg.mkPen(QColor(*PART_COLOR), width=1))
        self.residuals = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(QColor(*RESIDUAL_COLOR), width=1))
        self.unit_curve = pg.PlotDataItem(pen=pg.mkPen(UNIT_COLOR, width=2, dash=[4, 2]), antialias=True)
        self.fit = pg.PlotDataItem(pen=pg.mkPen(FIT_COLOR, width=2.5), antialias=True)
        for z, item in enumerate([*self.beyond, self.parts, self.residuals, self.unit_curve, self.fit]):
            item.setZValue(-10 + z)  # under the points (z 0)
            plot.addItem(item, ignoreBounds=True)
        self.items = [*self.beyond, self.parts, self.residuals, self.unit_curve, self.fit]
        self.active = False  # whether the plot shows a curve at all (data of one coordinate)
        self.show_parts, self.show_residuals = True, False
        self.x_range = (-1.0, 1.0)  # the curve's, as last drawn
        self._extended = (-1.0, 1.0)
        self._points = (np.empty((0, 1)), np.empty(0))  # all points' x (as the network reads them) and targets
        self.set_visible(False)

    def set_visible(self, visible: bool) -> None:
        """Show the curve's items (data of one coordinate) or none of them."""
        self.active = visible
        for item in self.items:
            item.setVisible(visible)
        if visible:  # these three only when asked for
            self.parts.setVisible(self.show_parts)
            self.residuals.setVisible(self.show_residuals)
            self.unit_curve.hide()

    def set_data(self, data: Dataset) -> None:
        """The points whose picture this is: their x extent (shaded beyond) and residuals."""
        X, y = data.merged()
        self._points = (X[:, :1], y)
        self._extended = extended_range(data)
        lo, hi = (float(X[:, 0].min()), float(X[:, 0].max())) if len(X) else (0.0, 0.0)
        # Reaching past any sensible zoom: at 1e9 Qt's float rounding draws the right region on the left.
        far = 1000 * max(hi - lo, 1.0)
        self.beyond[0].setRegion((lo - far, lo))
        self.beyond[1].setRegion((hi, hi + far))

    def curve_range(self, view: tuple[float, float]) -> tuple[float, float]:
        """Where the curve is drawn: the view's x range, and at least the data's extended range."""
        return min(view[0], self._extended[0]), max(view[1], self._extended[1])

    def draw(self, network: MLP, view: tuple[float, float]) -> None:
        """Feed the items ``network``'s curve, contributions and (if shown) residuals."""
        self.x_range = self.curve_range(view)
        xs, ys = fit_curve(network, self.x_range, CURVE_POINTS)
        self.fit.setData(xs, ys)
        hidden = len(network.layer_sizes) > 2
        if self.show_parts and hidden:
            parts, _bias = contributions(network, xs)
            # One item for all units: each unit's curve, then a NaN that breaks the line before the next.
            count = parts.shape[1]
            x_all = np.tile(np.append(xs, np.nan), count)
            y_all = np.column_stack([parts.T.astype(np.float64), np.full(count, np.nan)]).ravel()
            self.parts.setData(x_all, y_all)
        else:
            self.parts.setData([], [])
        self.parts.setVisible(self.show_parts and hidden and self.active)
        self._draw_residuals(network)

    def _draw_residuals(self, network: MLP) -> None:
        X, y = self._points
        self.residuals.setVisible(self.show_residuals and self.active)
        if not (self.show_residuals and len(y)):
            self.residuals.setData([], [])
            return
        predicted = network.outputs(X)[:, 0].astype(np.float64)
        x = np.repeat(X[:, 0], 2)
        ends = np.column_stack([y, predicted]).ravel()
        self.residuals.setData(x, ends)

    def draw_unit(self, network: MLP | None, unit: int, layer: int) -> str:
        """Draw unit ``unit`` of hidden layer ``layer`` over the curve's range: a unit of the last
        hidden layer as its contribution, another as its output. Returns what is drawn, in
        words (empty, and nothing drawn, for no such unit)."""
        shown = network is not None and 0 <= layer < len(network.layer_sizes) - 2 \
            and 0 <= unit < network.layer_sizes[1 + layer]
        self.unit_curve.setVisible(shown and self.active)
        if not shown:
            return ""
        xs = np.linspace(*self.x_range, CURVE_POINTS)
        if layer == len(network.layer_sizes) - 3:
            ys = contributions(network, xs)[0][:, unit]
            what = f"unit {unit + 1} of the last hidden layer: its contribution (output × weight)"
        else:
            ys = layer_output(network, xs[:, None], layer, unit=unit)
            what = f"unit {unit + 1} of hidden layer {layer + 1}: its output"
        self.unit_curve.setData(xs, np.asarray(ys, dtype=np.float64))
        return what


class ValueLayers:
    """The 2-D regression picture's own parts: the value scale (fixed from the targets, so a
    colour means the same value all through training), its contour lines and colour bar. The
    map itself is the plot's image item, given the scale's lookup table."""

    def __init__(self, plot: pg.PlotWidget, image: pg.ImageItem):
        self.plot_item = plot.getPlotItem()
        self.image = image
        self.lut = value_lut()
        self.levels = (-1.0, 1.0)
        self.lines = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(QColor(*VALUE_LINE_COLOR), width=1))
        plot.addItem(self.lines)
        stops = np.linspace(0.0, 1.0, len(self.lut))
        self.bar = pg.ColorBarItem(values=self.levels, colorMap=pg.ColorMap(stops, self.lut), interactive=False,
                                   width=14, label="network output and target", colorMapMenu=False)
        self.bar.hide()
        self.lines.hide()
        self._in_layout = False
        self.palette = value_palette()  # the points' colours

    def set_visible(self, visible: bool) -> None:
        """Show the scale's parts (and the map's lookup table), or give the image back to classes."""
        self.lines.setVisible(visible)
        layout = self.plot_item.layout
        if visible and not self._in_layout:
            layout.addItem(self.bar, 2, 5)  # right of the plot, where pyqtgraph's own colour bars go
            self._in_layout = True
        elif not visible and self._in_layout:
            layout.removeItem(self.bar)
            self._in_layout = False
        self.bar.setVisible(visible)
        self.image.setLookupTable(self.lut if visible else None)

    def set_targets(self, targets: np.ndarray) -> None:
        """Fix the scale from the targets (:func:`~nnviz.gui.colors.value_range`)."""
        self.levels = value_range(targets)
        self.bar.setLevels(self.levels)

    def shades(self, values: np.ndarray) -> np.ndarray:
        """Which of :attr:`palette`'s shades each value is drawn in."""
        return value_shades(values, *self.levels)

    def draw(self, values: np.ndarray, bounds, rect) -> None:
        """Show gridded ``values`` ``(ny, nx)`` on the scale, with their contour lines."""
        self.image.setImage(np.ascontiguousarray(values, dtype=np.float32), levels=self.levels, autoLevels=False,
                            **({"rect": rect} if rect else {}))
        segments = value_contours(values, contour_levels(*self.levels), bounds)
        self.lines.setData(segments[:, 0], segments[:, 1])

