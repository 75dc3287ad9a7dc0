"""What `nnviz train` and `nnviz sweep` report and write: a diverged run's last step, outputs
checked before any training, names that say what is written, a loss history dense where it
changes, and output free of Qt's offscreen notes."""

import itertools
import json
import subprocess
import sys

import pytest
from test_cli import _env, run_cli


# A diverged run reports the last step it reached ------------------------------------------
def test_divergence_reports_the_step_it_went_back_to(capsys):
    """`--lr 50` diverges at step 3 and keeps step 2's weights (loss about 122, not step 0's
    0.87): the summary line, `final` and the history's last entry are all step 2's, as the
    window shows them, whatever the history's spacing."""
    status, out, err = run_cli(capsys, "train", "--lr", "50", "--steps", "2000")
    assert status == 1 and "at step 3" in err
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("stopped: 2 steps") and "loss 121.94" in summary
    for spacing in ([], ["--log-every", "1000"]):
        status, out, _ = run_cli(capsys, "train", "--lr", "50", "--steps", "2000", "--json", *spacing)
        report = json.loads(out)
        assert status == 1 and report["diverged"] is True
        assert report["final"]["step"] == 2 and report["final"]["loss"] > 100
        assert report["history"][-1] == report["final"]


def test_a_sweep_that_wholly_diverges_reports_where_it_stopped(capsys):
    """Every network diverging: "stopped", and each run's `final` and last history entry are
    of the step the sweep stopped at (the networks' last finite weights), not step 0."""
    status, out, _ = run_cli(capsys, "sweep", "--vary", "lr", "--values", "50,60", "--steps", "2000")
    assert status == 1 and out.strip().splitlines()[-3].startswith("stopped: 3 steps of 2 networks")
    status, out, _ = run_cli(capsys, "sweep", "--vary", "lr", "--values", "50,60", "--steps", "2000", "--json")
    runs = json.loads(out)["runs"]
    assert status == 1 and [run["final"]["step"] for run in runs] == [3, 3]
    assert [round(run["final"]["loss"], 2) for run in runs] == [121.94, 9.99]
    assert all(run["history"][-1] == run["final"] for run in runs)


# Outputs are checked before any training -----------------------------------------------------
def _no_training(monkeypatch):
    """Make any training fail the test: the checks must come first."""
    import nnviz.core.training.trainer

    def train(*_args, **_kwargs):
        raise AssertionError("training started before the outputs were checked")

    monkeypatch.setattr(nnviz.core.training.trainer, "train", train)


