"""File > Export movie: what to film and how, then the frames under a progress dialog.

Frames are made one per turn of the event loop (so Cancel answers) and handed to the writer
thread, which encodes them as they come: a movie is never held whole in memory as pictures.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Executor, Future

from PyQt5.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from nnviz.core.io.atomic import SaveError
from nnviz.core.io.movie import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    FPS_RANGE,
    FRAMES_RANGE,
    MovieError,
    movie_kind,
    write_movie,
)
from nnviz.core.io.picture_texts import metadata, run_title, sweep_texts
from nnviz.gui.files.movie_export import movie_comment, recorded_frames, timeline_frames

TRAIN_VIEW, GRID = "train", "grid"
TIMELINE, LIVE = "timeline", "live"
DEFAULT_LIVE_STEPS = 3000


class MovieDialog(QDialog):
    """Asks what the movie shows, where its frames come from, how many and how fast."""

    def __init__(self, parent, *, has_sweep: bool, grid_first: bool = False):
        """``grid_first``: the Compare grid is chosen to begin with (its tab is in view)."""
        super().__init__(parent)
        self.setWindowTitle("Export movie")
        self.shows = QComboBox()
        self.shows.addItem("Train view: boundary and loss curve", TRAIN_VIEW)
        if has_sweep:
            self.shows.addItem("Compare grid: the sweep's networks", GRID)
            self.shows.setCurrentIndex(1 if grid_first else 0)
        self.source = QComboBox()
        self.source.addItem("The timeline: the run so far, replayed", TIMELINE)
        self.source.addItem("Recording live: train on and film it", LIVE)
        self.frames = QSpinBox(minimum=FRAMES_RANGE[0], maximum=FRAMES_RANGE[1], value=DEFAULT_FRAMES)
        self.fps = QSpinBox(minimum=FPS_RANGE[0], maximum=FPS_RANGE[1], value=DEFAULT_FPS)
        self.steps = QSpinBox(minimum=1, maximum=10**7, value=DEFAULT_LIVE_STEPS, singleStep=100)
        self.steps.setToolTip("How many more steps the recording trains; frames are dense early")
        self.shows.currentIndexChanged.connect(self._update)
        self.source.currentIndexChanged.connect(self._update)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Show", self.shows)
        form.addRow("Frames from", self.source)
        form.addRow("Frames", self.frames)
        form.addRow("Frames a second", self.fps)
        form.addRow("Steps to record", self.steps)
        form.addRow(buttons)
        self._update()

    def _update(self) -> None:
        self.steps.setEnabled(self.source.currentData() == LIVE)


class MovieExport(QObject):
    """One movie being made: frames from ``frames`` (an iterator), a progress dialog, the writer
    thread encoding; ``finished(path, error)`` at the end ("" when written, "cancelled")."""

    finished = pyqtSignal(str, str)
    _encoded = pyqtSignal()

    def __init__(self, window: QWidget, writer: Executor, path: str, steps: list[int], frames, fps: int,
                 comment: Callable[[], str]):
        """``window``: the progress dialog's parent. ``steps``: each frame's step, cut short as
        the frames are made if a divergence ends the movie; ``comment()``: the movie's comment
        for the steps, asked here (never by the writer thread) now and once the frames are made."""
        super().__init__(window)
        self.path, self.steps, self._frames = path, steps, frames
        self._comment = comment
        self._comment_text = comment()  # the writer reads this string; it is made anew at the end
        self._queue: queue.Queue = queue.Queue(maxsize=8)  # a few frames ahead of the encoder at most
        self._made = 0
        self.progress = QProgressDialog(f"Making {path}…", "Cancel", 0, len(steps), window)
        self.progress.setWindowTitle("Export movie")
        self.progress.setWindowModality(Qt.WindowModal)
        self.progress.setMinimumDuration(0)
        # One shot a frame: making one processes events, which must not start the next meanwhile.
        self._timer = QTimer(self, interval=0, singleShot=True, timeout=self._next_frame)
        self._encoded.connect(self._report)
        self.future: Future = writer.submit(write_movie, path, self._queued(), fps, lambda: self._comment_text)
        self.future.add_done_callback(lambda _future: self._encoded.emit())
        self._timer.start()

    def _queued(self):
        while (frame := self._queue.get()) is not None:
            if frame is _CANCEL:
                raise _Cancelled
            yield frame

    def _next_frame(self) -> None:
        if self.progress.wasCanceled():
            self._stop(_CANCEL)
            return
        try:
            frame = next(self._frames)
        except StopIteration:
            self._stop(None)
            return
        self._queue.put(frame)
        self._timer.start()
        self._made += 1
        self.progress.setValue(self._made)
        self.progress.setLabelText(f"Making {self.path}: frame {self._made} of {len(self.steps)} "
                                   f"(step {self.steps[self._made - 1]:,})")

    def cancel(self) -> None:
        """Stop making frames; nothing is written (the window is closing)."""
        if not self.future.done():
            self._stop(_CANCEL)

    def _stop(self, last) -> None:
        self._timer.stop()
        self._frames.close()
        if last is None:  # every frame made: the comment names the steps they reached
            self._comment_text = self._comment()
        self._queue.put(last)  # after the comment: the writer asks for it once it has the end

    def _report(self) -> None:
        self.progress.reset()
        error = self.future.exception()
        if error is None:
            self.finished.emit(self.path, "")
        elif isinstance(error, _Cancelled):
            self.finished.emit(self.path, "cancelled")
        elif isinstance(error, SaveError):
            self.finished.emit(self.path, str(error))
        else:
            raise error
        self.deleteLater()


class _Cancelled(Exception):
    """The user cancelled: the temporary file goes, any old file stays."""


_CANCEL = object()


def ask_movie(files) -> MovieExport | None:
    """File > Export movie for ``files`` (a :class:`FileActions`): the dialog, the path, then
    the export (None if the user backed out)."""
    window = files.window_widget
    dialog = MovieDialog(window, has_sweep=files.compare.session.sweep is not None, grid_first=files.compare_in_view())
    if dialog.exec_() != QDialog.Accepted:
        return None
    name = files.default_name(".gif")
    path, _ = QFileDialog.getSaveFileName(window, "Export movie", files.dialog_path(name),
                                          "GIF animation (*.gif);;MP4 video (*.mp4)")
    if not files.chosen(path):
        return None
    return export_movie(files, path, dialog.shows.currentData(), dialog.source.currentData(), dialog.frames.value(),
                        dialog.fps.value(), dialog.steps.value())


def export_movie(files, path: str, shows: str, source: str, frames: int, fps: int, steps: int) -> MovieExport | None:
    """Film the Train view or the Compare grid to ``path`` once its trainer is here (training
    pauses meanwhile, and goes on after); ``files`` (a :class:`FileActions`) holds the sessions
    and the writer thread, and its ``finished`` reports the end. None when ``path`` is not a
    movie, or the trainer is not here yet (the export starts when it comes)."""
    try:
        movie_kind(path)
    except MovieError as error:
        files.error.emit(f"Cannot save {error}.")
        return None
    runner = files.session if shows == TRAIN_VIEW else files.compare.session
    if shows == GRID and runner.sweep is None:
        files.error.emit("There is no sweep to film yet: run one on the Compare tab first.")
        return None
    was_running = runner.is_running
    runner.pause()
    made: list[MovieExport] = []

    def start(trainer) -> None:
        config = files.session.config
        sweep = runner.sweep if shows == GRID else None
        if sweep is not None:
            texts, title = sweep_texts(sweep, trainer.step_count), ""  # the grid's heading names it
        else:
            texts, title = metadata(config, trainer.step_count), run_title(config)
        if source == TIMELINE:
            frame_steps, pictures = timeline_frames(trainer, frames, title, sweep)
        else:
            frame_steps, pictures = recorded_frames(trainer, trainer.step_count + steps, frames, title, sweep)
        export = MovieExport(files.window_widget, files.writer, path, frame_steps, pictures, fps,
                             lambda: movie_comment(texts, frame_steps))  # asked once the frames are made
        files.movies.append(export)
        export.finished.connect(lambda p, error: _finished(files, runner, export, error, was_running))
        made.append(export)

    runner.with_trainer(start)
    return made[0] if made else None


def _finished(files, runner, export: MovieExport, error: str, was_running: bool) -> None:
    files.movies.remove(export)
    path = export.path
    if runner.trainer is not None:  # a live recording trained on: show where it got to
        runner.publish_snapshot()
    if was_running:
        runner.start()
    if error == "cancelled":
        files.status.emit(f"Cancelled: {path} was not written.", 5000)
        return
    files.report(path, error)
