"""How a sweep's networks are packed into a few shared matrices (see
:mod:`nnviz.core.training.sweep_trainer`): level by level, aligned at the top, neighbouring networks in
block-diagonal groups chosen by cost. The packed matrices are views into one flat vector."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.model.features import DEFAULT_FEATURES, FEATURES
from nnviz.core.model.network import MLP

GROUP_COST = 1_000_000
"""What one more block-diagonal matrix costs a step (a few numpy calls), in multiply-adds of
its products. Both scale with the machine alike, so the grouping does not depend on its speed."""


@dataclass
class Group:
    """Neighbouring networks whose weights at one level share the matrix ``params[param]``,
    which maps columns ``rows`` of the level's input to columns ``cols`` of its output.
    The first ``hidden_rows`` rows read units of the level below; any others read the inputs
    (with their column of ones), for networks that start at this level. ``blocks[k]`` is
    network ``networks[k]``'s part of the matrix; ``mask`` is 1 on the blocks (None when
    they fill it)."""

    networks: list[int]
    rows: slice
    cols: slice
    hidden_rows: int
    param: int
    blocks: list[tuple[slice, slice]]
    mask: np.ndarray | None


@dataclass
class Level:
    """One weight layer of every network deep enough to reach it (networks end together)."""

    columns: dict[int, slice]  # network -> its output columns
    groups: list[Group]
    bias: int | None  # params holding the biases of the networks that began below (first columns)
    carried: int  # how many columns those networks have (the others start here)
    starts: bool  # some network starts here, reading the inputs
    activation_runs: list[tuple[str, slice]]  # neighbouring columns with one activation (not at the top)


class PackingPlan:
    """The packing part of :class:`~nnviz.core.training.sweep_trainer.SweepTrainer`: lays the networks
    out in ``params``, ``_levels`` and ``_places``."""

    # Packing -----------------------------------------------------------------------------------
    def _pack(self, networks: list[MLP], samples: int) -> list[int]:
        """Lay the networks out level by level, aligned at the top: a network of ``d`` weight
        layers starts at level ``L - d``, reading the inputs there. Returns the networks in
        the order their columns come (deepest first)."""
        depth = [len(n.weights) for n in networks]
        top = max(depth)
        order = sorted(range(len(networks)), key=lambda i: -depth[i])  # stable: ties in the sweep's order
        inputs = (len(self._inputs) if self._inputs else networks[0].layer_sizes[0]) + 1  # and the column of ones
        for level in range(top):
            present = [i for i in order if depth[i] >= top - level]
            starting = {i for i in present if depth[i] == top - level}
            widths = [networks[i].weights[level - top + depth[i]].shape[1] for i in present]
            columns = _columns(present, widths)
            below = self._levels[-1].columns if level else {}
            rows = {i: below[i] for i in present if i not in starting}
            groups = [self._group(run, rows, columns, inputs, networks, level - top)
                      for run in _runs(present, rows, columns, inputs, samples)]
            carried = sum(widths[k] for k, i in enumerate(present) if i not in starting)
            bias = None
            if carried:
                bias = len(self.params)
                self.params.append(np.concatenate([networks[i].biases[level - top + depth[i]]
                                                   for i in present if i not in starting]))
            runs = [] if level == top - 1 else _activation_runs(
                [(self._activations[i][level - top + depth[i]], columns[i]) for i in present])
            self._levels.append(Level(columns, groups, bias, carried, bool(starting), runs))
        return order

    def _group(self, members, rows, columns, inputs, networks, from_top) -> Group:
        """The shared matrix of ``members`` (a run of the level's networks) at the level
        ``-from_top`` levels below the top."""
        carried = [i for i in members if i in rows]
        starting = [i for i in members if i not in rows]
        first = rows[carried[0]].start if carried else 0
        hidden_rows = rows[carried[-1]].stop - first if carried else 0
        cols = slice(columns[members[0]].start, columns[members[-1]].stop)
        blocks = [(_shifted(rows[i], first), _shifted(columns[i], cols.start)) for i in carried]
        blocks += [(self._input_rows(networks[i], hidden_rows, inputs), _shifted(columns[i], cols.start))
                   for i in starting]
        below = max(c.stop for c in self._levels[-1].columns.values()) if self._levels else 0  # the inputs follow
        row_span = slice(first, first + hidden_rows) if not starting else \
            slice(first if carried else below, None)
        matrix = np.zeros((hidden_rows + (inputs if starting else 0), cols.stop - cols.start), networks[0].dtype)
        mask = None if len(members) == 1 or not carried else np.zeros_like(matrix)
        for i, block in zip(carried + starting, blocks):
            layer = len(networks[i].weights) + from_top
            # A network starting here reads the inputs with their column of ones (engine.forward_inputs):
            # its bias is the block's last row.
            matrix[block] = (np.vstack([networks[i].weights[0], networks[i].biases[0]]) if i in starting
                             else networks[i].weights[layer])
            if mask is not None:
                mask[block] = 1
        self.params.append(matrix)
        order = carried + starting
        return Group(order, row_span, cols, hidden_rows, len(self.params) - 1, blocks, mask)

    def _input_rows(self, network: MLP, first: int, inputs: int) -> slice | np.ndarray:
        """The rows of a group's matrix from ``first`` on that hold ``network``'s first layer: every
        input and the bias, or, where networks read different features, its features' and the bias."""
        if not self._inputs or network.features == self._inputs:
            return slice(first, first + inputs)
        own = network.features or DEFAULT_FEATURES
        return np.array([first + self._inputs.index(name) for name in own] + [first + inputs - 1])

    def _places_of(self, i: int) -> list[tuple[int, tuple]]:
        """Where network ``i``'s parameters live, in :meth:`MLP.parameters` order: pairs of
        an index into ``params`` and an index into that array."""
        places = []
        for level in self._levels:
            for group in level.groups:
                if i not in group.networks:
                    continue
                rows, cols = group.blocks[group.networks.index(i)]
                if isinstance(rows, np.ndarray):  # it starts here, reading some of the features
                    places += [(group.param, (rows[:-1], cols)), (group.param, (rows[-1], cols))]
                elif rows.start >= group.hidden_rows:  # it starts here: its biases are the last row
                    places += [(group.param, (slice(rows.start, rows.stop - 1), cols)), (group.param, (rows.stop - 1, cols))]
                else:
                    places += [(group.param, (rows, cols)), (level.bias, (level.columns[i],))]
        return places

    def _make_views(self) -> None:
        """The packed arrays as views into the flat vectors (again after unpickling)."""
        self.params, self._spare, self._grads = (
            views_of(flat, self._shapes) for flat in (self._flat, self._flat_spare, self._flat_grads))


def feature_union(features: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """The input features a sweep's batches carry: every feature some network reads (None if
    every network reads the points as they are)."""
    if all(f is None for f in features):
        return None
    wanted = {name for f in features for name in (f or DEFAULT_FEATURES)}
    return tuple(name for name in FEATURES if name in wanted)


def spread_over(values: np.ndarray, columns: dict[int, slice]) -> np.ndarray:
    """Each network's value over its columns of a level."""
    spread = np.zeros(max(c.stop for c in columns.values()))
    for i, cols in columns.items():
        spread[cols] = values[i]
    return spread


def _columns(networks: list[int], widths: list[int]) -> dict[int, slice]:
    """Consecutive column ranges, one per network, of the given widths."""
    ends = np.cumsum(widths, dtype=int).tolist()
    return {i: slice(end - width, end) for i, width, end in zip(networks, widths, ends)}


def views_of(flat: np.ndarray, shapes: list[tuple]) -> list[np.ndarray]:
    """Consecutive pieces of ``flat`` in the given shapes (views, not copies)."""
    ends = np.cumsum([math.prod(shape) for shape in shapes]).tolist()
    return [flat[end - math.prod(shape):end].reshape(shape) for shape, end in zip(shapes, ends)]


def _shifted(columns: slice, start: int) -> slice:
    return slice(columns.start - start, columns.stop - start)


def _activation_runs(blocks: list[tuple[str, slice]]) -> list[tuple[str, slice]]:
    """Neighbouring blocks of columns with the same activation, merged (one call each)."""
    runs: list[tuple[str, slice]] = []
    for name, cols in blocks:
        if runs and runs[-1][0] == name and runs[-1][1].stop == cols.start:
            runs[-1] = (name, slice(runs[-1][1].start, cols.stop))
        else:
            runs.append((name, cols))
    return runs


def _runs(networks: list[int], rows: dict[int, slice], columns: dict[int, slice], inputs: int,
          samples: int) -> list[list[int]]:
    """Split a level's networks, in order, into runs that share one matrix, choosing the
    cheapest split by dynamic programming (at most 16 networks: instant). A matrix costs
    :data:`GROUP_COST` plus the multiply-adds of its three products, zeros included; networks
    without ``rows`` start at this level and all read the same ``inputs`` rows."""
    def cost(run: list[int]) -> float:
        height = sum(rows[i].stop - rows[i].start for i in run if i in rows)
        height += inputs if any(i not in rows for i in run) else 0
        width = sum(columns[i].stop - columns[i].start for i in run)
        return GROUP_COST + 3 * samples * height * width

    count = len(networks)
    best, cut = [0.0] + [math.inf] * count, [0] * (count + 1)
    for stop in range(1, count + 1):
        for start in range(stop):
            total = best[start] + cost(networks[start:stop])
            if total < best[stop]:
                best[stop], cut[stop] = total, start
    runs, stop = [], count
    while stop:
        runs.append(networks[cut[stop]:stop])
        stop = cut[stop]
    return runs[::-1]
