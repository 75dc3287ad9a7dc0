"""Pictures out of the window: PNG with the run's settings in its text chunks, SVG, clipboard."""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from PyQt5.QtCore import QEvent, QObject, QPoint, QRectF, QTimer, pyqtSignal
from PyQt5.QtGui import QColor, QImage, QImageReader, QPainter, QRegion
from PyQt5.QtSvg import QSvgGenerator
from PyQt5.QtWidgets import QApplication, QWidget

from nnviz.core.config import ConfigError, TrainingConfig, activation_name, shape_name
from nnviz.core.io.atomic import write_atomically
from nnviz.core.io.picture_texts import CONFIG_KEY, STEP_KEY, metadata, run_title  # noqa: F401 (the window's exports use them from here too)
from nnviz.core.io.runfile import RunFileError
from nnviz.core.model.features import DEFAULT_FEATURES
from nnviz.core.naming import init_name

DEFAULT_SCALE = 2  # exports are at least twice the on-screen size
STRIP_PIXELS = 150_000  # pixels of a picture painted per turn of the event loop: a few milliseconds
INTERFACE = "nnviz_interface"  # a widget property: left out of pictures of the plots


def leave_out_of_exports(*widgets: QWidget) -> None:
    """Mark ``widgets`` as interface (check boxes, hints, tab bars, lists): a picture of the
    plots that contain them leaves them blank. A picture of the whole window keeps them."""
    for widget in widgets:
        widget.setProperty(INTERFACE, True)


