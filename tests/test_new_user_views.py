"""What a new user met in the control panel, the Train view's plots and the Inside panel
(issue 24, part 4), as specifications (pytest-qt, offscreen, 1400x900 windows)."""

from types import SimpleNamespace

import numpy as np
import pytest
from gui_helpers import WindowPage, write_file
from PyQt5.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt5.QtGui import QEnterEvent, QImage, QPainter, QWheelEvent
from PyQt5.QtWidgets import QApplication, QScrollArea, QWidget

from nnviz.core.analysis.layer_stats import weight_histograms
from nnviz.core.config import TrainingConfig
from nnviz.core.io.runfile import save_run
from nnviz.core.model.network import MLP
from nnviz.core.model.optimizers import (
    OPTIMIZERS,
    SUGGESTED_RATES,
    USUAL_RATES,
    rate_advice,
)
from nnviz.gui.inside.units_view import UnitGrid
from nnviz.gui.train.gradient_plot import NOT_YET
from nnviz.gui.train.histogram_plot import HistogramPanel

BOUNDS = (-2.0, 3.0, -1.5, 2.0)


def _train_until(qtbot, window, steps, timeout=20000):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step >= steps, timeout=timeout)
    page.settle(qtbot)
    page.draw_now()


def _wheel(widget: QWidget, notches: int = -1) -> QWidget:
    """Turn the wheel over ``widget``'s centre (negative: towards the user, which scrolls
    down), delivered as Qt delivers the wheel of a real mouse: to the widget, and while it is
    ignored, to each parent in turn (Qt does not pass on a wheel event a test sends).
    Returns the widget that took it."""
    at = widget.rect().center()
    while True:
        event = QWheelEvent(QPointF(at), QPointF(widget.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120 * notches),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)
        if event.isAccepted() or widget.isWindow():
            return widget
        at, widget = widget.mapToParent(at), widget.parentWidget()


# The control panel and the wheel ---------------------------------------------------------

def test_the_panel_scrolls_at_1400x900(make_window):
    """At 1400x900 the control panel is taller than its room: the wheel has a panel to scroll."""
    window = make_window()
    page = WindowPage(window)
    page.draw_now()
    scroll = window.findChild(QScrollArea)
    assert scroll.widget() is window.controls and scroll.verticalScrollBar().maximum() > 0


@pytest.mark.parametrize("name", ["activation", "noise", "lr_slider", "speed"])
def test_the_wheel_over_an_unfocused_box_scrolls_the_panel_and_changes_nothing(make_window, name):
    """Boxes, fields and sliders in the scrolling panel take the wheel only once they have
    focus: over one that has none, the wheel scrolls the panel, and no setting changes (the
    wheel over Activation turned relu into leaky_relu and threw the network away)."""
    window = make_window()
    page = WindowPage(window)
    scroll, widget = window.findChild(QScrollArea), getattr(window.controls, name)
    bar = scroll.verticalScrollBar()
    bar.setValue(0)
    config, value = page.config, _value(widget)
    assert not widget.hasFocus()
    taker = _wheel(widget.childAt(widget.rect().center()) or widget)  # what the pointer is over: a spin box's text field
    assert _value(widget) == value and page.config == config
    assert taker is scroll.viewport() and bar.value() > 0  # the panel scrolled instead


def test_a_focused_box_takes_the_wheel(make_window):
    """Once clicked into (it has focus), a field takes the wheel as usual."""
    window = make_window()
    page = WindowPage(window)
    noise = window.controls.noise
    noise.setFocus()
    assert noise.hasFocus()
    _wheel(noise, notches=1)
    assert page.config.noise == pytest.approx(0.25)


def _value(widget):
    for read in ("currentIndex", "value"):
        if hasattr(widget, read):
            return getattr(widget, read)()
    raise TypeError(widget)


# One layer in the controls and the Inside panel ------------------------------------------

