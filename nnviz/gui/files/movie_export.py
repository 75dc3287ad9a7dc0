"""Frames for movies: a network's boundary and loss curve, or a sweep's grid, at kept moments
of its timeline or as it trains. Each comes as the frames' steps and an iterator of
RGB arrays, so that the window (a frame per turn of the event loop, under a progress dialog)
and the command line (offscreen) make the same pictures. A QApplication must exist."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnviz.core.analysis.regression import regression_figures
from nnviz.core.data.datasets import Dataset
from nnviz.core.io.movie import pick_moments, snapshots_at, spread_steps
from nnviz.core.io.picture_texts import CONFIG_KEY, SWEEP_KEY
from nnviz.core.model.network import MLP
from nnviz.core.training.history import HistoryEntry
from nnviz.core.training.sweep import Sweep, SweepSnapshot
from nnviz.core.training.timeline import Moment
from nnviz.core.training.trainer import TrainingSnapshot
from nnviz.gui.files.picture_export import offscreen_figure
from nnviz.gui.images.map_view import MapView
from nnviz.gui.train.plots import BoundaryPlot, LossPlot

MOVIE_SIZE = (960, 540)  # a Train view movie's frames, in pixels


class MovieFrame(QWidget):
    """What a movie of the Train view shows: a caption with the step and figures, the decision
    boundary (a regression's fit), and the loss curve with the step marked. Made once, fed snapshots."""

    def __init__(self, data: Dataset, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet("MovieFrame { background: white; }")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.resize(*MOVIE_SIZE)
        self.title = QLabel(html.escape(title))
        self.caption = QLabel()
        for label in (self.title, self.caption):
            label.setAlignment(Qt.AlignCenter)
        self.caption.setStyleSheet("font-size: 13pt;")
        self.boundary = BoundaryPlot() if data.image_shape is None else MapView()  # images: their map
        self.loss = LossPlot()
        self.loss.setLogMode(y=True)
        plots = QHBoxLayout()
        plots.addWidget(self.boundary, 3)
        plots.addWidget(self.loss, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.caption)
        layout.addLayout(plots, 1)
        self.data = data
        self.setAttribute(Qt.WA_DontShowOnScreen)  # painted for the movie, never a window of its own
        self.show()  # its plots take their sizes only once shown and laid out
        layout.activate()
        self.boundary.set_dataset(data)

    def picture(self, snapshot: TrainingSnapshot, history: np.ndarray) -> np.ndarray:
        """The frame for ``snapshot``, its loss curve drawn from ``history``."""
        self.caption.setText(f"<b>step {snapshot.step:,}</b> · loss {snapshot.latest.loss:.4f} · "
                             f"{frame_figures(snapshot.latest, self.data, snapshot.network)}")
        self.boundary.show_network(snapshot.network)
        self.loss.set_head(snapshot.network.loss, self.data.regression)  # the axis names the loss
        self.loss.show_history(history)
        self.loss.show_marker(snapshot.step)
        # No processEvents: in the window that would run everything pending, the next frame's turn included.
        self.layout().activate()  # a caption of another width
        return image_array(self.grab().toImage())


def frame_figures(latest: HistoryEntry, data: Dataset, network: MLP) -> str:
    """A frame's figures after its loss: the accuracies, or a regression's RMSE and R² (its
    history's accuracy columns hold R²; :func:`regression_figures` of ``network``, the frame's),
    with the test set's where there is one."""
    if data.regression:
        found = regression_figures(latest, data, network)
        return " · ".join(f"{name} {found['train_' + key]:{form}}"
                          + ("" if math.isnan(found["test_" + key]) else f" (test {found['test_' + key]:{form}})")
                          for name, key, form in (("RMSE", "rmse", ".3g"), ("R²", "r2", ".3f")))
    test = "" if math.isnan(latest.test_accuracy) else f" · test accuracy {latest.test_accuracy:.1%}"
    return f"train accuracy {latest.train_accuracy:.1%}{test}"


def image_array(image: QImage) -> np.ndarray:
    """An RGB copy of ``image``, ``(height, width, 3)`` uint8."""
    image = image.convertToFormat(QImage.Format_RGB888)
    height, width, stride = image.height(), image.width(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits().asstring(stride * height), np.uint8)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def _frame(trainer, title: str, sweep: Sweep | None) -> tuple[QWidget, Callable[..., np.ndarray]]:
    """The offscreen widget a movie paints, and its ``picture(snapshot, history or histories)``:
    a :class:`MovieFrame` for a lone network, the Compare grid (the step marked) for a sweep."""
    if sweep is None:
        frame = MovieFrame(trainer.data, title)
        return frame, frame.picture
    figure = offscreen_figure(sweep, trainer.data)

    def picture(snapshot: SweepSnapshot, histories: list[np.ndarray]) -> np.ndarray:
        figure.marker.show_step(snapshot.step)
        figure.show_snapshot(replace(snapshot, histories=histories))
        return image_array(figure.grab().toImage())

    return figure, picture


def _dispose(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()


def timeline_frames(trainer, frames: int, title: str, sweep: Sweep | None = None
                    ) -> tuple[list[int], Iterator[np.ndarray]]:
    """The steps of the kept moments a movie of at most ``frames`` frames shows (see
    :func:`~nnviz.core.io.movie.pick_moments`), and a picture of each: of the Train view for a
    lone network, of the grid for a ``sweep``."""
    moments = [trainer.timeline.moments[i] for i in pick_moments(trainer.timeline.steps, frames)]
    return [m.step for m in moments], _moment_frames(trainer, moments, title, sweep)


def _moment_frames(trainer, moments: list[Moment], title: str, sweep: Sweep | None) -> Iterator[np.ndarray]:
    widget, picture = _frame(trainer, title, sweep)
    try:
        for moment in moments:
            snapshot = trainer.snapshot_at(moment)
            yield picture(snapshot, snapshot.history if sweep is None else snapshot.histories)
    finally:
        _dispose(widget)


def _merged(history: np.ndarray, seen: list[list[float]]) -> np.ndarray:
    """A history with the figures of the frames so far between its entries (one a step)."""
    rows = np.concatenate([history, seen])
    return rows[np.unique(rows[:, 0], return_index=True)[1]]


def movie_comment(texts: dict[str, str], steps: list[int]) -> str:
    """What a movie carries (a GIF comment, MP4 metadata): the settings a picture's PNG texts
    hold, and the step of each frame, as JSON. (A recorded movie's steps are known for sure
    only once its frames are made: ask after, see :func:`recorded_frames`.)"""
    comment = {key: json.loads(value) for key, value in texts.items() if key in (CONFIG_KEY, SWEEP_KEY)}
    return json.dumps({**comment, "nnviz-steps": steps, "Software": texts.get("Software", "nnviz")})


def recorded_frames(trainer, last_step: int, frames: int, title: str, sweep: Sweep | None = None
                    ) -> tuple[list[int], Iterator[np.ndarray]]:
    """The steps of :func:`~nnviz.core.io.movie.spread_steps` up to ``last_step``, and a picture of
    each snapshot :func:`~nnviz.core.io.movie.snapshots_at` yields as ``trainer`` trains on to
    them, offscreen: of the Train view for a lone network, of the grid for a ``sweep``. A
    divergence ends the movie at the step training went back to, its last frame. The list of
    steps is then cut to the frames made, in place and in the thread that takes the pictures,
    before the last picture comes: it is each frame's step as the frame is made."""
    steps = spread_steps(last_step, frames, trainer.step_count)
    return steps, _recorded(trainer, steps, title, sweep)


def _recorded(trainer, steps: list[int], title: str, sweep: Sweep | None) -> Iterator[np.ndarray]:
    widget, picture = _frame(trainer, title, sweep)
    seen = [] if sweep is None else [[] for _ in sweep.values]  # each frame's figures, between the history's entries
    made = 0
    try:
        for made, snapshot in enumerate(snapshots_at(trainer, list(steps)), 1):
            if snapshot.step != steps[made - 1]:  # a divergence stopped short of this frame's step: the last frame
                steps[made - 1:] = [snapshot.step]
            if sweep is None:
                seen.append(snapshot.latest.row())
                yield picture(snapshot, _merged(snapshot.history, seen))
            else:
                for rows, latest in zip(seen, snapshot.latest):
                    rows.append(latest.row())
                yield picture(snapshot, [_merged(h, rows) for h, rows in zip(snapshot.histories, seen)])
        del steps[made:]  # where a divergence went back to had its frame already
    finally:
        _dispose(widget)
