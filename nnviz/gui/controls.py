"""The control panel: data, network, training and run settings, grouped in forms."""

from __future__ import annotations

import math

from PyQt5.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.config import (
    HIDDEN_RANGE,
    MAX_DROPOUT,
    MAX_LAYERS,
    SAMPLES_RANGE,
    SEED_LIMIT,
    TrainingConfig,
    with_dataset,
    with_optimizer,
)
from nnviz.core.datasets import (
    CLASSES_RANGE,
    CUSTOM,
    DATASETS,
    IMAGE_DATASETS,
    MULTICLASS,
    classes_range,
)
from nnviz.core.features import FEATURES, feature_symbol
from nnviz.core.initialisation import INIT_HELP, INIT_SCHEMES
from nnviz.core.optimizers import (
    MOMENTUM_RULES,
    OPTIMIZER_HELP,
    OPTIMIZERS,
    SUGGESTED_RATES,
    rate_advice,
)
from nnviz.gui.colors import class_color
from nnviz.gui.throttle import Throttled

SEED_SIZES = (1, 2, 3, 4, 10, 20, 50, 200)  # the hidden sizes the seed tutorial compares
SPEEDS = (1, 2, 5, 10, 30, 100, 1000, None)  # training's steps a second; None: as fast as it goes
LAYER_BUTTONS_A_ROW = 3
FEATURE_BUTTONS_A_ROW = 4
LR_RANGE = (1e-4, 10.0)
LR_SLIDER_STEPS = 100  # slider positions across the log-scaled range


def _spin(low, high, step, tip, decimals=None) -> QAbstractSpinBox:
    box = QSpinBox() if decimals is None else QDoubleSpinBox()
    if decimals is not None:
        box.setDecimals(decimals)
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)  # typing "500" must not pass through 5 and 50
    box.setToolTip(tip)
    return box


