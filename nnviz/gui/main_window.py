"""The main window: assembles the control panel and the training view, menus and shortcuts."""

from __future__ import annotations

from importlib import resources

from PyQt5.QtCore import QSettings, Qt
from PyQt5.QtGui import QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
)

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import CUSTOM
from nnviz.core.model.optimizers import rate_advice
from nnviz.core.naming import head_words, network_name, training_name
from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui import settings as stored
from nnviz.gui.compare.compare_view import CompareView
from nnviz.gui.compare.pins import PART, Pin
from nnviz.gui.controls import ControlPanel
from nnviz.gui.explain.explain_view import ExplainView
from nnviz.gui.files.file_actions import FileActions
from nnviz.gui.replay import Replay
from nnviz.gui.resource_files import resource_file
from nnviz.gui.train.drawing import PointEditor
from nnviz.gui.train.session import TrainingSession
from nnviz.gui.train.training_view import TrainingView

CONTROLS_WIDTH = 330


def app_icon() -> QIcon:
    """The nnviz icon, from the installed package or the checkout."""
    with resources.as_file(resource_file("nnviz.svg")) as path:
        return QIcon(str(path))


class MainWindow(QMainWindow):
    """Controls on the left, plots on the right; the session does the work."""

    def __init__(self, config: TrainingConfig, settings: QSettings | None = None, *, points_in_background=False,
                 settings_notes: tuple[str, ...] = ()):
        """``points_in_background``: show the window before scikit-learn has made the points
        (see :class:`TrainingSession`). ``settings_notes``: what of the remembered settings was
        dropped or changed (``remembered.start_config``); the status bar says it, and ``settings``
        are left as they were until the user changes something."""
        super().__init__()
        self.settings = settings  # None: remember nothing (screenshots, tests)
        self._closed = False
        # Leave the settings as found while the config is the one they were found damaged with.
        self.settings_kept_for: TrainingConfig | None = config if settings_notes else None
        self.session = TrainingSession(config, self, points_in_background=points_in_background)
        self.controls = ControlPanel(config)
        self.view = TrainingView()
        self.compare = CompareView(self.session.config, self.session.dataset)
        self.files = FileActions(self, self.session, self.view, self.compare, settings,
                                 lambda: self.tabs.currentWidget() is self.compare)
        self.replay = Replay(self.session, self.view, self.view.timeline, self)
        self.compare_replay = Replay(self.compare.session, self.compare, self.compare.timeline, self)
        self.point_editor = PointEditor(self.session, self.view, self.controls.draw_button,
                                        lambda: self.controls.draw_class, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view, "Train")
        self.tabs.addTab(self.compare, "Compare")
        self.tabs.setTabToolTip(0, "One network, live")
        self.tabs.setTabToolTip(1, "Several networks side by side: a sweep, or the pictures you pinned")
        self.explain = ExplainView(self.session)
        self.tabs.addTab(self.explain, "Explain")
        self.tabs.setTabToolTip(2, "One point through the network, phase by phase: its numbers, the formulas "
                                   "behind them, and weights you can set (training pauses)")

        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        self.controls.reveal_requested.connect(scroll.ensureWidgetVisible)  # e.g. the rate advice below the view
        scroll.setWidgetResizable(True)
        self.controls.setMaximumWidth(CONTROLS_WIDTH)
        scroll.setMinimumWidth(CONTROLS_WIDTH + 16)
        scroll.setMaximumWidth(CONTROLS_WIDTH + 40)
        scroll.setFrameShape(QScrollArea.NoFrame)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([CONTROLS_WIDTH + 16, 1000])
        self.setCentralWidget(self.splitter)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._build_actions()
        self.statusBar().showMessage("Press Space to train.")
        if self.session.making_points:
            self.statusBar().showMessage(f"Making the {config.dataset} points (scikit-learn is loading)…")

        self.controls.config_edited.connect(self._on_config_edited)
        self.controls.train_toggled.connect(self.session.toggle)
        self.controls.step_clicked.connect(self.session.step)
        self.controls.reset_clicked.connect(self.session.reset)
        self.controls.pin_clicked.connect(self.pin)
        self.controls.speed_changed.connect(self.session.set_speed)
        self.controls.speed_changed.connect(self.compare.session.set_speed)  # one speed for the network and the sweep
        # The layer whose width is edited is the layer whose units are shown, and back.
        self.controls.layer_selected.connect(self.view.inside.show_layer)
        self.view.inside.layer_chosen.connect(self.controls.select_layer)
        self.controls.load_data_clicked.connect(self.files.ask_open_data)
        self.controls.save_data_clicked.connect(self.files.ask_save_data)
        self.session.points_edited.connect(self._on_points_edited)
        self.session.weights_set.connect(self.replay.go_live)  # a moment replayed would hide the new weights
        self.session.snapshot_ready.connect(self.view.show_snapshot)
        self.session.run_reset.connect(self._on_run_reset)
        self.session.running_changed.connect(self._on_running_changed)
        self.session.diverged.connect(self._on_diverged)
        self.session.failed.connect(self._on_diverged)  # the process failed: said as a divergence is
        self.compare.network_opened.connect(self._on_network_opened)
        self.compare.session.running_changed.connect(self._on_sweep_running_changed)
        self.compare.export_requested.connect(self.files.ask_export_plots)
        for helper in (self.files, self.replay, self.compare_replay, self.point_editor, self.controls):
            helper.status.connect(self.statusBar().showMessage)
        self.files.error.connect(lambda message: self.show_error(message))  # (tests replace show_error)
        self.files.opened.connect(self._on_file_opened)
        self.compare.csv_requested.connect(self.files.ask_export_csv)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.explain.status.connect(self.statusBar().showMessage)
        self.explain.error.connect(lambda message: self.show_error(message))  # (tests replace show_error)

        self.resize(1400, 900)
        self._restore()
        self._on_run_reset(self.session.snapshot())
        if advice := rate_advice(config.optimizer, config.lr):  # started so: say it as a change would
            self.controls.advise_rate()
            self.statusBar().showMessage(advice, 15000)
        if settings_notes:
            message = "; ".join(settings_notes)
            self.statusBar().showMessage(f"{message[0].upper()}{message[1:]}.", 30000)

    # Building ------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # slots here take no `checked`
        menu.addAction(action)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.open_action = self._action(file, "&Open…", self.files.ask_open, "Ctrl+O",
                                        "Open a saved run, or a PNG that nnviz exported (or drop one on the window)")
        self.save_action = self._action(file, "&Save run…", self.files.ask_save_run, "Ctrl+S",
                                        "Save the whole run (settings, data, weights, history) to carry on later")
        self.open_data_action = self._action(file, "Open &points (CSV)…", self.files.ask_open_data, "Ctrl+Shift+O",
                                             "Train on your own points: a CSV file with a header such as x,y,label")
        self.save_data_action = self._action(file, "Save p&oints (CSV)…", self.files.ask_save_data, None,
                                             "Save the points, train and test together, as CSV")
        self.open_weights_action = self._action(file, "Open wei&ghts (JSON)…", self.files.ask_open_weights, None,
                                                "Carry on from the weights in a JSON file (tutorial 002's W1, b1, ...): "
                                                "the network becomes the file's if it has another shape")
        self.save_weights_action = self._action(file, "Save weights (&JSON)…", self.files.ask_save_weights, None,
                                                "Save the weights and biases shown as JSON (W1, b1, W2, ...) with the "
                                                "activation and output")
        self.history_action = self._action(file, "Export loss &history (CSV)…", self.files.ask_export_history, None,
                                           "Save the Train view's loss and accuracy history as CSV")
        file.addSeparator()
        self.export_plots_action = self._action(file, "&Export plots…", self.files.ask_export_plots, "Ctrl+E",
                                                "Save the boundary and loss plots as PNG or SVG")
        self.export_window_action = self._action(file, "Export &window…", self.files.ask_export_window, "Ctrl+Shift+E",
                                                 "Save a PNG of the whole window")
        self.copy_action = self._action(file, "&Copy plots", self.files.copy_plots, "Ctrl+Shift+C",
                                        "Copy the plots to the clipboard as an image")
        self.movie_action = self._action(file, "Export &movie…", self.files.ask_export_movie, "Ctrl+M",
                                         "Save the run as a GIF or MP4: replayed from its timeline, or filmed as it trains")
        size_menu = file.addMenu("Export &size")
        group = QActionGroup(self)
        self.scale_actions = {}
        for scale in (1, 2, 3, 4):
            action = QAction(f"{scale}× screen size", self, checkable=True)
            action.triggered.connect(lambda _checked, s=scale: setattr(self.files, "export_scale", s))
            group.addAction(action)
            size_menu.addAction(action)
            self.scale_actions[scale] = action
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        self.csv_action = self._action(file, "Export sweep &figures (CSV)…", self.files.ask_export_csv, None,
                                       "Save each compared network's final loss and accuracies as CSV")
        file.insertAction(file.actions()[file.actions().index(self.history_action) + 1], self.csv_action)

        run = bar.addMenu("&Run")  # each acts on the tab in view: the network, or the sweep
        self.train_action = self._action(run, "Train / Pause", lambda: self._runner().toggle(), "Space",
                                         "Start or pause training")
        self._action(run, "Step", lambda: self._runner().step(), "S", "Pause and do one gradient step")
        self._action(run, "Reset", lambda: self._runner().reset(), "R", "Start again from the initial weights")
        self._action(run, "New data", self.controls.new_data.click, "N", "Draw new points with the next seed")
        self._action(run, "Pin picture", self.pin, "P", "Keep the current picture in Compare > Pinned")
        self._action(run, "Faster", lambda: self.controls.change_speed(1), "+", "Train faster (up to full speed)")
        self._action(run, "Slower", lambda: self.controls.change_speed(-1), "-", "Train slower: slow motion, down to a step a second")

        def check_gradients() -> None:  # its module is loaded when first asked for, as the help texts are
            from nnviz.gui.check.gradient_check_dialog import check_gradients_of

            check_gradients_of(self.session, self)

        self.check_gradients_action = self._action(
            run, "Check gradients", check_gradients, None,
            "Pause, and compare backpropagation's gradient with numerical differences for this network and its points")
        run.addSeparator()
        moments = [
            self._action(run, "Earlier moment", lambda: self._replay() and self._replay().step_by(-1), "Left",
                         "Show the kept moment before the one shown (training pauses)"),
            self._action(run, "Later moment", lambda: self._replay() and self._replay().step_by(1), "Right",
                         "Show the kept moment after the one shown"),
            self._action(run, "Latest step", lambda: self._replay() and self._replay().go_live(), "End",
                         "Back from the timeline to the latest step"),
        ]
        for action in moments:  # the arrows and End stay the control panel's (and the sweep's text field's) own
            self.removeAction(action)
            for widget in (self.view, *self.compare.replay_area):
                widget.addAction(action)
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)

        view = bar.addMenu("&View")
        self.log_action = self._action(view, "&Log-scale loss", self.view.log_scale.toggle, "L")
        self._action(view, "Log-scale &steps", self.view.log_steps.toggle, "Shift+L", self.view.log_steps.toolTip())
        self._action(view, "Linear &baseline", self.view.baseline_box.toggle, "B",
                     "Overlay a logistic regression's boundary on the same data")
        self._action(view, "&Draw points", self.controls.draw_button.toggle, "D",
                     "Click to add points, drag to spray, right-click to remove")
        self.inside_action = self._action(view, "&Hidden units panel", self._toggle_inside, "H",
                                          "Show or hide the network diagram and the hidden units' maps")
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Getting started", lambda: _help().show_getting_started(self),
                     tip="What to press first, and where things are")
        self._action(help_menu, "&Keyboard shortcuts", lambda: _help().show_keys(self),
                     tip="Every key of the window")
        help_menu.addSeparator()
        self._action(help_menu, "&About nnviz", lambda: _help().show_about(self),
                     tip="What nnviz is, and what its loss and steps compute")

        toolbar = self.addToolBar("Export")
        toolbar.setObjectName("export_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for action in (self.export_plots_action, self.export_window_action, self.copy_action):
            toolbar.addAction(action)

    # Persistence ---------------------------------------------------------------------------
    def _restore(self) -> None:
        if self.settings is None:
            self.scale_actions[self.files.export_scale].setChecked(True)
            return
        s = self.settings  # each value read as missing when it is not what we wrote (stored.read_*)
        for key, restore in ((stored.GEOMETRY, self.restoreGeometry), (stored.STATE, self.restoreState),
                             (stored.SPLITTER, self.view.splitter.restoreState)):
            if (saved := stored.read_bytes(s, key)) is not None:
                restore(saved)
        self.files.export_scale = stored.read_int(s, stored.EXPORT_SCALE, 2, self.scale_actions)
        self.scale_actions[self.files.export_scale].setChecked(True)
        self.view.log_scale.setChecked(stored.read_bool(s, stored.LOG_SCALE))
        self.view.log_steps.setChecked(stored.read_bool(s, stored.LOG_STEPS))

    def _remember(self) -> None:
        if self.settings is None or self.session.config == self.settings_kept_for:
            return  # nothing changed since the settings were found damaged: they stay as they were
        s = self.settings
        stored.save_config(s, self.session.config)
        s.setValue(stored.GEOMETRY, self.saveGeometry())
        s.setValue(stored.STATE, self.saveState())
        s.setValue(stored.SPLITTER, self.view.splitter.saveState())
        s.setValue(stored.EXPORT_SCALE, self.files.export_scale)
        s.setValue(stored.LOG_SCALE, self.view.log_scale.isChecked())
        s.setValue(stored.LOG_STEPS, self.view.log_steps.isChecked())
        s.sync()

    def closeEvent(self, event) -> None:
        self._closed = True  # a window taken apart drops its tabs one by one: none may start explaining
        self.explain.set_active(False)
        self.session.shutdown()
        self.compare.session.shutdown()
        self.files.close()
        self._remember()
        super().closeEvent(event)

    def show_error(self, message: str) -> None:
        """Tell the user something failed; nothing else changes."""
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, "nnviz", message)

    def pin(self) -> None:
        """Keep the Train view's current picture in the Compare tab's gallery."""
        snapshot = self.view.latest
        c = self.session.config
        task = self.session.dataset.task  # (of the user's points, known from the points alone)
        label = PART.join((c.dataset, network_name(c, task), training_name(c), f"step {snapshot.step:,}"))
        self.compare.add_pin(Pin(label, c, self.session.dataset, snapshot))
        self.statusBar().showMessage(f"Pinned: {label} (see Compare > Pinned)", 5000)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files.open_file(paths[0])

    def _runner(self):
        return self.compare.session if self.tabs.currentWidget() is self.compare else self.session

    def _replay(self) -> Replay | None:
        """The timeline in view: the Train view's or the sweep's (none for the pinned pictures)."""
        if self.tabs.currentWidget() is not self.compare:
            return self.replay
        return None if self.compare.showing_pins else self.compare_replay

    # Session events ------------------------------------------------------------------------
    def _on_config_edited(self, config: TrainingConfig) -> None:
        before = self.session.config.optimizer
        try:
            self.session.apply(config)
        except ConfigError as error:  # the controls keep values in range; this is a last guard
            self.statusBar().showMessage(str(error), 10000)
            self.controls.show_config(self.session.config)
            return
        if config.optimizer != before:
            advice = rate_advice(config.optimizer, config.lr)  # the panel offers a usual rate beside it
            self.statusBar().showMessage(f"Now training with {config.optimizer}: its state starts afresh, "
                                         f"the weights carry on. {advice}".rstrip(), 15000 if advice else 8000)
        self.compare.base = self.session.config
        self._update_title()

    def _on_run_reset(self, snapshot: TrainingSnapshot) -> None:
        if len(self.session.dataset.y_train) and self.statusBar().currentMessage().startswith("Making the"):
            self.statusBar().showMessage("The points are here. Press Space to train.", 5000)
        self.view.show_message("")
        self.view.set_dataset(self.session.dataset, fit_view=not self.point_editor.editing)
        self.view.show_snapshot(snapshot)
        self._on_data_changed()

    def _on_points_edited(self, data) -> None:
        self.view.set_dataset(data, fit_view=False)
        self._on_data_changed()

    def _on_data_changed(self) -> None:
        """After new data or edited points: the Compare tab sweeps them too, and the controls
        and title say what they are."""
        self.compare.base, self.compare.dataset = self.session.config, self.session.dataset
        self._update_title()
        user_data = self.session.user_data
        self.controls.set_user_data(None if user_data is None else user_data.name)
        data = self.session.dataset
        self.controls.show_data(data)
        if self.controls.config() != self.session.config:  # e.g. drawing turned the data into the user's own
            self.controls.show_config(self.session.config)

    def _on_tab_changed(self, _index: int) -> None:
        if self._closed:
            return
        explaining = self.tabs.currentWidget() is self.explain
        if explaining and self.replay.index is not None:  # the step explained is the run's next, not a moment's
            self.replay.go_live()
        self.explain.set_active(explaining)

    def _toggle_inside(self) -> None:
        self.view.inside.setVisible(not self.view.inside.isVisible())
        self.view.draw_now()  # a panel shown while paused needs a picture

    def _on_running_changed(self, running: bool) -> None:
        self.view.running = running
        if not running:
            self.view.draw_now()  # the last snapshot whole: while running, the loss curve skips some
        self.controls.show_running(running)
        if running:
            self.view.show_message("")
            self.compare.session.pause()  # one training at a time: each gets a core
        head = head_words(self.session.config, self.session.dataset.task)  # which loss is falling
        self.statusBar().showMessage(f"Training: {head}…" if running else "Paused.", 3000)

    def _on_sweep_running_changed(self, running: bool) -> None:
        if running:
            self.session.pause()

    def _on_file_opened(self, config: TrainingConfig) -> None:
        """A run, picture or points opened: the controls show their settings, in the Train view."""
        self.controls.show_config(config)
        self.tabs.setCurrentWidget(self.view)

    def _on_network_opened(self, config: TrainingConfig, trainer, dataset, running: bool) -> None:
        """A tile's network goes on in the Train view as its sweep was: training, or paused."""
        if not running:
            self.session.pause()  # (the Train view's own run may have been left training)
        self.tabs.setCurrentWidget(self.view)  # first: panels out of sight skip drawing, and no snapshot follows a paused one
        self.controls.show_config(config)
        self.session.adopt(config, trainer, dataset)
        if running:
            self.session.start()
        else:
            self.statusBar().showMessage(f"Opened {network_name(config, dataset.task)} at step {trainer.step_count:,}, "
                                         "paused as its sweep was: press Space to train it.", 8000)

    def _on_diverged(self, message: str) -> None:
        self.view.show_message(message)
        self.statusBar().showMessage(message)

    def _update_title(self) -> None:
        c = self.session.config
        data = "your points" if c.dataset == CUSTOM else c.dataset
        self.setWindowTitle(f"nnviz — {data}, {network_name(c, self.session.dataset.task)}, {training_name(c)}")


def _help():
    """The help texts, loaded when first asked for: the window's start need not wait for them."""
    from nnviz.gui import help_dialogs

    return help_dialogs
