"""Pictures made without a window on screen: the sweep as a PNG, and the offscreen Qt application
that pictures and movies paint in."""

from __future__ import annotations

import os
import sys

from nnviz.core.io.picture_texts import SWEEP_KEY, sweep_heading, sweep_texts  # noqa: F401 (imported from here too)
from nnviz.core.training.sweep import Sweep, SweepSnapshot
from nnviz.core.training.sweep_trainer import SweepTrainer

PICTURE_SIZE = (1500, 1000)  # pixels, for pictures made without a window
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)
"""What Qt says on its offscreen platform each time a widget is shown, which is no news to the
command line's user: left out of its output (every other message of Qt's goes on)."""
_handler = None  # the message handler installed (once), kept alive here


def offscreen_application():
    """The QApplication that pictures and movies made without a display paint in: the one
    there is, or a new one on Qt's offscreen platform, with :data:`QUIET_QT_MESSAGES` left out
    of what Qt prints."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture, not a window: no display needed
    from PyQt5.QtWidgets import QApplication

    leave_out_qt_notes()
    return QApplication.instance() or QApplication(["nnviz"])


def leave_out_qt_notes() -> None:
    """Have Qt print every message but :data:`QUIET_QT_MESSAGES` from now on (once is enough)."""
    global _handler
    from PyQt5.QtCore import qInstallMessageHandler

    if _handler is None:
        previous = None

        def handler(mode, context, message):
            quiet_qt(mode, context, message, previous)

        _handler = handler
        previous = qInstallMessageHandler(handler)


def quiet_qt(mode, context, message: str, previous) -> None:
    """A Qt message handler: drops :data:`QUIET_QT_MESSAGES`, and hands every other message
    to ``previous`` (the handler before, or Qt's own way of printing when that is None)."""
    if message in QUIET_QT_MESSAGES:
        return
    if previous is not None:
        previous(mode, context, message)
    else:
        from PyQt5.QtCore import qFormatLogMessage

        sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")
        sys.stderr.flush()


def offscreen_figure(sweep: Sweep, data):
    """A :class:`SweepFigure` of ``sweep``'s networks on ``data``, :data:`PICTURE_SIZE`, laid out
    and never on screen: to be painted into pictures and movies (a QApplication must exist)."""
    from PyQt5.QtCore import Qt

    from nnviz.gui.compare.sweep_view import SweepFigure

    figure = SweepFigure()
    figure.setAttribute(Qt.WA_DontShowOnScreen)
    figure.resize(*PICTURE_SIZE)
    labels = [sweep.label(v) for v in sweep.values]
    figure.set_tiles(labels, sweep.ordered, [data] * len(labels), sweep_heading(sweep))
    figure.show()
    figure.layout().activate()
    return figure


def save_sweep_picture(sweep: Sweep, trainer: SweepTrainer, snapshot: SweepSnapshot, path: str) -> None:
    """Render the sweep's tiles and loss curves to a PNG at ``path`` without a display."""
    from nnviz.gui.files.export import render, save_png

    app = offscreen_application()
    figure = offscreen_figure(sweep, trainer.data)
    app.processEvents()
    figure.show_snapshot(snapshot)
    app.processEvents()
    save_png(render(figure, 1), path, sweep_texts(sweep, snapshot.step))
    figure.close()
