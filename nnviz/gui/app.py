"""Start the window: display check, QApplication, settings, the screenshot mode."""

from __future__ import annotations

import gc
import os
import sys

from nnviz.core.config import ConfigError
from nnviz.core.remembered import start_config

FIRST_FRAME = "NNVIZ_FIRST_FRAME"  # a path: save the window as first drawn there, then quit (start-up benchmark)
NO_DISPLAY = (
    "nnviz: no display found (DISPLAY is not set). Use `nnviz train` to train without a window, "
    "or set QT_QPA_PLATFORM=offscreen with --screenshot to save a picture."
)


def has_display() -> bool:
    """Whether Qt can open a window here (always, off Linux or with a non-X11 platform)."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, minimal, vnc, eglfs ... need no display server
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(given: dict, *, start: bool = False, screenshot: str | None = None, after_steps: int = 0,
            open_path: str | None = None, at_step: int | None = None, weights=None) -> int:
    """Open the window with the settings in ``given`` over the remembered ones; returns the exit status.
    ``open_path``: a run, picture or points to open; ``at_step``: show the run's kept moment nearest it;
    ``weights``: a :class:`~nnviz.core.io.weights_file.WeightsFile` to start from.

    With ``screenshot``, train ``after_steps`` steps, save a PNG of the window there and quit
    (defaults plus ``given`` only, so the picture does not depend on remembered settings).
    """
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    from PyQt5.QtCore import QSettings, QTimer
    from PyQt5.QtWidgets import QApplication
    from threadpoolctl import threadpool_limits

    from nnviz.core.io.atomic import SaveError
    from nnviz.gui.files import export
    from nnviz.gui.main_window import app_icon

    # The window's arrays are small: BLAS threads would only compete with the training process.
    threadpool_limits(1)
    if screenshot:  # a picture from the command line: Qt's offscreen notes are no news to its user
        from nnviz.gui.files.picture_export import leave_out_qt_notes

        leave_out_qt_notes()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setWindowIcon(app_icon())
    settings = None if screenshot else QSettings("nnviz", "nnviz")
    try:
        window = open_window(given, settings, points_in_background=not screenshot)
    except ConfigError as error:
        print(f"nnviz: error: {error}", file=sys.stderr)
        return 2
    if not open_start_files(window, open_path, at_step, weights):
        return 2
    window.show()
    if screenshot:
        status = []

        def save_and_quit(running: bool) -> None:
            if running:
                return
            window.view.draw_now()
            try:
                export.save_png(window.grab().toImage(), screenshot, window.files.export_texts())
                status.append(0)
            except SaveError as error:
                print(f"nnviz: {error}", file=sys.stderr)
                status.append(1)
            window.close()

        window.session.running_changed.connect(save_and_quit)
        if after_steps:
            QTimer.singleShot(0, lambda: window.session.run_steps(after_steps))
        else:
            QTimer.singleShot(0, lambda: save_and_quit(False))
        app.exec_()
        return status[0] if status else 1
    first_frame = os.environ.get(FIRST_FRAME)
    if first_frame:  # benchmarks/startup.py: the window as it first appears, then quit
        QTimer.singleShot(0, lambda: (window.view.draw_now(), window.grab().save(first_frame, "PNG"), window.close()))
    if start:
        QTimer.singleShot(0, window.session.start)
    settle_heap()
    return app.exec_()


def open_window(given: dict, settings, *, points_in_background: bool = True):
    """The main window with the settings in ``given`` over those remembered in ``settings``
    (a QSettings, or None to remember nothing). Remembered settings that do not hold are
    dropped, or follow what was typed, and the status bar says so; then the settings are left
    as they were until the user changes something. Raises ConfigError only for ``given``."""
    from nnviz.gui import settings as stored
    from nnviz.gui.main_window import MainWindow

    remembered, notes = stored.load_remembered(settings) if settings is not None else (None, [])
    config, more = start_config(given, remembered)
    notes += more
    # A picture waits for the points; a window shows itself first and the points follow.
    return MainWindow(config, settings, points_in_background=points_in_background, settings_notes=tuple(notes))


def open_start_files(window, open_path: str | None = None, at_step: int | None = None, weights=None) -> bool:
    """Open in ``window``, before it is shown, what the command line names: a run, picture or
    points (``open_path``; a run shown at its moment nearest ``at_step``), or ``weights`` (a
    :class:`~nnviz.core.io.weights_file.WeightsFile`) to start from. A file that cannot be used
    is told on stderr in one line; the window is closed and this returns False."""
    if open_path is None and weights is None:
        return True
    window.show_error = lambda message: print(f"nnviz: error: {message}", file=sys.stderr)
    opened = window.files.open_file(open_path) if open_path is not None else window.files.use_weights(weights)
    if not opened:
        window.close()
        return False
    del window.show_error  # from here on, problems are told in the window
    if at_step is not None:
        window.replay.show_step(at_step)
    return True


def settle_heap() -> None:
    """Exempt everything made so far (modules, Qt wrappers, the window) from the garbage
    collector's full sweeps: one of those over the whole start-up heap held the window for
    a sixth of a second; what the program makes from now on is still collected."""
    gc.collect()
    gc.freeze()
