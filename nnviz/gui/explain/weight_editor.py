"""Setting one weight or bias of the run: a small box with its name, its value now and the new
value, and the edit sent to the training session (which carries on from it)."""

from __future__ import annotations

import math

from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from nnviz.gui.explain.phase_numbers import ParameterRef

LARGEST = 1e6  # a typed weight beyond this is refused: no network trains on from there


def parse_weight(text: str) -> tuple[float | None, str]:
    """The value typed, or None and a sentence saying why it cannot be a weight."""
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        return None, f"“{text.strip()}” is not a number: type one such as 0.25 or -1e-3."
    if not math.isfinite(value) or abs(value) > LARGEST:
        return None, f"Type a number between −{LARGEST:g} and {LARGEST:g}."
    return value, ""


class WeightEditor(QDialog):
    """Asks for a new value of the weight or bias ``name`` (now ``value``); ``chosen`` gives it
    when the user presses OK with a number typed (anything else is refused, and the box stays)."""

    chosen = pyqtSignal(float)

    def __init__(self, name: str, value: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Set a bias" if name.startswith("Bias") else "Set a weight")
        self.field = QLineEdit(f"{value:.6g}")
        self.field.selectAll()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a02000;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"{name}: now {value:.6g}")
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("New value (training carries on from it):"))
        layout.addWidget(self.field)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def accept(self) -> None:
        value, problem = parse_weight(self.field.text())
        if value is None:
            self.problem.setText(problem)
            self.problem.show()
            return
        super().accept()
        self.chosen.emit(value)


class WeightSetting(QObject):
    """Asks for a weight or bias (:meth:`ask`) and sets it in ``session``'s run (:meth:`set`): the
    trainer's network with that one number changed goes to ``session.set_weights``. ``weight_set``
    says what was set, once it is on its way."""

    weight_set = pyqtSignal(str)

    def __init__(self, session, parent: QWidget):
        super().__init__(parent)
        self.session = session
        self.editor: WeightEditor | None = None  # the box open, or the last one

    def ask(self, parameter: ParameterRef, name: str, value: float) -> None:
        """Open the box for ``parameter`` (called ``name``, now ``value``); OK sets the value typed."""
        if self.editor is not None:
            self.editor.close()
        self.editor = WeightEditor(name, value, self.parent())
        self.editor.chosen.connect(lambda new: self.set(parameter, name, new))
        self.editor.open()

    def set(self, parameter: ParameterRef, name: str, value: float) -> None:
        """Set ``parameter`` (``row`` = fan-in: the bias) to ``value``; the run carries on from there."""

        def edit(trainer) -> None:  # the trainer's weights as they are now, with this one changed
            network = trainer.network.copy()
            if parameter.row == network.layer_sizes[parameter.layer]:
                network.biases[parameter.layer][parameter.unit] = value
            else:
                network.weights[parameter.layer][parameter.row, parameter.unit] = value
            self.session.set_weights(network.flat)

        self.session.with_trainer(edit)
        self.weight_set.emit(f"{name} is now {value:g}: the run carries on from it.")
