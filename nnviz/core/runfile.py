"""Run files: a whole training run in one file, to stop, send, and carry on exactly.

A run file is a zip archive holding ``run.json`` (what the run is) and ``.npy`` arrays (its
numbers), so it is read with standard tools and never needs pickle. ``run.json``::

    {"format": "nnviz-run", "version": 1, "config": {...TrainingConfig...}, "step": 4000,
     "layer_sizes": [2, 10, 2], "activation": "tanh", "dtype": "float32",
     "settings": {"lr": ..., "l2": ..., "momentum": ..., "batch_size": ...},
     "history": {"every": 10, "capacity": 2000}, "batches": {"cursor": 160, "rng": {...}},
     "has_previous": true}

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
    arrays = {"parameters": network.flat, "previous": state["previous"], "velocity": state["velocity"],
              "history": trainer.history.array(), "X_train": data.X_train, "y_train": data.y_train,
              "X_test": data.X_test, "y_test": data.y_test, "order": state["order"]}

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("run.json", json.dumps(header, indent=1))
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(array), allow_pickle=False)
                archive.writestr(f"{name}.npy", buffer.getvalue())

    write_atomically(path, write)


def load_run(path: str | os.PathLike) -> tuple[TrainingConfig, Trainer]:
    """The config and a trainer ready to carry on; raises :class:`RunFileError`."""
    name = os.fspath(path)
    try:
        with zipfile.ZipFile(name) as archive:
            header = _header(archive)
            arrays = {key: _array(archive, key) for key in ARRAYS}
    except FileNotFoundError:
        raise RunFileError(f"Cannot open {name}: there is no such file.") from None
    except IsADirectoryError:
        raise RunFileError(f"Cannot open {name}: it is a folder, not a run file.") from None
    except (zipfile.BadZipFile, EOFError):
        raise RunFileError(f"Cannot open {name}: it is not an nnviz run file (or it is damaged).") from None
    except OSError as error:
        raise RunFileError(f"Cannot open {name}: {error.strerror or error}.") from None
    try:
        return _build(header, arrays)
    except (KeyError, TypeError, ValueError, ConfigError) as error:
        if isinstance(error, RunFileError):
            raise
        raise RunFileError(f"Cannot open {name}: the run inside is inconsistent ({error}).") from None


def _header(archive: zipfile.ZipFile) -> dict:
    try:
        header = json.loads(archive.read("run.json"))
    except KeyError:
        raise RunFileError("Cannot open the file: it is a zip archive, but not an nnviz run file.") from None
    except (ValueError, UnicodeDecodeError):
        raise RunFileError("Cannot open the file: its run description is not valid JSON.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RunFileError("Cannot open the file: it is not an nnviz run file.")
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise RunFileError(f"Cannot open the file: it was saved by a newer nnviz (run format {version}); "
                           f"this one reads format {VERSION}. Please update nnviz.")
    return header


def _array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    try:
        raw = archive.read(f"{key}.npy")
    except KeyError:
        raise RunFileError(f"Cannot open the file: the run has no {key} array.") from None
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as error:
        raise RunFileError(f"Cannot open the file: its {key} array is unreadable ({error}).") from None


def _build(header: dict, arrays: dict) -> tuple[TrainingConfig, Trainer]:
    config = TrainingConfig.from_dict(header["config"])
    sizes = tuple(int(s) for s in header["layer_sizes"])
    dtype = np.dtype(header["dtype"])
    if dtype.name not in ("float32", "float64") or len(sizes) < 3 or min(sizes) < 1:
        raise ValueError("unknown dtype or layer sizes")
    X_train, y_train, X_test, y_test = (arrays[k] for k in ("X_train", "y_train", "X_test", "y_test"))
    n_features, classes = sizes[0], sizes[-1]
    _expect(X_train, (len(y_train), n_features), "X_train")
    _expect(X_test, (len(y_test), n_features), "X_test")
    _expect(y_train, (len(y_train),), "y_train")
    for key in ("parameters", "previous", "velocity"):
        _expect(arrays[key], (layout_size(sizes),), key)
        if arrays[key].dtype != dtype:
            raise ValueError(f"{key} is {arrays[key].dtype}, not {dtype}")
    _expect(arrays["history"], (len(arrays["history"]), len(FIELDS)), "history")
    labels = np.concatenate([y_train, y_test])
    if labels.size and (labels.min() < 0 or labels.max() >= classes or not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError("labels do not match the network's classes")
    if not all(np.isfinite(arrays[k]).all() for k in ("parameters", "X_train", "X_test")):
        raise ValueError("parameters or points are not finite")
    data = Dataset(config.dataset, X_train.astype(np.float64), y_train.astype(np.int64), X_test.astype(np.float64),
                   y_test.astype(np.int64))
    settings = header["settings"]
    history = LossHistory.from_array(arrays["history"], int(header["history"]["every"]), header["history"]["capacity"])
    rng = np.random.default_rng()
    rng.bit_generator.state = header["batches"]["rng"]
    batches = Batches(data, dtype, classes, settings["batch_size"], rng)
    batches.restore(arrays["order"], int(header["batches"]["cursor"]))
    trainer = Trainer(
        MLP.from_flat(arrays["parameters"].copy(), sizes, header["activation"]), data, lr=float(settings["lr"]),
        l2=float(settings["l2"]), momentum=float(settings["momentum"]), batch_size=settings["batch_size"],
        history=history, step_count=int(header["step"]), batches=batches,
    )
    trainer.restore(arrays["previous"], arrays["velocity"], bool(header["has_previous"]))
    return config, trainer


def _expect(array: np.ndarray, shape: tuple, name: str) -> None:
    if array.shape != shape:
        raise RunFileError(f"Cannot open the file: its {name} array has shape {array.shape}, expected {shape}.")
