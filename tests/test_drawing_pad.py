"""The drawing pad: a digit drawn with the mouse, at the data's resolution and with the data's
strokes, and what a network makes of it."""

from itertools import pairwise

import numpy as np
import pytest
from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtTest import QTest

from nnviz.gui.images.drawing_pad import DrawingPad, DrawingPanel, ProbabilityBars


@pytest.fixture(scope="module")
def trainer():
    """A digits network trained for 300 steps (over 90% right on the test images)."""
    from nnviz.core.config import digits_config
    from nnviz.core.training.experiment import build_trainer

    t = build_trainer(digits_config(), log_every=10**9)
    t.step(300)
    return t


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits, scaled to 0-1 as nnviz does: (images (n, 8, 8), labels)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images / 16.0, d.target


@pytest.fixture
def make_pad(qtbot):
    def make(rows=8, cols=8):
        pad = DrawingPad(rows, cols)
        qtbot.addWidget(pad)
        pad.resize(220, 220)
        pad.show()
        qtbot.waitExposed(pad)
        return pad

    return make


def drag(widget, path, button=Qt.LeftButton, steps=12):
    """Press ``button`` at the first point of ``path``, move through the others in ``steps`` steps
    each, release at the last. Points are ``(across, down)`` as shares of the pad's image.

    The events go through the window (QTest's QWindow overloads): QTest's widget ``mouseMove``
    moves the cursor, which the offscreen platform does not turn into events."""
    pad = widget.pad if isinstance(widget, DrawingPanel) else widget
    window = pad.window()
    rect = pad.image_rect()

    def at(u, v):
        return pad.mapTo(window, QPoint(round(rect.left() + u * rect.width()), round(rect.top() + v * rect.height())))

    handle = window.windowHandle()
    QTest.mousePress(handle, button, Qt.NoModifier, at(*path[0]))
    for (u0, v0), (u1, v1) in pairwise(path):
        for s in np.linspace(0, 1, steps + 1)[1:]:
            QTest.mouseMove(handle, at(u0 + s * (u1 - u0), v0 + s * (v1 - v0)))
    QTest.mouseRelease(handle, button, Qt.NoModifier, at(*path[-1]))


SEVEN = [(0.2, 0.12), (0.8, 0.12), (0.45, 0.92)]


def test_a_horizontal_drag_inks_the_rows_it_crosses(make_pad):
    """Across the middle: rows*cols values in 0..1, ink in the middle rows, none at the top or bottom."""
    pad = make_pad()
    assert not pad.image().any()
    drag(pad, [(0.1, 0.5), (0.9, 0.5)])
    image = pad.image()
    assert image.shape == (64,)
    assert image.min() >= 0 and image.max() <= 1
    rows = image.reshape(8, 8).sum(axis=1)
    assert rows[3] > 2 and rows[4] > 2
    assert rows[0] == 0 and rows[7] == 0


def test_a_drawn_stroke_has_the_ink_of_a_digits_stroke(make_pad, digits):
    """At 8x8 a stroke's pixels take intermediate values, as the digits' do (ink counted in 4x4
    blocks); a horizontal stroke puts as much ink in each column as a 7's top bar does; a drawn
    7 has about as much ink as the digits' 7s."""
    images, labels = digits
    pad = make_pad()
    drag(pad, [(0.0, 0.2), (1.0, 0.2)])
    drawn = pad.image().reshape(8, 8)
    inked = drawn[drawn > 0]
    assert np.any((inked > 0.1) & (inked < 0.9)), "the pen makes shades, not only black and white"
    assert drawn.max() > 0.7
    sevens = images[labels == 7]
    bar = np.median(sevens[:, :3, 3:6].sum(axis=1))  # ink down a column across the top bar: ~1.9
    across = drawn[:, 2:6].sum(axis=0)
    assert np.all((0.5 * bar < across) & (across < 1.5 * bar)), (across, bar)

    pad.clear()
    drag(pad, SEVEN)
    ink, data_ink = pad.image().sum(), sevens.sum(axis=(1, 2)).mean()  # the digits' 7s: ~19 of 64
    assert 0.6 * data_ink < ink < 1.5 * data_ink, (ink, data_ink)


