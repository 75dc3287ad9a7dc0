"""The two plots. Items are created once; each frame only feeds them new data."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QEvent, QRectF, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QPainter
from PyQt5.QtWidgets import QGraphicsItem

from nnviz.core.analysis.baseline import LinearBaseline
from nnviz.core.analysis.contour import boundary_segments, contour_segments
from nnviz.core.analysis.grid import DecisionGrid, grid_resolution
from nnviz.core.analysis.units import activation_range, describe_unit
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP, layer_output
from nnviz.core.training.history import FIELDS
from nnviz.gui.colors import (
    BASELINE_COLOR,
    CONTOUR_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
    UNIT_LINE_COLOR,
    activation_lut,
    probability_colors,
)
from nnviz.gui.train.points_item import PointsItem
from nnviz.gui.train.step_plot import MomentMarker, StepPlot, same_run

# Antialiasing only where it shows (points, the boundary line): it makes long curves slow.
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="w", foreground="#333")

GRID_RESOLUTION = 100  # like TensorFlow Playground (coarser for large networks); the image item smooths it


class DrawViewBox(pg.ViewBox):
    """A view box that, while ``drawing`` is on, turns mouse input into point edits: a click
    adds a point, a drag sprays points, a right click asks to remove the nearest one."""

    points_drawn = pyqtSignal(object)  # (n, 2) array of new points, in data coordinates
    erase_requested = pyqtSignal(float, float, float)  # x, y and a search radius

    SPRAY_PER_MOVE = 2  # points added per mouse move while dragging
    SPRAY_SPREAD = 0.025  # standard deviation of a spray, as a share of the view's width

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.drawing = False
        self._spray = np.random.default_rng()

    def mouseClickEvent(self, ev) -> None:
        if not self.drawing:
            return super().mouseClickEvent(ev)
        ev.accept()
        x, y = self._at(ev)
        if ev.button() == Qt.LeftButton:
            self.points_drawn.emit(np.array([[x, y]]))
        elif ev.button() == Qt.RightButton:
            self.erase_requested.emit(x, y, 3 * self._spread())

    def mouseDragEvent(self, ev, axis=None) -> None:
        if not self.drawing:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        if ev.button() == Qt.LeftButton:
            centre = np.array(self._at(ev))
            self.points_drawn.emit(centre + self._spray.normal(0, self._spread(), (self.SPRAY_PER_MOVE, 2)))

    def _at(self, ev) -> tuple[float, float]:
        point = self.mapSceneToView(ev.scenePos())
        return point.x(), point.y()

    def _spread(self) -> float:
        (x0, x1), _ = self.viewRange()
        return self.SPRAY_SPREAD * (x1 - x0)


class BoundaryPlot(pg.PlotWidget):
    """Class probabilities as a heatmap, the decision boundary, and the data points; on request
    also a hidden unit's output and the linear baseline's boundary.

    The heatmap covers whatever part of the plane is in view, so zooming out shows how the
    network extrapolates; ``view_changed`` asks for a redraw when the view moves.
    """

    view_changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent, viewBox=DrawViewBox())
        self.setRenderHint(QPainter.SmoothPixmapTransform, True)  # bilinear upscaling of the grid
        self.setAspectLocked(True)
        self.setMenuEnabled(False)
        self.showGrid(x=False, y=False)
        self._resolution = GRID_RESOLUTION
        self.setLabel("bottom", "x₁")
        self.setLabel("left", "x₂")
        self.image = pg.ImageItem()
        self.contour = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(CONTOUR_COLOR, width=2), antialias=True)
        # The line comes as many short segments, each starting the dash pattern afresh: short dashes
        # (4 px on, 3 px off) so that each segment, about a grid cell long, still shows a gap.
        self.baseline = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(BASELINE_COLOR, width=2, dash=[2, 1.5]),
                                        antialias=True)
        self.unit_image = pg.ImageItem(opacity=0.85)
        self.unit_image.setLookupTable(activation_lut())
        self.unit_line = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(UNIT_LINE_COLOR, width=2, dash=[2, 3]))
        self.unit_label = pg.TextItem(anchor=(0, 0), color="#222", fill=pg.mkBrush(255, 255, 255, 215))
        self.unit_label.setZValue(20)
        self.train_points = PointsItem(8, filled=True)
        self.test_points = PointsItem(8, filled=False)
        for points in (self.train_points, self.test_points):
            # Points change rarely, the heatmap under them every frame: paint them from a cached
            # picture instead of anew (thousands of points cost a few ms a frame otherwise).
            points.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        for item in (self.image, self.contour, self.unit_image, self.unit_line, self.baseline, self.test_points,
                     self.train_points):
            self.addItem(item)
        self.addItem(self.unit_label, ignoreBounds=True)
        for item in (self.unit_image, self.unit_line, self.unit_label, self.baseline):
            item.hide()
        for side in ("left", "bottom"):  # redrawn with the heatmap every frame, yet they only change on a pan or zoom
            self.getAxis(side).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self._bounds: tuple[float, float, float, float] | None = None
        self._points_of: Dataset | None = None  # the data whose points are shown
        self._rect: QRectF | None = None  # extent to apply with the next image
        self._unit_rect: QRectF | None = None
        self._grid: DecisionGrid | None = None
        self._fill: np.ndarray | None = None  # values of the features beyond the first two
        self._network: MLP | None = None
        self._probs: np.ndarray | None = None
        self._unit, self._unit_layer = -1, 0  # the hidden unit overlaid, and its layer
        self._unit_levels: tuple[float, float] | None = None
        self._linear: LinearBaseline | None = None
        self.getViewBox().sigRangeChanged.connect(self._on_range_changed)
        self.paint_ms = 0.0  # how long the last paint took

    def viewportEvent(self, event) -> bool:
        if event.type() != QEvent.Paint:
            return super().viewportEvent(event)
        started = time.perf_counter()
        handled = super().viewportEvent(event)
        self.paint_ms = (time.perf_counter() - started) * 1000  # the view paces its redraws by it
        return handled

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(x_min, x_max, y_min, y_max)`` of the view, as the grid covers it."""
        return self._bounds

    @property
    def draw_box(self) -> DrawViewBox:
        return self.getViewBox()

    def set_dataset(self, data: Dataset, *, fit_view: bool = True) -> None:
        """Show new data: points and, unless ``fit_view`` is False, a view of their extent."""
        if data is not self._points_of:  # a new network on the same points (a reset) keeps them
            self.set_points(data)
        fill = data.feature_means[2:] if data.columns > 2 else None
        if fill is not None or self._fill is not None:
            self._fill = fill
            self._bounds = None  # a new grid for the new fill
        if fit_view:
            x0, x1, y0, y1 = data.bounds()
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._on_range_changed()

    def set_points(self, data: Dataset) -> None:
        """Show ``data``'s points (the view stays where it is)."""
        self._points_of = data
        self.train_points.set_points(data.X_train[:, :2], data.y_train)
        self.test_points.set_points(data.X_test[:, :2], data.y_test)

    def set_drawing(self, enabled: bool) -> None:
        """Draw mode: the mouse edits points instead of panning and zooming."""
        self.draw_box.drawing = enabled
        self.setCursor(Qt.CrossCursor if enabled else Qt.ArrowCursor)

    def _on_range_changed(self, *_args) -> None:
        if self._new_grid():
            self.view_changed.emit()

    def _new_grid(self) -> bool:
        """Make the grid over the part of the plane in view; False if the one there is that."""
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        if self._bounds == (x0, x1, y0, y1):
            return False
        self._bounds = (x0, x1, y0, y1)
        self._grid = DecisionGrid(self._bounds, self._resolution, fill=self._fill)
        self._rect = self._unit_rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self._draw_baseline()
        return True

    def show_network(self, network: MLP) -> None:
        """Redraw the heatmap and boundary for ``network`` (called at most once per frame)."""
        if self._grid is None:
            return
        self._network = network
        resolution = grid_resolution(network.layer_sizes)
        if resolution != self._resolution:  # a network of another size: a grid it can draw in a frame
            self._resolution = resolution
            self._bounds = None
            self._new_grid()  # not view_changed: this very call draws it (asking drew it twice)
        probs = self._grid.probabilities(network)
        self._probs = probs  # the grid's buffer: the next frame overwrites it and the image together
        # setRect scales by the current image size, so it goes with the first image of new data.
        rect, self._rect = self._rect, None
        self.image.setImage(probability_colors(probs), levels=(0, 255), autoLevels=False,
                            **({"rect": rect} if rect else {}))
        segments = boundary_segments(probs, self._bounds)
        self.contour.setData(segments[:, 0], segments[:, 1])
        self._draw_unit()

    def probability_image(self) -> np.ndarray | None:
        """The class probabilities ``(rows, columns, classes)`` shown now (for tests and checks)."""
        return self._probs

    def show_unit(self, unit: int, layer: int = 0) -> None:
        """Overlay the output of ``unit`` of hidden layer ``layer`` and the line (beyond the
        first layer, a curve) where its input is zero; -1 hides it."""
        self._unit, self._unit_layer = unit, layer
        self._draw_unit()

    def set_unit_levels(self, low: float, high: float) -> None:
        """The colour scale of the unit overlay (the hidden-unit maps' scale, so colours agree)."""
        if self._unit_levels != (low, high):
            self._unit_levels = (low, high)
            self._draw_unit()

    def show_baseline(self, baseline: LinearBaseline | None) -> None:
        """Draw the linear baseline's decision boundary (dashed); None hides it."""
        self._linear = baseline
        self._draw_baseline()

    def _draw_unit(self) -> None:
        network, unit, layer = self._network, self._unit, self._unit_layer
        visible = (network is not None and layer < len(network.layer_sizes) - 2
                   and 0 <= unit < network.layer_sizes[1 + layer] and self._grid is not None
                   and self._grid.points(network.dtype).shape[1] == network.point_dims + 1)
        for item in (self.unit_image, self.unit_line, self.unit_label):
            item.setVisible(visible)
        if not visible:
            return
        points = self._grid.points(network.dtype)[:, :-1]  # without the column of ones
        z = layer_output(network, points, layer, before_activation=True, unit=unit)  # the unit's input
        output = layer_output(network, points, layer, unit=unit)
        r = self._resolution
        segments = contour_segments(z.reshape(r, r), 0.0, self._bounds)
        output = output.reshape(r, r)
        low, high = self._unit_levels or activation_range(network.activations[layer], output[None])
        rect, self._unit_rect = self._unit_rect, None
        self.unit_image.setImage(np.ascontiguousarray(output, dtype=np.float32), levels=(low, high),
                                 autoLevels=False, **({"rect": rect} if rect else {}))
        self.unit_line.setData(segments[:, 0], segments[:, 1])
        self.unit_label.setText(describe_unit(network, unit, layer))
        x0, _, _, y1 = self._bounds
        self.unit_label.setPos(x0, y1)

    def _draw_baseline(self) -> None:
        fits = self._linear is not None and self._grid is not None and \
            self._grid.points(np.float64).shape[1] == len(self._linear.coef) + 1
        self.baseline.setVisible(fits)
        if self.baseline.isVisible():
            probs = self._linear.probabilities(self._grid.points(np.float64)[:, :-1])
            segments = boundary_segments(probs.reshape(self._resolution, self._resolution, -1), self._bounds)
            self.baseline.setData(segments[:, 0], segments[:, 1])


class LossPlot(StepPlot):
    """Train and test loss against step; hover for the values at a step."""

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
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

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
        x = view.mapSceneToView(scene_pos).x()
        steps = self._history[:, 0]
        index = int(np.clip(np.searchsorted(steps, self.step_at(x)), 0, len(steps) - 1))
        if index > 0 and abs(self.step_coordinate(steps[index - 1]) - x) < abs(self.step_coordinate(steps[index]) - x):
            index -= 1  # the nearer on screen, on a log axis too
        row = self._history[index]
        self.cursor.setPos(self.step_coordinate(row[0]))
        self.cursor.show()
        self.hovered.emit(self.readout(row))
