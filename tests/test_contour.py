"""Iso-line segments of a gridded field (marching squares)."""

import numpy as np

from nnviz.core.analysis.contour import boundary_segments, contour_segments
from nnviz.core.analysis.grid import COARSEST, FINEST, grid_points, grid_resolution

BOUNDS = (-1.0, 2.0, -0.5, 1.5)


def _field(f, bounds, nx, ny):
    """f evaluated at the cell centres of an (ny, nx) grid, laid out as contour_segments expects."""
    x_min, x_max, y_min, y_max = bounds
    xs = x_min + (np.arange(nx) + 0.5) * (x_max - x_min) / nx
    ys = y_min + (np.arange(ny) + 0.5) * (y_max - y_min) / ny
    xx, yy = np.meshgrid(xs, ys)
    return f(xx, yy), xs, ys


def test_linear_field_gives_vertical_line_over_full_height():
    """For f(x, y) = x every end point has x == level, and the line spans all row centres."""
    bounds = (-2.0, 3.0, -1.0, 4.0)
    values, _, ys = _field(lambda x, y: x, bounds, nx=37, ny=23)
    level = 0.4321
    pts = contour_segments(values, level, bounds)
    assert pts.dtype == np.float64 and pts.ndim == 2 and pts.shape[1] == 2
    assert len(pts) == 2 * (23 - 1)  # one segment per row of cells
    np.testing.assert_allclose(pts[:, 0], level, atol=1e-9)
    assert np.isclose(pts[:, 1].min(), ys[0]) and np.isclose(pts[:, 1].max(), ys[-1])
    seg = pts.reshape(-1, 2, 2)
    assert np.isclose(np.abs(seg[:, 1, 1] - seg[:, 0, 1]).sum(), ys[-1] - ys[0])  # no gaps, no overlap


def test_grid_layout_matches_grid_points():
    """The cell-centre coordinates assumed here are those of grid_points (x varies fastest)."""
    bounds = (-1.0, 2.0, 0.0, 5.0)
    pts = grid_points(bounds, 10, dtype=np.float64)
    values = pts[:, 1].reshape(10, 10)  # f(x, y) = y
    seg = contour_segments(values, 2.1, bounds)
    np.testing.assert_allclose(seg[:, 1], 2.1, atol=1e-9)
    assert np.isclose(seg[:, 0].min(), pts[0, 0]) and np.isclose(seg[:, 0].max(), pts[9, 0])


def test_radial_field_gives_closed_circle():
    """Distance from the origin at level r: end points lie on the circle, each shared by two segments."""
    bounds = (-2.0, 2.0, -2.0, 2.0)
    n, r = 80, 1.3
    values, _, _ = _field(np.hypot, bounds, n, n)
    pts = contour_segments(values, r, bounds)
    h = 4.0 / n
    # Linear interpolation of |p| along an edge errs by at most h^2 / (8 r) (|f''| <= 1/r).
    np.testing.assert_array_less(np.abs(np.hypot(pts[:, 0], pts[:, 1]) - r), h * h / (8 * r) + 1e-12)
    unique, counts = np.unique(pts, axis=0, return_counts=True)
    assert np.all(counts == 2)  # closed curve, no dangling ends or branches
    assert len(unique) == len(pts) // 2  # as many segments as vertices: a single closed polygon
    seg = pts.reshape(-1, 2, 2)
    length = np.linalg.norm(seg[:, 1] - seg[:, 0], axis=1).sum()
    assert abs(length - 2 * np.pi * r) < 0.01 * 2 * np.pi * r


def test_no_crossing_is_empty():
    """A level outside the field's range, or a constant field, gives an empty (0, 2) array."""
    values = np.arange(12.0).reshape(3, 4)
    bounds = (0.0, 1.0, 0.0, 1.0)
    for level in (-1.0, 11.5, 100.0):
        out = contour_segments(values, level, bounds)
        assert out.shape == (0, 2) and out.dtype == np.float64
    assert contour_segments(np.full((5, 5), 0.3), 0.3, bounds).shape == (0, 2)


