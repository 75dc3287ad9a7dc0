"""Movies: which steps the frames show, GIF and MP4 from the command line and the window."""

import itertools
import json

import imageio_ffmpeg
import numpy as np
import pytest
from gui_helpers import WindowPage
from PIL import Image
from PyQt5.QtCore import QSettings
from test_cli import run_cli

from nnviz.core.config import TrainingConfig
from nnviz.core.io.movie import pick_moments, spread_steps
from nnviz.gui.files.movie_dialog import GRID, LIVE, TIMELINE, TRAIN_VIEW, export_movie
from nnviz.gui.main_window import MainWindow


def _gif(path):
    """(frames as RGB arrays, the comment's JSON)."""
    image = Image.open(path)
    frames = []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")))
    return frames, json.loads(image.info["comment"])


def _mp4(path):
    """(frame count, the metadata comment's JSON)."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    count = sum(1 for _ in reader)
    probe = imageio_ffmpeg.get_ffmpeg_exe()
    import subprocess

    tags = subprocess.run([probe, "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"], capture_output=True,
                          text=True, check=True).stdout
    comment = next(line[len("comment="):] for line in tags.splitlines() if line.startswith("comment="))
    return count, meta, json.loads(comment.replace("\\=", "=").replace("\\;", ";").replace("\\#", "#"))


@pytest.mark.parametrize(("last", "frames"), [(3000, 120), (10, 120), (1, 2), (100_000, 7), (50, 51)])
def test_frames_are_spread_dense_early(last, frames):
    steps = spread_steps(last, frames)
    assert steps[0] == 0 and steps[-1] == last and len(steps) == min(frames, last + 1)
    assert (np.diff(steps) > 0).all()
    gaps = np.diff(steps)
    assert gaps[: len(gaps) // 2].sum() <= gaps[len(gaps) // 2:].sum()  # the first half of the frames covers less


def test_the_seed_workload_keeps_its_first_steps_one_by_one():
    """Of 120 frames over 3,000 steps, steps 0 to 61 each get one (see the movie module)."""
    assert spread_steps(3000, 120)[:62] == list(range(62))
    later = spread_steps(500, 10, first=400)
    assert later[:3] == [400, 401, 402] and later[-1] == 500 and len(later) == 10


def test_picked_moments_are_as_many_as_asked_from_first_to_last():
    steps = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
    for frames in range(2, 13):
        picked = pick_moments(steps, frames)
        assert len(picked) == frames and picked[0] == 0 and picked[-1] == len(steps) - 1
        assert picked == sorted(set(picked))
    assert pick_moments(steps, 100) == list(range(len(steps)))


def test_train_writes_a_gif_whose_first_frame_is_step_0(capsys, tmp_path):
    """`nnviz train --movie run.gif`: the frame count asked for, frames that change, the first at
    step 0 and the last at the end, the settings in the GIF comment, progress on stderr."""
    path = tmp_path / "run.gif"
    status, out, err = run_cli(capsys, "train", "--steps", "300", "--hidden", "5", "--movie", str(path),
                               "--frames", "12", "--fps", "10")
    assert status == 0, err
    frames, comment = _gif(path)
    assert len(frames) == 12 and comment["nnviz-steps"][0] == 0 and comment["nnviz-steps"][-1] == 300
    assert comment["nnviz-config"]["hidden"] == [5]
    assert not np.array_equal(frames[0], frames[-1]) and not np.array_equal(frames[1], frames[6])
    assert Image.open(path).info["duration"] == 100
    assert "movie: frame 12/12 (step 300)" in err and f"saved {path}: 12 frames" in err
    assert "step 300/300" in out  # the usual report follows


def test_sweep_writes_an_mp4_that_decodes(capsys, tmp_path):
    path = tmp_path / "grid.mp4"
    status, _, err = run_cli(capsys, "sweep", "--hidden", "2,8", "--steps", "200", "--movie", str(path), "--frames", "9")
    assert status == 0, err
    count, meta, comment = _mp4(path)
    assert count == 9 and meta["fps"] == 20
    assert comment["nnviz-sweep"]["values"] == [[2], [8]] and comment["nnviz-steps"][-1] == 200


def test_a_diverged_runs_movie_holds_the_frames_its_comment_and_progress_name(capsys, tmp_path):
    """`nnviz train --lr 50 --movie`: the run diverges at step 3 and goes back to step 2, so the
    movie is steps 0, 1 and 2: its comment lists exactly those, the progress lines and the
    "saved" line say so too, and the report agrees (step 2, where the movie ends)."""
    path = tmp_path / "run.gif"
    status, out, err = run_cli(capsys, "train", "--lr", "50", "--steps", "2000", "--movie", str(path))
    assert status == 1
    frames, comment = _gif(path)
    assert comment["nnviz-steps"] == [0, 1, 2] and len(frames) == 3
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("movie: ")][-1] == "movie: frame 3/3 (step 2)"
    assert f"saved {path}: 3 frames, steps 0 to 2, 0.1 s at 20 frames/s" in lines
    assert out.strip().splitlines()[-1].startswith("stopped: 2 steps")


def test_a_diverged_runs_mp4_says_which_frames_it_holds(capsys, tmp_path):
    """An MP4's metadata is written as it starts, before the divergence is known: it is
    written again once the frames are made, so it lists exactly the frames the movie holds."""
    path = tmp_path / "run.mp4"
    status, _, err = run_cli(capsys, "train", "--lr", "50", "--steps", "2000", "--movie", str(path), "--frames", "10")
    count, _, comment = _mp4(path)
    assert f"saved {path}: 3 frames" in err
    assert status == 1 and count == 3 and comment["nnviz-steps"] == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["run.mp4"]  # no file of the rewriting left


def test_a_recorded_movie_never_shows_a_network_whose_loss_is_not_finite(qapp):
    """An update whose loss overflows is found at the next step, which a frame may come before:
    each frame is made at weights with a finite loss, at the step the list of steps says."""
    from nnviz.core.training.experiment import build_trainer
    from nnviz.gui.files.movie_export import recorded_frames

    trainer = build_trainer(TrainingConfig(lr=50), log_every=1000)
    steps, pictures = recorded_frames(trainer, 2000, 120, "moons")
    made = 0
    for made, _ in enumerate(pictures, 1):
        assert trainer.step_count == steps[made - 1]
        assert np.isfinite(trainer.evaluate().loss)
    assert steps == [0, 1, 2] and made == 3
    assert trainer.history.last().step == 2  # the last step is in the history, as train() leaves it


def test_a_sweeps_movie_ends_where_every_network_diverged(capsys, tmp_path):
    """A sweep whose networks all diverge stops there: no more frames of the same step under
    other steps' numbers, and the comment lists the frames it holds."""
    path = tmp_path / "grid.gif"
    status, _, err = run_cli(capsys, "sweep", "--vary", "lr", "--values", "50,60", "--steps", "500",
                             "--movie", str(path), "--frames", "40")
    frames, comment = _gif(path)
    assert status == 1 and comment["nnviz-steps"] == [0, 1, 2, 3] and len(frames) == 4
    assert f"saved {path}: 4 frames, steps 0 to 3" in err


