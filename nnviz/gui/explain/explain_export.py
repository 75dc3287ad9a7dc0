"""The explained step out of the window: the diagram and formulas as PNG, the numbers as a
plain layer-by-layer table (to the clipboard or a text file), from the tab's Export button.
Each write says in one sentence why it failed, and leaves nothing behind when it does."""

from __future__ import annotations

import os
from pathlib import Path

from PyQt5.QtCore import QObject, Qt
from PyQt5.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton, QWidget

from nnviz.core.arithmetic.formulas import explanation_table
from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.core.io.atomic import SaveError, write_atomically
from nnviz.gui.files import export

PICTURE_FILTER = "PNG image (*.png)"
TEXT_FILTER = "Text (*.txt)"


def default_name(dataset: str, step: int, phase: Phase, suffix: str) -> str:
    """A file name that says what was explained: ``nnviz-explain-xor-step12-backward2.png``."""
    where = "" if phase.layer is None else str(phase.layer + 1)
    return f"nnviz-explain-{dataset}-step{step}-{phase.kind}{where}{suffix}"


def save_picture(widget: QWidget, path: str | os.PathLike, texts: dict[str, str]) -> str:
    """``widget`` painted at twice its size into a PNG at ``path``; "" when written, else why not."""
    try:
        export.save_png(export.render(widget), path, texts)
    except SaveError as error:
        return str(error)
    return ""


def save_table(explanation: StepExplanation, path: str | os.PathLike) -> str:
    """The explanation's table as UTF-8 text at ``path``; "" when written, else why not."""
    text = explanation_table(explanation)
    try:
        write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except SaveError as error:
        return str(error)
    return ""


def copy_table(explanation: StepExplanation) -> str:
    """Put the explanation's table on the clipboard; returns it."""
    text = explanation_table(explanation)
    QApplication.clipboard().setText(text)
    return text


class ExplainExport(QObject):
    """The Export button (``button``) of ``view``, an :class:`~nnviz.gui.explain.explain_view.ExplainView`:
    Save PNG… (its ``picture``: the phase, the note, the diagram and the formulas), Copy as text
    and Save text… (the step's every number). What happened goes to the view's ``status`` and
    ``error`` signals."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.button = QToolButton()  # one button, so that the tab fits beside the controls
        self.button.setText("Export")
        self.button.setToolTip("Save the step as a picture, or its numbers as a table")
        self.button.setPopupMode(QToolButton.InstantPopup)
        self.button.setFocusPolicy(Qt.NoFocus)
        menu = QMenu(self.button)
        self.png_action = menu.addAction("Save PNG…", self.ask_save_png)
        self.png_action.setStatusTip("Save the phase shown, the diagram and the formulas as a picture")
        self.copy_action = menu.addAction("Copy as text", self.copy_text)
        self.copy_action.setStatusTip("Copy every number of the step, layer by layer, as a plain table")
        self.text_action = menu.addAction("Save text…", self.ask_save_text)
        self.text_action.setStatusTip("Save every number of the step, layer by layer, as a plain table")
        self.button.setMenu(menu)

    def save_png(self, path: str) -> bool:
        """The diagram and the formulas as a PNG at ``path``; False (the user told why) if it failed."""
        view = self.view
        if view.explanation is None:
            return False
        return self._report(path, save_picture(view.picture, path, export.metadata(view.session.config, view.step)))

    def save_text(self, path: str) -> bool:
        """Every number of the step as a plain table at ``path``; False (the user told why) if it failed."""
        if self.view.explanation is None:
            return False
        return self._report(path, save_table(self.view.explanation, path))

    def copy_text(self) -> None:
        """Every number of the step as a plain table, to the clipboard."""
        if self.view.explanation is not None:
            copy_table(self.view.explanation)
            self.view.status.emit("The step's numbers are on the clipboard, as a table.", 5000)

    def ask_save_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.view, "Save the explained step", self._name(".png"), PICTURE_FILTER)
        if path:
            self.save_png(path)

    def ask_save_text(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.view, "Save the step's numbers", self._name(".txt"), TEXT_FILTER)
        if path:
            self.save_text(path)

    def _name(self, suffix: str) -> str:
        return default_name(self.view.session.config.dataset, self.view.step, self.view.phase, suffix)

    def _report(self, path: str, problem: str) -> bool:
        if problem:
            self.view.error.emit(problem)
            return False
        self.view.status.emit(f"Saved {path}", 5000)
        return True
