"""What each unit of a hidden layer has learned: its activation over the plane (over the line,
for points of one coordinate), its incoming weights, and how strongly the next layer listens
to it. Hidden layers count from 0."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnviz.core.analysis.grid import Bounds, grid_points
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP, layer_output

EPSILON = 1e-6  # smallest half-width of a colour scale, so an all-zero map still has one


def _require_hidden(network: MLP, layer: int) -> None:
    if not 0 <= layer < len(network.layer_sizes) - 2:
        raise ValueError(f"{network!r} has no hidden layer {layer}")


def outgoing_strength(network: MLP, layer: int = 0) -> np.ndarray:
    """Euclidean norm of each unit's outgoing weights (its row of the next weight matrix, no
    bias), shape ``(width,)``: how much the next layer can hear the unit."""
    _require_hidden(network, layer)
    return np.linalg.norm(network.weights[layer + 1], axis=1)


def sticky_order(strength: np.ndarray, previous: np.ndarray | None, margin: float = 0.05) -> np.ndarray:
    """Unit indices by descending ``strength``, starting from the ``previous`` order and
    letting a unit pass its neighbour only when it is more than ``margin`` (relative) stronger.

    During training, units of nearly equal strength would otherwise swap places on every
    frame and the tiles would flicker. With no previous order (or one of another length)
    the order is exact, ties in index order.
    """
    strength = np.asarray(strength, dtype=np.float64)
    if previous is None or len(previous) != len(strength):
        return np.argsort(-strength, kind="stable")  # stable on the negated strengths: ties keep index order
    # Insertion sort on an almost sorted list: about one comparison per unit per frame.
    threshold = strength * (1 + margin)
    order = [int(u) for u in previous]
    for k in range(1, len(order)):
        unit, j = order[k], k
        while j > 0 and strength[unit] > threshold[order[j - 1]]:
            order[j] = order[j - 1]
            j -= 1
        order[j] = unit
    return np.array(order, dtype=np.intp)


def incoming(network: MLP, unit: int, layer: int = 0) -> tuple[np.ndarray, float]:
    """A hidden unit's incoming weights ``(fan_in,)`` (a copy) and its bias."""
    _require_hidden(network, layer)
    return network.weights[layer][:, unit].copy(), float(network.biases[layer][unit])


def unit_maps(network: MLP, bounds: Bounds, resolution: int, fill: ArrayLike | None = None,
              layer: int = 0) -> np.ndarray:
    """Each unit's output in hidden layer ``layer`` on the grid of ``grid_points(bounds,
    resolution)``, float32 of shape ``(width, resolution, resolution)``, in unit index order,
    with axis 1 along y and axis 2 along x (row 0 is ``y_min``).

    ``fill``: values at which features beyond the first two are held (e.g. their means),
    shape ``(features - 2,)``; None for two-feature data. Points of one coordinate have no
    plane: see :func:`unit_curves`.
    """
    features = network.point_dims
    if features < 2:
        raise ValueError(f"{network!r} reads points of one coordinate: its units' outputs are curves (unit_curves)")
    given = 0 if fill is None else np.size(fill)
    if given != features - 2:
        raise ValueError(f"{features} features need {features - 2} fill values, got {given}")
    _require_hidden(network, layer)
    points = grid_points(bounds, resolution, network.dtype, fill)
    hidden = layer_output(network, points, layer)  # (resolution**2, width)
    maps = hidden.T.reshape(-1, resolution, resolution)
    return np.ascontiguousarray(maps, dtype=np.float32)


