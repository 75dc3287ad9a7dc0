"""Remembered settings never lock the window out: what the user types wins, what depends on it
follows, and anything damaged is dropped with a word in the status bar."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import WindowPage
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from PyQt5.QtCore import QByteArray, QSettings

from nnviz.cli import build_parser, given_settings
from nnviz.core.config import (
    DTYPES,
    PRESETS,
    ConfigError,
    TrainingConfig,
)
from nnviz.core.data.datasets import DATASETS, dataset_task
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import FEATURES
from nnviz.core.model.initialisation import INIT_SCHEMES
from nnviz.core.model.optimizers import OPTIMIZERS
from nnviz.core.model.outputs import LOSSES, OUTPUTS, head_problem, resolved_head
from nnviz.core.remembered import start_config
from nnviz.gui import settings as stored
from nnviz.gui.app import open_window

ROOT = Path(__file__).resolve().parent.parent
PER_LAYER = TrainingConfig(hidden=(8, 8, 8, 8), activation=("leaky_relu", "relu", "tanh", "sigmoid"))


def test_a_typed_shape_wins_over_remembered_activations_per_layer():
    """The issue's case: four layers with an activation each are remembered, ``--hidden 50``
    is typed. The shape typed is used, the activations become one (the first layer's), and a
    note says so."""
    config, notes = start_config({"hidden": (50,)}, PER_LAYER.as_dict())
    assert config.hidden == (50,) and config.activation == "leaky_relu"
    assert len(notes) == 1 and "do not fit 1 hidden layer" in notes[0] and "every layer uses leaky_relu" in notes[0]


def test_what_is_typed_wins_and_the_rest_is_remembered():
    remembered = TrainingConfig(dataset="xor", hidden=(7, 3), lr=0.3, optimizer="nesterov", momentum=0.5).as_dict()
    config, notes = start_config({"lr": 0.05}, remembered)
    assert (config.dataset, config.hidden, config.lr, config.optimizer, config.momentum) == ("xor", (7, 3), 0.05, "nesterov", 0.5)
    assert notes == []
    config, notes = start_config({"momentum": 0.0}, remembered)  # nesterov cannot do without: it follows
    assert config.optimizer == "sgd" and config.momentum == 0 and "optimizer is sgd" in notes[0]


def test_bad_remembered_values_are_dropped_one_by_one():
    """Values out of range or of the wrong type are dropped by name; the valid ones still hold."""
    remembered = {**TrainingConfig(dataset="circles", hidden=(6,)).as_dict(), "lr": "fast", "momentum": 5, "unknown": 1}
    config, notes = start_config({}, remembered)
    assert config.dataset == "circles" and config.hidden == (6,) and config.lr == TrainingConfig.lr
    assert len(notes) == 1 and notes[0].startswith("dropped the remembered lr, momentum (lr must be")


def test_a_mistake_in_what_is_typed_is_still_the_users():
    """Only the options typed can stop the start: the same error as without any memory."""
    with pytest.raises(ConfigError, match="one per hidden layer"):
        start_config({"activation": ("relu", "tanh"), "hidden": (5,)}, TrainingConfig().as_dict())


def _write(path: Path, config=None, raw: bytes | None = None, **values) -> QSettings:
    """A settings file at ``path`` as the window writes it, then ``raw`` in its place if given."""
    s = QSettings(str(path), QSettings.IniFormat)
    if config is not None:
        s.setValue(stored.CONFIG, config)
    for key, value in values.items():
        s.setValue(getattr(stored, key), value)
    s.sync()
    if raw is not None:
        path.write_bytes(raw)
    return QSettings(str(path), QSettings.IniFormat)


def _opens(qtbot, given_options: dict, store: QSettings):
    """Open the window as ``nnviz`` does, check it is up, and close it (stopping its process)."""
    window = open_window(given_options, store, points_in_background=False)
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.isVisible() and page.config.validated() == page.config
        return page.config, window.statusBar().currentMessage()
    finally:
        window.settings = None  # leave the file as the test wrote it for the caller to read
        window.close()
        assert page.session.shutdown()
        window.deleteLater()  # a property test opens a hundred: free each as it goes


def test_the_window_opens_on_damaged_settings_and_says_what_it_dropped(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    store = _write(path, json.dumps({**TrainingConfig(hidden=(4, 4)).as_dict(), "dropout": "lots"}),
                   GEOMETRY="not a geometry", STATE=12, SPLITTER=[1, 2], EXPORT_SCALE="huge", LOG_SCALE="perhaps")
    config, message = _opens(qtbot, {}, store)
    assert config.hidden == (4, 4) and config.dropout == 0
    assert message.startswith("Dropped the remembered dropout (dropout must be a finite number from 0 to 0.9; got 'lots')")


def test_a_cut_short_settings_file_opens_on_the_defaults(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    _write(path, json.dumps(PER_LAYER.as_dict()))
    whole = path.read_bytes()
    store = _write(path, raw=whole[: whole.index(b"leaky_relu") + 4])
    config, message = _opens(qtbot, {"hidden": (50,)}, store)
    assert config.hidden == (50,) and config.activation == TrainingConfig.activation
    assert message == "The remembered settings could not be read (damaged or cut short), so the defaults stand in."


def test_damaged_settings_are_kept_until_the_user_changes_something(qtbot, tmp_path):
    """Closing a window that changed nothing leaves the damaged file as it was (another version
    of nnviz may read it); after a change, the window's settings are saved as usual."""
    path = tmp_path / "s.ini"
    damaged = json.dumps({**TrainingConfig(hidden=(3,)).as_dict(), "lr": -1})
    first = open_window({}, _write(path, damaged), points_in_background=False)
    page = WindowPage(first)
    qtbot.addWidget(first)
    first.close()
    assert page.session.shutdown()
    assert QSettings(str(path), QSettings.IniFormat).value(stored.CONFIG) == damaged
    window = open_window({}, QSettings(str(path), QSettings.IniFormat), points_in_background=False)
    page = WindowPage(window)
    qtbot.addWidget(window)
    page.session.apply(page.config.replace(lr=0.5))
    window.close()
    assert page.session.shutdown()
    saved = json.loads(QSettings(str(path), QSettings.IniFormat).value(stored.CONFIG))
    assert saved["lr"] == 0.5 and saved["hidden"] == [3]


def test_nnviz_hidden_50_opens_over_per_layer_activations(tmp_path):
    """End to end, as the issue found it: ``nnviz --hidden 50`` after a session of four layers
    with an activation each opens the window (here: saves its first frame) and exits 0."""
    config_home = tmp_path / "config"
    (config_home / "nnviz").mkdir(parents=True)
    _write(config_home / "nnviz" / "nnviz.conf", json.dumps(PER_LAYER.as_dict()))
    frame = tmp_path / "first.png"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "QT_QPA_PLATFORM": "offscreen", "NNVIZ_FIRST_FRAME": str(frame)}
    done = subprocess.run([sys.executable, "-m", "nnviz", "--hidden", "50"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr and frame.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# Any state the window can save, and damaged ones --------------------------------------------

def _shapes():
    return st.lists(st.one_of(st.integers(1, 12), st.integers(1, 500)), max_size=6).map(tuple)


@st.composite
def saved_configs(draw):
    """Any settings the window could have saved."""
    hidden = draw(_shapes())
    per_layer = hidden and draw(st.booleans())
    activation = (tuple(draw(st.sampled_from(tuple(ACTIVATIONS))) for _ in hidden) if per_layer
                  else draw(st.sampled_from(tuple(ACTIVATIONS))))
    dataset = draw(st.sampled_from((*DATASETS, "custom")))
    optimizer = draw(st.sampled_from(OPTIMIZERS))
    momentum = draw(st.floats(0.01 if optimizer == "nesterov" else 0, 0.99))
    config = TrainingConfig(
        dataset=dataset, samples=draw(st.integers(10, 5000)), noise=draw(st.floats(0, 1)),
        classes=draw(st.integers(2, 5 if dataset in ("spiral", "blobs") else 3 if dataset != "digits" else 10)),
        test_fraction=draw(st.floats(0, 0.9)), seed=draw(st.integers(0, 2**31 - 1)), hidden=hidden,
        activation=activation, init=draw(st.sampled_from(INIT_SCHEMES)),
        features=tuple(draw(st.lists(st.sampled_from(tuple(FEATURES)), min_size=1, unique=True))),
        output=draw(st.none() | st.sampled_from(OUTPUTS)), loss=draw(st.none() | st.sampled_from(LOSSES)),
        optimizer=optimizer, lr=draw(st.floats(1e-4, 10)), l2=draw(st.floats(0, 1)), momentum=momentum,
        dropout=draw(st.floats(0, 0.9)), batch_size=draw(st.none() | st.integers(1, 5000)),
        dtype=draw(st.sampled_from(DTYPES)), preset=draw(st.none() | st.sampled_from(PRESETS)))
    if dataset != "custom" and head_problem(*resolved_head(config.output, config.loss, dataset_task(dataset)),
                                            dataset_task(dataset)):
        config = config.replace(output=None, loss=None)  # the window keeps a head that can learn its data
    try:
        return config.validated().as_dict()
    except ConfigError:  # e.g. classes out of a dataset's range: the window would not save it
        return TrainingConfig().as_dict()


JUNK = st.one_of(st.none(), st.text(max_size=8), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                 st.lists(st.integers(-3, 600), max_size=8), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@st.composite
def remembered_values(draw, damage: str | None = None):
    """Saved settings as JSON reads them back: as saved, or with a value of the wrong type or
    out of range, values missing, or values another version wrote."""
    values = draw(saved_configs())
    damage = damage or draw(st.sampled_from(("none", "value", "missing", "other-version")))
    if damage == "value":
        values[draw(st.sampled_from(sorted(values)))] = draw(JUNK)
    elif damage == "missing":
        for key in draw(st.lists(st.sampled_from(sorted(values)), unique=True)):
            del values[key]
    elif damage == "other-version":
        values[draw(st.text(min_size=1, max_size=10))] = draw(JUNK)
    return values


@st.composite
def settings_files(draw, path: Path):
    """A settings file: a saved state, or one damaged in the ways files get damaged."""
    damage = draw(st.sampled_from(("none", "value", "missing", "other-version", "cut", "not-json", "not-text", "window")))
    values = draw(remembered_values(damage if damage in ("value", "missing", "other-version") else "none"))
    text = json.dumps(values)
    if damage == "not-json":
        text = draw(st.text(max_size=40))
    config = draw(JUNK) if damage == "not-text" else text
    window = {}
    if damage == "window":
        window = {key: draw(st.one_of(JUNK, st.binary(max_size=40).map(QByteArray)))
                  for key in ("GEOMETRY", "STATE", "SPLITTER", "EXPORT_SCALE", "LOG_SCALE")}
    store = _write(path, config if config is not None else "", **window)
    if damage == "cut":
        whole = path.read_bytes()
        path.write_bytes(whole[: draw(st.integers(0, len(whole)))])
        store = QSettings(str(path), QSettings.IniFormat)
    return store


OPTIONS = {
    "--dataset": st.sampled_from(DATASETS), "--samples": st.integers(10, 5000).map(str),
    "--noise": st.floats(0, 1).map(str), "--classes": st.integers(2, 10).map(str),
    "--test-fraction": st.floats(0, 0.9).map(str), "--seed": st.integers(0, 99).map(str),
    "--hidden": _shapes().map(lambda s: "x".join(map(str, s)) or "0"),
    "--activation": st.lists(st.sampled_from(tuple(ACTIVATIONS)), min_size=1, max_size=6).map(",".join),
    "--init": st.sampled_from(INIT_SCHEMES), "--dtype": st.sampled_from(DTYPES),
    "--output": st.sampled_from(OUTPUTS), "--loss": st.sampled_from(LOSSES),
    "--features": st.lists(st.sampled_from(tuple(FEATURES)), min_size=1, unique=True).map(",".join),
    "--optimizer": st.sampled_from(OPTIMIZERS), "--lr": st.floats(1e-4, 10).map(str),
    "--l2": st.floats(0, 1).map(str), "--momentum": st.floats(0, 0.99).map(str),
    "--dropout": st.floats(0, 0.9).map(str), "--batch-size": st.integers(1, 5000).map(str),
    "--preset": st.sampled_from(PRESETS),
}


@st.composite
def typed_options(draw):
    """Options typed after ``nnviz``, each valid on its own, as the parser reads them."""
    names = draw(st.lists(st.sampled_from(sorted(OPTIONS)), unique=True, max_size=5))
    argv = ["gui"] + [part for name in names for part in (name, draw(OPTIONS[name]))]
    return given_settings(build_parser().parse_args(argv))


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_window_opens_whatever_was_remembered_and_typed(qtbot, tmp_path, data):
    """Property: for any saved or damaged settings file and any valid options, the window opens
    (with what was typed in force), unless what was typed is wrong on its own, and then the
    start says why as it would with no memory at all."""
    path = tmp_path / f"s{data.draw(st.integers(0, 10**9))}.ini"
    store = data.draw(settings_files(path))
    note(path.read_bytes() if path.exists() else b"(no file)")
    typed = data.draw(typed_options())
    try:
        start_config(typed, None)
    except ConfigError:
        typed_alone_fails = True
    else:
        typed_alone_fails = False
    try:
        config, _ = _opens(qtbot, typed, store)
    except ConfigError:
        assert typed_alone_fails
        return
    _typed_wins(config, typed)


def _typed_wins(config: TrainingConfig, typed: dict) -> None:
    for name, value in typed.items():
        assert getattr(config, name) == value, name


@settings(max_examples=1500, deadline=None)
@given(remembered=st.one_of(remembered_values(), JUNK), typed=typed_options())
def test_what_is_typed_always_wins_over_anything_remembered(remembered, typed):
    """Property, on the settings alone (fast, so thousands of cases): for any remembered
    values, damaged or not, and any valid options, the start succeeds unless the options are
    wrong on their own; what was typed is in force; the result is a valid config; and a note
    says so whenever something remembered was dropped or changed."""
    try:
        start_config(typed, None)
    except ConfigError:  # wrong on its own: the start may still fail (or the memory make it right)
        try:
            config, _ = start_config(typed, remembered)
        except ConfigError:
            return
        assert config.validated() == config
        _typed_wins(config, typed)
        return
    config, notes = start_config(typed, remembered)
    assert config.validated() == config
    _typed_wins(config, typed)
    if isinstance(remembered, dict) and all(isinstance(k, str) for k in remembered):
        try:
            clean = TrainingConfig.from_dict(remembered)
        except (ConfigError, TypeError, ValueError):
            assert notes, "a damaged setting was dropped without a word"
        else:
            if not typed and clean.dataset != "custom":  # nothing typed: as remembered, or a note says why not
                assert config == clean or notes
