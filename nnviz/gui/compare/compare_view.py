"""The Compare tab: run a sweep on the current data, or look at the pictures pinned by hand."""

from __future__ import annotations

import math

from PyQt5.QtCore import QEvent, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import Dataset
from nnviz.core.io.atomic import SaveError
from nnviz.core.io.picture_texts import sweep_heading, sweep_texts
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.training.sweep import (
    MAX_NETWORKS,
    SWEEP_SETTINGS,
    TUTORIAL_SIZES,
    Sweep,
    SweepSnapshot,
    parse_values,
    sweep_rows,
    write_rows_csv,
)
from nnviz.gui.compare.pins import (
    NO_PINS,
    Pin,
    pins_rows,
    pins_snapshot,
    pins_texts,
    split_labels,
)
from nnviz.gui.compare.sweep_preview import preview_error, preview_text
from nnviz.gui.compare.sweep_session import SweepSession
from nnviz.gui.compare.sweep_view import SweepFigure
from nnviz.gui.replay import TimelineBar
from nnviz.gui.throttle import Throttled

TILE_FRAME_MS = 50  # tiles redraw at most 20 times a second: many plots, each small
TILE_BUDGET_S = 0.015  # seconds of tile drawing per turn of the event loop; the rest wait a turn

SETTING_NAMES = {"hidden": "Shape", "lr": "Learning rate", "l2": "L2", "activation": "Activation",
                 "momentum": "Momentum", "init": "Initialisation", "optimizer": "Optimiser", "dropout": "Dropout",
                 "features": "Input features", "output": "Output units", "loss": "Loss"}
DEFAULT_VALUES = {
    "hidden": ", ".join(map(str, TUTORIAL_SIZES)),
    "lr": "0.03, 0.1, 0.3, 1, 3",
    "l2": "0, 0.0001, 0.001, 0.01",
    "activation": ", ".join(ACTIVATIONS),
    "momentum": "0, 0.5, 0.9",
    "init": "normal-1, normal-0.01, default, he",
    "optimizer": "sgd, nesterov, adagrad, adam",  # the book's figure 6-9: SGD, Momentum, AdaGrad, Adam
    "dropout": "0, 0.2, 0.5",
    "features": "x1,x2 / x1sq,x2sq / x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
    "output": "softmax, sigmoid",
    "loss": "cross-entropy, squared-error",
}
REGRESSION_VALUES = {"output": "identity, sigmoid", "loss": "squared-error"}
"""Where a regression's values differ: its outputs are values, which neither softmax nor
cross-entropy fits (sigmoid ones reach only 0 to 1, which is the lesson)."""


def default_values(setting: str, regression: bool = False) -> str:
    """The values a sweep of ``setting`` starts with, on data of classes or (``regression``) values."""
    return REGRESSION_VALUES.get(setting, DEFAULT_VALUES[setting]) if regression else DEFAULT_VALUES[setting]


class _Fitting(QScrollArea):
    """Shows its widget at the size of the view, or at the widget's smallest where the view is
    smaller (sixteen tiles need more than a laptop's height): it scrolls only then. Qt's
    resizable scroll area would give word-wrapped labels their preferred height instead."""

    def __init__(self, widget: QWidget):
        super().__init__(frameShape=QFrame.NoFrame)
        self.setWidget(widget)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.LayoutRequest:  # the widget's smallest size changed (tiles came)
            self._fit()
        return super().viewportEvent(event)

    def _fit(self) -> None:
        self.widget().resize(self.viewport().size().expandedTo(self.widget().minimumSizeHint()))


