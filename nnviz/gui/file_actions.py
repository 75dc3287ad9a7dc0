"""What the File menu does: pictures, tables and run files in and out, with dialogs and errors.

Each ``export_*``/``save_run``/``open_file`` method takes a path and returns False after
telling the user what went wrong (nothing else changes); the ``ask_*`` slots open the
file dialog first.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QFileDialog

from nnviz.core.datafile import DataFileError, read_data_csv, write_data_csv
from nnviz.core.datasets import CUSTOM
from nnviz.core.files import SaveError
from nnviz.core.history import write_history_csv
from nnviz.core.runfile import SUFFIX, RunFileError, load_run, save_run
from nnviz.gui import export


class FileActions(QObject):
    """File operations on a :class:`~nnviz.gui.main_window.MainWindow`'s views and sessions."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.export_scale = export.DEFAULT_SCALE

    # Paths in -------------------------------------------------------------------------------
    def export_texts(self) -> dict[str, str]:
        """The PNG text chunks for the Train view's current picture."""
        w = self.window
        return export.metadata(w.session.config, w.view.latest.step if w.view.latest else 0)

    def default_name(self, suffix: str = ".png") -> str:
        """A file name that says what the Train view shows."""
        w = self.window
        return export.default_name(w.session.config, w.view.latest.step if w.view.latest else 0, suffix)

    def export_plots(self, path: str) -> bool:
        """The plots of the tab in view: on the Train tab .svg as SVG, anything else as PNG; on
        the Compare tab the grid as PNG."""
        w = self.window
        if w.tabs.currentWidget() is w.compare:
            return self._save(lambda: w.compare.export_grid(path, self.export_scale), path)
        w.view.draw_now()
        if path.lower().endswith(".svg"):
            return self._save(lambda: export.save_svg(w.view.plots, path, self.export_texts()), path)
        image = export.render(w.view.plots, self.export_scale)
        return self._save(lambda: export.save_png(image, path, self.export_texts()), path)

    def export_window(self, path: str) -> bool:
        """A PNG of the whole window."""
        self.window.view.draw_now()
        image = self.window.grab().toImage()
        return self._save(lambda: export.save_png(image, path, self.export_texts()), path)

    def export_csv(self, path: str) -> bool:
        """The Compare tab's figures as CSV."""
        return self._save(lambda: self.window.compare.export_csv(path), path)

    def export_history(self, path: str) -> bool:
        """The Train view's loss history as CSV."""
        history = self.window.view.latest.history
        return self._save(lambda: write_history_csv(path, history), path)

    def copy_plots(self) -> None:
        """The Train view's plots to the clipboard."""
        self.window.view.draw_now()
        export.copy_to_clipboard(export.render(self.window.view.plots, self.export_scale))
        self.window.statusBar().showMessage("Plots copied to the clipboard.", 5000)

    def save_run(self, path: str) -> bool:
        """The Train view's whole run (training carries on)."""
        session = self.window.session
        config = session.config
        return self._save(lambda: session.with_trainer(lambda trainer: save_run(path, config, trainer)), path)

    def save_data(self, path: str) -> bool:
        """The Train view's points (train and test together) as CSV."""
        return self._save(lambda: write_data_csv(path, self.window.session.dataset), path)

    def open_data(self, path: str) -> bool:
        """Train a fresh network on the points of a CSV file."""
        w = self.window
        try:
            data = read_data_csv(path)
        except DataFileError as error:
            w.show_error(str(error))
            return False
        w.session.load_data(data)
        w.controls.show_config(w.session.config)
        w.tabs.setCurrentWidget(w.view)
        w.statusBar().showMessage(f"Opened {path}: {data.classes} classes, {len(data.y_train):,} points", 5000)
        return True

    def open_file(self, path: str) -> bool:
        """A run file (carries on from its step), an nnviz PNG (its settings, from step 0) or
        a CSV file of points."""
        w = self.window
        if path.lower().endswith(".csv"):
            return self.open_data(path)
        try:
            if export.is_png(path):
                config, trainer = export.config_from_png(path), None
                if config.dataset == CUSTOM:
                    raise RunFileError(f"Cannot open {path}: it shows a run on points of your own, which a "
                                       "picture does not hold; open the saved run or the CSV file instead.")
            else:
                config, trainer = load_run(path)
        except RunFileError as error:
            w.show_error(str(error))
            return False
        w.controls.show_config(config)
        if trainer is None:
            w.session.open_config(config)
        else:
            w.session.adopt(config, trainer, trainer.data)
        w.tabs.setCurrentWidget(w.view)
        w.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def _save(self, write, path: str) -> bool:
        try:
            write()
        except SaveError as error:
            self.window.show_error(str(error))
            return False
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    # Dialogs first --------------------------------------------------------------------------
    def ask_export_plots(self) -> None:
        self._ask_save(self.export_plots, "Export plots", self.default_name(), "PNG image (*.png);;SVG drawing (*.svg)")

    def ask_export_window(self) -> None:
        self._ask_save(self.export_window, "Export window", self.default_name(), "PNG image (*.png)")

    def ask_export_csv(self) -> None:
        self._ask_save(self.export_csv, "Export figures", "nnviz-sweep.csv", "CSV table (*.csv)")

    def ask_export_history(self) -> None:
        self._ask_save(self.export_history, "Export loss history", self.default_name(".csv"), "CSV table (*.csv)")

    def ask_save_run(self) -> None:
        self._ask_save(self.save_run, "Save run", self.default_name(SUFFIX), f"nnviz run (*{SUFFIX})")

    def ask_save_data(self) -> None:
        self._ask_save(self.save_data, "Save points", f"{self.window.session.dataset.name}.csv", "CSV table (*.csv)")

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open", "",
                                              "nnviz runs, pictures and points (*.nnviz *.png *.csv);;All files (*)")
        if path:
            self.open_file(path)

    def ask_open_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open points", "", "CSV table (*.csv);;All files (*)")
        if path:
            self.open_data(path)

    def _ask_save(self, save, title: str, name: str, filters: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, name, filters)
        if path:
            save(path)
