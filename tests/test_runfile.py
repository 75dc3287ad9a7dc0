"""Run files: exact round trips, atomic saves, and every kind of bad file refused clearly."""

import io
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import Dataset, resplit
from nnviz.core.io import runfile
from nnviz.core.io.atomic import SaveError
from nnviz.core.io.runfile import VERSION, RunFileError, load_run, save_run
from nnviz.core.training.experiment import build_trainer

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths

KINDS = [
    TrainingConfig(hidden=6),
    TrainingConfig(hidden=6, dtype="float64"),
    TrainingConfig(hidden=6, momentum=0.9),
    TrainingConfig(hidden=6, batch_size=24, momentum=0.5, dtype="float64"),
    TrainingConfig(hidden=6, activation="relu", l2=0.0, batch_size=7),
    TrainingConfig(hidden=(8, 6, 4), batch_size=24, momentum=0.9, dtype="float64"),
    TrainingConfig(hidden=(5, 5), activation=("relu", "tanh"), batch_size=10, momentum=0.5),
    TrainingConfig(hidden=(), momentum=0.9, batch_size=30),
    TrainingConfig(hidden=(8,) * 6, activation="sigmoid"),
]
FORMAT_1 = Path(__file__).parent / "data" / "run-format1.nnviz"  # saved on another machine
ELSEWHERE = 1e-10  # how near numbers made on another machine must come (README: Run files)


@pytest.mark.parametrize("config", KINDS)
def test_resuming_is_bit_for_bit(tmp_path, config):
    """2000 steps, save, load, 2000 more: the same weights, optimiser state and history as 4000 straight."""
    first = build_trainer(config, log_every=10, history_capacity=150)
    first.step(2000)
    save_run(tmp_path / "run.nnviz", config, first)
    loaded_config, resumed = load_run(tmp_path / "run.nnviz")
    resumed.step(2000)
    straight = build_trainer(config, log_every=10, history_capacity=150)
    straight.step(4000)
    assert loaded_config == config
    np.testing.assert_array_equal(resumed.network.flat, straight.network.flat)
    for name, buffer in straight.state().optimizer["state"].items():
        np.testing.assert_array_equal(resumed.state().optimizer["state"][name], buffer)
    assert resumed.optimizer_steps == straight.optimizer_steps
    np.testing.assert_array_equal(resumed.history.array(), straight.history.array())
    assert resumed.step_count == 4000 and resumed.history.every == straight.history.every


def test_a_run_saved_in_format_1_resumes_to_the_same_numbers():
    """A run saved by the nnviz of one hidden layer (format 1: ``"hidden": 6``; spiral, relu,
    momentum, batches of 32, float64, step 300) opens, and 200 more steps give the figures
    that nnviz gave then and those of an unbroken run.

    The file was made on another machine (another CPU's SIMD paths and BLAS kernels round
    differently), so its numbers are matched to :data:`ELSEWHERE` (relative), not bit for bit."""
    with zipfile.ZipFile(FORMAT_1) as archive:
        header = json.loads(archive.read("run.json"))
    assert header["version"] == 1 and header["config"]["hidden"] == 6
    config, trainer = load_run(FORMAT_1)
    assert config.hidden == (6,) and trainer.step_count == 300
    trainer.step(200)
    entry = trainer.evaluate()
    assert (entry.loss, entry.test_loss) == pytest.approx((0.2873472270083045, 0.36645098051709574), rel=1e-12)
    straight = build_trainer(config, log_every=10)
    straight.step(500)
    np.testing.assert_allclose(trainer.network.flat, straight.network.flat, rtol=ELSEWHERE, atol=ELSEWHERE)


def test_the_file_is_a_zip_of_json_and_npy(tmp_path):
    """Standard pieces: run.json says what it is; every array loads without pickle."""
    trainer = build_trainer(TrainingConfig(hidden=4))
    save_run(tmp_path / "run.nnviz", TrainingConfig(hidden=4), trainer)
    with zipfile.ZipFile(tmp_path / "run.nnviz") as archive:
        header = json.loads(archive.read("run.json"))
        assert header["format"] == "nnviz-run" and header["version"] == VERSION
        params = np.load(io.BytesIO(archive.read("parameters.npy")), allow_pickle=False)
    np.testing.assert_array_equal(params, trainer.network.flat)


