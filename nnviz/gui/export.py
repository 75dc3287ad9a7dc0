"""Pictures out of the window: PNG with the run's settings in its text chunks, SVG, clipboard."""

from __future__ import annotations

import json
import os

from PyQt5.QtCore import QRectF
from PyQt5.QtGui import QColor, QImage, QImageReader, QPainter
from PyQt5.QtSvg import QSvgGenerator
from PyQt5.QtWidgets import QApplication, QWidget

from nnviz import __version__
from nnviz.core.config import TrainingConfig
from nnviz.core.files import write_atomically
from nnviz.core.runfile import RunFileError

CONFIG_KEY = "nnviz-config"
STEP_KEY = "nnviz-step"
DEFAULT_SCALE = 2  # exports are at least twice the on-screen size




def default_name(config: TrainingConfig, step: int, suffix: str = ".png") -> str:
    """A file name that says what the picture shows."""
    return f"nnviz-{config.dataset}-h{config.hidden}-{config.activation}-step{step}{suffix}"


def metadata(config: TrainingConfig, step: int) -> dict[str, str]:
    """The text chunks every nnviz PNG carries: enough to reproduce the picture."""
    return {
        CONFIG_KEY: json.dumps(config.as_dict(), sort_keys=True),
        STEP_KEY: str(step),
        "Software": f"nnviz {__version__}",
        "Description": f"{config.dataset}, {config.hidden} {config.activation} hidden units, step {step}",
    }


def render(widget: QWidget, scale: float = DEFAULT_SCALE) -> QImage:
    """``widget`` painted into an image ``scale`` times its size (re-rendered, not upscaled)."""
    size = widget.size() * scale
    image = QImage(size, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform | QPainter.TextAntialiasing)
    painter.scale(scale, scale)
    widget.render(painter)
    painter.end()
    return image


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
        widget.render(painter)
        return painter.end()

    write_atomically(path, write)


def copy_to_clipboard(image: QImage) -> None:
    """Put ``image`` on the system clipboard."""
    QApplication.clipboard().setImage(image)


def read_png_texts(path: str | os.PathLike) -> dict[str, str]:
    """The text chunks of a PNG (empty for a file that is not one)."""
    reader = QImageReader(str(path))
    return {key: reader.text(key) for key in reader.textKeys()}


def config_from_png(path: str | os.PathLike) -> TrainingConfig:
    """The settings an nnviz PNG carries; raises RunFileError for any other picture."""
    texts = read_png_texts(path)
    if CONFIG_KEY not in texts:
        raise RunFileError(f"Cannot open {path}: this picture carries no nnviz settings "
                           "(only PNGs exported by nnviz can be opened).")
    try:
        return TrainingConfig.from_dict(json.loads(texts[CONFIG_KEY]))
    except (ValueError, TypeError) as error:
        raise RunFileError(f"Cannot open {path}: its nnviz settings are damaged ({error}).") from None


def is_png(path: str | os.PathLike) -> bool:
    """Whether the file starts like a PNG."""
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == b"\x89PNG\r\n\x1a\n"
    except OSError:
        return False
