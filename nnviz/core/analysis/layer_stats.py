"""Each layer's spread, as "Deep Learning from Scratch" plots it (figures 6-10 to 6-14): a
histogram per hidden layer of what its units output over the training points, one of its
weights and one of their gradients, and the share of its units that stopped working. This is where an initialisation
shows why it works or fails: sigmoid outputs piled at 0 and 1 (std 1), all at 0.5 (std 0.01),
spread out (Xavier)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.analysis.units import activation_range, symmetric_range
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import MLP, hidden_outputs

BINS = 30  # the book's
MAX_POINTS = 500  # points the activations are taken over (the first of the training set): a bounded cost
MAX_VALUES = 20_000  # a layer's weights (or gradients) beyond this are sampled evenly: six layers of 400
# units hold 800,000 weights, whose histograms took 21 ms on the window's thread
SATURATED = 0.9  # a unit is saturated when this share of its outputs is on the flat part


@dataclass(frozen=True)
class LayerHistogram:
    """``shares[k]`` of the layer's values fell in ``[edges[k], edges[k + 1])``; ``stalled``
    is the share of its units that stopped working (None where that means nothing)."""

    edges: np.ndarray
    shares: np.ndarray
    stalled: float | None = None


def activation_histograms(network: MLP, X: np.ndarray, bins: int = BINS) -> list[LayerHistogram]:
    """One histogram per hidden layer of its outputs over (at most ``MAX_POINTS`` of) ``X``, over
    the activation's range (:attr:`~nnviz.core.model.activations.Activation.bounds`: tanh -1 to 1,
    sigmoid 0 to 1, relu from 0, the others symmetric about 0)."""
    outputs = hidden_outputs(network, X[:MAX_POINTS])
    histograms = []
    for activation, output in zip(network.activations, outputs):
        low, high = activation_range(activation, output)
        floor = ACTIVATIONS[activation].bounds[0]
        if floor is not None:
            low = floor  # never below
        histograms.append(_histogram(output, low, high, bins, stalled_share(activation, output)))
    return histograms


def weight_histograms(weights: list[np.ndarray], bins: int = BINS) -> list[LayerHistogram]:
    """One histogram per matrix of ``weights`` (a network's, or their gradients), symmetric about 0."""
    samples = [_sample(matrix) for matrix in weights]
    return [_histogram(values, *symmetric_range(values), bins) for values in samples]


def _sample(values: np.ndarray) -> np.ndarray:
    """At most about :data:`MAX_VALUES` of ``values``, evenly spaced (all of them if fewer). The
    spacing shares no factor with a row's length, so every unit's weights are sampled alike."""
    flat = values.ravel()
    if flat.size <= MAX_VALUES:
        return flat
    step = math.ceil(flat.size / MAX_VALUES)
    while math.gcd(step, values.shape[-1]) != 1:
        step += 1
    return flat[::step]


def stalled_share(activation: str, outputs: np.ndarray) -> float | None:
    """Share of a layer's units that stopped working, from their ``outputs`` ``(points, units)``,
    as :attr:`~nnviz.core.model.activations.Activation.stalls` says: dead units (ReLU's) output their
    lower bound at every point (no gradient reaches their weights), saturated ones (sigmoid's
    and tanh's) are on their flat parts at nearly every point; None for other activations."""
    kind = ACTIVATIONS[activation]
    low, high = kind.bounds
    if kind.stalls == "dead":
        return float((outputs <= low).all(axis=0).mean())
    if kind.stalls == "saturated":
        flat = (outputs < low + kind.flat) | (outputs > high - kind.flat)
        return float((flat.mean(axis=0) >= SATURATED).mean())
    return None


def _histogram(values: np.ndarray, low: float, high: float, bins: int, stalled: float | None = None) -> LayerHistogram:
    values = values[np.isfinite(values)]
    counts, edges = np.histogram(values, bins, range=(low, high))
    return LayerHistogram(edges, counts / max(values.size, 1), stalled)
