"""What the Train view shows in place of the decision boundary when each point is an image: the
map of the test images, the confusion matrix with each class's precision, recall and F1, the
mistakes, and a pad to draw a digit on. Only the tab in view is kept up to date."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QScrollArea, QTabWidget, QWidget

from nnviz.core.analysis.metrics import Classification, classify
from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP
from nnviz.gui.images.confusion_view import ConfusionView
from nnviz.gui.images.drawing_pad import DrawingPanel
from nnviz.gui.images.map_view import MapView, shown_points
from nnviz.gui.images.mistakes_view import MistakesView


class ImagePanel(QTabWidget):
    """Fed the data once (:meth:`set_dataset`) and each network to show (:meth:`show_network`)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDocumentMode(True)
        self.map = MapView()
        self.confusion = ConfusionView()
        self.mistakes = MistakesView()
        self.drawing = DrawingPanel()
        self.addTab(self.map, "Map")
        self.addTab(self.confusion, "Confusion matrix")
        scroll = QScrollArea()  # the gallery's height follows its width
        scroll.setWidget(self.mistakes)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.NoFrame)
        self.addTab(scroll, "Mistakes")
        self.addTab(self.drawing, "Draw a digit")
        self.setTabToolTip(0, "The test images where the last hidden layer puts them: classes pull apart as it learns")
        self.setTabToolTip(1, "Which classes the network takes for which, with each class's precision, recall and F1")
        self.setTabToolTip(2, "The test images the network gets wrong, the most confident mistakes first")
        self.setTabToolTip(3, "Draw a digit with the mouse and see what the network makes of it, live")
        self.data: Dataset | None = None
        self.network: MLP | None = None
        self.classification: Classification | None = None  # of the network shown, on the images shown
        self._shown: dict[QWidget, MLP] = {}  # the network each tab last drew
        self.currentChanged.connect(lambda _index: self._refresh())

    def set_dataset(self, data: Dataset) -> None:
        self.data = data
        self.network = self.classification = None
        self._shown.clear()
        self._images, self._labels, self._part = shown_points(data)
        self.map.set_dataset(data)
        self.drawing.set_shape(*data.image_shape)
        self.drawing.set_names(data.label_names)
        self.drawing.set_test_images(self._images, self._labels)

    def show_network(self, network: MLP) -> None:
        """Show what ``network`` makes of the images (in the tab in view; the others when seen)."""
        if self.data is None or network.point_dims != self.data.columns or not len(self._labels):
            return  # (no images yet: the digits are still being loaded)
        self.network = network
        self.classification = None
        self._refresh()

    def _refresh(self) -> None:
        network, tab = self.network, self.currentWidget()
        tab = self.mistakes if isinstance(tab, QScrollArea) else tab
        if network is None or self._shown.get(tab) is network:
            return
        self._shown[tab] = network
        if tab is self.map:
            self.map.show_network(network)
        elif tab is self.drawing:
            self.drawing.show_network(network)
        else:
            if self.classification is None:
                self.classification = classify(network, self._images, self._labels)
            if tab is self.confusion:
                self.confusion.show_classification(self.classification, self.data.label_names, f"{self._part} set")
            else:
                self.mistakes.show_mistakes(self.classification, self._images, self.data.image_shape,
                                            self.data.label_names)
