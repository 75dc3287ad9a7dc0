"""Reading a run file's zip archive (:mod:`nnviz.core.io.runfile`): ``run.json`` and each array,
each checked as far as reading it goes, so that a damaged or foreign file is refused with one
sentence (:class:`Refused`) before anything trusts it."""

from __future__ import annotations

import io
import json
import math
import os
import stat
import tokenize
import zipfile
import zlib

import numpy as np

from nnviz.core.config import shown

FORMAT = "nnviz-run"
VERSION = 5  # 2: any number of hidden layers; 3: optimisers (the "optimizer" array instead of "velocity"); 4: timeline;
# 5: output units and losses (config "output", "loss"), regression (data "task", float targets)
ARRAYS = ("parameters", "previous", "optimizer", "history", "X_train", "y_train", "X_test", "y_test", "order",
          "timeline", "timeline_steps")
ARRAYS_3 = ARRAYS[:-2]
ARRAYS_BEFORE_3 = tuple("velocity" if key == "optimizer" else key for key in ARRAYS_3)


class Refused(Exception):
    """Why a run file is refused (the caller adds which file)."""


NOT_A_RUN = "it is not an nnviz run file (or it is damaged)"
MAX_ENTRY_BYTES = 64 * 2**20  # far above any real run (20,000 points, 200 units); a bomb stops here
MAX_HEADER_BYTES = 2**20  # run.json is a few kB
NOT_READABLE_FLAGS = 0x01 | 0x20 | 0x40  # zip flag bits: encrypted, patched, strongly encrypted


def read_run(name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """run.json and every array, each checked as far as reading it goes."""
    try:
        status = os.stat(name)
    except FileNotFoundError:
        raise Refused("there is no such file") from None
    except OSError as error:
        raise Refused(error.strerror or "it cannot be read") from None
    if stat.S_ISDIR(status.st_mode):
        raise Refused("it is a folder, not a run file")
    if not stat.S_ISREG(status.st_mode):
        raise Refused("it is a device or pipe, not a run file")  # reading one may never end
    try:
        archive = zipfile.ZipFile(name)
    except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError):
        # No zip directory, a damaged one, or one naming an unknown zip version or bad UTF-8.
        raise Refused(NOT_A_RUN) from None
    except OSError as error:
        raise Refused(error.strerror or "it cannot be read") from None
    with archive:
        if "run.json" not in archive.namelist():
            raise Refused("it is a zip archive, but not an nnviz run file")
        header = _header(_read(archive, "run.json", MAX_HEADER_BYTES, status.st_size))
        keys = ARRAYS if header["version"] >= 4 else ARRAYS_3 if header["version"] >= 3 else ARRAYS_BEFORE_3
        arrays = {key: _array(_read(archive, f"{key}.npy", MAX_ENTRY_BYTES, status.st_size), key) for key in keys}
    return header, arrays


def _read(archive: zipfile.ZipFile, member: str, limit: int, file_size: int) -> bytes:
    """A member's bytes; the sizes its entry claims are checked before anything is read."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise Refused(f"the run has no {member}") from None
    if info.file_size > limit:
        raise Refused(f"its {member} claims {info.file_size:,} bytes, more than a run can hold")
    if not 0 <= info.header_offset <= info.header_offset + info.compress_size <= file_size:
        raise Refused(f"its {member} is damaged (it claims more bytes than the file holds)")
    if info.flag_bits & NOT_READABLE_FLAGS:
        raise Refused(f"its {member} is damaged (it is marked as encrypted)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Refused(f"its {member} is damaged (it names compression method {info.compress_type}, "
                       "which nnviz does not use)")
    try:
        data = archive.read(info)
        if len(data) == info.file_size:
            return data
        reason = f"it holds {len(data):,} bytes, not the {info.file_size:,} its entry claims"
    except zlib.error:
        reason = "its compressed data is corrupt"
    except EOFError:
        reason = "its data ends early"
    except (zipfile.BadZipFile, UnicodeDecodeError):  # a bad checksum, local header or name
        reason = "it fails the zip archive's checks"
    except OSError as error:
        reason = error.strerror or "it cannot be read"
    raise Refused(f"its {member} is damaged ({reason})")


def _header(raw: bytes) -> dict:
    """run.json, once it says it is a run file of a version this nnviz reads."""
    try:
        header = json.loads(raw)
    except ValueError:  # not JSON, not UTF-8, or a number too long to convert
        raise Refused("its run description is not valid JSON") from None
    except RecursionError:
        raise Refused("its run description is nested too deeply to read") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Refused("it is not an nnviz run file")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise Refused(f"its format version {shown(version)} is not one nnviz wrote")
    if version > VERSION:
        raise Refused(f"it was saved by a newer nnviz (run format {version}) and this one reads format {VERSION}, "
                       "so please update nnviz")
    return header


_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _array(raw: bytes, key: str) -> np.ndarray:
    """A .npy member, once its header's shape is known to fit the bytes present."""
    stream = io.BytesIO(raw)
    unreadable = Refused(f"its {key} array is damaged (its header is unreadable)")
    try:
        read_header = _NPY_HEADERS.get(np.lib.format.read_magic(stream))
        if read_header is None:
            raise unreadable
        shape, _, dtype = read_header(stream)
    except (ValueError, TypeError, IndexError, SyntaxError, tokenize.TokenError, RecursionError):
        # What numpy's parser of the header text (ast.literal_eval, tokenize) raises on damage.
        raise unreadable from None
    if dtype.hasobject or not dtype.itemsize:
        raise Refused(f"its {key} array is damaged (its header names a type that is not numbers)")
    if len(shape) > 2 or not all(0 <= n <= MAX_ENTRY_BYTES for n in shape):  # a run's arrays are tables at most
        raise Refused(f"its {key} array is damaged (its header claims the shape {shown(shape)})")
    claimed = math.prod(shape) * dtype.itemsize
    if claimed > len(raw) - stream.tell():
        raise Refused(f"its {key} array is damaged (its header claims {claimed:,} bytes of data, "
                       f"and {len(raw) - stream.tell():,} are present)")
    stream.seek(0)
    return np.load(stream, allow_pickle=False)

