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
# A value (a regression network's output, a target): Paul Tol's diverging "BuRd" scheme (ColorBrewer's
# RdBu, blue for low and red for high; https://personal.sron.nl/~pault/#sec:diverging), which he
# recommends as readable by people with any common colour-vision deficiency; white in the middle.
VALUE_STOPS = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
VALUE_OUTLINE = "#202020"  # round points coloured by value, so that they read on a map of values
VALUE_LINE_COLOR = (32, 32, 32, 120)  # a value map's contour lines (RGBA)
VALUE_SHADES = 64  # colours the points of a value map come in (each is one stamp)
BEYOND_COLOR = (120, 120, 120, 22)  # shades a curve's x beyond the points: what it shows there is extrapolation


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


def value_lut(size: int = 256) -> np.ndarray:
    """A ``(size, 3)`` uint8 diverging lookup table for values, low (blue) through the middle
    (white) to high (red): :data:`VALUE_STOPS` interpolated evenly."""
    stops = np.array([rgb(c) for c in VALUE_STOPS])
    t = np.linspace(0.0, len(stops) - 1, size)
    return np.round(np.column_stack([np.interp(t, np.arange(len(stops)), stops[:, k]) for k in range(3)])
                    ).astype(np.uint8)


def value_palette() -> tuple[str, ...]:
    """The :data:`VALUE_SHADES` colours (``"#rrggbb"``) that points coloured by value come in,
    evenly along the value scale."""
    lut = value_lut()
    shades = lut[np.linspace(0, len(lut) - 1, VALUE_SHADES).astype(int)]
    return tuple(f"#{r:02x}{g:02x}{b:02x}" for r, g, b in shades.tolist())


def value_shades(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Which of :func:`value_palette`'s shades each of ``values`` is drawn in, on the scale from
    ``low`` to ``high`` (beyond it the end shades; NaN the middle)."""
    t = np.clip((np.asarray(values, dtype=np.float64) - low) / ((high - low) or 1.0), 0.0, 1.0)
    return np.round(np.nan_to_num(t, nan=0.5) * (VALUE_SHADES - 1)).astype(np.intp)


def value_range(values: np.ndarray) -> tuple[float, float]:
    """The fixed ``(low, high)`` of a value scale for these values (a regression's targets):
    symmetric around 0 when they lie on both sides of it (so white means 0), else their own
    range (white is their middle). Never empty: a single value gets +-1 (or +-0.5 of itself)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
    if lo < 0 < hi:
        reach = max(-lo, hi)
        return -reach, reach
    if hi == lo:
        half = 0.5 * abs(lo) or 1.0
        return lo - half, hi + half
    return lo, hi


def value_colors(values: np.ndarray, low: float, high: float, lut: np.ndarray | None = None) -> np.ndarray:
    """RGB uint8 colours ``(..., 3)`` of ``values`` on the value scale from ``low`` to ``high``
    (values beyond it take the end colours; NaN takes the middle)."""
    lut = value_lut() if lut is None else lut
    t = (np.asarray(values, dtype=np.float64) - low) / ((high - low) or 1.0)
    t = np.nan_to_num(t, nan=0.5)
    index = np.round(np.clip(t, 0.0, 1.0) * (len(lut) - 1)).astype(np.intp)
    return lut[index]
