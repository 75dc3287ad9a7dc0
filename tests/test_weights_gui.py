"""Weights files in the window (File > Open weights / Save weights, `nnviz --weights`) and
Run > Check gradients (issue 27)."""

import json

import numpy as np
import pytest
from gui_helpers import WindowPage, write_file
from PyQt5.QtWidgets import QApplication

from nnviz.cli import main
from nnviz.core.config import TrainingConfig
from nnviz.core.io.weights_file import read_weights
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP
from nnviz.gui.check.gradient_check_dialog import (
    CheckInput,
    GradientCheckDialog,
    points_to_check,
)

# Tutorial 002's 2-3-2-2 network, with its sigmoid hidden units named.
TUTORIAL = {"W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "b1": [0.1, 0.2, 0.3],
            "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], "b2": [0.1, 0.2],
            "W3": [[0.1, 0.3], [0.2, 0.4]], "b3": [0.1, 0.2], "activation": "sigmoid"}
TUTORIAL_FLAT = [0.1, 0.3, 0.5, 0.2, 0.4, 0.6, 0.1, 0.2, 0.3, 0.1, 0.4, 0.2, 0.5, 0.3, 0.6, 0.1, 0.2,
                 0.1, 0.3, 0.2, 0.4, 0.1, 0.2]  # W1 (rows), b1, W2, b2, W3, b3: the network's flat layout


def _write(path, content) -> str:
    path.write_text(json.dumps(content) if not isinstance(content, str) else content)
    return str(path)


def _flat_of(page) -> np.ndarray:
    return page.network.flat.copy()


@pytest.fixture
def window(make_window):
    return make_window(TrainingConfig(hidden=5))


def test_saved_weights_open_back_into_the_trainer(qtbot, window, page, tmp_path):
    """Save weights writes the trainer's weights; 20 steps later, Open weights puts them back
    into the same run (the file fits: no new network, the step count carries on) and training
    goes on from them."""
    page.step(30)
    page.settle(qtbot)
    trained = _flat_of(page)
    path = tmp_path / "trained.json"
    assert write_file(qtbot, page.files.save_weights, path) == ""
    saved = read_weights(path)
    assert saved.layer_sizes == page.network.layer_sizes
    assert np.array_equal(saved.network(np.float32).flat, trained)
    assert "step 30" in window.statusBar().currentMessage()

    page.step(20)
    page.settle(qtbot)
    assert not np.array_equal(_flat_of(page), trained)
    assert page.files.open_weights(str(path))
    page.settle(qtbot)
    assert np.array_equal(_flat_of(page), trained)
    assert page.step_count == 50 and page.config.hidden == (5,) and window.errors == []
    page.step(1)
    page.settle(qtbot)
    assert page.step_count == 51 and not np.array_equal(_flat_of(page), trained)  # trained on from them


def test_save_weights_writes_the_moment_shown(qtbot, window, page, tmp_path):
    """While an earlier moment is replayed, Save weights writes that moment's weights, and says so."""
    page.step(30)
    page.settle(qtbot)
    window.replay.show_step(0)
    qtbot.waitUntil(lambda: page.view.moment is not None)
    assert page.shown.step == 0 and not np.array_equal(page.shown.network.flat, page.network.flat)
    path = tmp_path / "moment.json"
    assert write_file(qtbot, page.files.save_weights, path) == ""
    assert np.array_equal(read_weights(path).network(np.float32).flat, page.shown.network.flat)
    assert "step 0 (the moment shown)" in window.statusBar().currentMessage()


def test_weights_of_another_shape_change_the_network_then_load(qtbot, window, page, tmp_path):
    """Tutorial 002's 2-3-2-2 sigmoid weights on a 5-unit tanh window: the network, the
    controls and the title become the file's, and the trainer holds the file's numbers."""
    assert page.files.open_weights(_write(tmp_path / "tut.json", TUTORIAL))
    page.settle(qtbot)
    assert page.config.hidden == (3, 2) and page.config.activation == "sigmoid"
    assert page.controls.config().hidden == (3, 2)
    assert page.network.layer_sizes == (2, 3, 2, 2) and page.network.activations == ("sigmoid", "sigmoid")
    assert np.array_equal(_flat_of(page), np.array(TUTORIAL_FLAT, dtype=np.float32))
    assert "3×2" in window.windowTitle()
    assert window.errors == []


def test_weights_that_name_nothing_else_keep_the_window_s_activation(qtbot, window, page, tmp_path):
    """A file that only gives W and b (as tutorial 002's dictionary does) takes the window's
    activation: it says nothing against it."""
    bare = {key: value for key, value in TUTORIAL.items() if key != "activation"}
    assert page.files.open_weights(_write(tmp_path / "bare.json", bare))
    page.settle(qtbot)
    assert page.config.hidden == (3, 2) and page.network.activations == ("tanh", "tanh")
    assert np.array_equal(_flat_of(page), np.array(TUTORIAL_FLAT, dtype=np.float32))


