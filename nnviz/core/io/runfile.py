"""Run files: a whole training run in one file, to stop, send, and carry on exactly.

A run file is a zip archive holding ``run.json`` (what the run is) and ``.npy`` arrays (its
numbers), so it is read with standard tools and never needs pickle. ``run.json``::

    {"format": "nnviz-run", "version": 4, "config": {...TrainingConfig...}, "step": 4000,
     "layer_sizes": [2, 10, 8, 2], "activation": "tanh", "dtype": "float32",
     "settings": {"optimizer": "adam", "lr": ..., "l2": ..., "momentum": ..., "dropout": ...,
                  "batch_size": ...},
     "optimizer_steps": 4000,
     "history": {"every": 10, "capacity": 2000},
     "batches": {"cursor": 160, "rng": {...}, "dropout_rng": {...}},
     "has_previous": true, "timeline": {"every": 1000, "next_step": 4050},
     "data": {"name": "points", "class_names": ["cat", "dog"], "feature_names": ["x", "y"],
              "task": "classification"}}

``data`` (and each key in it) is optional: files saved before it existed still load. Version 1
(one hidden layer) wrote ``"hidden": 10`` where version 2 writes ``[10]``; both load. Version 5
added the config's ``output`` and ``loss`` (before: softmax and cross-entropy, which a config
without them means) and the data's ``task``: with ``"regression"`` the ``y`` arrays hold the
targets, float64 (before: classification, integer labels).

Arrays: ``parameters`` and ``previous`` (the network's flat parameter vector now and before
the last update), ``optimizer`` (the optimiser's state: one row per buffer that
``optimizers.STATE`` names for its rule), ``history`` (rows of step, loss, train accuracy, test
loss, test accuracy), ``X_train``, ``y_train``, ``X_test``, ``y_test``, ``order`` (this
epoch's mini-batch order), and (from version 4) ``timeline`` and ``timeline_steps``: the weights
of the run's kept moments, a row each, and their steps (thinned evenly to fit 48 MiB). Resuming
from a file continues bit for bit as if never stopped; from a moment of its timeline, with a
fresh optimiser state.

Versions before 3 trained by ``v = m v - lr g; w += v`` and kept ``velocity`` instead of
``optimizer``: it loads as torch's momentum buffer ``-v / lr``.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import CLASSES_RANGE, IMAGE_CLASSES_RANGE, Dataset
from nnviz.core.data.editing import unused_class_name
from nnviz.core.data.idx import MAX_IMAGES
from nnviz.core.data.points_file import MAX_POINTS
from nnviz.core.io.atomic import write_atomically
from nnviz.core.io.runfile_reading import (  # noqa: F401 (ARRAYS: for readers of runfile)
    ARRAYS,
    FORMAT,
    VERSION,
    Refused,
    read_run,
    shown,
)
from nnviz.core.model.network import MLP, layout_size
from nnviz.core.model.optimizers import STATE, state_dict_of_rows
from nnviz.core.model.outputs import classes_told, output_units
from nnviz.core.training.experiment import dropout_rng, trainer_for
from nnviz.core.training.history import FIELDS, LossHistory
from nnviz.core.training.timeline import Moment, Timeline
from nnviz.core.training.trainer import LIVE_SETTINGS, Batches, Trainer

SUFFIX = ".nnviz"
SAVED_TIMELINE_BYTES = 48 * 2**20  # a timeline's weights in a file, thinned evenly to fit (an array may hold 64 MB)


class RunFileError(ValueError):
    """A file is not a run nnviz can read; the message says what is wrong, in one sentence."""


def save_run(path: str | os.PathLike, config: TrainingConfig, trainer: Trainer) -> None:
    """Write ``trainer``'s whole state to ``path`` atomically (raises :class:`SaveError`)."""
    state = trainer.state()
    network = trainer.network
    header = {
        "format": FORMAT, "version": VERSION, "config": config.as_dict(), "step": trainer.step_count,
        "layer_sizes": list(network.layer_sizes), "activation": config.as_dict()["activation"], "dtype": network.dtype.name,
        "settings": {key: getattr(trainer, key) for key in LIVE_SETTINGS}, "optimizer_steps": state.optimizer["steps"],
        "history": trainer.history.description(),  # with "dense_early": true for a history recorded so
        "batches": {"cursor": state.cursor, "rng": state.rng, "dropout_rng": state.dropout_rng},
        "has_previous": state.has_previous,
        "timeline": {"every": trainer.timeline.every, "next_step": trainer.timeline.next_step},
    }
    data = trainer.data
    class_names = list(data.class_names)
    if not data.regression and (class_names or data.classes < classes_told(network.layer_sizes[-1])):
        # Every output gets a name, so a class drawn and then erased keeps its output on reopening.
        class_names = list(data.label_names)
        for k in range(len(class_names), classes_told(network.layer_sizes[-1])):
            class_names.append(unused_class_name(k, class_names))
    header["data"] = {"name": data.name, "class_names": class_names, "feature_names": list(data.feature_names),
                      "task": data.task}
    if data.image_shape is not None:
        header["data"]["image_shape"] = list(data.image_shape)
    buffers = state.optimizer["state"]  # a row each, in STATE's order (state_dict_of_rows reads them back)
    arrays = {"parameters": network.flat, "previous": state.previous, "optimizer": np.stack([buffers[name] for name in STATE[state.optimizer["rule"]]]),
              "history": trainer.history.scheduled(),  # as an unbroken run holds it
              "X_train": data.X_train, "y_train": data.y_train,
              "X_test": data.X_test, "y_test": data.y_test, "order": state.order, **_timeline_arrays(trainer)}

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("run.json", json.dumps(header, indent=1))
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(array), allow_pickle=False)
                archive.writestr(f"{name}.npy", buffer.getvalue())

    write_atomically(path, write)


