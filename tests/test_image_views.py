"""The report and the gallery of mistakes of a network on images: they show what scikit-learn
says of the same predictions, find what is under the pointer, and paint at any size."""

import numpy as np
import pytest
from PyQt5.QtGui import QImage
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from nnviz.core.analysis.metrics import Classification
from nnviz.gui.images.confusion_view import ConfusionView
from nnviz.gui.images.mistakes_view import MistakesView

NAMES = ("cat", "dog", "owl")
# Twelve points of three classes; four mistakes planted at known confidences.
TRUE = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
MISTAKES = {1: (1, 0.9), 10: (0, 0.75), 6: (2, 0.6), 11: (1, 0.5)}  # index: (predicted, probability)
MOST_CONFIDENT_FIRST = [1, 10, 6, 11]


def planted() -> Classification:
    """The twelve points: right ones at 0.8 for their class, the mistakes as planted."""
    probabilities = np.full((len(TRUE), 3), 0.1)
    for i, true in enumerate(TRUE):
        predicted, p = MISTAKES.get(i, (true, 0.8))
        probabilities[i] = (1 - p) / 2
        probabilities[i, predicted] = p
    return Classification(TRUE, probabilities)


def random_result(classes: int, points: int, seed: int = 0) -> Classification:
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.full(classes, 0.3), points)
    return Classification(rng.integers(0, classes, points), probabilities)


def colours(widget) -> int:
    """How many distinct colours a grab of ``widget`` has."""
    image = widget.grab().toImage().convertToFormat(QImage.Format_RGB32)
    bits = image.constBits()
    bits.setsize(image.height() * image.bytesPerLine())
    pixels = np.frombuffer(bits, np.uint32).reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()]
    return len(np.unique(pixels))


@pytest.fixture
def confusion(qtbot):
    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(420, 360)
    view.show_classification(planted(), NAMES)
    return view


@pytest.fixture
def gallery(qtbot):
    view = MistakesView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    images = np.random.default_rng(1).random((len(TRUE), 64))
    view.show_mistakes(planted(), images, (8, 8), NAMES)
    return view


def test_matrix_is_sklearns_confusion_matrix(confusion):
    """The counts shown are scikit-learn's confusion matrix: rows true, columns predicted."""
    result = planted()
    np.testing.assert_array_equal(confusion.matrix(), confusion_matrix(TRUE, result.predicted, labels=[0, 1, 2]))


def test_report_rows_are_sklearns_report(confusion):
    """One row per class with scikit-learn's precision, recall, F1 and support, then the macro
    averages."""
    precision, recall, f1, support = precision_recall_fscore_support(TRUE, planted().predicted, labels=[0, 1, 2],
                                                                     zero_division=0)
    rows = confusion.report_rows()
    assert [row[0] for row in rows] == [*NAMES, "macro avg"]
    np.testing.assert_allclose([row[1:4] for row in rows[:3]], np.column_stack([precision, recall, f1]))
    assert [row[4] for row in rows[:3]] == list(support)
    np.testing.assert_allclose(rows[3][1:4], [precision.mean(), recall.mean(), f1.mean()])
    assert rows[3][4] == len(TRUE)


def test_report_of_a_class_never_seen_nor_predicted_is_zero(qtbot):
    """A class absent from the set has precision, recall and F1 0 (zero_division=0), as in
    scikit-learn's report."""
    view = ConfusionView()
    qtbot.addWidget(view)
    result = Classification(TRUE, np.hstack([planted().probabilities, np.zeros((len(TRUE), 1))]))
    view.show_classification(result, (*NAMES, "emu"))
    expected = precision_recall_fscore_support(TRUE, result.predicted, labels=[0, 1, 2, 3], zero_division=0)
    np.testing.assert_allclose([row[1:] for row in view.report_rows()[:4]], np.column_stack(expected))