@pytest.mark.parametrize(("command", "option", "where", "reason"), [
    ("train", "--save", "missing/run.nnviz", "the folder {tmp}/missing does not exist"),
    ("train", "--movie", "taken.gif", "it is a folder"),
    ("train", "--save", "notes.txt/run.nnviz", "the folder {tmp}/notes.txt is a file, not a folder"),
    ("sweep", "--out", "missing/grid.png", "the folder {tmp}/missing does not exist"),
    ("sweep", "--csv", "taken.csv", "it is a folder"),
    ("sweep", "--movie", "missing/grid.mp4", "the folder {tmp}/missing does not exist"),
])
def test_an_output_that_cannot_be_written_is_a_usage_error_found_first(capsys, tmp_path, monkeypatch, command,
                                                                       option, where, reason):
    """`--save`, `--movie`, `--out` or `--csv` where nothing can be written: exit 2 with one line
    on stderr, before any training (a whole sweep used to run first), leaving no file behind."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.gif").mkdir()
    (tmp_path / "taken.csv").mkdir()
    (tmp_path / "notes.txt").write_text("notes")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    _no_training(monkeypatch)
    status, out, err = run_cli(capsys, command, "--hidden", "2,3" if command == "sweep" else "3", option,
                               str(tmp_path / where))
    assert status == 2 and out == ""
    assert err.splitlines() == [f"nnviz {command}: error: Cannot save {tmp_path / where}: {reason.format(tmp=tmp_path)}."]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_outputs_that_can_be_written_leave_only_themselves(capsys, tmp_path):
    """The early check makes no file of its own: after a run, the folder holds the outputs only."""
    status, _, err = run_cli(capsys, "sweep", "--hidden", "2,3", "--steps", "20", "--csv", str(tmp_path / "grid.csv"))
    assert status == 0, err
    status, _, err = run_cli(capsys, "train", "--steps", "20", "--save", str(tmp_path / "run.nnviz"))
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.csv", "run.nnviz"]


@pytest.mark.parametrize(("command", "option", "name", "message"), [
    ("sweep", "--out", "grid.jpg", ("--out {path}: the grid picture is written as PNG (its settings in its text "
                                    "chunks); name it {tmp}/grid.png")),
    ("sweep", "--out", "grid", ("--out {path}: the grid picture is written as PNG (its settings in its text chunks); "
                                "name it {tmp}/grid.png")),
    ("sweep", "--csv", "grid.png", "--csv {path}: that name says a PNG picture, but --csv writes a CSV table"),
    ("train", "--save", "run.gif", "--save {path}: that name says a GIF movie, but --save writes an nnviz run file"),
])
def test_a_name_that_says_another_kind_of_file_is_refused(capsys, tmp_path, monkeypatch, command, option, name,
                                                          message):
    """`sweep --out grid.jpg` would have been PNG data under a JPEG name: every output whose
    name says another kind of file than is written exits 2 with one line, before training."""
    _no_training(monkeypatch)
    path = tmp_path / name
    status, out, err = run_cli(capsys, command, option, str(path))
    assert status == 2 and out == "" and not list(tmp_path.iterdir())
    assert err.splitlines() == [f"nnviz {command}: error: " + message.format(path=path, tmp=tmp_path)]


@pytest.mark.parametrize(("name", "reason"), [
    ("shot.jpg", ("--screenshot {path}: the window's picture is written as PNG (its settings in its text chunks); "
                 "name it {tmp}/shot.png")),
    ("missing/shot.png", "Cannot save {path}: the folder {tmp}/missing does not exist."),
])
def test_a_screenshot_that_cannot_be_written_as_named_is_refused_before_the_window(capsys, tmp_path, monkeypatch,
                                                                                   name, reason):
    """`nnviz --screenshot` is checked like the commands' outputs: exit 2, one line, no window."""
    import nnviz.gui.app

    monkeypatch.setattr(nnviz.gui.app, "run_app", lambda *a, **k: pytest.fail("the window opened"))
    path = tmp_path / name
    status, out, err = run_cli(capsys, "--screenshot", str(path), "--after-steps", "10")
    assert status == 2 and out == "" and not list(tmp_path.iterdir())
    assert err.splitlines() == ["nnviz gui: error: " + reason.format(path=path, tmp=tmp_path)]


def test_save_says_where_it_saved(capsys, tmp_path):
    """`--save` prints one line on stderr, as a movie's "saved ..." line, and stdout stays the
    report (JSON with --json)."""
    path = tmp_path / "run.nnviz"
    status, out, err = run_cli(capsys, "train", "--steps", "1500", "--save", str(path), "--json")
    assert status == 0 and json.loads(out)["final"]["step"] == 1500
    assert err.splitlines() == [f"saved {path}: the run at step 1,500 (carry it on with --resume)"]


