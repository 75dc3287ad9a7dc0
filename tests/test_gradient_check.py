"""The gradient check (nnviz.core.arithmetic.gradient_check): backpropagation agrees with
numerical differences over every activation, loss, output and depth, and a wrong derivative is caught."""

import numpy as np
import pytest

from nnviz.core.arithmetic.gradient_check import TOLERANCE, check_gradients
from nnviz.core.engine.ops import HEADS
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP

RNG = np.random.default_rng(0)
POINTS = RNG.uniform(-1, 1, (40, 2))
CLASSES = (POINTS[:, 0] * POINTS[:, 1] > 0).astype(np.intp)
VALUES = np.sin(3 * POINTS[:, 0]) + POINTS[:, 1]


def _network(activation, output, loss, depth, seed=1) -> MLP:
    units = 1 if output in ("sigmoid", "identity") else 2
    rng = np.random.default_rng(seed)
    network = MLP.initialise((2,) + (5,) * depth + (units,), activation, rng, output=output, loss=loss)
    network.flat[...] += 0.1 * rng.standard_normal(network.flat.size)  # biases away from 0
    return network


@pytest.mark.parametrize("depth", [0, 1, 2, 6])
@pytest.mark.parametrize("output, loss", sorted(HEADS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backpropagation_agrees_everywhere(activation, output, loss, depth):
    network = _network(activation, output, loss, depth)
    targets = VALUES if output == "identity" else CLASSES
    check = check_gradients(network, POINTS, targets, l2=0.01, regression=output == "identity")
    assert check.passed, "\n".join(check.lines())
    assert len(check.layers) == depth + 1 and check.points == len(POINTS)


def test_a_wrong_derivative_is_caught_and_named(monkeypatch):
    tanh = ACTIVATIONS["tanh"]

    def slightly_wrong(a, out, sums=None):
        tanh.derivative(a, out, sums)
        out *= 1.001
        return out

    monkeypatch.setitem(ACTIVATIONS, "tanh", tanh._replace(derivative=slightly_wrong))
    network = _network(("sigmoid", "tanh"), "softmax", "cross-entropy", 2)
    check = check_gradients(network, POINTS, CLASSES)
    assert not check.passed
    assert check.failing == ["hidden layer 1", "hidden layer 2"]  # the error enters at layer 2 and flows down
    assert check.layers[2].worst < TOLERANCE  # the output layer's gradient does not pass through it
    assert "Failed: hidden layer 1, hidden layer 2" in "\n".join(check.lines())


def test_a_missing_l2_term_is_caught():
    network = _network("tanh", "softmax", "cross-entropy", 1)
    with_decay = check_gradients(network, POINTS, CLASSES, l2=0.01)
    assert with_decay.passed
    # Backprop told l2 = 0 against a loss with the term: patch the penalty the differences see.
    original = MLP.penalty
    try:
        MLP.penalty = lambda self, l2: original(self, l2) + 0.005 * float(np.vdot(self.weights[0], self.weights[0]))
        assert check_gradients(network, POINTS, CLASSES, l2=0.01).failing == ["hidden layer 1"]
    finally:
        MLP.penalty = original


def test_kinks_crossed_are_counted_not_compared():
    # The XOR table's (0, 0) with zero biases puts every first-layer sum exactly on ReLU's kink.
    table = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    network = MLP.initialise((2, 3, 2), "relu", np.random.default_rng(0))
    check = check_gradients(network, table, np.array([0, 1, 1, 0]))
    assert check.passed and check.layers[0].at_kinks == 3  # the three first-layer biases
    assert np.isnan(check.layers[0].biases)
    text = "\n".join(check.lines())
    assert "3 parameters not compared" in text and "mask = x <= 0" in text


def test_dropout_is_said_to_be_off():
    check = check_gradients(_network("tanh", "softmax", "cross-entropy", 1), POINTS, CLASSES, dropout=0.3)
    assert check.dropout_off and "Dropout is off" in check.lines()[-1]


def test_float32_networks_are_checked_in_float64():
    network = _network("tanh", "softmax", "cross-entropy", 1)
    single = network.with_flat(network.flat.astype(np.float32))
    assert check_gradients(single, POINTS, CLASSES).passed
    assert single.dtype == np.float32  # the network itself is left as it was


def test_a_diverged_network_is_refused():
    network = _network("tanh", "softmax", "cross-entropy", 1)
    network.flat[...] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        check_gradients(network, POINTS, CLASSES)


def test_kink_list_covers_relu(monkeypatch):
    # Without its kink listed, the XOR table's ReLU kinks make the check fail: the rule is needed.
    monkeypatch.setitem(ACTIVATIONS, "relu", ACTIVATIONS["relu"]._replace(kinks=()))
    table = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    network = MLP.initialise((2, 3, 2), "relu", np.random.default_rng(0))
    assert not check_gradients(network, table, np.array([0, 1, 1, 0])).passed


def test_one_wrong_unit_is_caught(monkeypatch):
    # A derivative wrong for one unit only (the third of the layer's five) by 0.1%: its weights'
    # errors are measured against the layer's largest gradient, and still stand out.
    tanh = ACTIVATIONS["tanh"]

    def wrong_for_one_unit(a, out, sums=None):
        tanh.derivative(a, out, sums)
        out[:, 2] *= 1.001
        return out

    monkeypatch.setitem(ACTIVATIONS, "tanh", tanh._replace(derivative=wrong_for_one_unit))
    check = check_gradients(_network("tanh", "softmax", "cross-entropy", 1), POINTS, CLASSES)
    assert check.failing == ["hidden layer 1"]


def test_weights_too_large_to_tell_are_said_to_be():
    network = _network("tanh", "identity", "squared-error", 1)
    network.flat[...] *= 1e9  # a diverging run's: the loss is ~1e18, its rounding hides the gradient
    check = check_gradients(network, POINTS, VALUES, regression=True)
    assert not check.passed and check.rounding_limited and check.lines()[len(check.layers) + 1].startswith("Inconclusive")