def test_the_timeline_is_saved_and_opened(tmp_path):
    """The kept moments' weights and steps come back; one of them trains on from its weights
    with a fresh optimiser state (a file keeps no optimiser state of its moments)."""
    config = TrainingConfig(hidden=(6, 4), optimizer="adam", lr=0.01)
    trainer = build_trainer(config)
    trainer.step(700)
    save_run(tmp_path / "run.nnviz", config, trainer)
    _, opened = load_run(tmp_path / "run.nnviz")
    assert opened.timeline.steps == trainer.timeline.steps and len(opened.timeline) > 50
    for saved, kept in zip(opened.timeline.moments, trainer.timeline.moments):
        np.testing.assert_array_equal(saved.weights, kept.weights)
    assert opened.timeline.next_step == trainer.timeline.next_step
    moment = opened.timeline.nearest(300)
    assert not opened.go_back_to(moment)
    np.testing.assert_array_equal(opened.network.flat, moment.weights)
    assert opened.step_count == moment.step and opened.optimizer_steps == 0


def test_a_run_without_a_timeline_opens_at_its_own_moment():
    """Files from before the timeline open with one moment, now, that carries on exactly:
    going back to it and on 200 steps gives, bit for bit, what 200 steps from the file give."""
    _, trainer = load_run(FORMAT_1)
    assert trainer.timeline.steps == [300] and trainer.timeline.moments[0].resumable
    trainer.step(100)
    assert trainer.go_back_to(trainer.timeline.moments[0])
    trainer.step(200)
    _, straight = load_run(FORMAT_1)
    straight.step(200)
    np.testing.assert_array_equal(trainer.network.flat, straight.network.flat)


def test_a_timeline_out_of_order_is_refused(good):
    with zipfile.ZipFile(good) as archive:
        steps = np.load(io.BytesIO(archive.read("timeline_steps.npy")))
        weights = np.load(io.BytesIO(archive.read("timeline.npy")))
    buffer, rows = io.BytesIO(), io.BytesIO()
    np.save(buffer, np.array([5, 3], dtype=np.int64))
    np.save(rows, np.concatenate([weights, weights]))
    assert len(steps) == 1
    with pytest.raises(RunFileError, match="its timeline's steps are not increasing steps of the run"):
        load_run(_rewrite(good, {"timeline_steps.npy": buffer.getvalue(), "timeline.npy": rows.getvalue()}))