def _timeline_arrays(trainer: Trainer) -> dict[str, np.ndarray]:
    """The timeline's weights (a row a moment) and steps; thinned evenly to fit a file. Only the
    weights: a moment opened from a file trains on with a fresh optimiser state."""
    moments = trainer.timeline.moments
    fitting = Timeline(max_bytes=SAVED_TIMELINE_BYTES)
    fitting.extend(Moment(m.step, m.weights, m.optimizer) for m in moments)
    weights = np.stack([m.weights for m in fitting.moments]) if fitting.moments else \
        np.empty((0, trainer.network.flat.size), trainer.network.dtype)
    return {"timeline": weights, "timeline_steps": np.array(fitting.steps, dtype=np.int64)}


def load_run(path: str | os.PathLike) -> tuple[TrainingConfig, Trainer]:
    """The config and a trainer ready to carry on; raises :class:`RunFileError`.

    A damaged or foreign file is refused with one sentence. Only what reading a file can
    raise is turned into that sentence: any other exception is a bug and propagates."""
    name = os.fspath(path)
    try:
        header, arrays = read_run(name)
        return _build(header, arrays)
    except Refused as refusal:
        raise RunFileError(f"Cannot open {name}: {refusal}.") from None


def _get(mapping: dict, key: str, what: str | None = None):
    if key not in mapping:
        raise Refused(f"its run description has no {what or key}")
    return mapping[key]


