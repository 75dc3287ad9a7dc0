"""The timeline bar under the Train view's plots (and under the Compare tab's sweep), and the
replay it drives.

Dragging the slider (or the arrow keys, or Play) shows a kept moment of the run in every
panel: the boundary, the hidden units, the diagram, the histograms, the figures, and a red
line on the loss curve; in a sweep, every tile at that step. Training pauses while you look
back; Train goes back to the latest step, and Continue from here trains on from the moment
shown instead.
"""

from __future__ import annotations

from PyQt5.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QStyle,
    QWidget,
)

from nnviz.core.training.timeline import Moment

REPLAY_SPEEDS = (2, 5, 10, 20, 30)  # moments a second that Play shows
DEFAULT_SPEED = 10


class TimelineBar(QWidget):
    """Play, a slider over the run's kept moments, where it is, and Continue from here."""

    moved = pyqtSignal(int)  # the user chose the moment at this index
    play_toggled = pyqtSignal(bool)
    continue_clicked = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.play = QPushButton("Replay")
        self.play.setIcon(self.style().standardIcon(QStyle.SP_MediaPlay))  # not a glyph: some fonts lack ⏸
        self.play.setCheckable(True)
        self.play.setToolTip("Replay the run from the moment shown, at the speed beside (Space while the slider has focus)")
        self.play.toggled.connect(self.play_toggled)
        self.speed = QComboBox()
        for speed in REPLAY_SPEEDS:
            self.speed.addItem(f"{speed} frames/s", speed)
        self.speed.setCurrentIndex(REPLAY_SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("How fast Replay goes through the kept moments")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setToolTip("Drag to any kept moment of the run (dense early, sparser later); "
                               "← and → step from one to the next. Training pauses meanwhile.")
        self.slider.setRange(0, 0)
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self._on_value)
        self.where = QLabel("latest step")
        self.where.setMinimumWidth(170)
        self.continue_button = QPushButton("Continue from here")
        self.continue_button.setToolTip("Train on from the moment shown; the later part of the run is discarded")
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self.continue_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.play)
        layout.addWidget(self.speed)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.where)
        layout.addWidget(self.continue_button)
        self._quiet = False

    def show_latest(self, count: int) -> None:
        """The latest step is shown; the run has ``count`` moments so far."""
        self._place(count, count - 1)
        self.continue_button.setEnabled(False)
        self.where.setText("latest step")

    def show_moment(self, index: int, step: int, count: int) -> None:
        """Moment ``index`` of ``count``, at ``step``, is shown."""
        self._place(count, index)
        self.continue_button.setEnabled(index < count - 1)
        self.where.setText(f"step {step:,} · moment {index + 1} of {count}")

    def _place(self, count: int, index: int) -> None:
        self._quiet = True  # the program moves the handle, not the user
        self.slider.setRange(0, max(0, count - 1))
        self.slider.setValue(index)
        self._quiet = False

    def _on_value(self, index: int) -> None:
        if not self._quiet:
            self.moved.emit(index)