def test_cell_at_finds_each_cell_at_its_centre(confusion):
    """The cell under the centre of each cell's rectangle is that cell; the title is no cell."""
    for true in range(3):
        for predicted in range(3):
            assert confusion.cell_at(confusion.cell_rect(true, predicted).center()) == (true, predicted)
    assert confusion.cell_at(confusion.rect().topLeft()) is None


def test_cell_tooltip_tells_the_count_and_share_of_the_row(confusion):
    """Hovering a cell says how many images of the true class went to the predicted one."""
    text = confusion.tooltip_at(confusion.cell_rect(0, 1).center())
    assert text.splitlines()[0] == "true cat, predicted dog: 1 image (25.0% of the cats)"


def test_gallery_shows_exactly_the_mistakes_most_confident_first(gallery):
    """The gallery lists the misclassified images, the most confidently wrong first."""
    shown = gallery.shown()
    assert [index for index, *_ in shown] == MOST_CONFIDENT_FIRST
    assert sorted(index for index, *_ in shown) == list(np.flatnonzero(planted().predicted != TRUE))
    assert shown[0] == (1, 0, 1, pytest.approx(0.9))
    assert [p for *_, p in shown] == sorted((p for *_, p in shown), reverse=True)


def test_gallery_limit_keeps_the_most_confident(qtbot):
    """With a limit, the most confident mistakes are the ones shown."""
    view = MistakesView()
    qtbot.addWidget(view)
    view.show_mistakes(planted(), np.zeros((len(TRUE), 4)), (2, 2), NAMES, limit=2)
    assert [index for index, *_ in view.shown()] == MOST_CONFIDENT_FIRST[:2]


def test_tile_at_finds_each_tile_at_its_centre(gallery):
    """The image under the centre of each tile is that tile's; the header is none."""
    for position, (index, *_) in enumerate(gallery.shown()):
        assert gallery.tile_at(gallery.tile_rect(position).center()) == index
    assert gallery.tile_at(gallery.rect().topLeft()) is None


def test_tile_tooltip_lists_the_top_three_classes(gallery):
    """Hovering a tile gives the true class and the three likeliest classes, likeliest first."""
    lines = gallery.tooltip_at(gallery.tile_rect(0).center()).splitlines()
    assert lines == ["image 1: true cat, predicted dog", "dog: 90.0%", "cat: 5.0%", "owl: 5.0%"]


def test_both_views_paint_something(confusion, gallery):
    """Neither widget paints a blank picture."""
    assert colours(confusion) > 2
    assert colours(gallery) > 2


@pytest.mark.parametrize("size", [(260, 220), (120, 90), (900, 700)])
def test_ten_classes_paint_at_any_size(qtbot, size):
    """Ten classes paint at the minimum size, smaller, and large, with long names too."""
    result = random_result(10, 300)
    names = tuple(f"class {k}" for k in range(10))
    confusion, gallery = ConfusionView(), MistakesView()
    for view in (confusion, gallery):
        qtbot.addWidget(view)
        view.resize(*size)
    confusion.show_classification(result, names)
    gallery.show_mistakes(result, np.random.default_rng(0).random((300, 784)), (28, 28), names)
    assert colours(confusion) > 2
    assert colours(gallery) > 2
    assert gallery.heightForWidth(size[0]) > 0


def test_empty_states_paint(qtbot):
    """Before any predictions both views say so; a gallery without mistakes says that."""
    confusion, gallery = ConfusionView(), MistakesView()
    for view in (confusion, gallery):
        qtbot.addWidget(view)
        view.resize(300, 200)
    assert colours(confusion) > 2 and colours(gallery) > 2
    assert confusion.cell_at(confusion.rect().center()) is None
    assert gallery.tile_at(gallery.rect().center()) is None
    perfect = Classification(TRUE, np.eye(3)[TRUE])
    gallery.show_mistakes(perfect, np.zeros((len(TRUE), 64)), (8, 8), NAMES)
    assert gallery.shown() == [] and colours(gallery) > 2