def _mapping(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise Refused(f"its {what} is not a mapping")
    return value


def _integer(value, low: int, high: int, name: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refused(f"its {name} {shown(value)} is not a whole number from {low} to {high}")
    return value


def _rng_state(state) -> dict:
    """The saved state of the mini-batch shuffler (numpy's PCG64), checked field by field."""
    def whole(value, end: int) -> bool:
        return type(value) is int and 0 <= value < end

    inner = state.get("state") if isinstance(state, dict) else None
    if not (isinstance(inner, dict) and state.get("bit_generator") == "PCG64"
            and whole(inner.get("state"), 2**128) and whole(inner.get("inc"), 2**128)
            and whole(state.get("has_uint32"), 2) and whole(state.get("uinteger"), 2**32)):
        raise Refused("its random generator state is not one nnviz saves")
    return state


_FLOATS = ("parameters", "previous", "velocity", "optimizer", "history", "X_train", "X_test", "timeline")
_TABLES = ("optimizer", "history", "X_train", "X_test", "timeline")  # two-dimensional; the others are vectors


def _check_kinds(arrays: dict[str, np.ndarray], regression: bool = False) -> None:
    """Every array holds the kind of numbers and has the dimensions a run's arrays have (a
    ``regression`` run's targets are real numbers)."""
    for key, array in arrays.items():
        floats = key in _FLOATS or regression and key in ("y_train", "y_test")
        if array.dtype.kind not in ("f" if floats else "iu"):
            raise Refused(f"its {key} array does not hold {'real' if floats else 'whole'} numbers")
        if array.ndim != (2 if key in _TABLES else 1):
            raise Refused(f"its {key} array has {array.ndim} dimensions, not {2 if key in _TABLES else 1}")


def _check_header(header: dict) -> TrainingConfig:
    """The settings run.json holds, once every field the build reads is of the right kind and
    agrees with them (what depends on the arrays is checked with them)."""
    try:
        config = TrainingConfig.from_dict(_get(header, "config", "settings"))
    except ConfigError as error:
        raise Refused(f"its settings are invalid ({error})") from None
    _integer(_get(header, "step"), 0, 10**15, "step")
    history = _mapping(_get(header, "history", "history description"), "history description")
    _integer(history.get("every"), 1, 10**15, "history spacing")
    if history.get("capacity") is not None:  # None: the history keeps every entry
        _integer(history["capacity"], 4, 10**6, "history capacity")
    batches = _mapping(_get(header, "batches", "mini-batch description"), "mini-batch description")
    _rng_state(batches.get("rng"))
    if header["version"] >= 3:
        _rng_state(batches.get("dropout_rng"))
    if not isinstance(header.get("has_previous"), bool):
        raise Refused("its has_previous is not true or false")
    live = _mapping(_get(header, "settings", "live settings"), "live settings")
    _agrees(header, "activation", config.as_dict()["activation"])
    _agrees(header, "dtype", config.dtype)
    for key in LIVE_SETTINGS:
        if header["version"] >= 3 or key in live:  # older files had no optimiser or dropout
            _agrees(live, key, getattr(config, key))
    if header["version"] >= 3:
        _integer(_get(header, "optimizer_steps", "optimizer step count"), 0, 10**15, "optimizer step count")
    if header["version"] >= 4:
        timeline = _mapping(_get(header, "timeline", "timeline description"), "timeline description")
        _integer(timeline.get("every"), 1, 10**15, "timeline spacing")
        _integer(timeline.get("next_step"), 0, 10**15, "next timeline step")
    return config


def _agrees(saved: dict, key: str, expected) -> None:
    if saved.get(key) != expected:
        raise Refused(f"its saved {key} {shown(saved.get(key))} does not match its settings ({shown(expected)})")


def _build(header: dict, arrays: dict) -> tuple[TrainingConfig, Trainer]:
    config = _check_header(header)
    task = _task(header.get("data", {}))
    regression = task == "regression"
    _check_kinds(arrays, regression)
    # The network must be the one the config describes: the config is what the window shows.
    X_train, y_train, X_test, y_test = (arrays[k] for k in ("X_train", "y_train", "X_test", "y_test"))
    if not y_train.size:
        raise Refused("it holds no training points")
    classes = 0 if regression else int(max(y_train.max(), y_test.max(initial=0))) + 1
    features = X_train.shape[1]
    name, class_names, feature_names = _data_names(header.get("data", {}), config.dataset, classes, features)
    image_shape = _image_shape(header["data"].get("image_shape") if "data" in header else None, features)
    classes = 0 if regression else max(classes, len(class_names))  # a named class may have no points (yet)
    low, high = IMAGE_CLASSES_RANGE if image_shape else CLASSES_RANGE
    if not regression and not low <= classes <= high:
        raise Refused(f"its labels make {classes} classes, and nnviz trains on {low} to {high}"
                       + (" of images" if image_shape else " of points"))
    try:
        output, loss = config.head(task)
        sizes = config.layer_sizes(features, output_units(output, task, classes))
    except ConfigError as error:
        raise Refused(f"its settings do not fit its points ({error})") from None
    _agrees(header, "layer_sizes", list(sizes))
    most = MAX_IMAGES if image_shape else MAX_POINTS
    if len(y_train) + len(y_test) > most:
        raise Refused(f"it holds {len(y_train) + len(y_test):,} {'images' if image_shape else 'points'}, "
                       f"more than the {most:,} nnviz trains on")
    dtype = np.dtype(config.dtype)
    _expect(X_train, (len(y_train), features), "X_train")  # one point a label (its width says the coordinates)
    _expect(X_test, (len(y_test), features), "X_test")
    state_rows = len(STATE[config.optimizer])
    for key in ("parameters", "previous", "velocity", "optimizer", "timeline"):
        if key in arrays:
            row_counts = {"optimizer": state_rows, "timeline": len(arrays.get("timeline_steps", ()))}
            shape = (row_counts[key], layout_size(sizes)) if key in row_counts else (layout_size(sizes),)
            _expect(arrays[key], shape, key)
            if arrays[key].dtype != dtype:
                raise Refused(f"its {key} array is {arrays[key].dtype}, not {dtype}")
    _expect(arrays["history"], (len(arrays["history"]), len(FIELDS)), "history")
    _expect(arrays["order"], (len(y_train),), "order")
    if "timeline_steps" in arrays:
        steps = arrays["timeline_steps"]  # as many as the timeline's rows: checked with its shape above
        if len(steps) and (steps.min() < 0 or steps.max() > header["step"] or (np.diff(steps) <= 0).any()):
            raise Refused("its timeline's steps are not increasing steps of the run")
    for key in ("parameters", "previous", "velocity", "optimizer", "timeline", "X_train", "X_test",
                *(("y_train", "y_test") if regression else ())):
        if key not in arrays:
            continue
        with np.errstate(over="ignore"):  # the points are trained on in the network's dtype
            finite = np.isfinite(arrays[key].astype(dtype, copy=False)).all()
        if not finite:
            raise Refused(f"its {key} array holds values that are not finite {dtype} numbers")
    if not regression and (y_test.size and y_test.min() < 0 or y_train.min() < 0):
        raise Refused("its labels are negative")
    rows, every, capacity = arrays["history"], header["history"]["every"], header["history"].get("capacity")
    if np.isinf(rows).any() or np.isnan(rows[:, 0]).any():
        raise Refused("its history holds infinite values or steps that are not numbers")
    if capacity is not None and len(rows) > capacity:
        raise Refused(f"its history holds {len(rows):,} entries, more than its capacity of {capacity:,}")
    points = np.float32 if image_shape and X_train.dtype == np.float32 else np.float64  # MNIST stays float32
    targets = np.float64 if regression else np.int64
    data = Dataset(name, X_train.astype(points), y_train.astype(targets), X_test.astype(points),
                   y_test.astype(targets), class_names, feature_names, image_shape, task)
    rng, masks_rng = np.random.default_rng(), dropout_rng(config)  # older runs had no dropout
    try:
        rng.bit_generator.state = header["batches"]["rng"]
        if "dropout_rng" in header["batches"]:
            masks_rng.bit_generator.state = header["batches"]["dropout_rng"]
    except ValueError:  # numpy's own check of a state it would not have saved
        raise Refused("its random generator state is not one nnviz saves") from None
    inputs = config.input_features(features)
    batches = Batches(data, dtype, sizes[-1], config.batch_size, rng, inputs)
    cursor = _integer(header["batches"].get("cursor"), 0, len(y_train), "batch cursor")
    try:
        batches.restore(arrays["order"], cursor)
    except ValueError:  # Batches' own check that the order is a shuffle of the points
        raise Refused("its mini-batch order is not an order of its training points") from None
    trainer = trainer_for(
        config, MLP.from_flat(arrays["parameters"].copy(), sizes, config.activations, inputs, output, loss), data,
        history=LossHistory.from_array(rows, every, capacity, header["history"].get("dense_early") is True),
        step_count=header["step"], batches=batches, dropout_rng=masks_rng,
    )
    if "velocity" in arrays:  # before version 3: v = -lr * b, with b torch's momentum buffer
        rows, steps = [-arrays["velocity"] / dtype.type(config.lr)], header["step"]
    else:
        rows, steps = arrays["optimizer"], header["optimizer_steps"]
    trainer.restore(arrays["previous"], state_dict_of_rows(config.optimizer, rows, steps), header["has_previous"])
    if "timeline" in arrays and len(arrays["timeline"]):
        trainer.timeline = Timeline(every=header["timeline"]["every"])
        trainer.timeline.extend(Moment(int(step), weights, config.optimizer)
                                for step, weights in zip(arrays["timeline_steps"], arrays["timeline"]))
        trainer.timeline.next_step = max(header["timeline"]["next_step"], trainer.timeline.next_step)
    else:  # none kept: the moment to go back to is now (kept after the optimiser's state came back)
        trainer.timeline.cut_after(header["step"] - 1)
        trainer.keep_moment()
    return config, trainer


def _task(data) -> str:
    """The data's task from the header (classification in files before version 5)."""
    task = data.get("task", "classification") if isinstance(data, dict) else "classification"
    if task not in ("classification", "regression"):
        raise Refused(f"its data task {shown(task)} is not classification or regression")
    return task


def _image_shape(shape, features: int) -> tuple[int, int] | None:
    """The images' ``(rows, columns)`` from the header (None: the points are not images)."""
    if shape is None:
        return None
    if not (isinstance(shape, list) and len(shape) == 2 and all(type(n) is int and n > 0 for n in shape)):
        raise Refused(f"its image shape {shown(shape)} is not two whole numbers")
    if shape[0] * shape[1] != features:
        raise Refused(f"its images are {shape[0]}x{shape[1]} pixels but its points have {features} values")
    return shape[0], shape[1]


def _data_names(data, dataset: str, classes: int, features: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The data's name and display names from the header (the config's dataset name and no
    display names where a file has none); every class has a name and every feature one, or none do."""
    if not isinstance(data, dict):
        raise Refused("its data description is not a mapping")
    name = data.get("name", dataset)
    if not isinstance(name, str):
        raise Refused(f"its data name {shown(name)} is not text")
    class_names = _names(data.get("class_names", []), "class names")
    if class_names and len(class_names) < classes:
        raise Refused(f"it names {len(class_names)} classes but its labels go up to {classes - 1}")
    feature_names = _names(data.get("feature_names", []), "feature names")
    if feature_names and len(feature_names) != features:
        raise Refused(f"it names {len(feature_names)} features but its points have {features}")
    return name, class_names, feature_names


def _names(values, what: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Refused(f"its {what} are not a list of text")
    return tuple(values)


def _expect(array: np.ndarray, shape: tuple, name: str) -> None:
    if array.shape != shape:
        raise Refused(f"its {name} array has shape {array.shape}, expected {shape}")