def _rewrite(path, replace: dict, name: str = "changed.nnviz"):
    """Copy a run file, replacing some members (None removes one)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(replace)
    out = path.with_name(name)
    with zipfile.ZipFile(out, "w") as archive:
        for member, data in members.items():
            if data is not None:
                archive.writestr(member, data)
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


def _refusal(path) -> str:
    """Why load_run refuses ``path``: the message must be "Cannot open PATH: reason." on one line."""
    with pytest.raises(RunFileError) as caught:
        load_run(path)
    message, prefix = str(caught.value), f"Cannot open {path}: "
    assert message.startswith(prefix) and message.endswith(".") and "\n" not in message, message
    return message[len(prefix) : -1]


def test_bad_files_are_refused_with_a_sentence(tmp_path, good):
    """Text, truncated, future version, wrong shapes, missing arrays, a PNG: each says what is wrong."""
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    truncated = tmp_path / "cut.nnviz"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    header = json.loads(zipfile.ZipFile(good).read("run.json"))
    future = _rewrite(good, {"run.json": json.dumps({**header, "version": 99})}, "future.nnviz")
    foreign = _rewrite(good, {"run.json": json.dumps({"format": "something-else"})}, "foreign.nnviz")
    png = tmp_path / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    cases = {
        text: "it is not an nnviz run file (or it is damaged)",
        truncated: "it is not an nnviz run file (or it is damaged)",
        future: f"it was saved by a newer nnviz (run format 99) and this one reads format {VERSION}, so please update nnviz",
        foreign: "it is not an nnviz run file",
        png: "it is not an nnviz run file (or it is damaged)",
        tmp_path / "missing.nnviz": "there is no such file",
        tmp_path: "it is a folder, not a run file",
    }
    for path, reason in cases.items():
        assert _refusal(path) == reason
    shapes = _rewrite(good, {"parameters.npy": _npy(np.zeros(5, np.float32))})
    assert _refusal(shapes) == "its parameters array has shape (5,), expected (22,)"
    no_state = _rewrite(good, {"optimizer.npy": None})
    assert _refusal(no_state) == "the run has no optimizer.npy"
    no_header = _rewrite(good, {"run.json": None})
    assert _refusal(no_header) == "it is a zip archive, but not an nnviz run file"


@pytest.mark.parametrize(
    "labels,reason",
    [
        (np.full(160, 7), "its labels make 8 classes, and nnviz trains on 2 to 5 of points"),
        (np.arange(160) % 3, "its saved layer_sizes [2, 4, 2] does not match its settings ([2, 4, 3])"),
        (np.arange(160) % 2 - 1, "its labels are negative"),
        (np.zeros(0, np.int64), "it holds no training points"),
        (np.arange(160) % 2 * 1.0, "its y_train array does not hold whole numbers"),
        (np.array([[0, 1]] * 80), "its y_train array has 2 dimensions, not 1"),
        (np.arange(159) % 2, "its X_train array has shape (160, 2), expected (159, 2)"),
    ],
)
def test_labels_that_do_not_fit_are_refused_saying_why(good, labels, reason):
    """Labels that make too many or too few classes, disagree with the network, are negative,
    are not whole numbers or do not match the points: each has its own sentence."""
    assert _refusal(_rewrite(good, {"y_train.npy": _npy(labels)})) == reason


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
    from nnviz.core.training.history import write_history_csv

    trainer = build_trainer(TrainingConfig(hidden=4, test_fraction=0.0), log_every=50)
    trainer.step(100)
    write_history_csv(tmp_path / "h.csv", trainer.history.array())
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "step,loss,train_accuracy,test_loss,test_accuracy"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "50", "100"]
    assert lines[1].endswith(",,")


def _header_of(path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("run.json"))


WHOLE = "is not a whole number from"


@pytest.mark.parametrize(
    "change,reason",
    [
        (lambda h: h.update(step=float("inf")), f"its step inf {WHOLE} 0 to 1000000000000000"),
        (lambda h: h.update(step=-5), f"its step -5 {WHOLE} 0 to 1000000000000000"),
        (lambda h: h.update(step=True), f"its step True {WHOLE} 0 to 1000000000000000"),
        (lambda h: h.pop("step"), "its run description has no step"),
        (lambda h: h["batches"].update(cursor=1e400), f"its batch cursor inf {WHOLE} 0 to 160"),
        (lambda h: h["batches"].update(cursor=161), f"its batch cursor 161 {WHOLE} 0 to 160"),
        (lambda h: h["batches"]["rng"]["state"].update(state=2**200), "its random generator state is not one nnviz saves"),
        (lambda h: h["batches"]["rng"]["state"].update(state=-1), "its random generator state is not one nnviz saves"),
        (lambda h: h["batches"]["rng"].update(bit_generator="MT19937"), "its random generator state is not one nnviz saves"),
        (lambda h: h["batches"]["rng"].pop("uinteger"), "its random generator state is not one nnviz saves"),
        (lambda h: h["batches"].update(rng=[]), "its random generator state is not one nnviz saves"),
        (lambda h: h.update(batches=None), "its mini-batch description is not a mapping"),
        (lambda h: h.pop("batches"), "its run description has no mini-batch description"),
        (lambda h: h.update(config=[]),
         "its settings are invalid (settings must be a mapping of names to values, not list)"),
        (lambda h: h.pop("config"), "its run description has no settings"),
        (lambda h: h["config"].update(lr=10**400),
         "its settings are invalid (lr must be a finite number at least 0; got 1000000000000000000000000000000000000...)"),
        (lambda h: h["config"].update(hidden=0),
         "its settings are invalid (each hidden layer's width must be a whole number from 1 to 500; got 0)"),
        (lambda h: h.update(layer_sizes=[2, 10**9, 2]),
         "its saved layer_sizes [2, 1000000000, 2] does not match its settings ([2, 4, 2])"),
        (lambda h: h["history"].update(capacity=10**13), f"its history capacity 10000000000000 {WHOLE} 4 to 1000000"),
        (lambda h: h["history"].update(every=0), f"its history spacing 0 {WHOLE} 1 to 1000000000000000"),
        (lambda h: h.update(history="every 1"), "its history description is not a mapping"),
        (lambda h: h["settings"].update(batch_size="16"), "its saved batch_size '16' does not match its settings (None)"),
        (lambda h: h["settings"].update(lr=float("nan")), "its saved lr nan does not match its settings (1.0)"),
        (lambda h: h.update(settings=1.0), "its live settings is not a mapping"),
        (lambda h: h.update(activation="nope"), "its saved activation 'nope' does not match its settings ('tanh')"),
        (lambda h: h.update(dtype="float64"), "its saved dtype 'float64' does not match its settings ('float32')"),
        (lambda h: h.update(has_previous="false"), "its has_previous is not true or false"),
        (lambda h: h.update(version=0), "its format version 0 is not one nnviz wrote"),
        (lambda h: h.update(version="1" * 100), f"its format version '{'1' * 36}... is not one nnviz wrote"),
        (lambda h: h["config"].update(hidden=50),
         "its saved layer_sizes [2, 4, 2] does not match its settings ([2, 50, 2])"),
    ],
)
def test_crafted_headers_are_refused_with_a_sentence(good, change, reason):
    """Numbers out of range, wrong types, missing fields, settings that disagree with the
    network: each is refused saying which (values quoted from the file are cut short)."""
    header = _header_of(good)
    change(header)
    assert _refusal(_rewrite(good, {"run.json": json.dumps(header)})) == reason


@pytest.mark.parametrize(
    "text,reason",
    [
        ("[" * 100_000 + "]" * 100_000, "its run description is nested too deeply to read"),
        ("{'format': 'nnviz-run'}", "its run description is not valid JSON"),
        ('{"format": "nnviz-run", "version": 1' + "1" * 5000 + "}", "its run description is not valid JSON"),
        (b"\xff\xfe{}", "its run description is not valid JSON"),
        ("[1, 2]", "it is not an nnviz run file"),
    ],
)
def test_run_descriptions_that_are_not_json_are_refused(good, text, reason):
    """Deep nesting, bad JSON, numbers too long to convert and bad UTF-8: a sentence, not a
    RecursionError or a decoding traceback."""
    assert _refusal(_rewrite(good, {"run.json": text})) == reason


def test_no_memory_is_spent_on_sizes_a_file_only_claims(good):
    """A zip entry that inflates past any real run, or a .npy header claiming billions of values,
    is refused before anything that size is allocated."""
    bomb = good.with_name("bomb.nnviz")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data + b"\0" * (100 * 2**20) if name == "previous.npy" else data)
    assert bomb.stat().st_size < 2 * 2**20
    size = zipfile.ZipFile(bomb).getinfo("previous.npy").file_size
    assert _refusal(bomb) == f"its previous.npy claims {size:,} bytes, more than a run can hold"
    header = np.lib.format.header_data_from_array_1_0(np.zeros(3, np.float32))
    header["shape"] = (3_000_000_000,)
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, header)
    stream.write(np.zeros(3, np.float32).tobytes())
    assert _refusal(_rewrite(good, {"previous.npy": stream.getvalue()})) == (
        "its previous array is damaged (its header claims the shape (3000000000,))")
    header["shape"] = (3_000_000,)
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, header)
    stream.write(np.zeros(3, np.float32).tobytes())
    assert _refusal(_rewrite(good, {"previous.npy": stream.getvalue()})) == (
        "its previous array is damaged (its header claims 12,000,000 bytes of data, and 12 are present)")


def _npy_with_header(text: str, version: bytes = b"\x01\x00", data: bytes = b"\0" * 88) -> bytes:
    """A .npy file whose header says ``text`` (padded as numpy pads it)."""
    body = text.encode("latin1")
    body += b" " * (63 - (10 + len(body)) % 64) + b"\n"
    return b"\x93NUMPY" + version + len(body).to_bytes(2, "little") + body + data


@pytest.mark.parametrize(
    "member,reason",
    [
        (b"not numpy at all", "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (22,), }", b"\x07\x00"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': " + "-" * 5000 + "22}"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<U999999999999', 'fortran_order': False, 'shape': (22,), }"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-22,), }"),
         "its previous array is damaged (its header claims the shape (-22,))"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2**64), }"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 18446744073709551616), }"),
         "its previous array is damaged (its header claims the shape (0, 18446744073709551616))"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }"),
         "its previous array is damaged (its header claims the shape (1, 1, 1))"),
        (_npy_with_header("{'descr': '|V0', 'fortran_order': False, 'shape': (22,), }"),
         "its previous array is damaged (its header names a type that is not numbers)"),
        (_npy_with_header("{'descr': ('<f4',), 'fortran_order': False, 'shape': (22,), }"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (22,), " + "'" * 3 + "}"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{[1]: 2}"), "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2**40, 2**40), }"),
         "its previous array is damaged (its header is unreadable)"),
        (_npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (8, 6), }"),
         "its previous array is damaged (its header claims 192 bytes of data, and 88 are present)"),
        (_npy(np.zeros(22, "U3")), "its previous array does not hold real numbers"),
        (_npy(np.zeros(22, np.complex64)), "its previous array does not hold real numbers"),
        (_npy(np.zeros((), np.float32)), "its previous array has 0 dimensions, not 1"),
        (_npy(np.zeros(22, ">f4")), "its previous array is >f4, not float32"),
        (_npy(np.zeros(21, np.float32)), "its previous array has shape (21,), expected (22,)"),
        (_npy(np.full(22, np.inf, np.float32)), "its previous array holds values that are not finite float32 numbers"),
        (_npy(np.full(22, np.nan, np.float32)), "its previous array holds values that are not finite float32 numbers"),
    ],
)
def test_damaged_arrays_are_refused_saying_why(good, member, reason):
    """Headers numpy cannot parse (even ones deep enough to overflow its parser), negative or
    absurd shapes, and arrays of the wrong kind, shape or values: each is one sentence."""
    assert _refusal(_rewrite(good, {"previous.npy": member})) == reason


def test_more_points_than_nnviz_trains_on_are_refused(good, monkeypatch):
    """A run may hold no more points than nnviz trains on (the same limit as a CSV file)."""
    monkeypatch.setattr(runfile, "MAX_POINTS", 150)
    assert _refusal(good) == "it holds 200 points, more than the 150 nnviz trains on"


def test_a_history_longer_than_its_capacity_is_refused(good):
    """A bounded history holding more entries than its capacity is refused, not trimmed."""
    header = _header_of(good)
    header["history"]["capacity"] = 4
    history = _npy(np.zeros((5, 5)))
    assert _refusal(_rewrite(good, {"run.json": json.dumps(header), "history.npy": history})) == (
        "its history holds 5 entries, more than its capacity of 4")
    infinite = _npy(np.array([[0.0, np.inf, 1, np.nan, np.nan]]))
    assert _refusal(_rewrite(good, {"history.npy": infinite})) == (
        "its history holds infinite values or steps that are not numbers")


def test_a_batch_order_that_is_not_a_shuffle_is_refused(good):
    """The saved mini-batch order must be an order of the training points."""
    assert _refusal(_rewrite(good, {"order.npy": _npy(np.zeros(160, np.int64))})) == (
        "its mini-batch order is not an order of its training points")


BUILD_STEPS = {
    "history": (runfile.LossHistory, "from_array"),
    "batches": (runfile, "Batches"),
    "network": (runfile.MLP, "from_flat"),
    "trainer": (runfile, "trainer_for"),
    "restore": (runfile.Trainer, "restore"),
    "names": (runfile, "_data_names"),
    "config": (runfile.TrainingConfig, "from_dict"),
}


@pytest.mark.parametrize("step", BUILD_STEPS)
@pytest.mark.parametrize("error", [KeyError, TypeError, AttributeError, RuntimeError])
def test_a_bug_while_building_the_trainer_stays_a_bug(good, monkeypatch, step, error):
    """An error nnviz itself makes while building from a good file propagates as it is:
    only a bad file becomes "Cannot open ..."."""

    def broken(*args, **kwargs):
        raise error("a bug")

    monkeypatch.setattr(*BUILD_STEPS[step], broken)
    with pytest.raises(error, match="a bug"):
        load_run(good)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipes_and_devices_are_refused_without_waiting(tmp_path):
    """A named pipe nobody writes to, or a device: refused at once, never read."""
    fifo = tmp_path / "pipe.nnviz"
    os.mkfifo(fifo)
    assert _refusal(fifo) == "it is a device or pipe, not a run file"
    if os.path.exists("/dev/zero"):
        assert _refusal("/dev/zero") == "it is a device or pipe, not a run file"


def test_settings_with_a_number_too_large_for_arithmetic_are_a_config_error():
    """A whole number too large to become a float is a ConfigError, not an OverflowError."""
    with pytest.raises(ConfigError, match=r"^noise must be a finite number from 0 to 1; got 1000000000000000000000000000000000000\.\.\.$"):
        TrainingConfig.from_dict({"noise": 10**399})
    assert TrainingConfig.from_dict({"hidden": 7}) == TrainingConfig(hidden=7)


def test_non_finite_optimizer_state_is_refused(good):
    """NaN in the saved optimiser state would poison the next step: refused."""
    state = np.load(io.BytesIO(zipfile.ZipFile(good).read("optimizer.npy")))
    state[0, 0] = np.nan
    assert _refusal(_rewrite(good, {"optimizer.npy": _npy(state)})) == (
        "its optimizer array holds values that are not finite float32 numbers")


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
        ({"class_names": "ab"}, "its class names are not a list of text"),
        ({"class_names": ["a", 2]}, "its class names are not a list of text"),
        ({"class_names": ["only one"]}, "it names 1 classes but its labels go up to 1"),
        ({"feature_names": ["x"]}, "it names 1 features but its points have 2"),
        ({"feature_names": ["x", "y", "z"]}, "it names 3 features but its points have 2"),
        ({"feature_names": None}, "its feature names are not a list of text"),
        ({"name": 7}, "its data name 7 is not text"),
        ([], "its data description is not a mapping"),
    ],
)
def test_crafted_data_names_are_refused_with_a_sentence(good, data, words):
    """Display names of the wrong type or length are refused, saying which."""
    header = _header_of(good)
    header["data"] = data
    assert _refusal(_rewrite(good, {"run.json": json.dumps(header)})) == words


def test_too_many_class_names_do_not_fit_the_network(good):
    """More class names than the network has outputs: refused (the file disagrees with itself)."""
    header = _header_of(good)
    header["data"] = {"class_names": ["a", "b", "c"]}
    assert _refusal(_rewrite(good, {"run.json": json.dumps(header)})) == (
        "its saved layer_sizes [2, 4, 2] does not match its settings ([2, 4, 3])")


def test_a_class_drawn_then_erased_keeps_its_output_in_a_saved_run(tmp_path):
    """The network has three outputs though no point is of class 2 any more: the run reopens."""
    from nnviz.core.data.editing import add_points, remove_nearest

    config = TrainingConfig(hidden=4, dataset="custom")
    data = add_points(build_trainer(TrainingConfig(hidden=4)).data, np.array([[5.0, 5.0]]), 2)
    trainer = build_trainer(config, data)
    trainer.replace_data(remove_nearest(data, 5.0, 5.0, radius=0.1))
    assert trainer.network.layer_sizes[-1] == 3 and trainer.data.classes == 2
    save_run(tmp_path / "run.nnviz", config, trainer)
    _, back = load_run(tmp_path / "run.nnviz")
    assert back.network.layer_sizes == (2, 4, 3)


def test_points_too_large_for_the_networks_dtype_are_refused(good):
    """A float32 run trains on its points in float32: a point beyond float32's range is refused,
    not turned into infinity."""
    X_train = np.load(io.BytesIO(zipfile.ZipFile(good).read("X_train.npy")))
    X_train[3, 1] = 1e300
    assert _refusal(_rewrite(good, {"X_train.npy": _npy(X_train)})) == (
        "its X_train array holds values that are not finite float32 numbers")
