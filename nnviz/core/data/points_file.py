"""The user's own points as CSV files: a header row naming the columns, then one point a row.

::

    x,y,label
    0.5,1.25,cat
    -1,0.75,dog

The label column is the one named ``label`` (in any case), or else the last column; every
other column is a numeric feature. Blank lines (or lines of empty cells) are skipped.

The labels are classes, or the targets of a regression task. When every label is a finite
number and at least one is not a whole number, or there is only one feature column, they are
targets (float64, no class names); otherwise they are classes. ``task="regression"`` makes
them targets (each must be a finite number), ``task="classification"`` classes.

Classes need at least two feature columns. Their labels may be words or numbers. If every
label is a finite number, labels with the same value are one class ("1", "1.0" and " 1"),
named by the shortest way to write it ("1") and ordered by value; otherwise labels are
compared as text (spaces around them removed) and ordered alphabetically. The classes take
the integers 0, 1, ... in that order.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np

from nnviz.core.data.datasets import (
    CLASSES_RANGE,
    CLASSIFICATION,
    REGRESSION,
    TASKS,
    Dataset,
)
from nnviz.core.io.atomic import opened_to_read, write_atomically

MAX_BYTES = 10 * 2**20
MAX_POINTS = 20_000
LABEL = "label"


class DataFileError(ValueError):
    """A data file cannot be used; the message names the file, the line where there is one,
    and the problem, in one sentence."""


class _Problem(Exception):
    """What is wrong with a data file (the caller adds which file)."""


def read_data_csv(path: str | os.PathLike, task: str | None = None) -> Dataset:
    """All points of a CSV file as the training part of a :class:`Dataset` (the test part is
    empty: split it with :func:`nnviz.core.data.datasets.resplit`). ``task`` is
    ``"classification"``, ``"regression"`` or None (told from the labels, as the module
    docstring says). Raises :class:`DataFileError`."""
    _check_task(task)
    name = os.fspath(path)
    try:
        return _parse(Path(path).stem, _text(Path(path)), task)
    except FileNotFoundError:
        reason = "there is no such file"
    except IsADirectoryError:
        reason = "it is a folder, not a CSV file"
    except _Problem as problem:
        reason = str(problem)
    except OSError as error:
        reason = error.strerror or str(error)
    raise DataFileError(f"Cannot read {name}: {reason}.")


def read_points(path: str | os.PathLike, task: str | None = None) -> Dataset:
    """The points of a CSV file, or the images of an IDX file (MNIST's format, told by its
    first bytes; their labels are classes), as :func:`read_data_csv` gives them. Raises
    :class:`DataFileError`."""
    from nnviz.core.data.idx import is_idx, read_idx

    _check_task(task)
    if not is_idx(path):
        return read_data_csv(path, task)
    if task == REGRESSION:
        raise DataFileError(f"Cannot read {os.fspath(path)}: an IDX file's labels are classes of images, "
                            "not regression targets.")
    return read_idx(path)


def _check_task(task: str | None) -> None:
    if task is not None and task not in TASKS:
        raise ValueError(f"task is {' or '.join(TASKS)} or None; got {task!r}")


def _text(path: Path) -> str:
    with opened_to_read(path) as handle:
        size = os.fstat(handle.fileno()).st_size  # before reading: a huge file is refused unread
        too_big = f"nnviz reads data files of up to {MAX_BYTES // 2**20} MiB"
        if size > MAX_BYTES:
            raise _Problem(f"it is {size / 2**20:.1f} MiB; {too_big}")
        raw = handle.read(MAX_BYTES + 1)  # a device or pipe reports no size: stop reading anyway
    if len(raw) > MAX_BYTES:
        raise _Problem(f"it is larger than {MAX_BYTES // 2**20} MiB; {too_big}")
    if b"\0" in raw:
        raise _Problem("it is a binary file, not CSV text")
    try:
        return raw.decode("utf-8-sig")  # spreadsheets often start UTF-8 files with a BOM
    except UnicodeDecodeError:
        raise _Problem("it is not UTF-8 text (save it as CSV in UTF-8)") from None


def _parse(stem: str, text: str, task: str | None) -> Dataset:
    lines = ((line, row) for line, row in _rows(text) if any(cell.strip() for cell in row))
    try:
        header = [cell.strip() for cell in next(lines)[1]]
    except StopIteration:
        raise _Problem("it is empty") from None
    label = _label_column(header)
    features = [i for i in range(len(header)) if i != label]
    names = [header[i] or f"x{n + 1}" for n, i in enumerate(features)]
    X, labels, label_lines = [], [], []
    for line, row in lines:
        if len(X) == MAX_POINTS:
            raise _Problem(f"it has more than {MAX_POINTS:,} points, the most nnviz trains on")
        if len(row) != len(header):
            raise _Problem(f"line {line}: it has {len(row)} values, not {len(header)} like the first line")
        X.append([_number(row[i], names[n], line) for n, i in enumerate(features)])
        labels.append(row[label].strip())
        label_lines.append(line)
        if not labels[-1]:
            raise _Problem(f"line {line}: the label is empty")
    if not X:
        raise _Problem("it names the columns but holds no points")
    X = np.array(X, dtype=np.float64)
    empty = np.empty((0, X.shape[1]))
    if _task(task, labels, len(features)) == REGRESSION:
        y = np.array([_target(text, n) for text, n in zip(labels, label_lines)], dtype=np.float64)
        return Dataset(stem, X, y, empty, np.empty(0), (), tuple(names), task=REGRESSION)
    if len(features) < 2:
        raise _Problem(f"it has {len(header)} columns; it needs at least two feature columns and a label column, "
                       "like x,y,label")
    y, class_names = _classes(labels)
    return Dataset(stem, X, y, empty, np.empty(0, dtype=np.int64), class_names, tuple(names))


def _task(asked: str | None, labels: list[str], features: int) -> str:
    """The task asked for, or else the one the labels show (the rule in the module docstring)."""
    if asked is not None:
        return asked
    values = [float(label) if _is_number(label) else math.nan for label in labels]
    if not all(math.isfinite(v) for v in values):
        return CLASSIFICATION
    return REGRESSION if features < 2 or not all(v.is_integer() for v in values) else CLASSIFICATION


def _target(text: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Problem(f"line {line}: the label is {_shown(text)}, not a number, and a regression task "
                       "needs a number in every row") from None
    if not math.isfinite(value):
        raise _Problem(f"line {line}: the label is {_shown(text)}, not a finite number")
    return value


def _rows(text: str):
    """``(line number, cells)`` of every row, numbered by the line it starts on (a quoted
    value may span lines); the csv module's complaints become a :class:`_Problem`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise _Problem(f"line {start}: {error}") from None