class WheelNeedsFocus(QObject):
    """An event filter: a box, field or slider in a scrolling panel takes the wheel only once it
    has focus (a click or Tab gives it); otherwise the wheel scrolls the panel. Scrolling over
    the Activation box turned relu into leaky_relu, and each turn threw the network away."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Wheel and not watched.hasFocus():
            event.ignore()  # an ignored wheel event goes on to the parents: the scroll area
            return True
        return False


class ControlPanel(QWidget):
    """Edits a :class:`TrainingConfig`. Emits ``config_edited`` with the whole config on every
    user change; :meth:`show_config` updates the widgets without emitting."""

    config_edited = pyqtSignal(object)
    train_toggled = pyqtSignal()
    step_clicked = pyqtSignal()
    reset_clicked = pyqtSignal()
    pin_clicked = pyqtSignal()
    speed_changed = pyqtSignal(object)  # steps a second, or None for full speed
    layer_selected = pyqtSignal(int)  # the hidden layer the width and activation controls edit, when it changes
    draw_toggled = pyqtSignal(bool)
    load_data_clicked = pyqtSignal()
    save_data_clicked = pyqtSignal()

    def __init__(self, config: TrainingConfig, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._images = config.dataset in IMAGE_DATASETS  # whether the data shown are images (a file's may be)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_run_group())
        layout.addWidget(self._build_data_group())
        layout.addWidget(self._build_network_group())
        layout.addWidget(self._build_training_group())
        layout.addStretch(1)
        self._wheel_filter = WheelNeedsFocus(self)
        for kind in (QComboBox, QAbstractSpinBox, QSlider):
            for widget in self.findChildren(kind):
                widget.setFocusPolicy(Qt.StrongFocus)  # not WheelFocus: the wheel must not take focus either
                widget.installEventFilter(self._wheel_filter)
        self.show_config(config)

    # Building ------------------------------------------------------------------------------
    def _build_data_group(self) -> QGroupBox:
        group = QGroupBox("Data")
        form = self._data_form = QFormLayout(group)
        self.dataset = QComboBox()
        for name in DATASETS:
            self.dataset.addItem(name, name)
        self.dataset.setToolTip("The dataset to classify: 2-D points, or digits, scikit-learn's 8x8 handwritten digits")
        self.classes = _spin(*CLASSES_RANGE, 1, f"Classes of the {' and '.join(MULTICLASS)} sets "
                             f"({CLASSES_RANGE[0]}-{CLASSES_RANGE[1]})")
        self.samples = _spin(*SAMPLES_RANGE, 10, "Number of points (train and test together)")
        self.noise = _spin(0.0, 1.0, 0.05, "How far points scatter from the clean shape", decimals=2)
        self.test_fraction = _spin(0.0, 0.9, 0.05, "Share of points held out as the test set (hollow dots)", decimals=2)
        self.seed = _spin(0, SEED_LIMIT - 1, 1, "Seed for the points, the split and the initial weights")
        self.seed.setMinimumWidth(60)
        self.new_data = QPushButton("New data")
        self.new_data.setToolTip("Draw new points (next seed) and start a fresh network")
        form.addRow("Dataset", self.dataset)
        form.addRow("Classes", self.classes)
        form.addRow("Samples", self.samples)
        form.addRow("Noise", self.noise)
        form.addRow("Test fraction", self.test_fraction)
        form.addRow("Seed", self.seed)
        self.load_data = QPushButton("Open CSV…")
        self.load_data.setToolTip("Train on your own points: a CSV file with a header, e.g. x,y,label; "
                                  "or on MNIST images: train-images-idx3-ubyte[.gz], its labels file beside it")
        self.save_data = QPushButton("Save CSV…")
        self.save_data.setToolTip("Save the points (train and test) as CSV: x,y,label")
        form.addRow(self.new_data)
        files = QHBoxLayout()
        files.addWidget(self.load_data)
        files.addWidget(self.save_data)
        form.addRow(files)
        form.addRow(self._build_draw_row())
        self.dataset.currentIndexChanged.connect(lambda _index: self._on_dataset_chosen(self.dataset.currentData()))
        self._link(self.classes.valueChanged, "classes", self.classes.value)
        self._link(self.samples.valueChanged, "samples", self.samples.value)
        self._link(self.noise.valueChanged, "noise", lambda: round(self.noise.value(), 4))
        self._link(self.test_fraction.valueChanged, "test_fraction", lambda: round(self.test_fraction.value(), 4))
        self._link(self.seed.valueChanged, "seed", self.seed.value)
        self.new_data.clicked.connect(self._on_new_data_clicked)
        self.load_data.clicked.connect(self.load_data_clicked)
        self.save_data.clicked.connect(self.save_data_clicked)
        return group

    def _build_draw_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(3)
        self.draw_button = QPushButton("Draw")
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Draw mode (D): click adds a point of the chosen class, drag sprays points, "
                                    "right-click removes the nearest; training carries on with them")
        self.draw_button.toggled.connect(self.draw_toggled)
        row.addWidget(self.draw_button)
        self.class_buttons = QButtonGroup(self)
        for k in range(CLASSES_RANGE[1]):
            swatch = QToolButton()
            swatch.setCheckable(True)
            swatch.setFixedSize(24, 24)
            swatch.setToolTip(f"Draw points of class {k}")
            swatch.setStyleSheet(f"QToolButton {{ background: {class_color(k)}; border: 2px solid white; "
                                 "border-radius: 12px; } QToolButton:checked { border: 2px solid #222; }")
            self.class_buttons.addButton(swatch, k)
            row.addWidget(swatch)
        self.class_buttons.button(0).setChecked(True)
        row.addStretch(1)
        return row

    @property
    def draw_class(self) -> int:
        """The class that draw mode adds."""
        return self.class_buttons.checkedId()

    def set_user_data(self, name: str | None) -> None:
        """Offer the user's own points (called ``name``) in the dataset list; None removes them."""
        blocker = QSignalBlocker(self.dataset)
        index = self.dataset.findData(CUSTOM)
        if name is None and index >= 0:
            self.dataset.removeItem(index)
        elif name is not None:
            if index < 0:
                self.dataset.addItem("", CUSTOM)
                index = self.dataset.count() - 1
            self.dataset.setItemText(index, f"your points: {name}")
        self.dataset.setCurrentIndex(self.dataset.findData(self._config.dataset))
        del blocker

    def _build_network_group(self) -> QGroupBox:
        group = QGroupBox("Network")
        form = QFormLayout(group)
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
        form.addRow("Inputs", inputs)
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
        self.hidden_slider = QSlider(Qt.Horizontal)
        self.hidden_slider.setRange(HIDDEN_RANGE[0], max(SEED_SIZES))
        self.hidden_slider.setToolTip(f"Units in the selected layer (drag; type up to {HIDDEN_RANGE[1]})")
        self.hidden = _spin(*HIDDEN_RANGE, 1, f"Units in the selected layer, {HIDDEN_RANGE[0]}-{HIDDEN_RANGE[1]}")
        self.hidden.setFixedWidth(64)
        row = QHBoxLayout()
        row.addWidget(self.hidden_slider, 1)
        row.addWidget(self.hidden)
        self.width_label = QLabel("Units")
        form.addRow(self.width_label, row)
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
        form.addRow("", sizes)
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
        self._link(self.init.currentIndexChanged, "init", self.init.currentData)
        self._layer = 0  # the hidden layer the width and activation controls edit
        self._announced_layer = 0  # the one layer_selected last named
        # Each slider position means a new network: follow a drag at most every 50 ms.
        self._follow_slider = Throttled(self.hidden.setValue, 50, leading=True, busy_share=0.5)
        self.hidden_slider.valueChanged.connect(self._follow_slider)
        self.hidden.valueChanged.connect(lambda width: self._on_edited("hidden", self._with_width(width)))
        self.activation.currentTextChanged.connect(lambda name: self._on_edited("activation", self._with_activation(name)))
        self.every_layer.toggled.connect(lambda _on: self._on_edited("activation", self._with_activation(
            self.activation.currentText())))
        self.add_layer.clicked.connect(lambda: self._change_depth(+1))
        self.remove_layer.clicked.connect(lambda: self._change_depth(-1))
        self.layer_buttons.idClicked.connect(self.select_layer)
        return group

    def _build_training_group(self) -> QGroupBox:
        group = QGroupBox("Training")
        form = QFormLayout(group)
        self.optimizer = QComboBox()
        for rule in OPTIMIZERS:
            self.optimizer.addItem(rule, rule)
            self.optimizer.setItemData(self.optimizer.count() - 1, OPTIMIZER_HELP[rule], Qt.ToolTipRole)
        self.optimizer.setToolTip("The update rule, as torch.optim's (applies live; its state starts afresh)")
        form.addRow("Optimiser", self.optimizer)
        self.lr_slider = QSlider(Qt.Horizontal)
        self.lr_slider.setRange(0, LR_SLIDER_STEPS)
        self.lr_slider.setToolTip("Learning rate, log scale from 0.0001 to 10")
        self.lr = _spin(1e-5, 1e3, 0.1, "Learning rate on the mean-loss gradient (applies live)", decimals=5)
        self.lr.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.lr.setFixedWidth(92)
        row = QHBoxLayout()
        row.addWidget(self.lr_slider, 1)
        row.addWidget(self.lr)
        form.addRow("Learning rate", row)
        self.rate_hint = QLabel()  # after a change of optimiser, when the rate is far from its usual ones
        self.rate_hint.setWordWrap(True)
        self.rate_hint.setStyleSheet("color: #7a2e00;")
        self.use_usual_rate = QPushButton()
        self.use_usual_rate.setToolTip("Set the learning rate to one this optimiser usually trains well at")
        self.use_usual_rate.setFocusPolicy(Qt.TabFocus)  # a click leaves focus be: it must not pass to L2 as the row hides
        self.use_usual_rate.clicked.connect(self._on_use_usual_rate_clicked)
        self._rate_hint_row = QWidget()
        hint_row = QHBoxLayout(self._rate_hint_row)
        hint_row.setContentsMargins(0, 0, 0, 0)
        hint_row.addWidget(self.rate_hint, 1)
        hint_row.addWidget(self.use_usual_rate, 0, Qt.AlignTop)
        self._rate_hint_row.hide()
        self._advised: tuple[str, float] | None = None  # the optimiser and rate the hint is about
        form.addRow(self._rate_hint_row)
        self.l2 = _spin(0.0, 1.0, 1e-4, "L2 strength: adds l2/2 * sum of squared weights to the loss (applies live)", decimals=5)
        self.l2.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.momentum = _spin(0.0, 0.99, 0.05, "Momentum of sgd and nesterov, 0 for plain gradient descent "
                                               "(applies live)", decimals=2)
        self.dropout = _spin(0.0, MAX_DROPOUT, 0.1, "Share of hidden units dropped at each training step; "
                                                    "the plots use them all (applies live)", decimals=2)
        self.batch_size = _spin(0, SAMPLES_RANGE[1], 8, "Mini-batch size; 'full' trains on every point each step (applies live)")
        self.batch_size.setSpecialValueText("full")
        form.addRow("L2", self.l2)
        row = QHBoxLayout()
        row.addWidget(self.momentum, 1)
        row.addWidget(QLabel("Dropout"))
        row.addWidget(self.dropout, 1)
        form.addRow("Momentum", row)
        form.addRow("Batch size", self.batch_size)
        self.lr_slider.valueChanged.connect(self._on_lr_slider_moved)
        self._link(self.lr.valueChanged, "lr", self.lr.value)
        self._link(self.l2.valueChanged, "l2", self.l2.value)
        self._link(self.momentum.valueChanged, "momentum", lambda: round(self.momentum.value(), 4))
        self._link(self.dropout.valueChanged, "dropout", lambda: round(self.dropout.value(), 4))
        self.optimizer.currentIndexChanged.connect(lambda _index: self._on_optimizer_chosen(self.optimizer.currentData()))
        self._link(self.batch_size.valueChanged, "batch_size", lambda: self.batch_size.value() or None)
        return group

    def _build_run_group(self) -> QGroupBox:
        group = QGroupBox("Run")
        rows = QVBoxLayout(group)
        row = QHBoxLayout()
        rows.addLayout(row)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem("full" if speed is None else f"{speed:,} step{'s' if speed > 1 else ''} a second", speed)
        self.speed.setCurrentIndex(len(SPEEDS) - 1)
        self.speed.setToolTip("Slow motion, to watch the boundary move step by step, up to full speed (+ and −)")
        self.speed.currentIndexChanged.connect(lambda _index: self.speed_changed.emit(self.speed.currentData()))
        speed_row.addWidget(self.speed, 1)
        rows.addLayout(speed_row)
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.train_button.setToolTip("Start or pause training (Space)")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Pause and do exactly one gradient step (S)")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start again from the initial weights (R)")
        self.pin_button = QPushButton("Pin")
        self.pin_button.setToolTip("Keep this picture in Compare > Pinned, to build a grid by hand (P)")
        for button in (self.train_button, self.step_button, self.reset_button, self.pin_button):
            row.addWidget(button)
        self.train_button.clicked.connect(lambda: self.train_toggled.emit())
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.pin_button.clicked.connect(self.pin_clicked)
        return group

    # Syncing -------------------------------------------------------------------------------
    def change_speed(self, faster: int) -> None:
        """One speed faster (1) or slower (-1)."""
        self.speed.setCurrentIndex(min(max(0, self.speed.currentIndex() + faster), self.speed.count() - 1))

    def show_running(self, running: bool) -> None:
        """Reflect the run state on the Train/Pause button."""
        self.train_button.setChecked(running)
        self.train_button.setText("Pause" if running else "Train")

    def show_config(self, config: TrainingConfig) -> None:
        """Put ``config`` in the widgets without emitting ``config_edited``."""
        self._config = config
        widgets = (self.dataset, self.classes, self.samples, self.noise, self.test_fraction, self.seed, self.hidden,
                   self.hidden_slider, self.activation, self.every_layer, self.init, self.lr, self.lr_slider, self.l2,
                   self.momentum, self.batch_size, self.optimizer, self.dropout, *self.size_buttons.values(),
                   *self.layer_buttons.buttons(), *self.feature_buttons.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        self.dataset.setCurrentIndex(self.dataset.findData(config.dataset))
        self.classes.setRange(*classes_range(config.dataset))
        self.classes.setValue(config.classes)
        self.classes.setToolTip("The digits 0 to K-1" if config.dataset in IMAGE_DATASETS else
                                f"Classes of the spiral and blobs sets ({CLASSES_RANGE[0]}-{CLASSES_RANGE[1]})")
        multiclass = config.dataset in MULTICLASS
        self.classes.setVisible(multiclass)  # a row only where it means something
        self._data_form.labelForField(self.classes).setVisible(multiclass)
        own = config.dataset == CUSTOM
        for widget in (self.samples, self.noise, self.new_data):
            widget.setEnabled(not own)  # the user's points are what they are
        self.noise.setEnabled(not own and config.dataset not in IMAGE_DATASETS)  # the digits are as written
        self.samples.setValue(config.samples)
        self.noise.setValue(config.noise)
        self.test_fraction.setValue(config.test_fraction)
        self.seed.setValue(config.seed)
        self._show_network(config)
        self.init.setCurrentIndex(self.init.findData(config.init))
        self.lr.setValue(config.lr)
        self.lr_slider.setValue(_lr_to_slider(config.lr))
        self.l2.setValue(config.l2)
        self.momentum.setMinimum(0.01 if config.optimizer == "nesterov" else 0.0)  # nesterov needs momentum
        self.momentum.setValue(config.momentum)
        self.momentum.setEnabled(config.optimizer in MOMENTUM_RULES)
        self.optimizer.setCurrentIndex(self.optimizer.findData(config.optimizer))
        self.dropout.setValue(config.dropout)
        self.batch_size.setValue(config.batch_size or 0)
        for name, button in self.feature_buttons.items():
            button.setChecked(name in config.features)
        if self._advised != (config.optimizer, config.lr):  # the rate or the optimiser changed since
            self._advised = None
            self._rate_hint_row.hide()
        del blockers

    def show_inputs_available(self, available: bool, images: bool = False) -> None:
        """Input features are for 2-D points; other data is read as it is. Images are not drawn
        as points (but on the Draw a digit tab)."""
        for button in self.feature_buttons.values():
            button.setEnabled(available)
        for button in (self.draw_button, *self.class_buttons.buttons()):
            button.setEnabled(not images)
        self._images = images

    def _show_network(self, config: TrainingConfig) -> None:
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
        if self._layer != self._announced_layer:  # chosen, added ("+"), or the last one removed
            self._announced_layer = self._layer
            self.layer_selected.emit(self._layer)

    def config(self) -> TrainingConfig:
        """The settings shown (values the widgets cannot display exactly are kept as given)."""
        return self._config

    @property
    def selected_layer(self) -> int:
        """The hidden layer (from 0) that the width and activation controls edit."""
        return self._layer

    def select_layer(self, layer: int) -> None:
        """Edit hidden layer ``layer`` (from 0) with the width and activation controls."""
        self._layer = layer
        self.show_config(self._config)

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
        self._on_edited_many(hidden=hidden, activation=activation)

    # Slots ---------------------------------------------------------------------------------
    def _link(self, signal, name: str, read) -> None:
        """Edits of one widget change one setting, so the others keep their exact values."""
        signal.connect(lambda *_args: self._on_edited(name, read()))

    def _on_edited(self, name: str, value) -> None:
        self._on_edited_many(**{name: value})

    def _on_edited_many(self, **values) -> None:
        config = self._config.replace(**values)
        if config != self._config:
            self.show_config(config)  # keeps slider, buttons and spin boxes in step
            self.config_edited.emit(config)

    def _on_feature_clicked(self, name: str) -> None:
        features = [f for f in FEATURES if (f == name) != (f in self._config.features)]  # toggled, in order
        if features:
            self._on_edited("features", tuple(features))
        else:  # a network needs an input: the last one stays
            self.feature_buttons[name].setChecked(True)

    def _on_dataset_chosen(self, name: str) -> None:
        # Between points and images the samples and classes take the new kind's defaults.
        config = self._config.replace(dataset=name) if name == CUSTOM else with_dataset(self._config, name, self._images)
        self._on_edited_many(dataset=config.dataset, samples=config.samples, classes=config.classes)

    def _on_optimizer_chosen(self, rule: str) -> None:
        config = with_optimizer(self._config, rule)  # nesterov takes momentum 0.9 if there is none
        self._on_edited_many(optimizer=config.optimizer, momentum=config.momentum)
        self._advise_rate()

    def _advise_rate(self) -> None:
        """Say so beside the learning rate when it is far from the optimiser's usual rates, and
        offer one of those (the user's rate is never changed unasked)."""
        config = self._config
        advice = rate_advice(config.optimizer, config.lr)
        self._advised = (config.optimizer, config.lr) if advice else None
        self.rate_hint.setText(advice)
        self.use_usual_rate.setText(f"Use {SUGGESTED_RATES[config.optimizer]:g}")
        self._rate_hint_row.setVisible(bool(advice))
        if advice:
            QTimer.singleShot(0, self._reveal_rate_hint)  # once laid out: the row may lie below the panel's view

    def _reveal_rate_hint(self) -> None:
        scroll = self.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None and self._rate_hint_row.isVisible():
            scroll.ensureWidgetVisible(self._rate_hint_row)

    def _on_use_usual_rate_clicked(self) -> None:
        self.lr.setValue(SUGGESTED_RATES[self._config.optimizer])  # an edit like any other: the hint goes

    def _on_size_clicked(self, size: int) -> None:
        self.hidden.setValue(size)
        for other, button in self.size_buttons.items():  # a click never unchecks the current size
            button.setChecked(other == self._config.hidden[self._layer])

    def _on_lr_slider_moved(self, position: int) -> None:
        self.lr.setValue(_slider_to_lr(position))

    def _on_new_data_clicked(self) -> None:
        self.seed.setValue((self.seed.value() + 1) % (self.seed.maximum() + 1))


def _slider_to_lr(position: int) -> float:
    low, high = (math.log10(v) for v in LR_RANGE)
    value = 10 ** (low + (high - low) * position / LR_SLIDER_STEPS)
    return float(f"{value:.2g}")  # round numbers: 0.01, 0.033, 1.2 ...


def _lr_to_slider(lr: float) -> int:
    low, high = (math.log10(v) for v in LR_RANGE)
    position = (math.log10(min(max(lr, LR_RANGE[0]), LR_RANGE[1])) - low) / (high - low) * LR_SLIDER_STEPS
    return round(position)
