"""What the window remembers between runs (QSettings), read so that nothing in it can stop
the window from opening: a value of the wrong type reads as missing."""

from __future__ import annotations

import json

from PyQt5.QtCore import QByteArray, QSettings

from nnviz.core.config import TrainingConfig

CONFIG = "config"
GEOMETRY = "window/geometry"
STATE = "window/state"
SPLITTER = "window/splitter"
EXPORT_SCALE = "export/scale"
LOG_SCALE = "view/log_scale"
LOG_STEPS = "view/log_steps"


def load_remembered(settings: QSettings) -> tuple[dict | None, list[str]]:
    """The last session's settings as saved (not yet checked: see ``remembered.start_config``),
    or None, with a note when what is there cannot be read at all."""
    text = settings.value(CONFIG)
    if text is None or text == "":
        return None, []
    if not isinstance(text, str):
        return None, [f"the remembered settings are not text ({type(text).__name__}), so the defaults stand in"]
    try:
        return json.loads(text), []
    except (ValueError, RecursionError):
        return None, ["the remembered settings could not be read (damaged or cut short), so the defaults stand in"]


def save_config(settings: QSettings, config: TrainingConfig) -> None:
    """Remember ``config`` for next time."""
    settings.setValue(CONFIG, json.dumps(config.as_dict()))


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A saved window geometry or layout, or None if missing or not one."""
    value = settings.value(key)
    return value if isinstance(value, QByteArray) else None


def read_int(settings: QSettings, key: str, default: int, allowed) -> int:
    """A saved whole number from ``allowed``, else ``default``."""
    value = settings.value(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if number in allowed else default


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    """A saved switch (QSettings' ini files give "true" and "false" as text), else ``default``."""
    value = settings.value(key, default)
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value).lower(), default)


def load_config(settings: QSettings) -> TrainingConfig:
    """The settings the window opens with when nothing is typed: the remembered ones that hold."""
    from nnviz.core.remembered import start_config

    return start_config({}, load_remembered(settings)[0])[0]
