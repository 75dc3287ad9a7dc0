"""The learning-rate advice beside the rate: shown after a change of optimiser when the rate
is far from the ones it usually takes, with a button offering one of those."""

from __future__ import annotations

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from nnviz.core.model.optimizers import SUGGESTED_RATES, rate_advice


class RateHint(QWidget):
    """One row: the advice (:attr:`label`) and :attr:`use_button`. Hidden until
    :meth:`advise` has something to say. ``rate_chosen`` brings the offered rate when the
    button is clicked (the user's rate is never changed unasked); ``reveal_requested`` asks
    whoever holds the panel to scroll this row into view, once it is laid out."""

    rate_chosen = pyqtSignal(float)
    reveal_requested = pyqtSignal(QWidget)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #7a2e00;")
        self.use_button = QPushButton()
        self.use_button.setToolTip("Set the learning rate to one this optimiser usually trains well at")
        self.use_button.setFocusPolicy(Qt.TabFocus)  # a click leaves focus be: it must not pass to L2 as the row hides
        self.use_button.clicked.connect(self._on_use_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.use_button, 0, Qt.AlignTop)
        self.hide()
        self._advised: tuple[str, float] | None = None  # the optimiser and rate the hint is about

    def advise(self, rule: str, lr: float, reveal: bool = True) -> None:
        """Say so when ``lr`` is far from the rates ``rule`` usually takes, and offer one
        (``reveal``: and ask to be scrolled into view)."""
        advice = rate_advice(rule, lr)
        self._advised = (rule, lr) if advice else None
        self.label.setText(advice)
        self.use_button.setText(f"Use {SUGGESTED_RATES[rule]:g}")
        self.setVisible(bool(advice))
        if advice and reveal:
            QTimer.singleShot(0, self._request_reveal)  # once laid out: the row may lie below the panel's view

    def follow(self, rule: str, lr: float) -> None:
        """The settings are now ``rule`` at ``lr``: the advice goes once either changed."""
        if self._advised != (rule, lr):
            self._advised = None
            self.hide()

    def _request_reveal(self) -> None:
        if self.isVisible():
            self.reveal_requested.emit(self)

    def _on_use_clicked(self) -> None:
        if self._advised is not None:
            self.rate_chosen.emit(SUGGESTED_RATES[self._advised[0]])
