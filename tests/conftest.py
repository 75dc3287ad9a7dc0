"""Test configuration: every test runs headless, and none touches the user's settings."""

import os
import sys
import tempfile

# Set before anything imports Qt: no test needs a display, and QSettings (which follows
# XDG_CONFIG_HOME on Linux) writes to a throw-away folder, never the user's real settings.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-test-config-")


import pytest
from PyQt5.QtCore import QSettings
from PyQt5.QtWidgets import QApplication


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Build windows at 1400x900 that record error messages instead of showing a box; each is
    closed and its training process stopped at teardown. Wrap one in ``gui_helpers.WindowPage``
    to read its run. (test_gui.py has its own, which also takes the settings store.)"""
    from gui_helpers import WindowPage

    from nnviz.core.config import TrainingConfig
    from nnviz.gui.main_window import MainWindow

    windows = []

    def make(config=None):
        window = MainWindow(config or TrainingConfig(hidden=5), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        QApplication.setActiveWindow(window)  # shortcuts only reach the active window
        window.errors = []
        window.show_error = window.errors.append  # record instead of a modal box
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        page = WindowPage(window)
        assert page.session.shutdown()
        assert not page.has_process


@pytest.fixture
def page(window):
    """The test's ``window`` (a fixture each GUI test file defines) as a ``WindowPage``: tests
    read the window's run and sweep through it, never through the window's own attributes."""
    from gui_helpers import WindowPage

    return WindowPage(window)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item):
    """Delete the widgets each test leaves (pytest-qt has closed them and asked for their deletion
    later) now, while their Python side is whole. Left to the next test's event loop, a window
    could first be taken apart by the garbage collector: Qt then asked its plots' items for their
    size with the Python half of their views gone (an exception, or a crash)."""
    yield
    if "PyQt5.QtWidgets" in sys.modules:
        from PyQt5.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
