"""A sweep as a figure: one small decision-boundary tile per network, and every network's
loss curve overlaid in one plot, colour-matched to its tile."""

from __future__ import annotations

import html
import math
import time

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QPoint, Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.analysis.regression import regression_figures
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.core.training.history import HistoryEntry
from nnviz.core.training.trainer import Divergence
from nnviz.gui.compare.tile_plot import TilePlot
from nnviz.gui.images.map_view import MapView
from nnviz.gui.train.step_plot import LogTickAxis, MomentMarker

# Okabe-Ito, for settings without an order (activations); a dark-to-light ramp otherwise.
CATEGORICAL = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


def figures_caption(entry: HistoryEntry, data: Dataset | None, network: MLP) -> str:
    """A tile's figures on two lines (rich text): the loss and accuracies, or for a regression
    (whose history's accuracy columns hold R²) the RMSE and R² (:func:`regression_figures` of
    ``network``, the one ``entry`` is of), each with the test set's if any."""
    if data is not None and data.regression:
        found = regression_figures(entry, data, network)
        parts = []
        for name, key in (("RMSE", "rmse"), ("R²", "r2")):
            train, test = found[f"train_{key}"], found[f"test_{key}"]
            parts.append(f"{name} {train:.3g}" + ("" if math.isnan(test) else f" · test {test:.3g}"))
        return "<br>".join(parts)
    test = "" if math.isnan(entry.test_accuracy) else f" · test {entry.test_accuracy:.1%}"
    return f"loss {entry.loss:.4f}<br>train {entry.train_accuracy:.1%}{test}"  # two lines: narrow tiles


def sweep_colors(count: int, ordered: bool) -> list[str]:
    """Distinct colours for ``count`` networks (at most 16)."""
    if not ordered:
        return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(count)]
    ramp = pg.colormap.get("viridis")
    return [ramp.map(0.85 * i / max(count - 1, 1), mode="qcolor").name() for i in range(count)]


class SweepTile(QFrame):
    """One network: its title, its live decision boundary (or a regression's fit), its current
    figures (RMSE and R² for a regression). A still tile (a pin) has a button that removes it,
    and a menu on right-click."""

    clicked = pyqtSignal()
    remove_clicked = pyqtSignal()  # a still tile's × button
    menu_requested = pyqtSignal(QPoint)  # right-click, at this point of the screen

    def __init__(self, parent: QWidget | None = None, *, still: bool = False):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.title = QLabel()
        self.still = still
        self.remove_button = QToolButton(text="×", autoRaise=True)
        self.remove_button.setToolTip("Remove this pin")
        self.remove_button.clicked.connect(self.remove_clicked)
        self.remove_button.setVisible(still)
        if still:  # a pin is a picture: nothing to open
            self.setToolTip("A picture pinned from the Train view (P); right-click or × to remove it")
        else:
            self.setCursor(Qt.PointingHandCursor)
            self.setToolTip("Click to open this network in the Train view, where it goes on as the sweep was "
                            "(training or paused)")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.remove_button, 0, Qt.AlignTop)
        self.dataset: Dataset | None = None  # the points shown
        self.plot: TilePlot | MapView = TilePlot(still=still)  # for images, their map
        self.caption = QLabel("–")
        self.caption.setStyleSheet("color: #444;")
        for widget in (self.title, self.caption):
            widget.setAlignment(Qt.AlignCenter)
        self.title.setWordWrap(True)  # a long name must not widen the window past the screen
        self.caption.setMinimumHeight(2 * self.caption.fontMetrics().lineSpacing())  # its two lines, from the start
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

    def set_dataset(self, data: Dataset) -> None:
        """Show ``data``: a boundary over its plane, or the map of its images."""
        images = data.image_shape is not None
        if images != isinstance(self.plot, MapView):
            replacement = MapView(legend=False) if images else TilePlot(still=self.still)
            self.layout().replaceWidget(self.plot, replacement)
            self.plot.deleteLater()
            self.plot = replacement
        self.dataset = data
        self.plot.set_dataset(data)

    def set_label(self, label: str, color: str) -> None:
        """The network's name, with a swatch of its curve's colour."""
        self.title.setText(f"<span style='color:{color}'>■</span> <b>{label}</b>")
        self.caption.setText("–")

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:  # (a right-click opens the menu, and only that)
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:
        self.menu_requested.emit(event.globalPos())

    def show_state(self, network: MLP, entry: HistoryEntry, divergence: Divergence | None) -> None:
        """Draw ``network`` and its figures."""
        self.plot.show_network(network)
        if divergence is not None:
            self.caption.setText(f"<span style='color:#a33'>diverged at step {divergence.step:,}</span>")
            return
        if math.isnan(entry.loss):  # not evaluated yet (a sweep just made)
            self.caption.setText("–")
            return
        self.caption.setText(figures_caption(entry, self.dataset, network))


