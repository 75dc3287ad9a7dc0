"""What the File menu does: pictures, tables and run files in and out, with dialogs and errors.

Each ``export_*``/``save_*`` method takes a path and reports with ``finished(path, error)``
once the file is written (``error`` empty) or has failed (the user is told; nothing else
changes). Pictures are painted a strip per turn of the event loop (the views hold still
meanwhile) and PNG files are encoded and written on a thread of their own, so the window
never stops answering for an export. ``open_file`` returns False
after telling the user what went wrong. The ``ask_*`` slots open the file dialog first.

Weights files (tutorial ``002``'s dictionary as JSON, :mod:`nnviz.core.io.weights_file`) go
into the network as it is when they fit it; else the network becomes the file's first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PyQt5.QtCore import QObject, QSettings, pyqtSignal
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QFileDialog, QWidget

from nnviz.core.data.datasets import CUSTOM
from nnviz.core.data.idx import is_idx
from nnviz.core.data.points_file import DataFileError, read_points, write_data_csv
from nnviz.core.io.atomic import SaveError
from nnviz.core.io.runfile import SUFFIX, RunFileError, load_run, save_run
from nnviz.core.training.history import write_history_csv
from nnviz.gui.files import export
from nnviz.gui.files.movie_dialog import ask_movie
from nnviz.gui.files.weights_actions import WEIGHTS_SUFFIX, WeightsActions

LAST_FOLDER = "files/last_folder"  # in the window's QSettings: where the last file chosen in a dialog was


class FileActions(WeightsActions, QObject):
    """File operations on the Train view and its session, and on the Compare tab and its sweep.

    ``window`` is painted by Export window and is the file dialogs' parent; ``compare_in_view``
    says whether the Compare tab is the one in view (Export plots then saves its grid);
    ``settings`` (or None) remember where the last file dialog ended. Says what happened through
    ``status`` and ``error``; ``opened`` gives the settings of a file or points opened.
    """

    finished = pyqtSignal(str, str)  # path, and "" when it was written or else why not
    status = pyqtSignal(str, int)  # a message for the status bar, and how many ms it stays (0: until the next)
    error = pyqtSignal(str)  # a sentence for the user: something failed, nothing else changed
    opened = pyqtSignal(object)  # the TrainingConfig of a file opened, as the Train view is about to show it
    _written = pyqtSignal()  # from the writer thread: a file is done

    def __init__(self, window: QWidget, session, view, compare, settings: QSettings | None,
                 compare_in_view: Callable[[], bool]):
        super().__init__(window)
        self.window_widget, self.settings, self.compare_in_view = window, settings, compare_in_view
        self.session, self.view = session, view  # the Train view's
        self.compare = compare  # the Compare tab's
        self.export_scale = export.DEFAULT_SCALE
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnviz-export")  # PNGs and movies are encoded here
        self._closed = False
        self._painting: list[export.StripRenderer] = []
        self._writing: dict[Future, tuple[str, str]] = {}  # files on the writer thread: the path, and what it holds
        self.movies: list = []  # movies being made (MovieExport)
        self._written.connect(self._report_written)
        self.last_folder = _remembered_folder(settings)  # where file dialogs open ("": Qt's choice)

    @property
    def is_writing(self) -> bool:
        """Whether pictures are being painted or files written (exports under way)."""
        return bool(self._painting or self._writing or self.movies)

    # Paths in -------------------------------------------------------------------------------
    def export_texts(self) -> dict[str, str]:
        """The PNG text chunks for the Train view's current picture."""
        return export.metadata(self.session.config, self.view.shown.step if self.view.shown else 0)

    def default_name(self, suffix: str = ".png") -> str:
        """A file name that says what the Train view shows."""
        return export.default_name(self.session.config, self.view.shown.step if self.view.shown else 0, suffix)

    def export_plots(self, path: str) -> None:
        """The plots of the tab in view: on the Train tab .svg as SVG, anything else as PNG; on
        the Compare tab the grid as PNG."""
        if self.compare_in_view():
            try:
                widget, texts = self.compare.grid_picture()
            except SaveError as error:
                self.report(path, str(error))
                return
            self._paint(widget, self.export_scale, lambda image: self._save_png(image, texts, path))
            return
        self.view.draw_now()
        texts = self.export_texts()
        if path.lower().endswith(".svg"):
            self._save(lambda: export.save_svg(self.view.plots, path, texts), path)
            return
        self._paint(self.view.plots, self.export_scale, lambda image: self._save_png(image, texts, path))

    def export_window(self, path: str) -> None:
        """A PNG of the whole window."""
        self.view.draw_now()
        texts = self.export_texts()
        self._paint(self.window_widget, 1, lambda image: self._save_png(image, texts, path))

    def export_csv(self, path: str) -> None:
        """The Compare tab's figures as CSV."""
        self._save(lambda: self.compare.export_csv(path), path)

    def export_history(self, path: str) -> None:
        """The Train view's loss history as CSV (a regression's R² named as such)."""
        history, data = self.view.latest.history, self.view.data
        self._save(lambda: write_history_csv(path, history, data is not None and data.regression), path)

    def copy_plots(self) -> None:
        """The Train view's plots to the clipboard."""
        self.view.draw_now()
        self._paint(self.view.plots, self.export_scale, self._copy)

    def _copy(self, image: QImage) -> None:
        export.copy_to_clipboard(image)
        self.status.emit("Plots copied to the clipboard.", 5000)

    def save_run(self, path: str) -> None:
        """The Train view's whole run, as soon as the trainer is back from the training process
        (training carries on)."""
        config = self.session.config
        self.session.with_trainer(lambda trainer: self._save(lambda: save_run(path, config, trainer), path))

    def save_data(self, path: str) -> None:
        """The Train view's points (train and test together) as CSV."""
        self._save(lambda: write_data_csv(path, self.session.dataset), path)

    def open_data(self, path: str) -> bool:
        """Train a fresh network on the points of a CSV file, or the images of an IDX file."""
        try:
            data = read_points(path)
        except DataFileError as error:
            self.error.emit(str(error))
            return False
        self.session.load_data(data)
        self.opened.emit(self.session.config)
        what = "images" if data.image_shape else "points"
        kind = "values to fit (regression)" if data.regression else f"{data.classes} classes"
        self.status.emit(f"Opened {path}: {kind}, {len(data.y_train):,} {what}", 5000)
        return True

    def open_file(self, path: str) -> bool:
        """A run file (carries on from its step), an nnviz PNG (its settings, from step 0), a
        CSV file of points or a JSON file of weights."""
        if path.lower().endswith(".csv") or is_idx(path):
            return self.open_data(path)
        if path.lower().endswith(WEIGHTS_SUFFIX):
            return self.open_weights(path)
        try:
            if export.is_png(path):
                config, trainer = export.config_from_png(path), None
                if config.dataset == CUSTOM:
                    raise RunFileError(f"Cannot open {path}: it shows a run on points of your own, which a "
                                       "picture does not hold; open the saved run or the CSV file instead.")
            else:
                config, trainer = load_run(path)
        except RunFileError as error:
            self.error.emit(str(error))
            return False
        self.opened.emit(config)
        if trainer is None:
            self.session.open_config(config)
        else:
            self.session.adopt(config, trainer, trainer.data)
        self.status.emit(f"Opened {path}", 5000)
        return True

    def close(self) -> None:
        """Finish the pictures and files under way (the window is closing); later ones are
        made at once."""
        for renderer in list(self._painting):
            renderer.finish_now()
        for movie in self.movies:
            movie.cancel()
        self.writer.shutdown(wait=True)
        self._report_written()
        self._closed = True

    def _paint(self, widget, scale: float, then) -> None:
        """Paint ``widget`` a strip at a time with the views held still, then ``then(image)``."""
        views = (self.view, self.compare)
        renderer = export.StripRenderer(widget, scale, self)
        self._painting.append(renderer)

        def finished(image: QImage) -> None:
            self._painting.remove(renderer)
            renderer.deleteLater()
            for view in views:
                view.hold_drawing(False)
            then(image)

        for view in views:
            view.hold_drawing(True)
        renderer.finished.connect(finished)
        if self._closed:
            renderer.finish_now()
        else:
            renderer.start()

    def _save(self, write, path: str) -> None:
        """Write now, on this thread (files that take a few milliseconds)."""
        try:
            write()
        except SaveError as error:
            self.report(path, str(error))
            return
        self.report(path, "")

    def _save_png(self, image: QImage, texts: dict[str, str], path: str) -> None:
        """Encode and write ``image`` on the writer thread; ``finished`` follows."""
        self._write_later(lambda: _write_png(image, texts, path), path)

    def _write_later(self, write: Callable[[], str], path: str, what: str = "") -> None:
        """Call ``write`` (it returns why it failed, or "") on the writer thread; ``finished``
        follows. ``what``: the status bar's words for what ``path`` holds."""
        if self._closed:
            self.report(path, write(), what)
            return
        self.status.emit(f"Saving {what + ' to ' if what else ''}{path}…", 0)
        future = self.writer.submit(write)
        self._writing[future] = (path, what)
        future.add_done_callback(lambda _future: self._written.emit())

    def _report_written(self) -> None:
        for future in [f for f in self._writing if f.done()]:
            path, what = self._writing.pop(future)
            self.report(path, future.result(), what)

    def report(self, path: str, error: str, what: str = "") -> None:
        """Say how writing ``path`` (holding ``what``, in words) went ("" when it was written),
        then ``finished``."""
        if error:
            self.error.emit(error)
        else:
            self.status.emit(f"Saved {what + ' to ' if what else ''}{path}", 5000)
        self.finished.emit(path, error)

    # Dialogs first --------------------------------------------------------------------------
    def dialog_path(self, name: str = "") -> str:
        """Where a file dialog starts: ``name`` in the folder used last (in this session or,
        remembered, the one before)."""
        if not (self.last_folder and name):
            return self.last_folder or name
        return os.path.join(self.last_folder, name)

    def chosen(self, path: str) -> str:
        """Note ``path``, chosen in a file dialog: its folder is where the next dialog opens.
        Returns ``path`` ("" when the user cancelled, which changes nothing)."""
        if path:
            self.last_folder = os.path.dirname(os.path.abspath(path))
            if self.settings is not None:
                self.settings.setValue(LAST_FOLDER, self.last_folder)
        return path

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
        self._ask_save(self.save_data, "Save points", f"{self.session.dataset.name}.csv", "CSV table (*.csv)")

    def ask_export_movie(self) -> None:
        ask_movie(self)

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window_widget, "Open", self.dialog_path(),
                                              "nnviz runs, pictures, points and weights (*.nnviz *.png *.csv *.json);;"
                                              "All files (*)")
        if self.chosen(path):
            self.open_file(path)

    def ask_open_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window_widget, "Open points", self.dialog_path(),
                                              "CSV table or MNIST images (*.csv *idx3-ubyte *idx3-ubyte.gz);;All files (*)")
        if self.chosen(path):
            self.open_data(path)

    def _ask_save(self, save, title: str, name: str, filters: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window_widget, title, self.dialog_path(name), filters)
        if self.chosen(path):
            save(path)


def _remembered_folder(settings) -> str:
    """The folder the last session's dialogs ended in, if it is still there (anything else
    stored under the key is ignored: nothing remembered may stop the window)."""
    folder = settings.value(LAST_FOLDER, "") if settings is not None else ""
    return folder if isinstance(folder, str) and folder and os.path.isdir(folder) else ""


def _write_png(image: QImage, texts: dict[str, str], path: str) -> str:
    """Write a PNG (on the writer thread: the image is its alone, and a QImage may be saved off
    the GUI thread); the reason it failed, or "" when it is written."""
    try:
        export.save_png(image, path, texts)
    except SaveError as error:
        return str(error)
    return ""
