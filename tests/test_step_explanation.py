"""One point's step explained (nnviz.core.arithmetic): its numbers against tutorial 002's printout,
against a hand-written forward and backward pass, and against the trainer's own next step."""

import numpy as np
import pytest

from nnviz.core.arithmetic import formulas
from nnviz.core.arithmetic.step import explain_step, phases
from nnviz.core.config import TrainingConfig
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP
from nnviz.core.model.optimizers import Optimizer
from nnviz.core.training.experiment import build_dataset, build_trainer

# Tutorial 002's three-layer network, printed output and input.
TUTORIAL_WEIGHTS = [np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
                    np.array([[0.1, 0.3], [0.2, 0.4]])]
TUTORIAL_BIASES = [np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2]), np.array([0.1, 0.2])]
TUTORIAL_OUTPUT = "[0.31682708 0.69627909]"


def tutorial_network(output="identity", loss="squared-error") -> MLP:
    return MLP(TUTORIAL_WEIGHTS, TUTORIAL_BIASES, "sigmoid", output=output, loss=loss)


def test_tutorial_002_forward_pass_is_reproduced():
    explanation = explain_step(tutorial_network(), [1.0, 0.5], 0)
    assert str(explanation.outputs) == TUTORIAL_OUTPUT
    np.testing.assert_allclose(explanation.layers[0].sums, [0.3, 0.7, 1.1], rtol=1e-15)
    assert formulas.sum_formula(explanation, 0, 0) == "a₁⁽¹⁾ = 1.0·0.1 + 0.5·0.2 + 0.1 = 0.3"
    assert formulas.activation_formula(explanation, 0, 0) == "z₁⁽¹⁾ = σ(0.3) = 0.5744"


def test_phases_walk_forward_then_back():
    kinds = [(p.kind, p.layer) for p in phases(3)]
    assert kinds == [("forward", 0), ("forward", 1), ("forward", 2), ("loss", None),
                     ("backward", 2), ("backward", 1), ("backward", 0), ("update", None)]


