"""Images in the IDX format of MNIST: an images file and, beside it, its labels file.

::

    train-images-idx3-ubyte    00 00 08 03, then images, rows, columns (big-endian uint32),
                               then every pixel, one unsigned byte each, image by image
    train-labels-idx1-ubyte    00 00 08 01, then count, then one byte a label

Either file may be gzipped (``.gz``, as MNIST is downloaded); that is told by its first
bytes, not its name. The labels file is the images file's name with ``images`` made
``labels`` and ``idx3`` made ``idx1``, in the same folder; for a gzipped images file the
same name with or without ``.gz`` will do too. Labels are the digits 0-9.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nnviz.core.data.datasets import Dataset
from nnviz.core.data.points_file import DataFileError
from nnviz.core.io.atomic import opened_to_read, write_atomically

MAX_IMAGES = 70_000  # MNIST's training and test images together
MAX_PIXELS = 100_000  # in one image
MAX_TOTAL_PIXELS = MAX_IMAGES * 28 * 28  # all of MNIST: 220 MB as float32
MAX_LABEL = 9
IMAGES_MAGIC = b"\0\0\x08\x03"  # unsigned bytes, three dimensions
LABELS_MAGIC = b"\0\0\x08\x01"  # unsigned bytes, one dimension
_GZIP = b"\x1f\x8b"
_CHUNK = 2**20  # read this much at a time, so gzip never unpacks a whole file into one bytes object
_KINDS = {IMAGES_MAGIC: "image", LABELS_MAGIC: "labels"}


class _Problem(Exception):
    """What is wrong with an IDX file (the caller adds which file)."""


def read_idx(path: str | os.PathLike) -> Dataset:
    """All images of an IDX images file, with the labels of its labels file, as the training
    part of a :class:`Dataset` (the test part is empty: split it with
    :func:`nnviz.core.data.datasets.resplit`). Pixels are scaled to 0-1. Raises :class:`DataFileError`."""
    images = Path(path)
    pixels, (count, rows, columns), gzipped = _guarded(os.fspath(path), "image", lambda: _load(images, IMAGES_MAGIC))
    labels_file = _guarded(os.fspath(path), "image", lambda: _find_labels(images, gzipped))

    def load_labels() -> np.ndarray:
        labels = _load(labels_file, LABELS_MAGIC, expect=count, images=os.fspath(path))[0]
        return _checked_labels(labels)

    labels = _guarded(str(labels_file), "labels", load_labels)
    X = pixels.reshape(count, rows * columns).astype(np.float32)
    X /= 255  # in place: a float64 temporary of all MNIST would take another 440 MB
    name = Path(images.name.removesuffix(".gz")).stem
    return Dataset(name, X, labels.astype(np.int64), np.empty((0, rows * columns), dtype=np.float32),
                   np.empty(0, dtype=np.int64), image_shape=(rows, columns))


def is_idx(path: str | os.PathLike) -> bool:
    """Whether ``path`` is to be read by :func:`read_idx` rather than as CSV: it starts (once
    unpacked, if gzipped) with two zero bytes, as every IDX file does and no CSV text can.
    A gzip file too damaged to unpack counts too, so that :func:`read_idx` explains the damage."""
    try:
        with _opened(Path(path)) as (stream, _):
            return _read_bytes(stream, 2) == b"\0\0"
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return True
    except OSError:
        return False  # missing, a folder, unreadable: the CSV reader says so as well as we would


def write_idx(images_path: str | os.PathLike, images: np.ndarray, labels: np.ndarray) -> None:
    """Write ``images`` (uint8, shape ``(n, rows, columns)``) as an IDX images file and
    ``labels`` (``n`` integers 0-255) as its labels file, named as :func:`read_idx` looks for
    it; both are gzipped if ``images_path`` ends in ``.gz``. Each file is written atomically
    (raises :class:`nnviz.core.io.atomic.SaveError`; ValueError for arrays that do not fit)."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be uint8 of shape (n, rows, columns), not {images.dtype} of shape {images.shape}")
    if labels.shape != images.shape[:1] or (labels.size and labels.dtype.kind not in "iub"):
        raise ValueError(f"labels must be {len(images)} integers, not {labels.dtype} of shape {labels.shape}")
    if labels.size and not 0 <= labels.min() <= labels.max() <= 255:
        raise ValueError("labels must be 0 to 255 (one byte each)")
    path = Path(images_path)
    labels_name = _labels_name(path.name)
    if labels_name is None:
        raise ValueError(f"{path.name} names no labels file: its name must contain 'images' or 'idx3'")
    packed = path.name.lower().endswith(".gz")
    _write(path, IMAGES_MAGIC, images, packed)
    _write(path.with_name(labels_name), LABELS_MAGIC, labels.astype(np.uint8), packed)


