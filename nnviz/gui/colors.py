"""Class colours: strong for points, soft for the probability background (orange/blue is
distinguishable with the common colour-vision deficiencies)."""

from __future__ import annotations

import numpy as np

POINT_COLORS = ("#d95f02", "#1f5fa0")  # class 0, class 1
BACKGROUND_ANCHORS = ("#f6b47f", "#f5f4f0", "#8fbbe3")  # p(class 1) = 0, 0.5, 1
CONTOUR_COLOR = "#303030"
TRAIN_COLOR = "#1f5fa0"
TEST_COLOR = "#d95f02"


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def probability_lut(size: int = 256) -> np.ndarray:
    """A ``(size, 3)`` uint8 lookup table from p(class 1) = 0 to 1 through a neutral middle.

    The ramp is eased so that confident regions saturate and the uncertain band stays pale.
    """
    t = np.linspace(0.0, 1.0, size)
    low, mid, high = (_rgb(c) for c in BACKGROUND_ANCHORS)
    s = np.abs(2 * t - 1) ** 0.8  # distance from p = 0.5, eased
    end = np.where(t[:, None] < 0.5, low, high)
    return np.round(mid + s[:, None] * (end - mid)).astype(np.uint8)
