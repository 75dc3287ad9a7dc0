"""IDX image files (MNIST's format): exact round trips, raw and gzipped, how the labels file
is found, and one sentence naming the file for every kind of damaged file."""

import gzip
import json
import shutil

import numpy as np
import pytest

from nnviz.core.data.datasets import resplit
from nnviz.core.data.idx import MAX_IMAGES, MAX_PIXELS, is_idx, read_idx, write_idx
from nnviz.core.data.points_file import DataFileError

IMAGES = "train-images-idx3-ubyte"
LABELS = "train-labels-idx1-ubyte"


def _sample(count=30, rows=5, columns=7, classes=3):
    """Images whose every pixel value 0-255 turns up, and labels 0..classes-1."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(count, rows, columns), dtype=np.uint8)
    pixels[0, 0, 0], pixels[0, 0, 1] = 0, 255
    return pixels, np.arange(count) % classes


def _header(magic: bytes, *dims: int) -> bytes:
    return magic + np.asarray(dims, dtype=">u4").tobytes()


@pytest.mark.parametrize("name", [IMAGES, IMAGES + ".gz"])
def test_round_trip_is_exact(tmp_path, name):
    """Pixels and labels come back exactly, pixels as float32 /255, one image a row; all go to
    the training part; the name is the file's, without .gz."""
    pixels, labels = _sample()
    write_idx(tmp_path / name, pixels, labels)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, name.replace("images", "labels").replace("idx3", "idx1")])
    data = read_idx(tmp_path / name)
    assert data.name == IMAGES
    assert data.image_shape == (5, 7)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.X_train, (pixels.reshape(30, 35) / 255).astype(np.float32))
    np.testing.assert_array_equal(np.rint(data.X_train * 255), pixels.reshape(30, 35))
    np.testing.assert_array_equal(data.y_train, labels)
    assert data.X_test.shape == (0, 35) and data.X_test.dtype == np.float32
    assert data.y_test.shape == (0,) and data.y_test.dtype == np.int64
    assert data.classes == 3 and data.columns == 35


def test_gz_names_give_gzip_files_and_the_content_not_the_name_decides(tmp_path):
    """A .gz name writes real gzip files; reading goes by the first bytes, so a gzip file
    without .gz and a raw file named .gz both read."""
    pixels, labels = _sample()
    write_idx(tmp_path / (IMAGES + ".gz"), pixels, labels)
    for name in (IMAGES, LABELS):
        assert (tmp_path / (name + ".gz")).read_bytes()[:2] == b"\x1f\x8b"
    unnamed = tmp_path / "gzipped"
    unnamed.mkdir()
    for name in (IMAGES, LABELS):
        shutil.copy(tmp_path / (name + ".gz"), unnamed / name)
    np.testing.assert_array_equal(read_idx(unnamed / IMAGES).y_train, labels)
    misnamed = tmp_path / "raw"
    misnamed.mkdir()
    write_idx(misnamed / IMAGES, pixels, labels)
    for name in (IMAGES, LABELS):
        (misnamed / name).rename(misnamed / (name + ".gz"))
    np.testing.assert_array_equal(read_idx(misnamed / (IMAGES + ".gz")).X_train * 255, pixels.reshape(30, -1))


def test_only_the_file_name_is_changed_to_find_the_labels(tmp_path):
    """The folder keeps its name even when it contains "images" and "idx3"; "images" and
    "idx3" anywhere in the file's name change; other names (t10k-, .idx3-ubyte) work too."""
    folder = tmp_path / "my-images-idx3"
    folder.mkdir()
    pixels, labels = _sample()
    write_idx(folder / "t10k-images.idx3-ubyte", pixels, labels)
    assert (folder / "t10k-labels.idx1-ubyte").is_file()
    data = read_idx(folder / "t10k-images.idx3-ubyte")
    assert data.name == "t10k-images"
    np.testing.assert_array_equal(data.y_train, labels)
    write_idx(folder / "digits.idx3", pixels, 2 - labels)
    np.testing.assert_array_equal(read_idx(folder / "digits.idx3").y_train, 2 - labels)


def test_a_gzipped_images_file_finds_its_labels_with_or_without_gz(tmp_path):
    """A gzipped pair with only the labels unpacked, or only the images (keeping the .gz in
    their name, or not): the labels are still found."""
    pixels, labels = _sample()
    write_idx(tmp_path / (IMAGES + ".gz"), pixels, labels)
    with gzip.open(tmp_path / (LABELS + ".gz")) as packed:
        (tmp_path / LABELS).write_bytes(packed.read())
    (tmp_path / (LABELS + ".gz")).unlink()
    data = read_idx(tmp_path / (IMAGES + ".gz"))
    np.testing.assert_array_equal(data.y_train, labels)
    np.testing.assert_array_equal(data.X_train * 255, pixels.reshape(30, -1))
    write_idx(tmp_path / "b-images.gz", pixels, 2 - labels)
    (tmp_path / "b-images.gz").rename(tmp_path / "b-images")  # still gzipped, found by its bytes
    np.testing.assert_array_equal(read_idx(tmp_path / "b-images").y_train, 2 - labels)


