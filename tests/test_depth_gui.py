"""Deep networks in the window: layer controls, the diagram's columns, the units of any layer,
the gradient plot, and sweeps and pins of any shape (pytest-qt, offscreen)."""

import numpy as np
from gui_helpers import WindowPage
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtTest import QTest

from nnviz.core.analysis.grid import grid_points
from nnviz.core.analysis.units import unit_maps
from nnviz.core.config import MAX_LAYERS, TrainingConfig


def _latest_shape(window):
    page = WindowPage(window)
    return page.latest.network.layer_sizes


def test_adding_and_removing_layers_while_training_keeps_training(qtbot, make_window):
    """+ adds a layer as wide as the last, - removes the last; each starts a fresh network of
    that shape, which goes on training; at six layers + is off, at none - is off."""
    window = make_window(TrainingConfig(hidden=(6,)))
    page = WindowPage(window)
    controls = window.controls
    page.start()
    qtbot.waitUntil(lambda: page.latest.step > 50, timeout=10000)
    controls.add_layer.click()
    assert page.config.hidden == (6, 6) and page.is_running
    qtbot.waitUntil(lambda: _latest_shape(window) == (2, 6, 6, 2) and page.latest.step > 50, timeout=10000)
    for _ in range(MAX_LAYERS):
        controls.add_layer.click()
    assert page.config.hidden == (6,) * MAX_LAYERS and not controls.add_layer.isEnabled()
    qtbot.waitUntil(lambda: _latest_shape(window) == (2, *(6,) * MAX_LAYERS, 2) and page.latest.step > 20,
                    timeout=10000)
    while controls.remove_layer.isEnabled():
        controls.remove_layer.click()
    assert page.config.hidden == () and page.is_running
    qtbot.waitUntil(lambda: _latest_shape(window) == (2, 2) and page.latest.step > 50, timeout=10000)
    assert page.latest.latest.loss < page.latest.history[0, 1]  # softmax regression learns too


def test_width_and_activation_act_on_the_selected_layer(qtbot, make_window):
    """The slider, the one-click sizes and the spin box set the selected layer's width; the
    activation applies to every layer, or to the selected one once 'every layer' is off."""
    window = make_window(TrainingConfig(hidden=(8, 8, 4)))
    page = WindowPage(window)
    controls = window.controls
    controls.layer_buttons.button(1).click()
    assert controls.selected_layer == 1 and controls.hidden.value() == 8
    controls.size_buttons[20].click()
    assert page.config.hidden == (8, 20, 4)
    controls.hidden.setValue(500)  # typing goes beyond the slider's 200
    assert page.config.hidden == (8, 500, 4) and controls.layer_buttons.button(1).text() == "500"
    controls.layer_buttons.button(2).click()
    controls.hidden_slider.setValue(33)
    qtbot.waitUntil(lambda: page.config.hidden == (8, 500, 33))
    controls.activation.setCurrentText("relu")
    assert page.config.activation == "relu"
    controls.every_layer.setChecked(False)
    controls.layer_buttons.button(0).click()
    controls.activation.setCurrentText("sigmoid")
    assert page.config.activation == ("sigmoid", "relu", "relu")
    assert page.network.activations == ("sigmoid", "relu", "relu")
    assert controls.layer_buttons.button(0).isChecked() and controls.activation.currentText() == "sigmoid"


