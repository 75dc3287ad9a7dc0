"""The explained step out of the window: the diagram and formulas as PNG, the numbers as a
plain layer-by-layer table (to the clipboard or a text file). Each write says in one
sentence why it failed, and leaves nothing behind when it does."""

from __future__ import annotations

import os
from pathlib import Path

from PyQt5.QtWidgets import QApplication, QWidget

from nnviz.core.arithmetic.formulas import explanation_table
from nnviz.core.arithmetic.step import Phase, StepExplanation
from nnviz.core.io.atomic import SaveError, write_atomically
from nnviz.gui.files import export


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
