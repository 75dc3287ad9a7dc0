"""The report of a classifier on images: its confusion matrix and each class's precision,
recall and F1 (the classification report of tutorial ``000``), drawn live."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QPoint, QRect, QSize, Qt
from PyQt5.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from nnviz.gui.colors import rgb
from nnviz.gui.tips import PositionTips

__all__ = ["ConfusionView"]

RIGHT_COLOR = "#1f5fa0"  # a diagonal cell: the share of a class recognised
WRONG_COLOR = "#d7301f"  # an off-diagonal cell: the share of a class taken for another
EMPTY_ROW_COLOR = "#ececec"  # a class with no images in the set
GRID_COLOR = "#d0d0d0"
TEXT_COLOR, NOTE_COLOR = "#222222", "#777777"
MARGIN, GAP = 6, 12
MAX_CELL = 44  # px; two classes should not each fill the panel
NUMBER_MIN_CELL = 14  # px; cells at least this big carry their count
MIN_CELL = 12  # px; smaller and the report gives way to the matrix
FONT_SIZES = (12, 11, 10, 9, 8)  # px; the biggest with which matrix and table fit
MACRO = "macro avg"
HEADERS = ("precision", "recall", "F1", "support")


@dataclass(frozen=True)
class _Layout:
    """Where everything goes at one widget size."""

    font: int  # pixel size
    cell: int
    grid: QRect  # the cells
    rotated: bool  # column names written upwards (they are wider than a cell)
    table: QRect  # the report, empty when it does not fit
    row_step: int  # px from one class's row of the report to the next


class ConfusionView(PositionTips):
    """A confusion matrix (rows true class, columns predicted) and the per-class report.

    Each cell is shaded by its share of its row: white to blue on the diagonal, white to red
    off it (square-root eased, so a single mistake shows). The report sits beside the matrix
    or below it, whichever leaves bigger cells. Fed a :class:`Classification` by
    :meth:`show_classification`; painting is a few hundred rectangles and strings.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMouseTracking(True)
        self._matrix = np.zeros((0, 0), np.int64)
        self._names: tuple[str, ...] = ()
        self._rows: list[tuple[str, float, float, float, int]] = []
        self._colors: list[list[QColor]] = []
        self._title = ""
        self._layout_key: tuple | None = None
        self._layout_cache: _Layout | None = None

    # --- feeding -------------------------------------------------------------------------

    def show_classification(self, result, names: tuple[str, ...], part: str = "test set") -> None:
        """Show the confusion matrix and report of ``result`` (a
        :class:`nnviz.core.analysis.metrics.Classification`) with classes named ``names`` (missing names
        are the class numbers); ``part`` names the points ("test set")."""
        matrix = np.asarray(result.confusion(), dtype=np.int64)
        classes = matrix.shape[0]
        names = tuple(str(n) for n in names[:classes]) + tuple(str(k) for k in range(len(names), classes))
        precision, recall, f1, support = result.report()
        rows = [(names[k], float(precision[k]), float(recall[k]), float(f1[k]), int(support[k]))
                for k in range(classes)]
        if classes:
            rows.append((MACRO, float(np.mean(precision)), float(np.mean(recall)), float(np.mean(f1)),
                         int(np.sum(support))))
        total = int(matrix.sum())
        accuracy = f"{100 * np.trace(matrix) / total:.1f}%" if total else "n/a"
        self._title = f"{part[:1].upper()}{part[1:]}: {total} image{'' if total == 1 else 's'}, accuracy {accuracy}"
        if names != self._names or classes != len(self._matrix):
            self._layout_key = None
        self._matrix, self._names, self._rows = matrix, names, rows
        self._colors = self._shade(matrix)
        self.update()

    def clear(self) -> None:
        """Forget the predictions: show "no predictions yet"."""
        self._matrix = np.zeros((0, 0), np.int64)
        self._names, self._rows, self._colors, self._title = (), [], [], ""
        self._layout_key = None
        self.update()

    @staticmethod
    def _shade(matrix: np.ndarray) -> list[list[QColor]]:
        totals = matrix.sum(axis=1, keepdims=True)
        share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        eased = np.where(np.eye(len(matrix), dtype=bool), share, np.sqrt(share))
        white = rgb("#ffffff")
        ends = np.where(np.eye(len(matrix), dtype=bool)[..., None], rgb(RIGHT_COLOR), rgb(WRONG_COLOR))
        colors = np.rint(white + eased[..., None] * (ends - white)).astype(int)
        empty = QColor(EMPTY_ROW_COLOR)
        return [[QColor(*colors[i, j]) if totals[i, 0] else empty for j in range(len(matrix))]
                for i in range(len(matrix))]

    # --- for tests and consumers -----------------------------------------------------------

    def matrix(self) -> np.ndarray:
        """The counts shown: row = true class, column = predicted class."""
        return self._matrix

    def report_rows(self) -> list[tuple[str, float, float, float, int]]:
        """The report's rows as shown, ``(name, precision, recall, f1, support)``: one per class,
        then the macro averages (named "macro avg", support the total)."""
        return list(self._rows)

    def cell_rect(self, true: int, predicted: int) -> QRect:
        """Where the cell of ``true`` class taken for ``predicted`` is drawn."""
        layout = self._layout()
        return QRect(layout.grid.left() + predicted * layout.cell, layout.grid.top() + true * layout.cell,
                     layout.cell, layout.cell)

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        """``(true, predicted)`` of the cell at widget position ``point``, or None."""
        if not len(self._matrix):
            return None
        layout = self._layout()
        if layout.cell <= 0 or not layout.grid.contains(point):
            return None
        row = (point.y() - layout.grid.top()) // layout.cell
        column = (point.x() - layout.grid.left()) // layout.cell
        classes = len(self._matrix)
        return (int(row), int(column)) if row < classes and column < classes else None

    def tooltip_at(self, point: QPoint) -> str:
        """What hovering ``point`` tells: "true 3, predicted 8: 4 images (2.2% of the 3s)"."""
        cell = self.cell_at(point)
        if cell is None:
            return ""
        true, predicted = cell
        count, total = int(self._matrix[true, predicted]), int(self._matrix[true].sum())
        share = f"{100 * count / total:.1f}%" if total else "none"
        name = self._names[true]
        text = (f"true {name}, predicted {self._names[predicted]}: {count} image{'' if count == 1 else 's'} "
                f"({share} of the {name}s)")
        if self._layout().table.isEmpty():  # the report is not shown: give the class's line of it
            _, precision, recall, f1, _ = self._rows[true]
            text += f"\n{name}: precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"
        return text

    # --- geometry -------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(420, 340)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 220)

    def _layout(self) -> _Layout:
        key = (self.width(), self.height(), len(self._matrix), self._names)
        if key != self._layout_key or self._layout_cache is None:
            self._layout_cache = self._compute_layout(self.width(), self.height())
            self._layout_key = key
        return self._layout_cache

    def _compute_layout(self, width: int, height: int) -> _Layout:
        """The layout with the best cells: first big enough to read (``MIN_CELL``), then
        with the report beside or below the matrix (else the report is left out), then the
        biggest font, then the biggest cells."""
        classes = max(len(self._matrix), 1)
        best = None
        for size in FONT_SIZES:
            metrics = QFontMetrics(self._font(size))
            line = metrics.height()
            top = MARGIN + line + 6  # under the title
            names_w = max([metrics.horizontalAdvance(n) for n in self._names] + [metrics.horizontalAdvance("0")])
            left = line + 4 + names_w + 4  # "true", the row names
            table_w, table_h = self._table_size(metrics)
            for beside, dropped in ((True, False), (False, False), (False, True)):
                extra_w = table_w + GAP if beside else 0
                extra_h = table_h + GAP if not (beside or dropped) else 0
                fits = dropped or (table_h <= height - top - MARGIN if beside else table_w <= width - 2 * MARGIN)
                room_w, room_h = width - 2 * MARGIN - extra_w, height - top - MARGIN - extra_h
                for rotated in (False, True):
                    head = line + 2 + (max(min(names_w, 60), line) if rotated else line) + 2  # "predicted", names
                    cell = min((room_w - left) // classes, (room_h - head) // classes, MAX_CELL)
                    if not rotated and cell < names_w + 2:
                        continue
                    score = (cell >= MIN_CELL, fits and not dropped, min(cell, 20), size, cell)
                    if best is None or score > best[0]:
                        best = (score, size, max(cell, 0), beside, dropped, rotated, left, head, top, table_w, table_h)
        _, size, cell, beside, dropped, rotated, left, head, top, table_w, table_h = best
        grid_w = left + classes * cell
        block_w = grid_w + GAP + table_w if beside else max(grid_w, 0 if dropped else table_w)
        x0 = MARGIN + max(0, (width - 2 * MARGIN - block_w) // 2)
        grid = QRect(x0 + left, top + head, classes * cell, classes * cell)
        step = QFontMetrics(self._font(size)).height() + 1
        if dropped:
            table = QRect()
        elif beside:
            level = grid.top() - step  # the header just above the cells
            if cell > step and level >= top and grid.bottom() + 6 + step <= height - MARGIN:
                step = cell  # each class's row of the report level with its row of cells
                table = QRect(x0 + grid_w + GAP, level, table_w, grid.height() + 6 + 2 * step)
            else:
                table = QRect(x0 + grid_w + GAP, max(top, min(level, height - MARGIN - table_h)), table_w, table_h)
        else:
            table = QRect(x0, grid.bottom() + 1 + GAP, table_w, table_h)
        return _Layout(size, cell, grid, rotated, table, step)

    def _table_size(self, metrics: QFontMetrics) -> tuple[int, int]:
        rows = len(self._names) + 2  # the header, the classes, the macro averages
        return sum(self._table_columns(metrics)), rows * (metrics.height() + 1) + 5

    def _table_columns(self, metrics: QFontMetrics) -> list[int]:
        """The widths of the name column and the four figures' columns."""
        name_w = max(metrics.horizontalAdvance(n) for n in (*self._names, MACRO)) + 4
        support_w = metrics.horizontalAdvance(str(int(self._matrix.sum())))
        return [name_w] + [max(metrics.horizontalAdvance(h), w) + 10 for h, w in
                           zip(HEADERS, [metrics.horizontalAdvance("0.000")] * 3 + [support_w])]

    def _font(self, size: int) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(size)
        return font

    # --- events and drawing -----------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not len(self._matrix):
            painter.setFont(self._font(12))
            painter.setPen(QColor(NOTE_COLOR))
            painter.drawText(self.rect(), Qt.AlignCenter, "no predictions yet")
            return
        layout = self._layout()
        painter.setFont(self._font(layout.font))
        metrics = painter.fontMetrics()
        painter.setPen(QColor(TEXT_COLOR))
        title = self._title
        if layout.table.isEmpty():  # no room for the report: its summary joins the title
            title += f", macro F1 {self._rows[-1][3]:.3f}"
        title = metrics.elidedText(title, Qt.ElideRight, self.width() - 2 * MARGIN)
        painter.drawText(QRect(MARGIN, MARGIN, self.width() - 2 * MARGIN, metrics.height()),
                         Qt.AlignLeft | Qt.AlignVCenter, title)
        if layout.cell > 0:
            self._draw_matrix(painter, layout)
        if not layout.table.isEmpty():
            self._draw_table(painter, layout)

    def _draw_matrix(self, painter: QPainter, layout: _Layout) -> None:
        metrics = painter.fontMetrics()
        line, cell, grid = metrics.height(), layout.cell, layout.grid
        classes = len(self._matrix)
        for i in range(classes):
            for j in range(classes):
                painter.fillRect(grid.left() + j * cell, grid.top() + i * cell, cell, cell, self._colors[i][j])
        painter.setPen(QPen(QColor(GRID_COLOR), 1))
        for k in range(classes + 1):
            painter.drawLine(grid.left(), grid.top() + k * cell, grid.left() + classes * cell, grid.top() + k * cell)
            painter.drawLine(grid.left() + k * cell, grid.top(), grid.left() + k * cell, grid.top() + classes * cell)
        if cell >= NUMBER_MIN_CELL:
            self._draw_counts(painter, layout)
        # Row names, right-aligned against the grid, and "true" written upwards beside them.
        painter.setPen(QColor(TEXT_COLOR))
        names_right = grid.left() - 4
        for i, name in enumerate(self._names):
            painter.drawText(QRect(0, grid.top() + i * cell, names_right, cell), Qt.AlignRight | Qt.AlignVCenter, name)
        names_w = max(metrics.horizontalAdvance(n) for n in self._names)
        painter.setPen(QColor(NOTE_COLOR))
        painter.save()
        painter.translate(names_right - names_w - 4 - line, grid.top() + grid.height() / 2)
        painter.rotate(-90)
        painter.drawText(QRect(-grid.height() // 2 - 30, 0, grid.height() + 60, line), Qt.AlignCenter, "true")
        painter.restore()
        # Column names above the grid, and "predicted" above them.
        painter.setPen(QColor(TEXT_COLOR))
        names_bottom = grid.top() - 2
        if layout.rotated:
            depth = min(names_w, 60)
            for j, name in enumerate(self._names):
                painter.save()
                painter.translate(grid.left() + j * cell + (cell - line) / 2, names_bottom)
                painter.rotate(-90)
                painter.drawText(QRect(0, 0, depth, line), Qt.AlignLeft | Qt.AlignVCenter,
                                 metrics.elidedText(name, Qt.ElideRight, depth))
                painter.restore()
            names_top = names_bottom - depth
        else:
            names_top = names_bottom - line
            for j, name in enumerate(self._names):
                painter.drawText(QRect(grid.left() + j * cell, names_top, cell, line), Qt.AlignCenter, name)
        painter.setPen(QColor(NOTE_COLOR))
        painter.drawText(QRect(grid.left() - 30, names_top - line - 2, grid.width() + 60, line), Qt.AlignCenter,
                         "predicted")

    def _draw_counts(self, painter: QPainter, layout: _Layout) -> None:
        cell, grid = layout.cell, layout.grid
        font = QFont(painter.font())
        font.setPixelSize(max(8, min(layout.font, int(cell * 0.6))))
        painter.save()
        painter.setFont(font)
        for (i, j), count in np.ndenumerate(self._matrix):
            if not count:
                continue
            color = self._colors[i][j]
            dark = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue() < 150
            painter.setPen(QColor("white" if dark else TEXT_COLOR))
            painter.drawText(QRect(grid.left() + j * cell, grid.top() + i * cell, cell, cell), Qt.AlignCenter,
                             str(count))
        painter.restore()

    def _draw_table(self, painter: QPainter, layout: _Layout) -> None:
        metrics = painter.fontMetrics()
        widths = self._table_columns(metrics)
        lefts = np.cumsum([0, *widths])
        line = metrics.height() + 1
        x, y = layout.table.left(), layout.table.top()
        painter.setPen(QColor(NOTE_COLOR))
        for k, header in enumerate(HEADERS, start=1):
            painter.drawText(QRect(x + lefts[k], y, widths[k], line), Qt.AlignRight | Qt.AlignVCenter, header)
        y += line
        step = layout.row_step
        for r, (name, precision, recall, f1, support) in enumerate(self._rows):
            if r == len(self._rows) - 1:  # the macro averages, under a rule
                painter.setPen(QPen(QColor(GRID_COLOR), 1))
                painter.drawLine(x, y + 2, x + lefts[-1], y + 2)
                y += 5
                step = line
            painter.setPen(QColor(TEXT_COLOR))
            cells = (name, f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", str(support))
            for k, text in enumerate(cells):
                painter.drawText(QRect(x + lefts[k], y, widths[k], step), Qt.AlignRight | Qt.AlignVCenter, text)
            y += step
