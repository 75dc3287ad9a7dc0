"""The data of regression: XOR's truth table, the 1-D curves and Playground's two planes, the
task a dataset carries through splits, 1-D bounds, and CSV files of numeric targets."""

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.data.datasets import (
    DATASETS,
    EXTENT,
    ONE_D_DATASETS,
    REGRESSION_DATASETS,
    XOR_TABLE,
    Dataset,
    dataset_task,
    generate_points,
    make_dataset,
    resplit,
    split,
    without_points,
)
from nnviz.core.data.idx import write_idx
from nnviz.core.data.points_file import (
    DataFileError,
    read_data_csv,
    read_points,
    write_data_csv,
)

TWO_D_REGRESSION = ("plane", "gaussians")

# The curves as the docstrings state them, written out here independently of the code.
CURVES = {
    "sine": lambda x: np.sin(1.5 * np.pi * x),
    "abs": np.abs,
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),
    "cubic": lambda x: 1.5 * np.sqrt(3) * (x**3 - x),
}


def _playground_gaussians(x: float, y: float) -> float:
    """regressGaussian's getLabel from Playground's src/dataset.ts, point by point, in its
    units (our square [-1, 1] is its [-6, 6])."""
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        new = sign * min(max(1 - np.hypot(6 * x - cx, 6 * y - cy) / 2, 0.0), 1.0)
        if abs(new) > abs(label):
            label = new
    return label


def test_the_new_sets_are_built_in():
    """The truth table and the six regression sets are in DATASETS, and the 1-D ones are regression sets."""
    assert {XOR_TABLE, *REGRESSION_DATASETS} <= set(DATASETS)
    assert REGRESSION_DATASETS == ("sine", "abs", "step", "cubic", "plane", "gaussians")
    assert ONE_D_DATASETS == ("sine", "abs", "step", "cubic")
    assert [dataset_task(name) for name in ("sine", "gaussians", XOR_TABLE, "moons")] == [
        "regression", "regression", "classification", "classification"]


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_regression_sets_have_float_targets_and_no_classes(name):
    """A regression set splits like the others: X of one column (1-D) or two, float64 targets
    of shape (n,), task "regression", no classes and no class names."""
    data = make_dataset(name, 150, 0.2, 0.3, seed=4, classes=4)
    columns = 1 if name in ONE_D_DATASETS else 2
    assert data.X_train.shape == (105, columns) and data.X_test.shape == (45, columns)
    assert data.y_train.shape == (105,) and data.y_test.shape == (45,)
    assert data.X_train.dtype == data.y_train.dtype == data.y_test.dtype == np.float64
    assert data.task == "regression" and data.regression
    assert data.classes == 0 and data.label_names == () and data.class_names == ()
    assert not np.all(np.mod(data.merged()[1], 1) == 0)  # real values, not labels cast to float


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_a_seed_fixes_a_regression_set(name):
    """The same seed gives the same points, targets and split; another seed other points."""
    a = make_dataset(name, 100, 0.1, 0.2, seed=1)
    b = make_dataset(name, 100, 0.1, 0.2, seed=1)
    c = make_dataset(name, 100, 0.1, 0.2, seed=2)
    for part in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", ONE_D_DATASETS)
def test_one_d_targets_are_the_curve_at_noise_0(name):
    """At noise 0, x lies in [-1, 1] and every target is the curve's value there, exactly."""
    X, y = generate_points(name, 500, 0.0, np.random.default_rng(3))
    assert X.shape == (500, 1) and y.shape == (500,)
    assert -1 <= X.min() and X.max() <= 1 and X.min() < -0.99 and X.max() > 0.99
    np.testing.assert_array_equal(y, CURVES[name](X[:, 0]))


@pytest.mark.parametrize("name", ["sine", "cubic"])
def test_the_wavy_curves_reach_about_plus_and_minus_one(name):
    """Sine and the cubic bend within the interval and reach about +-1, never beyond."""
    _, y = generate_points(name, 4000, 0.0, np.random.default_rng(0))
    assert 0.99 < y.max() <= 1.0 + 1e-12 and -1.0 - 1e-12 <= y.min() < -0.99