def _label_column(header: list[str]) -> int:
    """Where the labels are; refuses a first line that names no columns."""
    if len(header) < 2:
        raise _Problem("it has 1 column; it needs at least two feature columns and a label column, like x,y,label, "
                       "or for a regression task one feature column and a target column, like x,y")
    named = [i for i, cell in enumerate(header) if cell.lower() == LABEL]
    if len(named) > 1:
        raise _Problem(f"{len(named)} columns are named {LABEL}; only one can hold the labels")
    if not named and all(_is_number(cell) for cell in header[:-1]):
        raise _Problem("the first line must name the columns, like x,y,label")
    return named[0] if named else len(header) - 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, column: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Problem(f'line {line}: "{column}" is {_shown(text)}, not a number') from None
    if not math.isfinite(value):
        raise _Problem(f'line {line}: "{column}" is {_shown(text)}, not a finite number')
    return value


def _shown(text: str) -> str:
    """A cell as quoted in a message: on one line, and not too long to read."""
    text = " ".join(text.split())
    if not text:
        return "empty"
    return f'"{text}"' if len(text) <= 40 else f'"{text[:37]}..."'


def _classes(labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer labels and the class names, by the rule in the module docstring."""
    values = [float(label) if _is_number(label) else math.nan for label in labels]
    if all(math.isfinite(v) for v in values):
        keys = values
        names = {v: str(int(v)) if v.is_integer() else repr(v) for v in sorted(set(values))}
    else:
        keys = labels
        names = {label: label for label in sorted(set(labels))}
    low, high = CLASSES_RANGE
    if len(names) < low:
        only = next(iter(names.values()))
        raise _Problem(f"all {len(labels)} points have the label {only!r}; a classifier needs at least two classes")
    if len(names) > high:
        raise _Problem(f"it has {len(names)} different labels; nnviz handles at most {high} classes")
    index = {key: k for k, key in enumerate(names)}
    return np.array([index[key] for key in keys], dtype=np.int64), tuple(names.values())


def write_data_csv(path: str | os.PathLike, data: Dataset) -> None:
    """Write every point of ``data`` (training, then test) as a CSV file that
    :func:`read_data_csv` reads back exactly, atomically (raises :class:`SaveError`).

    Labels are written as their names; reading gives back the same label numbers when every
    class has a point and the names are in the order reading sorts them in (as they are for
    data read from a file, and for the default names "0", "1", ...). Regression targets are
    written exactly; reading tells them from classes when one is not a whole number or there
    is one feature (else read with ``task="regression"``)."""
    X, y = data.merged()
    labels = data.label_names
    label_of = repr if data.regression else labels.__getitem__

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*data.axis_names, LABEL])
            for point, label in zip(X.tolist(), y.tolist()):
                writer.writerow([*map(repr, point), label_of(label)])

    write_atomically(path, write)
