"""The Explain tab: one point through the network, phase by phase, in the window (pytest-qt, offscreen)."""

import dataclasses

import numpy as np
import pytest
from gui_helpers import WindowPage, settle
from PyQt5.QtCore import QPointF, Qt
from PyQt5.QtGui import QFontMetrics, QImage
from PyQt5.QtWidgets import QApplication

from nnviz.core.arithmetic.formulas import explanation_table, number
from nnviz.core.arithmetic.step import Phase, phases
from nnviz.core.config import TrainingConfig
from nnviz.core.model.network import layer_output
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.gui import help_dialogs
from nnviz.gui.explain.diagram_geometry import (
    CARD_FONT,
    SMALL_FONT,
    DiagramGeometry,
    sized,
)
from nnviz.gui.explain.explain_notes import cannot_explain
from nnviz.gui.explain.phase_numbers import UNKNOWN, ParameterRef, UnitRef, phase_column

XOR = TrainingConfig(dataset="xor", hidden=(3,), samples=60, dtype="float64")


@pytest.fixture
def window(make_window):
    return make_window(XOR)


def _open_tab(qtbot, window):
    """Bring the Explain tab into view and wait for its first explanation."""
    window.tabs.setCurrentWidget(window.explain)
    qtbot.waitUntil(lambda: window.explain.explanation is not None, timeout=10000)
    return window.explain


def _click_plot(qtbot, plot, x, y):
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), Qt.LeftButton, pos=plot.mapFromScene(scene))


def _phase_at(explain, index):
    explain.phase_index = index
    explain.go(0)


def test_clicking_a_point_explains_that_point(qtbot, window):
    """A click on the data picks the nearest point: its coordinates and class are explained,
    and its inputs are on the diagram's input cards."""
    explain = _open_tab(qtbot, window)
    data = window.session.dataset
    row = 7
    x, y = data.X_train[row]
    _click_plot(qtbot, explain.picker.plot, x, y)
    qtbot.waitUntil(lambda: explain.picker.picked == row and np.array_equal(explain.explanation.point, [x, y]))
    assert explain.explanation.target == data.y_train[row] and not explain.picker.typed
    assert explain.explanation.in_batch  # a training point, and the whole set is the batch
    cards = explain.diagram.card_texts()
    assert cards[UnitRef(0, 0)] == [("x", number(x))] and cards[UnitRef(0, 1)] == [("x", number(y))]
    assert explain.picker.ring.data["x"].tolist() == [x]  # ringed


def test_a_typed_point_takes_the_class_chosen_for_it(qtbot, window):
    """Typed coordinates make a point of the user's own, not in the batch; its class is chosen."""
    explain = _open_tab(qtbot, window)
    picker = explain.picker
    assert not picker.class_box.isEnabled()  # a data point's class is its own
    picker.boxes[0].setValue(0.25)
    picker.boxes[1].setValue(-0.5)
    assert picker.typed and picker.class_box.isEnabled()
    picker.class_box.setCurrentIndex(1)
    qtbot.waitUntil(lambda: explain.explanation.target == 1.0)
    e = explain.explanation
    assert np.array_equal(e.point, [0.25, -0.5]) and not e.in_batch
    assert e.targets.tolist() == [0.0, 1.0]


def test_a_typed_point_of_a_curve_takes_the_value_chosen_for_it(qtbot, make_window):
    """On a curve (regression of one coordinate) a typed point's value is typed beside its x;
    the point is marked at (x, value) by the network's curve."""
    window = make_window(TrainingConfig(dataset="sine", hidden=(4,), samples=60, dtype="float64"))
    explain = _open_tab(qtbot, window)
    picker = explain.picker
    assert len(picker.boxes) == 1 and picker.value_box.isVisible() and not picker.class_box.isVisible()
    assert len(picker.curve.getData()[0]) > 0  # the network's curve
    picker.boxes[0].setValue(0.3)
    picker.value_box.setValue(0.5)
    qtbot.waitUntil(lambda: explain.explanation.target == 0.5)
    e = explain.explanation
    assert e.regression and np.array_equal(e.point, [0.3]) and e.targets.tolist() == [0.5]
    assert picker.cross.data["x"].tolist() == [0.3] and picker.cross.data["y"].tolist() == [0.5]


