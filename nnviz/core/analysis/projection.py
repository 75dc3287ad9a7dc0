"""A 2-D map of images, the counterpart of the decision-boundary plot for data that is not a
plane: the principal components of what the last hidden layer makes of each image.

Points of one class that the network has learned to group land together; as it trains the
clusters pull apart. The components are kept pointing the way they pointed in the map before,
so that a live map does not flip from one frame to the next.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model.network import MLP, hidden_outputs


def last_hidden(network: MLP, X: np.ndarray) -> np.ndarray:
    """What the network's last hidden layer outputs for ``X`` (its class probabilities if it has
    no hidden layer)."""
    outputs = hidden_outputs(network, X)
    return outputs[-1] if outputs else network.predict_proba(X)


def principal_map(features: np.ndarray, previous: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(coordinates, axes)``: ``features`` (points, dims) projected on their first two
    principal components, and those components (dims, 2). Each axis is turned to agree with
    ``previous`` axes of the same dims (a component's sign is arbitrary; a flip would mirror
    the map). Coordinates are scaled so the larger spread is 1."""
    X = np.asarray(features, dtype=np.float64)
    centred = X - X.mean(axis=0)
    if len(X) < 2 or not np.isfinite(centred).all():
        return np.zeros((len(X), 2)), np.zeros((X.shape[1], 2))
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((X.shape[1], 2))
    axes[:, : min(2, len(vt))] = vt[:2].T
    if previous is not None and previous.shape == axes.shape:
        signs = np.sign(np.sum(axes * previous, axis=0))
        axes *= np.where(signs == 0, 1.0, signs)
    coordinates = centred @ axes
    spread = np.abs(coordinates).max()
    return (coordinates / spread if spread > 0 else coordinates), axes