@pytest.mark.parametrize(("args", "expected"), [
    (["--movie", "run.avi"], "a movie is a .gif or an .mp4 file, not .avi"),
    (["--movie", "run"], "not a file without an extension"),
    (["--frames", "10"], "--frames needs --movie"),
    (["--movie", "run.gif", "--frames", "1"], "--frames"),
    (["--movie", "run.gif", "--fps", "0"], "--fps"),
])
def test_movie_usage_errors_exit_2_with_one_line(capsys, tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "train", "--steps", "5", *args)
    assert status == 2 and expected in err and len(err.strip().splitlines()) == 1 and not out
    assert not list(tmp_path.iterdir())


def test_a_movie_that_cannot_be_written_says_so_in_one_line(capsys, tmp_path):
    """A movie into a missing folder: a usage error in one line (exit 2), before any frame is made."""
    status, out, err = run_cli(capsys, "train", "--steps", "20", "--movie", str(tmp_path / "missing" / "run.gif"),
                               "--frames", "3")
    assert status == 2 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"nnviz train: error: Cannot save {tmp_path / 'missing' / 'run.gif'}: the folder {tmp_path / 'missing'} does not exist."]


@pytest.fixture
def window(qtbot, tmp_path):
    window = MainWindow(TrainingConfig(hidden=5, samples=100), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    assert not page.has_any_process


def _export(qtbot, window, *args):
    done = []
    window.files.finished.connect(lambda path, error: done.append(error))
    export = export_movie(window.files, *args)
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    return export, done


def test_the_window_films_its_timeline(qtbot, window, page, tmp_path):
    """A GIF of the run so far: frames of kept moments from step 0 to the last, and the window
    carries on showing what it did."""
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > 2000, timeout=20000)
    path = tmp_path / "timeline.gif"
    _, done = _export(qtbot, window, str(path), TRAIN_VIEW, TIMELINE, 15, 10, 0)
    assert done == [""] and page.is_running  # it trains on after the movie
    frames, comment = _gif(path)
    kept = page.timeline.steps
    assert len(frames) == 15 and comment["nnviz-steps"][0] == 0 and comment["nnviz-steps"][-1] == kept[-1]
    assert set(comment["nnviz-steps"]) <= set(kept)
    assert window.view.moment is None and not window.files.is_writing


