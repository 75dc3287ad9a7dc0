"""Damaged files: every file nnviz reads is refused in one sentence or loads cleanly, whatever
the damage. Never a traceback, a hang, or memory spent on a size the file only claims.

The files are real: a run saved after some training (momentum and mini-batches, so every array
has content), a CSV file written by nnviz, and a PNG exported by nnviz. The damage is random:
flipped bits, overwritten bytes, runs of random bytes, truncation, members of the zip archive
swapped, removed or renamed, corrupt compressed streams, and size fields that lie.
"""

import functools
import io
import json
import re
import struct
import subprocess
import sys
import tempfile
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import CLASSES_RANGE, Dataset, make_dataset, resplit
from nnviz.core.data.points_file import DataFileError, read_data_csv, write_data_csv
from nnviz.core.io.runfile import ARRAYS, RunFileError, load_run, save_run
from nnviz.core.training.experiment import build_trainer

MEMBERS = ("run.json", *(f"{key}.npy" for key in ARRAYS))


def _examples(count: int):
    """Hypothesis settings for ``count`` random files (no example database: nothing is left behind)."""
    return settings(max_examples=count, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_one_sentence(message: str, prefix: str) -> None:
    """``message`` is "PREFIX reason." on one line: one sentence, cut short where it quotes the file."""
    assert message.startswith(prefix), message
    reason = message[len(prefix) :]
    assert "\n" not in message and "\r" not in message, message
    assert reason[:1].islower() and reason.endswith(".") and not reason.endswith(".."), message
    unquoted = re.sub(r'"[^"]*"', '""', reason)  # a CSV cell quoted in the message may hold anything
    assert not re.search(r"(?<!\.)\.\s", unquoted), f"more than one sentence: {message}"
    assert len(reason) < 300, message


# Real files ---------------------------------------------------------------------------------


@functools.cache
def saved_run(kind: str) -> bytes:
    """A run file's bytes: the moons in float32, or points of one's own in float64 with names."""
    if kind == "moons":
        config = TrainingConfig(hidden=5, momentum=0.5, batch_size=16, samples=120)
        trainer = build_trainer(config, log_every=5, history_capacity=64)
    else:
        rng = np.random.default_rng(3)
        y = np.arange(60) % 3
        X = np.column_stack([np.cos(y * 2.1), np.sin(y * 2.1), y - 1.0]) + 0.3 * rng.standard_normal((60, 3))
        data = resplit(Dataset("fruit", X, y, np.empty((0, 3)), np.empty(0, np.int64), ("apple", "kiwi", "pear"),
                               ("length", "width", "weight")), 0.2, seed=0)
        config = TrainingConfig(dataset="custom", hidden=4, momentum=0.9, batch_size=7, dtype="float64")
        trainer = build_trainer(config, data, log_every=2)
    trainer.step(23)  # mid-epoch: the batch order and cursor matter
    with tempfile.TemporaryDirectory() as where:
        save_run(f"{where}/run.nnviz", config, trainer)
        with open(f"{where}/run.nnviz", "rb") as handle:
            return handle.read()


RUNS = st.sampled_from(["moons", "custom"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One folder for the module's files (hypothesis runs many examples in one test call)."""
    return tmp_path_factory.mktemp("damage")


MAX_MEMORY = 16 * 2**20  # bytes; loading these runs takes well under 1 MB


def load_or_refuse(path) -> str:
    """"refused" (one sentence naming the file) or "loaded" (a trainer that steps), either way
    without allocating more than a real run needs."""
    tracemalloc.start()
    try:
        _, trainer = load_run(path)
    except RunFileError as error:
        assert_one_sentence(str(error), f"Cannot open {path}: ")
        return "refused"
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < MAX_MEMORY, f"{peak:,} bytes allocated"
    before = trainer.step_count
    trainer.step(3)
    assert trainer.step_count >= before - 1  # a damaged weight may diverge and step back: no crash
    assert np.isfinite(trainer.network.flat).all()
    return "loaded"


# The zip archive's structure ------------------------------------------------------------------

EOCD = {"entries on this disk": (8, "H"), "entries": (10, "H"), "directory size": (12, "I"),
        "directory offset": (16, "I"), "comment length": (20, "H")}
CENTRAL = {"flags": (8, "H"), "method": (10, "H"), "crc": (16, "I"), "compressed size": (20, "I"),
           "size": (24, "I"), "name length": (28, "H"), "extra length": (30, "H"), "header offset": (42, "I")}
LOCAL = {"flags": (6, "H"), "method": (8, "H"), "crc": (14, "I"), "compressed size": (18, "I"), "size": (22, "I"),
         "name length": (26, "H"), "extra length": (28, "H")}


@functools.cache
def records(raw: bytes) -> dict:
    """Where each structure of the archive starts: the end record, and each member's central
    directory record and local header."""
    end = raw.rindex(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", raw, end + 10)
    found = {"end": end}
    for _ in range(count):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", raw, start + 28)
        name = raw[start + 46 : start + 46 + name_length].decode()
        found[("central", name)] = start
        found[("local", name)] = struct.unpack_from("<I", raw, start + 42)[0]
        start += 46 + name_length + extra_length + comment_length
    return found


def data_region(raw: bytes, member: str) -> tuple[int, int]:
    """Where a member's compressed bytes start, and how many there are."""
    found = records(raw)
    local, size = found[("local", member)], struct.unpack_from("<I", raw, found[("central", member)] + 20)[0]
    name_length, extra_length = struct.unpack_from("<HH", raw, local + 26)
    return local + 30 + name_length + extra_length, size


def patched(raw: bytes, where: int, fields: dict, field: str, value: int) -> bytes:
    """``raw`` with one field of the record at ``where`` set to ``value`` (wrapped to its width)."""
    offset, fmt = fields[field]
    out = bytearray(raw)
    struct.pack_into("<" + fmt, out, where + offset, value % (1 << (8 * struct.calcsize(fmt))))
    return bytes(out)


def zipped(members: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A valid archive of ``members`` (names may repeat): damage inside it passes every checksum."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": wanted here
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buffer.getvalue()


def unzipped(raw: bytes) -> list[tuple[str, bytes]]:
    """The members of an undamaged archive, in order (a fresh list to change)."""
    return list(_members(raw))


@functools.cache
def _members(raw: bytes) -> tuple[tuple[str, bytes], ...]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return tuple((name, archive.read(name)) for name in archive.namelist())


# Damage ---------------------------------------------------------------------------------------


@st.composite
def byte_damage(draw, raw: bytes) -> bytes:
    """Bit flips, overwritten bytes, a run of random bytes inserted or bytes cut out, truncation."""
    out = bytearray(raw)
    kind = draw(st.sampled_from(["flip", "overwrite", "insert", "cut", "truncate"]))
    if kind == "truncate":
        return bytes(out[: draw(st.integers(0, max(len(out) - 1, 0)))])
    if not out:
        return bytes(draw(st.binary(min_size=1, max_size=64)))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            out[draw(st.integers(0, len(out) - 1))] ^= 1 << draw(st.integers(0, 7))
    elif kind == "overwrite":
        at = draw(st.integers(0, len(out) - 1))
        junk = draw(st.binary(min_size=1, max_size=64))
        out[at : at + len(junk)] = junk[: len(out) - at]
    elif kind == "insert":
        at = draw(st.integers(0, len(out)))
        out[at:at] = draw(st.binary(min_size=1, max_size=64))
    else:
        at = draw(st.integers(0, len(out) - 1))
        del out[at : at + draw(st.integers(1, 64))]
    return bytes(out)


@st.composite
def lying_field(draw, raw: bytes) -> bytes:
    """One size, offset, count, flag or method field of the archive rewritten: to a value near the
    true one, an extreme one, or any one."""
    found = records(raw)
    where = draw(st.sampled_from(sorted(found, key=str)))
    fields = EOCD if where == "end" else CENTRAL if where[0] == "central" else LOCAL
    field = draw(st.sampled_from(sorted(fields)))
    offset, fmt = fields[field]
    bits = 8 * struct.calcsize(fmt)
    true = struct.unpack_from("<" + fmt, raw, found[where] + offset)[0]
    value = draw(st.one_of(
        st.integers(-64, 64).map(lambda delta: true + delta),
        st.sampled_from([0, 1, 2**bits - 1, 2**bits - 2, 2**(bits - 1), true * 2, len(raw)]),
        st.integers(0, 2**bits - 1),
    ))
    return patched(raw, found[where], fields, field, value)


@st.composite
def corrupt_stream(draw, raw: bytes) -> bytes:
    """Bytes damaged inside one member's compressed (deflate) stream."""
    start, size = data_region(raw, draw(st.sampled_from(MEMBERS)))
    region = draw(byte_damage(raw[start : start + size]))
    if len(region) != size:  # keep the archive's own offsets right: only the stream is damaged
        region = (region + bytes(size))[:size]
    return raw[:start] + region + raw[start + size :]


@st.composite
def rearranged(draw, raw: bytes) -> bytes:
    """A valid archive whose members are swapped, removed, renamed, duplicated or reordered."""
    members = unzipped(raw)
    kind = draw(st.sampled_from(["swap", "remove", "rename", "duplicate", "reorder", "stored"]))
    i = draw(st.integers(0, len(members) - 1))
    j = draw(st.integers(0, len(members) - 1))
    compression = zipfile.ZIP_DEFLATED
    if kind == "swap":  # the contents trade names
        (a, x), (b, y) = members[i], members[j]
        members[i], members[j] = (a, y), (b, x)
    elif kind == "remove":
        del members[i]
    elif kind == "rename":
        members[i] = (draw(st.sampled_from([*MEMBERS, "", "run.JSON", "x/run.json", "Run.json"])), members[i][1])
    elif kind == "duplicate":
        members.insert(j, (members[i][0], members[j][1]))  # a second member of the same name
    elif kind == "reorder":
        members = draw(st.permutations(members))
    else:
        compression = zipfile.ZIP_STORED
    return zipped(members, compression)


@st.composite
def damaged_member(draw, raw: bytes) -> bytes:
    """A valid archive in which one member's content (run.json, or a .npy header and data) is
    damaged: the damage passes every checksum and reaches the JSON and numpy readers."""
    members = unzipped(raw)
    index = draw(st.integers(0, len(members) - 1))
    members[index] = (members[index][0], draw(byte_damage(members[index][1])))
    return zipped(members)


def npy_with_header(header: str, data: bytes) -> bytes:
    body = header.encode("latin1")
    body += b" " * (63 - (10 + len(body)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body + data


SHAPES = st.lists(st.one_of(st.integers(0, 300), st.integers(-5, 2**64), st.sampled_from([2**31, 2**40, 2**63])),
                  max_size=4).map(tuple)
DESCRS = st.sampled_from(["<f4", "<f8", ">f4", "<i8", "|u1", "<f2", "|b1", "<U3", "|S0", "|V8", "<c16", "<M8[s]",
                          "<i4", "[('a', '<f8')]", "'<f4'", "object", "O"])


@st.composite
def lying_array(draw, raw: bytes) -> bytes:
    """A valid archive in which one .npy member's header claims another shape or type (or its
    header text is damaged) while its data stays as it was."""
    members = unzipped(raw)
    index = draw(st.sampled_from([k for k, (name, _) in enumerate(members) if name.endswith(".npy")]))
    name, member = members[index]
    stream = io.BytesIO(member)
    np.lib.format.read_magic(stream)
    np.lib.format.read_array_header_1_0(stream)
    data = member[stream.tell() :]
    if draw(st.booleans()):
        descr = draw(DESCRS)
        descr = descr if descr.startswith(("[", "'")) else repr(descr)
        header = f"{{'descr': {descr}, 'fortran_order': {draw(st.booleans())}, 'shape': {draw(SHAPES)!r}, }}"
    else:
        text = member[10 : stream.tell()].decode("latin1")
        header = draw(byte_damage(text.encode("latin1"))).decode("latin1")
    members[index] = (name, npy_with_header(header, data))
    return zipped(members)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text("abc 123", max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text("abcxyz_", max_size=6), children,
                                                                      max_size=4),
    max_leaves=10,
)


@st.composite
def rewritten_description(draw, raw: bytes) -> bytes:
    """A valid archive whose run.json has one field, at any depth, replaced by any JSON value
    or removed."""
    members = unzipped(raw)
    index = next(k for k, (name, _) in enumerate(members) if name == "run.json")
    header = json.loads(members[index][1])
    parent, key, node = None, None, header
    while isinstance(node, (dict, list)) and node and (parent is None or draw(st.booleans())):
        parent = node
        key = draw(st.sampled_from(sorted(node))) if isinstance(node, dict) else draw(st.integers(0, len(node) - 1))
        node = node[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = draw(JSON)
    members[index] = ("run.json", json.dumps(header).encode())
    return zipped(members)


RUN_DAMAGE = {
    "bytes": byte_damage,
    "lying fields": lying_field,
    "corrupt streams": corrupt_stream,
    "rearranged members": rearranged,
    "damaged members": damaged_member,
    "lying arrays": lying_array,
    "rewritten descriptions": rewritten_description,
}


# Run files ------------------------------------------------------------------------------------


# 1,300 damaged runs, 400 CSV files and 300 PNGs: about 30 s of one core.
EXAMPLES = {"bytes": 300, "lying fields": 200, "corrupt streams": 150, "rearranged members": 100,
            "damaged members": 200, "lying arrays": 150, "rewritten descriptions": 200}


@pytest.mark.slow
@pytest.mark.parametrize("damage", RUN_DAMAGE)
def test_a_damaged_run_is_refused_in_one_sentence_or_loads(folder, damage):
    """Whatever the damage, load_run refuses the file in one sentence naming it, or gives a
    trainer that steps; nothing else escapes."""
    path = folder / f"{damage.replace(' ', '-')}.nnviz"
    outcomes = []

    @_examples(EXAMPLES[damage])
    @given(kind=RUNS, data=st.data())
    def check(kind, data):
        path.write_bytes(data.draw(RUN_DAMAGE[damage](saved_run(kind)), label="file"))
        outcomes.append(load_or_refuse(path))

    check()
    assert "refused" in outcomes  # the damage was real


def test_the_runs_load_undamaged(folder):
    """The files the damage is done to are good runs."""
    for kind in ("moons", "custom"):
        (folder / f"{kind}.nnviz").write_bytes(saved_run(kind))
        assert load_or_refuse(folder / f"{kind}.nnviz") == "loaded"


def test_the_reported_single_byte_flips_are_refused_or_load(folder):
    """The report: of 40 single-byte flips at random places of a 6 KB run, 4 escaped as a
    zlib.error traceback. Now each is refused in one sentence, or loads (a flip in a field
    nothing reads does no harm)."""
    raw = saved_run("moons")
    rng = np.random.default_rng(11)
    path = folder / "flipped.nnviz"
    outcomes = []
    for position in rng.choice(len(raw), 40, replace=False):
        damaged = bytearray(raw)
        damaged[position] ^= int(rng.integers(1, 256))
        path.write_bytes(damaged)
        outcomes.append(load_or_refuse(path))
    assert outcomes.count("refused") >= 30


def corrupt_deflate(raw: bytes, member: str) -> bytes:
    """``raw`` with the start of ``member``'s deflate stream replaced by an invalid block type."""
    start, size = data_region(raw, member)
    return raw[:start] + b"\xff" * min(size, 8) + raw[start + min(size, 8) :]


def _refusal(path, raw: bytes) -> str:
    path.write_bytes(raw)
    with pytest.raises(RunFileError) as caught:
        load_run(path)
    assert_one_sentence(str(caught.value), f"Cannot open {path}: ")
    return str(caught.value)[len(f"Cannot open {path}: ") : -1]


def test_each_kind_of_archive_damage_has_its_sentence(tmp_path):
    """The sentences for damage to the archive: each says which member and what is wrong."""
    raw = saved_run("moons")
    path = tmp_path / "run.nnviz"
    where = records(raw)
    central = where[("central", "previous.npy")]
    true_size = struct.unpack_from("<I", raw, central + 24)[0]
    cases = {
        corrupt_deflate(raw, "parameters.npy"): "its parameters.npy is damaged (its compressed data is corrupt)",
        patched(raw, central, CENTRAL, "compressed size", 2**31):
            "its previous.npy is damaged (it claims more bytes than the file holds)",
        patched(raw, central, CENTRAL, "header offset", 2**32 - 40):
            "its previous.npy is damaged (it claims more bytes than the file holds)",
        patched(raw, central, CENTRAL, "size", 2**32 - 2):
            "its previous.npy claims 4,294,967,294 bytes, more than a run can hold",
        patched(raw, central, CENTRAL, "size", true_size + 1):
            f"its previous.npy is damaged (it holds {true_size:,} bytes, not the {true_size + 1:,} its entry claims)",
        patched(raw, central, CENTRAL, "crc", 12345): "its previous.npy is damaged (it fails the zip archive's checks)",
        patched(raw, central, CENTRAL, "method", 12):
            "its previous.npy is damaged (it names compression method 12, which nnviz does not use)",
        patched(raw, central, CENTRAL, "flags", 1): "its previous.npy is damaged (it is marked as encrypted)",
        patched(raw, central, CENTRAL, "flags", 0x40): "its previous.npy is damaged (it is marked as encrypted)",
        patched(raw, where[("local", "previous.npy")], LOCAL, "name length", 3):
            "its previous.npy is damaged (it fails the zip archive's checks)",
        patched(raw, where["end"], EOCD, "directory offset", 5):
            "its run.json is damaged (it fails the zip archive's checks)",  # every member's offset is off
        patched(raw, where["end"], EOCD, "directory size", 2**31): "it is not an nnviz run file (or it is damaged)",
        raw[: len(raw) // 3]: "it is not an nnviz run file (or it is damaged)",
        raw[: where["end"]]: "it is not an nnviz run file (or it is damaged)",
        zipped([(n, d) for n, d in unzipped(raw) if n != "order.npy"]): "the run has no order.npy",
        zipped([("order.npy" if n == "X_test.npy" else "X_test.npy" if n == "order.npy" else n, d)
                for n, d in unzipped(raw)]): "its X_test array does not hold real numbers",
    }
    for damaged, reason in cases.items():
        assert _refusal(path, damaged) == reason


def test_a_zip_version_nnviz_cannot_read_is_damage(tmp_path):
    """A member claiming a zip version from the future (zipfile's NotImplementedError) is refused."""
    raw = saved_run("moons")
    central = records(raw)[("central", "run.json")]
    damaged = bytearray(raw)
    damaged[central + 6] = 99  # "version needed to extract": 9.9
    assert _refusal(tmp_path / "run.nnviz", bytes(damaged)) == "it is not an nnviz run file (or it is damaged)"


def _cli(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnviz", "train", "--resume", str(path), "--steps", "1"],
                          check=False, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "damage,reason",
    [
        (lambda raw: corrupt_deflate(raw, "parameters.npy"), "its parameters.npy is damaged (its compressed data is corrupt)"),
        (lambda raw: raw[: len(raw) - 30], "it is not an nnviz run file (or it is damaged)"),
    ],
    ids=["corrupt stream", "truncated"],
)
def test_the_command_line_refuses_a_damaged_run_with_exit_status_2(tmp_path, damage, reason):
    """`nnviz train --resume damaged.nnviz`: exit status 2 and one line on stderr, no traceback."""
    path = tmp_path / "damaged.nnviz"
    path.write_bytes(damage(saved_run("moons")))
    done = _cli(path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"nnviz train: error: Cannot open {path}: {reason}."]
    assert "Traceback" not in done.stderr and done.stdout == ""


# CSV files -----------------------------------------------------------------------------------


@functools.cache
def csv_file() -> bytes:
    """Points nnviz wrote: three classes with names that need quoting, exact floats."""
    data = make_dataset("spiral", 40, 0.2, 0.25, seed=1, classes=3)
    data = Dataset("mine", data.X_train, data.y_train, data.X_test, data.y_test, ("a, b", 'say "c"', "d"),
                   ("width", "height, cm"))
    with tempfile.TemporaryDirectory() as where:
        write_data_csv(f"{where}/points.csv", data)
        with open(f"{where}/points.csv", "rb") as handle:
            return handle.read()


@st.composite
def csv_damage(draw, raw: bytes) -> bytes:
    """Byte damage, or text damage: a line cut, repeated, or replaced by random text."""
    if draw(st.booleans()):
        return draw(byte_damage(raw))
    lines = raw.decode().split("\n")
    at = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["cut", "repeat", "replace"]))
    if kind == "cut":
        del lines[at]
    elif kind == "repeat":
        lines.insert(at, lines[at] * draw(st.integers(2, 4)))
    else:
        lines[at] = draw(st.text(',"\n\r x1.e-5abcnaif\t\u00e9\ufeff', max_size=40))
    return "\n".join(lines).encode()


@pytest.mark.slow
@_examples(400)
@given(data=st.data())
def test_a_damaged_csv_file_is_refused_in_one_sentence_or_reads(folder, data):
    """Whatever the damage, read_data_csv refuses the file in one sentence naming it, or gives
    points that are finite, with whole-number labels of 2 to 5 classes."""
    path = folder / "points.csv"
    path.write_bytes(data.draw(csv_damage(csv_file()), label="file"))
    try:
        points = read_data_csv(path)
    except DataFileError as error:
        assert_one_sentence(str(error), f"Cannot read {path}: ")
        return
    assert np.isfinite(points.X_train).all() and points.y_train.dtype == np.int64
    assert CLASSES_RANGE[0] <= points.classes <= CLASSES_RANGE[1]


# PNG files -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def png(qapp) -> bytes:
    """A PNG nnviz exported, with its settings in a text chunk."""
    from PyQt5.QtGui import QColor, QImage

    from nnviz.gui.files import export

    image = QImage(24, 16, QImage.Format_ARGB32)
    image.fill(QColor("teal"))
    with tempfile.TemporaryDirectory() as where:
        export.save_png(image, f"{where}/picture.png", export.metadata(TrainingConfig(hidden=7, lr=0.3), 120))
        with open(f"{where}/picture.png", "rb") as handle:
            return handle.read()


def chunks(raw: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks as (type, data)."""
    found, at = [], 8
    while at + 8 <= len(raw):
        length, kind = struct.unpack_from(">I4s", raw, at)
        found.append((kind, raw[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def png_of(parts: list[tuple[bytes, bytes]]) -> bytes:
    """A PNG of ``parts`` with correct checksums: damage inside a chunk reaches its reader."""
    out = b"\x89PNG\r\n\x1a\n"
    for kind, data in parts:
        out += struct.pack(">I4s", len(data), kind) + data + struct.pack(">I", zlib.crc32(kind + data))
    return out


@st.composite
def png_damage(draw, raw: bytes) -> bytes:
    """Byte damage to the file, or to one chunk (checksum recomputed), or the settings text
    replaced: by damaged JSON, by other JSON, or as a zTXt stream that is not deflate."""
    kind = draw(st.sampled_from(["bytes", "chunk", "settings"]))
    if kind == "bytes":
        return draw(byte_damage(raw))
    parts = chunks(raw)
    if kind == "chunk":
        at = draw(st.integers(0, len(parts) - 1))
        parts[at] = (parts[at][0], draw(byte_damage(parts[at][1])))
        return png_of(parts)
    at = next(k for k, (_, data) in enumerate(parts) if data.startswith(b"nnviz-config\0"))
    chunk_type, body = parts[at][0], parts[at][1][len(b"nnviz-config\0") :]
    value = zlib.decompress(body[1:]) if chunk_type == b"zTXt" else body  # zTXt: a method byte, then deflate
    choice = draw(st.sampled_from(["damaged", "json", "not deflate"]))
    if choice == "damaged":
        value = draw(byte_damage(value))
    elif choice == "json":
        settings_ = json.loads(value)
        settings_[draw(st.sampled_from(sorted(settings_)))] = draw(JSON)
        value = json.dumps(settings_).encode()
    if chunk_type == b"zTXt":
        body = value if choice == "not deflate" else zlib.compress(value)
        parts[at] = (b"zTXt", b"nnviz-config\0\0" + body)
    else:
        parts[at] = (b"tEXt", b"nnviz-config\0" + value)
    return png_of(parts)


@pytest.mark.slow
def test_a_damaged_png_is_refused_in_one_sentence_or_gives_settings(folder, png):
    """Whatever the damage, config_from_png refuses the picture in one sentence naming it, or
    gives valid settings; is_png never fails."""
    from nnviz.gui.files import export

    path = folder / "picture.png"

    @_examples(300)
    @given(data=st.data())
    def check(data):
        path.write_bytes(data.draw(png_damage(png), label="file"))
        assert export.is_png(path) in (True, False)
        try:
            config = export.config_from_png(path)
        except RunFileError as error:
            assert_one_sentence(str(error), f"Cannot open {path}: ")
            return
        assert config.validated() is config

    check()


def test_the_png_gives_its_settings_undamaged(folder, png):
    """The picture the damage is done to carries its settings."""
    from nnviz.gui.files import export

    (folder / "good.png").write_bytes(png)
    assert export.config_from_png(folder / "good.png") == TrainingConfig(hidden=7, lr=0.3)


def test_a_png_of_one_hidden_layer_from_an_earlier_nnviz_opens(folder, png):
    """Before deep networks a PNG said ``"hidden": 7`` (a number): it still opens, as one layer
    of 7; today's say ``[8, 8, 4]``."""
    from nnviz.gui.files import export

    parts = chunks(png)
    at = next(k for k, (_, data) in enumerate(parts) if data.startswith(b"nnviz-config\0"))
    for text, shape in (('{"hidden": 7, "lr": 0.3, "activation": "relu"}', (7,)),
                        ('{"hidden": [8, 8, 4], "activation": ["relu", "tanh", "sigmoid"]}', (8, 8, 4))):
        settings = [p if k != at else (b"tEXt", b"nnviz-config\0" + text.encode()) for k, p in enumerate(parts)]
        (folder / "old.png").write_bytes(png_of(settings))
        assert export.config_from_png(folder / "old.png").hidden == shape


def test_png_damage_has_its_sentences(folder, png):
    """A truncated picture, a damaged settings chunk, and settings that are not JSON: each its sentence."""
    from nnviz.gui.files import export

    parts = chunks(png)
    at = next(k for k, (_, data) in enumerate(parts) if data.startswith(b"nnviz-config\0"))
    settings_text = [p if k != at else (b"tEXt", b"nnviz-config\0{not json") for k, p in enumerate(parts)]
    bad_settings = [p if k != at else (b"tEXt", b'nnviz-config\0{"hidden": 501}') for k, p in enumerate(parts)]
    broken_chunk = bytearray(png)
    broken_chunk[png.index(b"nnviz-config") + 20] ^= 0x10  # its checksum no longer matches: the chunk is dropped
    cases = {
        png[:40]: "it is not a PNG picture, or it is damaged",
        bytes(broken_chunk): "its nnviz settings are missing or damaged",
        png_of(settings_text): "its nnviz settings are damaged (they are not valid JSON)",
        png_of(bad_settings): "its nnviz settings are damaged (each hidden layer's width must be a whole number from 1 to 500; got 501)",
    }
    path = folder / "case.png"
    for damaged, reason in cases.items():
        path.write_bytes(damaged)
        with pytest.raises(RunFileError) as caught:
            export.config_from_png(path)
        assert str(caught.value) == f"Cannot open {path}: {reason}."
    with pytest.raises(RunFileError, match=r": there is no such file\.$"):
        export.config_from_png(folder / "missing.png")
    with pytest.raises(RunFileError, match=r": it is not a picture file\.$"):
        export.config_from_png(folder)