@pytest.mark.parametrize("name", ONE_D_DATASETS)
def test_one_d_noise_moves_targets_by_half_the_noise(name):
    """Noise leaves x where it was and adds Gaussian noise of standard deviation noise * 0.5 to the targets."""
    X0, y0 = generate_points(name, 20_000, 0.0, np.random.default_rng(7))
    X1, y1 = generate_points(name, 20_000, 0.4, np.random.default_rng(7))
    np.testing.assert_array_equal(X0, X1)
    off = y1 - y0
    assert abs(off.mean()) < 0.01 and off.std() == pytest.approx(0.2, rel=0.03)


def test_plane_targets_at_noise_0():
    """Playground's plane: its (x + y) / 10 over [-6, 6]^2, here 0.6 (x1 + x2) over [-1, 1]^2."""
    X, y = generate_points("plane", 1000, 0.0, np.random.default_rng(1))
    assert X.shape == (1000, 2) and np.abs(X).max() <= 1
    np.testing.assert_allclose(y, 0.6 * (X[:, 0] + X[:, 1]), rtol=0, atol=1e-15)


def test_gaussians_targets_at_noise_0_follow_playground():
    """Each target is what Playground's regressGaussian gives at that point (scaled), and the six
    bumps show: values near +1 and -1, and flat zero between them."""
    X, y = generate_points("gaussians", 1000, 0.0, np.random.default_rng(2))
    assert X.shape == (1000, 2) and np.abs(X).max() <= 1
    np.testing.assert_allclose(y, [_playground_gaussians(*p) for p in X], rtol=0, atol=1e-12)
    assert y.max() > 0.9 and y.min() < -0.9 and (y == 0).mean() > 0.2


@pytest.mark.parametrize("name", TWO_D_REGRESSION)
def test_playground_noise_moves_where_the_target_is_read(name):
    """As in Playground, noise keeps the points and reads the target at a point moved by up to
    noise in each coordinate: for the plane, off by at most 0.6 * 2 * noise."""
    X0, y0 = generate_points(name, 2000, 0.0, np.random.default_rng(5))
    X1, y1 = generate_points(name, 2000, 0.3, np.random.default_rng(5))
    np.testing.assert_array_equal(X0, X1)
    assert not np.array_equal(y0, y1)
    if name == "plane":
        off = np.abs(y1 - y0)
        assert off.max() <= 0.6 * 2 * 0.3 + 1e-12 and off.max() > 0.6 * 1.5 * 0.3


