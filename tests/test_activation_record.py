"""An activation is added in one place: its entry in ``ACTIVATIONS`` says its output range and
how its units stop working, and the colour scales, histograms and their notes read it there."""

import numpy as np
import pytest

from nnviz.core.analysis.layer_stats import activation_histograms, stalled_share
from nnviz.core.analysis.units import activation_range
from nnviz.core.model.activations import ACTIVATIONS, Activation
from nnviz.core.model.network import MLP


def _hard_tanh(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.clip(z, -1, 1, out=z)


def _hard_tanh_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.less(np.abs(a), 1, out=out, casting="unsafe")


def _relu6(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.clip(z, 0, 6, out=z)


@pytest.fixture
def added(monkeypatch):
    """Two activations nnviz has never heard of, each added by its entry alone."""
    monkeypatch.setitem(ACTIVATIONS, "hard_tanh",
                        Activation("hard_tanh", _hard_tanh, _hard_tanh_derivative, (-1.0, 1.0), "saturated", 0.05))
    monkeypatch.setitem(ACTIVATIONS, "floored", Activation("floored", _relu6, _hard_tanh_derivative, (0.0, None), "dead"))


def test_a_new_bounded_activation_is_drawn_over_its_bounds(added):
    """Its maps and histograms span its bounds, whatever the outputs of this frame."""
    network = MLP.initialise((2, 6, 2), "hard_tanh", np.random.default_rng(0), np.float64)
    assert activation_range("hard_tanh", np.full((6, 4, 4), 0.25)) == (-1.0, 1.0)
    histogram = activation_histograms(network, np.random.default_rng(1).standard_normal((50, 2)))[0]
    assert (histogram.edges[0], histogram.edges[-1]) == (-1.0, 1.0)


def test_a_new_activation_counts_its_stopped_units_its_own_way(added):
    """Saturated: nearly always within its ``flat`` margin of a bound; dead: at its lower bound
    at every point. Another activation with no such word counts none."""
    outputs = np.array([[0.97, 0.5, 0.0], [-0.99, 0.5, 0.0], [0.96, -0.2, 0.0]])
    assert stalled_share("hard_tanh", outputs) == pytest.approx(1 / 3)  # 0.96 and 0.97 are within 0.05
    assert stalled_share("floored", outputs) == pytest.approx(1 / 3)  # only the last unit is 0 throughout
    histogram = activation_histograms(MLP.initialise((2, 4, 2), "floored", np.random.default_rng(0), np.float64),
                                      np.random.default_rng(1).standard_normal((50, 2)))[0]
    assert histogram.edges[0] == 0.0  # nothing is drawn below its lower bound
    assert stalled_share("leaky_relu", outputs) is None
