"""Choosing the point to explain: a click on the data (the nearest point, ringed), or typed
coordinates with a target chosen for them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QColor, QIcon, QPixmap
from PyQt5.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.analysis.regression import extended_range, fit_curve
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.colors import VALUE_OUTLINE, value_palette, value_range, value_shades
from nnviz.gui.train.points_item import PointsItem, point_color
from nnviz.gui.train.regression_plot import FIT_COLOR, POINTS_COLOR

TYPED_LIMIT = 1e4  # a typed coordinate or value stays within +-this
MOST_COORDINATES = 6  # points with more coordinates (images) are picked by number, not typed
RING = "#111111"


class PointPicker(QWidget):
    """The data small (training points filled, test points as rings, coloured as the Train view
    colours them); a click picks the nearest point and rings it. The boxes below show its
    coordinates; typing one makes a point of its own, whose target (a class, or a value) is
    then chosen beside them. Images are picked by their number.

    ``point_chosen`` follows every change of :attr:`point` or :attr:`target` by the user.
    """

    point_chosen = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data: Dataset | None = None
        self.point: np.ndarray | None = None  # the point's coordinates, exactly
        self.target: float = 0.0
        self.typed = False  # typed by the user (not one of the data's points)
        self.picked = -1  # the data point picked: its row of the training then test points

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(pg.mkPen("#888"))
            self.plot.getAxis(side).setTextPen(pg.mkPen("#444"))
        self.plot.setMinimumSize(180, 180)
        self.plot.setMaximumHeight(340)  # about square in the tab's left column
        self.train_points = PointsItem(7, filled=True)
        self.test_points = PointsItem(7, filled=False)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(FIT_COLOR, width=2))
        self.image = pg.ImageItem()
        self.image.setLookupTable(np.linspace(255, 0, 256).astype(np.uint8))  # dark strokes on white
        self.ring = pg.ScatterPlotItem(size=17, pen=pg.mkPen(RING, width=2.5), brush=None, symbol="o")
        self.cross = pg.ScatterPlotItem(size=15, pen=pg.mkPen(RING, width=2.5), brush=None, symbol="+")
        for item in (self.image, self.curve, self.test_points, self.train_points, self.ring, self.cross):
            self.plot.addItem(item)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)

        self.hint = QLabel("Click a point, or type one:")
        self.hint.setStyleSheet("color: #555;")
        self.boxes: list[QDoubleSpinBox] = []
        self.number = QSpinBox()  # the image picked, for points that are images
        self.number.setKeyboardTracking(False)
        self.number.valueChanged.connect(lambda n: self.pick(n - 1))
        self.number_label = QLabel("image")
        self.class_box = QComboBox()
        self.class_box.currentIndexChanged.connect(self._on_target_changed)
        self.value_box = _number_box("the value this point should have")
        self.value_box.valueChanged.connect(self._on_target_changed)
        self.target_label = QLabel("class")
        self.boxes_grid = QGridLayout()
        self.boxes_grid.setContentsMargins(0, 0, 0, 0)
        # Every box is made once and shown or hidden as the data asks (a coordinate each, or the
        # image's number, then the target): a widget that others hold is never deleted under them.
        self.coordinate_boxes = [_number_box("") for _ in range(MOST_COORDINATES)]
        self.coordinate_labels = [QLabel() for _ in range(MOST_COORDINATES)]
        for k, (label, box) in enumerate(zip(self.coordinate_labels, self.coordinate_boxes)):
            box.valueChanged.connect(lambda _value, k=k: k < len(self.boxes) and self._on_typed())  # (a hidden box: no)
            self.boxes_grid.addWidget(label, k // 2, 2 * (k % 2))
            self.boxes_grid.addWidget(box, k // 2, 2 * (k % 2) + 1)
        below = (MOST_COORDINATES + 1) // 2
        self.boxes_grid.addWidget(self.number_label, below, 0)
        self.boxes_grid.addWidget(self.number, below, 1)
        self.boxes_grid.addWidget(self.target_label, below + 1, 0)
        self.boxes_grid.addWidget(self.class_box, below + 1, 1, 1, 3)
        self.boxes_grid.addWidget(self.value_box, below + 1, 1, 1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.hint)
        layout.addLayout(self.boxes_grid)
        layout.addStretch(1)

    # --- data -----------------------------------------------------------------------------

    def set_dataset(self, data: Dataset) -> None:
        """Show ``data``'s points; the point picked stays if it can (same coordinates count)."""
        same_shape = self.data is not None and self.data.columns == data.columns and \
            self.data.regression == data.regression
        self.data = data
        self._build_boxes(data)
        self.image.setVisible(data.image_shape is not None)
        for side in ("left", "bottom"):  # an image's pixels have no axes worth reading
            self.plot.showAxis(side, data.image_shape is None)
        self.curve.setVisible(data.regression and data.columns == 1)
        for points, X, y in ((self.train_points, data.X_train, data.y_train), (self.test_points, data.X_test, data.y_test)):
            points.setVisible(data.image_shape is None)
            if data.image_shape is not None:
                continue
            if data.regression and data.columns == 1:
                points.set_points(np.column_stack([X[:, 0], y]), np.zeros(len(y)), (POINTS_COLOR,))
            elif data.regression:
                low, high = value_range(data.merged()[1])
                points.set_points(X[:, :2], value_shades(y, low, high), value_palette(), VALUE_OUTLINE)
            else:
                points.set_points(X[:, :2], y)
        if data.image_shape is None:
            self.plot.setAspectLocked(not (data.regression and data.columns == 1))
            x0, x1, y0, y1 = data.bounds(padding=0.3)
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if not data.regression and self.target >= max(data.classes, 1):
            self.target = 0.0  # a class the new points do not have
        if not same_shape or self.point is None:
            self.point, self.typed, self.picked = None, False, -1
        elif not self.typed:
            self.picked = self._row_of(self.point)  # the same point, if it is still there
            if self.picked < 0:
                self.point = None
        self._show_marker()

    def _build_boxes(self, data: Dataset) -> None:
        """A box a coordinate (or the image's number), then the target's box."""
        typed = data.image_shape is None and data.columns <= MOST_COORDINATES
        self.hint.setText("Click a point, or type one:" if typed else "Pick an image by its number:")
        shown = data.columns if typed else 0
        self.boxes = self.coordinate_boxes[:shown]
        for k, (label, box) in enumerate(zip(self.coordinate_labels, self.coordinate_boxes)):
            if k < shown:
                label.setText(data.axis_names[k])
                box.setToolTip(f"{data.axis_names[k]} of the point to explain; typing one makes a point of your own")
            label.setVisible(k < shown)
            box.setVisible(k < shown)
        if not typed:
            n = len(data.y_train) + len(data.y_test)
            self.number.setRange(1, max(n, 1))
            self.number.setToolTip(f"Which of the {n:,} images (the training images first)")
        self.number.setVisible(not typed)
        self.number_label.setVisible(not typed)
        self.target_label.setText("value" if data.regression else "class")
        self.value_box.setVisible(data.regression)
        self.class_box.setVisible(not data.regression)
        if not data.regression:
            self.class_box.blockSignals(True)
            self.class_box.clear()
            for k, name in enumerate(data.label_names):
                swatch = QPixmap(12, 12)
                swatch.fill(QColor(point_color(k)))
                self.class_box.addItem(QIcon(swatch), name)
            self.class_box.blockSignals(False)
        self._enable_target()

    def show_network(self, network: MLP) -> None:
        """The network's curve, for points of one coordinate (regression)."""
        data = self.data
        if data is None or not (data.regression and data.columns == 1) or network.point_dims != 1:
            return
        xs, ys = fit_curve(network, extended_range(data))
        self.curve.setData(xs, ys)

    # --- choosing -------------------------------------------------------------------------

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """The training then test points, and their targets."""
        return self.data.merged()

    def pick(self, row: int) -> None:
        """Pick the data's point ``row`` (of the training then test points), as a click does."""
        X, y = self.merged()
        if not 0 <= row < len(y):
            return
        self.point, self.target, self.typed, self.picked = X[row].copy(), float(y[row]), False, row
        self._show_point()
        self.point_chosen.emit()

    def type_point(self, coordinates, target: float | None = None) -> None:
        """Make a point of the user's own at ``coordinates`` (with ``target``, or the one chosen)."""
        self.point = np.asarray(coordinates, dtype=np.float64).copy()
        self.typed, self.picked = True, -1
        if target is not None:
            self.target = float(target)
        self._show_point()
        self.point_chosen.emit()

    def _row_of(self, point: np.ndarray) -> int:
        X, _ = self.merged()
        rows = np.flatnonzero(np.all(X == point, axis=1)) if len(X) else []
        return int(rows[0]) if len(rows) else -1

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton or self.data is None or self.data.image_shape is not None:
            return
        view = self.plot.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        at = view.mapSceneToView(event.scenePos())
        X, y = self.merged()
        if not len(y):
            return
        shown = np.column_stack([X[:, 0], y]) if self.data.columns == 1 else X[:, :2]
        width, height = view.viewPixelSize()  # data units a pixel: nearest on the screen
        distance = ((shown[:, 0] - at.x()) / width) ** 2 + ((shown[:, 1] - at.y()) / height) ** 2
        self.pick(int(np.argmin(distance)))

    def _on_typed(self) -> None:
        self.type_point([box.value() for box in self.boxes])

    def _on_target_changed(self) -> None:
        if not self.typed:
            return
        self.target = self.value_box.value() if self.data.regression else float(self.class_box.currentIndex())
        self._show_marker()  # a point of one coordinate is drawn at its target
        self.point_chosen.emit()

    # --- showing --------------------------------------------------------------------------

    def _show_point(self) -> None:
        """The boxes and marker follow the point (without passing for the user's typing)."""
        for box, value in zip(self.boxes, self.point if self.point is not None else ()):
            box.blockSignals(True)
            box.setValue(float(value))
            box.blockSignals(False)
        if self.picked >= 0 and self.number.isVisible():
            self.number.blockSignals(True)
            self.number.setValue(self.picked + 1)
            self.number.blockSignals(False)
        target = self.value_box if self.data.regression else self.class_box
        target.blockSignals(True)
        if self.data.regression:
            self.value_box.setValue(self.target)
        else:
            self.class_box.setCurrentIndex(int(self.target))
        target.blockSignals(False)
        self._enable_target()
        self._show_marker()

    def _enable_target(self) -> None:
        for box in (self.value_box, self.class_box):
            box.setEnabled(self.typed)
            box.setToolTip("The target of the point you typed" if self.typed else
                           "The point's own target (type coordinates to choose one)")

    def _show_marker(self) -> None:
        data, point = self.data, self.point
        self.ring.setData([], [])
        self.cross.setData([], [])
        if data is None or point is None:
            return
        if data.image_shape is not None:
            rows, columns = data.image_shape
            self.image.setImage(point.reshape(rows, columns)[::-1].T, levels=(0, 1))
            self.plot.setAspectLocked(True)
            self.plot.setRange(xRange=(0, columns), yRange=(0, rows), padding=0.02)
            return
        xy = (point[0], self.target) if data.columns == 1 else (point[0], point[1])
        (self.cross if self.typed else self.ring).setData([xy[0]], [xy[1]])


def _number_box(tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(-TYPED_LIMIT, TYPED_LIMIT)
    box.setDecimals(3)
    box.setSingleStep(0.1)
    box.setKeyboardTracking(False)  # typing "0.25" must not pass through 0.2
    box.setToolTip(tip)
    box.setMinimumWidth(70)  # (its hint is as wide as ±10000.000: too wide for a narrow column)
    return box
