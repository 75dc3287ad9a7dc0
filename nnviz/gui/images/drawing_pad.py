"""Draw a digit and watch the network read it: a pad that works at the data's resolution, the
class probabilities as bars, and the panel that joins them (the live counterpart of tutorial
000's "6: 95%").

The pad draws into a canvas :data:`CANVAS_SCALE` times finer than the data and averages it
down in blocks, the way scikit-learn's digits were made (32x32 bitmaps, the ink of every 4x4
block counted). Its pen is as wide, relative to the frame, as the data's strokes, so that a
drawn digit has the data's ink: the network sees exactly the squares the pad shows.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPainterPath, QPen
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.model.network import MLP
from nnviz.gui.colors import class_color
from nnviz.gui.throttle import Throttled

CANVAS_SCALE = 4  # canvas pixels per data pixel, each way: the digits' 32x32 bitmaps for 8x8
SMALL_IMAGE = 16  # images this size or smaller are taken to be block counts like the 8x8 digits
# Pen widths as a share of the frame. The 8x8 digits: 6 px of their 32x32 bitmaps gives a drawn
# '7' the data's ink (about 19 of 64 pixels) and the data's share of saturated pixels (a quarter);
# 4 px left strokes a third too faint. MNIST: strokes 2-3 px wide in a 28x28 frame (its mean
# pixel of 0.13 is about 100 px of ink for a digit in the 20x20 box).
DIGITS_STROKE = 6 / 32
MNIST_STROKE = 2.5 / 28
MNIST_BOX = 20 / 28  # MNIST's digits fill a 20x20 box in the middle of the frame; the pad marks it
ERASER = 2.5  # the eraser is this many pens wide
EMIT_MS = 33  # ``changed`` at most about 30 times a second while drawing
INK = QColor("#1b1b1b")
PAPER = QColor("#ffffff")
GRID = QColor(0, 0, 0, 28)
TRACE = QColor(31, 95, 160, 150)  # the stroke's path, over the pixels, while the button is down
MARGIN = 4
HINT = "Draw a digit: left button draws, right erases"


def pen_width(rows: int, cols: int) -> float:
    """The pen's width in canvas pixels for images of ``rows`` x ``cols``."""
    share = DIGITS_STROKE if max(rows, cols) <= SMALL_IMAGE else MNIST_STROKE
    return share * min(rows, cols) * CANVAS_SCALE


def stroke_coverage(shape: tuple[int, int], p0: tuple[float, float], p1: tuple[float, float],
                    width: float) -> tuple[tuple[slice, slice], np.ndarray]:
    """How much of each canvas pixel a round-capped line from ``p0`` to ``p1`` (``(x, y)`` in
    canvas pixels) ``width`` wide covers, anti-aliased over one pixel at its edge: the slices of
    the canvas it touches and the coverage there (0..1)."""
    reach = width / 2 + 1
    x0, x1 = sorted((p0[0], p1[0]))
    y0, y1 = sorted((p0[1], p1[1]))
    rows = slice(max(int(np.floor(y0 - reach)), 0), min(int(np.ceil(y1 + reach)), shape[0]))
    cols = slice(max(int(np.floor(x0 - reach)), 0), min(int(np.ceil(x1 + reach)), shape[1]))
    y, x = np.mgrid[rows, cols] + 0.5  # pixel centres
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    length2 = dx * dx + dy * dy
    t = np.clip(((x - p0[0]) * dx + (y - p0[1]) * dy) / length2, 0, 1) if length2 > 0 else 0.0
    distance = np.hypot(x - (p0[0] + t * dx), y - (p0[1] + t * dy))
    return (rows, cols), np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)


