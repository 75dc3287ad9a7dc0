"""Hidden units: their maps, their order, and the two views that show them.

Expected values are computed here, directly from the weights, not with the code under test.
"""

import numpy as np
import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QScrollArea

from nnviz.core.analysis.units import (
    activation_range,
    describe_unit,
    incoming,
    outgoing_strength,
    sticky_order,
    unit_maps,
)
from nnviz.core.model.network import MLP, layer_output
from nnviz.gui.colors import POINT_COLORS, rgb
from nnviz.gui.inside.network_diagram import (
    EDGE_BUDGET,
    LINE,
    MAX_EDGES,
    POSITIVE_COLOR,
    NetworkDiagram,
    edges_per_pair,
)
from nnviz.gui.inside.units_view import MIN_TILE, UnitGrid

BOUNDS = (-2.0, 3.0, -1.5, 2.0)

DIRECT = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.1 * z),
}


def network(sizes, activation="tanh", seed=0, dtype="float32") -> MLP:
    """A random network with random (not zero) biases, so the bias's part is tested too."""
    net = MLP.initialise(sizes, activation, np.random.default_rng(seed), dtype)
    net.biases[0][...] = np.random.default_rng(seed + 1).normal(size=sizes[1])
    return net


def network_with(w1, b1, w2, activation="tanh") -> MLP:
    """A network with the given first and second layer (second bias zero)."""
    w2 = np.asarray(w2, dtype=np.float64)
    return MLP([np.asarray(w1, float), w2], [np.asarray(b1, float), np.zeros(w2.shape[1])], activation)


def direct_maps(net: MLP, resolution: int, fill=()) -> np.ndarray:
    """Every unit's activation at the grid's cell centres, axis 1 along y: written out here."""
    x0, x1, y0, y1 = BOUNDS
    xs = x0 + (x1 - x0) / resolution * (np.arange(resolution) + 0.5)
    ys = y0 + (y1 - y0) / resolution * (np.arange(resolution) + 0.5)
    w, b = net.weights[0].astype(np.float64), net.biases[0].astype(np.float64)
    z = xs[None, None, :] * w[0][:, None, None] + ys[None, :, None] * w[1][:, None, None] + b[:, None, None]
    for k, value in enumerate(fill):
        z = z + value * w[2 + k][:, None, None]
    return DIRECT[net.activations[0]](z)


