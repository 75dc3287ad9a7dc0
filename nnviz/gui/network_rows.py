"""The control panel's Network rows: inputs, hidden layers and their widths, activation,
initialisation, and the output units with their loss."""

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
from nnviz.core.data.datasets import CLASSIFICATION
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import FEATURES, feature_symbol
from nnviz.core.model.initialisation import INIT_HELP, INIT_SCHEMES
from nnviz.core.model.outputs import (
    LOSSES,
    OUTPUTS,
    default_head,
    head_problem,
    resolved_head,
)
from nnviz.gui.setting_spin import setting_spin
from nnviz.gui.throttle import Throttled

SEED_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)  # the hidden sizes the seed tutorial compares
LAYER_BUTTONS_A_ROW = 3
FEATURE_BUTTONS_A_ROW = 4
ACTIVATION_HELP = {
    "tanh": "tanh z: from -1 to 1", "sigmoid": "1 / (1 + e^-z): from 0 to 1", "relu": "max(0, z)",
    "leaky_relu": "z, or 0.1 z below 0", "linear": "z itself: layers of it stay one linear map",
    "elu": "z, or e^z - 1 below 0 (α = 1)", "softplus": "log(1 + e^z) (β = 1): a smooth relu",
    "silu": "z · sigmoid(z): Swish", "gelu": "z · Φ(z), PyTorch's tanh approximation", "sine": "sin z",
    "gaussian": "e^(-z²): a bump around 0", "step": "1 for z > 0, else 0: the perceptron's (no gradient)",
}
"""Each activation's function, for its item's tooltip."""
OUTPUT_HELP = {
    "softmax": "One unit a class; their outputs are the class probabilities, summing to 1",
    "sigmoid": "Each unit from 0 to 1 on its own; for two classes one unit, the probability of class 1",
    "identity": "The weighted sums themselves: a value, for regression",
}
LOSS_HELP = {
    "cross-entropy": "Mean over the points of −log(probability of the true class) "
                     "(sigmoid: −Σ[t log y + (1 − t) log(1 − y)]), + l2/2·Σw²",
    "squared-error": "Mean over the points of ½ Σ (y − t)², + l2/2·Σw²: t the one-hot class or the value",
}
NOT_FOR_VALUES = {"softmax": "softmax outputs are class probabilities that sum to 1, not values",
                  "cross-entropy": "cross-entropy compares class probabilities, not values"}
"""Why an output or loss cannot be chosen for regression data, whatever the other is."""
NO_HIDDEN = {"softmax": "none: softmax regression", "sigmoid": "none: logistic regression",
             "identity": "none: linear regression"}
"""What a network without hidden layers is, by its output units."""


