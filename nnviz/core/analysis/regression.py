"""What a regression network's picture is made of: its function over a range, each last hidden
unit's share of it (the universal-approximation picture), and how far it misses the points."""

from __future__ import annotations

import numpy as np

from nnviz.core.data.datasets import Dataset
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, hidden_outputs
from nnviz.core.model.scoring import r_squared


def _column(xs: np.ndarray) -> np.ndarray:
    """One-coordinate points ``(n,)`` or ``(n, 1)`` as the ``(n, 1)`` a network reads."""
    xs = np.asarray(xs, dtype=np.float64)
    return xs.reshape(-1, 1) if xs.ndim == 1 else xs


def fit_curve(network: MLP, x_range: tuple[float, float], count: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """The network's (first) output over ``count`` evenly spaced x in ``x_range``, for data of
    one coordinate: ``(xs, ys)``, both float64 of length ``count``."""
    xs = np.linspace(float(x_range[0]), float(x_range[1]), count)
    ys = network.outputs(xs[:, None])[:, 0]
    return xs, ys.astype(np.float64)


def extended_range(data: Dataset | np.ndarray, widen: float = 0.5) -> tuple[float, float]:
    """The points' first coordinate's range, widened on both sides by ``widen`` of its span,
    so that a curve drawn over it shows how the network extrapolates. ``data``: a dataset (all
    its points) or the points ``X``. A single x (no span) is widened by ``widen`` each side."""
    X = data.merged()[0] if isinstance(data, Dataset) else np.asarray(data, dtype=np.float64)
    x = X.reshape(len(X), -1)[:, 0] if len(X) else np.array([0.0])
    lo, hi = float(np.min(x)), float(np.max(x))
    span = hi - lo if hi > lo else 1.0
    return lo - widen * span, hi + widen * span


def contributions(network: MLP, xs: np.ndarray, output: int = 0) -> tuple[np.ndarray, float]:
    """Each last-hidden-layer unit's share of output unit ``output`` at the points ``xs``: the
    unit's output times its outgoing weight, shape ``(len(xs), units)``, and that unit's bias.

    The shares plus the bias sum to the output unit's weighted input sum, which is the network's
    value for an identity output (for sigmoid, the value before the squashing). A network with no
    hidden layer has one share per input (each input times its weight). ``xs``: one coordinate
    ``(n,)``, or points ``(n, d)`` as the network reads them."""
    points = _column(xs).astype(network.dtype)
    hidden = hidden_outputs(network, points)
    last = hidden[-1] if hidden else expand(points, network.features)
    weights = network.weights[-1][:, output]
    return last * weights, float(network.biases[-1][output])


def residuals(network: MLP, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Target minus prediction at each point (float64, ``(n,)``): positive where the network
    is below the point. ``X``: one coordinate ``(n,)`` or the points ``(n, d)``."""
    predicted = network.outputs(_column(X))[:, 0].astype(np.float64)
    return np.asarray(y, dtype=np.float64) - predicted


def regression_scores(network: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """``(mse, rmse, r2)`` of the network's predictions of targets ``y`` at ``X``: the mean of
    ``(prediction - target)**2``, its root, and the coefficient of determination (NaN for no
    points; R² is NaN when every target is the same)."""
    if not len(y):
        return float("nan"), float("nan"), float("nan")
    error = residuals(network, X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        mse = float(np.mean(np.square(error)))
    return mse, float(np.sqrt(mse)), r_squared(np.asarray(y, dtype=np.float64) - error, y)


def mse_from_r_squared(r2: float, y: np.ndarray) -> float:
    """The mean squared error that goes with a coefficient of determination ``r2`` on targets
    ``y``: ``(1 - R²) * var(y)``, since R² = 1 - SS_res / SS_tot and MSE = SS_res / n (NaN
    without targets or with an R² of NaN)."""
    y = np.asarray(y, dtype=np.float64)
    if not len(y) or np.isnan(r2):
        return float("nan")
    return float((1.0 - r2) * np.var(y))


def regression_figures(entry, data: Dataset, network: MLP) -> dict[str, float]:
    """``train_mse``, ``train_rmse``, ``train_r2`` and the same of the test set, at a history
    ``entry`` of a regression on ``data`` (whose accuracy columns hold R²): the MSE from R² and
    the targets' variance (:func:`mse_from_r_squared`: exact, no forward pass). Where every
    target of a set is the same, R² says nothing (NaN), and the MSE is ``network``'s own on
    those points (``network``: the one ``entry`` was recorded of). NaN where there is no figure:
    no points, or an R² that is not a finite number (none yet, or a network blown up)."""
    figures = {}
    for part, X, y, r2 in (("train", data.X_train, data.y_train, entry.train_accuracy),
                           ("test", data.X_test, data.y_test, entry.test_accuracy)):
        y = np.asarray(y, dtype=np.float64)
        if len(y) and np.ptp(y) == 0:
            mse = regression_scores(network, X, y)[0]
        else:
            mse = mse_from_r_squared(r2, y) if np.isfinite(r2) else float("nan")
        figures[f"{part}_mse"] = mse
        figures[f"{part}_rmse"] = float(np.sqrt(mse)) if mse >= 0 else float("nan")
        figures[f"{part}_r2"] = float(r2)
    return figures