def test_the_window_films_a_sweep_live_as_mp4(qtbot, window, page, tmp_path):
    window.tabs.setCurrentWidget(window.compare)
    window.compare.values.setText("1, 4")
    window.compare.run_button.click()
    page.settle_compare(qtbot)
    start = page.compare_trainer.step_count
    path = tmp_path / "grid.mp4"
    _, done = _export(qtbot, window, str(path), GRID, LIVE, 6, 12, 120)
    assert done == [""]
    count, meta, comment = _mp4(path)
    assert count == 6 and meta["fps"] == 12 and comment["nnviz-steps"] == sorted(comment["nnviz-steps"])
    assert comment["nnviz-steps"][-1] == start + 120 == page.compare_trainer.step_count


def test_the_window_films_a_sweeps_timeline(qtbot, window, page, tmp_path):
    """A GIF of the Compare grid replayed: kept moments of the sweep from step 0 to the last,
    each frame another picture, and the sweep trains on after."""
    window.tabs.setCurrentWidget(window.compare)
    window.compare.values.setText("1, 4")
    window.compare.run_button.click()
    qtbot.waitUntil(lambda: page.compare_latest is not None and page.compare_latest.step > 500, timeout=20000)
    path = tmp_path / "grid.gif"
    _, done = _export(qtbot, window, str(path), GRID, TIMELINE, 8, 10, 0)
    assert done == [""] and page.compare_session.is_running
    frames, comment = _gif(path)
    kept = page.compare_trainer.timeline.steps
    assert len(frames) == 8 and comment["nnviz-steps"][0] == 0 and comment["nnviz-steps"][-1] in kept
    assert set(comment["nnviz-steps"]) <= set(kept) and comment["nnviz-sweep"]["values"] == [[1], [4]]
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


def test_cancelling_keeps_the_old_file(qtbot, window, page, tmp_path):
    """Cancel mid-way: the file that was there stays as it was, and no temporary file is left."""
    path = tmp_path / "run.gif"
    path.write_bytes(b"an older movie")
    page.step(50)
    qtbot.waitUntil(lambda: page.latest.step == 50 and page.is_settled)  # the trainer is back
    done = []
    window.files.finished.connect(lambda p, error: done.append(error))
    export = export_movie(window.files, str(path), TRAIN_VIEW, LIVE, 200, 20, 5000)
    qtbot.waitUntil(lambda: export._made >= 3, timeout=20000)
    export.progress.cancel()
    qtbot.waitUntil(lambda: not window.files.movies, timeout=20000)
    assert path.read_bytes() == b"an older movie" and [p.name for p in tmp_path.iterdir() if p.name != "s.ini"] == ["run.gif"]
    assert "Cancelled" in window.statusBar().currentMessage() and not done


def test_a_movie_path_of_another_kind_is_refused_in_a_sentence(window, monkeypatch, tmp_path):
    said = []
    monkeypatch.setattr(window, "show_error", said.append)
    assert export_movie(window.files, str(tmp_path / "run.png"), TRAIN_VIEW, TIMELINE, 10, 10, 0) is None
    assert said == [f"Cannot save {tmp_path / 'run.png'}: a movie is a .gif or an .mp4 file, not .png."]


def test_a_window_recording_that_diverges_names_the_frames_it_holds(qtbot, tmp_path):
    """A live recording in the window at `lr 50` diverges at step 3 and goes back to step 2:
    the MP4 holds steps 0, 1 and 2 and its comment (made in the window's thread once the
    frames are made, not by the writer) lists exactly those; the trainer is left at step 2."""
    window = MainWindow(TrainingConfig(lr=50), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    try:
        path = tmp_path / "run.mp4"
        _, done = _export(qtbot, window, str(path), TRAIN_VIEW, LIVE, 120, 20, 2000)
        count, _, comment = _mp4(path)
        assert done == [""] and count == 3 and comment["nnviz-steps"] == [0, 1, 2] and page.step_count == 2
    finally:
        window.close()
    assert not page.has_any_process
