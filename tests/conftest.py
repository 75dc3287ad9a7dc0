"""Test configuration: every test runs headless, and none touches the user's settings."""

import os
import tempfile

# Set before anything imports Qt: no test needs a display, and QSettings (which follows
# XDG_CONFIG_HOME on Linux) writes to a throw-away folder, never the user's real settings.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-test-config-")
