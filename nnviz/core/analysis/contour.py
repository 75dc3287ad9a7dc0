"""Iso-lines of a gridded field as line segments (vectorised marching squares)."""

from __future__ import annotations

import numpy as np

# Cell corners a=(j, i), b=(j, i+1), c=(j+1, i+1), d=(j+1, i); case = a + 2b + 4c + 8d (1 = above).
# Edges 0..3 = bottom a-b, right b-c, top d-c, left a-d, each given by start corner and direction.
_DJ, _DI, _HORIZ = np.array([0, 0, 1, 0]), np.array([0, 1, 0, 0]), np.array([1, 0, 1, 0])


def _edge_table() -> np.ndarray:
    """table[case, centre_above] = edges joined by up to two segments, -1 where unused."""
    table = np.full((16, 2, 4), -1)
    for case in range(16):
        a, b, c, d = (case >> k & 1 for k in range(4))
        crossed = [e for e, (p, q) in enumerate([(a, b), (b, c), (d, c), (a, d)]) if p != q]
        for centre in (0, 1):
            if len(crossed) == 2:
                table[case, centre, :2] = crossed
            elif len(crossed) == 4:  # saddle: the centre joins a with c or b with d; cut off the others
                table[case, centre] = [0, 1, 2, 3] if centre == a else [3, 0, 1, 2]
    return table


_TABLE = _edge_table()


def contour_segments(values: np.ndarray, level: float, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """Line segments where a gridded field crosses `level` (vectorised marching squares).

    values: shape (ny, nx), values[j, i] sampled at cell centres of a regular grid covering
    bounds = (x_min, x_max, y_min, y_max): x of column i is x_min + (i + 0.5) * (x_max - x_min) / nx,
    y of row j is y_min + (j + 0.5) * (y_max - y_min) / ny (this matches nnviz.core.analysis.grid.grid_points).
    Returns float64 array of shape (2 * n_segments, 2): consecutive pairs of rows are the two
    end points of one segment (ready for pyqtgraph's PlotDataItem(connect="pairs")).
    An empty (0, 2) array when nothing crosses.
    """
    v = np.asarray(values, dtype=np.float64)
    ny, nx = v.shape
    if ny < 2 or nx < 2:  # no cells at all
        return np.empty((0, 2))
    above = (v >= level).astype(np.int8)  # equal counts as above, so each crossing has one owner
    case = above[:-1, :-1] + 2 * above[:-1, 1:] + 4 * above[1:, 1:] + 8 * above[1:, :-1]
    nan = np.isnan(v)
    case[nan[:-1, :-1] | nan[:-1, 1:] | nan[1:, :-1] | nan[1:, 1:]] = 0  # NaN compares below: drop
    k = np.flatnonzero((case != 0) & (case != 15))
    j, i = np.divmod(k, nx - 1)
    centre = v[j, i] + v[j, i + 1] + v[j + 1, i] + v[j + 1, i + 1] >= 4 * level  # only used by saddles
    edges = _TABLE[case.ravel()[k], centre.astype(np.intp)]  # (cells, 4)
    used = edges >= 0
    per_cell = used.sum(axis=1)
    e, j, i = edges[used], np.repeat(j, per_cell), np.repeat(i, per_cell)

    # Linear interpolation along each crossed edge, in grid index units.
    h = _HORIZ[e]
    j0, i0 = j + _DJ[e], i + _DI[e]
    v0 = v[j0, i0]
    t = (level - v0) / (v[j0 + 1 - h, i0 + h] - v0)
    seg = np.column_stack([i0 + h * t, j0 + (1 - h) * t]).reshape(-1, 2, 2)

    # Corners equal to level give t in {0, 1}: a zero-length segment, or one along a grid edge that
    # both neighbouring cells emit (a one-cell ridge at level). Clean up just those rare segments.
    on_corner = ((t == 0) | (t == 1)).reshape(-1, 2).all(axis=1)
    if on_corner.any():
        odd = seg[on_corner]
        odd = odd[np.any(odd[:, 0] != odd[:, 1], axis=1)]
        odd = np.sort(odd.view(np.complex128)[..., 0], axis=1).view(np.float64)  # canonical end order
        seg = np.concatenate([seg[~on_corner], np.unique(odd.reshape(-1, 4), axis=0).reshape(-1, 2, 2)])

    x_min, x_max, y_min, y_max = bounds
    dx, dy = (x_max - x_min) / nx, (y_max - y_min) / ny
    pts = seg.reshape(-1, 2)
    return np.column_stack([x_min + (pts[:, 0] + 0.5) * dx, y_min + (pts[:, 1] + 0.5) * dy])


def boundary_segments(probs: np.ndarray, bounds: tuple[float, float, float, float],
                      probabilities: bool = True) -> np.ndarray:
    """The decision boundary of gridded class scores ``(ny, nx, classes)``: where the highest
    scoring class changes. Segments as in :func:`contour_segments`.

    Two classes: the p = 0.5 line (``probabilities`` False, scores that need not sum to 1 such
    as identity outputs: where the two are equal). More: for each class but the last, the edge
    of the region it wins (``p_k - max of the others = 0``); every boundary touches one of
    those regions, and one between two of them is traced from both sides (the lines coincide).
    """
    probs = np.asarray(probs)
    classes = probs.shape[-1]
    if classes == 2:
        if probabilities:
            return contour_segments(probs[..., 1], 0.5, bounds)
        return contour_segments(probs[..., 1] - probs[..., 0], 0.0, bounds)
    parts = []
    for k in range(classes - 1):
        others = np.delete(probs, k, axis=-1).max(axis=-1)
        parts.append(contour_segments(probs[..., k] - others, 0.0, bounds))
    return np.concatenate(parts)


def contour_levels(low: float, high: float, count: int = 8) -> np.ndarray:
    """Round values between ``low`` and ``high`` (exclusive) for the contour lines of a map of
    values: about ``count`` of them, a step of 1, 2 or 5 times a power of ten, 0 among them
    when it lies inside."""
    if not high > low:
        return np.empty(0)
    raw = (high - low) / max(count, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs(np.log(step / raw)))  # the nearest
    levels = np.arange(np.ceil(low / step), np.floor(high / step) + 1) * step
    return levels[(levels > low) & (levels < high)]


def value_contours(values: np.ndarray, levels: np.ndarray, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """The iso-lines of gridded ``values`` ``(ny, nx)`` at every one of ``levels``, their
    segments together (as in :func:`contour_segments`)."""
    parts = [contour_segments(values, float(level), bounds) for level in levels]
    return np.concatenate(parts) if parts else np.empty((0, 2))
