"""Class colours: strong for points, soft for the probability background.

The five class colours stay apart for the common colour-vision deficiencies (the first two are
the orange and blue nnviz always had; the others come from Okabe and Ito's palette): simulated
protanopia, deuteranopia and tritanopia keep every pair at least 15 CIELAB units apart (a test
checks this).
"""

from __future__ import annotations

import numpy as np

POINT_COLORS = ("#d95f02", "#1f5fa0", "#009e73", "#cc79a7", "#e6cf1e")  # class 0, 1, 2, 3, 4
BACKGROUND_COLORS = ("#f6b47f", "#8fbbe3", "#80ceb9", "#e5bcd3", "#f2e78e")  # confident regions
NEUTRAL_BACKGROUND = "#f5f4f0"  # where no class is more likely than another
CONTOUR_COLOR = "#303030"
BASELINE_COLOR = "#555555"
UNIT_LINE_COLOR = "#222222"
UNIT_NEGATIVE, UNIT_ZERO, UNIT_POSITIVE = "#7b3294", "#f7f7f7", "#008837"  # a hidden unit's output
TRAIN_COLOR = "#1f5fa0"
TEST_COLOR = "#d95f02"


IMAGE_CLASS_COLORS = (*POINT_COLORS, "#56b4e9", "#5a3d1e", "#7f7f7f", "#9aa51e", "#111111")
"""Ten classes (the digits): the five above, then sky blue, brown, grey, olive and black. Past
five not every pair stays apart for every colour-vision deficiency: the views of images label
their classes too."""


def class_color(k: int) -> str:
    """The colour of class ``k`` (of ten: points have at most five classes)."""
    return IMAGE_CLASS_COLORS[k % len(IMAGE_CLASS_COLORS)]


def rgb(hex_color: str) -> np.ndarray:
    """``"#rrggbb"`` as three floats from 0 to 255."""
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


_NEUTRAL = rgb(NEUTRAL_BACKGROUND)
_PULLS = np.array([rgb(c) for c in BACKGROUND_COLORS]) - _NEUTRAL  # how far each class moves the neutral colour


def probability_colors(probs: np.ndarray) -> np.ndarray:
    """An RGB uint8 image of class probabilities ``(..., classes)``.

    Each class pulls the neutral colour towards its own by how far its probability rises above
    chance (1/classes), eased so that confident regions saturate and uncertain bands stay pale.
    For two classes this is a ramp from orange through neutral at p = 0.5 to blue.
    """
    classes = probs.shape[-1]
    weight = np.clip((classes * probs - 1) / (classes - 1), 0.0, 1.0) ** 0.8
    colors = _NEUTRAL + weight @ _PULLS[:classes]
    return np.clip(np.round(colors), 0, 255).astype(np.uint8)


def activation_lut(size: int = 256) -> np.ndarray:
    """A ``(size, 3)`` uint8 diverging lookup table for a hidden unit's output: purple for
    negative, white at zero, green for positive (apart for all common colour-vision types)."""
    t = np.linspace(-1.0, 1.0, size)[:, None]
    zero = rgb(UNIT_ZERO)
    end = np.where(t < 0, rgb(UNIT_NEGATIVE), rgb(UNIT_POSITIVE))
    return np.round(zero + np.abs(t) * (end - zero)).astype(np.uint8)