def test_resplit_splits_the_images_and_keeps_their_shape(tmp_path):
    pixels, labels = _sample()
    write_idx(tmp_path / IMAGES, pixels, labels)
    data = resplit(read_idx(tmp_path / IMAGES), 0.2, seed=3)
    assert len(data.X_train) == 24 and len(data.X_test) == 6
    assert data.image_shape == (5, 7) and data.columns == 35
    X, y = data.merged()
    order = np.lexsort(np.rint(X * 255).T)
    expected = pixels.reshape(30, -1)
    expected_order = np.lexsort(expected.T)
    np.testing.assert_array_equal(np.rint(X[order] * 255), expected[expected_order])
    np.testing.assert_array_equal(y[order], labels[expected_order])


def test_the_limits_themselves_are_read(tmp_path):
    """MAX_IMAGES images, and an image of MAX_PIXELS pixels, are not too many."""
    many = np.zeros((MAX_IMAGES, 1, 1), dtype=np.uint8)
    write_idx(tmp_path / IMAGES, many, np.arange(MAX_IMAGES) % 10)
    assert read_idx(tmp_path / IMAGES).X_train.shape == (MAX_IMAGES, 1)
    large = np.zeros((2, 1, MAX_PIXELS), dtype=np.uint8)
    write_idx(tmp_path / "large-images", large, [0, 1])
    assert read_idx(tmp_path / "large-images").image_shape == (1, MAX_PIXELS)


def test_is_idx_tells_idx_from_csv(tmp_path):
    pixels, labels = _sample()
    write_idx(tmp_path / IMAGES, pixels, labels)
    write_idx(tmp_path / "gz-images.gz", pixels, labels)
    (tmp_path / "points.csv").write_text("x,y,label\n0,1,a\n2,3,b\n")
    (tmp_path / "points.csv.gz").write_bytes(gzip.compress(b"x,y,label\n0,1,a\n2,3,b\n"))
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08garbage")
    assert is_idx(tmp_path / IMAGES) and is_idx(tmp_path / LABELS) and is_idx(tmp_path / "gz-images.gz")
    assert is_idx(tmp_path / "broken.gz")  # so that read_idx says what is wrong with it
    for name in ("points.csv", "points.csv.gz", "empty.csv", "missing", "."):
        assert not is_idx(tmp_path / name), name


def test_write_idx_refuses_arrays_that_do_not_fit(tmp_path):
    pixels, labels = _sample()
    with pytest.raises(ValueError):
        write_idx(tmp_path / IMAGES, pixels.astype(np.int64), labels)
    with pytest.raises(ValueError):
        write_idx(tmp_path / IMAGES, pixels, labels[:-1])
    with pytest.raises(ValueError):
        write_idx(tmp_path / IMAGES, pixels, labels + 300)
    with pytest.raises(ValueError):
        write_idx(tmp_path / "digits", pixels, labels)  # no labels name can be made from it
    assert list(tmp_path.iterdir()) == []


# Every kind of damage: make(tmp_path) leaves the files; the path read, the file the message
# names, and what it says.
def _pair(tmp_path, pixels=None, labels=None, name=IMAGES):
    sample = _sample()
    write_idx(tmp_path / name, sample[0] if pixels is None else pixels, sample[1] if labels is None else labels)
    return tmp_path / name


def _replace(path, data: bytes):
    path.write_bytes(data)
    return path


def _images(tmp_path, data: bytes):
    """A good labels file and ``data`` as the images file."""
    _pair(tmp_path)
    return _replace(tmp_path / IMAGES, data), IMAGES


def _labels(tmp_path, data: bytes):
    """A good images file and ``data`` as its labels file."""
    images = _pair(tmp_path)
    _replace(tmp_path / LABELS, data)
    return images, LABELS


def _gz_damaged(tmp_path, which):
    images = _pair(tmp_path, name=IMAGES + ".gz")
    target = tmp_path / (which + ".gz")
    packed = bytearray(target.read_bytes())
    packed[-8] ^= 0xFF  # the CRC of the unpacked bytes
    target.write_bytes(bytes(packed))
    return images, which + ".gz"