def test_adding_a_layer_shows_it_in_the_inside_panel_too(qtbot, make_window):
    """"+" under Hidden layers selects the new layer in the controls ("Units, layer 2"), and
    the Inside panel shows that same layer's units; "−" of the selected last layer moves both
    back to the layer before."""
    window = make_window(TrainingConfig(hidden=(5,)))
    page = WindowPage(window)
    controls, inside = window.controls, window.view.inside
    page.draw_now()
    controls.add_layer.click()
    assert controls.width_label.text() == "Units, layer 2" and controls.selected_layer == 1

    def shows_layer(k: int) -> bool:
        page.draw_now()
        return inside.layer == k and inside.layer_choice.currentText().startswith(f"Layer {k + 1}:")

    qtbot.waitUntil(lambda: shows_layer(1))
    assert inside.diagram.layer == 1
    controls.add_layer.click()
    qtbot.waitUntil(lambda: shows_layer(2))
    controls.remove_layer.click()
    assert controls.selected_layer == 1
    qtbot.waitUntil(lambda: shows_layer(1))


def test_a_layer_chosen_in_the_inside_panel_is_the_one_the_controls_edit(qtbot, make_window):
    """And back: the layer chosen in the panel's list is the layer the width controls edit."""
    window = make_window(TrainingConfig(hidden=(5, 7)))
    page = WindowPage(window)
    page.draw_now()
    inside = window.view.inside
    inside.layer_choice.setCurrentIndex(1)
    inside.layer_choice.activated.emit(1)  # what choosing in the list sends
    assert window.controls.selected_layer == 1 and window.controls.hidden.value() == 7 and inside.layer == 1


# The learning rate a new optimiser usually takes ----------------------------------------

def test_every_optimiser_has_usual_rates_and_offers_one_of_them():
    """The table the window and the command line share: every rule has a range of usual rates,
    the rate offered lies inside it, and rates inside it draw no remark."""
    for rule in OPTIMIZERS:
        low, high = USUAL_RATES[rule]
        assert low < high and low <= SUGGESTED_RATES[rule] <= high
        assert rate_advice(rule, SUGGESTED_RATES[rule]) == rate_advice(rule, low) == rate_advice(rule, high) == ""


def test_a_rate_far_from_the_usual_ones_is_named_with_them():
    """sgd's default of 1 is far above Adam's usual 0.001 to 0.01, and 1e-5 far below sgd's."""
    assert rate_advice("adam", 1.0) == ("adam usually learns at rates of 0.001 to 0.01; 1 is far above: "
                                        "it may throw the network off at once.")
    assert "0.1 to 1" in rate_advice("sgd", 1e-5) and "below" in rate_advice("sgd", 1e-5)


def test_choosing_adam_at_sgds_rate_says_so_and_offers_adams(qtbot, make_window):
    """Adam chosen at learning rate 1 (sgd's default): the status bar and the panel say that
    Adam usually learns at 0.001 to 0.01; the rate stays the user's until the offered one is
    clicked, and then the remark goes."""
    window = make_window(TrainingConfig(hidden=(5,), lr=1.0))
    page = WindowPage(window)
    controls = window.controls
    controls.optimizer.setCurrentIndex(controls.optimizer.findData("adam"))
    assert "0.001 to 0.01" in window.statusBar().currentMessage()
    assert controls.rate_hint.isVisibleTo(controls) and "0.001 to 0.01" in controls.rate_hint.text()
    assert page.config.lr == 1.0  # told and offered, never changed unasked
    assert controls.use_usual_rate.text() == "Use 0.005"
    controls.use_usual_rate.click()
    assert page.config.lr == pytest.approx(0.005) and page.config.optimizer == "adam"
    assert not controls.rate_hint.isVisibleTo(controls)


def test_an_optimiser_at_a_usual_rate_draws_no_remark(make_window):
    """RMSprop chosen at 0.005: nothing to say beyond the fresh state."""
    window = make_window(TrainingConfig(hidden=(5,), lr=0.005))
    controls = window.controls
    controls.optimizer.setCurrentIndex(controls.optimizer.findData("rmsprop"))
    assert "afresh" in window.statusBar().currentMessage() and "usually" not in window.statusBar().currentMessage()
    assert not controls.rate_hint.isVisibleTo(controls)


# A log step axis -------------------------------------------------------------------------