@pytest.mark.parametrize("samples,noise,fraction", [(10, 0.0, 0.0), (500, 0.7, 0.5), (4, 1.0, 0.9)])
def test_xor_table_is_the_four_rows_whatever_the_settings(samples, noise, fraction):
    """The truth table is its four rows in order, as training points, with no noise and no
    test points, whatever samples, noise and test fraction say."""
    data = make_dataset(XOR_TABLE, samples, noise, fraction, seed=3, classes=4)
    np.testing.assert_array_equal(data.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(data.y_train, [0, 1, 1, 0])
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert data.X_test.shape == (0, 2) and data.y_test.shape == (0,)
    assert data.task == "classification" and data.classes == 2


def test_one_d_bounds_use_the_targets_as_the_vertical():
    """Points of one coordinate: x runs over the points, y over the targets (training and test), padded."""
    data = Dataset("c", np.array([[0.0], [1.0]]), np.array([-2.0, 3.0]), np.array([[4.0]]), np.array([0.5]),
                   task="regression")
    assert data.bounds(padding=0) == (0.0, 4.0, -2.0, 3.0)
    assert data.bounds() == (-0.5, 4.5, -2.5, 3.5)


@pytest.mark.parametrize("name", [XOR_TABLE, *REGRESSION_DATASETS])
def test_stand_ins_before_the_points_are_made(name):
    """without_points gives the set's columns and task, and its usual extent, which holds its
    noise-free points."""
    stand_in = without_points(name, classes=4)
    made = make_dataset(name, 300, 0.0, 0.0, seed=0)
    assert stand_in.columns == made.columns and stand_in.task == made.task and stand_in.classes == made.classes
    assert len(stand_in.y_train) == 0 and stand_in.bounds() == EXTENT[name]
    x0, x1, y0, y1 = made.bounds(padding=0)
    e0, e1, f0, f1 = EXTENT[name]
    assert e0 <= x0 and x1 <= e1 and f0 <= y0 and y1 <= f1


def test_splits_keep_the_task_and_the_float_targets():
    """split, resplit and replace keep a regression set's task and its exact float targets;
    classes are still cast to int64."""
    whole = make_dataset("sine", 60, 0.2, 0.0, seed=1)
    fresh = resplit(whole, 0.25, seed=2)
    assert fresh.task == "regression" and fresh.y_train.dtype == np.float64 and len(fresh.y_test) == 15
    np.testing.assert_array_equal(np.sort(fresh.merged()[1]), np.sort(whole.merged()[1]))
    assert replace(fresh, name="renamed").regression
    X = np.zeros((4, 2))
    targets = split("s", X, [0.5, 1.5, 2.5, 3.5], 0.5, np.random.default_rng(0), "regression")
    assert targets.regression and len(targets.y_test) == 2
    np.testing.assert_array_equal(np.sort(targets.merged()[1]), [0.5, 1.5, 2.5, 3.5])
    labels = split("s", X, [0.0, 1.0, 1.0, 0.0], 0.0, np.random.default_rng(0))
    assert labels.task == "classification" and labels.y_train.dtype == np.int64


def test_a_dataset_refuses_an_unknown_task():
    """A misspelt task is an error, not silently classification."""
    with pytest.raises(ValueError, match="regresion"):
        Dataset("d", np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2)), np.zeros(0), task="regresion")


# CSV files of numeric targets.