def test_next_and_back_go_through_exactly_the_phases(qtbot, window):
    """→ and Next go forward layer by layer, to the loss, backward and the update, and stop
    there; ← and Back go back to the start. The Train view's timeline does not move."""
    explain = _open_tab(qtbot, window)
    expected = phases(2)
    seen = [explain.phase]
    for _ in range(len(expected) + 2):  # two presses too many: nothing past the update
        qtbot.keyClick(explain.diagram, Qt.Key_Right)
        if explain.phase != seen[-1]:
            seen.append(explain.phase)
    assert seen == expected
    assert not explain.next_button.isEnabled() and explain.phase_label.text() == "Update"
    explain.back_button.click()
    assert explain.phase == expected[-2] and explain.phase_label.text() == "Backward: layer 1"
    for _ in range(len(expected)):
        qtbot.keyClick(explain.diagram, Qt.Key_Left)
    assert explain.phase == expected[0] and explain.phase_label.text() == "Forward: layer 1 of 2"
    assert not explain.back_button.isEnabled()
    assert window.view.moment is None  # the arrows were the Explain tab's


def test_the_diagram_shows_the_engines_numbers_in_every_phase(qtbot, window):
    """Each card's numbers are the explanation's, which are the engine's forward pass (to
    1e-12 in float64); numbers a phase has not reached are not shown."""
    explain = _open_tab(qtbot, window)
    e, network = explain.explanation, window.session.trainer.network
    point = e.point[None]
    for k in range(2):
        assert np.allclose(e.layers[k].sums, layer_output(network, point, k, before_activation=True)[0],
                           rtol=0, atol=1e-12)
        assert np.allclose(e.layers[k].outputs, layer_output(network, point, k)[0], rtol=0, atol=1e-12)
    hidden, output = e.layers
    for index, phase in enumerate(phases(2)):
        _phase_at(explain, index)
        cards = explain.diagram.card_texts()
        unit = cards[UnitRef(1, 2)]
        if phase.kind == "forward" or phase.kind == "loss":
            assert unit == [("a", number(hidden.sums[2])), ("z", number(hidden.outputs[2]))]
        elif phase.kind == "backward":
            delta = number(hidden.deltas[2]) if phase.layer == 0 else UNKNOWN
            assert unit == [("z", number(hidden.outputs[2])), ("δ", delta)]
        else:
            assert unit == [("b", number(hidden.biases[2])), ("→", number(hidden.new_biases[2]))]
    _phase_at(explain, 2)  # the loss: the outputs against their targets
    assert explain.diagram.card_texts()[UnitRef(2, 1)] == [("y", number(output.outputs[1])),
                                                           ("t", number(e.targets[1]))]
    _phase_at(explain, 3)  # backward through the output layer: the edges carry the gradient
    labels = explain.diagram.edge_labels()
    assert labels[ParameterRef(1, 0, 1)] == number(output.weight_gradient[0, 1])
    assert ParameterRef(0, 0, 0) not in labels  # the first layer's gradient comes a phase later
    assert "∂E/∂" in explain.formulas.plain_text()


def test_setting_a_weight_changes_the_run_which_trains_on_from_it(qtbot, window):
    """Clicking an edge opens a box with its weight; a new value goes into the trainer's
    network, the explanation follows, and the next step starts from it (its update is the
    one the explanation predicted)."""
    explain = _open_tab(qtbot, window)
    _phase_at(explain, 0)
    edge = ParameterRef(0, 1, 2)
    qtbot.mouseClick(explain.diagram, Qt.LeftButton, pos=explain.diagram.edge_point(edge).toPoint())
    assert explain.weights.editor is not None and explain.weights.editor.isVisible()
    explain.weights.editor.field.setText("0.75")
    explain.weights.editor.accept()
    page = WindowPage(window)
    qtbot.waitUntil(lambda: page.session.is_settled and page.network.weights[0][1, 2] == 0.75)
    qtbot.waitUntil(lambda: explain.explanation.layers[0].weights[1, 2] == 0.75)
    predicted = explain.explanation.layers[0].new_weights.copy()
    step = page.step_count
    window.session.step()
    qtbot.waitUntil(lambda: page.session.is_settled and page.step_count == step + 1, timeout=20000)
    assert np.allclose(page.network.weights[0], predicted, rtol=0, atol=1e-12)
    qtbot.waitUntil(lambda: explain.step == step + 1)  # a step taken while explaining: the next is explained


def test_a_bias_is_set_by_double_clicking_its_unit(qtbot, window):
    """Double-clicking a unit opens the box for its bias."""
    explain = _open_tab(qtbot, window)
    rect = explain.diagram.card_rect(UnitRef(2, 0))
    qtbot.mouseDClick(explain.diagram, Qt.LeftButton, pos=rect.center().toPoint())
    assert explain.weights.editor is not None and explain.weights.editor.heading.text().startswith("Bias of output unit 1")
    explain.weights.editor.field.setText("not a number")
    explain.weights.editor.accept()
    assert explain.weights.editor.isVisible() and "not a number" in explain.weights.editor.problem.text()  # refused, box stays
    explain.weights.editor.field.setText("-2.5")
    explain.weights.editor.accept()
    qtbot.waitUntil(lambda: WindowPage(window).session.is_settled and WindowPage(window).network.biases[1][0] == -2.5)


