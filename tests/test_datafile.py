"""The user's own CSV files: what is read, the rule for labels, exact round trips, and a
sentence naming the file (and line) for every kind of bad file."""

import os
import threading

import numpy as np
import pytest

from nnviz.core.data import points_file
from nnviz.core.data.datasets import Dataset, make_dataset
from nnviz.core.data.points_file import (
    MAX_POINTS,
    DataFileError,
    read_data_csv,
    write_data_csv,
)
from nnviz.core.io.atomic import SaveError


def _write(tmp_path, text: str, name: str = "points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_points_labels_and_names(tmp_path):
    """The column named label (any case, spaces around) holds the labels wherever it is; the
    others are features named by the header; all points go to the training part."""
    path = _write(tmp_path, "width, Label ,height,depth\n1.5,dog,2,3\n-1,cat,0.25,1e3\n4,dog,5,6\n")
    data = read_data_csv(path)
    assert data.name == "points"
    assert data.feature_names == ("width", "height", "depth")
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.X_train, [[1.5, 2, 3], [-1, 0.25, 1000], [4, 5, 6]])
    np.testing.assert_array_equal(data.y_train, [1, 0, 1])
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert data.X_test.shape == (0, 3) and data.y_test.shape == (0,)
    assert data.classes == 2


def test_without_a_label_column_the_last_column_holds_the_labels(tmp_path):
    """No column is named label: the last one is."""
    data = read_data_csv(_write(tmp_path, "a,b,kind\n0,1,x\n2,3,y\n"))
    assert data.feature_names == ("a", "b") and data.class_names == ("x", "y")
    np.testing.assert_array_equal(data.X_train, [[0, 1], [2, 3]])


def test_numeric_labels_are_one_class_per_value_in_numeric_order(tmp_path):
    """"1", "1.0" and " 1" are one class; numbers sort as numbers (2 before 10)."""
    data = read_data_csv(_write(tmp_path, "x,y,label\n0,0,10\n0,1, 1\n1,0,1.0\n1,1,2\n2,2,1\n"))
    assert data.class_names == ("1", "2", "10")
    np.testing.assert_array_equal(data.y_train, [2, 0, 0, 1, 0])


def test_text_labels_sort_as_text(tmp_path):
    """If any label is not a number, all are compared as text: "10" sorts before "2", and " b" is "b"."""
    data = read_data_csv(_write(tmp_path, "x,y,label\n0,0,2\n0,1,10\n1,0, b\n1,1,b\n"))
    assert data.class_names == ("10", "2", "b")
    np.testing.assert_array_equal(data.y_train, [1, 0, 2, 2])


def test_quotes_blank_lines_and_a_byte_order_mark_are_fine(tmp_path):
    """Quoted values may hold commas; blank lines (or lines of empty cells) are skipped; a BOM is ignored."""
    path = tmp_path / "points.csv"
    path.write_bytes('\ufeffx,"y, in cm",label\n\n1,2,"cat, black"\n,,\n3,4,dog\n\n'.encode())
    data = read_data_csv(path)
    assert data.feature_names == ("x", "y, in cm") and data.class_names == ("cat, black", "dog")
    assert len(data.y_train) == 2


BAD = {
    "": "it is empty",
    "\n\n": "it is empty",
    "x,y,label\n": "it names the columns but holds no points",
    "1,2,0\n3,4,1\n": "the first line must name the columns, like x,y,label",
    "1.5,2.5,a\n3,4,b\n": "the first line must name the columns, like x,y,label",
    "x,label\n1,a\n2,b\n": (
        "it has 2 columns; it needs at least two feature columns and a label column, like x,y,label"),
    "x,y,label\n1,2,a\n\n3,4\n": "line 4: it has 2 values, not 3 like the first line",
    "x,y,label\n1,2,a\n3,4,b,5\n": "line 3: it has 4 values, not 3 like the first line",
    "x,y,label\n1,2,a\n3,abc,b\n": 'line 3: "y" is "abc", not a number',
    "x,y,label\n1,,a\n3,4,b\n": 'line 2: "y" is empty, not a number',
    "x,y,label\n1,2,a\nnan,4,b\n": 'line 3: "x" is "nan", not a finite number',
    "x,y,label\n1,2,a\n1e999,4,b\n": 'line 3: "x" is "1e999", not a finite number',
    "x,y,label\n1,2,a\n3,4, \n": "line 3: the label is empty",
    "x,y,label\n1,2,a\n3,4,a\n5,6,a\n": "all 3 points have the label 'a'; a classifier needs at least two classes",
    "x,y,label\n1,2,1\n3,4,1.0\n": "all 2 points have the label '1'; a classifier needs at least two classes",
    "x,y,label\n" + "".join(f"{i},{i},c{i}\n" for i in range(6)): "it has 6 different labels; nnviz handles at most 5 classes",
    "x,label,y,label\n1,a,2,b\n": "2 columns are named label; only one can hold the labels",
}


@pytest.mark.parametrize("text,reason", BAD.items(), ids=range(len(BAD)))
def test_bad_files_are_refused_with_one_sentence(tmp_path, text, reason):
    """Each problem is one sentence: "Cannot read FILE: [line N: ]what is wrong."."""
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        read_data_csv(path)
    assert str(caught.value) == f"Cannot read {path}: {reason}."