class _Unpainted(QObject):
    """Swallows the paint events of the widgets it watches."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Paint


@contextmanager
def _plots_only(widget: QWidget) -> Iterator[None]:
    """While painting ``widget`` into a picture, its descendants marked by
    :func:`leave_out_of_exports` paint nothing (nothing moves: the window on screen does not
    change). A window is painted whole."""
    hidden = [] if widget.isWindow() else [w for w in widget.findChildren(QWidget) if w.property(INTERFACE)]
    unpainted = _Unpainted()
    for child in hidden:
        child.installEventFilter(unpainted)
    try:
        yield
    finally:
        for child in hidden:
            child.removeEventFilter(unpainted)


def default_name(config: TrainingConfig, step: int, suffix: str = ".png") -> str:
    """A file name that says what the picture shows."""
    activation = activation_name(config.activation).replace(",", "-")
    extras = (init_name(config).replace(" ", "-"),
              "" if config.features == DEFAULT_FEATURES else "inputs-" + "-".join(config.features),
              "" if config.optimizer == "sgd" else config.optimizer,
              f"dropout{config.dropout:g}" if config.dropout else "")
    named = "".join(f"-{extra}" for extra in extras if extra)
    return f"nnviz-{config.dataset}-h{shape_name(config.hidden)}-{activation}{named}-step{step}{suffix}"


def render(widget: QWidget, scale: float = DEFAULT_SCALE) -> QImage:
    """``widget`` painted into an image ``scale`` times its size (re-rendered, not upscaled)."""
    renderer = StripRenderer(widget, scale)
    renderer.finish_now()
    return renderer.image


class StripRenderer(QObject):
    """Paints a widget into an image ``scale`` times its size one horizontal strip per turn of
    the event loop (:meth:`start`), so that the window keeps answering while a large picture is
    made; ``finished`` brings the image. The caller keeps the widget still until then."""

    finished = pyqtSignal(QImage)

    def __init__(self, widget: QWidget, scale: float = DEFAULT_SCALE, parent: QObject | None = None):
        super().__init__(parent)
        self.widget, self.scale = widget, scale
        # Not filled here: 80 MB at 4x took 0.1 s to fill in one go. Each strip fills its rows.
        self.image = QImage(widget.size() * scale, QImage.Format_ARGB32)
        self._filled = 0  # image rows made white so far
        self._strip = max(1, int(STRIP_PIXELS / max(1, self.image.width()) / scale))  # in widget pixels
        self._top = 0
        self._emitted = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._paint_strip)  # interval 0: whenever the event loop is free

    @property
    def done(self) -> bool:
        return self._top >= self.widget.height()

    def start(self) -> None:
        """Paint the strips in turns of the event loop."""
        self._timer.start(0)

    def finish_now(self) -> None:
        """Paint what is left at once (the window is closing, or nobody waits for it)."""
        self._paint(max(0, self.widget.height() - self._top))

    def _paint_strip(self) -> None:
        self._paint(min(self._strip, self.widget.height() - self._top))

    def _paint(self, height: int) -> None:
        if self._emitted:
            return
        if self.done:  # nothing (more) to paint: a widget of no height
            self._finish()
            return
        painter = QPainter(self.image)
        # White under the strip, and under the row it may touch below (never one already painted on).
        filled_to = min(self.image.height(), math.ceil((self._top + height) * self.scale) + 1)
        painter.fillRect(0, self._filled, self.image.width(), filled_to - self._filled, QColor("white"))
        self._filled = max(self._filled, filled_to)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform | QPainter.TextAntialiasing)
        painter.scale(self.scale, self.scale)
        with _plots_only(self.widget):
            self.widget.render(painter, QPoint(0, self._top), QRegion(0, self._top, self.widget.width(), height))
        painter.end()
        self._top += height
        if self.done:
            self._finish()

    def _finish(self) -> None:
        self._timer.stop()
        self._emitted = True
        self.finished.emit(self.image)


def save_png(image: QImage, path: str | os.PathLike, texts: dict[str, str]) -> None:
    """Write ``image`` with ``texts`` as PNG text chunks, atomically: a failure leaves any
    existing file at ``path`` untouched. Raises :class:`SaveError`."""
    image = QImage(image)  # setText must not change the caller's image
    for key, value in texts.items():
        image.setText(key, value)
    write_atomically(path, lambda tmp: image.save(tmp, "PNG"))


def save_svg(widget: QWidget, path: str | os.PathLike, texts: dict[str, str]) -> None:
    """Write ``widget`` as SVG (lines and text as vectors, the heatmap embedded)."""

    def write(tmp: str) -> bool:
        generator = QSvgGenerator()
        generator.setFileName(tmp)
        generator.setSize(widget.size())
        generator.setViewBox(QRectF(0, 0, widget.width(), widget.height()))
        generator.setTitle(texts.get("Description", "nnviz"))
        generator.setDescription(texts.get(CONFIG_KEY, ""))
        painter = QPainter()
        if not painter.begin(generator):
            return False
        with _plots_only(widget):
            widget.render(painter)
        return painter.end()

    write_atomically(path, write)


def copy_to_clipboard(image: QImage) -> None:
    """Put ``image`` on the system clipboard."""
    QApplication.clipboard().setImage(image)


def read_png_texts(path: str | os.PathLike) -> dict[str, str]:
    """The text chunks of a PNG (empty for a file that is not one)."""
    if not _is_file(path):
        return {}  # a pipe or device: opening it may never return
    reader = QImageReader(str(path))
    return {key: reader.text(key) for key in reader.textKeys()}


def config_from_png(path: str | os.PathLike) -> TrainingConfig:
    """The settings an nnviz PNG carries; raises RunFileError, in one sentence, for a missing,
    damaged or foreign picture."""

    def refused(reason: str) -> RunFileError:
        return RunFileError(f"Cannot open {path}: {reason}.")

    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        raise refused("there is no such file") from None
    except OSError as error:
        raise refused(error.strerror or "it cannot be read") from None
    if not regular:
        raise refused("it is not a picture file")  # a folder, pipe or device
    reader = QImageReader(str(path))
    texts = {key: reader.text(key) for key in reader.textKeys()}
    if CONFIG_KEY not in texts:
        if not reader.canRead():
            raise refused("it is not a PNG picture, or it is damaged")
        if STEP_KEY in texts:  # an nnviz picture whose settings chunk was dropped for a bad checksum
            raise refused("its nnviz settings are missing or damaged")
        raise refused("this picture carries no nnviz settings (only PNGs exported by nnviz can be opened)")
    try:
        values = json.loads(texts[CONFIG_KEY])
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        raise refused("its nnviz settings are damaged (they are not valid JSON)") from None
    try:
        return TrainingConfig.from_dict(values)
    except ConfigError as error:
        raise refused(f"its nnviz settings are damaged ({error})") from None


def _is_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a regular file (not a folder, pipe or device)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def is_png(path: str | os.PathLike) -> bool:
    """Whether the file starts like a PNG."""
    if not _is_file(path):
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == b"\x89PNG\r\n\x1a\n"
    except OSError:
        return False
