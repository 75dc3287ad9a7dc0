"""The central panel: decision boundary, live figures and loss curve, redrawn once per frame."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from nnviz.core.datasets import Dataset
from nnviz.core.training import TrainingSnapshot
from nnviz.gui.figures import FiguresPanel
from nnviz.gui.plots import BoundaryPlot, LossPlot

HOVER_HINT = "Hover over the loss curve to read the values at a step."
FRAME_MS = 16  # redraw at most once per display frame (60 Hz)


class TrainingView(QWidget):
    """Shows snapshots. :meth:`show_snapshot` may be called as often as snapshots arrive;
    drawing happens at most once per frame, with the newest one."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.running = False
        self.latest: TrainingSnapshot | None = None
        self.frames_drawn = 0

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fde8d7; color: #7a2e00; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        self.boundary = BoundaryPlot()
        self.figures = FiguresPanel()
        self.loss = LossPlot()
        self.readout = QLabel(HOVER_HINT)
        self.readout.setStyleSheet("color: #555;")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis (L)")
        self.log_scale.toggled.connect(self.loss.set_log_scale)
        self.loss.hovered.connect(self._on_loss_hovered)
        self.boundary.view_changed.connect(lambda: self._throttled_draw())

        self.plots = QWidget()  # what "export plots" captures
        plots_layout = QVBoxLayout(self.plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.boundary)
        loss_panel = QWidget()
        loss_layout = QVBoxLayout(loss_panel)
        loss_layout.setContentsMargins(0, 0, 0, 0)
        loss_layout.addWidget(self.figures)
        header = QHBoxLayout()
        header.addWidget(self.readout, 1)
        header.addWidget(self.log_scale)
        loss_layout.addLayout(header)
        loss_layout.addWidget(self.loss, 1)
        self.splitter.addWidget(loss_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        plots_layout.addWidget(self.splitter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.plots, 1)
        self._throttled_draw = qthrottled(self._draw, timeout=FRAME_MS, leading=True)

    def set_dataset(self, data: Dataset) -> None:
        """New data: points, extent and grid."""
        self.boundary.set_dataset(data)

    def show_snapshot(self, snapshot: TrainingSnapshot) -> None:
        """Queue ``snapshot`` for the next frame."""
        self.latest = snapshot
        self._throttled_draw()

    def draw_now(self) -> None:
        """Draw the newest snapshot at once (for exports and screenshots)."""
        self._throttled_draw.cancel()
        self._draw()

    def show_message(self, text: str) -> None:
        """A sentence above the plots; empty hides it."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _draw(self) -> None:
        snapshot = self.latest
        if snapshot is None:
            return
        self.boundary.show_network(snapshot.network)
        self.loss.show_history(snapshot.history)
        self.figures.show_snapshot(snapshot, self.running)
        self.frames_drawn += 1

    def _on_loss_hovered(self, text: str) -> None:
        self.readout.setText(text or HOVER_HINT)
