"""Run files: exact round trips, atomic saves, and every kind of bad file refused clearly."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.datasets import Dataset, resplit
from nnviz.core.experiment import build_trainer
from nnviz.core.files import SaveError
from nnviz.core.runfile import RunFileError, load_run, save_run

KINDS = [
    TrainingConfig(hidden=6),
    TrainingConfig(hidden=6, dtype="float64"),
    TrainingConfig(hidden=6, momentum=0.9),
    TrainingConfig(hidden=6, batch_size=24, momentum=0.5, dtype="float64"),
    TrainingConfig(hidden=6, activation="relu", l2=0.0, batch_size=7),
]


@pytest.mark.parametrize("config", KINDS)
def test_resuming_is_bit_for_bit(tmp_path, config):
    """2000 steps, save, load, 2000 more: the same weights, velocity and history as 4000 straight."""
    first = build_trainer(config, log_every=10, history_capacity=150)
    first.step(2000)
    save_run(tmp_path / "run.nnviz", config, first)
    loaded_config, resumed = load_run(tmp_path / "run.nnviz")
    resumed.step(2000)
    straight = build_trainer(config, log_every=10, history_capacity=150)
    straight.step(4000)
    assert loaded_config == config
    np.testing.assert_array_equal(resumed.network.flat, straight.network.flat)
    np.testing.assert_array_equal(resumed._optimizer.velocity, straight._optimizer.velocity)
    np.testing.assert_array_equal(resumed.history.array(), straight.history.array())
    assert resumed.step_count == 4000 and resumed.history.every == straight.history.every


def test_the_file_is_a_zip_of_json_and_npy(tmp_path):
    """Standard pieces: run.json says what it is; every array loads without pickle."""
    trainer = build_trainer(TrainingConfig(hidden=4))
    save_run(tmp_path / "run.nnviz", TrainingConfig(hidden=4), trainer)
    with zipfile.ZipFile(tmp_path / "run.nnviz") as archive:
        header = json.loads(archive.read("run.json"))
        assert header["format"] == "nnviz-run" and header["version"] == 1
        params = np.load(io.BytesIO(archive.read("parameters.npy")), allow_pickle=False)
    np.testing.assert_array_equal(params, trainer.network.flat)


def _rewrite(path, replace: dict):
    """Copy a run file, replacing some members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(replace)
    out = path.with_name("changed.nnviz")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            if data is not None:
                archive.writestr(name, data)
    return out


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.nnviz"
    save_run(path, TrainingConfig(hidden=4), build_trainer(TrainingConfig(hidden=4)))
    return path


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_bad_files_are_refused_with_a_sentence(tmp_path, good):
    """Text, truncated, future version, wrong shapes, missing arrays, a PNG: each says what is wrong."""
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    truncated = tmp_path / "cut.nnviz"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    header = json.loads(zipfile.ZipFile(good).read("run.json"))
    future = _rewrite(good, {"run.json": json.dumps({**header, "version": 99})})
    foreign = _rewrite(good, {"run.json": json.dumps({"format": "something-else"})})
    png = tmp_path / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    cases = {
        text: "not an nnviz run file",
        truncated: "not an nnviz run file",
        future: "newer nnviz",
        foreign: "not an nnviz run file",
        png: "not an nnviz run file",
        tmp_path / "missing.nnviz": "no such file",
        tmp_path: "folder",
    }
    for path, words in cases.items():
        with pytest.raises(RunFileError, match=words):
            load_run(path)
    shapes = _rewrite(good, {"parameters.npy": _npy(np.zeros(5, np.float32))})
    with pytest.raises(RunFileError, match="parameters array has shape"):
        load_run(shapes)
    no_velocity = _rewrite(good, {"velocity.npy": None})
    with pytest.raises(RunFileError, match="no velocity"):
        load_run(no_velocity)
    labels = _rewrite(good, {"y_train.npy": _npy(np.full(160, 7))})
    with pytest.raises(RunFileError, match="do not match"):
        load_run(labels)


