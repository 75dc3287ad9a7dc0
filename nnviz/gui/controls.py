"""The control panel: data, network, training and run settings, grouped in forms."""

from __future__ import annotations

import math

from PyQt5.QtCore import QEvent, QObject, QSignalBlocker, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import (
    TrainingConfig,
    with_dataset,
    with_optimizer,
)
from nnviz.core.data.datasets import (
    CLASSES_RANGE,
    CUSTOM,
    DATASETS,
    IMAGE_DATASETS,
    MULTICLASS,
    REGRESSION,
    REGRESSION_DATASETS,
    XOR_TABLE,
    Dataset,
    classes_range,
    dataset_task,
)
from nnviz.core.model.optimizers import (
    MOMENTUM_RULES,
    OPTIMIZER_HELP,
    OPTIMIZERS,
)
from nnviz.core.model.outputs import resolved_head
from nnviz.gui.colors import class_color
from nnviz.gui.network_rows import NetworkRows
from nnviz.gui.rate_hint import RateHint
from nnviz.gui.setting_spin import setting_spin

DRAW_TIP = ("Draw mode (D): click adds a point of the chosen class, drag sprays points, "
            "right-click removes the nearest; training carries on with them")
SPEEDS = (1, 2, 5, 10, 30, 100, 1000, None)  # training's steps a second; None: as fast as it goes
LR_RANGE = (1e-4, 10.0)
LR_SLIDER_STEPS = 100  # slider positions across the log-scaled range
DATASET_HELP = {
    "moons": "Two interleaving half circles (scikit-learn's make_moons)",
    "circles": "A circle inside another (scikit-learn's make_circles)",
    "xor": "Points in the four quadrants, classed as XOR of their signs",
    XOR_TABLE: "XOR's truth table: the four rows 00, 01, 10, 11, nothing else, all for training (tutorial 003)",
    "spiral": "Arms of a spiral, one a class (CS231n's)",
    "blobs": "Gaussian blobs on a circle, one a class",
    "digits": "scikit-learn's 8x8 handwritten digits (images)",
    "sine": "Regression: a value y = sin(1.5πx) of one input x",
    "abs": "Regression: a value y = |x| of one input x",
    "step": "Regression: a value y = 1 for x ≥ 0, else 0, of one input x",
    "cubic": "Regression: a value y ∝ x³ − x of one input x",
    "plane": "Regression: a value that rises across the plane (TensorFlow Playground's)",
    "gaussians": "Regression: bumps up and down across the plane (TensorFlow Playground's)",
}
"""Each built-in dataset in a line, for its item's tooltip."""


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
    reveal_requested = pyqtSignal(QWidget)  # a row that should be scrolled into view (the rate advice)
    status = pyqtSignal(str)  # a sentence for the status bar: a choice that changed another setting
    load_data_clicked = pyqtSignal()
    save_data_clicked = pyqtSignal()

    def __init__(self, config: TrainingConfig, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = config
        self._images = config.dataset in IMAGE_DATASETS  # whether the data shown are images (a file's may be)
        self._data_task = dataset_task(config.dataset)  # the data's task (a file's is known once it is read)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_run_group())
        layout.addWidget(self._build_data_group())
        self.network = NetworkRows()
        for name in NetworkRows.WIDGETS:  # the panel's widgets, wherever they are built
            setattr(self, name, getattr(self.network, name))
        self.network.edited.connect(lambda values: self._on_edited_many(**values))
        self.network.layer_selected.connect(self.layer_selected)
        self.network.status.connect(self.status)
        layout.addWidget(self.network)
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
        for name in (*(n for n in DATASETS if n not in REGRESSION_DATASETS), None, *REGRESSION_DATASETS):
            if name is None:  # the classes above, the values below
                self.dataset.insertSeparator(self.dataset.count())
                continue
            self.dataset.addItem(f"{name} (regression)" if name in REGRESSION_DATASETS else name, name)
            self.dataset.setItemData(self.dataset.count() - 1, DATASET_HELP.get(name), Qt.ToolTipRole)
        self.dataset.setToolTip("The data to learn: classes of 2-D points or of digits (8x8 images), or, "
                                "for regression, a value of one or two inputs")
        self.classes = setting_spin("classes", 1, f"Classes of the {' and '.join(MULTICLASS)} sets "
                             f"({CLASSES_RANGE[0]}-{CLASSES_RANGE[1]})")
        self.samples = setting_spin("samples", 10, "Number of points (train and test together)")
        self.noise = setting_spin("noise", 0.05, "How far points scatter from the clean shape", decimals=2)
        self.test_fraction = setting_spin("test_fraction", 0.05, "Share of points held out as the test set (hollow dots)", decimals=2)
        self.seed = setting_spin("seed", 1, "Seed for the points, the split and the initial weights")
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
        self.draw_button.setToolTip(DRAW_TIP)
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
        self.lr = setting_spin("lr", 0.1, "Learning rate on the mean-loss gradient (applies live)", decimals=5)
        self.lr.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.lr.setFixedWidth(92)
        row = QHBoxLayout()
        row.addWidget(self.lr_slider, 1)
        row.addWidget(self.lr)
        form.addRow("Learning rate", row)
        self._rate_hint_row = RateHint()  # after a change of optimiser, when the rate is far from its usual ones
        self.rate_hint, self.use_usual_rate = self._rate_hint_row.label, self._rate_hint_row.use_button
        self._rate_hint_row.rate_chosen.connect(self.lr.setValue)  # an edit like any other: the hint goes
        self._rate_hint_row.reveal_requested.connect(self.reveal_requested)
        form.addRow(self._rate_hint_row)
        self.l2 = setting_spin("l2", 1e-4, "L2 strength: adds l2/2 * sum of squared weights to the loss (applies live)", decimals=5)
        self.l2.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.momentum = setting_spin("momentum", 0.05, "Momentum of sgd and nesterov, 0 for plain gradient descent "
                                                       "(applies live)", decimals=2)
        self.dropout = setting_spin("dropout", 0.1, "Share of hidden units dropped at each training step; "
                                                           "the plots use them all (applies live)", decimals=2)
        self.batch_size = setting_spin("batch_size", 8, "Mini-batch size; 'full' trains on every point each step (applies live)")
        self.batch_size.setMinimum(0)  # below the range: 0 shows "full", every point each step
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
        widgets = (self.dataset, self.classes, self.samples, self.noise, self.test_fraction, self.seed,
                   self.lr, self.lr_slider, self.l2, self.momentum, self.batch_size, self.optimizer, self.dropout)
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
        table = config.dataset == XOR_TABLE  # its four rows, whatever the settings, all for training
        self.new_data.setEnabled(not own)  # the user's points are what they are
        self.samples.setEnabled(not own and not table)
        self.noise.setEnabled(not own and not table and config.dataset not in IMAGE_DATASETS)  # the digits are as written
        self.test_fraction.setEnabled(not table)
        self.samples.setValue(config.samples)
        self.noise.setValue(config.noise)
        self.test_fraction.setValue(config.test_fraction)
        self.seed.setValue(config.seed)
        self.network.show_config(config, self._task())
        self.lr.setValue(config.lr)
        self.lr_slider.setValue(_lr_to_slider(config.lr))
        self.l2.setValue(config.l2)
        self.momentum.setMinimum(0.01 if config.optimizer == "nesterov" else 0.0)  # nesterov needs momentum
        self.momentum.setValue(config.momentum)
        self.momentum.setEnabled(config.optimizer in MOMENTUM_RULES)
        self.optimizer.setCurrentIndex(self.optimizer.findData(config.optimizer))
        self.dropout.setValue(config.dropout)
        self.batch_size.setValue(config.batch_size or 0)
        self._rate_hint_row.follow(config.optimizer, config.lr)  # gone once the rate or the optimiser changed
        del blockers

    def show_data(self, data: Dataset) -> None:
        """What the data trained on allow: input features are for 2-D points (other data is
        read as it is); images are not drawn as points (but on the Draw a digit tab), nor are
        values (regression); and the output units and losses offered are those of the data's task."""
        for button in self.feature_buttons.values():
            button.setEnabled(data.columns == 2)
        images = data.image_shape is not None
        for button in (self.draw_button, *self.class_buttons.buttons()):
            button.setEnabled(not images and not data.regression)
        for swatch in self.class_buttons.buttons():  # regression has no classes to draw (their colours look enabled)
            swatch.setVisible(not data.regression)
        self.draw_button.setToolTip("Drawing adds points of a class: regression data have values instead"
                                    if data.regression else DRAW_TIP)
        self._images, self._data_task = images, data.task
        self.network.show_config(self._config, self._task())

    def _task(self) -> str:
        """The task of the data the settings are for."""
        return self._task_of(self._config)

    def _task_of(self, config: TrainingConfig) -> str:
        """The task of ``config``'s data: a built-in set's own, or the file's."""
        return self._data_task if config.dataset == CUSTOM else dataset_task(config.dataset)

    def config(self) -> TrainingConfig:
        """The settings shown (values the widgets cannot display exactly are kept as given)."""
        return self._config

    @property
    def selected_layer(self) -> int:
        """The hidden layer (from 0) that the width and activation controls edit."""
        return self.network.selected_layer

    def select_layer(self, layer: int) -> None:
        """Edit hidden layer ``layer`` (from 0) with the width and activation controls."""
        self.network.select_layer(layer)

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

    def _on_dataset_chosen(self, name: str) -> None:
        # Between points and images the samples and classes take the new kind's defaults; between
        # classes and values the output and loss become the new task's own, and the learning rate,
        # if the one task's default, the other's (see with_dataset).
        if name is None:  # the separator between classes and values (chosen by a program, not a user)
            self.show_config(self._config)
            return
        before = self._config
        config = before.replace(dataset=name) if name == CUSTOM else with_dataset(before, name, self._images)
        self._on_edited_many(dataset=config.dataset, samples=config.samples, classes=config.classes,
                             output=config.output, loss=config.loss, lr=config.lr)
        note = task_change_note(before, config, self._task_of(config))
        if note:
            self.status.emit(note)

    def advise_rate(self) -> None:
        """Show the learning-rate hint if the rate is far from the optimiser's usual ones (a
        window started that way, say with --optimizer adam), without scrolling to it."""
        self._rate_hint_row.advise(self._config.optimizer, self._config.lr, reveal=False)

    def _on_optimizer_chosen(self, rule: str) -> None:
        config = with_optimizer(self._config, rule)  # nesterov takes momentum 0.9 if there is none
        self._on_edited_many(optimizer=config.optimizer, momentum=config.momentum)
        self._rate_hint_row.advise(self._config.optimizer, self._config.lr)

    def _on_lr_slider_moved(self, position: int) -> None:
        self.lr.setValue(_slider_to_lr(position))

    def _on_new_data_clicked(self) -> None:
        self.seed.setValue((self.seed.value() + 1) % (self.seed.maximum() + 1))


def task_change_note(before: TrainingConfig, after: TrainingConfig, task: str) -> str:
    """What moving from ``before`` to ``after`` (another dataset, of ``task``) changed beyond the
    dataset, in one sentence: an output or loss chosen for the other task given up for the
    task's own, a learning rate that became the task's usual one; empty if neither changed."""
    changes = []
    if (after.output, after.loss) != (before.output, before.loss):
        output, loss = resolved_head(after.output, after.loss, task)
        changes.append(f"the output and loss are its own ({output}, {loss.replace('-', ' ')})")
    if after.lr != before.lr:
        changes.append(f"the learning rate {after.lr:g}" if changes else f"the learning rate is its own, {after.lr:g}")
    if not changes:
        return ""
    kind = "a regression set" if task == REGRESSION else "a classification set"
    name = after.dataset[:1].upper() + after.dataset[1:]
    return f"{name} is {kind}: {', and '.join(changes)}."


def _slider_to_lr(position: int) -> float:
    low, high = (math.log10(v) for v in LR_RANGE)
    value = 10 ** (low + (high - low) * position / LR_SLIDER_STEPS)
    return float(f"{value:.2g}")  # round numbers: 0.01, 0.033, 1.2 ...


def _lr_to_slider(lr: float) -> int:
    low, high = (math.log10(v) for v in LR_RANGE)
    position = (math.log10(min(max(lr, LR_RANGE[0]), LR_RANGE[1])) - low) / (high - low) * LR_SLIDER_STEPS
    return round(position)