def _write(tmp_path, text: str, name: str = "points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _reason(path, **kwargs) -> str:
    with pytest.raises(DataFileError) as caught:
        read_data_csv(path, **kwargs)
    prefix = f"Cannot read {path}: "
    assert str(caught.value).startswith(prefix) and str(caught.value).endswith(".")
    return str(caught.value)[len(prefix) : -1]


def test_non_integer_numbers_make_a_regression_file(tmp_path):
    """Labels that are all numbers, one of them not whole, are float targets with no classes,
    however many different values there are."""
    rows = "".join(f"{i},{-i},{i / 4}\n" for i in range(12))
    data = read_data_csv(_write(tmp_path, "a,b,height\n" + rows))
    assert data.task == "regression" and data.classes == 0 and data.class_names == ()
    np.testing.assert_array_equal(data.y_train, [i / 4 for i in range(12)])
    assert data.y_train.dtype == np.float64 and data.y_test.shape == (0,) and data.y_test.dtype == np.float64
    assert data.feature_names == ("a", "b") and data.X_train.shape == (12, 2)


def test_whole_numbers_with_two_features_stay_classes(tmp_path):
    """Whole-number labels beside two features are classes, as before."""
    data = read_data_csv(_write(tmp_path, "x,y,label\n0,0,1\n0,1,2.0\n1,1,1\n"))
    assert data.task == "classification" and data.class_names == ("1", "2")


def test_one_feature_column_makes_a_1d_regression_file(tmp_path):
    """x,y: the last column is the target, even when every target is whole (classes need two features)."""
    data = read_data_csv(_write(tmp_path, "x,y\n-1,1\n0,0\n1,1\n"))
    assert data.task == "regression" and data.columns == 1 and data.feature_names == ("x",)
    np.testing.assert_array_equal(data.y_train, [1.0, 0.0, 1.0])
    assert data.bounds(padding=0) == (-1.0, 1.0, 0.0, 1.0)


def test_task_forces_regression_or_classes(tmp_path):
    """task="regression" makes whole numbers targets; task="classification" makes fractions classes."""
    whole = _write(tmp_path, "x,y,label\n0,0,1\n0,1,2\n1,1,1\n", "whole.csv")
    forced = read_data_csv(whole, task="regression")
    assert forced.regression
    np.testing.assert_array_equal(forced.y_train, [1.0, 2.0, 1.0])
    fractions = _write(tmp_path, "x,y,label\n0,0,0.5\n0,1,2\n1,1,0.5\n", "fractions.csv")
    classes = read_data_csv(fractions, task="classification")
    assert classes.task == "classification" and classes.class_names == ("0.5", "2")
    np.testing.assert_array_equal(classes.y_train, [0, 1, 0])


def test_forced_regression_names_the_first_label_that_is_not_a_number(tmp_path):
    """A word or a non-finite number among the targets is refused, naming its line."""
    words = _write(tmp_path, "x,y,label\n0,0,1.5\n0,1,cat\n1,1,dog\n", "words.csv")
    assert _reason(words, task="regression") == (
        'line 3: the label is "cat", not a number, and a regression task needs a number in every row')
    infinite = _write(tmp_path, "x,y\n0,1.5\n1,inf\n", "infinite.csv")
    assert _reason(infinite, task="regression") == 'line 3: the label is "inf", not a finite number'


def test_classes_still_need_two_feature_columns(tmp_path):
    """Forced classes beside one feature, or a file of one column, get a sentence saying what is needed."""
    assert _reason(_write(tmp_path, "x,y\n0,1\n1,0\n"), task="classification") == (
        "it has 2 columns; it needs at least two feature columns and a label column, like x,y,label")
    assert _reason(_write(tmp_path, "y\n1\n2\n", "one.csv")) == (
        "it has 1 column; it needs at least two feature columns and a label column, like x,y,label, "
        "or for a regression task one feature column and a target column, like x,y")


def test_a_misspelt_task_is_a_value_error(tmp_path):
    """The task is checked before the file is read."""
    with pytest.raises(ValueError, match="'regresion'"):
        read_data_csv(tmp_path / "missing.csv", task="regresion")


@pytest.mark.parametrize("name", [*REGRESSION_DATASETS])
def test_a_regression_set_writes_and_reads_back_exactly(tmp_path, name):
    """Targets are written as exact floats; reading the file gives the same points, targets and
    task (the step curve's whole targets too: it has one feature)."""
    data = make_dataset(name, 40, 0.0 if name == "step" else 0.2, 0.25, seed=5)
    write_data_csv(tmp_path / "out.csv", data)
    back = read_data_csv(tmp_path / "out.csv")
    assert back.task == "regression" and back.feature_names == data.axis_names
    np.testing.assert_array_equal(back.X_train, data.merged()[0])
    np.testing.assert_array_equal(back.y_train, data.merged()[1])


def test_awkward_targets_survive_a_round_trip(tmp_path):
    """Tiny, huge and negative-zero targets come back bit for bit, written as repr writes them."""
    y = np.array([0.1, 1 / 3, -2.5e-300, 1e10, -0.0])
    data = Dataset("odd", np.arange(10.0).reshape(5, 2), y, np.zeros((0, 2)), np.zeros(0), task="regression")
    write_data_csv(tmp_path / "odd.csv", data)
    lines = (tmp_path / "odd.csv").read_text().splitlines()
    assert lines[0] == "x1,x2,label" and [line.split(",")[-1] for line in lines[1:]] == [repr(v) for v in y.tolist()]
    back = read_data_csv(tmp_path / "odd.csv")
    assert back.y_train.tobytes() == y.tobytes()


def test_read_points_passes_the_task_on(tmp_path):
    """read_points reads CSV with the task asked for; an IDX file's labels cannot be regression targets."""
    csv = _write(tmp_path, "x,y,label\n0,0,1\n0,1,2\n")
    assert read_points(csv, task="regression").regression and not read_points(csv).regression
    images = tmp_path / "train-images-idx3-ubyte"
    write_idx(images, np.zeros((3, 2, 2), dtype=np.uint8), np.array([0, 1, 2]))
    assert read_points(images).classes == 3
    with pytest.raises(DataFileError, match="an IDX file's labels are classes of images"):
        read_points(images, task="regression")
