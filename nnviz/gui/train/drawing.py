"""Draw mode: clicks and drags on the boundary plot become the Train view's new points."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QObject

from nnviz.core.datafile import MAX_POINTS
from nnviz.core.datasets import Dataset
from nnviz.core.editing import add_points, remove_nearest


class PointEditor(QObject):
    """Connects the draw controls, the boundary plot and the session of a main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editing = False  # True while an edit is being applied (the view keeps its extent)
        box = window.view.boundary.draw_box
        box.points_drawn.connect(self._on_points_drawn)
        box.erase_requested.connect(self._on_erase_requested)
        window.controls.draw_toggled.connect(self._on_draw_toggled)
        window.session.run_reset.connect(self._on_run_reset)

    def _on_draw_toggled(self, enabled: bool) -> None:
        w = self.window
        data = w.session.dataset
        if enabled and data.image_shape is not None:  # images are drawn on the pad, one at a time
            w.controls.draw_button.setChecked(False)
            w.view.images.setCurrentWidget(w.view.images.drawing)
            self._say("These points are images: draw one on the Draw a digit tab.")
            return
        if enabled and data.features > 2:
            w.controls.draw_button.setChecked(False)
            self._say(f"Drawing needs points with two features; these have {data.features}.")
            return
        w.view.set_drawing(enabled)

    def _on_run_reset(self, _snapshot) -> None:
        if self.window.view.drawing and self.window.session.dataset.features > 2:
            self.window.controls.draw_button.setChecked(False)  # points in more dimensions cannot be drawn

    def _on_points_drawn(self, X: np.ndarray) -> None:
        data = self.window.session.dataset
        if data.features != 2:
            return  # (draw mode is off for such data; a click that slipped through changes nothing)
        if len(data.y_train) + len(data.y_test) + len(X) > MAX_POINTS:
            self._say(f"That is as many points as nnviz trains on ({MAX_POINTS:,}); remove some to draw more.")
            return
        self._edit(add_points(data, X, self.window.controls.draw_class))

    def _on_erase_requested(self, x: float, y: float, radius: float) -> None:
        edited = remove_nearest(self.window.session.dataset, x, y, radius)
        if edited is None:
            self._say("No point to remove there (and the last training point stays).")
        else:
            self._edit(edited)

    def _edit(self, data: Dataset) -> None:
        self.editing = True
        try:
            restarted = self.window.session.edit_points(data)
        finally:
            self.editing = False
        if restarted:
            self._say("A new class needs an output of its own: the network starts again with one.")

    def _say(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 5000)