class NetworkRows(QGroupBox):
    """Edits the network's settings of a :class:`TrainingConfig`. Emits ``edited`` with the
    settings a user's change makes (a dict of config fields); :meth:`show_config` updates the
    widgets without emitting. ``layer_selected``: the hidden layer the width and activation
    controls edit, when it changes."""

    edited = pyqtSignal(dict)
    layer_selected = pyqtSignal(int)
    status = pyqtSignal(str)  # a sentence for the status bar: a choice that changed another

    WIDGETS = ("feature_buttons", "remove_layer", "add_layer", "layer_count", "layer_buttons", "no_hidden",
               "hidden_slider", "hidden", "width_label", "size_buttons", "activation", "every_layer",
               "activation_note", "init", "output", "loss")
    """The widgets the control panel shows as its own (tests and the window reach them there)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Network", parent)
        self._config = TrainingConfig()
        self._task = CLASSIFICATION  # the data's: it decides the output units and losses that can learn it
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
        for name in ACTIVATIONS:
            self.activation.addItem(name)
            self.activation.setItemData(self.activation.count() - 1, ACTIVATION_HELP.get(name), Qt.ToolTipRole)
        self.activation.setToolTip("Hidden-layer activation (leaky ReLU slope 0.1)")
        self.every_layer = QCheckBox("all", checked=True)
        self.every_layer.setToolTip("One activation for every hidden layer; untick to give the selected layer its own")
        row = QHBoxLayout()
        row.addWidget(self.activation, 1)
        row.addWidget(self.every_layer)
        form.addRow("Activation", row)
        self.activation_note = QLabel()  # an activation's advice (step's: nothing below it learns)
        self.activation_note.setWordWrap(True)
        self.activation_note.setStyleSheet("color: #7a2e00;")
        self.activation_note.hide()
        form.addRow(self.activation_note)
        self.init = QComboBox()
        for scheme in INIT_SCHEMES:
            self.init.addItem(scheme, scheme)
            self.init.setItemData(self.init.count() - 1, INIT_HELP[scheme], Qt.ToolTipRole)
        self.init.setToolTip("How the weights start (a new network); biases start at 0")
        form.addRow("Init", self.init)
        self._build_head(form)
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

    def _build_head(self, form: QFormLayout) -> None:
        self.output, self.loss = QComboBox(), QComboBox()
        for box, names, help_texts in ((self.output, OUTPUTS, OUTPUT_HELP), (self.loss, LOSSES, LOSS_HELP)):
            for name in names:
                box.addItem(name, name)
                box.setItemData(box.count() - 1, help_texts[name], Qt.ToolTipRole)
        self.output.setToolTip("The output units (a new network); by default the task's own: softmax for "
                               "classes, identity for values")
        self.loss.setToolTip("The loss trained on (a new network); by default the task's own: cross-entropy "
                             "for classes, squared-error for values")
        self.output.currentIndexChanged.connect(lambda _index: self._on_head_chosen(0, self.output.currentData()))
        self.loss.currentIndexChanged.connect(lambda _index: self._on_head_chosen(1, self.loss.currentData()))
        form.addRow("Output", self.output)  # a row each: side by side, "cross-entropy" did not fit
        form.addRow("Loss", self.loss)

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

    def show_config(self, config: TrainingConfig, task: str = CLASSIFICATION) -> None:
        """Put ``config``'s network in the widgets without emitting ``edited``; ``task``, the
        data's, decides the output units and loss shown when the config leaves them to it, and
        those that can be chosen."""
        self._config, self._task = config, task
        widgets = (self.hidden, self.hidden_slider, self.activation, self.every_layer, self.init, self.output, self.loss,
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
        advice = next((ACTIVATIONS[name].advice for name in config.activations if ACTIVATIONS[name].advice), None)
        self.activation_note.setText(advice or "")
        self.activation_note.setVisible(bool(advice))
        self._show_head(config, task)
        if self._layer != self._announced_layer:  # chosen, added ("+"), or the last one removed
            self._announced_layer = self._layer
            self.layer_selected.emit(self._layer)
        del blockers

    def _show_head(self, config: TrainingConfig, task: str) -> None:
        """The output and loss in use; those that cannot learn ``task`` whatever the other is
        (softmax and cross-entropy for values) cannot be chosen, and say why."""
        used = resolved_head(config.output, config.loss, task)
        for part, box in enumerate((self.output, self.loss)):
            box.setCurrentIndex(box.findData(used[part]))
            for index in range(box.count()):
                name = box.itemData(index)
                problems = [head_problem(*_pair(part, name, other), task) for other in (LOSSES, OUTPUTS)[part]]
                item = box.model().item(index)
                item.setEnabled(not all(problems))
                help_text = (OUTPUT_HELP, LOSS_HELP)[part][name]
                if all(problems):
                    help_text = f"Not for this data: {NOT_FOR_VALUES.get(name, problems[0])}"
                item.setToolTip(help_text)
        self.no_hidden.setText(NO_HIDDEN[used[0]])

    @property
    def selected_layer(self) -> int:
        """The hidden layer (from 0) that the width and activation controls edit."""
        return self._layer

    def select_layer(self, layer: int) -> None:
        """Edit hidden layer ``layer`` (from 0) with the width and activation controls."""
        self._layer = layer
        self.show_config(self._config, self._task)

    def _edit(self, **values) -> None:
        self.edited.emit(values)

    def _on_head_chosen(self, part: int, name: str) -> None:
        """An output (``part`` 0) or loss (1) chosen. One that cannot go with the other's
        choice (identity outputs with cross-entropy) makes the other the task's own, or one
        that fits, and the status bar says so. A choice that is the task's own is kept as
        None, so that it follows the data to another task."""
        task = self._task
        head = list(resolved_head(self._config.output, self._config.loss, task))
        head[part] = name
        other = 1 - part
        note = ""
        if head_problem(*head, task):
            choices = (OUTPUTS, LOSSES)[other]
            default = default_head(task)[other]
            fitting = [c for c in (default, *choices) if not head_problem(*_pair(part, name, c), task)]
            if not fitting:  # disabled for this data: only a program can choose it
                self.show_config(self._config, task)
                return
            was, head[other] = head[other], fitting[0]
            note = _switch_note(part, name, was, head[other])
        defaults = default_head(task)
        output = None if head[0] == defaults[0] else head[0]
        loss = None if resolved_head(output, None, task)[1] == head[1] else head[1]
        self._edit(output=output, loss=loss)
        if note:
            self.status.emit(note)

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


def _pair(part: int, name: str, other: str) -> tuple[str, str]:
    """(output, loss) of ``name`` (an output when ``part`` is 0, else a loss) and ``other``."""
    return (name, other) if part == 0 else (other, name)


def _switch_note(part: int, chosen: str, was: str, now: str) -> str:
    """The status bar's sentence when choosing ``chosen`` changed the other box from ``was`` to ``now``."""
    output, loss = _pair(part, chosen, was)
    other = "loss" if part == 0 else "output"
    if (output, loss) == ("identity", "cross-entropy"):
        return f"Cross-entropy compares probabilities, and identity outputs are not probabilities, so the {other} is now {now}."
    return f"{chosen.capitalize()} does not go with {was}, so the {other} is now {now}."