def _write(path: Path, magic: bytes, array: np.ndarray, packed: bool) -> None:
    header = magic + np.asarray(array.shape, dtype=">u4").tobytes()

    def write(tmp: str) -> None:
        with open(tmp, "wb") as raw:
            # No file name and a zero time in the gzip header: the same arrays give the same bytes.
            out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if packed else contextlib.nullcontext(raw)
            with out as stream:
                stream.write(header)
                stream.write(np.ascontiguousarray(array).data)

    write_atomically(path, write)


def _guarded(name: str, kind: str, read: Callable):
    """``read()``, with whatever goes wrong reading the file ``name`` told in one sentence."""
    try:
        return read()
    except FileNotFoundError:
        reason = "there is no such file"
    except IsADirectoryError:
        reason = f"it is a folder, not an IDX {kind} file"
    except _Problem as problem:
        reason = str(problem)
    except EOFError:
        reason = "it is a gzip file that ends too soon (was the download cut short?)"
    except (gzip.BadGzipFile, zlib.error) as error:  # before OSError: BadGzipFile is one
        if "CRC" in str(error):  # gzip's "CRC check failed": it unpacks, to bytes that are not the ones packed
            reason = "it is a damaged gzip file: what it unpacks to fails its CRC check"
        else:
            reason = "it is a damaged gzip file that cannot be unpacked"
    except MemoryError:
        reason = "there is not enough memory to hold it"
    except OSError as error:
        reason = error.strerror or str(error)
    raise DataFileError(f"Cannot read {name}: {reason}.")


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[tuple[BinaryIO, bool]]:
    """The file's bytes, unpacked if it is gzipped, and whether it was."""
    with opened_to_read(path) as handle:
        if handle.peek(2)[:2] == _GZIP:  # peek, not read: a pipe cannot go back
            with gzip.GzipFile(fileobj=handle, mode="rb") as unpacked:
                yield unpacked, True
        else:
            yield handle, False


def _load(path: Path, magic: bytes, expect: int | None = None, images: str = "") -> tuple[np.ndarray, tuple[int, ...], bool]:
    """``(values, dimensions, gzipped)`` of an IDX file of the kind ``magic`` names, checked
    against the limits (and for labels against the ``expect`` images of the file ``images``)
    before its values are read."""
    with _opened(path) as (stream, gzipped):
        try:
            return _values(stream, magic, expect, images) + (gzipped,)
        except _Problem:
            if gzipped:  # bytes that a damaged gzip stream made up: its checksum says so at its end
                _drain(stream)
            raise