def test_opening_the_tab_pauses_training_and_says_so(qtbot, window):
    """Training stops when the Explain tab comes into view; the status bar says why."""
    window.session.start()
    assert window.session.is_running
    window.tabs.setCurrentWidget(window.explain)
    assert not window.session.is_running
    assert "paused" in window.statusBar().currentMessage()
    settle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.explain.explanation is not None and
                    window.explain.step == window.session.trainer.step_count)


def test_the_step_is_exported_as_a_picture_and_as_text(qtbot, window, tmp_path):
    """Save PNG writes the diagram and formulas; Save text and Copy as text give the plain table."""
    explain = _open_tab(qtbot, window)
    picture, text = tmp_path / "step.png", tmp_path / "step.txt"
    assert explain.save_png(str(picture)) and explain.exports.save_text(str(text))
    image = QImage(str(picture))
    assert image.width() >= explain.picture.width() and image.height() >= explain.picture.height()
    table = explanation_table(explain.explanation)
    assert text.read_text(encoding="utf-8") == table
    explain.exports.copy_text()
    assert QApplication.clipboard().text() == table
    assert not window.errors


def test_an_unwritable_path_gets_a_sentence_and_nothing_is_written(qtbot, window, tmp_path):
    """A folder that is not there, or a path that is a folder: one sentence each, no file."""
    explain = _open_tab(qtbot, window)
    missing = tmp_path / "no such folder" / "step.png"
    assert not explain.save_png(str(missing)) and not explain.exports.save_text(str(tmp_path / "no such folder" / "s.txt"))
    assert not explain.exports.save_text(str(tmp_path))
    assert len(window.errors) == 3 and all(e.startswith("Cannot save") and e.endswith(".") for e in window.errors)
    assert "does not exist" in window.errors[0] and "is a folder" in window.errors[2]
    assert list(tmp_path.iterdir()) == []


def test_a_wide_layer_shows_its_strongest_units_and_says_so(qtbot, make_window):
    """A layer of 50 units shows the 12 largest by |z| (by |δ| going backward), and says "12 of 50"."""
    window = make_window(TrainingConfig(dataset="moons", hidden=(50,), samples=60, dtype="float64"))
    explain = _open_tab(qtbot, window)
    diagram, e = explain.diagram, explain.explanation
    assert diagram.units_note(1) == "12 of 50 units shown" and diagram.units_note(2) == "2 units"
    strongest = np.argsort(-np.abs(e.layers[0].outputs))[:12]
    assert diagram.shown_units()[1].tolist() == sorted(strongest.tolist())
    _phase_at(explain, phases(2).index(phases(2)[-1]))
    strongest = np.argsort(-np.abs(e.layers[0].deltas))[:12]
    assert diagram.shown_units()[1].tolist() == sorted(strongest.tolist())
    assert len(diagram.card_texts()) == 2 + 12 + 2


def test_the_keyboard_help_lists_the_explain_keys():
    """Help > Keyboard shortcuts names the Explain tab's keys."""
    text = help_dialogs.keys_text()
    assert "Explain" in text and "phase" in text


def test_a_rate_changed_with_the_tab_open_is_explained_at_once(qtbot, window):
    """Changing the learning rate in the controls while the tab is open explains the step again:
    the update is the new rate's, and the note says it."""
    explain = _open_tab(qtbot, window)
    assert explain.explanation.lr != 0.25 and "η = 0.25" not in explain.note.text()
    window.controls.lr.setValue(0.25)
    qtbot.waitUntil(lambda: explain.explanation.lr == 0.25)
    assert "(sgd, η = 0.25)" in explain.note.text()
    e = explain.explanation
    assert e.optimizer == "sgd" and e.momentum == 0  # the update is w - η g
    assert np.allclose(e.layers[0].new_weights, e.layers[0].weights - 0.25 * e.layers[0].batch_weight_gradient,
                       rtol=0, atol=1e-12)


def test_points_removed_with_the_tab_open_are_explained_at_once(qtbot, window):
    """A training point removed (as drawing does) while the tab is open: the next step's batch is
    one point smaller, and the explanation and its note say so."""
    explain = _open_tab(qtbot, window)
    data = window.session.dataset
    n = len(data.y_train)
    assert explain.explanation.batch_size == n  # the full batch
    window.session.edit_points(dataclasses.replace(data, X_train=data.X_train[:-1], y_train=data.y_train[:-1]))
    qtbot.waitUntil(lambda: explain.explanation.batch_size == n - 1)
    assert f"a batch of {n - 1:,} points" in explain.note.text()