def test_log_steps_put_both_step_plots_on_a_log_axis(qtbot, make_window):
    """"Log steps" puts the loss and the gradient plots' steps on log10 axes (the first steps
    spread out); hovering still reads the step under the pointer, and a moment's marker stands
    at its step."""
    window = make_window()
    page = WindowPage(window)
    _train_until(qtbot, window, 2000)
    view = window.view
    view.log_steps.setChecked(True)
    for plot in (view.loss, view.gradients):
        assert plot.getPlotItem().getAxis("bottom").logMode and plot.log_steps
    curve_x = view.loss.train_curve.getData()[0]  # as drawn: log10 of the step (step 0 has none; the history is dense early)
    assert np.nanmin(curve_x) == pytest.approx(0.0) and np.nanmax(curve_x) == pytest.approx(np.log10(page.latest.history[-1, 0]))
    view.loss.show_marker(100)
    assert view.loss.marker.value() == pytest.approx(2.0)
    view.log_steps.setChecked(False)
    assert view.loss.marker.value() == pytest.approx(100.0) and not view.gradients.log_steps


def test_a_step_curve_is_thinned_by_pixel_columns_of_the_log_axis_too(qtbot):
    """On a log step axis the first steps keep their own columns: thinning by point count
    merged the first 40 steps into one column pair."""
    from nnviz.gui.train.plots import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    plot.set_log_steps(True)
    x = np.arange(0, 20010, 10.0)
    drawn_x, _ = plot.thin(x, np.exp(-x / 500))
    assert {10.0, 20.0, 30.0, 40.0} <= set(drawn_x.tolist()) and len(drawn_x) <= 2 * 400 + 1


def test_log_steps_are_remembered_and_shift_l_toggles_them(qtbot, make_window):
    """Like the log loss scale: the choice comes back in the next window; Shift+L toggles it."""
    first = make_window()
    qtbot.keyClick(first, Qt.Key_L, Qt.ShiftModifier)
    assert first.view.log_steps.isChecked() and not first.view.log_scale.isChecked()
    first.close()
    second = make_window()
    assert second.view.log_steps.isChecked() and second.view.loss.log_steps


# Tidier plots ----------------------------------------------------------------------------

@pytest.mark.parametrize("width", [55, 90, 130])
def test_histogram_tick_labels_never_overlap(qtbot, width):
    """Seven narrow gradient histograms of ±1.2e-3: the tick labels that are drawn never touch
    ("-1e-301e-3"), and every plot keeps at least one."""
    panel = HistogramPanel("gradients")
    qtbot.addWidget(panel)
    panel.resize(7 * width, 160)
    panel.show()
    qtbot.waitExposed(panel)
    rng = np.random.default_rng(0)
    gradients = [np.clip(rng.normal(0, 4e-4, (8, 8)), -1.2e-3, 1.2e-3) for _ in range(7)]
    gradients = [np.append(g.ravel(), [-1.2e-3, 1.2e-3]) for g in gradients]  # symmetric ranges
    snapshot = SimpleNamespace(network=SimpleNamespace(activations=("tanh",) * 6),
                               gradient_histograms=weight_histograms(gradients))
    panel.show_snapshot(snapshot, None)
    QApplication.processEvents()
    image = QImage(10, 10, QImage.Format_ARGB32)
    for plot in panel.plots:
        axis = plot.getAxis("bottom")
        painter = QPainter(image)
        texts = axis.generateDrawSpecs(painter)[2]
        painter.end()
        rects = [rect for rect, _flags, _text in texts]
        assert rects
        assert not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:]), [t for *_, t in texts]


def test_the_gradient_key_shows_squares_not_dashes(qtbot, make_window):
    """Each layer's colour in the Gradient size title is a square before its name: a coloured
    dash read as a minus sign ("layer -1 -2")."""
    window = make_window(TrainingConfig(hidden=(4, 4)))
    page = WindowPage(window)
    page.draw_now()
    title = window.view.gradients.getPlotItem().titleLabel.text
    assert title.count("■") == 3 and "━" not in title
    for name in ("1", "2", "output"):
        assert f"■</span>&nbsp;{name}" in title