class CompareView(QWidget):
    """The Compare tab: sweep controls above a figure of the live sweep or of the pins.

    Owns its :class:`SweepSession`; the sweep runs on ``base`` and ``dataset``, which the
    main window keeps equal to the Train view's.
    """

    network_opened = pyqtSignal(object, object, object, bool)  # TrainingConfig, Trainer, Dataset, whether to train on
    export_requested = pyqtSignal()
    csv_requested = pyqtSignal()

    def __init__(self, base: TrainingConfig, dataset: Dataset, parent: QWidget | None = None):
        super().__init__(parent)
        self._base, self._dataset = base, dataset
        self.swept = False  # a sweep has come: until then the preview says what Run sweep will train
        self.session = SweepSession(self)
        self.pins: list[Pin] = []
        self.latest: SweepSnapshot | None = None
        self.moment: SweepSnapshot | None = None  # a moment of the sweep's timeline shown instead of the latest

        self.setting = QComboBox()
        for name in SWEEP_SETTINGS:
            self.setting.addItem(SETTING_NAMES[name], name)
        self.setting.setToolTip("The setting that differs between the networks")
        self.values = QLineEdit(DEFAULT_VALUES["hidden"])
        self.values.setToolTip("The values to compare, separated by commas (at most 16); "
                               "shapes are widths joined by x: 8, 8x8, 8x8x8; feature lists are separated by /")
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip("Train one network per value together, on the Train view's data and settings")
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.train_button.setToolTip("Pause or resume the whole sweep")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One gradient step of every network")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start the sweep again from its initial weights")
        self.export_button = QPushButton("Export grid…")
        self.export_button.setToolTip("Save the tiles and loss curves as one PNG (with the settings in it)")
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("Save each network's final loss and accuracies as CSV")
        self.show_sweep = QPushButton("Sweep")
        self.show_pins = QPushButton("Pinned (0)")
        self.show_sweep.setToolTip("Show the live sweep")
        self.show_pins.setToolTip("Show the pictures pinned from the Train view (P)")
        which = QButtonGroup(self)
        for button in (self.show_sweep, self.show_pins):
            button.setCheckable(True)
            which.addButton(button)
        self.show_sweep.setChecked(True)
        self.clear_pins_button = QPushButton("Clear pins")
        self.clear_pins_button.setToolTip("Remove every pinned picture (one goes with its × or right-click)")
        self.clear_pins_button.setEnabled(False)
        self.clear_pins_button.hide()  # shown with the pins
        self.message = QLabel()
        self.message.setStyleSheet("color: #7a2e00;")

        top = QHBoxLayout()
        top.addWidget(QLabel("Compare"))
        top.addWidget(self.setting)
        top.addWidget(self.values, 1)
        for widget in (self.run_button, self.train_button, self.step_button, self.reset_button):
            top.addWidget(widget)
        second = QHBoxLayout()
        for widget in (self.show_sweep, self.show_pins, self.clear_pins_button):
            second.addWidget(widget)
        second.addWidget(self.message, 1)
        second.addWidget(self.export_button)
        second.addWidget(self.csv_button)

        self.stack = QStackedWidget()  # the live sweep's figure, then the pins': see _figures
        self.timeline = TimelineBar()  # the sweep's: every tile at one step (driven by the window's Replay)
        self.timeline.setEnabled(False)  # until there is a sweep
        fitting = _Fitting(self.stack)
        self.replay_area = (fitting, self.timeline)  # where ← → and End step through the sweep's moments
        # Before the first sweep, in the figure's place: the networks Run sweep will train.
        self.preview = QLabel(alignment=Qt.AlignLeft | Qt.AlignTop, wordWrap=True, textFormat=Qt.RichText)
        self.preview.setContentsMargins(12, 8, 12, 8)
        self._fitting = fitting
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.preview, 1)
        layout.addWidget(fitting, 1)
        layout.addWidget(self.timeline)

        self.setting.currentIndexChanged.connect(self._on_setting_changed)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.values.returnPressed.connect(self._on_run_clicked)
        self.show_sweep.toggled.connect(self._on_which_toggled)
        self.values.textChanged.connect(lambda _text: self._update_preview())
        self.clear_pins_button.clicked.connect(self.clear_pins)
        self.export_button.clicked.connect(self.export_requested)
        self.csv_button.clicked.connect(self.csv_requested)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.step_button.clicked.connect(lambda: self.session.step())
        self.reset_button.clicked.connect(self.session.reset)
        self.session.snapshot_ready.connect(self.show_snapshot)
        self.session.running_changed.connect(self.show_running)
        self.session.run_reset.connect(self._on_sweep_changed)
        self.session.diverged.connect(self.message.setText)
        self.session.failed.connect(self.message.setText)
        self._throttled_draw = Throttled(self._draw, TILE_FRAME_MS, leading=True, busy_share=0.5)  # input comes first
        self._holds = 0  # exports in progress, which need the picture to stay still
        self._pins_drawn = True  # the gallery shows every pin
        self._update_preview()

    @property
    def base(self) -> TrainingConfig:
        """The Train view's settings, which the sweep varies one of."""
        return self._base

    @base.setter
    def base(self, config: TrainingConfig) -> None:
        self._base = config
        self._update_preview()

    @property
    def dataset(self) -> Dataset:
        """The Train view's data, which the sweep trains on."""
        return self._dataset

    @dataset.setter
    def dataset(self, data: Dataset) -> None:
        setting, was = self.setting.currentData(), self._dataset.regression
        self._dataset = data
        if data.regression != was and self.values.text() == default_values(setting, was):
            self.values.setText(default_values(setting, data.regression))  # the other task's would not train
        self._update_preview()

    @property
    def showing_pins(self) -> bool:
        return self.show_pins.isChecked()

    @property
    def figure(self) -> SweepFigure:
        """The live sweep's figure."""
        return self._figures()[0]

    @property
    def pinned(self) -> SweepFigure:
        """The pinned pictures' figure."""
        return self._figures()[1]

    def _figures(self) -> tuple[SweepFigure, SweepFigure]:
        # Made on first use, not with the window: their plots take a while to make, and the
        # tab is hidden when the window first draws.
        if not self.stack.count():
            live, pinned = SweepFigure(), SweepFigure(still=True)
            live.tile_clicked.connect(self._on_tile_clicked)
            pinned.tile_removed.connect(self.remove_pin)
            pinned.tile_menu_requested.connect(self._on_pin_menu_requested)
            pinned.set_tiles([], False, [], NO_PINS)
            self.stack.addWidget(live)
            self.stack.addWidget(pinned)
            self.stack.setCurrentIndex(1 if self.showing_pins else 0)
        return self.stack.widget(0), self.stack.widget(1)

    def showEvent(self, event) -> None:
        self._figures()
        super().showEvent(event)
        self._catch_up()

    def _catch_up(self) -> None:
        """Draw what changed while hidden: work for a tab nobody sees waits until it is seen."""
        self._draw_pins()
        self._throttled_draw()

    def _seen(self, widget: QWidget) -> bool:
        return widget.isVisibleTo(self.window())

    def show_running(self, running: bool) -> None:
        """Reflect the sweep's run state on its Train/Pause button."""
        self.train_button.setChecked(running)
        self.train_button.setText("Pause" if running else "Train")

    def current_sweep(self) -> Sweep:
        """The sweep the controls describe over ``self.base``; raises ConfigError."""
        setting = self.setting.currentData()
        sweep = Sweep(self.base, setting, parse_values(setting, self.values.text()))
        for config in sweep.configs():  # validates every value
            config.input_features(self.dataset.columns)  # features are for 2-D points
            config.head(self.dataset.task)  # the user's points' task is known only here
        return sweep

    def run(self, sweep: Sweep) -> None:
        """Train ``sweep`` on the current data, from step 0."""
        if not len(self.dataset.y_train):
            self.message.setText("The points are still being made: run the sweep in a moment.")
            return
        self.session.set_sweep(sweep, self.dataset)
        self.session.start()

    def grid_picture(self) -> tuple[QWidget, dict[str, str]]:
        """What is shown (sweep or pins): the widget to paint and its PNG text chunks; raises
        SaveError when there is nothing to show."""
        self.draw_now()
        if self.showing_pins and self.pins:
            return self.pinned, pins_texts(self.pins)
        if not self.showing_pins and self.session.sweep is not None:
            step = self.shown.step if self.shown else 0
            return self.figure, sweep_texts(self.session.sweep, step)
        raise SaveError("There is nothing to export yet: run a sweep or pin a picture first.")

    def export_csv(self, path: str) -> None:
        """Save the figures of what is shown as CSV; raises SaveError."""
        if self.showing_pins and self.pins:
            rows = pins_rows(self.pins)
        elif not self.showing_pins and self.session.sweep is not None and self.shown is not None:
            rows = sweep_rows(self.session.sweep, self.shown, self.session.dataset.regression)
        else:
            raise SaveError("There is nothing to export yet: run a sweep or pin a picture first.")
        write_rows_csv(path, rows)

    def _on_sweep_changed(self, _snapshot: SweepSnapshot) -> None:
        sweep = self.session.sweep
        labels = [sweep.label(v) for v in sweep.values]
        self.figure.set_tiles(labels, sweep.ordered, [self.session.dataset] * len(labels),
                              sweep_heading(sweep))
        self.show_sweep.setChecked(True)
        self.timeline.setEnabled(True)
        self.message.setText("")
        self.swept = True
        self._update_preview()

    def _on_tile_clicked(self, index: int) -> None:
        if self.moment is not None:  # the network would go on from the latest step, not the one pictured
            self.message.setText("Back to the latest step first (End, or Train): a tile opens its network "
                                 "as it is now, to train on.")
            return
        config, dataset = self.session.sweep.configs()[index], self.session.dataset
        running = self.session.is_running  # the network goes on as the sweep was: training, or paused
        self.session.take_out(index, lambda trainer: self.network_opened.emit(config, trainer, dataset, running))

    def show_snapshot(self, snapshot: SweepSnapshot) -> None:
        """Queue a sweep snapshot for the next frame (unless a moment of the timeline is shown)."""
        self.latest = snapshot
        self._throttled_draw()

    def show_moment(self, snapshot: SweepSnapshot | None) -> None:
        """Show every network at a moment of the sweep's timeline, marked on the loss curves,
        instead of the latest; None goes back to the latest."""
        if snapshot is None and self.moment is None:
            return
        self.moment = snapshot
        self.figure.marker.show_step(None if snapshot is None else snapshot.step)
        self._throttled_draw()

    @property
    def shown(self) -> SweepSnapshot | None:
        """The sweep as shown: the moment replayed, or else the latest snapshot."""
        return self.moment or self.latest

    def draw_now(self) -> None:
        """Draw what is shown (sweep or pins) completely, now, seen or not (before an export)."""
        if self.showing_pins:
            self._draw_pins(even_hidden=True)
            self.pinned.finish()
        else:
            self._throttled_draw.cancel()
            self._draw(even_hidden=True)
            self.figure.finish()

    def add_pin(self, pin: Pin) -> None:
        """Keep a picture from the Train view and show the gallery (of the latest
        :data:`MAX_NETWORKS`, as many as a sweep)."""
        self._set_pins([*self.pins, pin][-MAX_NETWORKS:])

    def remove_pin(self, index: int) -> None:
        """Let go of the picture pinned at ``index`` (in the gallery's order)."""
        self._set_pins(self.pins[:index] + self.pins[index + 1:])

    def clear_pins(self) -> None:
        """Let go of every pinned picture."""
        self._set_pins([])

    def pin_menu(self, index: int) -> QMenu:
        """The menu of the pinned picture at ``index``: remove it, or every pin."""
        menu = QMenu(self)
        menu.addAction("Remove pin", lambda: self.remove_pin(index))
        menu.addAction("Clear pins", self.clear_pins)
        return menu

    def _on_pin_menu_requested(self, index: int, position) -> None:
        menu = self.pin_menu(index)
        menu.exec_(position)
        menu.deleteLater()

    def _set_pins(self, pins: list[Pin]) -> None:
        self.pins = pins
        self.show_pins.setText(f"Pinned ({len(pins)})")
        self.clear_pins_button.setEnabled(bool(pins))
        self._pins_drawn = False
        self._draw_pins()

    def _draw_pins(self, even_hidden: bool = False) -> None:
        # Pinning from the Train view costs nothing: the gallery is built when it is seen.
        if self._pins_drawn or not (even_hidden or self._seen(self.pinned)):
            return
        self._pins_drawn = True
        if not self.pins:  # the last one was removed
            self.pinned.set_tiles([], False, [], NO_PINS)
            return
        shared, own = split_labels([p.label for p in self.pins])
        self.pinned.set_tiles(own, False, [p.dataset for p in self.pins],
                              f"Pinned from the Train view: {shared}" if shared else "Pinned from the Train view")
        self.pinned.show_snapshot(pins_snapshot(self.pins), math.inf if even_hidden else TILE_BUDGET_S)

    def hold_drawing(self, held: bool) -> None:
        """Keep the picture still (while an export paints it strip by strip), or let it move on."""
        self._holds += 1 if held else -1
        if not self._holds:
            self._throttled_draw()

    def _draw(self, even_hidden: bool = False) -> None:
        shown = self.shown
        if not self._holds and shown is not None and len(self.figure.tiles) == len(shown.networks) \
                and (even_hidden or self._seen(self.figure)):
            self.figure.show_snapshot(shown, math.inf if even_hidden else TILE_BUDGET_S)

    def _on_which_toggled(self, sweep_shown: bool) -> None:
        self.stack.setCurrentIndex(0 if sweep_shown else 1)
        self.clear_pins_button.setVisible(not sweep_shown)
        self._update_preview()
        self._catch_up()

    def _update_preview(self) -> None:
        """Until a sweep has come, say what Run sweep will train, in the empty figure's place."""
        waiting = not self.swept and not self.showing_pins
        self.preview.setVisible(waiting)
        self._fitting.setVisible(not waiting)
        self.timeline.setVisible(self.swept and not self.showing_pins)  # pins have no timeline
        if waiting:
            self.preview.setText(self._preview_text())

    def _preview_text(self) -> str:
        try:
            sweep = self.current_sweep()
        except ConfigError as error:
            return preview_error(str(error))
        return preview_text(sweep, self.dataset, SETTING_NAMES[sweep.setting])

    def _on_train_clicked(self) -> None:
        self.session.toggle()
        self.show_running(self.session.is_running)  # stays unchecked when there is no sweep yet

    def _on_setting_changed(self) -> None:
        self.values.setText(default_values(self.setting.currentData(), self.dataset.regression))

    def _on_run_clicked(self) -> None:
        try:
            sweep = self.current_sweep()
        except ConfigError as error:
            self.message.setText(str(error))
            return
        self.run(sweep)