def test_the_documented_example_message(tmp_path, monkeypatch):
    """A relative path is named as given, with the line and the column of a bad value."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "x,y,label\n" + "0,0,a\n1,1,b\n" * 2 + "abc,1,a\n")
    with pytest.raises(DataFileError, match=r'^Cannot read points\.csv: line 6: "x" is "abc", not a number\.$'):
        read_data_csv("points.csv")


def _reason(path) -> str:
    """Why read_data_csv refuses ``path``: the message must be "Cannot read PATH: reason." on one line."""
    with pytest.raises(DataFileError) as caught:
        read_data_csv(path)
    message, prefix = str(caught.value), f"Cannot read {path}: "
    assert message.startswith(prefix) and message.endswith(".") and "\n" not in message, message
    return message[len(prefix) : -1]


def test_an_unclosed_quote_names_the_line_it_starts_on(tmp_path):
    """A quote left open runs to the end of the file; the message points at where it began."""
    path = _write(tmp_path, 'x,y,label\n1,2,a\n3,"4,b\n5,6,c\n')
    assert _reason(path) == "line 3: it has 2 values, not 3 like the first line"


def test_files_that_are_not_text_are_refused(tmp_path):
    """Binary data and text in another encoding each get a sentence, not a decoding traceback."""
    binary = tmp_path / "picture.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("x,y,label\n1,2,café\n3,4,thé\n".encode("latin-1"))
    assert _reason(binary) == "it is a binary file, not CSV text"
    assert _reason(latin) == "it is not UTF-8 text (save it as CSV in UTF-8)"


def test_missing_files_and_folders_are_named_as_such(tmp_path):
    """No such file, and a folder where a file should be: one sentence each."""
    assert _reason(tmp_path / "missing.csv") == "there is no such file"
    assert _reason(tmp_path) == "it is a folder, not a CSV file"


def test_a_file_over_10_mb_is_refused_by_its_size(tmp_path):
    """An 11 MiB file is refused by its size, before its bytes are read (it would read as binary);
    the sizes are in MiB (2**20 bytes), and say so."""
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(11 * 2**20)  # sparse: costs no disk, reads as zero bytes
    assert _reason(path) == "it is 11.0 MiB; nnviz reads data files of up to 10 MiB"


def test_more_points_than_the_limit_are_refused(tmp_path, monkeypatch):
    """One point more than MAX_POINTS is refused, saying the limit; exactly MAX_POINTS loads."""
    assert MAX_POINTS == 20_000
    monkeypatch.setattr(points_file, "MAX_POINTS", 50)  # the same rule, with a file quick to parse
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(50))
    assert len(read_data_csv(_write(tmp_path, "x,y,label\n" + rows)).y_train) == 50
    assert _reason(_write(tmp_path, "x,y,label\n" + rows + "1,1,0\n")) == (
        "it has more than 50 points, the most nnviz trains on")


def test_the_real_limit_is_20000_points(tmp_path):
    """20,001 points: refused, and the message says 20,000."""
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(MAX_POINTS + 1))
    assert _reason(_write(tmp_path, "x,y,label\n" + rows)) == "it has more than 20,000 points, the most nnviz trains on"


def test_write_then_read_gives_back_the_same_data(tmp_path):
    """Points (exact floats, training then test), text labels with commas, and three named features survive."""
    X = np.array([[0.1, 1 / 3, -2.5e-300], [1e10, -0.0, 7.0], [np.pi, np.e, 1e-7], [5.0, 6.0, 8.0]])
    data = Dataset("mine", X[:3], np.array([2, 0, 1]), X[3:], np.array([0]),
                   class_names=("a, b", "bee", 'say "c"'), feature_names=("w", "h", "d, cm"))
    write_data_csv(tmp_path / "out.csv", data)
    back = read_data_csv(tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines()[0] == 'w,h,"d, cm",label'
    np.testing.assert_array_equal(back.X_train, X)
    np.testing.assert_array_equal(back.y_train, [2, 0, 1, 0])
    assert back.class_names == data.class_names and back.feature_names == data.feature_names
    assert back.name == "out"


def test_a_built_in_set_writes_with_default_names(tmp_path):
    """Without display names, columns are x1, x2 and labels 0..K-1, which read back as the same classes."""
    data = make_dataset("spiral", 60, 0.2, 0.25, seed=1, classes=4)
    write_data_csv(tmp_path / "spiral.csv", data)
    back = read_data_csv(tmp_path / "spiral.csv")
    assert back.feature_names == ("x1", "x2") and back.class_names == ("0", "1", "2", "3")
    np.testing.assert_array_equal(back.X_train, data.merged()[0])
    np.testing.assert_array_equal(back.y_train, data.merged()[1])


def test_writing_into_a_missing_folder_is_a_save_error(tmp_path):
    """Writing goes through the atomic writer: a missing folder is a SaveError sentence."""
    data = make_dataset("blobs", 20, 0.1, 0.0, seed=0)
    with pytest.raises(SaveError, match="does not exist"):
        write_data_csv(tmp_path / "no" / "points.csv", data)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_file_that_reports_no_size_is_still_cut_off_at_10_mb():
    """A device or pipe says it is empty but never ends: reading stops at the limit."""
    assert _reason("/dev/zero") == "it is larger than 10 MiB; nnviz reads data files of up to 10 MiB"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_nobody_writes_to_is_empty_not_a_hang(tmp_path):
    """Opening a pipe with no writer would wait for ever: it reads as an empty file instead."""
    os.mkfifo(tmp_path / "pipe.csv")
    assert _reason(tmp_path / "pipe.csv") == "it is empty"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_being_written_is_read(tmp_path):
    """A pipe with a writer (as in --data <(command)) is read to its end."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # a writer that is there before the reader, as a shell's is
    os.write(writer, b"x,y,label\n1,2,a\n3,4,b\n")
    reader = threading.Timer(0.2, os.close, [writer])  # the writer finishes while nnviz reads
    reader.start()
    try:
        data = read_data_csv(fifo)
    finally:
        reader.join()
    np.testing.assert_array_equal(data.y_train, [0, 1])
