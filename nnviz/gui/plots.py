"""The two plots. Items are created once; each frame only feeds them new data."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QRectF, pyqtSignal
from PyQt5.QtGui import QColor, QPainter

from nnviz.core.contour import contour_segments
from nnviz.core.datasets import Dataset
from nnviz.core.grid import DecisionGrid
from nnviz.core.history import FIELDS
from nnviz.core.network import MLP
from nnviz.gui.colors import (
    CONTOUR_COLOR,
    POINT_COLORS,
    TEST_COLOR,
    TRAIN_COLOR,
    probability_lut,
)

# Antialiasing only where it shows (points, the boundary line): it makes long curves slow.
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="w", foreground="#333")

GRID_RESOLUTION = 100  # like TensorFlow Playground; the image item smooths it when scaled
TILE_RESOLUTION = 64  # small plots in a grid


class BoundaryPlot(pg.PlotWidget):
    """Class probabilities as a heatmap, the p = 0.5 contour, and the data points.

    The heatmap covers whatever part of the plane is in view, so zooming out shows how the
    network extrapolates; ``view_changed`` asks for a redraw when the view moves.
    """

    view_changed = pyqtSignal()
    clicked = pyqtSignal()

    def __init__(self, parent=None, *, compact: bool = False):
        """``compact``: a small, fixed view for a grid of plots (smaller points, no axis
        titles, no panning or zooming; a click emits ``clicked``)."""
        super().__init__(parent)
        self.setRenderHint(QPainter.SmoothPixmapTransform, True)  # bilinear upscaling of the grid
        self.setAspectLocked(True)
        self.setMenuEnabled(False)
        self.showGrid(x=False, y=False)
        self._resolution = TILE_RESOLUTION if compact else GRID_RESOLUTION
        if compact:
            self.setMouseEnabled(False, False)
            self.hideButtons()
            for axis in ("left", "bottom"):
                self.getAxis(axis).setStyle(tickLength=-4)
            self.scene().sigMouseClicked.connect(lambda _event: self.clicked.emit())
        else:
            self.setLabel("bottom", "x₁")
            self.setLabel("left", "x₂")
        self.image = pg.ImageItem()
        self.image.setLookupTable(probability_lut())
        self.contour = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(CONTOUR_COLOR, width=2), antialias=True)
        outline = pg.mkPen("#ffffff", width=1.0 if compact else 1.2)
        size = 5 if compact else 8
        self.train_points = pg.ScatterPlotItem(size=size, pen=outline, antialias=True)
        self.test_points = pg.ScatterPlotItem(size=size, brush=pg.mkBrush(0, 0, 0, 0), antialias=True)
        for item in (self.image, self.contour, self.test_points, self.train_points):
            self.addItem(item)
        self._bounds: tuple[float, float, float, float] | None = None
        self._rect: QRectF | None = None  # extent to apply with the next image
        self._grid: DecisionGrid | None = None
        self.getViewBox().sigRangeChanged.connect(self._on_range_changed)

    def set_dataset(self, data: Dataset) -> None:
        """Show new data: points, and a view of their extent."""
        brushes = [pg.mkBrush(c) for c in POINT_COLORS]
        pens = [pg.mkPen(c, width=1.5) for c in POINT_COLORS]
        self.train_points.setData(pos=data.X_train[:, :2], brush=[brushes[k % 2] for k in data.y_train])
        self.test_points.setData(pos=data.X_test[:, :2], pen=[pens[k % 2] for k in data.y_test])
        x0, x1, y0, y1 = data.bounds()
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._on_range_changed()

    def _on_range_changed(self, *_args) -> None:
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        if self._bounds == (x0, x1, y0, y1):
            return
        self._bounds = (x0, x1, y0, y1)
        self._grid = DecisionGrid(self._bounds, self._resolution)
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self.view_changed.emit()

    def show_network(self, network: MLP) -> None:
        """Redraw the heatmap and contour for ``network`` (called at most once per frame)."""
        if self._grid is None:
            return
        probs = self._grid.probabilities(network)
        p1 = np.ascontiguousarray(probs[..., 1], dtype=np.float32)
        # setRect scales by the current image size, so it goes with the first image of new data.
        rect, self._rect = self._rect, None
        self.image.setImage(p1, levels=(0.0, 1.0), autoLevels=False, **({"rect": rect} if rect else {}))
        segments = contour_segments(p1, 0.5, self._bounds)
        self.contour.setData(segments[:, 0], segments[:, 1])

    def probability_image(self) -> np.ndarray | None:
        """The p(class 1) grid currently shown (for tests and export checks)."""
        return self.image.image


class LossAxis(pg.AxisItem):
    """A loss axis whose log scale labels only 1, 2 and 5 times a power of ten, so short
    ranges do not crowd it with a label on every minor tick."""

    def __init__(self, orientation: str = "left"):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def logTickStrings(self, values, scale, spacing):
        strings = []
        for value in values:  # value is log10 of the loss
            mantissa = round(10 ** (value - np.floor(value + 1e-9)), 6)
            strings.append(f"{10 ** value:.3g}" if mantissa in (1, 2, 5) else "")
        return strings


class LossPlot(pg.PlotWidget):
    """Train and test loss against step; hover for the values at a step."""

    hovered = pyqtSignal(str)  # a readout line; empty when the pointer leaves

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"left": LossAxis()})
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setLabel("bottom", "step")
        self.setLabel("left", "loss")
        self.getAxis("bottom").enableAutoSIPrefix(False)
        self.setLimits(xMin=0)
        self.addLegend(offset=(-10, 10))
        self.train_curve = self.plot(name="train", pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.test_curve = self.plot(name="test", pen=pg.mkPen(TEST_COLOR, width=2, dash=[4, 3]))
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(QColor(0, 0, 0, 90)))
        self.cursor.hide()
        self.addItem(self.cursor, ignoreBounds=True)
        self._history = np.empty((0, len(FIELDS)))
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_log_scale(self, enabled: bool) -> None:
        """Loss axis in log10 or linear."""
        self.setLogMode(x=False, y=enabled)

    def show_history(self, history: np.ndarray) -> None:
        """Feed the curves new history rows (columns as in ``history.FIELDS``)."""
        self._history = history
        steps = history[:, 0]
        self.train_curve.setData(steps, history[:, 1])
        test = history[:, 3]
        if np.isnan(test).all():
            self.test_curve.setData([], [])
        else:
            self.test_curve.setData(steps, test)

    def readout(self, row: np.ndarray) -> str:
        """One line describing a history row."""
        text = f"step {int(row[0]):,}   train loss {row[1]:.4f}   train acc {row[2]:.1%}"
        if not np.isnan(row[3]):
            text += f"   test loss {row[3]:.4f}   test acc {row[4]:.1%}"
        return text

    def _on_mouse_moved(self, scene_pos) -> None:
        view = self.getPlotItem().vb
        if not len(self._history) or not view.sceneBoundingRect().contains(scene_pos):
            self.cursor.hide()
            self.hovered.emit("")
            return
        step = view.mapSceneToView(scene_pos).x()
        index = int(np.clip(np.searchsorted(self._history[:, 0], step), 0, len(self._history) - 1))
        if index > 0 and abs(self._history[index - 1, 0] - step) < abs(self._history[index, 0] - step):
            index -= 1
        row = self._history[index]
        self.cursor.setPos(row[0])
        self.cursor.show()
        self.hovered.emit(self.readout(row))
