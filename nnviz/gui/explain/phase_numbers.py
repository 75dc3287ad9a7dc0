"""What the step diagram shows in each phase: which units, which number on each unit and
edge, and what the edges' colour and width follow. Read from a
:class:`~nnviz.core.arithmetic.step.StepExplanation` (the engine's numbers); nothing is computed here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.arithmetic.formulas import number
from nnviz.core.arithmetic.step import Phase, StepExplanation

UNITS_SHOWN = 12  # a wider layer shows its strongest units: beyond this the numbers cannot be read
UNKNOWN = "…"  # a number the phase has not reached yet


@dataclass(frozen=True)
class UnitRef:
    """A unit of the diagram: ``column`` 0 is the inputs, column ``c`` weight layer ``c - 1``'s units."""

    column: int
    unit: int


@dataclass(frozen=True)
class ParameterRef:
    """A weight or a bias of the network: weight ``layers[layer].weights[row, unit]`` (an edge of
    the diagram), or with ``row == fan_in`` unit ``unit``'s bias (as in :mod:`nnviz.core.arithmetic.formulas`)."""

    layer: int
    row: int
    unit: int


def layer_count(explanation: StepExplanation) -> int:
    """How many weight layers the explained network has."""
    return len(explanation.layers)


def column_values(explanation: StepExplanation, phase: Phase) -> list[np.ndarray]:
    """Each column's measure of a unit's strength in ``phase`` (the inputs' values, then the
    units' outputs, or their deltas once the step goes backward)."""
    backward = phase.kind in ("backward", "update")
    return [explanation.layers[0].inputs] + [step.deltas if backward else step.outputs for step in explanation.layers]


def shown_units(explanation: StepExplanation, phase: Phase, limit: int = UNITS_SHOWN) -> list[np.ndarray]:
    """The units drawn in each column, in index order: all of a column of up to ``limit``,
    else the ``limit`` largest by ``|value|`` of :func:`column_values`."""
    shown = []
    for values in column_values(explanation, phase):
        if len(values) <= limit:
            shown.append(np.arange(len(values)))
            continue
        size = np.nan_to_num(np.abs(np.asarray(values, dtype=np.float64)), nan=0.0, posinf=np.inf)
        strongest = np.argsort(-size, kind="stable")[:limit]
        shown.append(np.sort(strongest))
    return shown


def phase_column(phase: Phase, layers: int) -> int:
    """The column ``phase`` works on (the output column for the loss, the last for the update)."""
    return layers if phase.layer is None else phase.layer + 1


def computed(phase: Phase, layer: int) -> bool:
    """Whether weight layer ``layer``'s numbers of ``phase``'s kind are known by ``phase``."""
    if phase.kind == "forward":
        return layer <= phase.layer
    if phase.kind == "backward":
        return layer >= phase.layer
    return True


def unit_lines(explanation: StepExplanation, phase: Phase, column: int, unit: int) -> list[tuple[str, str]]:
    """The lines on ``unit``'s card in ``phase``: ``(symbol, number)``, :data:`UNKNOWN` for a
    number the phase has not reached. The input column shows the point's inputs."""
    if column == 0:
        return [("x", number(explanation.layers[0].inputs[unit]))]
    layer = column - 1
    step = explanation.layers[layer]
    last = layer == layer_count(explanation) - 1
    out = "y" if last else "z"
    known = computed(phase, layer)
    if phase.kind == "forward":
        return [("a", number(step.sums[unit]) if known else UNKNOWN),
                (out, number(step.outputs[unit]) if known else UNKNOWN)]
    if phase.kind == "loss":
        if last:
            return [("y", number(step.outputs[unit])), ("t", number(explanation.targets[unit]))]
        return [("a", number(step.sums[unit])), (out, number(step.outputs[unit]))]
    if phase.kind == "backward":
        return [(out, number(step.outputs[unit])), ("δ", number(step.deltas[unit]) if known else UNKNOWN)]
    return [("b", number(step.biases[unit])), ("→", number(step.new_biases[unit]))]


def unit_value(explanation: StepExplanation, phase: Phase, column: int, unit: int) -> float | None:
    """The number ``unit``'s card is about in ``phase`` (its input, ``z`` or ``y``, ``δ``, or its
    bias's change in the update); None before the phase reaches it. A folded card shows it as a colour."""
    if column == 0:
        return float(explanation.layers[0].inputs[unit])
    layer = column - 1
    step = explanation.layers[layer]
    if not computed(phase, layer):
        return None
    if phase.kind == "backward":
        return float(step.deltas[unit])
    if phase.kind == "update":
        return float(step.new_biases[unit] - step.biases[unit])
    return float(step.outputs[unit])


def edge_values(explanation: StepExplanation, phase: Phase, layer: int) -> np.ndarray:
    """What weight layer ``layer``'s edges' colour and width follow in ``phase``: the weights
    going forward, this point's gradient ``∂E/∂w`` going backward, the change ``w′ − w`` in the update."""
    step = explanation.layers[layer]
    if phase.kind == "backward":
        return step.weight_gradient
    if phase.kind == "update":
        return step.new_weights - step.weights
    return step.weights


def edge_text(explanation: StepExplanation, phase: Phase, edge: ParameterRef) -> str:
    """The number an edge (or bias) carries in ``phase``: its weight, its gradient, or its
    new value after the update ("→ 0.6462"); :data:`UNKNOWN` before the phase reaches it."""
    step = explanation.layers[edge.layer]
    bias = edge.row == len(step.inputs)
    if phase.kind == "backward":
        if not computed(phase, edge.layer):
            return UNKNOWN
        return number(step.bias_gradient[edge.unit] if bias else step.weight_gradient[edge.row, edge.unit])
    if phase.kind == "update":
        return f"→ {number(step.new_biases[edge.unit] if bias else step.new_weights[edge.row, edge.unit])}"
    return number(step.biases[edge.unit] if bias else step.weights[edge.row, edge.unit])


EDGE_MEANING = {"forward": "weight w", "loss": "weight w", "backward": "this point's gradient ∂E/∂w",
                "update": "change w′ − w"}


def phase_title(phase: Phase, layers: int) -> str:
    """The phase in words, for the label beside Back and Next: "Forward: layer 2 of 3", "Loss",
    "Backward: layer 1", "Update" (layers counted from 1)."""
    if phase.kind == "forward":
        return f"Forward: layer {phase.layer + 1} of {layers}"
    if phase.kind == "backward":
        return f"Backward: layer {phase.layer + 1}"
    return phase.kind.capitalize()
