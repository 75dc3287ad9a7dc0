"""The central panel: decision boundary, the inside of the network, live figures and loss
curve, redrawn once per frame."""

from __future__ import annotations

import math
import threading
import time

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.analysis.baseline import LinearBaseline, fit_linear_baseline
from nnviz.core.data.datasets import Dataset
from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui.files.export import leave_out_of_exports
from nnviz.gui.images.image_panel import ImagePanel
from nnviz.gui.inside.inside_view import InsidePanel
from nnviz.gui.replay import TimelineBar
from nnviz.gui.throttle import Throttled
from nnviz.gui.train.figures import FiguresPanel
from nnviz.gui.train.gradient_plot import GradientPlot
from nnviz.gui.train.histogram_plot import KINDS, HistogramPanel
from nnviz.gui.train.plots import CURVE, BoundaryPlot, LossPlot
from nnviz.gui.train.regression_plot import CONTRIBUTION_LIMIT, curve_key

HOVER_HINT = "Hover over the loss curve to read the values at a step."
REGRESSION_HOVER_HINT = "Hover over the loss curve to read the values at a step, or over the plot for the network's value."
DRAW_HINT = "Drawing: click adds a point, drag sprays, right-click removes the nearest."
FRAME_MS = 16  # redraw at most once per display frame (60 Hz)
LOSS_FRAME_S = 0.1  # the loss and gradient curves, while training: 10 times a second is smooth enough
HISTOGRAM_FRAME_S = 0.25  # the histograms (a forward pass over up to 500 points): 4 times a second
IMAGES_FRAME_S = 0.1  # the views of images (forward passes over up to 2,000 images): 10 times a second