class SweepFigure(QWidget):
    """Tiles in a grid above the overlaid loss curves. Built once per sweep; fed snapshots."""

    tile_clicked = pyqtSignal(int)
    tile_removed = pyqtSignal(int)  # a still tile's × button
    tile_menu_requested = pyqtSignal(int, QPoint)  # right-click on a tile, at this point of the screen

    def __init__(self, parent: QWidget | None = None, *, still: bool = False):
        """``still``: each tile shows one network for good (pins), see :class:`TilePlot`."""
        super().__init__(parent)
        self.still = still
        self.setStyleSheet("SweepFigure { background: white; }")
        self.setAttribute(Qt.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setAlignment(Qt.AlignCenter)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 12pt;")
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        self.loss = pg.PlotWidget(axisItems={"left": LogTickAxis("left")})
        self.loss.setMenuEnabled(False)
        self.loss.showGrid(x=True, y=True, alpha=0.15)
        self.loss.setLabel("bottom", "step")
        self.loss.setLabel("left", "train loss")
        self.loss.setLogMode(y=True)
        self.loss.setMinimumHeight(160)
        self.loss.getAxis("bottom").enableAutoSIPrefix(False)
        self.marker = MomentMarker(self.loss)  # the moment the timeline shows
        self.loss.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        # A label, not pyqtgraph's legend: that took 2-3 ms an entry to rebuild, on every new sweep.
        self.legend = QLabel()
        self.legend.setAlignment(Qt.AlignCenter)
        self.legend.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addLayout(self._grid, 3)
        layout.addWidget(self.legend)
        layout.addWidget(self.loss, 2)
        self.tiles: list[SweepTile] = []
        self.curves: list[pg.PlotDataItem] = []  # the first len(tiles) of _all_curves
        self._all_curves: list[pg.PlotDataItem] = []  # made once each (about 6 ms apiece), then reused
        self._spare: list[SweepTile] = []  # tiles of earlier sweeps, hidden, to be used again
        self._pending = None  # the snapshot being drawn, tile by tile
        self._heading = ""  # what the networks are; the step follows it
        self._left, self._next, self._budget = 0, 0, math.inf
        self._rest = QTimer(self, singleShot=True, interval=0, timeout=self._draw_some)  # the next turn's share

    def set_tiles(self, labels: list[str], ordered: bool, datasets: list[Dataset], heading: str) -> None:
        """One tile and one curve per network, each tile showing its dataset. Tiles and curves
        of the sweep before are used again where they can be (a reset, the same values again,
        one pin more): building them is what takes time."""
        self._pending, self._left, self._next = None, 0, 0
        self._rest.stop()
        colors = sweep_colors(len(labels), ordered)
        if len(labels) != len(self.tiles):  # another grid: every tile moves
            for tile in self.tiles:
                self._grid.removeWidget(tile)
                tile.hide()
                for signal in (tile.clicked, tile.remove_clicked, tile.menu_requested):
                    signal.disconnect()
            self._spare[:0] = self.tiles
            rows = 1 if len(labels) <= 4 else 2 if len(labels) <= 10 else math.ceil(len(labels) / 5)
            columns = math.ceil(len(labels) / rows)
            self.tiles = []
            for i in range(len(labels)):
                tile = self._spare.pop(0) if self._spare else SweepTile(still=self.still)
                tile.clicked.connect(lambda i=i: self.tile_clicked.emit(i))
                tile.remove_clicked.connect(lambda i=i: self.tile_removed.emit(i))
                tile.menu_requested.connect(lambda position, i=i: self.tile_menu_requested.emit(i, position))
                self._grid.addWidget(tile, i // columns, i % columns)
                tile.show()
                self.tiles.append(tile)
        for tile, label, color, data in zip(self.tiles, labels, colors, datasets):
            tile.set_label(label, color)
            if tile.dataset is not data:  # setting points costs: pins keep theirs
                tile.set_dataset(data)
        while len(self._all_curves) < len(labels):
            self._all_curves.append(self.loss.plot())
        self.curves = self._all_curves[:len(labels)]
        for curve, color in zip(self._all_curves, colors + [None] * len(self._all_curves)):
            curve.setData([], [])
            if color is not None:
                curve.setPen(pg.mkPen(color, width=2))
        self.legend.setText("&nbsp;&nbsp; ".join(
            f"<span style='white-space:nowrap'><span style='color:{color}'>━━</span>&nbsp;{html.escape(label)}</span>" for label, color in zip(labels, colors)))
        self._heading = heading
        self.heading.setText(heading)
        for widget in (self.legend, self.loss):  # no networks (every pin removed): the heading alone
            widget.setVisible(bool(labels))

    def show_snapshot(self, snapshot, budget: float = math.inf) -> None:
        """Draw every network of a :class:`~nnviz.core.training.sweep.SweepSnapshot`, spending at most
        about ``budget`` seconds at a time: the rest follow in later turns of the event loop,
        so that sixteen large networks do not hold the window for a tenth of a second."""
        self._pending, self._left, self._budget = snapshot, len(self.tiles), budget
        if not self.still:  # a sweep's networks share their step (pins each have their own)
            self.heading.setText(f"{self._heading} · step {snapshot.step:,}")
        self._draw_some()

    def finish(self) -> None:
        """Draw the tiles still waiting for their turn, now (before an export)."""
        self._budget = math.inf
        self._draw_some()
        self._rest.stop()

    def _draw_some(self) -> None:
        deadline = time.perf_counter() + self._budget
        snapshot = self._pending
        while self._left > 0 and snapshot is not None:
            i = self._next % len(self.tiles)  # round robin: every tile gets its turn
            self.tiles[i].show_state(snapshot.networks[i], snapshot.latest[i], snapshot.divergences[i])
            history = snapshot.histories[i]
            finite = history[np.isfinite(history[:, 1]) & (history[:, 1] > 0)]
            self.curves[i].setData(finite[:, 0], finite[:, 1])
            self._next, self._left = i + 1, self._left - 1
            if self._left and time.perf_counter() > deadline:
                self._rest.start()
                return
        self._pending = None