def test_exported_plots_leave_out_the_interface(qtbot, make_window, tmp_path):
    """Export plots paints the plots only: where the check boxes, the hint line, the layer
    tabs and the layer list are, the picture is blank. The window export keeps them."""
    window = make_window()
    _train_until(qtbot, window, 200)
    view = window.view
    path = tmp_path / "plots.png"
    assert write_file(qtbot, window.files.export_plots, path) == ""
    plots = QImage(str(path))
    scale = plots.width() / view.plots.width()
    interface = (view.baseline_box, view.log_scale, view.log_steps, view.readout, view.layer_tabs.tabBar(),
                 view.inside.layer_choice)
    for widget in interface:
        assert len(_colours_under(plots, widget, view.plots, scale)) == 1, widget  # one colour: blank
    assert len(_colours_under(plots, view.figures, view.plots, scale)) > 1  # the figures are part of the picture
    whole = tmp_path / "window.png"
    assert write_file(qtbot, window.files.export_window, whole) == ""
    assert len(_colours_under(QImage(str(whole)), view.baseline_box, window, 1)) > 1


def _colours_under(image: QImage, widget: QWidget, root: QWidget, scale: float) -> set:
    corner = widget.mapTo(root, QPoint(0, 0))
    colours = set()
    for y in range(int(corner.y() * scale) + 1, int((corner.y() + widget.height()) * scale) - 1):
        for x in range(int(corner.x() * scale) + 1, int((corner.x() + widget.width()) * scale) - 1, 2):
            colours.add(image.pixel(x, y))
    return colours


def test_reset_fits_the_step_plots_afresh(qtbot, make_window):
    """After Reset (or new data, or new points), the loss and gradient plots fit the new run,
    not the old run's thousands of steps, even where the user had zoomed."""
    window = make_window()
    page = WindowPage(window)
    _train_until(qtbot, window, 3000)
    view = window.view
    assert view.loss.viewRange()[0][1] > 1000
    view.gradients.getViewBox().setRange(xRange=(500, 900))  # a zoom: pyqtgraph stops fitting
    page.session.reset()
    qtbot.waitUntil(lambda: page.latest.step == 0)
    view.draw_now()
    for plot in (view.loss, view.gradients):
        assert plot.viewRange()[0][1] < 100, plot
        assert all(plot.getViewBox().autoRangeEnabled())
    window.controls.new_data.click()
    _train_until(qtbot, window, 200)
    # Fitted to the new run's steps (however far past 200 a loaded machine let it go before the
    # pause), not to the old run's 3,000.
    assert view.loss.viewRange()[0][1] < 1.2 * page.latest.step + 100


def test_an_empty_gradient_plot_says_why(qtbot, make_window, tmp_path):
    """Before the first step the Gradient size plot says that it fills as the network trains;
    with its first gradients the remark goes. A run opened from a file, whose gradient sizes
    were never saved, drops the curves of the run before and says that they were not kept up
    to its step; its loss plot fits it afresh."""
    window = make_window()
    page = WindowPage(window)
    page.draw_now()
    note = window.view.gradients.empty_note
    assert note.isVisible() and note.toPlainText() == NOT_YET
    _train_until(qtbot, window, 400)
    assert not note.isVisible()
    path = str(tmp_path / "run.nnviz")
    save_run(path, page.config, page.trainer)
    step = page.step_count
    other = make_window(TrainingConfig(hidden=5, seed=3))
    _train_until(qtbot, other, 100)
    other.view.loss.getViewBox().setRange(xRange=(20, 40))  # a zoom into the run before
    assert other.files.open_file(path)
    other.view.draw_now()
    note, gradients = other.view.gradients.empty_note, other.view.gradients
    assert len(gradients.rows()) == 0 and note.isVisible()
    assert f"up to step {step:,}" in note.toPlainText() and "saved run" in note.toPlainText()
    assert all(other.view.loss.getViewBox().autoRangeEnabled())


# Labels that fit -------------------------------------------------------------------------

