"""Backpropagation agrees with finite differences of the loss."""

import numpy as np
import pytest

from nnviz.core.engine.ops import forward_inputs
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP, Backprop

SMOOTH = sorted(name for name in ACTIVATIONS if name != "step")  # step's slope is zero, its jump no derivative


def _loss(network: MLP, X, y, l2) -> float:
    return network.evaluate(X, y, l2)[0]


def _numeric_gradient(network: MLP, X, y, l2, h=1e-6):
    grads = []
    for p in network.parameters():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = _loss(network, X, y, l2)
            flat[i] = old - h
            down = _loss(network, X, y, l2)
            flat[i] = old
            gflat[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("activation", SMOOTH)
@pytest.mark.parametrize("hidden", [1, 3, 20])
@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_backprop_matches_finite_differences(activation, hidden, classes, l2):
    """Every parameter's gradient matches a central difference to 1e-6 relative error (float64)."""
    rng = np.random.default_rng(hidden * 7 + classes)
    X = rng.standard_normal((13, 2))
    y = rng.integers(0, classes, size=13)
    y[:classes] = np.arange(classes)
    network = MLP.initialise((2, hidden, classes), activation, rng, np.float64)
    # Random biases too, so no hidden unit sits exactly at ReLU's kink at zero.
    for b in network.biases:
        b[:] = rng.standard_normal(b.shape)
    targets = np.eye(classes)[y]
    backprop = Backprop(network)
    assert backprop.run(network, forward_inputs(X), targets, np.arange(len(y)) * classes + y, l2)
    numeric = _numeric_gradient(network, X, y, l2)
    for analytic, approx in zip(backprop.gradients, numeric):
        error = np.linalg.norm(analytic - approx) / max(np.linalg.norm(analytic) + np.linalg.norm(approx), 1e-12)
        assert error < 1e-6


SHAPES = [(2, 4, 5, 3), (2, 1, 1, 2), (2, 3)]
PER_LAYER = [("relu", "sigmoid"), ("linear", "leaky_relu")]


@pytest.mark.parametrize("sizes,activation", [(s, a) for s in SHAPES for a in SMOOTH]
                         + [(s, a) for s in SHAPES[:2] for a in PER_LAYER])
def test_every_shape_backprop_matches_finite_differences(sizes, activation):
    """Two hidden layers, two of one unit, and none (softmax regression), with every activation
    and with one per layer: the gradients match central differences (float64, with L2)."""
    rng = np.random.default_rng(5)
    classes = sizes[-1]
    X = rng.standard_normal((9, 2))
    y = rng.integers(0, classes, size=9)
    network = MLP.initialise(sizes, activation, rng, np.float64)
    for b in network.biases:  # so no unit sits exactly at ReLU's kink at zero
        b[:] = rng.standard_normal(b.shape)
    backprop = Backprop(network)
    assert backprop.run(network, forward_inputs(X), np.eye(classes)[y], np.arange(9) * classes + y, 0.01)
    for analytic, approx in zip(backprop.gradients, _numeric_gradient(network, X, y, 0.01), strict=True):
        np.testing.assert_allclose(analytic, approx, rtol=1e-6, atol=1e-9)


def test_nothing_below_a_step_layer_learns():
    """Tutorial 002's step passes no gradient: every layer below a step layer gets a zero
    gradient, while the layers above it get one."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((20, 2))
    y = np.arange(20) % 2
    network = MLP.initialise((2, 5, 4, 2), ("tanh", "step"), rng, np.float64)
    backprop = Backprop(network)
    assert backprop.run(network, forward_inputs(X), np.eye(2)[y], np.arange(20) * 2 + y, 0.0)
    w1, b1, w2, b2, w3, b3 = backprop.gradients
    assert not w1.any() and not b1.any() and not w2.any() and not b2.any()
    assert np.abs(w3).sum() > 0 and np.abs(b3).sum() > 0


def test_parameters_are_views_of_one_flat_vector_that_survive_pickling():
    """Weights and biases live in `flat`; a pickled network keeps that (and its values)."""
    import pickle

    network = MLP.initialise((2, 4, 3, 2), "tanh", np.random.default_rng(1), np.float32)
    assert all(np.shares_memory(p, network.flat) for p in network.parameters())
    assert sum(p.size for p in network.parameters()) == network.flat.size
    clone = pickle.loads(pickle.dumps(network))
    clone.biases[0][:] = 7
    assert clone.flat[network.layer_sizes[0] * 4 : network.layer_sizes[0] * 4 + 4].tolist() == [7] * 4
    np.testing.assert_array_equal(clone.weights[1], network.weights[1])