def test_with_dropout_the_note_says_the_update_is_without_its_mask(qtbot, window):
    """The step's own update leaves out units by a mask drawn afresh; the explanation shows the
    network without it, and the note says so (and says nothing of it without dropout)."""
    explain = _open_tab(qtbot, window)
    assert "dropout" not in explain.note.text()
    window.controls.dropout.setValue(0.2)
    qtbot.waitUntil(lambda: explain.explanation.dropout_left_out)
    assert explain.note.text().endswith("without dropout's mask, which the step draws afresh.")


# The diagram's size in a window of the default 1400x900, and at its narrowest (a window 1100 wide).
DIAGRAM_SIZES = ((676, 540), (420, 525))


@pytest.mark.parametrize("hidden", [(3,) * 6, (14,) * 6])
def test_six_hidden_layers_fit_without_overlaps(qapp, hidden):
    """With six hidden layers, in every phase, at the default size and the narrowest: the cards
    of neighbouring columns do not overlap, nor do their headers, whose text fits them; no edge's
    number covers a card or another number; and the column the phase works on shows its numbers."""
    config = TrainingConfig(dataset="moons", hidden=hidden, samples=60, dtype="float64")
    data = build_dataset(config)
    explanation = build_trainer(config, data).explain(data.X_train[0], data.y_train[0])
    font = QApplication.font()
    bold, small = QFontMetrics(sized(font, CARD_FONT, bold=True)), QFontMetrics(sized(font, SMALL_FONT))
    for width, height in DIAGRAM_SIZES:
        for phase in phases(7):
            g = DiagramGeometry(explanation, phase, width, height, ["x₁", "x₂"], ["0", "1"], font)
            for left, right in zip(g.cards, g.cards[1:]):
                assert max(r.right() for r in left.values()) < min(r.left() for r in right.values()), (width, phase)
            for left, right in zip(g.headers, g.headers[1:]):
                assert left.rect.right() < right.rect.left(), (width, phase, left, right)
            for header in g.headers:
                assert bold.horizontalAdvance(header.title) <= header.rect.width()
                assert small.horizontalAdvance(header.note) <= header.rect.width()
                assert 0 <= header.rect.left() and header.rect.right() <= width
            cards = [rect for column in g.cards for rect in column.values()]
            labels = [label.rect for label in g.labels(g.default_focus())]
            assert not any(a.intersects(b) for a in labels for b in cards)
            assert not any(a.intersects(b) for k, a in enumerate(labels) for b in labels[k + 1:])
            assert not g.folded[phase_column(phase, 7)], (width, phase)


def test_a_point_given_probability_zero_is_explained_with_an_infinite_loss(qtbot, make_window):
    """A point typed far from the data, which the network gives probability 0 for its class:
    its loss is shown as inf, its δ is finite, and nothing is said to be wrong."""
    window = make_window(TrainingConfig(dataset="moons", hidden=(8,), activation="relu", samples=60, dtype="float64"))
    explain = _open_tab(qtbot, window)
    explain.picker.type_point([-5000.0, 3000.0], 0)
    qtbot.waitUntil(lambda: explain.explanation.point[0] == -5000.0)
    e = explain.explanation
    assert e.point_loss == np.inf and np.all(np.isfinite(e.layers[-1].deltas))
    _phase_at(explain, phases(2).index(Phase("loss")))
    qtbot.mouseClick(explain.diagram, Qt.LeftButton, pos=explain.diagram.card_rect(UnitRef(2, 0)).center().toPoint())
    assert explain.diagram.selected == UnitRef(2, 0)  # the output unit: its formulas begin with the loss
    assert explain.formulas.plain_text().splitlines()[1].endswith("= inf")
    assert "cannot" not in explain.note.text() and not window.errors


def test_weights_whose_batch_loss_is_not_finite_are_not_blamed_on_the_rate(qtbot, window):
    """Weights set a thousandfold (by hand, not by training) give the batch an infinite loss: the
    note says the step cannot be explained and why, and does not blame the learning rate."""
    explain = _open_tab(qtbot, window)
    step = explain.step
    window.session.set_weights(window.session.trainer.network.flat * 1000)
    qtbot.waitUntil(lambda: explain.explanation is None)
    note = explain.note.text()
    assert note.startswith("This step cannot be explained: the batch's loss is not finite")
    assert "learning rate" not in note and explain.step == step


def test_a_diverged_run_that_cannot_be_explained_names_the_learning_rate():
    """Only when training diverged does the note suggest a smaller learning rate."""
    assert cannot_explain("the gradient is not finite", diverged=True).endswith("set a smaller learning rate.")
    assert "learning rate" not in cannot_explain("the gradient is not finite", diverged=False)
