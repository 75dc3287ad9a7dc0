"""The formulas behind the unit or edge in focus, with the explained step's numbers
(:mod:`nnviz.core.arithmetic.formulas`), and a button to set the weight or bias it is about."""

from __future__ import annotations

import html

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.arithmetic import formulas
from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.gui.explain.phase_numbers import ParameterRef, UnitRef, computed


def part_title(explanation: StepExplanation, part: UnitRef | ParameterRef, input_names: list[str],
               output_names: list[str]) -> str:
    """What ``part`` is, in words: "Unit 2 of layer 1 (tanh)", "Weight from x₁ to unit 1 of layer 1"."""
    if isinstance(part, UnitRef):
        if part.column == 0:
            return f"Input {_name(input_names, part.unit)}"
        return _unit_words(explanation, part.column - 1, part.unit, output_names)
    target = _unit_words(explanation, part.layer, part.unit, output_names, lower=True)
    if part.row == len(explanation.layers[part.layer].inputs):
        return f"Bias of {target}"
    source = _name(input_names, part.row) if part.layer == 0 else f"unit {part.row + 1} of layer {part.layer}"
    return f"Weight from {source} to {target}"


def _unit_words(explanation: StepExplanation, layer: int, unit: int, output_names: list[str], lower=False) -> str:
    step = explanation.layers[layer]
    if layer == len(explanation.layers) - 1:
        name = _name(output_names, unit)
        words = f"output unit {unit + 1} ({name}, {step.kind})" if len(step.outputs) > 1 else f"the output ({name}, {step.kind})"
    else:
        words = f"unit {unit + 1} of layer {layer + 1} ({step.kind})"
    return words if lower else words[0].upper() + words[1:]


def _name(names: list[str], k: int) -> str:
    return names[k] if k < len(names) else str(k + 1)


def formula_lines(explanation: StepExplanation, phase: Phase, part: UnitRef | ParameterRef) -> list[str]:
    """The formulas of ``part`` in ``phase`` with the step's numbers, one a line."""
    e = explanation
    if isinstance(part, UnitRef):
        if part.column == 0:
            value = formulas.number(e.layers[0].inputs[part.unit])
            return [f"{formulas.output_symbol(e, -1, part.unit)} = {value}  (what the network reads of the point)"]
        return _unit_lines(e, phase, part.column - 1, part.unit)
    return _parameter_lines(e, phase, part)


def _unit_lines(e: StepExplanation, phase: Phase, layer: int, unit: int) -> list[str]:
    last = layer == len(e.layers) - 1
    forward = [formulas.sum_formula(e, layer, unit), formulas.activation_formula(e, layer, unit)]
    bias = ParameterRef(layer, len(e.layers[layer].inputs), unit)
    if phase.kind == "forward":
        return forward if computed(phase, layer) else [f"Not computed yet: Next takes the point on to layer {layer + 1}."]
    if phase.kind == "loss":
        return [formulas.loss_formula(e), *forward[1:]] if last else forward
    if phase.kind == "backward":
        if not computed(phase, layer):
            return [forward[1], f"δ comes when the step goes back to layer {layer + 1}."]
        return [formulas.delta_formula(e, layer, unit), *_parameter_lines(e, phase, bias)]
    return _parameter_lines(e, phase, bias)


def _parameter_lines(e: StepExplanation, phase: Phase, parameter: ParameterRef) -> list[str]:
    step = e.layers[parameter.layer]
    bias = parameter.row == len(step.inputs)
    if phase.kind in ("forward", "loss"):
        value = step.biases[parameter.unit] if bias else step.weights[parameter.row, parameter.unit]
        lines = [f"{'b' if bias else 'w'} = {formulas.number(value)}"]
        if computed(phase, parameter.layer):
            lines.append(formulas.sum_formula(e, parameter.layer, parameter.unit))
        return lines
    if phase.kind == "backward" and not computed(phase, parameter.layer):
        return [f"Its gradient comes when the step goes back to layer {parameter.layer + 1}."]
    lines = formulas.gradient_formula(e, parameter.layer, parameter.row, parameter.unit).split("\n")  # with the batch's
    if phase.kind == "update":  # what the update did first, then the gradient it took
        return [formulas.update_formula(e, parameter.layer, parameter.row, parameter.unit), *lines]
    return lines


class FormulaPanel(QWidget):
    """The formulas of the unit or edge in focus; "Set this weight…" (or bias) asks to edit it."""

    edit_requested = pyqtSignal(object)  # ParameterRef

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.text = QLabel()
        self.text.setTextFormat(Qt.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        font = self.text.font()
        font.setPixelSize(13)
        self.text.setFont(font)
        scroll = QScrollArea()  # a long sum (a wide layer's) scrolls rather than being cut off
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: white; }")
        self.note = QLabel()
        self.note.setStyleSheet("color: #666;")
        self.note.setWordWrap(True)
        self.edit_button = QPushButton("Set this weight…")
        self.edit_button.setFocusPolicy(Qt.NoFocus)  # the arrow keys stay the phases'
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self._editable))
        self._editable: ParameterRef | None = None
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.note)
        self.setMinimumHeight(150)  # six lines of formulas
        self.setStyleSheet("FormulaPanel { background: white; }")
        self.setAttribute(Qt.WA_StyledBackground, True)

    def show_part(self, explanation: StepExplanation | None, phase: Phase, part: UnitRef | ParameterRef | None,
                  input_names: list[str], output_names: list[str]) -> None:
        """The formulas of ``part`` in ``phase`` (nothing without an explanation or a part)."""
        if explanation is None or part is None:
            self.title.setText("")
            self.text.setText("")
            self.note.setText("")
            self.edit_button.hide()
            return
        self.title.setText(part_title(explanation, part, input_names, output_names))
        self.text.setText("<br>".join(html.escape(line) for line in formula_lines(explanation, phase, part)))
        self._editable = _editable(explanation, part)
        self.edit_button.setVisible(self._editable is not None)
        if self._editable is not None:
            bias = self._editable.row == len(explanation.layers[self._editable.layer].inputs)
            self.edit_button.setText("Set this bias…" if bias else "Set this weight…")
        notes = []
        if explanation.dropout_left_out:
            notes.append("Dropout is left out: the step is shown with every unit.")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    def plain_text(self) -> str:
        """The panel's title and formulas as plain text."""
        return "\n".join([self.title.text(), *html.unescape(self.text.text()).split("<br>")]).strip()


def _editable(explanation: StepExplanation, part: UnitRef | ParameterRef) -> ParameterRef | None:
    """The weight or bias that "Set…" edits for ``part``: an edge's weight, a unit's bias."""
    if isinstance(part, ParameterRef):
        return part
    if part.column == 0:
        return None
    layer = part.column - 1
    return ParameterRef(layer, len(explanation.layers[layer].inputs), part.unit)
