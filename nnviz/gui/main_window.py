"""The main window: assembles the control panel and the training view, menus and shortcuts."""

from __future__ import annotations

from importlib import resources

from PyQt5.QtCore import QSettings, Qt
from PyQt5.QtGui import QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
)

from nnviz.core.config import TrainingConfig
from nnviz.core.history import write_history_csv
from nnviz.core.runfile import SUFFIX, RunFileError, load_run, save_run
from nnviz.core.training import TrainingSnapshot
from nnviz.gui import export
from nnviz.gui import settings as stored
from nnviz.gui.compare_view import CompareView, Pin
from nnviz.gui.controls import ControlPanel
from nnviz.gui.session import TrainingSession
from nnviz.gui.training_view import TrainingView

CONTROLS_WIDTH = 330


def app_icon() -> QIcon:
    """The nnviz icon from the installed resources."""
    with resources.as_file(resources.files("nnviz.resources") / "nnviz.svg") as path:
        return QIcon(str(path))


class MainWindow(QMainWindow):
    """Controls on the left, plots on the right; the session does the work."""

    def __init__(self, config: TrainingConfig, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings  # None: remember nothing (screenshots, tests)
        self.session = TrainingSession(config, self)
        self.controls = ControlPanel(config)
        self.view = TrainingView()
        self.compare = CompareView(self.session.config, self.session.dataset)
        self.export_scale = 2
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view, "Train")
        self.tabs.addTab(self.compare, "Compare")
        self.tabs.setTabToolTip(0, "One network, live")
        self.tabs.setTabToolTip(1, "Several networks side by side: a sweep, or the pictures you pinned")

        scroll = QScrollArea()
        scroll.setWidget(self.controls)
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

        self.controls.config_edited.connect(self._on_config_edited)
        self.controls.train_toggled.connect(self.session.toggle)
        self.controls.step_clicked.connect(self.session.step)
        self.controls.reset_clicked.connect(self.session.reset)
        self.controls.pin_clicked.connect(self.pin)
        self.session.snapshot_ready.connect(self.view.show_snapshot)
        self.session.run_reset.connect(self._on_run_reset)
        self.session.running_changed.connect(self._on_running_changed)
        self.session.diverged.connect(self._on_diverged)
        self.compare.network_opened.connect(self._on_network_opened)
        self.compare.session.running_changed.connect(self._on_sweep_running_changed)
        self.compare.export_requested.connect(self._on_export_plots)
        self.compare.csv_requested.connect(self._on_export_csv)

        self.resize(1280, 860)
        self._restore()
        self._on_run_reset(self.session.snapshot())

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
        self.open_action = self._action(file, "&Open…", self._on_open, "Ctrl+O",
                                        "Open a saved run, or a PNG that nnviz exported (or drop one on the window)")
        self.save_action = self._action(file, "&Save run…", self._on_save_run, "Ctrl+S",
                                        "Save the whole run (settings, data, weights, history) to carry on later")
        self.history_action = self._action(file, "Export loss &history (CSV)…", self._on_export_history, None,
                                           "Save the Train view's loss and accuracy history as CSV")
        file.addSeparator()
        self.export_plots_action = self._action(file, "&Export plots…", self._on_export_plots, "Ctrl+E",
                                                "Save the boundary and loss plots as PNG or SVG")
        self.export_window_action = self._action(file, "Export &window…", self._on_export_window, "Ctrl+Shift+E",
                                                 "Save a PNG of the whole window")
        self.copy_action = self._action(file, "&Copy plots", self._on_copy, "Ctrl+Shift+C",
                                        "Copy the plots to the clipboard as an image")
        size_menu = file.addMenu("Export &size")
        group = QActionGroup(self)
        self.scale_actions = {}
        for scale in (1, 2, 3, 4):
            action = QAction(f"{scale}× screen size", self, checkable=True)
            action.triggered.connect(lambda _checked, s=scale: setattr(self, "export_scale", s))
            group.addAction(action)
            size_menu.addAction(action)
            self.scale_actions[scale] = action
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        self.csv_action = self._action(file, "Export sweep &figures (CSV)…", self._on_export_csv, None,
                                       "Save each compared network's final loss and accuracies as CSV")
        file.insertAction(file.actions()[3], self.csv_action)

        run = bar.addMenu("&Run")  # each acts on the tab in view: the network, or the sweep
        self.train_action = self._action(run, "Train / Pause", lambda: self._runner().toggle(), "Space",
                                         "Start or pause training")
        self._action(run, "Step", lambda: self._runner().step(), "S", "Pause and do one gradient step")
        self._action(run, "Reset", lambda: self._runner().reset(), "R", "Start again from the initial weights")
        self._action(run, "New data", self.controls.new_data.click, "N", "Draw new points with the next seed")
        self._action(run, "Pin picture", self.pin, "P", "Keep the current picture in Compare > Pinned")

        view = bar.addMenu("&View")
        self.log_action = self._action(view, "&Log-scale loss", self.view.log_scale.toggle, "L")
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About nnviz", self._on_about)

        toolbar = self.addToolBar("Export")
        toolbar.setObjectName("export_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for action in (self.export_plots_action, self.export_window_action, self.copy_action):
            toolbar.addAction(action)

    # Persistence ---------------------------------------------------------------------------
    def _restore(self) -> None:
        if self.settings is None:
            self.scale_actions[self.export_scale].setChecked(True)
            return
        s = self.settings
        if s.contains(stored.GEOMETRY):
            self.restoreGeometry(s.value(stored.GEOMETRY))
        if s.contains(stored.STATE):
            self.restoreState(s.value(stored.STATE))
        if s.contains(stored.SPLITTER):
            self.view.splitter.restoreState(s.value(stored.SPLITTER))
        self.export_scale = s.value(stored.EXPORT_SCALE, 2, type=int)
        self.scale_actions.get(self.export_scale, self.scale_actions[2]).setChecked(True)
        self.view.log_scale.setChecked(s.value(stored.LOG_SCALE, False, type=bool))

    def _remember(self) -> None:
        if self.settings is None:
            return
        s = self.settings
        stored.save_config(s, self.session.config)
        s.setValue(stored.GEOMETRY, self.saveGeometry())
        s.setValue(stored.STATE, self.saveState())
        s.setValue(stored.SPLITTER, self.view.splitter.saveState())
        s.setValue(stored.EXPORT_SCALE, self.export_scale)
        s.setValue(stored.LOG_SCALE, self.view.log_scale.isChecked())
        s.sync()

    def closeEvent(self, event) -> None:
        self.session.shutdown()
        self.compare.session.shutdown()
        self._remember()
        super().closeEvent(event)

    # Exports -------------------------------------------------------------------------------
    def export_texts(self) -> dict[str, str]:
        """The PNG text chunks for the current picture."""
        return export.metadata(self.session.config, self.view.latest.step if self.view.latest else 0)

    def _default_path(self, suffix: str = ".png") -> str:
        step = self.view.latest.step if self.view.latest else 0
        return export.default_name(self.session.config, step, suffix)

    def export_plots(self, path: str) -> bool:
        """Save the plots of the tab in view to ``path`` (on the Train tab .svg as SVG, anything
        else as PNG; on the Compare tab the grid as PNG); False on failure."""
        if self.tabs.currentWidget() is self.compare:
            return self._save(lambda: self.compare.export_grid(path, self.export_scale), path)
        self.view.draw_now()
        if path.lower().endswith(".svg"):
            return self._save(lambda: export.save_svg(self.view.plots, path, self.export_texts()), path)
        image = export.render(self.view.plots, self.export_scale)
        return self._save(lambda: export.save_png(image, path, self.export_texts()), path)

    def export_window(self, path: str) -> bool:
        """Save a PNG of the whole window to ``path``; False on failure."""
        self.view.draw_now()
        image = self.grab().toImage()
        return self._save(lambda: export.save_png(image, path, self.export_texts()), path)

    def _save(self, write, path: str) -> bool:
        try:
            write()
        except export.ExportError as error:
            self.show_error(str(error))
            return False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def show_error(self, message: str) -> None:
        """Tell the user something failed; nothing else changes."""
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, "nnviz", message)

    def _on_export_plots(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", self._default_path(),
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_plots(path)

    def _on_export_window(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export window", self._default_path(), "PNG image (*.png)")
        if path:
            self.export_window(path)

    def export_csv(self, path: str) -> bool:
        """Save the Compare tab's figures as CSV; False on failure."""
        return self._save(lambda: self.compare.export_csv(path), path)

    def pin(self) -> None:
        """Keep the Train view's current picture in the Compare tab's gallery."""
        snapshot = self.view.latest
        c = self.session.config
        label = f"{c.dataset} · {c.hidden} {c.activation} · lr {c.lr:g} · step {snapshot.step:,}"
        self.compare.add_pin(Pin(label, c, self.session.dataset, snapshot))
        self.statusBar().showMessage(f"Pinned: {label} (see Compare > Pinned)", 5000)

    def save_run(self, path: str) -> bool:
        """Save the Train view's whole run to ``path`` (training carries on); False on failure."""
        config = self.session.config
        return self._save(lambda: self.session.with_trainer(lambda trainer: save_run(path, config, trainer)), path)

    def open_file(self, path: str) -> bool:
        """Open a run file (carries on from its step) or an nnviz PNG (its settings, from step 0).
        Anything else gets a message and changes nothing; False then."""
        try:
            if export.is_png(path):
                config, trainer = export.config_from_png(path), None
            else:
                config, trainer = load_run(path)
        except RunFileError as error:
            self.show_error(str(error))
            return False
        self.controls.show_config(config)
        if trainer is None:
            self.session.open_config(config)
        else:
            self.session.adopt(config, trainer, trainer.data)
        self.tabs.setCurrentWidget(self.view)
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def export_history(self, path: str) -> bool:
        """Save the Train view's loss history as CSV; False on failure."""
        history = self.view.latest.history
        return self._save(lambda: write_history_csv(path, history), path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_file(paths[0])

    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", "", "nnviz runs and pictures (*.nnviz *.png);;All files (*)")
        if path:
            self.open_file(path)

    def _on_save_run(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save run", self._default_path(SUFFIX), f"nnviz run (*{SUFFIX})")
        if path:
            self.save_run(path)

    def _on_export_history(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export loss history", self._default_path(".csv"), "CSV table (*.csv)")
        if path:
            self.export_history(path)

    def _runner(self):
        return self.compare.session if self.tabs.currentWidget() is self.compare else self.session

    def _on_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export figures", "nnviz-sweep.csv", "CSV table (*.csv)")
        if path:
            self.export_csv(path)

    def _on_copy(self) -> None:
        self.view.draw_now()
        export.copy_to_clipboard(export.render(self.view.plots, self.export_scale))
        self.statusBar().showMessage("Plots copied to the clipboard.", 5000)

    def _on_about(self) -> None:
        QMessageBox.about(self, "About nnviz", "<b>nnviz</b><br>Watch a small neural network learn.<br><br>"
                          "Loss: mean cross-entropy + l2/2·Σw². Step: w −= lr · gradient.")

    # Session events ------------------------------------------------------------------------
    def _on_config_edited(self, config: TrainingConfig) -> None:
        self.session.apply(config)
        self.compare.base = self.session.config
        self._update_title()

    def _on_run_reset(self, snapshot: TrainingSnapshot) -> None:
        self.view.show_message("")
        self.view.set_dataset(self.session.dataset)
        self.view.show_snapshot(snapshot)
        self.compare.base, self.compare.dataset = self.session.config, self.session.dataset
        self._update_title()

    def _on_running_changed(self, running: bool) -> None:
        self.view.running = running
        self.controls.show_running(running)
        if running:
            self.view.show_message("")
            self.compare.session.pause()  # one training at a time: each gets a core
        self.statusBar().showMessage("Training…" if running else "Paused.", 3000)

    def _on_sweep_running_changed(self, running: bool) -> None:
        if running:
            self.session.pause()

    def _on_network_opened(self, config: TrainingConfig, trainer, dataset) -> None:
        self.controls.show_config(config)
        self.session.adopt(config, trainer, dataset)
        self.tabs.setCurrentWidget(self.view)
        self.session.start()

    def _on_diverged(self, message: str) -> None:
        self.view.show_message(message)
        self.statusBar().showMessage(message)

    def _update_title(self) -> None:
        c = self.session.config
        units = "unit" if c.hidden == 1 else "units"
        self.setWindowTitle(f"nnviz — {c.dataset}, {c.hidden} {c.activation} hidden {units}, lr {c.lr:g}")
