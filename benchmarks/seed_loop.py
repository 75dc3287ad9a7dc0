"""The seed tutorial 001's training loop (`build_model`), re-implemented faithfully as the
baseline every nnviz figure is compared with: allocating numpy code, float64, 2 classes."""

from __future__ import annotations

import numpy as np

EPSILON = 0.01  # the seed's learning rate on the summed gradient
REG_LAMBDA = 0.01  # the seed's regularisation strength


def tutorial_data() -> tuple[np.ndarray, np.ndarray]:
    """The seed's `generate_data()`: seed 0, 200 moons with noise 0.2."""
    from sklearn import datasets

    np.random.seed(0)
    return datasets.make_moons(200, noise=0.20)


def calculate_loss(model: dict, X: np.ndarray, y: np.ndarray) -> float:
    """The seed's `calculate_loss`, verbatim in substance."""
    num_examples = len(X)
    W1, b1, W2, b2 = model["W1"], model["b1"], model["W2"], model["b2"]
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    corect_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(corect_logprobs)
    data_loss += REG_LAMBDA / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
    return 1.0 / num_examples * data_loss


def build_model(X: np.ndarray, y: np.ndarray, nn_hdim: int, num_passes: int = 20000) -> dict:
    """The seed's `build_model`: full-batch gradient descent, line for line."""
    num_examples = len(X)
    np.random.seed(0)
    W1 = np.random.randn(2, nn_hdim) / np.sqrt(2)
    b1 = np.zeros((1, nn_hdim))
    W2 = np.random.randn(nn_hdim, 2) / np.sqrt(nn_hdim)
    b2 = np.zeros((1, 2))
    model = {}
    for _ in range(num_passes):
        z1 = X.dot(W1) + b1
        a1 = np.tanh(z1)
        z2 = a1.dot(W2) + b2
        exp_scores = np.exp(z2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        delta3 = probs
        delta3[range(num_examples), y] -= 1
        dW2 = (a1.T).dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = np.dot(X.T, delta2)
        db1 = np.sum(delta2, axis=0)
        dW2 += REG_LAMBDA * W2
        dW1 += REG_LAMBDA * W1
        W1 += -EPSILON * dW1
        b1 += -EPSILON * db1
        W2 += -EPSILON * dW2
        b2 += -EPSILON * db2
        model = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return model