@pytest.mark.parametrize(("content", "says"), [
    ("not json {", "not JSON"),
    ({"weights": [1, 2]}, "no W1"),
    ({**TUTORIAL, "W1": [[0.1, 0.3, 0.5]] * 3}, "W1 in bad.json is 3×3, for 3 inputs"),  # the moons have two
    ({**TUTORIAL, "W3": [[0.1, 0.3, 0.1, 0.1]] * 2, "b3": [0.1] * 4}, "W3 in bad.json is 2×4, for 4 output units"),
    ({**{f"W{k}": [[0.1]] for k in range(2, 9)}, **{f"b{k}": [0.1] for k in range(1, 9)}, "W1": [[0.1], [0.2]],
      "W8": [[0.1, 0.2]], "b8": [0.1, 0.2]}, "Cannot start from bad.json: a network has at most 6 hidden layers; got 7."),
])
def test_a_bad_weights_file_changes_nothing_and_says_why(qtbot, window, page, tmp_path, content, says):
    """A file that is not weights, or whose inputs or outputs cannot fit the points: one
    sentence, and the network, its weights and the settings stay as they were."""
    page.step(5)
    page.settle(qtbot)
    before, config, step = _flat_of(page), page.config, page.step_count
    assert not page.files.open_weights(_write(tmp_path / "bad.json", content))
    page.settle(qtbot)
    assert len(window.errors) == 1
    message = window.errors[0]
    assert says in message and "\n" not in message and message.endswith(".")
    assert page.config == config and page.controls.config() == config
    assert page.step_count == step and np.array_equal(_flat_of(page), before)


def test_open_takes_a_weights_file_too(qtbot, window, page, tmp_path):
    """File > Open (and a file dropped on the window) opens a .json file as weights."""
    assert page.files.open_file(_write(tmp_path / "tut.json", TUTORIAL))
    page.settle(qtbot)
    assert np.array_equal(_flat_of(page), np.array(TUTORIAL_FLAT, dtype=np.float32))


# `nnviz --weights` ---------------------------------------------------------------------------
def _start_window(qtbot, weights):
    """The window as `nnviz --weights FILE` builds it, before it is shown; None if it refused."""
    from nnviz.gui.app import open_start_files, open_window

    window = open_window({"hidden": (5,)}, None, points_in_background=False)
    qtbot.addWidget(window)
    return window if open_start_files(window, weights=weights) else None


def test_the_window_starts_from_weights_given_on_the_command_line(qtbot, tmp_path, monkeypatch):
    """`nnviz --weights tut.json`: the window is made with the file's network and starts from its
    weights (run_app's start, up to showing the window)."""
    import nnviz.gui.app
    from nnviz.gui.app import open_start_files, open_window

    windows = []

    def start(given, **options):
        window = open_window(given, None, points_in_background=False)
        qtbot.addWidget(window)
        windows.append(window)
        return 0 if open_start_files(window, weights=options["weights"]) else 2

    monkeypatch.setattr(nnviz.gui.app, "run_app", start)
    assert main(["--weights", _write(tmp_path / "tut.json", TUTORIAL)]) == 0
    page = WindowPage(windows[0])
    try:
        page.settle(qtbot)
        assert page.config.hidden == (3, 2) and page.network.activations == ("sigmoid", "sigmoid")
        assert np.array_equal(_flat_of(page), np.array(TUTORIAL_FLAT, dtype=np.float32))
        assert page.step_count == 0
    finally:
        windows[0].close()
        assert page.session.shutdown()


def test_weights_that_cannot_fit_stop_the_window_with_one_line(qtbot, tmp_path, capsys):
    """Weights for three inputs on the 2-D moons: one line on stderr, and no window."""
    weights = read_weights(_write(tmp_path / "three.json", {**TUTORIAL, "W1": [[0.1, 0.3, 0.5]] * 3}))
    assert _start_window(qtbot, weights) is None
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["nnviz: error: W1 in three.json is 3×3, for 3 inputs, but a network on the moons data reads 2."]


def _run_cli(capsys, monkeypatch, *args):
    """`nnviz ARGS` in-process with the window replaced: (exit status, stderr, what run_app got)."""
    import nnviz.gui.app

    opened = {}
    monkeypatch.setattr(nnviz.gui.app, "run_app", lambda given, **options: opened.update(options, given=given) or 0)
    try:
        status = main(list(args))
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err, opened