def _hand_step(weights, biases, activation, output, loss, x, t):
    """Forward and backward by hand (tutorial 003's formulas), for one point: sums, outputs, deltas."""
    f = {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0)}[activation]
    slope = {"tanh": lambda a, z: 1 - z**2, "sigmoid": lambda a, z: z * (1 - z),
             "relu": lambda a, z: (a > 0).astype(float)}[activation]
    heads = {"softmax": lambda a: np.exp(a - a.max()) / np.exp(a - a.max()).sum(),
             "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "identity": lambda a: a}
    sums, outs, reads = [], [], [x]
    for k, (w, b) in enumerate(zip(weights, biases)):
        a = reads[-1] @ w + b
        z = f(a) if k < len(weights) - 1 else heads[output](a)
        sums.append(a)
        outs.append(z)
        reads.append(z)
    y = outs[-1]
    if loss == "cross-entropy" or output == "identity":  # the canonical pairs
        delta = y - t
    elif output == "sigmoid":
        delta = (y - t) * y * (1 - y)
    else:  # softmax with squared error: its Jacobian times y - t
        delta = y * ((y - t) - np.sum(y * (y - t)))
    deltas = [delta]
    for k in range(len(weights) - 2, -1, -1):
        deltas.insert(0, slope(sums[k], outs[k]) * (weights[k + 1] @ deltas[0]))
    return sums, outs, deltas, reads


HEADS = [("softmax", "cross-entropy", 2), ("identity", "squared-error", 1), ("sigmoid", "cross-entropy", 1),
         ("sigmoid", "squared-error", 2), ("softmax", "squared-error", 3)]


@pytest.mark.parametrize("depth", [0, 2, 6])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("output, loss, units", HEADS)
def test_numbers_equal_a_hand_computation(activation, output, loss, units, depth):
    rng = np.random.default_rng(3)
    features = ("x1", "x2", "x1x2")  # the inputs the first layer reads: x1, x2 and their product
    network = MLP.initialise((3,) + (4,) * depth + (units,), activation, rng, output=output, loss=loss,
                             features=features)
    network.flat[...] += 0.1 * rng.standard_normal(network.flat.size)
    point = np.array([0.7, -0.4])
    target = 0.6 if output == "identity" else 1
    explanation = explain_step(network, point, target, regression=output == "identity")
    t = np.array([target]) if units == 1 else np.eye(units)[target]
    x = np.array([0.7, -0.4, 0.7 * -0.4])
    sums, outs, deltas, reads = _hand_step(network.weights, network.biases, activation, output, loss, x, t)
    for k, step in enumerate(explanation.layers):
        np.testing.assert_allclose(step.sums, sums[k], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(step.outputs, outs[k], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(step.deltas, deltas[k], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(step.weight_gradient, np.outer(reads[k], deltas[k]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(step.bias_gradient, deltas[k], rtol=1e-12, atol=1e-12)


def test_a_batchs_gradient_and_update_equal_a_hand_computation():
    rng = np.random.default_rng(7)
    network = MLP.initialise((2, 5, 3, 2), "tanh", rng)
    points, labels = rng.uniform(-1, 1, (6, 2)), rng.integers(0, 2, 6)
    optimizer = Optimizer("sgd", network.flat.size, np.float64, 0.3)
    explanation = explain_step(network, points[2], labels[2], batch=(points, labels), optimizer=optimizer, l2=0.05)
    per_point = [_hand_step(network.weights, network.biases, "tanh", "softmax", "cross-entropy", p, np.eye(2)[c])
                 for p, c in zip(points, labels)]
    for k, step in enumerate(explanation.layers):
        total = sum(np.outer(reads[k], deltas[k]) for _, _, deltas, reads in per_point) / 6 + 0.05 * network.weights[k]
        bias_total = sum(deltas[k] for _, _, deltas, _ in per_point) / 6
        np.testing.assert_allclose(step.batch_weight_gradient, total, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(step.batch_bias_gradient, bias_total, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(step.new_weights, network.weights[k] - 0.3 * total, rtol=1e-12, atol=1e-15)


def test_a_point_given_probability_zero_is_explained():
    # A typed point far out: the network is sure of the other class, so this point's loss is
    # infinite; its delta y - t is not, and the batch it is not in has a finite loss.
    network = MLP([np.array([[100.0, -100.0], [0.0, 0.0]])], [np.zeros(2)], (), output="softmax")
    explanation = explain_step(network, [10.0, 0.0], 1, batch=(np.array([[0.1, 0.0]]), np.array([1])))
    assert explanation.point_loss == np.inf
    np.testing.assert_array_equal(explanation.layers[0].deltas, [1.0, -1.0])
    assert formulas.loss_formula(explanation).endswith("= −log 0.0 = inf")
    with pytest.raises(ValueError, match="batch's loss is not finite"):
        explain_step(network, [10.0, 0.0], 1, batch=(np.array([[10.0, 0.0]]), np.array([1])))


def test_numbers_equal_the_engines_forward_and_gradient():
    from nnviz.core.model.network import Backprop, layer_output

    rng = np.random.default_rng(0)
    network = MLP.initialise((2, 5, 5, 3), ("relu", "tanh"), rng)
    x, target = np.array([[0.2, 0.9]]), 2
    explanation = explain_step(network, x[0], target)
    backprop = Backprop(network)
    backprop.run(network, network.inputs(x), np.eye(3)[[target]], np.array([target]), 0.0)
    for k, step in enumerate(explanation.layers):
        assert np.array_equal(step.outputs, layer_output(network, x, k)[0])
        assert np.array_equal(step.sums, layer_output(network, x, k, before_activation=True)[0])
        assert np.array_equal(step.weight_gradient, backprop.gradients[2 * k])
        assert np.array_equal(step.bias_gradient, backprop.gradients[2 * k + 1])


def test_hidden_slopes_are_the_engines_derivatives():
    explanation = explain_step(tutorial_network(), [1.0, 0.5], 0)
    z = explanation.layers[0].outputs
    np.testing.assert_allclose(formulas.slope(explanation, 0), z * (1 - z), rtol=1e-15)
    assert "(f′ = z(1 − z))" in formulas.delta_formula(explanation, 0, 0)


def test_the_update_is_the_trainers_next_step_exactly():
    config = TrainingConfig(dataset="moons", hidden=(6,), batch_size=16, optimizer="adam", lr=0.01, l2=1e-3,
                            dtype="float64")
    data = build_dataset(config)
    trainer = build_trainer(config, data)
    trainer.step(5)  # mid-epoch, with Adam's state under way
    point, target = data.X_train[3], data.y_train[3]
    explanation = trainer.explain(point, target)
    assert explanation.batch_size == 16 and explanation.optimizer == "adam"
    trainer.step(1)  # the peek advanced nothing: this is the step explained
    for k, step in enumerate(explanation.layers):
        assert np.array_equal(step.new_weights, trainer.network.weights[k])
        assert np.array_equal(step.new_biases, trainer.network.biases[k])


def test_explaining_draws_nothing_from_the_run():
    config = TrainingConfig(dataset="moons", hidden=(4,), batch_size=50)
    data = build_dataset(config)
    explained, plain = build_trainer(config, data), build_trainer(config, data)
    for _ in range(9):  # across epoch ends, where a peek has to draw the next shuffle
        explained.explain(data.X_train[0], data.y_train[0])
        explained.step(1)
        plain.step(1)
    assert np.array_equal(explained.network.flat, plain.network.flat)


def test_batch_share_and_total():
    network = tutorial_network("softmax", "cross-entropy")
    points, labels = np.array([[1.0, 0.5], [0.0, 1.0], [-1.0, 0.2]]), np.array([1, 0, 0])
    optimizer = Optimizer("sgd", network.flat.size, np.float64, 0.5)
    explanation = explain_step(network, points[0], 1, batch=(points, labels), optimizer=optimizer, l2=0.01)
    assert explanation.in_batch and explanation.batch_size == 3
    alone = [explain_step(network, p, t).layers[0].weight_gradient for p, t in zip(points, labels)]
    total = sum(alone) / 3 + 0.01 * network.weights[0]
    np.testing.assert_allclose(explanation.layers[0].batch_weight_gradient, total, rtol=1e-12)
    np.testing.assert_allclose(explanation.share(0)[0], alone[0] / 3, rtol=1e-15)
    np.testing.assert_allclose(explanation.layers[0].new_weights, network.weights[0] - 0.5 * total, rtol=1e-12)
    assert "this point's share" in formulas.gradient_formula(explanation, 0, 0, 0)
    typed = explain_step(network, [9.0, 9.0], 0, batch=(points, labels))
    assert not typed.in_batch and "not in the batch" in formulas.gradient_formula(typed, 0, 0, 0)


def test_update_formula_reads_as_plain_descent():
    network = tutorial_network()
    optimizer = Optimizer("sgd", network.flat.size, np.float64, 0.5)
    explanation = explain_step(network, [1.0, 0.5], 0, optimizer=optimizer)
    text = formulas.update_formula(explanation, 2, 0, 0)
    assert text.startswith("w₁₁⁽³⁾ ← w₁₁⁽³⁾ − η·g = 0.1 − 0.5·")
    assert optimizer.steps == 0  # the run's optimiser is copied, not stepped


def test_losses_in_words():
    sigmoid = MLP.initialise((2, 3, 1), "tanh", np.random.default_rng(1), output="sigmoid", loss="cross-entropy")
    explanation = explain_step(sigmoid, [0.5, 0.5], 0)
    y = explanation.outputs[0]
    assert explanation.point_loss == pytest.approx(-np.log(1 - y), rel=1e-12)
    assert f"log (1 − {formulas.number(y)})" in formulas.loss_formula(explanation)
    squared = explain_step(tutorial_network(), [1.0, 0.5], 1)
    assert formulas.loss_formula(squared).startswith("E = ½ Σₖ (yₖ − tₖ)² = ½((0.3168 − 0.0)² + (0.6963 − 1.0)²)")


def test_wide_layers_show_their_largest_terms():
    network = MLP.initialise((2, 30, 2), "tanh", np.random.default_rng(2))
    explanation = explain_step(network, [0.3, 0.3], 0)
    text = formulas.sum_formula(explanation, 1, 0, terms=5)
    assert "… (25 more)" in text and text.count("·") == 5


def test_the_table_holds_every_parameter():
    explanation = explain_step(tutorial_network(), [1.0, 0.5], 0)
    table = formulas.explanation_table(explanation)
    assert table.count("w₁₁⁽") == 3 and "b₂⁽³⁾" in table and "0.3168" in table


def test_an_unfinite_loss_is_refused():
    network = tutorial_network("softmax", "cross-entropy")
    network.flat[...] *= 1e6
    with pytest.raises(ValueError, match="not finite"):
        explain_step(network, [1.0, 0.5], 0)


def test_kinked_activations_are_named():
    assert {name for name, a in ACTIVATIONS.items() if a.kinks} == {"relu", "leaky_relu", "step", "elu"}


def test_a_float32_regression_point_is_found_in_its_batch():
    config = TrainingConfig(dataset="sine", hidden=(5,), dtype="float32")
    data = build_dataset(config)
    trainer = build_trainer(config, data)
    explanation = trainer.explain(data.X_train[2], data.y_train[2])
    assert explanation.in_batch and explanation.regression


def test_negative_targets_are_bracketed():
    network = MLP.initialise((1, 3, 1), "tanh", np.random.default_rng(0), output="identity", loss="squared-error")
    explanation = explain_step(network, [0.5], -0.75, regression=True)
    assert "− (−0.75)" in formulas.delta_formula(explanation, 1, 0)
    assert "− (−0.75))²" in formulas.loss_formula(explanation)
