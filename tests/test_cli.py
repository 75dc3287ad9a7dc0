"""The `nnviz train` command line: its JSON contract, usage errors and divergence."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import run_cli


def test_json_follows_the_contract(capsys):
    """--json prints one object with config, history from step 0 every K steps and the last, final, rate."""
    status, out, _ = run_cli(capsys, "train", "--steps", "250", "--log-every", "100", "--hidden", "5", "--json")
    assert status == 0
    report = json.loads(out)
    assert set(report) >= {"config", "history", "final", "steps_per_second", "diverged"}
    assert [h["step"] for h in report["history"]] == [0, 100, 200, 250]
    for entry in report["history"]:
        assert set(entry) == {"step", "loss", "train_accuracy", "test_loss", "test_accuracy"}
    assert report["final"] == report["history"][-1]
    assert report["config"]["hidden"] == [5] and report["config"]["steps"] == 250
    assert report["config"]["dataset"] == "moons" and report["config"]["activation"] == "tanh"
    assert report["steps_per_second"] > 0
    assert report["diverged"] is False
    assert report["final"]["loss"] < report["history"][0]["loss"]


def test_preset_with_override(capsys):
    """--preset tutorial --activation relu keeps the tutorial's other settings."""
    status, out, _ = run_cli(capsys, "train", "--preset", "tutorial", "--activation", "relu", "--steps", "1", "--json")
    config = json.loads(out)["config"]
    assert status == 0
    assert config["activation"] == "relu"
    assert config["hidden"] == [3] and config["lr"] == 2.0 and config["dtype"] == "float64"
    assert config["test_fraction"] == 0.0


def test_tutorial_json_reproduces_the_seed_log(capsys):
    """The tutorial run's history at step 1001 is the seed's 0.068947."""
    status, out, _ = run_cli(capsys, "train", "--preset", "tutorial", "--steps", "1001", "--log-every", "1001", "--json")
    history = json.loads(out)["history"]
    assert status == 0
    assert round(history[-1]["loss"], 6) == 0.068947
    assert history[-1]["test_loss"] is None  # the tutorial has no test set


def test_human_output_has_progress_lines_and_summary(capsys):
    """Without --json, one line per logged step and a summary."""
    status, out, _ = run_cli(capsys, "train", "--steps", "300", "--log-every", "100")
    lines = out.strip().splitlines()
    assert status == 0
    assert [line.split()[1] for line in lines[:4]] == ["0/300", "100/300", "200/300", "300/300"]
    assert lines[-1].startswith("done: 300 steps")