def test_the_command_line_reads_the_weights_before_any_window(capsys, monkeypatch, tmp_path):
    """`--weights` is read first: a good file goes to the window; a bad one, or settings that
    contradict it, exit 2 with one line and no window."""
    good = _write(tmp_path / "tut.json", TUTORIAL)
    status, _, opened = _run_cli(capsys, monkeypatch, "--weights", good)
    assert status == 0 and opened["weights"].layer_sizes == (2, 3, 2, 2)
    assert opened["given"]["hidden"] == (3, 2) and opened["given"]["activation"] == "sigmoid"  # the file's network

    for args, says in ((["--weights", _write(tmp_path / "notes.json", "[1, 2]")], "no W1"),
                       (["--weights", str(tmp_path / "missing.json")], "Cannot read"),
                       (["--weights", good, "--hidden", "5"], "--hidden 5 disagrees with tut.json"),
                       (["--weights", good, "--activation", "relu"], "--activation relu disagrees with tut.json"),
                       (["--weights", good, "--open", str(tmp_path / "run.nnviz")], "leave out --weights")):
        status, err, opened = _run_cli(capsys, monkeypatch, *args)
        assert status == 2 and not opened
        assert len(err.strip().splitlines()) == 1 and says in err, err
    status, _, opened = _run_cli(capsys, monkeypatch, "--weights", good, "--activation", "sigmoid", "--lr", "0.1")
    assert status == 0 and opened["weights"] is not None  # settings the file agrees with, or does not name


# Run > Check gradients -----------------------------------------------------------------------
def _check_dialog(qtbot, window) -> GradientCheckDialog:
    """Run > Check gradients, and wait for its dialog's result."""
    window.check_gradients_action.trigger()
    dialogs = window.findChildren(GradientCheckDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    return dialog


def test_the_gradient_check_passes_for_the_default_network(qtbot, make_window):
    """The default network passes: a green headline, a line a layer, the text copyable; training pauses."""
    window = make_window(TrainingConfig())
    page = WindowPage(window)
    page.train_until(qtbot, 20)
    dialog = _check_dialog(qtbot, window)
    assert not page.is_running
    assert dialog.result.passed
    assert dialog.headline.text().startswith("Passed")
    report = dialog.report.toPlainText()
    assert "hidden layer 1" in report and "output layer" in report
    assert f"step {page.step_count:,}" in dialog.what.text() and "all 160" in dialog.what.text()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == dialog.report_text() and "output layer" in dialog.report_text()
    dialog.close()


def test_the_gradient_check_names_the_layer_of_a_wrong_derivative(qtbot, make_window, monkeypatch):
    """With tanh's derivative made 10% too large, backpropagation's gradient of the hidden layer
    is wrong (the output layer's does not use it): the check fails and names that layer."""
    tanh = ACTIVATIONS["tanh"]

    def wrong(a, out, sums=None):
        return np.multiply(tanh.derivative(a, out, sums), 1.1, out=out)

    window = make_window(TrainingConfig())
    monkeypatch.setitem(ACTIVATIONS, "tanh", tanh._replace(derivative=wrong))
    dialog = _check_dialog(qtbot, window)
    assert not dialog.result.passed and dialog.result.failing == ["hidden layer 1"]
    assert "hidden layer 1" in dialog.headline.text() and dialog.headline.text().startswith("Failed")
    dialog.close()


def test_a_network_too_large_to_check_in_the_window_is_refused_with_a_sentence(qtbot):
    """A 784-500-500-10 network would take minutes even on a few points: the dialog says so and
    where to check it instead; a small one uses all its points."""
    assert points_to_check(52, 160) == 160
    network = MLP.initialise((784, 500, 500, 10), "tanh", np.random.default_rng(0), np.float32)
    dialog = GradientCheckDialog()
    qtbot.addWidget(dialog)
    dialog.start(CheckInput(network, np.zeros((100, 784)), np.zeros(100, dtype=int), 0.0, False, 0.0, 7))
    assert dialog.result is not None and dialog.headline.text() == "Not checked"
    assert "nnviz check-gradients --points" in dialog.what.text()


def test_weights_set_while_a_moment_is_replayed_show_at_once(qtbot, window, page):
    """Opening the Explain tab, or setting weights, while the Train view replays a moment goes back
    to the latest step: what is explained and edited is the run's next step, and the new weights show."""
    page.step(30)
    page.settle(qtbot)
    window.replay.show_moment(0)
    qtbot.waitUntil(lambda: window.replay.index == 0, timeout=10000)
    window.tabs.setCurrentWidget(window.explain)
    assert window.replay.index is None and page.shown.step == 30

    window.tabs.setCurrentWidget(window.view)
    window.replay.show_moment(0)
    qtbot.waitUntil(lambda: window.replay.index == 0, timeout=10000)
    given = _flat_of(page) * 0.5
    page.session.set_weights(given)
    qtbot.waitUntil(lambda: window.replay.index is None, timeout=10000)
    assert np.array_equal(page.shown.network.flat, given)
