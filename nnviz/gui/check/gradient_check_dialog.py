"""Run > Check gradients: backpropagation against numerical differences for the Train view's
network, in a dialog.

The check itself is core's (:func:`nnviz.core.arithmetic.gradient_check.check_gradients`); here it
runs on a thread of its own, since it does four forward passes a weight (a second or more for a
digits network), and the dialog says "Checking…" meanwhile. The window picks how many training
points to use so that the check takes a few seconds at most, and refuses a network so large that
even a few points would take minutes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QFontDatabase
from PyQt5.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.arithmetic.gradient_check import (
    FEWEST_POINTS,
    GradientCheck,
    check_gradients,
    points_to_check,
    seconds_for,
)
from nnviz.core.model.network import MLP, layers_name

PASSED_COLOR, FAILED_COLOR = "#1a7f37", "#b42318"


@dataclass(frozen=True)
class CheckInput:
    """What a check reads: copies of a trainer's network and training points, nothing shared."""

    network: MLP
    X: np.ndarray
    y: np.ndarray
    l2: float
    regression: bool
    dropout: float
    step: int

    @classmethod
    def of(cls, trainer) -> CheckInput:
        """A copy of ``trainer``'s network, points and settings (it is in the window)."""
        data = trainer.data
        return cls(trainer.network.copy(), np.array(data.X_train), np.array(data.y_train), trainer.l2,
                   data.regression, trainer.dropout, trainer.step_count)


class GradientCheckDialog(QDialog):
    """One gradient check: a headline (passed, failed naming the layers, or why there is none),
    what was checked, and the report as text to select and copy."""

    checked = pyqtSignal(object)  # the GradientCheck shown, or the sentence shown instead
    _done = pyqtSignal(object)  # from the checking thread: a GradientCheck, or why there is none

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Gradient check")
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.result: GradientCheck | str | None = None  # None: still checking
        self.headline = QLabel("Waiting for the network (training pauses)…")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.what = QLabel("")
        self.what.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.WidgetWidth)  # the table's lines are short; the notes wrap
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))  # the table's columns line up
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.copy_button = buttons.addButton("Copy report", QDialogButtonBox.ActionRole)
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.headline, self.what, self.report, buttons):
            layout.addWidget(widget)
        self.resize(780, 330)
        self._done.connect(self._show)

    def start(self, checked: CheckInput) -> None:
        """Check ``checked`` on a thread of its own; the dialog shows the result when it comes."""
        parameters, available = checked.network.flat.size, len(checked.X)
        points = points_to_check(parameters, available)
        sizes = layers_name(checked.network.layer_sizes)
        if not points:
            self._show(f"The network ({sizes}) has {parameters:,} weights and biases: nudging each one, even on "
                       f"{min(FEWEST_POINTS, available)} points, would hold this check for minutes. In a terminal, "
                       f"nnviz check-gradients --points {FEWEST_POINTS} checks it with the same settings.")
            return
        some = f"the first {points:,} of the {available:,}" if points < available else f"all {available:,}"
        self.what.setText(f"The network at step {checked.step:,} ({sizes}, {parameters:,} weights and biases), on "
                          f"{some} training points, L2 {checked.l2:g}.")
        seconds = seconds_for(parameters, points)
        self.headline.setText(f"Checking… (about {seconds:.0f} seconds)" if seconds >= 2 else "Checking…")
        threading.Thread(target=self._check, args=(checked, points), name="nnviz-gradient-check",
                         daemon=True).start()  # daemon: quitting need not wait for a check no one will read

    def _check(self, checked: CheckInput, points: int) -> None:
        try:
            result: GradientCheck | str = check_gradients(
                checked.network, checked.X, checked.y, checked.l2, regression=checked.regression,
                dropout=checked.dropout, points=points)
        except ValueError as error:  # e.g. a diverged network: no finite loss, no gradient
            result = f"{str(error)[:1].upper()}{str(error)[1:]}."
        try:
            self._done.emit(result)
        except RuntimeError:  # the dialog was closed (and deleted) meanwhile
            pass

    def _show(self, result: GradientCheck | str) -> None:
        self.result = result
        if isinstance(result, str):
            self.headline.setText("Not checked")
            self.what.setText(result)
        else:
            if result.passed:
                headline = "Passed: backpropagation agrees with numerical differentiation in every layer."
            else:
                headline = (f"Failed: {', '.join(result.failing)} — backpropagation disagrees with numerical "
                            "differences.")
            self.headline.setText(headline)
            self.headline.setStyleSheet(f"color: {PASSED_COLOR if result.passed else FAILED_COLOR}")
            self.report.setPlainText("\n".join(result.lines()))
        self.copy_button.setEnabled(True)
        self.checked.emit(result)

    def report_text(self) -> str:
        """The report as shown (what Copy report copies)."""
        return "\n".join(text for text in (self.what.text(), self.report.toPlainText()) if text)

    def copy_report(self) -> None:
        """The report, with what was checked, to the clipboard."""
        QApplication.clipboard().setText(self.report_text())


def check_gradients_of(session, parent: QWidget) -> GradientCheckDialog:
    """Pause ``session`` (the Train view's) and check its network's gradients on its training
    points once the trainer is back from the training process, in a dialog shown at once."""
    session.pause()
    dialog = GradientCheckDialog(parent)
    dialog.show()

    def start(trainer) -> None:
        try:
            dialog.start(CheckInput.of(trainer))
        except RuntimeError:  # the dialog was closed before the trainer came back
            pass

    session.with_trainer(start)
    return dialog