def unit_curves(network: MLP, x_range: tuple[float, float], count: int, layer: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """For a network reading points of one coordinate: each unit's output in hidden layer
    ``layer`` at ``count`` evenly spaced x over ``x_range``, as ``(xs, curves)``: ``xs`` float64
    ``(count,)`` and ``curves`` float32 ``(width, count)`` in unit index order (what
    :func:`unit_maps` is for points of the plane)."""
    if network.point_dims != 1:
        raise ValueError(f"{network!r} reads points of {network.point_dims} coordinates: its units' outputs are maps")
    _require_hidden(network, layer)
    xs = np.linspace(float(x_range[0]), float(x_range[1]), count)
    hidden = layer_output(network, xs[:, None], layer)  # (count, width)
    return xs, np.ascontiguousarray(hidden.T, dtype=np.float32)


TOP_IMAGES = 10  # a deeper unit's picture: the mean of the images it responds to most


def unit_images(network: MLP, image_shape: tuple[int, int], layer: int = 0,
                images: np.ndarray | None = None) -> tuple[np.ndarray, tuple[float, float], str]:
    """What each unit of hidden layer ``layer`` looks for, as images ``(width, rows, columns)``
    (row 0 the top), their colour scale and what they are. In the first layer, each unit's
    incoming weights (scale ``(-m, m)``); deeper, where no weights map onto pixels, the mean
    of the :data:`TOP_IMAGES` of ``images`` (needed there) to which the unit responds most
    (scale ``(0, 1)``)."""
    _require_hidden(network, layer)
    rows, columns = image_shape
    if layer == 0:
        weights = network.weights[0][: rows * columns].T  # one weight a pixel
        magnitudes = np.abs(weights[np.isfinite(weights)])
        m = max(float(magnitudes.max()) if magnitudes.size else 0.0, EPSILON)
        return (np.ascontiguousarray(weights.reshape(-1, rows, columns), dtype=np.float32), (-m, m),
                "incoming weights: + green, − purple")
    outputs = layer_output(network, images, layer)  # (images, width)
    top = np.argsort(-np.nan_to_num(outputs, nan=-np.inf), axis=0)[:TOP_IMAGES]  # (k, width)
    means = images[top].mean(axis=0)  # (width, pixels)
    return (np.ascontiguousarray(means.reshape(-1, rows, columns), dtype=np.float32), (0.0, 1.0),
            f"mean of the {TOP_IMAGES} images each unit answers most")


def activation_range(activation: str, maps: ArrayLike) -> tuple[float, float]:
    """One colour scale ``(low, high)`` for all of a layer's maps.

    Activations bounded on both sides use their whole range (:attr:`Activation.bounds`, tanh
    ``(-1, 1)``, sigmoid ``(0, 1)``), so a colour means the same thing on every frame. The others
    (relu, leaky_relu, linear) get :func:`symmetric_range`, so zero stays in the middle.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    low, high = ACTIVATIONS[activation].bounds
    if low is not None and high is not None:
        return low, high
    return symmetric_range(maps)


def symmetric_range(maps: ArrayLike) -> tuple[float, float]:
    """``(-m, m)`` with ``m`` the largest finite magnitude in ``maps`` (at least :data:`EPSILON`)."""
    magnitudes = np.abs(np.asarray(maps, dtype=np.float64))
    finite = magnitudes[np.isfinite(magnitudes)]  # a diverged network may hold inf or NaN
    m = max(float(finite.max()) if finite.size else 0.0, EPSILON)
    return -m, m


def _number(value: float) -> str:
    return f"{value:.2f}".replace("-", "\u2212")  # a true minus sign reads better


def describe_unit(network: MLP, unit: int, layer: int = 0) -> str:
    """One line about a hidden unit, e.g.
    ``"Unit 12: weights (1.23, −0.45), bias 0.10; outgoing strength 2.31"``; in a network of
    several hidden layers it starts "Layer 2, unit 12", and many weights are summed up."""
    weights, bias = incoming(network, unit, layer)
    strength = float(outgoing_strength(network, layer)[unit])
    if len(weights) <= 4:
        listed = f"weights ({', '.join(_number(w) for w in weights)})"
    else:
        listed = f"{len(weights)} weights (largest |w| {_number(float(np.abs(weights).max()))})"
    name = f"Layer {layer + 1}, unit {unit}" if len(network.layer_sizes) > 3 else f"Unit {unit}"
    return f"{name}: {listed}, bias {_number(bias)}; outgoing strength {_number(strength)}"