# The loss history: dense where it changes ----------------------------------------------------
def test_the_default_history_is_dense_early(capsys):
    """Without --log-every, every step is recorded at first, then the gaps grow with the step
    (at most a 64th of it): 0 to 127 one by one, then every second step to 255, and so on,
    and the last step; the JSON says `log_every: null`."""
    from nnviz.core.training.history import DENSE_FIRST, dense_gap

    status, out, _ = run_cli(capsys, "train", "--steps", "2500", "--hidden", "4", "--json")
    report = json.loads(out)
    steps = [entry["step"] for entry in report["history"]]
    assert status == 0 and report["config"]["log_every"] is None
    assert steps[:DENSE_FIRST] == list(range(DENSE_FIRST)) and steps[-1] == 2500
    assert all(b - a <= max(1, a // 64) for a, b in itertools.pairwise(steps))
    assert steps[:-1] == [step for step in range(2500) if step % dense_gap(step) == 0]
    assert len(steps) == 400  # against 2,501 for every step


def test_log_every_still_means_every_k_steps(capsys):
    status, out, _ = run_cli(capsys, "train", "--steps", "2500", "--hidden", "4", "--log-every", "1000", "--json")
    report = json.loads(out)
    assert status == 0 and report["config"]["log_every"] == 1000
    assert [entry["step"] for entry in report["history"]] == [0, 1000, 2000, 2500]


def test_progress_lines_stay_every_1000_steps(capsys):
    """A dense history does not flood the terminal: progress lines at step 0, every 1,000 steps
    and the last, as before."""
    status, out, _ = run_cli(capsys, "train", "--steps", "2500", "--hidden", "4")
    lines = out.strip().splitlines()
    assert status == 0 and [line.split()[1] for line in lines[:-1]] == ["0/2500", "1000/2500", "2000/2500", "2500/2500"]
    status, out, _ = run_cli(capsys, "sweep", "--hidden", "2,3", "--steps", "2500")
    assert status == 0 and [line.split()[1] for line in out.splitlines() if line.startswith("step")] == [
        "0/2500", "1000/2500", "2000/2500", "2500/2500"]


@pytest.mark.exact
def test_a_saved_run_keeps_its_dense_history_and_resumes_to_an_unbroken_ones(capsys, tmp_path):
    """A run file keeps the dense history (a run opened at step 500 has its loss there, not on a
    straight line from step 0 to 1,000), and a resumed run records what an unbroken one does."""
    from nnviz.core.io.runfile import load_run

    path = tmp_path / "run.nnviz"
    assert run_cli(capsys, "train", "--steps", "1250", "--batch-size", "40", "--save", str(path))[0] == 0
    _, trainer = load_run(path)
    steps = trainer.history.array()[:, 0]
    assert trainer.history.dense_early and min(abs(steps - 500)) <= 4
    status, out, _ = run_cli(capsys, "train", "--resume", str(path), "--steps", "1750", "--json")
    resumed = json.loads(out)
    status2, out2, _ = run_cli(capsys, "train", "--steps", "3000", "--batch-size", "40", "--json")
    straight = json.loads(out2)
    assert status == status2 == 0
    assert resumed["history"] == straight["history"] and resumed["config"] == straight["config"]


def test_a_sweeps_curves_are_dense_early(capsys):
    """`sweep --out` drew two straight segments for 20,000 steps: its histories are dense early too."""
    from nnviz.core.training.history import DENSE_FIRST

    status, out, _ = run_cli(capsys, "sweep", "--hidden", "2,3", "--steps", "2000", "--json")
    assert status == 0
    for run in json.loads(out)["runs"]:
        steps = [entry["step"] for entry in run["history"]]
        assert steps[:DENSE_FIRST] == list(range(DENSE_FIRST)) and steps[-1] == 2000
        assert run["config"]["log_every"] is None


# Qt's offscreen notes ------------------------------------------------------------------------
def test_movies_and_pictures_print_no_qt_size_hint_notes(tmp_path):
    """Qt's offscreen "does not support propagateSizeHints()" lines, once printed with every
    frame, no longer come between the progress lines."""
    for args in (["train", "--steps", "30", "--movie", str(tmp_path / "run.gif"), "--frames", "4"],
                 ["sweep", "--hidden", "2,3", "--steps", "30", "--out", str(tmp_path / "grid.png")],
                 ["--hidden", "3", "--screenshot", str(tmp_path / "window.png")]):
        window = {"QT_QPA_PLATFORM": "offscreen"} if "--screenshot" in args else {}  # as the README says it
        done = subprocess.run([sys.executable, "-m", "nnviz", *args], capture_output=True, text=True, check=False,
                              env=_env(**window), timeout=120)
        assert done.returncode == 0, done.stderr
        assert "propagateSizeHints" not in done.stderr


def test_the_qt_filter_passes_every_other_message_on():
    """Only that one message is dropped: any other goes to the handler there was before."""
    from nnviz.gui.files.picture_export import QUIET_QT_MESSAGES, quiet_qt

    heard = []
    quiet_qt(0, None, QUIET_QT_MESSAGES[0], lambda *message: heard.append(message))
    quiet_qt(1, None, "QPainter::begin: Paint device returned engine == 0", lambda *message: heard.append(message))
    assert heard == [(1, None, "QPainter::begin: Paint device returned engine == 0")]
