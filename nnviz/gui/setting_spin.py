"""Spin boxes for the config's numeric settings, over the ranges the config declares."""

from __future__ import annotations

from PyQt5.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox

from nnviz.core.config import RANGES

TYPED_LIMITS = {"lr": (1e-5, 1e3), "l2": (0.0, 1.0)}
"""A box needs two ends: what can be typed of the settings whose range has none."""


def setting_spin(name: str, step: float, tip: str, decimals: int | None = None) -> QAbstractSpinBox:
    """A box for the setting ``name`` over its range in :data:`RANGES` (:data:`TYPED_LIMITS`
    where that is open); whole numbers unless ``decimals`` is given."""
    box = QSpinBox() if decimals is None else QDoubleSpinBox()
    if decimals is not None:
        box.setDecimals(decimals)
    box.setRange(*TYPED_LIMITS.get(name, (RANGES[name].low, RANGES[name].high)))
    box.setSingleStep(step)
    box.setKeyboardTracking(False)  # typing "500" must not pass through 5 and 50
    box.setToolTip(tip)
    return box
