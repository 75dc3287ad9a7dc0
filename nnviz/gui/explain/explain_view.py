"""The Explain tab: pick a point, then walk its training step phase by phase (forward layer by
layer, the loss, backward layer by layer, the update) with the engine's numbers on a diagram
and the formulas of the unit or edge in focus; set a weight and the run carries on from it."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QColor, QKeySequence, QPalette
from PyQt5.QtWidgets import (
    QAction,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.arithmetic.step import Phase, StepExplanation, phases
from nnviz.core.model.features import feature_symbol
from nnviz.core.model.network import MLP
from nnviz.gui.explain import explain_export
from nnviz.gui.explain.formula_panel import FormulaPanel, part_title
from nnviz.gui.explain.phase_numbers import EdgeRef, phase_title
from nnviz.gui.explain.point_picker import PointPicker
from nnviz.gui.explain.step_diagram import StepDiagram
from nnviz.gui.explain.weight_editor import WeightSetting
from nnviz.gui.files.export import leave_out_of_exports, metadata
from nnviz.gui.inside.network_diagram import feature_label, output_labels

HINT = ("Hover a unit or an edge for its formulas. Click an edge (or its number) to set its weight; "
        "double-click a unit to set its bias. ← and → go through the phases.")
PICTURE_FILTER = "PNG image (*.png)"
TEXT_FILTER = "Text (*.txt)"


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
        self.export_button = QToolButton()  # one button, so that the tab fits beside the controls
        self.export_button.setText("Export")
        self.export_button.setToolTip("Save the step as a picture, or its numbers as a table")
        self.export_button.setPopupMode(QToolButton.InstantPopup)
        self.export_button.setFocusPolicy(Qt.NoFocus)
        menu = QMenu(self.export_button)
        self.png_action = menu.addAction("Save PNG…", self.ask_save_png)
        self.png_action.setStatusTip("Save the phase shown, the diagram and the formulas as a picture")
        self.copy_action = menu.addAction("Copy as text", self.copy_text)
        self.copy_action.setStatusTip("Copy every number of the step, layer by layer, as a plain table")
        self.text_action = menu.addAction("Save text…", self.ask_save_text)
        self.text_action.setStatusTip("Save every number of the step, layer by layer, as a plain table")
        self.export_button.setMenu(menu)

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
        nav.addWidget(self.export_button)
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
        leave_out_of_exports(self.back_button, self.next_button, self.export_button)
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
        self._pending = False
        point, target = self.picker.point, self.picker.target
        if point is None or trainer.network.point_dims != len(point):
            return  # another network on its way in: its run_reset asks again
        try:
            explanation = trainer.explain(point, target)
        except ValueError as error:  # a diverged network's loss is not finite
            self._clear()
            self.note.setText(f"This step cannot be explained: {error}. Reset, or set a smaller learning rate.")
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
        self.export_button.setEnabled(self.explanation is not None)
        self.phase_label.setText("" if phase is None else phase_title(phase, len(self.explanation.layers)))
        if phase is not None:
            self.diagram.set_phase(phase)
        self._show_formulas()
        self._show_note()

    def _show_formulas(self) -> None:
        names = (self.diagram.input_names, self.diagram.output_names)
        self.formulas.show_part(self.explanation, self.phase or Phase("forward", 0), self.diagram.focus(), *names)

    def _show_note(self) -> None:
        e = self.explanation
        if e is None:
            self.note.setText("")
            return
        where = "typed point" if self.picker.typed else "point"
        batch = "the point alone" if e.batch_size == 1 and e.in_batch else \
            f"a batch of {e.batch_size:,} points, this one {'among them' if e.in_batch else 'not among them'}"
        text = f"The {where} through the network at step {self.step:,}, and the update the next step makes " \
               f"({e.optimizer}, η = {e.lr:g}) on {batch}."
        if self.session.is_running:
            text = f"Training goes on: this is step {self.step:,}. Pause (Space) to explain the latest step."
        self.note.setText(text)

    # --- the session's news -------------------------------------------------------------------

    def _on_snapshot(self, snapshot) -> None:
        """Paused with other weights (a step, a moment gone back to, weights set or opened):
        explain them."""
        if not self.active or self.session.is_running or self.network is None:
            return
        network = snapshot.network
        if snapshot.step != self.step or network.layer_sizes != self.network.layer_sizes \
                or not np.array_equal(network.flat, self.network.flat):
            self.request()

    def _on_run_reset(self, _snapshot) -> None:
        self.picker.set_dataset(self.session.dataset)
        if self.picker.point is None:
            self._clear()
        if self.active:  # after the new trainer has taken the old one's place
            QTimer.singleShot(0, lambda: self.picker.pick(0) if self.picker.point is None else self.request())

    def _clear(self) -> None:
        """Nothing explained (no point, or numbers that cannot be)."""
        self.explanation, self.network, self.phases = None, None, []
        self.diagram.clear()
        self._show_phase()

    # --- weights ------------------------------------------------------------------------------

    def open_editor(self, edge: EdgeRef | None) -> None:
        """Ask for a new value of the weight or bias ``edge`` (a small box; OK sets it)."""
        if edge is None or self.explanation is None:
            return
        step = self.explanation.layers[edge.layer]
        value = step.biases[edge.unit] if edge.row == len(step.inputs) else step.weights[edge.row, edge.unit]
        name = part_title(self.explanation, edge, self.diagram.input_names, self.diagram.output_names)
        self.weights.ask(edge, name, float(value))

    def _on_weight_set(self, message: str) -> None:
        self.status.emit(message, 6000)
        self.request()  # (after the weights: it waits in line behind them)

    # --- export -------------------------------------------------------------------------------

    def _name(self, suffix: str) -> str:
        return explain_export.default_name(self.session.config.dataset, self.step, self.phase, suffix)

    def save_png(self, path: str) -> bool:
        """The diagram and the formulas as a PNG at ``path``; False (the user told why) if it failed."""
        if self.explanation is None:
            return False
        return self._report(path, explain_export.save_picture(self.picture, path,
                                                               metadata(self.session.config, self.step)))

    def save_text(self, path: str) -> bool:
        """Every number of the step as a plain table at ``path``; False (the user told why) if it failed."""
        if self.explanation is None:
            return False
        return self._report(path, explain_export.save_table(self.explanation, path))

    def copy_text(self) -> None:
        """Every number of the step as a plain table, to the clipboard."""
        if self.explanation is not None:
            explain_export.copy_table(self.explanation)
            self.status.emit("The step's numbers are on the clipboard, as a table.", 5000)

    def _report(self, path: str, problem: str) -> bool:
        if problem:
            self.error.emit(problem)
            return False
        self.status.emit(f"Saved {path}", 5000)
        return True

    def ask_save_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the explained step", self._name(".png"), PICTURE_FILTER)
        if path:
            self.save_png(path)

    def ask_save_text(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the step's numbers", self._name(".txt"), TEXT_FILTER)
        if path:
            self.save_text(path)


def _nav_button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.NoFocus)  # a button with focus would take the arrow keys
    return button
