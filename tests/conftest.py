"""Test configuration: every test runs headless, and none touches the user's settings."""

import os

# Set before anything imports Qt, so no test ever needs a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
