"""The images a network gets wrong, the most confident mistakes first: what it has not learned."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.gui.tips import PositionTips

__all__ = ["MistakesView"]

WRONG_COLOR = "#c0281b"  # the class predicted
NOTE_COLOR = "#777777"  # the true class, the empty states
TEXT_COLOR = "#222222"
FRAME_COLOR, HOVER_COLOR = "#c8c8c8", "#111111"
MIN_TILE = 40  # px; narrower and "8 (92%)" does not fit under the image
MAX_TILE = 96  # px; a few mistakes should not each fill the panel
GAP = 6
MARGIN = 4
FONT_SIZE = 10  # px


class MistakesView(PositionTips):
    """Thumbnails of the misclassified images, most confidently wrong first, each captioned
    with the class predicted and its probability (red) and the true class (grey).

    All thumbnails are one greyscale QImage (ink dark on white), drawn tile by tile without
    smoothing so 8x8 pixels stay crisp. The column count follows the width and the height
    follows from it (``heightForWidth``), so it belongs in a ``QScrollArea`` with
    ``widgetResizable``; when everything fits, the tiles grow to fill the widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        policy.setHeightForWidth(True)  # QScrollArea asks the policy, not the virtual method
        self.setSizePolicy(policy)
        self.setMouseTracking(True)
        self._fed = False
        self._shown: list[tuple[int, int, int, float]] = []
        self._top3: list[list[tuple[int, float]]] = []
        self._names: tuple[str, ...] = ()
        self._header = ""
        self._image_shape = (1, 1)
        self._buffer = np.zeros((0, 0), np.uint8)  # kept alive: the QImage does not copy it
        self._image = QImage()
        self._count = 0
        self._hovered = -1  # the position of the tile under the pointer

    # --- feeding -------------------------------------------------------------------------

    def show_mistakes(self, result, images: np.ndarray, image_shape: tuple[int, int], names: tuple[str, ...],
                      limit: int = 60) -> None:
        """Show the first ``limit`` of ``result.mistakes()`` (``result`` a
        :class:`nnviz.core.analysis.metrics.Classification`).

        ``images`` are the points classified, ``(n, rows * cols)`` values from 0 (paper) to 1
        (ink), in the order of ``result.y``; ``image_shape`` is ``(rows, cols)``; ``names`` are
        the class names (missing ones are the class numbers).
        """
        classes = result.classes
        self._names = tuple(str(n) for n in names[:classes]) + tuple(str(k) for k in range(len(names), classes))
        wrong = np.asarray(result.mistakes())
        chosen = wrong[: max(limit, 0)]
        probabilities = np.asarray(result.probabilities)
        predicted = probabilities.argmax(axis=1)
        y = np.asarray(result.y)
        self._shown = [(int(i), int(y[i]), int(predicted[i]), float(probabilities[i, predicted[i]])) for i in chosen]
        top = np.argsort(-probabilities[chosen], axis=1, kind="stable")[:, :3]
        self._top3 = [[(int(k), float(probabilities[i, k])) for k in row] for i, row in zip(chosen, top)]
        total = len(y)
        self._header = (f"{len(wrong)} of {total} test image{'' if total == 1 else 's'} misclassified; "
                        "most confident first")
        if len(wrong) > len(chosen):
            self._header += f" (the first {len(chosen)} shown)"
        rows, cols = (int(v) for v in image_shape)
        ink = np.clip(np.asarray(images, dtype=np.float32)[chosen].reshape(len(chosen) * rows, cols), 0, 1)
        self._buffer = np.ascontiguousarray(np.rint(255 * (1 - ink)).astype(np.uint8))
        self._image = QImage(self._buffer.data, cols, len(chosen) * rows, cols, QImage.Format_Grayscale8)
        reshaped = not self._fed or (rows, cols) != self._image_shape or len(chosen) != self._count
        self._image_shape, self._count, self._fed = (rows, cols), len(chosen), True
        if reshaped:  # the height for a width changes only with the count and the image shape
            self.updateGeometry()
        self.update()

    def clear(self) -> None:
        """Forget the predictions: show "no predictions yet"."""
        self._fed = False
        self._shown, self._top3, self._count = [], [], 0
        self._image = QImage()
        self.updateGeometry()
        self.update()

    # --- for tests and consumers -----------------------------------------------------------

    def shown(self) -> list[tuple[int, int, int, float]]:
        """``(index, true, predicted, probability)`` of each image shown, in display order;
        ``probability`` is the one given to the class predicted."""
        return list(self._shown)

    def tile_rect(self, position: int) -> QRect:
        """Where the ``position``-th tile (image and caption) is drawn."""
        return self._tile_rect(position, *self._layout(self.width(), self.height()))

    def tile_at(self, point: QPoint) -> int | None:
        """The index (in ``result.y``) of the image whose tile is at ``point``, or None."""
        position = self._position_at(point)
        return None if position < 0 else self._shown[position][0]

    def tooltip_at(self, point: QPoint) -> str:
        """What hovering ``point`` tells: the image's true class and its top three classes."""
        position = self._position_at(point)
        if position < 0:
            return ""
        index, true, predicted, _ = self._shown[position]
        lines = [f"image {index}: true {self._names[true]}, predicted {self._names[predicted]}"]
        lines += [f"{self._names[k]}: {100 * p:.1f}%" for k, p in self._top3[position]]
        return "\n".join(lines)

    # --- geometry -------------------------------------------------------------------------

    def _line(self) -> int:
        return QFontMetrics(self._font()).height()

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(FONT_SIZE)
        return font

    def _header_height(self) -> int:
        return self._line() + 8

    def _caption_height(self) -> int:
        return 2 * self._line() + 2

    def _thumb_height(self, tile: int) -> int:
        rows, cols = self._image_shape
        return max(1, round(tile * rows / cols))

    def _layout(self, width: int, height: int) -> tuple[int, int]:
        """``(columns, tile width)``: the biggest tiles that fit the whole grid in the widget,
        or, when even ``MIN_TILE`` tiles do not fit its height, as many columns as the width
        takes (the height then comes from :meth:`heightForWidth`, in a scroll area)."""
        count = max(len(self._shown), 1)
        room_w, room_h = max(width - 2 * MARGIN, 1), height - self._header_height() - MARGIN
        rows, cols = self._image_shape
        caption = self._caption_height()
        columns = np.arange(1, count + 1)
        lines = -(-count // columns)
        by_width = (room_w - (columns - 1) * GAP) // columns
        by_height = ((room_h - (lines - 1) * GAP) // lines - caption) * cols // rows
        tile = np.minimum(np.minimum(by_width, by_height), MAX_TILE)
        if tile.max() >= MIN_TILE:
            best = int(np.flatnonzero(tile >= max(0.9 * tile.max(), MIN_TILE))[-1])  # then the fewest rows
            return int(columns[best]), int(tile[best])
        fit = max(1, min(count, (room_w + GAP) // (MIN_TILE + GAP)))
        return fit, int(max(16, min(MAX_TILE, (room_w - (fit - 1) * GAP) // fit)))

    def _tile_rect(self, position: int, columns: int, tile: int) -> QRect:
        row, column = divmod(position, columns)
        pitch = self._thumb_height(tile) + self._caption_height() + GAP
        return QRect(MARGIN + column * (tile + GAP), self._header_height() + row * pitch, tile,
                     pitch - GAP)

    def _position_at(self, point: QPoint) -> int:
        columns, tile = self._layout(self.width(), self.height())
        x, y = point.x() - MARGIN, point.y() - self._header_height()
        if x < 0 or y < 0:
            return -1
        pitch = self._thumb_height(tile) + self._caption_height() + GAP
        (column, dx), (row, dy) = divmod(x, tile + GAP), divmod(y, pitch)
        position = row * columns + column
        if column >= columns or dx >= tile or dy >= pitch - GAP or position >= len(self._shown):
            return -1
        return int(position)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._shown:
            return 3 * self._header_height()
        columns, tile = self._layout(width, 0)  # height 0: the width decides
        rows = -(-len(self._shown) // columns)
        return self._header_height() + rows * (self._thumb_height(tile) + self._caption_height() + GAP) - GAP + MARGIN

    def sizeHint(self) -> QSize:
        width = 2 * MARGIN + 6 * 56 + 5 * GAP
        return QSize(width, max(self.heightForWidth(width), 200))

    def minimumSizeHint(self) -> QSize:
        return QSize(2 * MARGIN + MIN_TILE, self._header_height() + self._thumb_height(MIN_TILE)
                     + self._caption_height() + MARGIN)

    # --- events and drawing -----------------------------------------------------------------

    def mouseMoveEvent(self, event) -> None:
        position = self._position_at(event.pos())
        if position != self._hovered:
            self._hovered = position
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        if self._hovered >= 0:
            self._hovered = -1
            self.update()
        super().leaveEvent(event)

    def paintEvent(self, event) -> None:
        visible = event.rect()  # in a scroll area most rows are out of view
        painter = QPainter(self)
        painter.fillRect(visible, QColor("white"))
        painter.setFont(self._font())
        metrics = painter.fontMetrics()
        if not self._shown:
            painter.setPen(QColor(NOTE_COLOR))
            text = "No mistakes on the test set." if self._fed else "no predictions yet"
            painter.drawText(self.rect(), Qt.AlignCenter, text)
            return
        painter.setPen(QColor(TEXT_COLOR))
        header = metrics.elidedText(self._header, Qt.ElideRight, self.width() - 2 * MARGIN)
        painter.drawText(QRect(MARGIN, 0, self.width() - 2 * MARGIN, self._header_height()),
                         Qt.AlignLeft | Qt.AlignVCenter, header)
        columns, tile = self._layout(self.width(), self.height())
        rows, cols = self._image_shape
        thumb_h, line = self._thumb_height(tile), self._line()
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)  # crisp pixels
        for position, (_, true, predicted, probability) in enumerate(self._shown):
            rect = self._tile_rect(position, columns, tile)
            if not visible.intersects(rect):
                continue
            thumb = QRect(rect.left(), rect.top(), tile, thumb_h)
            painter.drawImage(QRectF(thumb), self._image, QRectF(0, position * rows, cols, rows))
            hovered = position == self._hovered
            painter.setPen(QPen(QColor(HOVER_COLOR if hovered else FRAME_COLOR), 1))
            painter.drawRect(thumb.adjusted(0, 0, -1, -1))
            top = thumb.bottom() + 2
            guess = f"{self._names[predicted]} ({100 * probability:.0f}%)"
            painter.setPen(QColor(WRONG_COLOR))
            painter.drawText(QRect(rect.left(), top, tile, line), Qt.AlignHCenter | Qt.AlignTop,
                             metrics.elidedText(guess, Qt.ElideRight, tile))
            painter.setPen(QColor(NOTE_COLOR))
            painter.drawText(QRect(rect.left(), top + line, tile, line), Qt.AlignHCenter | Qt.AlignTop,
                             metrics.elidedText(f"true {self._names[true]}", Qt.ElideRight, tile))
