"""Run files: a whole training run in one file, to stop, send, and carry on exactly.

A run file is a zip archive holding ``run.json`` (what the run is) and ``.npy`` arrays (its
numbers), so it is read with standard tools and never needs pickle. ``run.json``::

    {"format": "nnviz-run", "version": 1, "config": {...TrainingConfig...}, "step": 4000,
     "layer_sizes": [2, 10, 2], "activation": "tanh", "dtype": "float32",
     "settings": {"lr": ..., "l2": ..., "momentum": ..., "batch_size": ...},
     "history": {"every": 10, "capacity": 2000}, "batches": {"cursor": 160, "rng": {...}},
     "has_previous": true, "data": {"name": "points", "class_names": ["cat", "dog"],
     "feature_names": ["x", "y"]}}

``data`` (and each key in it) is optional: files saved before it existed still load.

Arrays: ``parameters`` and ``previous`` (the network's flat parameter vector now and before
the last update), ``velocity``, ``history`` (rows of step, loss, train accuracy, test loss,
test accuracy), ``X_train``, ``y_train``, ``X_test``, ``y_test``, and ``order`` (this
epoch's mini-batch order). Resuming from a file continues bit for bit as if never stopped.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.datasets import Dataset
from nnviz.core.editing import unused_class_name
from nnviz.core.files import write_atomically
from nnviz.core.history import FIELDS, LossHistory
from nnviz.core.network import MLP, layout_size
from nnviz.core.training import Batches, Trainer

FORMAT = "nnviz-run"
VERSION = 1
SUFFIX = ".nnviz"
ARRAYS = ("parameters", "previous", "velocity", "history", "X_train", "y_train", "X_test", "y_test", "order")


class RunFileError(ValueError):
    """A file is not a run nnviz can read; the message says what is wrong, in one sentence."""


def save_run(path: str | os.PathLike, config: TrainingConfig, trainer: Trainer) -> None:
    """Write ``trainer``'s whole state to ``path`` atomically (raises :class:`SaveError`)."""
    state = trainer.state()
    network = trainer.network
    header = {
        "format": FORMAT, "version": VERSION, "config": config.as_dict(), "step": trainer.step_count,
        "layer_sizes": list(network.layer_sizes), "activation": network.activation, "dtype": network.dtype.name,
        "settings": {"lr": trainer.lr, "l2": trainer.l2, "momentum": trainer.momentum, "batch_size": trainer.batch_size},
        "history": {"every": trainer.history.every, "capacity": trainer.history.capacity},
        "batches": {"cursor": state["cursor"], "rng": state["rng"]}, "has_previous": state["has_previous"],
    }
    data = trainer.data
    class_names = list(data.class_names)
    if class_names or data.classes < network.layer_sizes[-1]:
        # Every output gets a name, so a class drawn and then erased keeps its output on reopening.
        class_names = list(data.label_names)
        for k in range(len(class_names), network.layer_sizes[-1]):
            class_names.append(unused_class_name(k, class_names))
    header["data"] = {"name": data.name, "class_names": class_names, "feature_names": list(data.feature_names)}
    arrays = {"parameters": network.flat, "previous": state["previous"], "velocity": state["velocity"],
              "history": _on_grid(trainer.history), "X_train": data.X_train, "y_train": data.y_train,
              "X_test": data.X_test, "y_test": data.y_test, "order": state["order"]}

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("run.json", json.dumps(header, indent=1))
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(array), allow_pickle=False)
                archive.writestr(f"{name}.npy", buffer.getvalue())

    write_atomically(path, write)


def _on_grid(history: LossHistory) -> np.ndarray:
    """The history without an entry a run recorded only because it ended there: an
    uninterrupted run would not have it, and a resumed one must match that."""
    rows = history.array()
    return rows[rows[:, 0] % history.every == 0]


def load_run(path: str | os.PathLike) -> tuple[TrainingConfig, Trainer]:
    """The config and a trainer ready to carry on; raises :class:`RunFileError`."""
    name = os.fspath(path)
    try:
        with zipfile.ZipFile(name) as archive:
            header = _header(archive)
            arrays = {key: _array(archive, key) for key in ARRAYS}
        return _build(header, arrays)
    except FileNotFoundError:
        reason = "there is no such file"
    except IsADirectoryError:
        reason = "it is a folder, not a run file"
    except (zipfile.BadZipFile, EOFError):
        reason = "it is not an nnviz run file (or it is damaged)"
    except _Refused as refusal:
        reason = str(refusal)
    except OSError as error:
        reason = error.strerror or str(error)
    except (KeyError, TypeError, ValueError, ConfigError, OverflowError, AttributeError, RecursionError,
            NotImplementedError, RuntimeError, MemoryError) as error:
        # Whatever a crafted or damaged file trips over, the user gets one sentence.
        reason = f"the run inside is inconsistent ({type(error).__name__}: {error})"
    raise RunFileError(f"Cannot open {name}: {reason}.")


class _Refused(Exception):
    """Why a run file is refused (the caller adds which file)."""


MAX_ENTRY_BYTES = 64 * 2**20  # far above any real run (5000 points, 200 units); a bomb stops here


