"""Draw mode: clicks and drags on the boundary plot become the Train view's new points."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QAbstractButton

from nnviz.core.data.datasets import Dataset
from nnviz.core.data.editing import add_points, remove_nearest
from nnviz.core.data.points_file import MAX_POINTS


class PointEditor(QObject):
    """Connects the Draw button, the Train view's boundary plot and its session: the points
    drawn (of the class ``draw_class()`` names) go to ``session``; what cannot be drawn is
    said through ``status``."""

    status = pyqtSignal(str, int)  # a message for the status bar, and how many ms it stays

    def __init__(self, session, view, draw_button: QAbstractButton, draw_class: Callable[[], int],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.view, self.draw_button, self.draw_class = session, view, draw_button, draw_class
        self.editing = False  # True while an edit is being applied (the view keeps its extent)
        box = view.boundary.draw_box
        box.points_drawn.connect(self._on_points_drawn)
        box.erase_requested.connect(self._on_erase_requested)
        draw_button.toggled.connect(self._on_draw_toggled)
        session.run_reset.connect(self._on_run_reset)

    def _on_draw_toggled(self, enabled: bool) -> None:
        data = self.session.dataset
        if enabled and data.image_shape is not None:  # images are drawn on the pad, one at a time
            self.draw_button.setChecked(False)
            self.view.images.setCurrentWidget(self.view.images.drawing)
            self._say("These points are images: draw one on the Draw a digit tab.")
            return
        if enabled and data.regression:  # a point drawn would need a value, not a class
            self.draw_button.setChecked(False)
            self._say("Drawing adds points of a class; these points have values (a regression), so they cannot be drawn.")
            return
        if enabled and data.columns > 2:
            self.draw_button.setChecked(False)
            self._say(f"Drawing needs points with two features; these have {data.columns}.")
            return
        self.view.set_drawing(enabled)

    def _on_run_reset(self, _snapshot) -> None:
        data = self.session.dataset
        if self.view.drawing and (data.columns > 2 or data.regression):
            self.draw_button.setChecked(False)  # points in more dimensions, or with values, cannot be drawn

    def _on_points_drawn(self, X: np.ndarray) -> None:
        data = self.session.dataset
        if data.columns != 2 or data.regression:
            return  # (draw mode is off for such data; a click that slipped through changes nothing)
        if len(data.y_train) + len(data.y_test) + len(X) > MAX_POINTS:
            self._say(f"That is as many points as nnviz trains on ({MAX_POINTS:,}); remove some to draw more.")
            return
        self._edit(add_points(data, X, self.draw_class()))

    def _on_erase_requested(self, x: float, y: float, radius: float) -> None:
        if self.session.dataset.columns != 2 or self.session.dataset.regression:
            return  # (as for drawing: draw mode is off for such data)
        edited = remove_nearest(self.session.dataset, x, y, radius)
        if edited is None:
            self._say("No point to remove there (and the last training point stays).")
        else:
            self._edit(edited)

    def _edit(self, data: Dataset) -> None:
        self.editing = True
        try:
            restarted = self.session.edit_points(data)
        finally:
            self.editing = False
        if restarted:
            self._say("A new class needs an output of its own: the network starts again with one.")

    def _say(self, message: str) -> None:
        self.status.emit(message, 5000)