def test_right_drag_erases(make_pad):
    """The right button takes the ink away where it passes."""
    pad = make_pad()
    drag(pad, [(0.1, 0.5), (0.9, 0.5)])
    drag(pad, [(0.0, 0.5), (1.0, 0.5)], button=Qt.RightButton)
    assert pad.image().max() < 0.05


def test_clear_empties_the_pad_and_says_so(make_pad, qtbot):
    pad = make_pad()
    drag(pad, SEVEN)
    with qtbot.waitSignal(pad.changed) as blocker:
        pad.clear()
    assert not pad.image().any() and not blocker.args[0].any()


def test_changed_ends_with_the_final_drawing(make_pad):
    """While drawing ``changed`` fires (throttled); its last vector is the drawing as released."""
    pad = make_pad()
    seen = []
    pad.changed.connect(seen.append)
    drag(pad, SEVEN)
    assert seen
    np.testing.assert_array_equal(seen[-1], pad.image())


def test_set_image_shows_it_and_drawing_goes_on_over_it(make_pad, digits):
    pad = make_pad()
    image = digits[0][0].ravel()
    pad.set_image(image)
    np.testing.assert_allclose(pad.image(), image)
    drag(pad, [(0.1, 0.95), (0.9, 0.95)])
    after = pad.image()
    assert after[56:].sum() > image[56:].sum() + 1
    assert np.all(after >= image - 1e-12)
    with pytest.raises(ValueError, match="8x8"):
        pad.set_image(np.zeros(10))


def test_mnist_sized_pad(make_pad):
    """At 28x28 the pen is MNIST's 2-3 pixels wide."""
    pad = make_pad(28, 28)
    drag(pad, [(0.1, 0.5), (0.9, 0.5)])
    drawn = pad.image().reshape(28, 28)
    assert drawn.shape == (28, 28) and drawn.max() <= 1
    across = drawn[:, 8:20].sum(axis=0)
    assert np.all((1.8 < across) & (across < 3.5)), across
    assert not drawn[:10].any() and not drawn[18:].any()


def test_probability_bars_show_every_class():
    bars = ProbabilityBars()
    assert bars.shown() == []
    bars.show_probabilities(np.array([0.1, 0.7, 0.2]), ("zero", "one"))
    assert bars.shown() == [("zero", pytest.approx(0.1)), ("one", pytest.approx(0.7)), ("2", pytest.approx(0.2))]
    bars.show_probabilities(None, ())
    assert bars.shown() == []


@pytest.fixture
def panel(qtbot, trainer):
    panel = DrawingPanel(rng=np.random.default_rng(1))
    qtbot.addWidget(panel)
    panel.resize(480, 300)
    panel.set_names(trainer.data.label_names)
    panel.set_test_images(trainer.data.X_test, trainer.data.y_test)
    panel.show_network(trainer.network)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_drawing_changes_what_the_panel_shows(panel):
    """An empty pad shows the hint; a drawn stroke shows probabilities that sum to 1, and
    they change as the drawing does."""
    assert panel.bars.shown() == []
    drag(panel, SEVEN)
    first = [p for _, p in panel.bars.shown()]
    assert len(first) == 10 and sum(first) == pytest.approx(1, abs=1e-5)
    drag(panel, [(0.3, 0.5), (0.8, 0.5)])
    second = [p for _, p in panel.bars.shown()]
    assert not np.allclose(first, second)


def test_a_test_image_the_network_gets_right_tops_the_bars(panel, trainer):
    data = trainer.data
    right = np.flatnonzero(trainer.network.predict_proba(data.X_test).argmax(axis=1) == data.y_test)
    k = right[0]
    panel.pad.set_image(data.X_test[k])
    shown = panel.bars.shown()
    assert max(shown, key=lambda named: named[1])[0] == data.label_names[data.y_test[k]]
    assert sum(p for _, p in shown) == pytest.approx(1, abs=1e-5)


def test_the_test_image_button_puts_a_test_image_on_the_pad(panel, trainer):
    panel.test_button.click()
    assert any(np.allclose(panel.pad.image(), x) for x in trainer.data.X_test)
    assert panel.bars.shown()
    panel.clear_button.click()
    assert not panel.pad.image().any() and panel.bars.shown() == []