def _read(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise _Refused(f"the run has no {member}") from None
    if info.file_size > MAX_ENTRY_BYTES:
        raise _Refused(f"its {member} claims {info.file_size:,} bytes, more than a run can hold")
    return archive.read(member)


def _header(archive: zipfile.ZipFile) -> dict:
    if "run.json" not in archive.namelist():
        raise _Refused("it is a zip archive, but not an nnviz run file")
    try:
        header = json.loads(_read(archive, "run.json"))
    except (ValueError, UnicodeDecodeError):
        raise _Refused("its run description is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _Refused("it is not an nnviz run file")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise _Refused(f"its format version {version!r} is not one nnviz wrote")
    if version > VERSION:
        raise _Refused(f"it was saved by a newer nnviz (run format {version}); this one reads format {VERSION}. "
                       "Please update nnviz")
    return header


def _array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    raw = _read(archive, f"{key}.npy")
    stream = io.BytesIO(raw)
    try:
        # Check the shape the header claims against the bytes present before numpy allocates it.
        read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        shape, _, dtype = read_header[np.lib.format.read_magic(stream)](stream)
        if dtype.hasobject or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > len(raw):
            raise _Refused(f"its {key} array is damaged")
        stream.seek(0)
        return np.load(stream, allow_pickle=False)
    except ValueError as error:
        raise _Refused(f"its {key} array is unreadable ({error})") from None


def _integer(value, low: int, high: int, name: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _Refused(f"its {name} {value!r} is not a whole number from {low} to {high}")
    return value


def _build(header: dict, arrays: dict) -> tuple[TrainingConfig, Trainer]:
    config = TrainingConfig.from_dict(header["config"])
    # The network must be the one the config describes: the config is what the window shows.
    X_train, y_train, X_test, y_test = (arrays[k] for k in ("X_train", "y_train", "X_test", "y_test"))
    classes = int(max(y_train.max(initial=0), y_test.max(initial=0))) + 1 if y_train.size else 0
    features = X_train.shape[1] if X_train.ndim == 2 else -1
    name, class_names, feature_names = _data_names(header.get("data", {}), config.dataset, classes, features)
    if classes:
        classes = max(classes, len(class_names))  # a named class may have no points (yet)
    sizes = (features, config.hidden, classes)
    described = {"layer_sizes": list(sizes), "activation": config.activation, "dtype": config.dtype,
                 "settings": {"lr": config.lr, "l2": config.l2, "momentum": config.momentum,
                              "batch_size": config.batch_size}}
    for key, expected in described.items():
        if header.get(key) != expected:
            raise _Refused(f"its {key} {header.get(key)!r} do not match its settings ({expected!r})")
    if classes < 2 or not np.issubdtype(y_train.dtype, np.integer) or not np.issubdtype(y_test.dtype, np.integer):
        raise _Refused("its labels are not whole numbers of at least two classes")
    dtype = np.dtype(config.dtype)
    _expect(X_train, (len(y_train), sizes[0]), "X_train")
    _expect(X_test, (len(y_test), sizes[0]), "X_test")
    _expect(y_train, (len(y_train),), "y_train")
    _expect(y_test, (len(y_test),), "y_test")
    for key in ("parameters", "previous", "velocity"):
        _expect(arrays[key], (layout_size(sizes),), key)
        if arrays[key].dtype != dtype:
            raise _Refused(f"its {key} array is {arrays[key].dtype}, not {dtype}")
    _expect(arrays["history"], (len(arrays["history"]), len(FIELDS)), "history")
    _expect(arrays["order"], (len(y_train),), "order")
    for key in ("parameters", "previous", "velocity", "X_train", "X_test"):
        if not np.issubdtype(arrays[key].dtype, np.floating) or not np.isfinite(arrays[key]).all():
            raise _Refused(f"its {key} array holds values that are not finite real numbers")
    if y_test.size and y_test.min() < 0 or y_train.min() < 0:
        raise _Refused("its labels are negative")
    data = Dataset(name, X_train.astype(np.float64), y_train.astype(np.int64), X_test.astype(np.float64),
                   y_test.astype(np.int64), class_names, feature_names)
    step = _integer(header.get("step"), 0, 10**15, "step")
    every = _integer(header["history"].get("every"), 1, 10**15, "history spacing")
    capacity = header["history"].get("capacity")
    if capacity is not None:
        _integer(capacity, 4, 10**6, "history capacity")
    history = LossHistory.from_array(arrays["history"], every, capacity)
    if not isinstance(header.get("has_previous"), bool):
        raise _Refused("its has_previous is not true or false")
    rng = np.random.default_rng()
    rng.bit_generator.state = header["batches"]["rng"]
    batches = Batches(data, dtype, classes, config.batch_size, rng)
    batches.restore(arrays["order"], _integer(header["batches"].get("cursor"), 0, len(y_train), "batch cursor"))
    trainer = Trainer(
        MLP.from_flat(arrays["parameters"].copy(), sizes, config.activation), data, lr=config.lr, l2=config.l2,
        momentum=config.momentum, batch_size=config.batch_size, history=history, step_count=step, batches=batches,
    )
    trainer.restore(arrays["previous"], arrays["velocity"], header["has_previous"])
    return config, trainer


def _data_names(data, dataset: str, classes: int, features: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The data's name and display names from the header (the config's dataset name and no
    display names where a file has none); every class has a name and every feature one, or none do."""
    if not isinstance(data, dict):
        raise _Refused("its data description is not a mapping")
    name = data.get("name", dataset)
    if not isinstance(name, str):
        raise _Refused(f"its data name {name!r} is not text")
    class_names = _names(data.get("class_names", []), "class names")
    if class_names and len(class_names) < classes:
        raise _Refused(f"it names {len(class_names)} classes but its labels go up to {classes - 1}")
    feature_names = _names(data.get("feature_names", []), "feature names")
    if feature_names and len(feature_names) != features:
        raise _Refused(f"it names {len(feature_names)} features but its points have {features}")
    return name, class_names, feature_names


def _names(values, what: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Refused(f"its {what} are not a list of text")
    return tuple(values)


def _expect(array: np.ndarray, shape: tuple, name: str) -> None:
    if array.shape != shape:
        raise _Refused(f"its {name} array has shape {array.shape}, expected {shape}")