def block_average(canvas: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``canvas`` averaged down to ``rows`` x ``cols`` in equal blocks."""
    s = canvas.shape[0] // rows
    return canvas.reshape(rows, s, cols, s).mean(axis=(1, 3))


class DrawingPad(QWidget):
    """Draw a digit with the mouse (left button draws, right erases), seen at the data's resolution.

    ``changed`` carries :meth:`image` while drawing (at most about 30 a second), always after the
    button is released, and after :meth:`clear` and :meth:`set_image`.
    """

    changed = pyqtSignal(object)

    def __init__(self, rows: int = 8, cols: int = 8, parent: QWidget | None = None):
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip("Draw a digit: the left button draws, the right one erases. The squares are what "
                        "the network reads.")
        self._emit_later = Throttled(self._emit_changed, EMIT_MS)
        self._button = Qt.NoButton
        self._last: tuple[float, float] | None = None  # the pen's last canvas position
        self._trace: list[QPointF] = []  # the stroke so far, in widget coordinates
        self.set_shape(rows, cols)

    # The image.

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the images the pad makes."""
        return self._rows, self._cols

    def set_shape(self, rows: int, cols: int) -> None:
        """Work at ``rows`` x ``cols`` (the data's images); clears the pad."""
        if rows < 1 or cols < 1:
            raise ValueError(f"an image needs at least one row and column; got {rows}x{cols}")
        self._rows, self._cols = int(rows), int(cols)
        self._canvas = np.zeros((self._rows * CANVAS_SCALE, self._cols * CANVAS_SCALE))
        self._pen = pen_width(self._rows, self._cols)
        self._refresh()

    def image(self) -> np.ndarray:
        """The drawing at the data's resolution: ``rows * cols`` values from 0 to 1, row by row."""
        return self._image.ravel().copy()

    def is_blank(self) -> bool:
        """Whether the pad holds no ink."""
        return not self._image.any()

    def clear(self) -> None:
        """Wipe the pad."""
        self._canvas[...] = 0
        self._refresh()
        self._emit_now()

    def set_image(self, vector: np.ndarray) -> None:
        """Show ``vector`` (``rows * cols`` values, 0 to 1, e.g. a test image); drawing goes on over it."""
        values = np.asarray(vector, dtype=float).ravel()
        if values.size != self._rows * self._cols:
            raise ValueError(f"the pad draws {self._rows}x{self._cols} images ({self._rows * self._cols} "
                             f"values); this image has {values.size}")
        block = np.ones((CANVAS_SCALE, CANVAS_SCALE))
        self._canvas = np.kron(np.clip(values.reshape(self._rows, self._cols), 0.0, 1.0), block)
        self._refresh()
        self._emit_now()

    def _refresh(self) -> None:
        self._image = block_average(self._canvas, self._rows, self._cols)
        gray = np.round(PAPER.value() + self._image * (INK.value() - PAPER.value())).astype(np.uint8)
        self._pixels = np.ascontiguousarray(gray)  # the QImage below reads this buffer
        self._qimage = QImage(self._pixels.data, self._cols, self._rows, self._cols, QImage.Format_Grayscale8)
        self.update()

    def _emit_changed(self) -> None:
        self.changed.emit(self.image())

    def _emit_now(self) -> None:
        self._emit_later.cancel()
        self._emit_changed()

    # Geometry.

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(8 * self._cols // 2 + 2 * MARGIN, 8 * self._rows // 2 + 2 * MARGIN)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(width * self._rows / self._cols)

    def image_rect(self) -> QRectF:
        """Where the image is painted: as large as fits, centred, square pixels."""
        width, height = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        cell = max(min(width / self._cols, height / self._rows), 1e-6)
        w, h = cell * self._cols, cell * self._rows
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _to_canvas(self, point: QPointF) -> tuple[float, float]:
        frame = self.image_rect()
        scale = self._canvas.shape[1] / frame.width()
        return (point.x() - frame.left()) * scale, (point.y() - frame.top()) * scale

    # Drawing.

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() not in (Qt.LeftButton, Qt.RightButton) or self._button != Qt.NoButton:
            return
        self._button = event.button()
        self._last = self._to_canvas(event.localPos())
        self._trace = [event.localPos()]
        self._stroke_to(self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        # The button pressed is remembered rather than read from ``event.buttons()``: some
        # platforms (and QTest) send moves without it.
        if self._button == Qt.NoButton:
            return
        self._trace.append(event.localPos())
        self._stroke_to(self._to_canvas(event.localPos()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != self._button:
            return
        self._stroke_to(self._to_canvas(event.localPos()))
        self._button, self._last, self._trace = Qt.NoButton, None, []
        self.update()
        self._emit_now()

    def _stroke_to(self, point: tuple[float, float]) -> None:
        erase = self._button == Qt.RightButton
        where, coverage = stroke_coverage(self._canvas.shape, self._last or point, point,
                                          self._pen * (ERASER if erase else 1.0))
        self._last = point
        if erase:
            np.minimum(self._canvas[where], 1.0 - coverage, out=self._canvas[where])
        else:
            np.maximum(self._canvas[where], coverage, out=self._canvas[where])
        self._refresh()
        self._emit_later()

    # Painting.

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        frame = self.image_rect()
        painter.drawImage(frame, self._qimage)  # no smoothing: crisp squares, as the network sees them
        cell = frame.width() / self._cols
        painter.setPen(QPen(GRID, 1))
        for c in range(1, self._cols):
            painter.drawLine(QPointF(frame.left() + c * cell, frame.top()), QPointF(frame.left() + c * cell, frame.bottom()))
        for r in range(1, self._rows):
            painter.drawLine(QPointF(frame.left(), frame.top() + r * cell), QPointF(frame.right(), frame.top() + r * cell))
        painter.setRenderHint(QPainter.Antialiasing)
        if max(self._rows, self._cols) > SMALL_IMAGE:  # MNIST-like: mark where its digits sit
            box = QRectF(0, 0, frame.width() * MNIST_BOX, frame.height() * MNIST_BOX)
            box.moveCenter(frame.center())
            painter.setPen(QPen(QColor(31, 95, 160, 70), 1, Qt.DashLine))
            painter.drawRect(box)
        painter.setPen(QPen(QColor("#8a8a8a"), 1))
        painter.drawRect(frame)
        if len(self._trace) > 1 and self._button == Qt.LeftButton:
            path = QPainterPath(self._trace[0])
            for point in self._trace[1:]:
                path.lineTo(point)
            painter.setPen(QPen(TRACE, 1.5, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
            painter.drawPath(path)


class ProbabilityBars(QWidget):
    """One bar per class, as long as its probability, in the class colour; the most probable bold."""

    ROW = 19  # pixels per class

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self._names: tuple[str, ...] = ()
        self._p = np.zeros(0)
        self._hint = "Draw a digit"

    def show_probabilities(self, p: np.ndarray | None, names: tuple[str, ...] = (), *,
                           hint: str = "Draw a digit") -> None:
        """Show probabilities ``p`` (one per class) under ``names`` ("0", "1", ... where missing);
        None or empty shows ``hint`` instead."""
        self._hint = hint
        self._p = np.zeros(0) if p is None else np.asarray(p, dtype=float).ravel()
        self._names = tuple(names[:len(self._p)]) + tuple(str(k) for k in range(len(names), len(self._p)))
        self.updateGeometry()
        self.update()

    def shown(self) -> list[tuple[str, float]]:
        """``(name, probability)`` of every bar shown, in class order."""
        return [(name, float(p)) for name, p in zip(self._names, self._p)]

    def sizeHint(self) -> QSize:
        return QSize(200, max(len(self._p), 10) * self.ROW + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 3 * self.ROW)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        if not len(self._p):
            painter.setPen(QColor("#777777"))
            painter.drawText(self.rect().adjusted(4, 0, -4, 0), Qt.AlignCenter | Qt.TextWordWrap, self._hint)
            return
        plain, bold = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        best = int(np.argmax(self._p))
        texts = [f"{name}: {p * 100:.0f}%" for name, p in zip(self._names, self._p)]
        label_width = max(painter.fontMetrics().horizontalAdvance(t) for t in texts) + 14  # room for bold
        row = min(self.ROW, max(self.height() - 8, 1) / len(self._p))
        top = max((self.height() - row * len(self._p)) / 2, 0)
        track = max(self.width() - label_width - 8, 10)
        for k, (text, p) in enumerate(zip(texts, self._p)):
            y = top + k * row
            painter.setFont(bold if k == best else plain)
            painter.setPen(QColor("#111111") if k == best else QColor("#444444"))
            painter.drawText(QRectF(2, y, label_width - 6, row), Qt.AlignVCenter | Qt.AlignRight, text)
            bar = QRectF(label_width, y + row * 0.2, track, row * 0.6)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor("#ececec"))
            painter.drawRoundedRect(bar, 2, 2)
            painter.setBrush(QColor(class_color(k)))
            bar.setWidth(track * float(np.clip(p, 0.0, 1.0)))
            painter.drawRoundedRect(bar, 2, 2)
            if k == best:
                painter.setPen(QPen(QColor("#111111"), 1.2))
                painter.setBrush(Qt.NoBrush)
                painter.drawRoundedRect(QRectF(label_width, y + row * 0.2, track, row * 0.6), 2, 2)


class DrawingPanel(QWidget):
    """A :class:`DrawingPad` beside the :class:`ProbabilityBars` of what the network makes of it,
    kept up to date as the network trains (:meth:`show_network`) and as the drawing changes."""

    def __init__(self, parent: QWidget | None = None, *, rng: np.random.Generator | None = None):
        super().__init__(parent)
        self._rng = rng if rng is not None else np.random.default_rng()
        self._network: MLP | None = None
        self._names: tuple[str, ...] = ()
        self._X_test = np.zeros((0, 0))
        self._y_test = np.zeros(0, np.int64)
        self.pad = DrawingPad()
        self.bars = ProbabilityBars()
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #555555")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Wipe the pad")
        self.test_button = QPushButton("Test image")
        self.test_button.setToolTip("Put a random test image on the pad (and go on drawing over it)")
        self.test_button.setEnabled(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.pad, 1)
        left.addLayout(buttons)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(self.bars, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row, 1)

        self.clear_button.clicked.connect(self.clear)
        self.test_button.clicked.connect(self.show_test_image)
        self.pad.changed.connect(self._on_pad_changed)
        self._update_bars()

    def clear(self) -> None:
        """Wipe the pad."""
        self.hint.setText(HINT)
        self.pad.clear()

    def set_shape(self, rows: int, cols: int) -> None:
        """Draw images of ``rows`` x ``cols`` (the data's); clears the pad."""
        self.pad.set_shape(rows, cols)
        self._update_bars()

    def set_names(self, names: tuple[str, ...]) -> None:
        """The classes' display names, in label order."""
        self._names = tuple(names)
        self._update_bars()

    def set_test_images(self, X_test: np.ndarray, y_test: np.ndarray) -> None:
        """The images "Test image" picks from, with their true classes."""
        self._X_test, self._y_test = np.asarray(X_test), np.asarray(y_test)
        self.test_button.setEnabled(len(self._y_test) > 0)

    def show_test_image(self) -> None:
        """Put a random test image on the pad."""
        if not len(self._y_test):
            return
        k = int(self._rng.integers(len(self._y_test)))
        self.pad.set_image(self._X_test[k])
        label = int(self._y_test[k])
        name = self._names[label] if label < len(self._names) else str(label)
        self.hint.setText(f"A test image of a {name}: draw over it, or clear it")

    def show_network(self, network: MLP | None) -> None:
        """Show what ``network`` makes of the drawing (and of every later drawing)."""
        self._network = network
        self._update_bars()

    def _on_pad_changed(self, _image: np.ndarray) -> None:
        self._update_bars()

    def _update_bars(self) -> None:
        image = self.pad.image()
        network = self._network
        if self.pad.is_blank():
            self.bars.show_probabilities(None, self._names)
        elif network is None or network.point_dims != image.size:
            self.bars.show_probabilities(None, self._names, hint="No network for these images yet")
        else:
            self.bars.show_probabilities(network.predict_proba(image[None])[0], self._names)