def test_saddle_cell_gives_two_segments_resolved_by_centre():
    """A saddle gives two segments; the corner mean decides which pair of corners they cut off."""
    values = np.array([[1.0, 0.0], [0.0, 1.0]])  # high at lower-left and upper-right; mean 0.5
    bounds = (0.0, 2.0, 0.0, 2.0)  # corner centres at (0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5)
    for level, cut_off in ((0.4, [(1.5, 0.5), (0.5, 1.5)]), (0.6, [(0.5, 0.5), (1.5, 1.5)])):
        seg = contour_segments(values, level, bounds).reshape(-1, 2, 2)
        assert seg.shape == (2, 2, 2)
        # Each segment's midpoint lies nearest the corner it cuts off; together they cut off both.
        corners = np.array([(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5)])
        mids = seg.mean(axis=1)
        nearest = np.linalg.norm(mids[:, None] - corners[None], axis=-1).argmin(axis=1)
        assert {tuple(corners[k]) for k in nearest} == set(cut_off)


def test_nan_cells_give_nothing():
    """Cells with a NaN corner give no segment; the other cells are unaffected."""
    bounds = (0.0, 6.0, 0.0, 5.0)
    values, _, _ = _field(lambda x, y: x, bounds, nx=6, ny=5)
    clean = contour_segments(values, 2.7, bounds).reshape(-1, 2, 2)
    assert len(clean) == 4
    values[2, 2] = np.nan  # touches the two cells crossed between rows 1-2 and rows 2-3
    dirty = contour_segments(values, 2.7, bounds).reshape(-1, 2, 2)
    assert len(dirty) == 2
    assert np.all((dirty[:, :, 1] <= 1.5) | (dirty[:, :, 1] >= 3.5))  # only rows 0-1 and 3-4 remain
    assert contour_segments(np.full((4, 4), np.nan), 0.0, bounds).shape == (0, 2)


def test_level_on_grid_values_has_no_degenerate_segments():
    """Values exactly at the level give neither zero-length nor duplicated segments."""
    values = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    seg = contour_segments(values, 1.0, (0.0, 3.0, 0.0, 3.0)).reshape(-1, 2, 2)
    assert len(seg) == 0  # a lone peak touching the level is a point, not a line
    ridge = np.zeros((3, 4))
    ridge[1] = 1.0
    seg = contour_segments(ridge, 1.0, (0.0, 4.0, 0.0, 3.0)).reshape(-1, 2, 2)
    assert len(seg) == 3  # the ridge itself, once, not once from each side
    np.testing.assert_allclose(seg[:, :, 1], 1.5)
    assert len(np.unique(np.sort(seg[:, :, 0], axis=1), axis=0)) == 3


def test_two_class_boundary_is_the_half_probability_line():
    """For two classes the boundary is exactly the p(class 1) = 0.5 contour."""
    p1 = np.random.default_rng(0).uniform(size=(20, 20))
    probs = np.stack([1 - p1, p1], axis=-1)
    np.testing.assert_array_equal(boundary_segments(probs, BOUNDS), contour_segments(p1, 0.5, BOUNDS))


def test_a_three_class_boundary_lies_where_the_winner_changes():
    """Three vertical stripes won by classes 0, 1, 2: the boundary is the two lines between them."""
    x = (np.arange(30) + 0.5) / 30  # cell centres over [0, 1]
    scores = np.stack([-np.abs(x - c) for c in (1 / 6, 1 / 2, 5 / 6)], axis=-1) * 20
    probs = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    probs = np.broadcast_to(probs, (30, 30, 3))
    segments = boundary_segments(probs, (0.0, 1.0, 0.0, 1.0))
    assert len(segments)
    np.testing.assert_allclose(np.unique(np.round(segments[:, 0], 4)), [1 / 3, 2 / 3], atol=1e-3)


def test_a_decision_map_is_as_fine_as_the_network_allows():
    """Small networks get the finest grid; wider and deeper ones coarser grids, down to the
    coarsest (the sizes the README states: 76 a side at one layer of 200, 24 at six)."""
    assert grid_resolution((2, 10, 2)) == grid_resolution((2, 8, 8, 8, 8, 4)) == FINEST
    assert grid_resolution((2, 200, 2)) == 76
    assert grid_resolution((2, *(200,) * 6, 2)) == grid_resolution((2, *(500,) * 6, 2)) == COARSEST == 24
    wider = [grid_resolution((2, width, 2)) for width in (10, 50, 100, 200, 300, 500)]
    deeper = [grid_resolution((2, *(50,) * depth, 2)) for depth in range(1, 7)]
    assert wider == sorted(wider, reverse=True) and wider[-1] < wider[3] < wider[0]
    assert deeper == sorted(deeper, reverse=True) and deeper[-1] < deeper[0]