# --- core ---------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(DIRECT))
@pytest.mark.parametrize("sizes", [(3, 7, 2), (2, 4, 5, 3), (2, 3)])
def test_layer_output_is_each_layers_output_before_and_after_its_activation(activation, sizes):
    """layer_output(X, L) is act(a @ W + b) layer by layer (softmax at the output), and its input
    sum before the activation, at every layer of any shape (no hidden layer too), in the
    network's dtype; a layer that is not there is refused."""
    net = network(sizes, activation) if len(sizes) > 2 else MLP.initialise(sizes, activation, np.random.default_rng(0), "float32")
    X = np.random.default_rng(5).normal(size=(40, sizes[0])).astype(np.float32)
    a = X.astype(np.float64)
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = a @ w.astype(np.float64) + b.astype(np.float64)
        last = layer == len(net.weights) - 1
        a = np.exp(z - z.max(axis=1, keepdims=True)) if last else DIRECT[activation](z)
        a = a / a.sum(axis=1, keepdims=True) if last else a
        before, after = layer_output(net, X, layer, before_activation=True), layer_output(net, X, layer)
        assert before.shape == after.shape == (40, sizes[layer + 1]) and after.dtype == np.float32
        np.testing.assert_allclose(before, z, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(after, a, rtol=1e-4, atol=1e-5)
        for unit in (0, sizes[layer + 1] - 1):  # one unit alone is that unit's column
            np.testing.assert_allclose(layer_output(net, X, layer, unit=unit), after[:, unit], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(layer_output(net, X, layer, before_activation=True, unit=unit), before[:, unit],
                                       rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(net.predict_proba(X), layer_output(net, X, len(net.weights) - 1))
    with pytest.raises(ValueError, match="has layers 0 to"):
        layer_output(net, X, len(net.weights))


def test_layer_output_keeps_float64():
    """A float64 network's layer outputs are float64."""
    assert layer_output(network((2, 3, 2), dtype="float64"), np.zeros((4, 2)), 0).dtype == np.float64


@pytest.mark.parametrize("activation", sorted(DIRECT))
def test_unit_maps_are_each_units_activation_on_the_grid(activation):
    """unit_maps[j, row, column] is unit j's output at the cell (x of column, y of row)."""
    net = network((2, 5, 3), activation)
    maps = unit_maps(net, BOUNDS, 12)
    assert maps.shape == (5, 12, 12) and maps.dtype == np.float32
    np.testing.assert_allclose(maps, direct_maps(net, 12), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", sorted(DIRECT))
def test_unit_maps_hold_further_features_at_the_fill_values(activation):
    """With three features, the third is held at ``fill`` over the whole grid."""
    net = network((3, 4, 2), activation, seed=3)
    maps = unit_maps(net, BOUNDS, 10, fill=np.array([0.7]))
    np.testing.assert_allclose(maps, direct_maps(net, 10, fill=[0.7]), rtol=1e-5, atol=1e-5)


def test_unit_maps_need_one_fill_value_per_further_feature():
    """A missing or surplus fill value is an error that says how many are needed."""
    with pytest.raises(ValueError, match="3 features need 1 fill"):
        unit_maps(network((3, 4, 2)), BOUNDS, 8)
    with pytest.raises(ValueError, match="2 features need 0 fill"):
        unit_maps(network((2, 4, 2)), BOUNDS, 8, fill=[1.0])


def test_outgoing_strength_is_the_norm_of_each_units_outgoing_weights():
    """A unit with outgoing weights (3, 4) has strength 5; the output bias does not count."""
    net = network_with(np.ones((2, 2)), [0, 0], [[3, 4], [0, -2]])
    net.biases[1][...] = 100
    np.testing.assert_allclose(outgoing_strength(net), [5, 2])


def test_incoming_gives_a_units_weights_and_bias():
    """incoming(net, j) is column j of W1 and b1[j]."""
    net = network_with([[1, 2], [3, 4]], [0.5, -0.25], np.ones((2, 2)))
    weights, bias = incoming(net, 1)
    assert weights.tolist() == [2, 4] and bias == -0.25


def test_bounded_activations_use_their_whole_range():
    """tanh maps share (-1, 1) and sigmoid maps (0, 1), whatever the values."""
    maps = np.full((2, 3, 3), 0.1)
    assert activation_range("tanh", maps) == (-1.0, 1.0)
    assert activation_range("sigmoid", maps) == (0.0, 1.0)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_unbounded_activations_get_a_scale_symmetric_around_zero(activation):
    """The scale is (-m, m), m the largest magnitude over all maps; NaN is ignored."""
    maps = np.array([[[0.5, -3.0]], [[2.0, np.nan]]])
    assert activation_range(activation, maps) == (-3.0, 3.0)


def test_an_all_zero_layer_still_gets_a_scale():
    """Dead ReLUs (all zero) get a tiny but non-empty scale, so colouring never divides by 0."""
    low, high = activation_range("relu", np.zeros((3, 4, 4)))
    assert low < 0 < high < 1e-3


def test_sticky_order_starts_exact_and_stable_for_ties():
    """Without a previous order (or one of another length), sticky_order is the exact
    descending order: strengths 1, 5, 3, 5, 0 give units 1, 3 (tied with 1, so after it), 2, 0, 4."""
    strength = np.array([1.0, 5.0, 3.0, 5.0, 0.0])
    assert sticky_order(strength, None).tolist() == [1, 3, 2, 0, 4]
    assert sticky_order(strength, np.array([0, 1, 2])).tolist() == [1, 3, 2, 0, 4]


def test_sticky_order_keeps_near_ties_in_place():
    """A unit less than the margin stronger than the one before it does not pass it."""
    previous = np.array([0, 1, 2])
    assert sticky_order(np.array([3.0, 3.1, 1.0]), previous, margin=0.05).tolist() == [0, 1, 2]


def test_sticky_order_lets_a_clearly_stronger_unit_pass():
    """A unit that becomes clearly the strongest moves to the front."""
    previous = np.array([0, 1, 2])
    assert sticky_order(np.array([3.0, 2.0, 9.0]), previous, margin=0.05).tolist() == [2, 0, 1]


def test_describe_unit_lists_weights_bias_and_strength():
    """One line with every incoming weight (true minus signs), the bias and the strength."""
    net = network_with([[1.234, 0.0], [-0.45, 0.0], [2.0, 0.0]], [0.1, 0.0], [[3, 4], [0, 0]])
    assert describe_unit(net, 0) == "Unit 0: weights (1.23, \u22120.45, 2.00), bias 0.10; outgoing strength 5.00"


# --- the unit grid --------------------------------------------------------------------------


@pytest.fixture
def grid(qtbot):
    widget = UnitGrid()
    qtbot.addWidget(widget)
    widget.resize(420, 330)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("activation", sorted(DIRECT))
def test_the_grid_shows_each_units_activation_strongest_first(grid, activation):
    """The hidden-unit maps equal the units' activations computed directly, tiles ordered
    by the outgoing weights' norm computed directly."""
    net = network((2, 9, 3), activation)
    grid.show_network(net, BOUNDS)
    expected_order = np.argsort(-np.linalg.norm(net.weights[1].astype(np.float64), axis=1), kind="stable")
    assert grid.order().tolist() == expected_order.tolist()
    maps = grid.displayed_maps()
    np.testing.assert_allclose(maps, direct_maps(net, maps.shape[1])[expected_order], rtol=1e-5, atol=1e-5)


def test_the_grid_holds_further_features_at_fill(grid):
    """With three features the grid's maps are slices at the fill value."""
    net = network((3, 5, 2), "sigmoid")
    grid.show_network(net, BOUNDS, fill=[-0.4])
    maps = grid.displayed_maps()
    np.testing.assert_allclose(maps, direct_maps(net, maps.shape[1], fill=[-0.4])[grid.order()], atol=1e-5)


def test_a_tile_is_purple_where_its_unit_is_negative_and_green_where_positive(grid, qtbot):
    """A unit that follows y (tanh(3y)) is green at the top of its tile and purple at the
    bottom: the tile is drawn with y up, like the plot."""
    net = network_with([[0.0], [3.0]], [0.0], [[1.0, -1.0]])
    grid.show_network(net, (-1, 1, -1, 1))
    image = grid.grab().toImage()
    rect = grid.tile_rect(0)
    top = image.pixelColor(rect.center().x(), rect.top() + 4)
    bottom = image.pixelColor(rect.center().x(), rect.bottom() - 4)
    assert top.green() > top.red() + 60  # green
    assert bottom.red() > bottom.green() + 40 and bottom.blue() > bottom.green() + 40  # purple


def test_hovering_a_tile_reports_its_unit(grid, qtbot):
    """The pointer on a tile emits unit_hovered with that tile's unit; off the tiles, -1."""
    grid.show_network(network((2, 12, 2)), BOUNDS)
    tile = 5
    with qtbot.waitSignal(grid.unit_hovered) as hovered:
        qtbot.mouseMove(grid, grid.tile_rect(tile).center())
    assert hovered.args == [int(grid.order()[tile])]
    with qtbot.waitSignal(grid.unit_hovered) as left:
        qtbot.mouseMove(grid, QPoint(2, 2))  # the legend, above the tiles
    assert left.args == [-1]


def test_a_click_freezes_a_unit_and_a_second_click_unfreezes_it(grid, qtbot):
    """Clicking a tile selects its unit (unit_selected(j)); clicking it again gives -1."""
    grid.show_network(network((2, 12, 2)), BOUNDS)
    unit, centre = int(grid.order()[3]), grid.tile_rect(3).center()
    with qtbot.waitSignal(grid.unit_selected) as first:
        qtbot.mouseClick(grid, Qt.LeftButton, pos=centre)
    assert first.args == [unit] and grid.selected_unit == unit
    with qtbot.waitSignal(grid.unit_selected) as second:
        qtbot.mouseClick(grid, Qt.LeftButton, pos=centre)
    assert second.args == [-1] and grid.selected_unit == -1


def test_clicking_another_tile_moves_the_selection(grid, qtbot):
    """With a unit frozen, a click on another tile freezes that one instead."""
    grid.show_network(network((2, 12, 2)), BOUNDS)
    qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.tile_rect(0).center())
    with qtbot.waitSignal(grid.unit_selected) as moved:
        qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.tile_rect(1).center())
    assert moved.args == [int(grid.order()[1])] and grid.selected_unit == int(grid.order()[1])


def test_selecting_from_code_emits_nothing(grid, qtbot):
    """Setting selected_unit (to mirror another view) does not echo back as a signal."""
    grid.show_network(network((2, 4, 2)), BOUNDS)
    with qtbot.assertNotEmitted(grid.unit_selected):
        grid.selected_unit = 2
    assert grid.selected_unit == 2


def test_the_order_holds_while_the_pointer_is_on_the_grid(grid, qtbot):
    """Under the pointer, tiles keep their places even when the strengths change (so the
    unit under it does not slip away); they re-sort once the pointer leaves."""
    net = network((2, 6, 2))
    grid.show_network(net, BOUNDS)
    before = grid.order().tolist()
    qtbot.mouseMove(grid, grid.tile_rect(0).center())
    net.weights[1][before[-1]] *= 100  # the weakest unit becomes by far the strongest
    grid.show_network(net, BOUNDS)
    assert grid.order().tolist() == before
    grid.leaveEvent(None)
    grid.show_network(net, BOUNDS)
    assert grid.order()[0] == before[-1]


def test_columns_follow_the_width_in_a_scroll_area(qtbot):
    """At 200 units in a scroll area, a wider view gets more columns, tiles stay square and
    at least MIN_TILE wide, and the grid is tall enough for every tile."""
    grid = UnitGrid()
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(grid)
    qtbot.addWidget(scroll)
    grid.show_network(network((2, 200, 2)), BOUNDS)
    columns = []
    for width in (260, 700):
        scroll.resize(width, 300)
        scroll.show()
        qtbot.waitUntil(lambda w=width: grid.width() > w - 40)
        last = grid.tile_rect(199)
        assert grid.tile_rect(0).width() == grid.tile_rect(0).height() >= MIN_TILE
        assert last.right() < grid.width() and last.bottom() < grid.height()
        columns.append(grid.columns())
    assert columns[1] > columns[0] > 1


def test_a_few_units_get_big_tiles_in_one_row(grid):
    """Three units in a wide panel sit side by side, much bigger than the minimum."""
    grid.show_network(network((2, 3, 2)), BOUNDS)
    assert grid.columns() == 3 and grid.tile_rect(0).width() > 2 * MIN_TILE


def test_a_few_dozen_units_grow_to_fill_the_panel(grid):
    """When every tile fits, tiles are as big as the panel allows, not the minimum."""
    grid.show_network(network((2, 20, 2)), BOUNDS)
    last = grid.tile_rect(19)
    assert grid.tile_rect(0).width() >= 60
    assert last.right() < grid.width() and last.bottom() < grid.height()


def test_relu_tiles_share_a_scale_set_by_the_largest_activation(grid):
    """ReLU tiles are coloured on (-m, m), m the largest activation of any unit."""
    net = network((2, 6, 2), "relu")
    grid.show_network(net, BOUNDS)
    m = np.abs(direct_maps(net, grid.displayed_maps().shape[1])).max()
    np.testing.assert_allclose(grid.levels(), (-m, m), rtol=1e-5)


def test_a_diverged_network_is_drawn(grid):
    """A NaN weight neither raises nor poisons the others: the finite units' maps are shown
    as they are, and the colour scale is theirs."""
    net = network((2, 5, 2), "relu")
    net.weights[0][0, 0] = np.nan  # unit 0's map is NaN everywhere
    grid.show_network(net, BOUNDS)
    grid.grab()
    order = grid.order().tolist()
    expected = direct_maps(net, grid.displayed_maps().shape[1])
    finite = [unit for unit in range(5) if unit != 0]
    shown = grid.displayed_maps()[[order.index(unit) for unit in finite]]
    np.testing.assert_allclose(shown, expected[finite], rtol=1e-5, atol=1e-5)
    m = np.abs(expected[finite]).max()
    np.testing.assert_allclose(grid.levels(), (-m, m), rtol=1e-5)


# --- the network diagram ---------------------------------------------------------------------


@pytest.fixture
def diagram(qtbot):
    widget = NetworkDiagram()
    qtbot.addWidget(widget)
    widget.resize(360, 280)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _pixels(image: QImage, top: int = 0) -> np.ndarray:
    """The image's RGB values from row ``top`` down, one row per pixel."""
    image = image.convertToFormat(QImage.Format_RGB888)
    data = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), np.uint8)
    rows = data.reshape(image.height(), image.bytesPerLine())[top:, : image.width() * 3]
    return rows.reshape(-1, 3).astype(int)