@pytest.mark.parametrize(
    "args",
    [
        ["--dataset", "custom"], ["--classes", "1"], ["--classes", "11"], ["--classes", "three"], ["--hidden", "501"], ["--hidden", "ten"],
        ["--hidden", "8x0"], ["--hidden", "8x"], ["--hidden", "x8"], ["--hidden", "8xx8"], ["--hidden", "8x8x8x8x8x8x8"],
        ["--hidden", "8x501"], ["--hidden", "8,8"], ["--hidden", "-8"], ["--activation", "relu,tanh"],
        ["--hidden", "8x8", "--activation", "relu,tanh,tanh"], ["--activation", "relu,"],
        ["--lr", "-0.1"], ["--lr", "0"], ["--lr", "abc"], ["--lr", "nan"], ["--lr", "inf"],
        ["--noise", "-0.1"], ["--noise", "2"], ["--samples", "9"], ["--samples", "5001"],
        ["--test-fraction", "0.95"], ["--momentum", "1"], ["--l2", "-1"], ["--seed", "-3"],
        ["--activation", "swish"], ["--dtype", "float16"], ["--batch-size", "0"], ["--init", "xavier"],
        ["--steps", "0"], ["--log-every", "0"], ["--preset", "nope"], ["--bogus"],
        ["--features", "x1,x3"], ["--features", ""], ["--features", "x1,,x2"], ["--features", "x1,x1"],
        ["--dropout", "1"], ["--dropout", "-0.1"], ["--optimizer", "lbfgs"], ["--optimizer", "nesterov", "--momentum", "0"],
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, args):
    """Every bad option exits 2 with a single line on stderr and no traceback."""
    status, out, err = run_cli(capsys, "train", *args)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err
    assert "Traceback" not in err


def test_divergence_is_reported(capsys):
    """--lr 1e6 exits non-zero naming the step and suggesting a smaller learning rate."""
    status, out, err = run_cli(capsys, "train", "--lr", "1e6", "--steps", "500", "--json")
    report = json.loads(out)
    assert status == 1
    assert report["diverged"] is True
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "step" in lines[0] and "smaller learning rate" in lines[0]


def test_python_dash_m_is_the_same_program():
    """`python -m nnviz train` runs the same command, usage errors included."""
    ok = subprocess.run([sys.executable, "-m", "nnviz", "train", "--steps", "5", "--json"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["final"]["step"] == 5
    bad = subprocess.run([sys.executable, "-m", "nnviz", "train", "--hidden", "999"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(changes)
    return env


def test_screenshot_trains_then_saves_the_window(tmp_path):
    """`nnviz --screenshot PATH --after-steps N` exits 0 with a PNG of the window at step N."""
    path = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "--dataset", "circles", "--hidden", "4", "--screenshot", str(path), "--after-steps", "300"],
        capture_output=True, text=True, check=False, env=_env(QT_QPA_PLATFORM="offscreen"), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    from nnviz.gui.files.export import CONFIG_KEY, STEP_KEY, read_png_texts

    texts = read_png_texts(path)
    assert texts[STEP_KEY] == "300"
    config = json.loads(texts[CONFIG_KEY])
    assert config["dataset"] == "circles" and config["hidden"] == [4]


def test_no_display_is_one_clear_line():
    """Without a display, `nnviz` says so in one line and how to go headless, instead of Qt's abort."""
    done = subprocess.run([sys.executable, "-m", "nnviz"], capture_output=True, text=True, check=False, env=_env(), timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0]
    assert "QT_QPA_PLATFORM" in lines[0] and "nnviz train" in lines[0]


@pytest.mark.parametrize("args", [["--hidden", "8x0"], ["--hidden", "8,8"], ["gui", "--lr", "-1"], ["--after-steps", "5"], ["--start", "--bogus"]])
def test_window_usage_errors_exit_2(capsys, args):
    """The window's options are checked like train's: exit 2, one line, before any window opens."""
    status, out, err = run_cli(capsys, *args)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sweep_json_follows_the_contract(capsys):
    """`nnviz sweep --json`: runs in the order asked, each with config, history and final."""
    status, out, _ = run_cli(capsys, "sweep", "--hidden", "4,2,9", "--steps", "120", "--log-every", "60", "--json")
    report = json.loads(out)
    assert status == 0
    assert set(report) == {"runs", "steps_per_second"} and report["steps_per_second"] > 0
    assert [run["config"]["hidden"] for run in report["runs"]] == [[4], [2], [9]]
    for run in report["runs"]:
        assert [h["step"] for h in run["history"]] == [0, 60, 120]
        assert run["final"] == run["history"][-1]
        assert run["config"]["steps"] == 120


def test_sweep_vary_with_values(capsys):
    """--vary activation --values ... varies that setting at the given hidden size."""
    status, out, _ = run_cli(capsys, "sweep", "--vary", "activation", "--values", "relu,tanh", "--hidden", "6",
                             "--steps", "10", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0
    assert [(r["config"]["activation"], r["config"]["hidden"]) for r in runs] == [("relu", [6]), ("tanh", [6])]


def test_init_names_its_scheme_and_a_sweep_varies_it(capsys):
    """--init reaches the network (zeros: every weight stays 0 under tanh) and the JSON; a sweep
    over schemes starts each network by its own; a scheme we do not know is named in the error."""
    status, out, _ = run_cli(capsys, "train", "--init", "zeros", "--steps", "5", "--json")
    assert status == 0 and json.loads(out)["config"]["init"] == "zeros"
    status, out, _ = run_cli(capsys, "sweep", "--vary", "init", "--values", "normal-1,zeros", "--hidden", "6",
                             "--steps", "5", "--json")
    runs = json.loads(out)["runs"]
    assert status == 0 and [r["config"]["init"] for r in runs] == ["normal-1", "zeros"]
    assert runs[0]["final"]["loss"] != runs[1]["final"]["loss"]
    status, _, err = run_cli(capsys, "sweep", "--vary", "init", "--values", "he,xavier", "--steps", "5")
    assert status == 2 and "init must be one of default, he, glorot" in err and "'xavier'" in err


def test_sweep_human_output_lists_each_network(capsys):
    """Without --json, a summary line per network in the order asked."""
    status, out, _ = run_cli(capsys, "sweep", "--vary", "lr", "--values", "0.5,2", "--steps", "50")
    lines = out.strip().splitlines()
    assert status == 0
    assert lines[-2].split()[:2] == ["lr", "0.5"] and lines[-1].split()[:2] == ["lr", "2"]


@pytest.mark.parametrize("shape,words", [
    ("8x0", "width must be a whole number from 1 to 500; got 0"), ("8x", "widths joined by x"),
    ("x8", "widths joined by x"), ("8xx8", "widths joined by x"), ("8x8x8x8x8x8x8", "at most 6 hidden layers; got 7"),
    ("8x501", "from 1 to 500; got 501"), ("eight", "widths joined by x"), ("8,8", "compare them with nnviz sweep"),
])
def test_bad_shapes_name_the_problem(capsys, shape, words):
    """`nnviz train --hidden` with a bad shape: exit 2 and one line that says what is wrong."""
    status, out, err = run_cli(capsys, "train", "--hidden", shape)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert words in err


def test_a_shape_and_an_activation_per_layer_train_and_report(capsys):
    """`--hidden 8x8x4 --activation relu,tanh,sigmoid` trains that network; --json says so."""
    status, out, _ = run_cli(capsys, "train", "--hidden", "8x8x4", "--activation", "relu,tanh,sigmoid",
                             "--steps", "300", "--json")
    report = json.loads(out)
    assert status == 0 and report["config"]["hidden"] == [8, 8, 4]
    assert report["config"]["activation"] == ["relu", "tanh", "sigmoid"]
    assert report["final"]["loss"] < report["history"][0]["loss"]
    status, out, _ = run_cli(capsys, "train", "--hidden", "0", "--steps", "10", "--json")
    assert status == 0 and json.loads(out)["config"]["hidden"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--hidden", ""], ["--hidden", "1,,2"], ["--hidden", "3,8x0"], ["--hidden", "3,501"], ["--hidden", "3,3"],
        ["--hidden", "3,8xx8"], ["--hidden", "8,8x8x8x8x8x8x8"], ["--hidden", "8x8,8X8"],
        ["--hidden", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"], ["--vary", "lr"], ["--values", "1,2"],
        ["--vary", "lr", "--values", "0.1,abc"], ["--vary", "lr", "--values", "0.1,-1"], ["--vary", "lr", "--values", ""],
        ["--vary", "momentum", "--values", "0.5,0.5"], ["--vary", "hidden", "--values", "1,2"],
        ["--vary", "lr", "--values", "1,2", "--hidden", "3,4"], ["--vary", "activation", "--values", "tanh,swish"],
        ["--vary", "init", "--values", "he,xavier"], ["--vary", "optimizer", "--values", "sgd,lbfgs"],
        ["--vary", "dropout", "--values", "0,1"], ["--vary", "features", "--values", "x1,x2/x1,x3"],
        ["--vary", "features", "--values", "x1,x2/"], ["--vary", "features", "--values", "x1,x2/x2,x1/x1,x2"],
    ],
)
def test_bad_sweeps_exit_2_with_one_line(capsys, args):
    """Empty lists, sizes out of range, duplicates, bad values: exit 2, one line, no traceback."""
    status, out, err = run_cli(capsys, "sweep", "--steps", "5", *args)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sweep_out_and_csv_need_no_display(tmp_path):
    """`--out` writes the grid picture with its metadata and `--csv` the figures, with no display."""
    png, table = tmp_path / "grid.png", tmp_path / "grid.csv"
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "sweep", "--preset", "tutorial", "--hidden", "1,3,10", "--steps", "200",
         "--out", str(png), "--csv", str(table)],
        capture_output=True, text=True, check=False, env=_env(), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    from nnviz.gui.files.export import CONFIG_KEY, STEP_KEY, read_png_texts
    from nnviz.gui.files.picture_export import SWEEP_KEY

    texts = read_png_texts(png)
    assert json.loads(texts[SWEEP_KEY]) == {"setting": "hidden", "values": [[1], [3], [10]]}
    assert json.loads(texts[CONFIG_KEY])["preset"] == "tutorial" and texts[STEP_KEY] == "200"
    rows = table.read_text().splitlines()
    assert rows[0].startswith("setting,value,step,loss") and len(rows) == 4


def test_sweep_to_an_unwritable_path_exits_with_a_sentence(tmp_path):
    """A --csv path in a missing folder: a usage error (exit 2, one line on stderr, no traceback),
    found before anything is trained."""
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "sweep", "--hidden", "2,3", "--steps", "5", "--csv", str(tmp_path / "no" / "x.csv")],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"nnviz sweep: error: Cannot save {tmp_path / 'no' / 'x.csv'}: the folder {tmp_path / 'no'} does not exist."]


def test_a_sweep_that_wholly_diverges_exits_1_with_valid_json(capsys):
    """Every network diverging: exit 1, one line on stderr, and --json still parses, with flags."""
    status, out, err = run_cli(capsys, "sweep", "--vary", "lr", "--values", "1e6,1e7", "--activation", "relu",
                               "--log-every", "1", "--steps", "200", "--json")
    report = json.loads(out)
    assert status == 1
    assert [run["diverged"] for run in report["runs"]] == [True, True]
    assert len(err.strip().splitlines()) == 1 and "smaller learning rates" in err


def test_save_then_resume_equals_training_straight_through(capsys, tmp_path):
    """`--save` then `--resume --steps N` gives the history of one uninterrupted run."""
    path = str(tmp_path / "run.nnviz")
    assert run_cli(capsys, "train", "--steps", "250", "--momentum", "0.5", "--log-every", "100", "--save", path)[0] == 0
    status, out, _ = run_cli(capsys, "train", "--resume", path, "--steps", "350", "--json")
    resumed = json.loads(out)
    status2, out2, _ = run_cli(capsys, "train", "--steps", "600", "--momentum", "0.5", "--log-every", "100", "--json")
    straight = json.loads(out2)
    assert status == status2 == 0
    assert resumed["history"] == straight["history"]
    assert resumed["config"] == straight["config"]


@pytest.mark.parametrize("extra", [["--hidden", "3"], ["--log-every", "5"], ["--lr", "0.1"]])
def test_resume_refuses_settings_of_its_own(capsys, tmp_path, extra):
    """A resumed run keeps the file's settings: giving others is a usage error."""
    path = str(tmp_path / "run.nnviz")
    run_cli(capsys, "train", "--steps", "10", "--save", path)
    status, out, err = run_cli(capsys, "train", "--resume", path, *extra)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_bad_files_exit_2_with_one_line(capsys, tmp_path):
    """Resuming or opening something that is not a run: exit 2, one line, no traceback."""
    text = tmp_path / "notes.txt"
    text.write_text("not a run")
    for args in (["train", "--resume", str(text)], ["train", "--resume", str(tmp_path / "none.nnviz")]):
        status, _out, err = run_cli(capsys, *args)
        assert status == 2 and len(err.strip().splitlines()) == 1 and "Cannot open" in err
    done = subprocess.run([sys.executable, "-m", "nnviz", "--open", str(text)], capture_output=True, text=True,
                          check=False, env=_env(QT_QPA_PLATFORM="offscreen"), timeout=60)
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if "Cannot open" in line] == [
        f"nnviz: error: Cannot open {text}: it is not an nnviz run file (or it is damaged)."]
    assert "Traceback" not in done.stderr


def test_saving_to_an_unwritable_path_says_so(capsys, tmp_path):
    """`--save` into a missing folder: a usage error with one sentence (exit 2), before any training."""
    status, out, err = run_cli(capsys, "train", "--steps", "10", "--save", str(tmp_path / "no" / "run.nnviz"))
    assert status == 2 and out == ""
    assert err.strip().splitlines() == [
        f"nnviz train: error: Cannot save {tmp_path / 'no' / 'run.nnviz'}: the folder {tmp_path / 'no'} does not exist."]


def test_open_refuses_other_settings_and_names_a_folder(capsys, tmp_path):
    """`--open` takes the file's settings (others are a usage error); a folder is named as such."""
    status, _, err = run_cli(capsys, "--open", str(tmp_path / "run.nnviz"), "--hidden", "3")
    assert status == 2 and err.strip().splitlines() == ["nnviz gui: error: --open takes the settings from the file; leave out --hidden"]
    done = subprocess.run([sys.executable, "-m", "nnviz", "--open", str(tmp_path)], capture_output=True, text=True,
                          check=False, env=_env(QT_QPA_PLATFORM="offscreen"), timeout=60)
    assert done.returncode == 2 and "it is a folder" in done.stderr


def _fruit_csv(tmp_path, name="fruit.csv"):
    """90 points in three clusters labelled by words, the label column first."""
    rng = np.random.default_rng(3)
    rows = ["label,length,width"]
    for i in range(90):
        k = i % 3
        x, y = np.array([np.cos(2.1 * k), np.sin(2.1 * k)]) + 0.2 * rng.standard_normal(2)
        rows.append(f"{('apple', 'kiwi', 'pear')[k]},{float(x)!r},{float(y)!r}")
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


def test_data_trains_on_the_points_of_a_csv_file(capsys, tmp_path):
    """`--data FILE` trains on its points: the JSON config says dataset "custom" and names the file,
    the run saved has the file's classes and names, and accuracy ends far above chance (1/3)."""
    path, run = _fruit_csv(tmp_path), tmp_path / "run.nnviz"
    status, out, err = run_cli(capsys, "train", "--data", str(path), "--steps", "400", "--log-every", "200",
                               "--test-fraction", "0.3", "--json", "--save", str(run))
    assert status == 0, err
    report = json.loads(out)
    assert report["config"]["dataset"] == "custom" and report["config"]["data"] == str(path)
    assert (report["config"]["samples"], report["config"]["classes"], report["config"]["noise"]) == (90, 3, None)
    assert report["final"]["train_accuracy"] > 0.9 and report["final"]["test_accuracy"] > 0.9
    from nnviz.core.io.runfile import load_run

    _, trainer = load_run(run)
    assert trainer.network.layer_sizes == (2, 10, 3)
    assert trainer.data.class_names == ("apple", "kiwi", "pear") and trainer.data.feature_names == ("length", "width")
    assert (len(trainer.data.y_train), len(trainer.data.y_test)) == (63, 27)


def test_sweep_trains_on_a_csv_file(capsys, tmp_path):
    """`nnviz sweep --data FILE` trains every network on the file's points."""
    path = _fruit_csv(tmp_path)
    status, out, err = run_cli(capsys, "sweep", "--data", str(path), "--hidden", "2,6", "--steps", "300", "--json")
    assert status == 0, err
    runs = json.loads(out)["runs"]
    assert [(r["config"]["dataset"], r["config"]["data"]) for r in runs] == [("custom", str(path))] * 2
    assert all(r["final"]["train_accuracy"] > 0.9 for r in runs)


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize(
    "extra,clash", [(["--dataset", "moons"], "--dataset"), (["--samples", "50"], "--samples"),
                    (["--noise", "0.1"], "--noise"), (["--classes", "3"], "--classes"),
                    (["--preset", "tutorial"], "--preset")],
)
def test_data_with_settings_that_make_data_is_a_usage_error(capsys, tmp_path, command, extra, clash):
    """The file decides the points: --dataset, --samples, --noise, --classes or --preset with --data exit 2."""
    status, out, err = run_cli(capsys, command, "--data", str(_fruit_csv(tmp_path)), *extra, "--steps", "5")
    assert status == 2 and out == ""
    assert err.strip().splitlines() == [f"nnviz {command}: error: --data takes the points from the file; leave out {clash}"]


def test_resume_with_data_is_a_usage_error(capsys, tmp_path):
    """A resumed run keeps its own points: --data with --resume exits 2 with one line."""
    status, out, err = run_cli(capsys, "train", "--resume", str(tmp_path / "run.nnviz"), "--data", str(_fruit_csv(tmp_path)))
    assert status == 2 and out == ""
    assert err.strip().splitlines() == ["nnviz train: error: --resume continues the saved run on its own points; leave out --data"]


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_malformed_csv_exits_2_naming_the_line(capsys, tmp_path, command):
    """A bad value in the file: exit 2 and the reader's sentence, with its line, as the one line."""
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,a\n\n3,oops,b\n")
    status, out, err = run_cli(capsys, command, "--data", str(path), "--steps", "5")
    assert status == 2 and out == ""
    assert err.strip().splitlines() == [f'nnviz {command}: error: Cannot read {path}: line 4: "y" is "oops", not a number.']


@pytest.mark.parametrize("command,extra", [("train", ["--features", "x1sq,x2"]),
                                           ("sweep", ["--vary", "features", "--values", "x1,x2/x1sq,x2"])])
def test_input_features_of_points_with_three_coordinates_exit_2(capsys, tmp_path, command, extra):
    path = tmp_path / "three.csv"
    path.write_text("a,b,c,label\n" + "\n".join(f"{k},{k % 3},{k % 5},{k % 2}" for k in range(20)) + "\n")
    status, out, err = run_cli(capsys, command, "--data", str(path), "--steps", "5", *extra)
    assert status == 2 and out == ""
    expected = f"nnviz {command}: error: input features apply to points with two coordinates; these have 3"
    assert err.strip().splitlines() == [expected]


def test_a_missing_data_file_exits_2(capsys, tmp_path):
    """No such file: exit 2, one line, no traceback."""
    status, _, err = run_cli(capsys, "train", "--data", str(tmp_path / "none.csv"))
    assert status == 2 and err.strip().splitlines() == [f"nnviz train: error: Cannot read {tmp_path / 'none.csv'}: there is no such file."]


@pytest.mark.parametrize("window", [["gui"], []])
def test_the_window_takes_no_data_option(capsys, tmp_path, window):
    """--data is for train and sweep only: the window says so (rather than taking it for --dataset)."""
    status, out, err = run_cli(capsys, *window, "--data", str(_fruit_csv(tmp_path)))
    assert status == 2 and out == ""
    assert err.strip().splitlines() == ["nnviz gui: error: --data works with nnviz train and nnviz sweep"]


def test_spiral_with_four_classes_trains_four_outputs(capsys, tmp_path):
    """`--dataset spiral --classes 4`: the config says 4 classes and the network has 4 output units."""
    run = tmp_path / "run.nnviz"
    status, out, err = run_cli(capsys, "train", "--dataset", "spiral", "--classes", "4", "--hidden", "20",
                               "--steps", "3000", "--json", "--save", str(run))
    assert status == 0, err
    report = json.loads(out)
    assert report["config"]["dataset"] == "spiral" and report["config"]["classes"] == 4
    assert report["final"]["train_accuracy"] > 0.9
    from nnviz.core.io.runfile import load_run

    _, trainer = load_run(run)
    assert trainer.network.layer_sizes == (2, 20, 4)
    assert sorted(set(trainer.data.y_train.tolist())) == [0, 1, 2, 3]