@pytest.mark.parametrize("panel", [350, 250])
def test_the_layer_list_is_never_narrower_than_its_text(qtbot, make_window, panel):
    """Offscreen fonts are larger: "Layer 1: 200 leaky_relu" still shows whole, in a narrow
    panel too (the hint beside it wraps instead)."""
    window = make_window(TrainingConfig(hidden=(200, 200), activation="leaky_relu"))
    page = WindowPage(window)
    page.draw_now()
    inside, choice = window.view.inside, window.view.inside.layer_choice
    qtbot.waitUntil(lambda: choice.currentText() == "Layer 1: 200 leaky_relu")
    splitter = window.view.top_splitter
    splitter.setSizes([sum(splitter.sizes()) - panel, panel])
    for layout in (inside.layout(), choice.parentWidget().layout()):  # laid out now, not a turn of the loop later
        layout.activate()
    assert choice.width() >= choice.sizeHint().width()


def test_a_long_legend_caption_takes_a_line_of_its_own(qtbot):
    """A caption too long to sit beside the colour scale goes below it, whole, and the tiles
    move down to make room; a short one stays beside the scale."""
    grid = UnitGrid()
    qtbot.addWidget(grid)
    grid.resize(360, 300)
    grid.show()
    qtbot.waitExposed(grid)
    grid.show_network(MLP.initialise((2, 6, 2), "tanh", np.random.default_rng(0), "float32"), BOUNDS)
    assert grid.legend_caption() == "each unit's output"
    beside = grid.tile_rect(0).top()
    digits = MLP.initialise((64, 6, 10), "tanh", np.random.default_rng(0), "float32")
    grid.show_images(digits, (8, 8), 0, np.random.default_rng(1).random((30, 64)))
    assert grid.legend_caption() == "incoming weights: + green, \u2212 purple"  # whole, not "incoming weights: + green, − p…"
    assert grid.tile_rect(0).top() > beside


# Tiles that hold still under the pointer -------------------------------------------------

def test_tiles_hold_their_order_from_the_moment_the_pointer_enters(qtbot):
    """The tiles hold their order while the pointer is over them, from the moment it enters
    (an enter often comes with no move: the first, or after something passed over the
    pointer), so a click picks the unit that was shown under the pointer; when it leaves
    the strongest come first again."""
    grid = UnitGrid()
    qtbot.addWidget(grid)
    grid.resize(420, 330)
    grid.show()
    qtbot.waitExposed(grid)
    weak_first = _network_with_outgoing([1.0, 2.0, 3.0, 4.0])
    grid.show_network(weak_first, BOUNDS)
    shown = grid.order().tolist()
    assert shown == [3, 2, 1, 0]
    centre = grid.tile_rect(0).center()
    QApplication.sendEvent(grid, QEnterEvent(QPointF(centre), QPointF(centre), QPointF(grid.mapToGlobal(centre))))
    grid.show_network(_network_with_outgoing([4.0, 3.0, 2.0, 1.0]), BOUNDS)  # training turned the order round
    assert grid.order().tolist() == shown
    with qtbot.waitSignal(grid.unit_selected) as selected:
        qtbot.mouseClick(grid, Qt.LeftButton, pos=centre)
    assert selected.args == [3]  # the unit that was on that tile
    QApplication.sendEvent(grid, QEvent(QEvent.Leave))
    grid.show_network(_network_with_outgoing([4.0, 3.0, 2.0, 1.0]), BOUNDS)
    assert grid.order().tolist() == [0, 1, 2, 3]


def _network_with_outgoing(strengths) -> MLP:
    """Four tanh units with the given outgoing weights (each unit's whole row), on two inputs."""
    w1 = np.array([[1.0, -1.0, 0.5, 0.2], [0.3, 0.8, -0.6, 1.0]])
    w2 = np.array([[s, 0.0] for s in strengths])
    return MLP([w1, w2], [np.zeros(4), np.zeros(2)], "tanh")


def test_a_window_started_at_a_rate_far_from_its_optimisers_says_so(make_window):
    """`nnviz --optimizer adam` keeps sgd's rate of 1, which kills an Adam network at once: the
    window says so from the start, as it does when the optimiser is changed in it."""
    window = make_window(TrainingConfig(hidden=(5,), optimizer="adam", lr=1.0))
    assert window.controls.rate_hint.isVisibleTo(window.controls)
    assert "adam" in window.statusBar().currentMessage() and "0.005" in window.controls.use_usual_rate.text()
    calm = make_window(TrainingConfig(hidden=(5,), optimizer="adam", lr=0.005))
    assert not calm.controls.rate_hint.isVisibleTo(calm.controls)