def _shows(pixels: np.ndarray, colour: str, tolerance: int = 8) -> bool:
    return bool((np.abs(pixels - rgb(colour).astype(int)).max(axis=1) <= tolerance).any())


def test_a_diverged_network_is_drawn_in_the_diagram(diagram):
    """NaN and inf weights, even on an emphasised unit, do not stop the diagram from painting:
    the infinite weight is drawn as the strongest positive edge, and the class nodes (drawn
    last) are there in their colours."""
    net = network((2, 5, 2))
    net.weights[0][:, 2] = (np.nan, -0.5)
    net.weights[1][2] = (np.inf, -0.5)  # unit 2's one positive weight
    diagram.show_network(net)
    diagram.highlight(2)  # the other units' edges step back, paler
    below_legend = _pixels(diagram.grab().toImage(), top=LINE + 6)
    assert _shows(below_legend, POSITIVE_COLOR)
    assert _shows(below_legend, POINT_COLORS[0]) and _shows(below_legend, POINT_COLORS[1])
    assert diagram.caption() == "all 20 weights"


def test_a_small_network_draws_every_edge(diagram):
    """2 inputs, 3 units, 2 classes: all 12 weights are drawn."""
    diagram.show_network(network((2, 3, 2)))
    expected = {(0, i, j) for i in range(2) for j in range(3)} | {(1, i, j) for i in range(3) for j in range(2)}
    assert set(diagram.drawn_edges()) == expected and len(diagram.drawn_edges()) == 12
    assert diagram.caption() == "all 12 weights"