class Replay(QObject):
    """Drives ``view`` from the timeline bar (see the module docstring): ``session`` is its
    runner, whose trainer keeps the timeline; ``view.show_moment`` takes a snapshot of a moment,
    or None for the latest step. Says what it did through ``status``."""

    status = pyqtSignal(str, int)  # a message for the status bar, and how many ms it stays

    def __init__(self, session, view, bar: TimelineBar, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.view, self.bar = session, view, bar
        self.index: int | None = None  # the moment shown; None while the latest is
        self._wanted: int | None = None  # the moment asked for (negative: from the last), maybe before the trainer is here
        self._player = QTimer(self)
        self._player.timeout.connect(self._advance)
        bar.moved.connect(self.show_moment)
        bar.play_toggled.connect(self._on_play)
        bar.continue_clicked.connect(self.continue_from_here)
        bar.speed.currentIndexChanged.connect(lambda _i: self._player.setInterval(self._interval()))
        self.session.running_changed.connect(self._on_running_changed)
        self.session.snapshot_ready.connect(self._on_snapshot)
        self.session.run_reset.connect(self._on_run_reset)

    @property
    def playing(self) -> bool:
        """Whether Replay is going through the moments."""
        return self._player.isActive()

    @property
    def moments(self) -> list[Moment]:
        trainer = self.session.trainer
        return trainer.timeline.moments if trainer is not None else []

    def show_moment(self, index: int) -> None:
        """Show the moment at ``index``, counted from the last if negative (pausing training
        first: the trainer must be here, with the moments of the run so far)."""
        self._wanted = index
        if not self.session.is_settled:
            self.session.pause()
            self.session.with_trainer(lambda _trainer: self._show_wanted())
            return
        self._show_wanted()

    def show_step(self, step: int) -> None:
        """Show the kept moment nearest ``step``."""
        self.session.with_trainer(lambda trainer: trainer.timeline.moments and
                                  self.show_moment(trainer.timeline.index_of(step)))

    def step_by(self, delta: int) -> None:
        """The moment before (-1) or after (+1) the one shown, or the one asked for: keys
        pressed while training pauses count from there, not from the moments here so far."""
        current = self._wanted if self._wanted is not None else self.index
        if current is None:  # from the latest step, back to the last moment kept
            if delta < 0:
                self.show_moment(-1)
        elif current < 0:
            self.show_moment(min(-1, current + delta))
        else:
            self.show_moment(max(0, current + delta))

    def go_live(self, count: int | None = None) -> None:
        """Back to the latest step (of a run with ``count`` moments: by default the trainer's)."""
        self.index = self._wanted = None
        self.bar.play.setChecked(False)
        self.view.show_moment(None)
        self.bar.show_latest(len(self.moments) if count is None else count)

    def continue_from_here(self) -> None:
        """Train on from the moment shown, once the user agrees to lose what came after it."""
        if self.index is None or not self.session.is_settled:
            return
        self.bar.play.setChecked(False)  # the moment asked about stays the one shown while the user decides
        trainer = self.session.trainer
        moment = trainer.timeline.moments[self.index]
        later = trainer.step_count - moment.step
        answer = QMessageBox.question(
            self.bar, "Continue from here",
            f"Train on from step {moment.step:,}? The {later:,} steps after it will be discarded.",
            QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        if answer != QMessageBox.Yes:
            return
        exact = trainer.go_back_to(moment)
        self.go_live()
        self.session.publish_snapshot()
        note = "with the optimiser's state of then" if exact else \
            "the optimiser's state of then was not kept (or its rule has changed since), so it restarts"
        self.session.start()
        self.status.emit(f"Continuing from step {moment.step:,}: {note}.", 8000)

    def _on_run_reset(self, snapshot) -> None:
        # Another run comes: its trainer replaces the session's only after this signal, so the
        # slider's length is the snapshot's (the old run's would leave a fresh run's one moment,
        # a slider that cannot move, under a file opened on it).
        self.go_live(snapshot.moments)

    def _show_wanted(self) -> None:
        moments = self.moments
        if self._wanted is None or not moments:
            return
        wanted = self._wanted if self._wanted >= 0 else len(moments) + self._wanted
        self.index = self._wanted = min(max(0, wanted), len(moments) - 1)
        trainer = self.session.trainer
        self.view.show_moment(trainer.snapshot_at(moments[self.index]))
        self.bar.show_moment(self.index, moments[self.index].step, len(moments))

    def _refresh(self) -> None:
        if self._wanted is None:
            self.bar.show_latest(len(self.moments))

    def _on_snapshot(self, snapshot) -> None:
        if self.index is None:  # the slider's length grows with the run (the trainer's moments are here only once it is)
            count = len(self.moments) + (snapshot.moments if self.session.in_process else 0)
            if count - 1 != self.bar.slider.maximum():
                self.bar.show_latest(count)

    def _on_running_changed(self, running: bool) -> None:
        if running:
            self.go_live()
        elif self._wanted is None:  # paused: the moments of the run so far come back with the trainer
            self.session.with_trainer(lambda _trainer: self._refresh())

    def _on_play(self, playing: bool) -> None:
        self.bar.play.setText("Pause replay" if playing else "Replay")
        self.bar.play.setIcon(self.bar.style().standardIcon(QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))
        if not playing:
            self._player.stop()
            return
        if self.index is None or self.index >= len(self.moments) - 1:
            self.show_moment(0)  # from the start
        self._player.start(self._interval())

    def _advance(self) -> None:
        if self.index is None:
            return  # still waiting for the trainer
        if self.index >= len(self.moments) - 1:
            self.bar.play.setChecked(False)
            return
        self.show_moment(self.index + 1)

    def _interval(self) -> int:
        return round(1000 / self.bar.speed.currentData())
