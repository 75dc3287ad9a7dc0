"""The data plot (and, from its own module, the loss plot). Items are created once; each frame
only feeds them new data."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QEvent, QRectF, Qt, pyqtSignal
from PyQt5.QtGui import QPainter
from PyQt5.QtWidgets import QGraphicsItem

from nnviz.core.analysis.baseline import LinearBaseline
from nnviz.core.analysis.contour import boundary_segments, contour_segments
from nnviz.core.analysis.grid import DecisionGrid, grid_resolution
from nnviz.core.analysis.units import activation_range, describe_unit
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP, layer_output
from nnviz.gui.colors import (
    BASELINE_COLOR,
    CONTOUR_COLOR,
    UNIT_LINE_COLOR,
    VALUE_OUTLINE,
    activation_lut,
    probability_colors,
)
from nnviz.gui.train.loss_plot import LossPlot
from nnviz.gui.train.points_item import PointsItem
from nnviz.gui.train.regression_plot import (
    POINTS_COLOR,
    CurveLayers,
    ValueLayers,
    curve_axis_names,
)

__all__ = ["BoundaryPlot", "LossPlot", "class_map", "map_scores"]  # LossPlot: where it always was

GRID_RESOLUTION = 100  # like TensorFlow Playground (coarser for large networks); the image item smooths it


def map_scores(scores: np.ndarray) -> np.ndarray:
    """Class scores that are not probabilities (identity outputs) as the map can colour them:
    each held to [0, 1], and where they add up to more than 1 scaled down to sum to 1, so that
    two classes both scored high make a pale, undecided colour rather than a mix of both."""
    held = np.clip(scores, 0.0, 1.0)
    return held / np.maximum(held.sum(axis=-1, keepdims=True), 1.0)


def class_map(scores: np.ndarray, bounds: tuple[float, float, float, float], output: str
              ) -> tuple[np.ndarray, np.ndarray]:
    """A classifier's picture from its gridded class scores ``(rows, columns, classes)`` over
    ``bounds``: the background's RGB uint8 colours (row 0 at the bottom) and the decision
    boundary's segments. Scores of ``output`` "identity" are not probabilities: coloured
    through :func:`map_scores`, the boundary where the top two are equal (not p = 0.5). The
    Train view and the Compare tiles both draw through this."""
    probabilities = output != "identity"
    colors = probability_colors(scores if probabilities else map_scores(scores))
    return colors, boundary_segments(scores, bounds, probabilities=probabilities)


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


CLASSES, VALUES, CURVE = "classes", "values", "curve"  # what the plot shows: see BoundaryPlot


class BoundaryPlot(pg.PlotWidget):
    """The data and what the network makes of it. Classes: the class scores as a heatmap, the
    decision boundary, and the points; on request also a hidden unit's output and the linear
    baseline's boundary. Regression on the plane: the network's value as a map on a fixed
    diverging scale (:class:`ValueLayers`) under the points coloured by their targets. Regression
    on one coordinate: the points (x, target) and the network's curve (:class:`CurveLayers`).

    The heatmap (or curve) covers whatever is in view, so zooming out shows how the network
    extrapolates; ``view_changed`` asks for a redraw when the view moves. ``hovered`` gives a
    readout of the network's value under the pointer (regression), empty when it leaves.
    """

    view_changed = pyqtSignal()
    hovered = pyqtSignal(str)

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
        self.curves = CurveLayers(self)
        self.values = ValueLayers(self, self.image)
        self.mode = CLASSES
        self._data: Dataset | None = None
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
        self._values: np.ndarray | None = None  # the value map shown (regression on the plane)
        self.getViewBox().sigRangeChanged.connect(self._on_range_changed)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
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
        self._set_mode(data)
        if data is not self._points_of:  # a new network on the same points (a reset) keeps them
            self.set_points(data)
        fill = data.feature_means[2:] if data.columns > 2 else None
        if fill is not None or self._fill is not None:
            self._fill = fill
            self._bounds = None  # a new grid for the new fill
        if fit_view:
            x0, x1, y0, y1 = self._view_of(data)
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._on_range_changed()

    def _set_mode(self, data: Dataset) -> None:
        """Classes, values or a curve, as ``data`` asks; the items of the others hide."""
        self._data = data
        mode = CLASSES if not data.regression else CURVE if data.columns == 1 else VALUES
        if mode == VALUES:
            self.values.set_targets(data.merged()[1])
        if mode == CURVE:
            self.curves.set_data(data)
        if mode == self.mode:
            return
        self.mode = mode
        self._probs = self._values = None
        self.setAspectLocked(mode != CURVE)  # x against a target: the two need not share a scale
        self.curves.set_visible(mode == CURVE)
        self.values.set_visible(mode == VALUES)
        self.image.setVisible(mode != CURVE)
        self.contour.setVisible(mode == CLASSES)
        if mode == CURVE:
            for item in (self.unit_image, self.unit_line):
                item.hide()
        self.hovered.emit("")

    def _view_of(self, data: Dataset) -> tuple[float, float, float, float]:
        """The extent a new view of ``data`` shows: its points' (padded); for a curve, the range
        it is drawn over in x, so that the extrapolation shows, and the targets' with a margin."""
        if self.mode != CURVE:
            self.setLabel("bottom", "x₁")
            self.setLabel("left", "x₂")
            return data.bounds()
        x_name, y_name = curve_axis_names(data)
        self.setLabel("bottom", x_name)
        self.setLabel("left", y_name)
        x0, x1 = self.curves.curve_range((np.inf, -np.inf))
        _, _, y0, y1 = data.bounds(padding=0.0)
        margin = 0.25 * (y1 - y0) or 1.0
        return x0, x1, y0 - margin, y1 + margin

    def set_points(self, data: Dataset) -> None:
        """Show ``data``'s points (the view stays where it is)."""
        self._points_of = data
        for points, X, y in ((self.train_points, data.X_train, data.y_train),
                             (self.test_points, data.X_test, data.y_test)):
            if self.mode == CURVE:  # (x, target), in one colour
                points.set_points(np.column_stack([X[:, 0], y]), np.zeros(len(y)), (POINTS_COLOR,))
            elif self.mode == VALUES:  # coloured by target on the map's scale, rimmed to read on it
                points.set_points(X[:, :2], self.values.shades(y), self.values.palette, VALUE_OUTLINE)
            else:
                points.set_points(X[:, :2], y)

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
        """Redraw the heatmap and boundary (or the value map, or the curve) for ``network``
        (called at most once per frame)."""
        if self._grid is None:
            return
        self._network = network
        if self.mode == CURVE:
            self.curves.draw(network, self.getViewBox().viewRange()[0])
            self._draw_unit()
            return
        resolution = grid_resolution(network.layer_sizes)
        if resolution != self._resolution:  # a network of another size: a grid it can draw in a frame
            self._resolution = resolution
            self._bounds = None
            self._new_grid()  # not view_changed: this very call draws it (asking drew it twice)
        # setRect scales by the current image size, so it goes with the first image of new data.
        rect, self._rect = self._rect, None
        if self.mode == VALUES:
            self._values = self._grid.outputs(network)[..., 0]  # the grid's buffer, as the image's
            self.values.draw(self._values, self._bounds, rect)
            self._draw_unit()
            return
        probs = self._grid.probabilities(network)
        self._probs = probs  # the grid's buffer: the next frame overwrites it and the image together
        colors, segments = class_map(probs, self._bounds, network.output)
        self.image.setImage(colors, levels=(0, 255), autoLevels=False, **({"rect": rect} if rect else {}))
        self.contour.setData(segments[:, 0], segments[:, 1])
        self._draw_unit()

    def probability_image(self) -> np.ndarray | None:
        """The class scores ``(rows, columns, classes)`` shown now (for tests and checks)."""
        return self._probs

    def value_image(self) -> np.ndarray | None:
        """The network's values ``(rows, columns)`` on the map shown now (regression on the plane)."""
        return self._values

    def _on_mouse_moved(self, scene_pos) -> None:
        view = self.getViewBox()
        network, data = self._network, self._data
        if self.mode == CLASSES or network is None or data is None or \
                not view.sceneBoundingRect().contains(scene_pos) or network.point_dims != data.columns:
            self.hovered.emit("")
            return
        at = view.mapSceneToView(scene_pos)
        x, y = at.x(), at.y()
        names = data.axis_names
        if self.mode == CURVE:
            point, where = np.array([[x]]), f"{curve_axis_names(data)[0]} {x:.3g}"
        else:
            point = np.array([[x, y, *(self._fill if self._fill is not None else ())]])
            where = f"{names[0]} {x:.3g}, {names[1]} {y:.3g}"
        value = float(network.outputs(point)[0, 0])
        self.hovered.emit(f"{where}   network ({network.output} output) {value:.4g}")

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
        if self.mode == CURVE:
            what = self.curves.draw_unit(network, unit, layer)
            self.unit_label.setVisible(bool(what))
            if what:
                self.unit_label.setText(what)
                (x0, _), (_, y1) = self.getViewBox().viewRange()
                self.unit_label.setPos(x0, y1)
            return
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
        fits = self._linear is not None and self._grid is not None and self.mode == CLASSES and \
            self._grid.points(np.float64).shape[1] == len(self._linear.coef) + 1
        self.baseline.setVisible(fits)
        if self.baseline.isVisible():
            probs = self._linear.probabilities(self._grid.points(np.float64)[:, :-1])
            segments = boundary_segments(probs.reshape(self._resolution, self._resolution, -1), self._bounds)
            self.baseline.setData(segments[:, 0], segments[:, 1])