def test_a_big_network_draws_only_its_strongest_edges(diagram):
    """At 200 units only the MAX_EDGES largest weights of each layer are drawn, each measured
    against the largest in its own layer (the 600 of the second layer are all smaller than the
    first's largest, and still get theirs); the caption says so."""
    net = network((2, 200, 3))
    net.weights[1][...] *= 0.01
    diagram.show_network(net)
    strongest = set()
    for layer, w in enumerate(net.weights):
        every = sorted(((abs(w[i, j]), layer, i, j) for i, j in np.ndindex(w.shape)), reverse=True)
        strongest |= {edge[1:] for edge in every[:MAX_EDGES]}
    assert set(diagram.drawn_edges()) == strongest
    assert diagram.caption() == f"strongest {2 * MAX_EDGES} of 1,000 weights"


def test_a_deep_network_shares_one_budget_of_edges_among_its_layers(diagram):
    """A small deep network draws every weight; six layers of 200 draw at most EDGE_BUDGET,
    about as many between each pair of layers, each pair's strongest."""
    diagram.show_network(network((2, 8, 8, 8, 4)))
    assert diagram.caption() == "all 176 weights"
    net = network((2, *(200,) * 6, 2))
    diagram.show_network(net)
    drawn = diagram.drawn_edges()
    per_pair = [sum(1 for layer, _, _ in drawn if layer == k) for k in range(7)]
    assert sum(per_pair) <= EDGE_BUDGET and min(per_pair) >= EDGE_BUDGET // 7 and max(per_pair) <= EDGE_BUDGET // 7 + 1
    for layer, i, j in drawn:
        magnitude = np.abs(net.weights[layer])
        assert (magnitude > magnitude[i, j]).sum() < per_pair[layer]  # among that pair's strongest
    assert edges_per_pair([10, 500, 500]) == [10, 80, 80]  # a small pair leaves its share to the others


