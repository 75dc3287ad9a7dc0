"""Per-layer histograms and the share of units that stopped working."""

import numpy as np
import pytest

from nnviz.core.analysis.layer_stats import (
    activation_histograms,
    stalled_share,
    weight_histograms,
)
from nnviz.core.model.network import MLP, hidden_outputs, layer_output

X = np.random.default_rng(0).standard_normal((1000, 100))


def _deep(activation: str, init: str) -> MLP:
    return MLP.initialise((100, *[100] * 5, 2), activation, np.random.default_rng(0), np.float64, init)


def test_hidden_outputs_are_each_layers_output():
    network = MLP.initialise((3, 7, 5, 4, 2), ("tanh", "relu", "sigmoid"), np.random.default_rng(1))
    outputs = hidden_outputs(network, X[:50, :3])
    assert len(outputs) == 3
    for layer, output in enumerate(outputs):
        np.testing.assert_array_equal(output, layer_output(network, X[:50, :3], layer))


def test_the_books_three_sigmoid_pictures():
    """std 1 piles the outputs at 0 and 1, std 0.01 at 0.5, and the default spreads them."""
    ends = lambda h: h.shares[0] + h.shares[-1]
    middle = lambda h: h.shares[13:17].sum()
    for h in activation_histograms(_deep("sigmoid", "normal-1"), X)[1:]:
        assert ends(h) > 0.4 and h.stalled > 0
        assert h.edges[0] == 0 and h.edges[-1] == 1
    for h in activation_histograms(_deep("sigmoid", "normal-0.01"), X):
        assert middle(h) > 0.9 and h.stalled == 0
    for h in activation_histograms(_deep("sigmoid", "default"), X):
        assert ends(h) < 0.01 and middle(h) < 0.5 and h.stalled == 0
    for h in activation_histograms(_deep("sigmoid", "default"), X):
        assert h.shares.sum() == pytest.approx(1.0)


def test_dead_and_saturated_units_are_counted_per_unit():
    """A ReLU unit that outputs 0 at every point is dead; a tanh unit at +-1 on 90% or more of
    the points is saturated; other activations have no such count."""
    outputs = np.array([[0.0, 0.3, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.1, 0.0, 0.0]])
    assert stalled_share("relu", outputs) == 0.5  # units 0 and 2
    flat = np.full((10, 4), 0.2)
    flat[:, 0] = 0.999  # saturated at every point
    flat[:9, 1] = -0.995  # at 9 of 10
    flat[:8, 2] = 0.995  # at 8 of 10: not
    assert stalled_share("tanh", flat) == 0.5
    assert stalled_share("linear", outputs) is None and stalled_share("leaky_relu", outputs) is None


def test_relu_histograms_start_at_0_and_weights_are_symmetric():
    for h in activation_histograms(_deep("relu", "he"), X):
        assert h.edges[0] == 0 and h.edges[-1] > 0 and h.stalled is not None
    network = _deep("relu", "he")
    histograms = weight_histograms(network.weights)
    assert len(histograms) == len(network.weights)
    for h, weights in zip(histograms, network.weights):
        assert h.edges[0] == -h.edges[-1] == -np.abs(weights).max() and h.stalled is None
        assert h.shares.sum() == pytest.approx(1.0)


def test_large_layers_are_sampled_evenly_over_their_units():
    """A 400x400 layer's histogram comes from a sample that reaches every unit alike: every
    eighth unit's weights are 1 and the others' -1, and the shares are those of the full layer
    (a sample taking every eighth weight would see only 1s)."""
    from nnviz.core.analysis.layer_stats import MAX_VALUES

    weights = np.where(np.arange(400) % 8 == 0, 1.0, -1.0)[None, :].repeat(400, axis=0)
    assert weights.size > MAX_VALUES
    sampled = weight_histograms([weights])[0]
    full = np.histogram(weights, sampled.edges)[0] / weights.size
    np.testing.assert_allclose(sampled.shares, full, atol=0.01)
