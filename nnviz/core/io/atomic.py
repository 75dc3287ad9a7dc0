"""Writing files so that a failure never leaves a half-written file in place of a good one, and
opening files to read without hanging on a pipe."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def opened_to_read(path: Path) -> Iterator[BinaryIO]:
    """``path``'s bytes. Opened without waiting, so a named pipe nobody writes to reads as empty
    instead of blocking for ever; reads wait again, so a pipe that is being written (``--data
    <(...)``) works. Raises IsADirectoryError for a folder (and OSError as ``open`` does)."""
    if path.is_dir():
        raise IsADirectoryError
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    with open(os.open(path, os.O_RDONLY | nonblocking), "rb") as handle:
        if nonblocking:
            os.set_blocking(handle.fileno(), True)
        yield handle


class SaveError(OSError):
    """A file could not be written; the message says where and why, in one sentence."""


def check_writable(path: str | os.PathLike) -> None:
    """Raise :class:`SaveError` if :func:`write_atomically` could not save ``path``: its
    folder is missing or not a folder, ``path`` is a folder, or no file can be made in the
    folder. To be asked before long work (training) whose result goes there; it leaves
    nothing behind."""
    os.remove(_temporary(Path(path)))


def _temporary(path: Path) -> str:
    """A new empty file beside ``path`` to write it through (the caller removes it). Raises
    :class:`SaveError`, in one sentence, where ``path`` cannot be saved."""
    folder = path.parent
    if path.is_dir():
        raise SaveError(f"Cannot save {path}: it is a folder.")
    if not folder.is_dir():
        reason = "is a file, not a folder" if folder.exists() else "does not exist"
        raise SaveError(f"Cannot save {path}: the folder {folder} {reason}.")
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise SaveError(f"Cannot save {path}: {error.strerror or error} (is the folder writable?).") from None
    os.close(handle)
    return tmp


def write_atomically(path: str | os.PathLike, write: Callable[[str], bool | None]) -> None:
    """Call ``write(tmp)`` to fill a temporary file next to ``path``, then rename it over
    ``path``. If ``write`` returns False or raises ``OSError``, nothing at ``path`` changes
    and no temporary file is left. Raises :class:`SaveError`."""
    path = Path(path)
    tmp = _temporary(path)
    try:
        if write(tmp) is False:
            raise SaveError(f"Cannot save {path}: writing the file failed (is the disk full?).")
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; our files should not be
        with open(tmp, "rb+") as handle:  # on disk before it takes the old file's place
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except SaveError:
        raise
    except OSError as error:
        raise SaveError(f"Cannot save {path}: {error.strerror or error}.") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, or what a new file gets under the umask."""
    if path.is_file():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
