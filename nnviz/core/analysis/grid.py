"""Class probabilities on a regular grid, for drawing decision boundaries."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from nnviz.core.engine.ops import forward_inputs
from nnviz.core.model.features import expand
from nnviz.core.model.network import MLP, ForwardBuffers, class_scores, forward

Bounds = tuple[float, float, float, float]
FINEST, COARSEST = 100, 24  # cells a side of a decision map
# What a map may cost, in multiply-adds: about 6 ms in float32 on one core of a slow machine.
# Each value a layer outputs (written, then activated) costs about 250 of them, measured: numpy's
# tanh takes some 5 ns a value, where BLAS does a multiply-add in 0.02 ns.
GRID_WORK = 3e8
VALUE_COST = 250


def grid_resolution(layer_sizes: tuple[int, ...]) -> int:
    """Cells a side for a decision map of a network of these layer sizes: the finest (up to
    100) whose forward pass costs at most :data:`GRID_WORK`, so that a map of six layers of 200
    units (24 a side) or of one layer of 200 (76 a side) takes about as long as one of 10 units
    at 100 a side."""
    per_point = sum(a * b for a, b in pairwise(layer_sizes)) + VALUE_COST * sum(layer_sizes[1:])
    return int(np.clip(math.isqrt(int(GRID_WORK // per_point)), COARSEST, FINEST))


def grid_points(bounds: Bounds, resolution: int, dtype=np.float32, fill=None) -> np.ndarray:
    """Centres of a ``resolution x resolution`` grid over ``(x_min, x_max, y_min, y_max)``,
    shape ``(resolution**2, 2)``, row-major with x varying fastest.

    ``fill``: values of any further features, held fixed over the grid (columns appended)."""
    x_min, x_max, y_min, y_max = bounds
    dx, dy = (x_max - x_min) / resolution, (y_max - y_min) / resolution
    xs = x_min + dx * (np.arange(resolution) + 0.5)
    ys = y_min + dy * (np.arange(resolution) + 0.5)
    xx, yy = np.meshgrid(xs, ys)
    columns = [xx.ravel(), yy.ravel()]
    if fill is not None:
        columns += [np.full(xx.size, value) for value in np.ravel(fill)]
    return np.column_stack(columns).astype(dtype)


class DecisionGrid:
    """Evaluates networks on one fixed grid, reusing its buffers from frame to frame
    (a 100x100 grid at 200 hidden units is 8 MB per layer: allocating it anew every
    frame costs more than the arithmetic)."""

    def __init__(self, bounds: Bounds, resolution: int = 100, fill=None):
        """``fill``: values of the features beyond the first two (their means, say)."""
        self.bounds = bounds
        self.resolution = resolution
        self.fill = fill
        self._points: dict[tuple, np.ndarray] = {}
        self._buffers: dict[tuple, tuple] = {}

    def points(self, dtype, features: tuple[str, ...] | None = None) -> np.ndarray:
        """The grid's inputs in ``dtype`` (their ``features`` if given), as the engine's forward
        reads them (shared: do not modify)."""
        key = (np.dtype(dtype), features)
        if key not in self._points:
            if len(self._points) >= 4:  # those of late: clicking through features must not pile them up
                self._points.clear()
            points = grid_points(self.bounds, self.resolution, key[0], self.fill)
            self._points[key] = forward_inputs(expand(points, features))
        return self._points[key]

    def release(self) -> None:
        """Let go of the buffers (a map drawn once needs them no more); the next call makes new ones."""
        self._buffers = {}

    def outputs(self, network: MLP) -> np.ndarray:
        """The output units' values at each cell, shape ``(resolution, resolution, units)``
        with axis 0 along y and axis 1 along x (a regression network's value is unit 0); the
        array is reused by the next call, so copy it to keep it.

        Always computed in float32: a picture cannot show the difference (under 1e-6), and
        float64 takes three times as long (tanh at 200 units: 45 ms against 13 ms a frame)."""
        if network.dtype != np.float32:
            network = network.with_flat(network.flat.astype(np.float32))  # the same head and inputs
        dtype = network.dtype
        points = self.points(dtype, network.features)
        key = (network.layer_sizes, dtype)
        if key not in self._buffers:
            n = len(points)
            self._buffers = {key: ForwardBuffers.of(network.layer_sizes, n, dtype)}
        outputs = forward(network, points, self._buffers[key])
        return outputs.reshape(self.resolution, self.resolution, -1)

    def probabilities(self, network: MLP) -> np.ndarray:
        """Each class's score at each cell, shape ``(resolution, resolution, classes)``, as
        :meth:`MLP.predict_proba` gives them (one sigmoid unit becomes the two classes' ``1 - p``
        and ``p``); the array may be reused by the next call, so copy it to keep it."""
        outputs = self.outputs(network)
        if outputs.shape[-1] > 1:
            return outputs
        return class_scores(outputs.reshape(-1, 1)).reshape(self.resolution, self.resolution, 2)
