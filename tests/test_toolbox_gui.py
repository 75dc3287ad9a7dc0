"""The training toolbox in the window: the optimiser, dropout and input-feature controls, the
diagram's input maps, the gradient histograms, and toolbox sweeps in the Compare tab."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import QPoint

from nnviz.core.analysis.grid import grid_points
from nnviz.core.analysis.layer_stats import weight_histograms
from nnviz.core.config import TrainingConfig
from nnviz.core.model.features import expand


def _train_until(qtbot, window, steps):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step >= steps, timeout=20000)


def _choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_choosing_another_optimizer_keeps_the_run_and_says_its_state_restarts(qtbot, make_window):
    """Adam chosen mid-run: the same run carries on (its history kept) with a fresh Adam, the
    status bar says so, and the learning rate still applies live."""
    window = make_window(TrainingConfig(hidden=(5,), lr=0.05))
    page = WindowPage(window)
    _train_until(qtbot, window, 50)
    before = page.latest.history
    _choose(window.controls.optimizer, "adam")
    assert "adam" in window.statusBar().currentMessage() and "afresh" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: page.latest.step > before[-1, 0] + 50, timeout=20000)
    window.controls.lr.setValue(0.01)
    page.settle(qtbot)
    # One more step here: a switch that reached the process late is made when the trainer comes
    # back, so its fresh state may have taken no step yet.
    steps = page.step_count
    page.step()
    qtbot.waitUntil(lambda: page.is_settled and page.step_count == steps + 1)
    trainer = page.trainer
    assert trainer.optimizer == "adam" and trainer.lr == pytest.approx(0.01)
    assert 0 < trainer.optimizer_steps < trainer.step_count  # counted from the switch, not from step 0
    np.testing.assert_array_equal(trainer.history.array()[: len(before)], before)


def test_momentum_is_offered_to_the_optimizers_that_use_it(make_window):
    """Nesterov needs momentum: chosen with none, it takes 0.9; Adam greys the momentum out."""
    window = make_window(TrainingConfig(hidden=(5,)))
    page = WindowPage(window)
    controls = window.controls
    assert controls.momentum.isEnabled()
    _choose(controls.optimizer, "nesterov")
    assert page.config.momentum == 0.9 and controls.momentum.value() == 0.9
    controls.momentum.setValue(0.0)  # nesterov keeps some momentum
    assert controls.momentum.value() == 0.01 and page.config.momentum == 0.01
    _choose(controls.optimizer, "adam")
    assert not controls.momentum.isEnabled() and page.config.optimizer == "adam"


def test_dropout_applies_live(qtbot, make_window):
    window = make_window(TrainingConfig(hidden=(8,)))
    page = WindowPage(window)
    _train_until(qtbot, window, 30)
    window.controls.dropout.setValue(0.5)
    page.settle(qtbot)
    assert page.trainer.dropout == 0.5 and page.step_count >= 30


def test_input_feature_buttons_build_a_network_that_reads_them(make_window):
    """x₁² on: a network with three inputs, drawn with them; the last input cannot be turned off."""
    window = make_window(TrainingConfig(hidden=(4,)))
    page = WindowPage(window)
    buttons = window.controls.feature_buttons
    buttons["x1sq"].click()
    network = page.network
    assert page.config.features == ("x1", "x2", "x1sq") and network.features == ("x1", "x2", "x1sq")
    assert network.layer_sizes == (3, 4, 2)
    page.draw_now()
    shown = window.view.boundary.probability_image()
    r = shown.shape[0]
    expected = network.predict_proba(grid_points(window.view.boundary.bounds, r)).reshape(r, r, -1)
    np.testing.assert_allclose(shown, expected, atol=1e-5)
    for name in ("x1", "x2", "x1sq"):
        buttons[name].click()
    assert page.config.features == ("x1sq",) and buttons["x1sq"].isChecked()


def test_hovering_an_input_shows_its_map_over_the_plane(qtbot, make_window):
    """Each input of the diagram is its feature's map over the plane shown; hovering one marks it."""
    window = make_window(TrainingConfig(dataset="circles", hidden=(3,), features=("x1sq", "x1x2")))
    page = WindowPage(window)
    page.draw_now()
    window.view.inside.flush()
    diagram = window.view.inside.diagram
    assert diagram._feature_names == ["x₁²", "x₁x₂"]
    for k, name in enumerate(("x1sq", "x1x2")):
        side = diagram.input_map(k).shape[0]
        expected = expand(grid_points(window.view.boundary.bounds, side, np.float64), (name,))[:, 0]
        np.testing.assert_allclose(diagram.input_map(k).ravel(), expected)
    ys, _ = diagram._nodes(0)
    x = diagram.column_x()[0]
    node = QPoint(int(x), int(ys[1]))
    qtbot.mouseMove(diagram, node + QPoint(1, 1))  # the pointer comes in (Qt's first move only enters)
    qtbot.mouseMove(diagram, node)
    assert diagram.hovered_input == 1
    qtbot.mouseMove(diagram, QPoint(diagram.width() // 2, 5))
    assert diagram.hovered_input == -1


def test_input_features_are_for_two_dimensional_points(make_window, tmp_path):
    """Points with three coordinates: the network reads them as they are, the feature buttons
    grey out; back on moons they work again."""
    window = make_window(TrainingConfig(hidden=(4,), features=("x1sq", "x2sq")))
    page = WindowPage(window)
    rng = np.random.default_rng(1)
    lines = ["a,b,c,label"] + [f"{p[0]},{p[1]},{p[2]},{int(p[0] > 0)}" for p in rng.normal(size=(40, 3))]
    path = tmp_path / "three.csv"
    path.write_text("\n".join(lines))
    assert window.files.open_data(str(path))
    assert page.network.layer_sizes[0] == 3 and page.network.features is None
    assert not window.controls.feature_buttons["x1"].isEnabled()
    window.tabs.setCurrentWidget(window.compare)
    _choose(window.compare.setting, "features")
    window.compare.run_button.click()
    assert "two coordinates" in window.compare.message.text() and page.sweep is None
    window.tabs.setCurrentWidget(window.view)
    _choose(window.controls.dataset, "moons")
    assert window.controls.feature_buttons["x1"].isEnabled()


def test_the_gradients_tab_shows_the_last_steps_gradients(qtbot, make_window):
    window = make_window(TrainingConfig(hidden=(6, 5), activation="sigmoid"))
    page = WindowPage(window)
    page.step()
    qtbot.waitUntil(lambda: page.latest.step == 1 and page.is_settled)
    view = window.view
    view.layer_tabs.setCurrentWidget(view.histograms["gradients"])
    panel = view.histograms["gradients"]
    expected = weight_histograms(page.trainer.data_gradients())
    assert len(panel.plots) == 3
    for bars, histogram in zip(panel.bars, expected):
        np.testing.assert_allclose(bars.getData()[1], 100 * histogram.shares)


@pytest.mark.parametrize("setting,values,count", [
    ("optimizer", "sgd, nesterov, adagrad, adam", 4),
    ("features", "x1,x2 / x1sq,x2sq", 2),
    ("dropout", "0, 0.5", 2),
])
def test_compare_sweeps_the_toolbox(qtbot, make_window, setting, values, count):
    window = make_window(TrainingConfig(hidden=(5,), lr=0.1, samples=100))
    page = WindowPage(window)
    window.tabs.setCurrentWidget(window.compare)
    compare = window.compare
    _choose(compare.setting, setting)
    compare.values.setText(values)
    compare.run_button.click()
    qtbot.waitUntil(lambda: compare.latest is not None and compare.latest.step >= 30, timeout=20000)
    assert len(compare.latest.networks) == count and len(compare.figure.tiles) == count
    if setting == "optimizer":
        assert [c.optimizer for c in page.sweep.configs()] == ["sgd", "nesterov", "adagrad", "adam"]
    if setting == "features":
        assert [n.layer_sizes[0] for n in compare.latest.networks] == [2, 2]
        assert compare.latest.networks[1].features == ("x1sq", "x2sq")
    page.compare_session.shutdown()
