"""The Train view on images: the map, the confusion matrix, the mistakes, the drawing pad and the
units' pictures follow the network; switching between images and points while training."""

import numpy as np
import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import QSettings
from PyQt5.QtWidgets import QApplication
from sklearn.metrics import confusion_matrix

from nnviz.core.analysis.projection import last_hidden, principal_map
from nnviz.core.config import digits_config
from nnviz.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    window = MainWindow(digits_config().replace(samples=600), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    page = WindowPage(window)
    qtbot.addWidget(window)
    window.show()
    QApplication.setActiveWindow(window)
    window.errors = []
    window.show_error = window.errors.append  # record instead of a modal box
    yield window
    window.close()
    assert not page.has_any_process


def _trained(qtbot, window, steps):
    page = WindowPage(window)
    page.start()
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step >= steps, timeout=30000)
    page.settle(qtbot)
    page.draw_now()


def test_the_views_of_images_show_the_network_as_it_is(qtbot, window, page):
    """In place of the boundary: the map is the principal components of the last hidden layer,
    the confusion matrix is scikit-learn's of the network's predictions, the mistakes are the
    wrong test images most confident first, and the units show their incoming weights."""
    view = window.view
    assert view.data_view.currentWidget() is view.images
    _trained(qtbot, window, 100)
    network, data = page.network, page.dataset
    panel = view.images
    expected, _ = principal_map(last_hidden(network, data.X_test), panel.map._axes)
    np.testing.assert_allclose(panel.map.coordinates(), expected, atol=1e-9)
    panel.setCurrentWidget(panel.confusion)
    predicted = network.predict_proba(data.X_test).argmax(axis=1)
    np.testing.assert_array_equal(panel.confusion.matrix(), confusion_matrix(data.y_test, predicted, labels=range(10)))
    panel.setCurrentIndex(2)
    shown = panel.mistakes.shown()
    assert sorted(i for i, *_ in shown) == np.flatnonzero(predicted != data.y_test).tolist() and shown
    assert [p for *_, p in shown] == sorted((p for *_, p in shown), reverse=True)
    units = view.inside.units
    weights = network.weights[0][:64].T.reshape(-1, 8, 8)
    np.testing.assert_allclose(units.displayed_maps()[:, ::-1, :], weights[units.order()], rtol=1e-6)


def test_the_drawing_pad_shows_what_the_network_makes_of_a_drawing(qtbot, window, page):
    """A test image on the pad: the bars are the network's probabilities for it; another image,
    other probabilities."""
    _trained(qtbot, window, 300)
    panel = window.view.images
    panel.setCurrentWidget(panel.drawing)
    network, data = page.network, page.dataset
    probabilities = network.predict_proba(data.X_test)
    for k in (0, 1):
        panel.drawing.pad.set_image(data.X_test[k])
        shown = np.array([p for _, p in panel.drawing.bars.shown()])
        np.testing.assert_allclose(shown, probabilities[k], rtol=1e-5, atol=1e-7)
    assert not np.allclose(probabilities[0], probabilities[1])


def test_switching_between_images_and_points_while_training(qtbot, window, page):
    """Digits, moons, digits again, each chosen while training: the view, the network and the
    settings follow, and training goes on."""
    page.start()
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.step > 20, timeout=30000)
    combo = window.controls.dataset
    for name, sizes, shown in (("moons", (2, 100, 2), window.view.boundary.parentWidget()),
                               ("digits", (64, 100, 10), window.view.images)):
        combo.setCurrentIndex(combo.findData(name))
        qtbot.waitUntil(lambda sizes=sizes: page.latest.network.layer_sizes == sizes and page.latest.step > 20,
                        timeout=30000)
        assert page.is_running and window.view.data_view.currentWidget() is shown
        assert page.config.samples == (200 if name == "moons" else 1797)
        page.draw_now()
    assert not window.view.banner.isVisible()
    page.settle(qtbot)


def test_the_window_opens_mnist_files(qtbot, window, page, tmp_path):
    """Open points takes an IDX file: its images, in their shape, with the views of images."""
    from nnviz.core.data.idx import write_idx

    labels = np.arange(90) % 3
    pixels = (np.random.default_rng(0).random((90, 6, 6)) * 80 + labels[:, None, None] * 80).astype(np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte", pixels, labels)
    assert window.files.open_data(str(tmp_path / "train-images-idx3-ubyte"))
    data = page.dataset
    assert data.image_shape == (6, 6) and data.classes == 3 and len(data.y_train) + len(data.y_test) == 90
    qtbot.waitUntil(lambda: page.latest is not None and page.latest.network.layer_sizes[0] == 36,
                    timeout=10000)
    assert window.view.data_view.currentWidget() is window.view.images
    assert not window.files.open_data(str(tmp_path / "missing-images-idx3-ubyte"))  # a sentence, nothing lost
    assert window.errors == [f"Cannot read {tmp_path / 'missing-images-idx3-ubyte'}: there is no such file."]
    assert page.dataset is data


def test_the_views_of_images_wait_for_the_digits(qtbot):
    """Before the digits are loaded (an empty stand-in), every tab can be shown: nothing to
    classify yet, and no error."""
    from nnviz.core.data.datasets import without_points
    from nnviz.core.training.experiment import build_network
    from nnviz.gui.images.image_panel import ImagePanel

    panel = ImagePanel()
    qtbot.addWidget(panel)
    stand_in = without_points("digits", 10)
    panel.set_dataset(stand_in)
    panel.show()
    panel.show_network(build_network(digits_config(), stand_in))
    for tab in range(panel.count()):
        panel.setCurrentIndex(tab)
        panel.currentWidget().grab()
    assert panel.classification is None and not len(panel.map.coordinates())


def test_the_views_of_images_replay_the_timeline(qtbot, window, page):
    """Dragging the slider back shows that moment's network in the views of images."""
    _trained(qtbot, window, 300)
    window.view.timeline.slider.setValue(10)
    qtbot.waitUntil(lambda: window.replay.index == 10, timeout=10000)
    page.draw_now()
    moment = page.timeline.moments[10]
    np.testing.assert_array_equal(window.view.images.network.flat, moment.weights)
    assert window.view.images.network is page.shown.network and page.shown.step == moment.step
