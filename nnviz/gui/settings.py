"""What the window remembers between runs (QSettings)."""

from __future__ import annotations

import json

from PyQt5.QtCore import QSettings

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.datasets import CUSTOM

CONFIG = "config"
GEOMETRY = "window/geometry"
STATE = "window/state"
SPLITTER = "window/splitter"
EXPORT_SCALE = "export/scale"
LOG_SCALE = "view/log_scale"


def load_config(settings: QSettings) -> TrainingConfig | None:
    """The last session's settings, or None if there are none or they are not valid."""
    text = settings.value(CONFIG, "", type=str)
    if not text:
        return None
    try:
        config = TrainingConfig.from_dict(json.loads(text))
    except (ValueError, TypeError, ConfigError):
        return None  # written by another version or edited by hand: start from defaults
    if config.dataset == CUSTOM:  # the user's points are not kept in the settings: the rest still apply
        config = config.replace(dataset=TrainingConfig.dataset)
    return config


def save_config(settings: QSettings, config: TrainingConfig) -> None:
    """Remember ``config`` for next time."""
    settings.setValue(CONFIG, json.dumps(config.as_dict()))