class TrainingView(QWidget):
    """Shows snapshots. :meth:`show_snapshot` may be called as often as snapshots arrive;
    drawing happens at most once per frame, with the newest one."""

    baseline_fitted = pyqtSignal()  # the linear baseline shown changed (fitted, or none)
    _baseline_fitted = pyqtSignal(object, object)  # data, LinearBaseline or None: from the fitting thread

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._baseline_fitted.connect(self._on_baseline_fitted)
        self.running = False
        self.drawing = False
        self._holds = 0  # exports in progress, which need the picture to stay still
        self._loss_drawn_at = 0.0
        self._histograms_drawn_at = 0.0
        self._images_drawn_at = 0.0
        self.latest: TrainingSnapshot | None = None
        self.moment: TrainingSnapshot | None = None  # a moment of the timeline shown instead of the latest
        self.frames_drawn = 0

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fde8d7; color: #7a2e00; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        self.data: Dataset | None = None
        self.linear: LinearBaseline | None = None
        self.boundary = BoundaryPlot()
        self.images = ImagePanel()  # in the boundary's place when the points are images
        self.inside = InsidePanel()
        self.baseline_box = QCheckBox("Linear baseline")
        self.baseline_box.setToolTip("Overlay the boundary of a logistic regression on the same data, "
                                     "to see what the hidden layer adds (B)")
        self.baseline_box.toggled.connect(lambda _checked: self._fit_baseline())
        self.contributions_box = QCheckBox("Unit contributions")
        self.contributions_box.setToolTip("Each last hidden unit's output times its outgoing weight, as a thin curve: "
                                          "with the output's bias they add up to the network's curve")
        self.contributions_box.toggled.connect(self._on_contributions_toggled)
        self.residuals_box = QCheckBox("Residuals")
        self.residuals_box.setToolTip("A line from each point to the network's curve: how far it misses")
        self.residuals_box.toggled.connect(self._on_residuals_toggled)
        self._contributions_width: int | None = None  # the last hidden layer's width the box was set for
        for box in (self.contributions_box, self.residuals_box):
            box.hide()
        self.plot_note = QLabel()  # what the boundary plot shows beyond the obvious
        self.plot_note.setStyleSheet("color: #555;")
        self.plot_note.setWordWrap(True)
        self.figures = FiguresPanel()
        self.loss = LossPlot()
        self.gradients = GradientPlot()
        self.gradients.setToolTip("How large each layer's weight gradient is: in a deep sigmoid network the "
                                  "first layers' fall far below the last's (vanishing gradients)")
        self.readout = QLabel(HOVER_HINT)
        self.readout.setStyleSheet("color: #555;")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis (L)")
        self.log_scale.toggled.connect(self.loss.set_log_scale)
        self.log_steps = QCheckBox("Log steps")
        self.log_steps.setToolTip("Show the steps on a logarithmic axis, on the loss and the gradient plots: the first "
                                  "steps, where most of the learning happens, spread out (step 0 has no place on it) (Shift+L)")
        self.log_steps.toggled.connect(self._on_log_steps_toggled)
        self.loss.hovered.connect(self._on_loss_hovered)
        self.boundary.hovered.connect(self._on_loss_hovered)
        self.boundary.view_changed.connect(lambda: self._throttled_draw())
        self.inside.unit_shown.connect(self.boundary.show_unit)
        self.inside.levels_changed.connect(self.boundary.set_unit_levels)
        # Refitting the baseline takes a few ms: while the user sprays points, at most 5 times a second.
        self._refit_baseline = Throttled(self._fit_baseline, 200, leading=False)

        self.plots = QWidget()  # what "export plots" captures
        plots_layout = QVBoxLayout(self.plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        boundary_panel = QWidget()
        boundary_layout = QVBoxLayout(boundary_panel)
        boundary_layout.setContentsMargins(0, 0, 0, 0)
        boundary_header = QHBoxLayout()
        boundary_header.addWidget(self.baseline_box)
        boundary_header.addWidget(self.contributions_box)
        boundary_header.addWidget(self.residuals_box)
        boundary_header.addWidget(self.plot_note, 1)
        boundary_layout.addLayout(boundary_header)
        boundary_layout.addWidget(self.boundary, 1)
        self.data_view = QStackedWidget()  # the boundary of 2-D points, or the views of images
        self.data_view.addWidget(boundary_panel)
        self.data_view.addWidget(self.images)
        self.top_splitter = QSplitter(Qt.Horizontal)
        self.top_splitter.addWidget(self.data_view)
        self.top_splitter.addWidget(self.inside)
        self.top_splitter.setStretchFactor(0, 3)
        self.top_splitter.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.top_splitter)
        loss_panel = QWidget()
        loss_layout = QVBoxLayout(loss_panel)
        loss_layout.setContentsMargins(0, 0, 0, 0)
        loss_layout.addWidget(self.figures)
        header = QHBoxLayout()
        header.addWidget(self.readout, 1)
        header.addWidget(self.log_steps)
        header.addWidget(self.log_scale)
        loss_layout.addLayout(header)
        self.curves_splitter = QSplitter(Qt.Horizontal)
        self.curves_splitter.addWidget(self.loss)
        self.layer_tabs = QTabWidget()  # how each layer is doing: its gradient's size, or histograms
        self.layer_tabs.setDocumentMode(True)
        self.layer_tabs.addTab(self.gradients, "Gradient size")
        self.histograms = {kind: HistogramPanel(kind) for kind in KINDS}
        self.layer_tabs.addTab(self.histograms["activations"], "Activations")
        self.layer_tabs.setTabToolTip(1, "What each hidden layer outputs over the training points, and the share "
                                         "of its units that stopped working (dead ReLU, saturated sigmoid or tanh)")
        self.layer_tabs.addTab(self.histograms["weights"], "Weights")
        self.layer_tabs.setTabToolTip(2, "Each layer's weights")
        self.layer_tabs.addTab(self.histograms["gradients"], "Gradients")
        self.layer_tabs.setTabToolTip(3, "Each layer's weight gradient at the last step (of the data loss, "
                                         "without the L2 term): vanishing gradients pile up at 0")
        self.layer_tabs.currentChanged.connect(lambda _index: self._draw_histograms(self._drawable()))
        self.curves_splitter.addWidget(self.layer_tabs)
        self.curves_splitter.setStretchFactor(0, 1)  # even: up to seven histograms share the right half
        self.curves_splitter.setStretchFactor(1, 1)
        loss_layout.addWidget(self.curves_splitter, 1)
        self.splitter.addWidget(loss_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        plots_layout.addWidget(self.splitter)
        # What only the window needs: pictures of the plots leave these blank.
        leave_out_of_exports(self.baseline_box, self.contributions_box, self.residuals_box, self.readout, self.log_steps, self.log_scale, self.layer_tabs.tabBar())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.plots, 1)
        self.timeline = TimelineBar()  # under the plots, outside what exports capture
        layout.addWidget(self.timeline)
        # Input comes first: frames, their painting counted, take at most 60% of the time.
        self._throttled_draw = Throttled(self._draw, FRAME_MS, leading=True, busy_share=0.6,
                                         later_ms=lambda: self.boundary.paint_ms)

    def set_dataset(self, data: Dataset, *, fit_view: bool = True) -> None:
        """New data: points, grid and (unless ``fit_view`` is False: edited points) extent."""
        same, self.data = data is self.data, data
        self.figures.set_data(data)
        self._show_task(data)
        self.data_view.setCurrentWidget(self.boundary.parentWidget() if data.image_shape is None else self.images)
        if data.image_shape is not None:  # no plane to draw
            if not same:
                self.images.set_dataset(data)
            self._update_note()
            return
        if fit_view:
            if not same:  # a reset keeps its points and their baseline
                self.boundary.show_baseline(None)  # the old one may take another number of features
            self.boundary.set_dataset(data)
            if not same:
                self._fit_baseline()
        else:
            self.boundary.set_points(data)
            self._refit_baseline()
            self._update_note()

    def set_drawing(self, enabled: bool) -> None:
        """Draw mode on the boundary plot."""
        self.drawing = enabled
        self.boundary.set_drawing(enabled)
        self._update_note()

    def show_snapshot(self, snapshot: TrainingSnapshot) -> None:
        """Queue ``snapshot`` for the next frame (unless a moment of the timeline is shown)."""
        self.latest = snapshot
        self._throttled_draw()

    def show_moment(self, snapshot: TrainingSnapshot | None) -> None:
        """Show ``snapshot`` of a moment of the timeline, marked on the loss curve, instead of
        the latest; None goes back to the latest."""
        if snapshot is None and self.moment is None:
            return  # already showing the latest
        self.moment = snapshot
        self.loss.show_marker(None if snapshot is None else snapshot.step)
        self._loss_drawn_at = self._histograms_drawn_at = self._images_drawn_at = -math.inf  # all of it shows the moment at once
        self._throttled_draw()

    @property
    def shown(self) -> TrainingSnapshot | None:
        """What the view shows: the moment replayed, or else the latest snapshot."""
        return self.moment or self.latest

    def draw_now(self) -> None:
        """Draw the newest snapshot at once (for exports and screenshots)."""
        self._throttled_draw.cancel()
        self._draw()
        self.inside.flush()

    def hold_drawing(self, held: bool) -> None:
        """Keep the picture still (while an export paints it strip by strip), or let it move on."""
        self._holds += 1 if held else -1
        if not self._holds:
            self._throttled_draw()  # catch up with the snapshots that came meanwhile

    def show_message(self, text: str) -> None:
        """A sentence above the plots; empty hides it."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _drawable(self) -> TrainingSnapshot | None:
        """The newest snapshot if it can be drawn now: not while an export holds the picture, nor
        before new data's network has sent its first snapshot."""
        snapshot = self.shown
        if self._holds or snapshot is None or self.data is None or snapshot.network.point_dims != self.data.columns:
            return None
        return snapshot

    def _draw(self) -> None:
        snapshot = self._drawable()
        if snapshot is None:
            return
        now = time.monotonic()
        if self.data.image_shape is not None:
            if not self.running or now - self._images_drawn_at >= IMAGES_FRAME_S:
                self._images_drawn_at = now
                self.images.show_network(snapshot.network)
                self.inside.show_network(snapshot.network, None, self.data)
        else:
            self._set_contributions_default(snapshot.network.layer_sizes)
            self.boundary.show_network(snapshot.network)
            if self.boundary.bounds is not None:
                self.inside.show_network(snapshot.network, self.boundary.bounds, self.data)
        if not self.running or now - self._loss_drawn_at >= LOSS_FRAME_S:  # its axes cost a few ms to redo
            self._loss_drawn_at = now
            self.loss.set_head(snapshot.network.loss, self.data.regression)
            self.loss.show_history(snapshot.history)
            if self.moment is None:  # a moment keeps no gradients: the curve stays as it was
                self.gradients.show_snapshot(snapshot)
        if not self.running or now - self._histograms_drawn_at >= HISTOGRAM_FRAME_S:
            self._draw_histograms(snapshot)
        self.figures.show_snapshot(snapshot, self.running)
        self.frames_drawn += 1

    def _draw_histograms(self, snapshot: TrainingSnapshot | None) -> None:
        """The histogram tab shown, if one is, of ``snapshot``'s network."""
        panel = self.layer_tabs.currentWidget()
        if panel is self.gradients or snapshot is None:
            return
        self._histograms_drawn_at = time.monotonic()
        panel.show_snapshot(snapshot, self.data)

    def _on_log_steps_toggled(self, enabled: bool) -> None:
        for plot in (self.loss, self.gradients):
            plot.set_log_steps(enabled)

    def _on_loss_hovered(self, text: str) -> None:
        hint = REGRESSION_HOVER_HINT if self.data is not None and self.data.regression else HOVER_HINT
        self.readout.setText(text or hint)

    def _show_task(self, data: Dataset) -> None:
        """The controls that go with the data's picture: a curve's toggles, or the linear
        baseline (a logistic regression: of classes only)."""
        curve = data.regression and data.columns == 1
        self.contributions_box.setVisible(curve)
        self.residuals_box.setVisible(curve)
        self.baseline_box.setVisible(not data.regression)
        self.readout.setText(REGRESSION_HOVER_HINT if data.regression else HOVER_HINT)
        self._update_note()

    def _set_contributions_default(self, layer_sizes: tuple[int, ...]) -> None:
        """A network whose last hidden layer has another width: its contributions are shown
        when there are few enough to tell apart (the user's choice holds until then)."""
        width = layer_sizes[-2] if len(layer_sizes) > 2 else 0
        if width != self._contributions_width:
            self._contributions_width = width
            self.contributions_box.blockSignals(True)  # (this frame draws them, or not)
            self.contributions_box.setChecked(0 < width <= CONTRIBUTION_LIMIT)
            self.contributions_box.blockSignals(False)
            self.boundary.curves.show_parts = self.contributions_box.isChecked()
            self._update_note()

    def _on_contributions_toggled(self, shown: bool) -> None:
        self.boundary.curves.show_parts = shown
        self._redraw_curve()

    def _on_residuals_toggled(self, shown: bool) -> None:
        self.boundary.curves.show_residuals = shown
        self._redraw_curve()

    def _redraw_curve(self) -> None:
        self._update_note()
        if self.boundary.mode == CURVE:
            self._throttled_draw()

    def _fit_baseline(self) -> None:
        """Fit on a thread of its own: the first fit also imports scikit-learn's models, which
        takes longer than a frame. The newest data's fit is the one shown."""
        if not (self.baseline_box.isChecked() and self.data is not None and not self.data.regression):
            self._on_baseline_fitted(None, None)
            return
        data = self.data
        threading.Thread(target=self._fit_in_background, args=(data,), name="nnviz-baseline", daemon=True).start()

    def _fit_in_background(self, data: Dataset) -> None:
        linear = fit_linear_baseline(data)
        try:
            self._baseline_fitted.emit(data, linear)
        except RuntimeError:  # the view was closed and deleted meanwhile: nobody to tell
            pass

    def _on_baseline_fitted(self, data: Dataset | None, linear: LinearBaseline | None) -> None:
        if data is not None and (data is not self.data or not self.baseline_box.isChecked()):
            return  # a fit for points no longer shown, or for a box unchecked meanwhile
        self.linear = linear
        self.boundary.show_baseline(linear)
        self.baseline_fitted.emit()
        self._update_note()

    def _update_note(self) -> None:
        parts = []
        if self.drawing:
            parts.append(DRAW_HINT)
        if self.linear is not None:
            parts.append(f"Dashed: logistic regression, train accuracy {self.linear.train_accuracy:.1%}.")
        data = self.data
        if self.linear is None and self.baseline_box.isChecked() and data is not None and not data.regression:
            parts.append("No linear baseline: the training points hold fewer than two classes.")
        if data is not None and data.regression and data.columns == 1:
            parts.append(curve_key(self.contributions_box.isChecked(), self.residuals_box.isChecked()))
        if data is not None and data.columns > 2 and data.image_shape is None:
            names = data.axis_names
            parts.append(f"Showing {names[0]} and {names[1]}; {', '.join(names[2:])} held at "
                         f"{'its mean' if data.columns == 3 else 'their means'}.")
        self.plot_note.setText("  ".join(parts))
