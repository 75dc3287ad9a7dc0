"""The control panel's Network rows: inputs, hidden layers and their widths, activation and
initialisation."""

from __future__ import annotations

from PyQt5.QtCore import QSignalBlocker, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import MAX_LAYERS, RANGES, TrainingConfig
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import FEATURES, feature_symbol
from nnviz.core.model.initialisation import INIT_HELP, INIT_SCHEMES
from nnviz.gui.setting_spin import setting_spin
from nnviz.gui.throttle import Throttled

SEED_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)  # the hidden sizes the seed tutorial compares
LAYER_BUTTONS_A_ROW = 3
FEATURE_BUTTONS_A_ROW = 4


class NetworkRows(QGroupBox):
    """Edits the network's settings of a :class:`TrainingConfig`. Emits ``edited`` with the
    settings a user's change makes (a dict of config fields); :meth:`show_config` updates the
    widgets without emitting. ``layer_selected``: the hidden layer the width and activation
    controls edit, when it changes."""

    edited = pyqtSignal(dict)
    layer_selected = pyqtSignal(int)

    WIDGETS = ("feature_buttons", "remove_layer", "add_layer", "layer_count", "layer_buttons", "no_hidden",
               "hidden_slider", "hidden", "width_label", "size_buttons", "activation", "every_layer", "init")
    """The widgets the control panel shows as its own (tests and the window reach them there)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Network", parent)
        self._config = TrainingConfig()
        self._layer = 0  # the hidden layer the width and activation controls edit
        self._announced_layer = 0  # the one layer_selected last named
        form = QFormLayout(self)
        form.addRow("Inputs", self._build_inputs())
        self.remove_layer = QToolButton(text="−", toolTip="Remove the last hidden layer")
        self.add_layer = QToolButton(text="+", toolTip=f"Add a hidden layer (at most {MAX_LAYERS})")
        self.layer_count = QLabel()
        self.layer_buttons = QButtonGroup(self)  # one per hidden layer, showing its width: pick the one to edit
        depth = QHBoxLayout()
        depth.addWidget(self.remove_layer)
        depth.addWidget(self.add_layer)
        depth.addWidget(self.layer_count)
        depth.addStretch(1)
        form.addRow("Hidden layers", depth)
        layers = QGridLayout()  # three to a row, like the sizes below: six in one row left "200" no room
        layers.setSpacing(2)
        for k in range(MAX_LAYERS):
            button = QPushButton(checkable=True, toolTip=f"Hidden layer {k + 1}: edit its width and activation")
            button.setMinimumWidth(36)
            self.layer_buttons.addButton(button, k)
            layers.addWidget(button, k // LAYER_BUTTONS_A_ROW, k % LAYER_BUTTONS_A_ROW)
        self.no_hidden = QLabel("none: softmax regression")
        self.no_hidden.setWordWrap(True)
        self.no_hidden.setStyleSheet("color: #555;")
        layers.addWidget(self.no_hidden, 0, 0, 1, LAYER_BUTTONS_A_ROW)
        form.addRow("Widths", layers)
        widths = RANGES["hidden"]
        self.hidden_slider = QSlider(Qt.Horizontal)
        self.hidden_slider.setRange(widths.low, max(SEED_SIZES))
        self.hidden_slider.setToolTip(f"Units in the selected layer (drag; type up to {widths.high})")
        self.hidden = setting_spin("hidden", 1, f"Units in the selected layer, {widths.dashed}")
        self.hidden.setFixedWidth(64)
        row = QHBoxLayout()
        row.addWidget(self.hidden_slider, 1)
        row.addWidget(self.hidden)
        self.width_label = QLabel("Units")
        form.addRow(self.width_label, row)
        form.addRow("", self._build_sizes())
        self.activation = QComboBox()
        self.activation.addItems(tuple(ACTIVATIONS))
        self.activation.setToolTip("Hidden-layer activation (leaky ReLU slope 0.1)")
        self.every_layer = QCheckBox("all", checked=True)
        self.every_layer.setToolTip("One activation for every hidden layer; untick to give the selected layer its own")
        row = QHBoxLayout()
        row.addWidget(self.activation, 1)
        row.addWidget(self.every_layer)
        form.addRow("Activation", row)
        self.init = QComboBox()
        for scheme in INIT_SCHEMES:
            self.init.addItem(scheme, scheme)
            self.init.setItemData(self.init.count() - 1, INIT_HELP[scheme], Qt.ToolTipRole)
        self.init.setToolTip("How the weights start (a new network); biases start at 0")
        form.addRow("Init", self.init)
        self.init.currentIndexChanged.connect(lambda _index: self._edit(init=self.init.currentData()))
        # Each slider position means a new network: follow a drag at most every 50 ms.
        self._follow_slider = Throttled(self.hidden.setValue, 50, leading=True, busy_share=0.5)
        self.hidden_slider.valueChanged.connect(self._follow_slider)
        self.hidden.valueChanged.connect(lambda width: self._edit(hidden=self._with_width(width)))
        self.activation.currentTextChanged.connect(lambda name: self._edit(activation=self._with_activation(name)))
        self.every_layer.toggled.connect(lambda _on: self._edit(activation=self._with_activation(self.activation.currentText())))
        self.add_layer.clicked.connect(lambda: self._change_depth(+1))
        self.remove_layer.clicked.connect(lambda: self._change_depth(-1))
        self.layer_buttons.idClicked.connect(self.select_layer)

    def _build_inputs(self) -> QVBoxLayout:
        inputs = QVBoxLayout()  # TensorFlow Playground's input features: four, then three wider
        inputs.setSpacing(2)
        self.feature_buttons: dict[str, QPushButton] = {}
        names = tuple(FEATURES)
        for row_names in (names[:FEATURE_BUTTONS_A_ROW], names[FEATURE_BUTTONS_A_ROW:]):
            row = QHBoxLayout()
            row.setSpacing(2)
            for name in row_names:
                button = QPushButton(feature_symbol(name), checkable=True)
                button.setMinimumWidth(30)
                button.setToolTip(f"Feed the network {feature_symbol(name)} of each point (a new network); "
                                  "hover an input in the diagram to see its map")
                button.clicked.connect(lambda _checked, n=name: self._on_feature_clicked(n))
                row.addWidget(button)
                self.feature_buttons[name] = button
            inputs.addLayout(row)
        return inputs

    def _build_sizes(self) -> QGridLayout:
        sizes = QGridLayout()
        sizes.setSpacing(2)
        self.size_buttons: dict[int, QPushButton] = {}
        for i, size in enumerate(SEED_SIZES):
            button = QPushButton(str(size))
            button.setCheckable(True)
            button.setMinimumWidth(36)
            button.setToolTip(f"{size} unit{'s' if size > 1 else ''} in the selected layer (the tutorial's sizes)")
            button.clicked.connect(lambda _checked, s=size: self._on_size_clicked(s))
            sizes.addWidget(button, i // 4, i % 4)
            self.size_buttons[size] = button
        return sizes

    def show_config(self, config: TrainingConfig) -> None:
        """Put ``config``'s network in the widgets without emitting ``edited``."""
        self._config = config
        widgets = (self.hidden, self.hidden_slider, self.activation, self.every_layer, self.init,
                   *self.size_buttons.values(), *self.layer_buttons.buttons(), *self.feature_buttons.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        layers = len(config.hidden)
        self._layer = min(self._layer, max(layers - 1, 0))
        self.layer_count.setText(str(layers))
        self.no_hidden.setVisible(not layers)
        self.remove_layer.setEnabled(layers > 0)
        self.add_layer.setEnabled(layers < MAX_LAYERS)
        for k, button in enumerate(self.layer_buttons.buttons()):
            button.setVisible(k < layers)
            if k < layers:
                button.setText(str(config.hidden[k]))
                button.setChecked(k == self._layer)
        width = config.hidden[self._layer] if layers else 0
        for widget in (self.hidden, self.hidden_slider, self.activation, self.every_layer, self.width_label,
                       *self.size_buttons.values()):
            widget.setEnabled(bool(layers))  # softmax regression has no hidden layer to edit
        self.width_label.setText(f"Units, layer {self._layer + 1}" if layers > 1 else "Units")
        if layers:
            self.hidden.setValue(width)
            self.hidden_slider.setValue(width)
            self.activation.setCurrentText(config.activations[self._layer])
        for size, button in self.size_buttons.items():
            button.setChecked(size == width)
        self.every_layer.setChecked(isinstance(config.activation, str))
        self.init.setCurrentIndex(self.init.findData(config.init))
        for name, button in self.feature_buttons.items():
            button.setChecked(name in config.features)
        if self._layer != self._announced_layer:  # chosen, added ("+"), or the last one removed
            self._announced_layer = self._layer
            self.layer_selected.emit(self._layer)
        del blockers

    @property
    def selected_layer(self) -> int:
        """The hidden layer (from 0) that the width and activation controls edit."""
        return self._layer

    def select_layer(self, layer: int) -> None:
        """Edit hidden layer ``layer`` (from 0) with the width and activation controls."""
        self._layer = layer
        self.show_config(self._config)

    def _edit(self, **values) -> None:
        self.edited.emit(values)

    def _with_width(self, width: int) -> tuple[int, ...]:
        hidden = list(self._config.hidden)
        if hidden:
            hidden[self._layer] = width
        return tuple(hidden)

    def _with_activation(self, name: str) -> str | tuple[str, ...]:
        if self.every_layer.isChecked():
            return name
        names = list(self._config.activations)
        if names:
            names[self._layer] = name
        return tuple(names)

    def _change_depth(self, change: int) -> None:
        """Add a layer after the last (as wide as it, with its activation) or remove the last."""
        config = self._config
        hidden, activation = config.hidden, config.activation
        if change > 0 and len(hidden) < MAX_LAYERS:
            hidden = (*hidden, hidden[-1] if hidden else TrainingConfig().hidden[0])
            if not isinstance(activation, str):
                activation = (*activation, activation[-1] if activation else TrainingConfig().activation)
            self._layer = len(hidden) - 1
        elif change < 0 and hidden:
            hidden = hidden[:-1]
            if not isinstance(activation, str):
                activation = activation[:-1]
        self._edit(hidden=hidden, activation=activation)

    def _on_feature_clicked(self, name: str) -> None:
        features = [f for f in FEATURES if (f == name) != (f in self._config.features)]  # toggled, in order
        if features:
            self._edit(features=tuple(features))
        else:  # a network needs an input: the last one stays
            self.feature_buttons[name].setChecked(True)

    def _on_size_clicked(self, size: int) -> None:
        self.hidden.setValue(size)
        for other, button in self.size_buttons.items():  # a click never unchecks the current size
            button.setChecked(other == self._config.hidden[self._layer])