def test_a_failed_save_leaves_the_old_file_and_no_debris(tmp_path, good, monkeypatch):
    """If writing fails midway (a full disk), the previous file is intact and no temp file remains."""
    before = good.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", full_disk)
    with pytest.raises(SaveError, match="No space left"):
        save_run(good, TrainingConfig(hidden=4), build_trainer(TrainingConfig(hidden=4)))
    assert good.read_bytes() == before
    assert [p.name for p in good.parent.iterdir()] == ["good.nnviz"]


def test_the_history_exports_as_csv(tmp_path):
    """Loss history CSV: a header and one row per entry, empty cells for a missing test set."""
    from nnviz.core.history import write_history_csv

    trainer = build_trainer(TrainingConfig(hidden=4, test_fraction=0.0), log_every=50)
    trainer.step(100)
    write_history_csv(tmp_path / "h.csv", trainer.history.array())
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "step,loss,train_accuracy,test_loss,test_accuracy"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "50", "100"]
    assert lines[1].endswith(",,")


def _header_of(path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("run.json"))


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.update(step=float("inf")),
        lambda h: h.update(step=-5),
        lambda h: h.update(step=True),
        lambda h: h["batches"].update(cursor=1e400),
        lambda h: h["batches"]["rng"]["state"].update(state=2**200),
        lambda h: h["batches"]["rng"]["state"].update(state=-1),
        lambda h: h.update(config=[]),
        lambda h: h.update(layer_sizes=[2, 10**9, 2]),
        lambda h: h["history"].update(capacity=10**13),
        lambda h: h["history"].update(every=0),
        lambda h: h["settings"].update(batch_size="16"),
        lambda h: h["settings"].update(lr=float("nan")),
        lambda h: h.update(activation="nope"),
        lambda h: h.update(dtype="float64"),
        lambda h: h.update(has_previous="false"),
        lambda h: h.update(version=0),
        lambda h: h["config"].update(hidden=50),
    ],
)
def test_crafted_headers_are_refused_with_a_sentence(good, change):
    """Numbers out of range, wrong types, settings that disagree with the network: RunFileError."""
    header = _header_of(good)
    change(header)
    with pytest.raises(RunFileError, match="^Cannot open"):
        load_run(_rewrite(good, {"run.json": json.dumps(header)}))


def test_deeply_nested_json_is_refused(good):
    """A run.json nested beyond reason is a sentence, not a RecursionError."""
    with pytest.raises(RunFileError):
        load_run(_rewrite(good, {"run.json": "[" * 100_000 + "]" * 100_000}))


def test_no_memory_is_spent_on_sizes_a_file_only_claims(good):
    """A zip entry that inflates past any real run, or a .npy header claiming billions of values,
    is refused before anything that size is allocated."""
    bomb = good.with_name("bomb.nnviz")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data + b"\0" * (100 * 2**20) if name == "velocity.npy" else data)
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(RunFileError, match="more than a run can hold"):
        load_run(bomb)
    header = np.lib.format.header_data_from_array_1_0(np.zeros(3, np.float32))
    header["shape"] = (3_000_000_000,)
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, header)
    stream.write(np.zeros(3, np.float32).tobytes())
    with pytest.raises(RunFileError, match="velocity array is damaged"):
        load_run(_rewrite(good, {"velocity.npy": stream.getvalue()}))


def test_non_finite_velocity_is_refused(good):
    """NaN in the saved velocity would poison the next step: refused."""
    velocity = np.load(io.BytesIO(zipfile.ZipFile(good).read("velocity.npy")))
    velocity[0] = np.nan
    with pytest.raises(RunFileError, match="not finite"):
        load_run(_rewrite(good, {"velocity.npy": _npy(velocity)}))


def _own_data() -> Dataset:
    """Points as a CSV file gives them: three features, text class names, split by the settings."""
    rng = np.random.default_rng(8)
    y = np.arange(90) % 3
    X = np.column_stack([np.cos(y * 2.1), np.sin(y * 2.1), y - 1.0]) + 0.3 * rng.standard_normal((90, 3))
    data = Dataset("fruit", X, y, np.empty((0, 3)), np.empty(0, np.int64), ("apple", "kiwi", "pear"),
                   ("length", "width", "weight"))
    return resplit(data, 0.2, seed=0)