def _values(stream: BinaryIO, magic: bytes, expect: int | None, images: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """The values and dimensions of the IDX data in ``stream`` (see :func:`_load`)."""
    kind = _KINDS[magic]
    dims = _header(stream, magic)
    if kind == "image":
        _check_images(*dims)
    elif dims[0] != expect:
        raise _Problem(f"it holds {dims[0]:,} labels, but {images} holds {expect:,} images")
    size = int(np.prod(dims))
    values = np.empty(size, dtype=np.uint8)  # filled in place: no second copy of the pixels
    got = _fill(stream, memoryview(values))
    what = (f"{dims[0]:,} images of {dims[1]}x{dims[2]} pixels" if kind == "image" else f"{size:,} labels")
    if got < size:
        raise _Problem(f"it is truncated: its header announces {what} ({size:,} bytes), but only {got:,} bytes follow")
    if stream.read(1):
        raise _Problem(f"it is longer than its header says: more bytes follow its {what} ({size:,} bytes)")
    return values, dims


def _drain(stream: BinaryIO) -> None:
    """Read a gzip stream on to its end (a bounded way: at most :data:`MAX_TOTAL_PIXELS` more
    bytes), so that a damaged one raises its error (a CRC that does not match) rather than the
    problem its made-up bytes seem to have (a wrong length or count)."""
    buffer = memoryview(bytearray(_CHUNK))
    for _ in range(MAX_TOTAL_PIXELS // _CHUNK + 1):
        if not stream.readinto(buffer):
            return


def _header(stream: BinaryIO, magic: bytes) -> tuple[int, ...]:
    kind, ndim = _KINDS[magic], magic[3]
    head = _read_bytes(stream, 4)
    if not head:
        raise _Problem("it is empty")
    if len(head) < 4 or head[:2] != b"\0\0":
        raise _Problem(f"it is not an IDX {kind} file (its first bytes are not 0x{magic.hex().upper()})")
    if head[2] != magic[2]:
        raise _Problem(f"it holds IDX values of type 0x{head[2]:02X}, but nnviz reads only unsigned bytes (type 0x08)")
    if head[3] != ndim:
        raise _Problem(f"it is an IDX file of {_dimensions(head[3])}, not an IDX {kind} file ({_dimensions(ndim)})")
    sizes = _read_bytes(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise _Problem("it is truncated: it ends inside its header")
    return tuple(int(size) for size in np.frombuffer(sizes, dtype=">u4"))


def _dimensions(ndim: int) -> str:
    return f"{ndim} dimension{'s' * (ndim != 1)}"


def _check_images(count: int, rows: int, columns: int) -> None:
    if count == 0:
        raise _Problem("it holds no images")
    if count > MAX_IMAGES:
        raise _Problem(f"it holds {count:,} images, more than the {MAX_IMAGES:,} nnviz reads")
    if not 1 <= rows * columns <= MAX_PIXELS:
        raise _Problem(f"its images are {rows:,}x{columns:,} pixels; nnviz reads images of 1 to {MAX_PIXELS:,} pixels")
    if count * rows * columns > MAX_TOTAL_PIXELS:
        raise _Problem(f"its {count:,} images of {rows:,}x{columns:,} pixels are more than nnviz holds "
                       f"(at most {MAX_TOTAL_PIXELS:,} pixels in all, MNIST's 70,000 of 28x28)")


def _checked_labels(labels: np.ndarray) -> np.ndarray:
    wrong = np.flatnonzero(labels > MAX_LABEL)
    if wrong.size:
        first = int(wrong[0])
        raise _Problem(f"label {first + 1:,} is {labels[first]}, but labels must be digits 0 to {MAX_LABEL}")
    if (labels == labels[0]).all():
        raise _Problem(f"all {len(labels):,} labels are {labels[0]}; a classifier needs at least two classes")
    return labels


def _labels_name(name: str) -> str | None:
    """The labels file's name for an images file's name; None if the rule changes nothing."""
    labels = name.replace("images", "labels").replace("idx3", "idx1")
    return None if labels == name else labels


def _find_labels(images: Path, gzipped: bool) -> Path:
    name = _labels_name(images.name)
    if name is None:
        raise _Problem("nnviz cannot tell its labels file, because its name contains neither "
                       '"images" nor "idx3" (name it like train-images-idx3-ubyte)')
    labels = images.with_name(name)
    if labels.exists():
        return labels
    if gzipped:  # downloads are often unpacked (or not) one file at a time
        other = labels.with_name(name.removesuffix(".gz") if name.endswith(".gz") else name + ".gz")
        if other.exists():
            return other
        raise _Problem(f"its labels file {labels} is missing (nnviz also looked for {other})")
    raise _Problem(f"its labels file {labels} is missing")


def _read_bytes(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only where the file ends."""
    buffer = bytearray(size)
    return bytes(buffer[:_fill(stream, memoryview(buffer))])


def _fill(stream: BinaryIO, buffer: memoryview) -> int:
    """Read into ``buffer`` until it is full or the file ends (a pipe may give a little at a
    time); how many bytes were read."""
    done = 0
    while done < len(buffer):
        got = stream.readinto(buffer[done:done + _CHUNK])
        if not got:
            break
        done += got
    return done
