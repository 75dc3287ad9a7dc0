"""The "inside the network" panel: the network diagram above a grid of maps, one per unit of
the hidden layer chosen (in the list, or by clicking its column in the diagram).

Hovering a unit in either asks for its overlay on the boundary plot; clicking keeps it there
until clicked again.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.analysis.grid import Bounds
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.files.export import leave_out_of_exports
from nnviz.gui.images.map_view import shown_points
from nnviz.gui.inside.network_diagram import NetworkDiagram
from nnviz.gui.inside.units_view import UnitGrid
from nnviz.gui.throttle import Throttled

FRAME_MS = 50  # at most 20 redraws a second: at 200 units this panel costs more than the rest of a frame
BUSY_SHARE = 0.15  # of the window's time, at most: six layers of 200 take 16 ms a redraw, so 9 a second
HINT = "Strongest outgoing weights first. Hover: see it on the plot; click: keep it."
HINT_BESIDE = 160  # px the hint needs beside the layer list; with less it goes below it


class InsidePanel(QWidget):
    """Shows a network's structure and one hidden layer's units; ``unit_shown`` names the unit
    to overlay."""

    unit_shown = pyqtSignal(int, int)  # the unit to show on the boundary plot (-1 for none), its layer
    layer_chosen = pyqtSignal(int)  # the user chose the hidden layer shown (in the list or the diagram)
    levels_changed = pyqtSignal(float, float)  # the maps' colour scale, for the plot to share

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.diagram = NetworkDiagram()
        self.units = UnitGrid()
        self.layer_choice = QComboBox()
        self.layer_choice.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        # Never narrower than its text ("Layer 1: 200 leaky_relu"): the hint beside it wraps instead.
        self.layer_choice.setSizePolicy(QSizePolicy.Minimum, QSizePolicy.Fixed)
        self.layer_choice.setToolTip("The hidden layer whose units are shown (or click its column above)")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        small = hint.font()
        small.setPointSizeF(0.85 * small.pointSizeF())  # secondary text: fewer lines beside the list
        hint.setFont(small)
        hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # it wraps into whatever room is left
        leave_out_of_exports(self.layer_choice, hint)
        heading = self._heading = QHBoxLayout()
        heading.addWidget(self.layer_choice, 0, Qt.AlignLeft)
        heading.addWidget(hint, 1)
        scroll = QScrollArea()
        scroll.setWidget(self.units)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.NoFrame)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(heading)
        lower_layout.addWidget(scroll, 1)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.diagram)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._hovered = -1
        self._units = 0  # units of the layer shown, to drop a selection it no longer has
        self._layer = 0  # the hidden layer shown
        self._wanted = 0  # the hidden layer asked for: shown once the network has it (a layer just added)
        self._latest: tuple | None = None  # what was last shown, to show it again for another layer
        self._images: tuple = (None, None)  # a dataset of images, and its images shown
        for source in (self.units, self.diagram):
            source.unit_hovered.connect(self._on_unit_hovered)
            source.unit_selected.connect(self._on_unit_selected)
        # Painting is most of this panel's cost: the throttle counts the last paint's with each redraw.
        self._throttled_show = Throttled(self._show, FRAME_MS, leading=True, busy_share=BUSY_SHARE,
                                         later_ms=lambda: self.diagram.paint_ms + self.units.paint_ms)
        for source in (self.diagram.layer_chosen, self.layer_choice.activated):
            source.connect(self.show_layer)
            source.connect(self.layer_chosen)

    @property
    def layer(self) -> int:
        """The hidden layer (from 0) whose units are shown."""
        return self._layer

    def show_layer(self, layer: int) -> None:
        """Show the units of hidden layer ``layer`` (from 0); a layer the network shown does not
        have yet (one just added with "+") is shown as soon as a network with it comes."""
        if layer == self._wanted:
            return
        self._wanted = layer
        self._set_layer(layer)
        if self._latest is not None:
            self._show(*self._latest)

    def _set_layer(self, layer: int) -> None:
        if layer != self._layer:
            self._layer = layer
            self._hovered = -1
            self._on_unit_selected(-1)

    @property
    def shown_unit(self) -> int:
        """The unit the plot should overlay: the one kept by a click, else the one hovered."""
        return self.units.selected_unit if self.units.selected_unit >= 0 else self._hovered

    def show_network(self, network: MLP, bounds: Bounds | None, data: Dataset) -> None:
        """Redraw for ``network`` (maps over ``bounds``, further features held at their means; for
        points of one coordinate, curves over the x of ``bounds``; for images, what each unit
        looks for), at most every ``FRAME_MS``; the newest call always gets drawn."""
        if self.isVisible():  # else nothing to see: spare the frame
            self._throttled_show(network, bounds, data)

    def flush(self) -> None:
        """Draw a pending update now (for exports and screenshots)."""
        self._throttled_show.flush()

    def _show(self, network: MLP, bounds: Bounds | None, data: Dataset) -> None:
        self._latest = (network, bounds, data)
        widths = network.layer_sizes[1:-1]
        self._show_layers(network)
        if not widths:  # softmax regression: nothing hidden to show
            self._units = 0
            self.units.setVisible(False)
            self.diagram.show_network(network, data.axis_names, data.label_names, bounds, regression=data.regression)
            return
        self.units.setVisible(True)
        units = widths[self._layer]
        if units != self._units:
            self._units = units
            if self.shown_unit >= units:
                self._hovered = -1
                self._on_unit_selected(-1)
        if data.image_shape is not None:
            if self._images[0] is not data:  # the images deeper units' pictures are made of
                self._images = (data, shown_points(data)[0])
            self.units.show_images(network, data.image_shape, self._layer, self._images[1])
        elif data.columns == 1:  # points of one coordinate: each unit's output is a curve over the x in view
            x_range = (bounds[0], bounds[1]) if bounds is not None else data.bounds()[:2]
            self.units.show_curves(network, x_range, self._layer)
            self.levels_changed.emit(*self.units.levels())
        else:
            fill = data.feature_means[2:] if data.columns > 2 else None
            self.units.show_network(network, bounds, fill, self._layer)
            self.levels_changed.emit(*self.units.levels())
        self.diagram.show_network(network, data.axis_names, data.label_names, bounds, regression=data.regression)
        self.diagram.layer = self._layer  # after: a layer just added is not in the network the diagram had

    def _show_layers(self, network: MLP) -> None:
        """The layer list for ``network``'s hidden layers (the last one kept if fewer remain)."""
        names = [f"Layer {k + 1}: {width} {name}" for k, (width, name)
                 in enumerate(zip(network.layer_sizes[1:-1], network.activations))] or ["No hidden layer"]
        self._set_layer(min(self._wanted, max(len(network.activations) - 1, 0)))
        if [self.layer_choice.itemText(k) for k in range(self.layer_choice.count())] != names:
            self.layer_choice.clear()
            self.layer_choice.addItems(names)
            self._arrange_heading()  # the list's width follows its longest name
        self.layer_choice.setCurrentIndex(self._layer)

    def resizeEvent(self, event) -> None:
        self._arrange_heading()
        super().resizeEvent(event)

    def _arrange_heading(self) -> None:
        """The hint beside the layer list, or below it in a narrow panel (beside, it wrapped
        into a column of one-word lines)."""
        beside = self.width() >= self.layer_choice.sizeHint().width() + HINT_BESIDE
        direction = QBoxLayout.LeftToRight if beside else QBoxLayout.TopToBottom
        if self._heading.direction() != direction:
            self._heading.setDirection(direction)

    def hideEvent(self, event) -> None:
        self._hovered = -1
        self.unit_shown.emit(-1, self._layer)  # a hidden panel shows nothing on the plot
        super().hideEvent(event)

    def _on_unit_hovered(self, unit: int) -> None:
        self._hovered = unit
        self._announce()

    def _on_unit_selected(self, unit: int) -> None:
        for source in (self.units, self.diagram):  # a click in either keeps the unit in both
            if source.selected_unit != unit:
                source.selected_unit = unit
        self._announce()

    def _announce(self) -> None:
        unit = self.shown_unit
        self.units.highlight(unit)
        self.diagram.highlight(unit)
        self.unit_shown.emit(unit, self._layer)