def test_the_views_time_their_painting(diagram):
    """The diagram says how long its last paint took (the inside panel paces itself by it)."""
    diagram.paint_ms = 0.0
    diagram.show_network(network((2, 200, 200, 3)))
    diagram.repaint()
    assert diagram.paint_ms > 0.0


def test_a_selected_unit_among_many_is_marked_by_a_dark_dot(diagram):
    """At 200 units the nodes are small grey dots; the frozen unit's is filled dark, and
    emphasis adds edges without changing which strongest edges are drawn."""
    diagram.show_network(network((2, 200, 3)))
    strongest = diagram.drawn_edges()
    centre = diagram.node_position(8).toPoint()

    def darkness() -> int:
        return int(_pixels(diagram.grab().toImage().copy(centre.x(), centre.y(), 1, 1)).max())

    assert darkness() > 100
    diagram.highlight(7)
    diagram.selected_unit = 8
    assert darkness() < 60
    assert diagram.drawn_edges() == strongest


def test_hovering_a_hidden_node_reports_its_unit(diagram, qtbot):
    """The pointer on hidden node j emits unit_hovered(j); on an input node, -1."""
    diagram.show_network(network((2, 5, 2)))
    with qtbot.waitSignal(diagram.unit_hovered) as hovered:
        qtbot.mouseMove(diagram, diagram.node_position(3).toPoint())
    assert hovered.args == [3]
    with qtbot.waitSignal(diagram.unit_hovered) as left:
        qtbot.mouseMove(diagram, QPoint(5, diagram.height() // 2))
    assert left.args == [-1]


def test_clicking_a_hidden_node_toggles_its_selection(diagram, qtbot):
    """A click on node j emits unit_selected(j); a second click emits -1."""
    diagram.show_network(network((2, 5, 2)))
    centre = diagram.node_position(1).toPoint()
    with qtbot.waitSignal(diagram.unit_selected) as first:
        qtbot.mouseClick(diagram, Qt.LeftButton, pos=centre)
    assert first.args == [1] and diagram.selected_unit == 1
    with qtbot.waitSignal(diagram.unit_selected) as second:
        qtbot.mouseClick(diagram, Qt.LeftButton, pos=centre)
    assert second.args == [-1] and diagram.selected_unit == -1


def test_a_selection_the_new_network_lacks_is_dropped(diagram, grid, qtbot):
    """Showing a network with fewer units than the selected one's index unselects it (-1)."""
    for view, show in ((diagram, lambda n: diagram.show_network(n)), (grid, lambda n: grid.show_network(n, BOUNDS))):
        show(network((2, 10, 2)))
        view.selected_unit = 8
        with qtbot.waitSignal(view.unit_selected) as dropped:
            show(network((2, 4, 2)))
        assert dropped.args == [-1] and view.selected_unit == -1
