"""The loss landscape's geometry and the sharpness estimate (groundwork for issue 28), against the
run's own losses and against dense Hessians."""

import numpy as np
import pytest

from nnviz.core.analysis.landscape import (
    line_losses,
    pca_plane,
    random_plane,
    slice_losses,
)
from nnviz.core.analysis.sharpness import Gradients, sharpness
from nnviz.core.config import TrainingConfig
from nnviz.core.model.network import MLP
from nnviz.core.training.experiment import build_dataset, build_trainer


@pytest.fixture(scope="module")
def run():
    config = TrainingConfig(dataset="moons", hidden=(6,), dtype="float64", lr=0.5)
    data = build_dataset(config)
    trainer = build_trainer(config, data)
    trainer.step(300)
    return trainer, data, config


def test_the_slices_centre_and_the_lines_ends_are_the_runs_own_losses(run):
    trainer, data, config = run
    network = trainer.network
    moments = trainer.timeline.moments
    path = np.array([m.weights for m in moments])
    plane = pca_plane(path, network.flat)
    centre = slice_losses(network, data.X_train, data.y_train, config.l2, plane, np.array([0.0]), np.array([0.0]))
    loss = network.evaluate(data.X_train, data.y_train, config.l2)[0]
    assert centre[0, 0] == pytest.approx(loss, rel=1e-9)
    first = trainer.network_at(moments[0])
    ends = line_losses(network, data.X_train, data.y_train, config.l2, moments[0].weights, network.flat,
                       np.array([0.0, 1.0]))
    assert ends[0] == pytest.approx(first.evaluate(data.X_train, data.y_train, config.l2)[0], rel=1e-9)
    assert ends[1] == pytest.approx(loss, rel=1e-9)


def test_the_paths_projection_keeps_the_variance_the_plane_explains(run):
    trainer, _, _ = run
    path = np.array([m.weights for m in trainer.timeline.moments])
    plane = pca_plane(path, trainer.network.flat)
    offsets = path - plane.centre
    coordinates = plane.coordinates(path)
    rebuilt = coordinates @ plane.directions
    kept = 1 - np.sum((offsets - rebuilt) ** 2) / np.sum(offsets**2)
    assert kept == pytest.approx(sum(plane.explained), abs=1e-9)
    assert sum(plane.explained) > 0.9  # a smooth full-batch path lies nearly in a plane
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)


def test_random_directions_are_filter_normalised(run):
    trainer, _, _ = run
    network = trainer.network
    plane = random_plane(network, np.random.default_rng(3))
    for direction in plane.directions:
        moved = network.with_flat(direction)
        for d, w in zip(moved.weights, network.weights):
            np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(w, axis=0), rtol=1e-12)
        assert all(not b.any() for b in moved.biases)  # biases stay where they are
    point = plane.weights_at(0.3, -0.2)
    np.testing.assert_allclose(plane.coordinates(point), [[0.3, -0.2]], atol=1e-10)


def _dense_hessian(gradients: Gradients, at: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """The Hessian column by column, by central differences of gradients (made symmetric)."""
    columns = [(gradients.at(at + step * e) - gradients.at(at - step * e)) / (2 * step) for e in np.eye(len(at))]
    hessian = np.array(columns).T
    return (hessian + hessian.T) / 2


def test_sharpness_is_the_largest_eigenvalue_of_a_dense_hessian():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.intp)
    network = MLP.initialise((2, 3, 2), "tanh", rng)
    network.flat[...] += 0.3 * rng.standard_normal(network.flat.size)
    gradients = Gradients(network, X, y, 0.01)
    largest = np.linalg.eigvalsh(_dense_hessian(gradients, network.flat.astype(np.float64)))[-1]
    assert sharpness(network, X, y, 0.01, iterations=500, tolerance=1e-10) == pytest.approx(largest, rel=1e-3)


def test_sharpness_of_linear_regression_is_exact():
    # No hidden layer, identity output, squared error: the loss is quadratic, its Hessian XᵀX/n
    # (with a column of ones for the bias) plus l2 on the weights, known exactly.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2)) * [3.0, 0.5]
    y = X @ [0.7, -1.2] + 0.1
    network = MLP([np.zeros((2, 1))], [np.zeros(1)], (), output="identity", loss="squared-error")
    l2 = 0.05
    design = np.column_stack([X, np.ones(len(X))])
    hessian = design.T @ design / len(X) + np.diag([l2, l2, 0.0])
    assert sharpness(network, X, y, l2, regression=True, iterations=500, tolerance=1e-12) == pytest.approx(
        np.linalg.eigvalsh(hessian)[-1], rel=1e-6)