def _gz_lying(tmp_path, which, unpacked: bytes):
    """A good pair, but ``which`` gzipped so that it unpacks to ``unpacked`` while its trailer
    (CRC and length) is that of the good file: a damaged gzip stream making up bytes."""
    images = _pair(tmp_path, name=IMAGES + ".gz")
    target = tmp_path / (which + ".gz")
    good = target.read_bytes()
    target.write_bytes(gzip.compress(unpacked, mtime=0)[:-8] + good[-8:])
    return images, which + ".gz"


def _gz_cut(tmp_path):
    images = _pair(tmp_path, name=IMAGES + ".gz")
    packed = images.read_bytes()
    images.write_bytes(packed[: len(packed) // 2])
    return images, IMAGES + ".gz"


def _folder(tmp_path, name):
    _pair(tmp_path)
    (tmp_path / name).unlink()
    (tmp_path / name).mkdir()
    return tmp_path / IMAGES, name


def _missing_labels(tmp_path, name):
    images = _pair(tmp_path, name=name)
    for file in tmp_path.glob("*labels*"):
        file.unlink()
    return images, name


GOOD = _sample()[0].tobytes()
DAMAGE = {
    "no such file": (lambda t: (t / IMAGES, IMAGES), "there is no such file"),
    "a folder": (lambda t: _folder(t, IMAGES), "it is a folder, not an IDX image file"),
    "empty": (lambda t: _images(t, b""), "it is empty"),
    "csv text": (lambda t: _images(t, b"x,y,label\n1,2,0\n"),
                 "it is not an IDX image file (its first bytes are not 0x00000803)"),
    "too short for a magic number": (lambda t: _images(t, b"\0\0"),
                                     "it is not an IDX image file (its first bytes are not 0x00000803)"),
    "wrong type": (lambda t: _images(t, _header(b"\0\0\x0d\x03", 30, 5, 7) + bytes(4 * 1050)),
                   "it holds IDX values of type 0x0D, but nnviz reads only unsigned bytes (type 0x08)"),
    "the labels file given": (lambda t: _images(t, _header(b"\0\0\x08\x01", 30) + bytes(30)),
                              "it is an IDX file of 1 dimension, not an IDX image file (3 dimensions)"),
    "header cut": (lambda t: _images(t, _header(b"\0\0\x08\x03", 30, 5)), "it is truncated: it ends inside its header"),
    "pixels cut": (lambda t: _images(t, _header(b"\0\0\x08\x03", 30, 5, 7) + GOOD[:-1]),
                   ("it is truncated: its header announces 30 images of 5x7 pixels (1,050 bytes), "
                    "but only 1,049 bytes follow")),
    "too long": (lambda t: _images(t, _header(b"\0\0\x08\x03", 30, 5, 7) + GOOD + b"\0"),
                 "it is longer than its header says: more bytes follow its 30 images of 5x7 pixels (1,050 bytes)"),
    "no images": (lambda t: (_pair(t, np.zeros((0, 5, 7), np.uint8), []), IMAGES), "it holds no images"),
    "too many images": (lambda t: _images(t, _header(b"\0\0\x08\x03", MAX_IMAGES + 1, 1, 1)),
                        "it holds 70,001 images, more than the 70,000 nnviz reads"),
    "too many pixels in all": (lambda t: _images(t, _header(b"\0\0\x08\x03", 70_000, 30, 30)),
                               ("its 70,000 images of 30x30 pixels are more than nnviz holds "
                               "(at most 54,880,000 pixels in all, MNIST's 70,000 of 28x28)")),
    "images too large": (lambda t: _images(t, _header(b"\0\0\x08\x03", 1, 1000, 101)),
                         "its images are 1,000x101 pixels; nnviz reads images of 1 to 100,000 pixels"),
    "images of no pixels": (lambda t: _images(t, _header(b"\0\0\x08\x03", 1, 0, 7)),
                            "its images are 0x7 pixels; nnviz reads images of 1 to 100,000 pixels"),
    "no labels name": (lambda t: (_replace(t / "digits.ubyte", _pair(t).read_bytes()), "digits.ubyte"),
                       ('nnviz cannot tell its labels file, because its name contains neither "images" nor "idx3" '
                        "(name it like train-images-idx3-ubyte)")),
    "labels missing": (lambda t: _missing_labels(t, IMAGES), f"its labels file {{tmp}}/{LABELS} is missing"),
    "gzipped labels missing": (lambda t: _missing_labels(t, IMAGES + ".gz"),
                               f"its labels file {{tmp}}/{LABELS}.gz is missing (nnviz also looked for {{tmp}}/{LABELS})"),
    "labels a folder": (lambda t: _folder(t, LABELS), "it is a folder, not an IDX labels file"),
    "labels not idx": (lambda t: _labels(t, b"0,1,2\n"),
                       "it is not an IDX labels file (its first bytes are not 0x00000801)"),
    "labels of images": (lambda t: _labels(t, _header(b"\0\0\x08\x03", 30, 1, 1) + bytes(30)),
                         "it is an IDX file of 3 dimensions, not an IDX labels file (1 dimension)"),
    "labels cut": (lambda t: _labels(t, _header(b"\0\0\x08\x01", 30) + bytes(29)),
                   "it is truncated: its header announces 30 labels (30 bytes), but only 29 bytes follow"),
    "labels too long": (lambda t: _labels(t, _header(b"\0\0\x08\x01", 30) + bytes(31)),
                        "it is longer than its header says: more bytes follow its 30 labels (30 bytes)"),
    "counts differ": (lambda t: _labels(t, _header(b"\0\0\x08\x01", 29) + bytes(29)),
                      f"it holds 29 labels, but {{tmp}}/{IMAGES} holds 30 images"),
    "label not a digit": (lambda t: (_pair(t, labels=[0, 1, 2] * 5 + [12] + [0] * 14), LABELS),
                          "label 16 is 12, but labels must be digits 0 to 9"),
    "one class": (lambda t: (_pair(t, labels=[4] * 30), LABELS),
                  "all 30 labels are 4; a classifier needs at least two classes"),
    "gzip damaged": (lambda t: _gz_damaged(t, IMAGES), "it is a damaged gzip file: what it unpacks to fails its CRC check"),
    "gzip not gzip": (lambda t: _images(t, b"\x1f\x8bnot really gzip"), "it is a damaged gzip file that cannot be unpacked"),
    "gzip cut": (_gz_cut, "it is a gzip file that ends too soon (was the download cut short?)"),
    "labels gzip damaged": (lambda t: _gz_damaged(t, LABELS), "it is a damaged gzip file: what it unpacks to fails its CRC check"),
    # A CRC error is named as such, not as the wrong length or count its made-up bytes seem to have.
    "gzip damaged to unpack longer": (lambda t: _gz_lying(t, IMAGES, _header(b"\0\0\x08\x03", 30, 5, 7) + GOOD + b"\0"), "it is a damaged gzip file: what it unpacks to fails its CRC check"),
    "gzip damaged to unpack shorter": (lambda t: _gz_lying(t, IMAGES, _header(b"\0\0\x08\x03", 30, 5, 7) + GOOD[:-1]),
                                       "it is a damaged gzip file: what it unpacks to fails its CRC check"),
    "gzip damaged in its header": (lambda t: _gz_lying(t, IMAGES, _header(b"\0\0\x08\x03", MAX_IMAGES + 1, 5, 7)), "it is a damaged gzip file: what it unpacks to fails its CRC check"),
    "labels gzip damaged in their count": (lambda t: _gz_lying(t, LABELS, _header(b"\0\0\x08\x01", 29) + bytes(29)),
                                           "it is a damaged gzip file: what it unpacks to fails its CRC check"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_files_are_refused_in_one_sentence_naming_the_file(tmp_path, damage):
    make, reason = DAMAGE[damage]
    path, named = make(tmp_path)
    with pytest.raises(DataFileError) as caught:
        read_idx(path)
    message = str(caught.value)
    assert message == f"Cannot read {tmp_path / named}: {reason.format(tmp=tmp_path)}."
    assert "\n" not in message and message.endswith(".")
    assert caught.value.__cause__ is None and caught.value.__context__ is None  # no traceback within


def test_train_reads_mnist_files_with_data(tmp_path, capsys):
    """`nnviz train --data train-images-idx3-ubyte.gz` trains on the images; a damaged file
    exits 2 with one line."""
    from nnviz.cli import main

    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    pixels = (rng.random((60, 4, 4)) * 60 + labels[:, None, None] * 60).astype(np.uint8)  # classes told by brightness
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", pixels, labels)
    assert main(["train", "--data", str(tmp_path / "train-images-idx3-ubyte.gz"), "--steps", "300",
                 "--batch-size", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["config"]["dataset"] == "custom" and report["config"]["samples"] == 60
    assert report["config"]["classes"] == 3 and report["final"]["train_accuracy"] > 0.9
    (tmp_path / "bad-images-idx3-ubyte").write_bytes(b"\0\0\x08\x03\0\0\0\x02")
    try:
        main(["train", "--data", str(tmp_path / "bad-images-idx3-ubyte")])
    except SystemExit as exit_:
        assert exit_.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [(f"nnviz train: error: Cannot read {tmp_path / 'bad-images-idx3-ubyte'}: "
                                        "it is truncated: it ends inside its header.")]
