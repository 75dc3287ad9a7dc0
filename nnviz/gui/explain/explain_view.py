"""The Explain tab: pick a point, then walk its training step phase by phase (forward layer by
layer, the loss, backward layer by layer, the update) with the engine's numbers on a diagram
and the formulas of the unit or edge in focus; set a weight and the run carries on from it."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QColor, QKeySequence, QPalette
from PyQt5.QtWidgets import (
    QAction,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.arithmetic.step import Phase, StepExplanation, phases
from nnviz.core.model.features import feature_symbol
from nnviz.core.model.network import MLP
from nnviz.gui.explain.diagram_painting import EMPTY
from nnviz.gui.explain.explain_export import ExplainExport
from nnviz.gui.explain.explain_notes import cannot_explain, step_note, training_note
from nnviz.gui.explain.formula_panel import FormulaPanel, part_title
from nnviz.gui.explain.phase_numbers import ParameterRef, phase_title
from nnviz.gui.explain.point_picker import PointPicker
from nnviz.gui.explain.step_diagram import StepDiagram
from nnviz.gui.explain.weight_editor import WeightSetting
from nnviz.gui.files.export import leave_out_of_exports
from nnviz.gui.inside.network_diagram import feature_label, output_labels

CHANGES_MS = 60  # settings changed within this are explained together (a step of a large network takes ~50 ms)
HINT = ("Hover a unit or an edge for its formulas. Click an edge (or its number) to set its weight; "
        "double-click a unit to set its bias. ← and → go through the phases.")


class ExplainView(QWidget):
    """The tab. It works on ``session`` (a :class:`~nnviz.gui.train.session.TrainingSession`):
    the explanation comes from its trainer when it is home (:meth:`set_active` pauses the run),
    and a weight set here goes to it with ``session.set_weights``. ``status`` and ``error`` carry
    sentences for the window's status bar and for the user."""

    status = pyqtSignal(str, int)  # a message and how many ms it stays
    error = pyqtSignal(str)  # something failed, nothing else changed

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.active = False  # the tab is in view
        self.explanation: StepExplanation | None = None
        self.network: MLP | None = None  # the network explained (a copy)
        self.step = 0  # the run's step the explanation is of
        self.phases: list[Phase] = []
        self.phase_index = 0
        self.weights = WeightSetting(session, self)
        self._pending = False  # an explanation is asked of the trainer and not made yet
        self._stale = False  # the next step changed while training went on: explain it when paused
        self._changes = QTimer(self)  # a burst of changes (a slider dragged) is explained once, at its latest
        self._changes.setSingleShot(True)
        self._changes.setInterval(CHANGES_MS)
        self._changes.timeout.connect(self.request)

        self.picker = PointPicker()
        self.diagram = StepDiagram()
        self.formulas = FormulaPanel()
        leave_out_of_exports(self.formulas.edit_button)
        self.back_button = _nav_button("◀  Back", "The phase before (←)")
        self.next_button = _nav_button("Next  ▶", "The phase after (→)")
        self.phase_label = QLabel()
        self.phase_label.setAlignment(Qt.AlignCenter)
        self.phase_label.setMinimumWidth(150)
        font = self.phase_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.phase_label.setFont(font)
        self.note = QLabel()  # what step is explained, and how
        self.note.setStyleSheet("color: #444;")
        self.note.setWordWrap(True)
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)
        self.exports = ExplainExport(self)

        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.diagram)
        splitter.addWidget(self.formulas)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.phase_label)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(self.exports.button)
        self.picture = QWidget()  # what Save PNG captures: the phase, the note, the diagram and formulas
        page = self.picture.palette()
        page.setColor(QPalette.Window, QColor("white"))  # white in the window and in the PNG alike
        self.picture.setPalette(page)
        self.picture.setAutoFillBackground(True)
        right = QVBoxLayout(self.picture)
        right.setContentsMargins(8, 6, 8, 6)
        right.addLayout(nav)
        right.addWidget(self.note)
        right.addWidget(splitter, 1)
        leave_out_of_exports(self.back_button, self.next_button, self.exports.button)
        left = QVBoxLayout()
        left.addWidget(self.picker)
        left.addWidget(self.hint)
        left.addStretch(1)
        left_panel = QWidget()
        left_panel.setLayout(left)
        left_panel.setMinimumWidth(200)
        left_panel.setMaximumWidth(330)
        layout = QHBoxLayout(self)
        layout.addWidget(left_panel)
        layout.addWidget(self.picture, 1)

        self.previous_action = self._key_action("Previous phase", "Left", lambda: self.go(-1))
        self.next_action = self._key_action("Next phase", "Right", lambda: self.go(1))
        self.back_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.picker.point_chosen.connect(self.request)
        self.diagram.hovered.connect(lambda _part: self._show_formulas())
        self.diagram.picked.connect(lambda _part: self._show_formulas())
        self.diagram.edit_requested.connect(self.open_editor)
        self.formulas.edit_requested.connect(self.open_editor)
        self.weights.weight_set.connect(self._on_weight_set)
        session.snapshot_ready.connect(self._on_snapshot)
        session.run_reset.connect(self._on_run_reset)
        session.points_edited.connect(self.picker.set_dataset)
        session.running_changed.connect(lambda _running: self._show_note())
        session.next_step_changed.connect(self._on_next_step_changed)
        self.picker.set_dataset(session.dataset)
        self._show_phase()

    def _key_action(self, text: str, key: str, slot) -> QAction:
        """A key of this tab alone (the Train view's ← and → go through its timeline)."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # --- the tab in view ----------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """The tab comes into view (training pauses: the step explained is the next one) or leaves it."""
        self.active = active
        if not active:
            return
        if self.session.is_running:
            self.session.pause()
            self.status.emit("Training paused to explain a step: press Space to train on.", 8000)
        if self.picker.point is None and self.picker.data is not None and len(self.picker.data.y_train):
            self.picker.pick(0)  # asks for its explanation
        elif self.session.making_points:
            self.note.setText("The points are still being made: the first of them is explained when they come.")
        else:
            self.request()
        self.diagram.setFocus()

    def request(self) -> None:
        """Explain the picked point for the trainer's weights as they are (once it is home)."""
        if not self.active or self.picker.point is None or self._pending:
            return
        if self.session.trainer is None:
            self.note.setText("The points are still being made.")
            return
        self._pending = True
        self.session.with_trainer(self._explain_with)

    def _explain_with(self, trainer) -> None:
        self._pending, self._stale = False, False
        point, target = self.picker.point, self.picker.target
        if point is None or trainer.network.point_dims != len(point):
            return  # another network on its way in: its run_reset asks again
        try:
            explanation = trainer.explain(point, target)
        except ValueError as error:  # the batch's loss (or the gradient) is not finite for these weights
            self._clear("No numbers to show for these weights: see the note above.")
            diverged = trainer.divergence is not None or not np.all(np.isfinite(trainer.network.flat))
            self.note.setText(cannot_explain(str(error), diverged))
            return
        self.show_explanation(explanation, trainer.network.copy(), trainer.step_count)

    def show_explanation(self, explanation: StepExplanation, network: MLP, step: int) -> None:
        """Show ``explanation`` of ``network`` at ``step`` (the phase stays where it was)."""
        self.explanation, self.network, self.step = explanation, network, step
        steps = phases(len(explanation.layers))
        if len(steps) != len(self.phases):
            self.phase_index = 0
        self.phases = steps
        data = self.picker.data
        if network.features:
            inputs = [feature_symbol(name) for name in network.features]
        else:
            names = data.feature_names if data is not None else ()
            inputs = [names[k] if k < len(names) else feature_label(k) for k in range(network.layer_sizes[0])]
        outputs, colors = output_labels(network.layer_sizes[-1], data.label_names if data is not None else None,
                                        explanation.regression)
        self.diagram.show_step(explanation, inputs, outputs, colors)
        self.picker.show_network(network)
        self._show_phase()

    # --- phases -------------------------------------------------------------------------------

    @property
    def phase(self) -> Phase | None:
        """The phase shown (None before an explanation)."""
        return self.phases[self.phase_index] if self.phases else None

    def go(self, by: int) -> None:
        """Move ``by`` phases (back when negative), within the step."""
        if not self.phases:
            return
        self.phase_index = int(np.clip(self.phase_index + by, 0, len(self.phases) - 1))
        self._show_phase()

    def _show_phase(self) -> None:
        phase = self.phase
        self.back_button.setEnabled(phase is not None and self.phase_index > 0)
        self.next_button.setEnabled(phase is not None and self.phase_index < len(self.phases) - 1)
        self.exports.button.setEnabled(self.explanation is not None)
        self.phase_label.setText("" if phase is None else phase_title(phase, len(self.explanation.layers)))
        if phase is not None:
            self.diagram.set_phase(phase)
        self._show_formulas()
        self._show_note()

    def _show_formulas(self) -> None:
        names = (self.diagram.input_names, self.diagram.output_names)
        self.formulas.show_part(self.explanation, self.phase or Phase("forward", 0), self.diagram.focus(), *names)

    def _show_note(self) -> None:
        if self.explanation is None:
            self.note.setText("")
        elif self.session.is_running:
            self.note.setText(training_note(self.step))
        else:
            self.note.setText(step_note(self.explanation, self.step, self.picker.typed))

    # --- the session's news -------------------------------------------------------------------

    def _on_snapshot(self, snapshot) -> None:
        """Paused with other weights (a step, a moment gone back to, weights set or opened), or
        after the next step changed while training went on: explain them."""
        if not self.active or self.session.is_running or self.network is None:
            return
        network = snapshot.network
        if self._stale or snapshot.step != self.step or network.layer_sizes != self.network.layer_sizes \
                or not np.array_equal(network.flat, self.network.flat):
            self.request()

    def _on_next_step_changed(self) -> None:
        """A live setting (rate, optimiser, momentum, L2, batch size, dropout) or the points
        changed: the update the next step makes is another. (Explaining while training goes on
        would call the trainer home; the snapshot that a pause brings asks instead.)"""
        if not self.active:
            return  # the tab asks when it comes into view
        if self.session.is_running:
            self._stale = True
        elif not self._changes.isActive():
            self._changes.start()

    def _on_run_reset(self, _snapshot) -> None:
        self.picker.set_dataset(self.session.dataset)
        if self.picker.point is None:
            self._clear()
        if self.active:  # after the new trainer has taken the old one's place
            QTimer.singleShot(0, lambda: self.picker.pick(0) if self.picker.point is None else self.request())

    def _clear(self, why: str = EMPTY) -> None:
        """Nothing explained (no point, or numbers that cannot be: ``why``)."""
        self.explanation, self.network, self.phases = None, None, []
        self.diagram.clear(why)
        self._show_phase()

    # --- weights ------------------------------------------------------------------------------

    def open_editor(self, parameter: ParameterRef | None) -> None:
        """Ask for a new value of the weight or bias ``parameter`` (a small box; OK sets it)."""
        if parameter is None or self.explanation is None:
            return
        step = self.explanation.layers[parameter.layer]
        bias = parameter.row == len(step.inputs)
        value = step.biases[parameter.unit] if bias else step.weights[parameter.row, parameter.unit]
        name = part_title(self.explanation, parameter, self.diagram.input_names, self.diagram.output_names)
        self.weights.ask(parameter, name, float(value))

    def _on_weight_set(self, message: str) -> None:
        self.status.emit(message, 6000)
        self.request()  # (after the weights: it waits in line behind them)

    # --- export -------------------------------------------------------------------------------

    def save_png(self, path: str) -> bool:
        """The diagram and the formulas as a PNG at ``path`` (:meth:`ExplainExport.save_png`)."""
        return self.exports.save_png(path)


def _nav_button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.NoFocus)  # a button with focus would take the arrow keys
    return button