def test_the_diagram_has_a_column_per_layer_and_a_click_chooses_the_layer_shown(qtbot, make_window):
    """Inputs, three hidden layers and the outputs make five columns; the strongest edges of
    every pair of layers are drawn; clicking the third layer's column shows its units, whose
    maps are that layer's outputs."""
    window = make_window(TrainingConfig(hidden=(5, 7, 3), dataset="xor"))
    page = WindowPage(window)
    page.draw_now()
    inside, diagram = window.view.inside, window.view.inside.diagram
    qtbot.waitUntil(lambda: diagram.caption() != "")
    xs = diagram.column_x()
    assert len(xs) == 5 and xs == sorted(xs)
    assert {layer for layer, _, _ in diagram.drawn_edges()} == {0, 1, 2, 3}
    assert len(inside.units.order()) == 5 and inside.layer == 0
    QTest.mouseClick(diagram, Qt.LeftButton, pos=QPoint(round(xs[3]), diagram.height() // 2))
    assert inside.layer == 2 and diagram.layer == 2
    assert len(inside.units.order()) == 3 and inside.layer_choice.currentIndex() == 2
    network = page.latest.network
    expected = unit_maps(network, window.view.boundary.bounds, inside.units.displayed_maps().shape[1], layer=2)
    np.testing.assert_allclose(inside.units.displayed_maps(), expected[inside.units.order()], atol=1e-6)
    inside.layer_choice.setCurrentIndex(1)
    inside.layer_choice.activated.emit(1)  # what choosing in the list sends
    assert inside.layer == 1 and len(inside.units.order()) == 7


def test_a_unit_of_a_deeper_layer_is_shown_on_the_plot(qtbot, make_window):
    """Picking unit 5 of layer 2 overlays its output over the plane, as written out here."""
    window = make_window(TrainingConfig(hidden=(4, 6), dataset="circles"))
    page = WindowPage(window)
    page.step(200)
    page.settle(qtbot)
    page.draw_now()
    inside, plot = window.view.inside, window.view.boundary
    inside.show_layer(1)
    inside.units.unit_selected.emit(5)
    assert plot.unit_image.isVisible() and "Layer 2, unit 5" in plot.unit_label.textItem.toPlainText()
    network = page.latest.network
    w1, b1, w2, b2 = (p.astype(np.float64) for p in network.parameters()[:4])
    direct = np.tanh(np.tanh(grid_points(plot.bounds, 100) @ w1 + b1) @ w2[:, 5] + b2[5]).reshape(100, 100)
    np.testing.assert_allclose(plot.unit_image.image, direct, atol=1e-5)


def test_the_gradient_plot_has_a_line_per_layer(qtbot, make_window):
    """A 6x8 sigmoid network: six hidden layers and the output make seven lines, and the first
    layer's gradient is far smaller than the output layer's (the vanishing gradient)."""
    window = make_window(TrainingConfig(hidden=(8,) * 6, activation="sigmoid"))
    page = WindowPage(window)
    for _ in range(3):
        page.step(20)
        page.settle(qtbot)
        page.draw_now()
    plot = window.view.gradients
    assert len(plot.curves) == 7
    rows = plot.rows()
    assert len(rows) >= 2 and rows[-1, 0] == page.step_count
    assert rows[-1, 1] < rows[-1, 7] / 100  # the first layer learns a hundred times slower at least
    window.controls.remove_layer.click()
    page.settle(qtbot)
    page.step(5)
    page.settle(qtbot)
    page.draw_now()
    assert len(plot.curves) == 6 and plot.rows()[-1, 0] == 5


def test_a_sweep_of_shapes_names_them_and_a_tile_continues_its_network(qtbot, make_window):
    """Sweeping 8, 8x8 and 8x8x8: the tiles say so, clicking the last continues that
    three-layer network in the Train view, and pinning it keeps its shape."""
    window = make_window(TrainingConfig(dataset="spiral", samples=150))
    page = WindowPage(window)
    compare = page.run_sweep(qtbot, "8, 8x8, 8x8x8", past=20, timeout=10000)
    page.settle_compare(qtbot)
    assert [t.title.text().split("</b>")[0].split("<b>")[1] for t in compare.figure.tiles] == \
        ["8 hidden", "8×8 hidden", "8×8×8 hidden"]
    step = compare.latest.step
    QTest.mouseClick(compare.figure.tiles[2], Qt.LeftButton)
    qtbot.waitUntil(lambda: page.config.hidden == (8, 8, 8) and page.trainer is not None
                    and page.step_count == step, timeout=10000)
    assert page.network.layer_sizes == (2, 8, 8, 8, 3)
    window.pin()  # a pin keeps its shape
    assert window.compare.pins[-1].config.hidden == (8, 8, 8)
    assert window.compare.pins[-1].snapshot.network.layer_sizes == (2, 8, 8, 8, 3)
    assert "8×8×8 tanh hidden units" in window.compare.pins[-1].label


def test_the_layer_edited_is_the_layer_shown(qtbot, make_window):
    """Picking layer 2 in the controls shows its units; clicking layer 3's column in the diagram
    makes the controls edit layer 3."""
    window = make_window(TrainingConfig(hidden=(4, 6, 3)))
    page = WindowPage(window)
    page.draw_now()
    inside, controls = window.view.inside, window.controls
    controls.layer_buttons.button(1).click()
    assert inside.layer == 1 and len(inside.units.order()) == 6
    xs = inside.diagram.column_x()
    QTest.mouseClick(inside.diagram, Qt.LeftButton, pos=QPoint(round(xs[3]), inside.diagram.height() // 2))
    assert inside.layer == 2 and controls.selected_layer == 2 and controls.hidden.value() == 3


def test_a_network_of_another_size_is_drawn_once(qtbot, make_window, monkeypatch):
    """A wider network gets a coarser decision grid; making that grid draws nothing of its own
    (it asked for a redraw, which ran inside the one under way and drew everything twice)."""
    window = make_window(TrainingConfig(hidden=(5,)))
    page = WindowPage(window)
    qtbot.waitUntil(lambda: page.latest is not None and window.view.boundary.probability_image() is not None)
    window.controls.layer_buttons.button(0).click()
    qtbot.wait(300)  # no redraw under way or due
    drawn = []
    show = window.view.boundary.show_network
    monkeypatch.setattr(window.view.boundary, "show_network", lambda network: drawn.append(network) or show(network))
    window.controls.hidden.setValue(400)  # 100 cells a side before, fewer now
    qtbot.wait(300)
    assert window.view.boundary.probability_image().shape[0] < 100
    assert [n.layer_sizes for n in drawn] == [(2, 400, 2)]