def test_custom_data_round_trips_with_its_names(tmp_path):
    """A run on the user's own points (dataset "custom") saves and loads with its name,
    class names, feature names and points, and carries on bit for bit."""
    config = TrainingConfig(dataset="custom", hidden=5)
    data = _own_data()
    first = build_trainer(config, data)
    first.step(300)
    save_run(tmp_path / "own.nnviz", config, first)
    loaded_config, resumed = load_run(tmp_path / "own.nnviz")
    assert loaded_config.dataset == "custom"
    back = resumed.data
    assert (back.name, back.class_names, back.feature_names) == ("fruit", ("apple", "kiwi", "pear"),
                                                                  ("length", "width", "weight"))
    np.testing.assert_array_equal(back.X_train, data.X_train)
    np.testing.assert_array_equal(back.y_test, data.y_test)
    assert resumed.network.layer_sizes == (3, 5, 3)
    straight = build_trainer(config, data)
    straight.step(500)
    resumed.step(200)
    np.testing.assert_array_equal(resumed.network.flat, straight.network.flat)


def test_a_named_class_without_points_keeps_its_output(tmp_path):
    """Three named classes, points in two of them: the network keeps three outputs across a save."""
    data = _own_data()
    data = replace(data, y_train=np.minimum(data.y_train, 1), y_test=np.minimum(data.y_test, 1))
    config = TrainingConfig(dataset="custom", hidden=4)
    save_run(tmp_path / "own.nnviz", config, build_trainer(config, data))
    _, loaded = load_run(tmp_path / "own.nnviz")
    assert loaded.network.layer_sizes == (3, 4, 3) and loaded.data.label_names == ("apple", "kiwi", "pear")


def test_runs_saved_without_data_names_still_load(good):
    """A run.json from before data names were stored: the config's dataset names the data, no display names."""
    header = _header_of(good)
    del header["data"]
    _, trainer = load_run(_rewrite(good, {"run.json": json.dumps(header)}))
    assert trainer.data.name == "moons"
    assert trainer.data.class_names == () and trainer.data.label_names == ("0", "1")


@pytest.mark.parametrize(
    "data,words",
    [
        ({"class_names": "ab"}, "class names are not a list of text"),
        ({"class_names": ["a", 2]}, "class names are not a list of text"),
        ({"class_names": ["only one"]}, "names 1 classes but its labels go up to 1"),
        ({"feature_names": ["x"]}, "names 1 features but its points have 2"),
        ({"feature_names": ["x", "y", "z"]}, "names 3 features but its points have 2"),
        ({"feature_names": None}, "feature names are not a list of text"),
        ({"name": 7}, "data name 7 is not text"),
        ([], "data description is not a mapping"),
    ],
)
def test_crafted_data_names_are_refused_with_a_sentence(good, data, words):
    """Display names of the wrong type or length are refused, saying which."""
    header = _header_of(good)
    header["data"] = data
    with pytest.raises(RunFileError, match=f"^Cannot open .*{words}"):
        load_run(_rewrite(good, {"run.json": json.dumps(header)}))


def test_too_many_class_names_do_not_fit_the_network(good):
    """More class names than the network has outputs: refused (the file disagrees with itself)."""
    header = _header_of(good)
    header["data"] = {"class_names": ["a", "b", "c"]}
    with pytest.raises(RunFileError, match="layer_sizes"):
        load_run(_rewrite(good, {"run.json": json.dumps(header)}))


def test_a_class_drawn_then_erased_keeps_its_output_in_a_saved_run(tmp_path):
    """The network has three outputs though no point is of class 2 any more: the run reopens."""
    from nnviz.core.editing import add_points, remove_nearest

    config = TrainingConfig(hidden=4, dataset="custom")
    data = add_points(build_trainer(TrainingConfig(hidden=4)).data, np.array([[5.0, 5.0]]), 2)
    trainer = build_trainer(config, data)
    trainer.replace_data(remove_nearest(data, 5.0, 5.0, radius=0.1))
    assert trainer.network.layer_sizes[-1] == 3 and trainer.data.classes == 2
    save_run(tmp_path / "run.nnviz", config, trainer)
    _, back = load_run(tmp_path / "run.nnviz")
    assert back.network.layer_sizes == (2, 4, 3)
