"""Class colours stay apart for colour-blind users, and the background follows probabilities."""

import itertools

import numpy as np
import pytest

from nnviz.gui.colors import (
    BACKGROUND_COLORS,
    NEUTRAL_BACKGROUND,
    POINT_COLORS,
    probability_colors,
    rgb,
)

# Machado, Oliveira and Fernandes (2009), severity 1: linear-RGB simulations of dichromacy.
SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal vision": np.eye(3),
}


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _linear(hex_color: str) -> np.ndarray:
    c = rgb(hex_color) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


@pytest.mark.parametrize("vision", SIMULATIONS)
def test_every_pair_of_class_colours_stays_apart(vision):
    """Under each simulated colour-vision deficiency every two class colours differ by at
    least 15 CIELAB units (about three times a just-noticeable difference for small marks)."""
    matrix = np.array(SIMULATIONS[vision])
    labs = [_lab(matrix @ _linear(c)) for c in POINT_COLORS]
    for a, b in itertools.combinations(range(len(POINT_COLORS)), 2):
        assert np.linalg.norm(labs[a] - labs[b]) >= 15, (vision, POINT_COLORS[a], POINT_COLORS[b])


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_certain_regions_take_their_class_colour_and_a_tie_is_neutral(classes):
    """Probability 1 for a class gives its background colour; equal probabilities give neutral."""
    certain = np.eye(classes)
    np.testing.assert_array_equal(probability_colors(certain), [rgb(c) for c in BACKGROUND_COLORS[:classes]])
    tie = np.full((1, classes), 1 / classes)
    np.testing.assert_array_equal(probability_colors(tie)[0], rgb(NEUTRAL_BACKGROUND))


def test_two_classes_fade_through_neutral_at_one_half():
    """Between the two certain colours, the shade grows with the distance from p = 0.5."""
    p1 = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    colors = probability_colors(np.column_stack([1 - p1, p1])).astype(float)
    neutral = rgb(NEUTRAL_BACKGROUND)
    distance = np.linalg.norm(colors - neutral, axis=1)
    assert distance[2] == 0 and distance[1] < distance[0] and distance[3] < distance[4]
