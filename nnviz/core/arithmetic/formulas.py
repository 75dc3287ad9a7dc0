"""An explained step (:mod:`.step`) as formulas with its real numbers, tutorial ``003``'s way:
``a = x·W + b``, ``z = f(a)``, ``δ = ∂E/∂a``, ``∂E/∂W = xᵀ·δ``; and as a plain table of every number.

Units and layers count from 1 for people: ``a₂⁽¹⁾`` is the sum of unit 2 of layer 1 (weight layer
0); the inputs are ``x₁, x₂, ...`` and the output units ``y₁, y₂, ...`` (``y₁`` is class 0's)."""

from __future__ import annotations

import numpy as np

from nnviz.core.arithmetic.step import StepExplanation
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.network import layers_name

SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
OUTPUT_SYMBOLS = {"sigmoid": "σ", "identity": ""}  # output units as formulas write them (softmax: in full)
SHOWN_TERMS = 12  # a longer sum shows its largest terms


def number(x: float) -> str:
    """``x`` to 4 significant digits, a whole number with ``.0`` (``1.0``, ``0.5744``, ``−1.2e-05``)."""
    text = f"{float(x) + 0.0:.4g}"  # + 0.0: −0.0 reads as 0
    if text.lstrip("-").isdigit():
        text += ".0"
    return "−" + text[1:] if text.startswith("-") else text


def _factor(x: float) -> str:
    """A number as a factor of a product: negative ones in brackets."""
    text = number(x)
    return f"({text})" if text.startswith("−") else text


def _sub(*indices: int) -> str:
    return ",".join(str(i) for i in indices).translate(SUBSCRIPTS) if max(indices) > 9 or len(indices) == 1 \
        else "".join(str(i) for i in indices).translate(SUBSCRIPTS)


def _sup(layer: int) -> str:
    return f"⁽{str(layer).translate(SUPERSCRIPTS)}⁾"


def sum_symbol(layer: int, unit: int) -> str:
    """``a₁⁽¹⁾``: the weighted sum of ``unit`` of weight layer ``layer`` (both from 0)."""
    return f"a{_sub(unit + 1)}{_sup(layer + 1)}"


def output_symbol(explanation: StepExplanation, layer: int, unit: int) -> str:
    """``z₁⁽¹⁾`` for a hidden unit, ``y₁`` for an output unit, ``x₁`` for an input (``layer`` −1)."""
    if layer < 0:
        return f"x{_sub(unit + 1)}"
    if layer == len(explanation.layers) - 1:
        return f"y{_sub(unit + 1)}"
    return f"z{_sub(unit + 1)}{_sup(layer + 1)}"


def delta_symbol(layer: int, unit: int) -> str:
    return f"δ{_sub(unit + 1)}{_sup(layer + 1)}"


def weight_symbol(layer: int, row: int, column: int) -> str:
    """``w₁₂⁽¹⁾``: the weight from input ``row`` to unit ``column`` of weight layer ``layer``."""
    return f"w{_sub(row + 1, column + 1)}{_sup(layer + 1)}"


def bias_symbol(layer: int, unit: int) -> str:
    return f"b{_sub(unit + 1)}{_sup(layer + 1)}"


def _parameter_symbol(explanation: StepExplanation, layer: int, row: int, column: int) -> str:
    fan_in = explanation.layers[layer].weights.shape[0]
    return bias_symbol(layer, column) if row == fan_in else weight_symbol(layer, row, column)


def sum_formula(explanation: StepExplanation, layer: int, unit: int, terms: int = SHOWN_TERMS) -> str:
    """``a₁⁽¹⁾ = 1.0·0.1 + 0.5·0.2 + 0.1 = 0.3``: the unit's inputs times its weights, plus its bias
    (a wider layer's largest terms, then how many more)."""
    step = explanation.layers[layer]
    products = step.inputs * step.weights[:, unit]
    shown = np.arange(len(products))
    if len(products) > terms:
        shown = np.sort(np.argsort(-np.abs(products), kind="stable")[:terms])
    parts = [f"{_factor(step.inputs[i])}·{_factor(step.weights[i, unit])}" for i in shown]
    if len(products) > terms:
        parts.append(f"… ({len(products) - terms} more)")
    parts.append(_factor(step.biases[unit]))
    return f"{sum_symbol(layer, unit)} = {' + '.join(parts)} = {number(step.sums[unit])}"


def activation_formula(explanation: StepExplanation, layer: int, unit: int) -> str:
    """``z₁⁽¹⁾ = σ(0.3) = 0.5744``; for a softmax output ``y₁ = softmax(a⁽³⁾)₁ = 0.31``."""
    step = explanation.layers[layer]
    symbol = output_symbol(explanation, layer, unit)
    value = number(step.outputs[unit])
    if step.kind == "softmax":
        return f"{symbol} = exp({sum_symbol(layer, unit)}) / Σₖ exp(aₖ{_sup(layer + 1)}) = {value}"
    function = ACTIVATIONS[step.kind].symbol if layer < len(explanation.layers) - 1 else OUTPUT_SYMBOLS[step.kind]
    if not function:
        return f"{symbol} = {sum_symbol(layer, unit)} = {value}"
    return f"{symbol} = {function}({number(step.sums[unit])}) = {value}"


def loss_formula(explanation: StepExplanation) -> str:
    """This point's loss with its numbers, e.g. ``E = −log y₂ = −log 0.62 = 0.478``."""
    y, t = explanation.outputs, explanation.targets
    value = number(explanation.point_loss)
    if explanation.loss == "squared-error":
        terms = " + ".join(f"({number(a)} − {_factor(b)})²" for a, b in zip(y, t))
        return f"E = ½ Σₖ (yₖ − tₖ)² = ½({terms}) = {value}"
    if explanation.output == "softmax":
        c = int(explanation.target)
        return f"E = −log y{_sub(c + 1)} (the probability of class {c}) = −log {number(y[c])} = {value}"
    logs = " − ".join(f"log {number(a) if b > 0.5 else '(1 − ' + number(a) + ')'}" for a, b in zip(y, t))
    return f"E = −Σₖ [tₖ log yₖ + (1 − tₖ) log(1 − yₖ)] = −{logs} = {value}"


def slope(explanation: StepExplanation, layer: int) -> np.ndarray:
    """Each unit's ``f′(a)`` of hidden layer ``layer``, by the engine's own derivative."""
    step = explanation.layers[layer]
    activation = ACTIVATIONS[step.kind]
    out = np.empty_like(step.outputs)
    return activation.derivative(step.outputs.copy(), out, step.sums.copy() if activation.reads_sums else None)


def delta_formula(explanation: StepExplanation, layer: int, unit: int) -> str:
    """``δ = ∂E/∂a`` of one unit: ``y − t`` at an output with its natural loss; else the slope
    times what comes back from the layer above."""
    step = explanation.layers[layer]
    symbol, value = delta_symbol(layer, unit), number(step.deltas[unit])
    last = len(explanation.layers) - 1
    if layer == last:
        y, t = step.outputs[unit], explanation.targets[unit]
        if (explanation.output, explanation.loss) in (("softmax", "cross-entropy"), ("sigmoid", "cross-entropy"),
                                                      ("identity", "squared-error")):
            return f"{symbol} = ∂E/∂{sum_symbol(layer, unit)} = y{_sub(unit + 1)} − t{_sub(unit + 1)} = " \
                   f"{number(y)} − {_factor(t)} = {value}"
        if explanation.output == "sigmoid":
            return f"{symbol} = (y − t)·y(1 − y) = ({number(y)} − {_factor(t)})·{_factor(y)}·(1 − {number(y)}) = {value}"
        return f"{symbol} = yⱼ((yⱼ − tⱼ) − Σₖ yₖ(yₖ − tₖ)), the softmax's Jacobian times y − t = {value}"
    above = explanation.layers[layer + 1]
    back = float(above.weights[unit] @ above.deltas)
    terms = " + ".join(f"{_factor(w)}·{_factor(d)}" for w, d in list(zip(above.weights[unit], above.deltas))[:6])
    if above.weights.shape[1] > 6:
        terms += f" + … ({above.weights.shape[1] - 6} more)"
    f_prime = number(slope(explanation, layer)[unit])
    return (f"{symbol} = f′({sum_symbol(layer, unit)})·Σₖ w{_sub(unit + 1)}ₖ{_sup(layer + 2)} δₖ{_sup(layer + 2)}"
            f" = {f_prime}·({terms}) = {f_prime}"
            f"·{_factor(back)} = {value}    (f′ = {ACTIVATIONS[step.kind].slope})")


def gradient_formula(explanation: StepExplanation, layer: int, row: int, column: int) -> str:
    """``∂E/∂w₁₂⁽¹⁾ = x₁·δ₂⁽¹⁾ = 1.0·0.05 = 0.05`` (``row`` equal to the fan-in: the bias, ``∂E/∂b = δ``),
    then, for a batch or with L2, the step's gradient and this point's share of it."""
    step = explanation.layers[layer]
    fan_in = step.weights.shape[0]
    symbol = _parameter_symbol(explanation, layer, row, column)
    delta = step.deltas[column]
    if row == fan_in:
        own, total = step.bias_gradient[column], step.batch_bias_gradient[column]
        line = f"∂E/∂{symbol} = {delta_symbol(layer, column)} = {number(own)}"
    else:
        own, total = step.weight_gradient[row, column], step.batch_weight_gradient[row, column]
        line = (f"∂E/∂{symbol} = {output_symbol(explanation, layer - 1, row)}·{delta_symbol(layer, column)} = "
                f"{_factor(step.inputs[row])}·{_factor(delta)} = {number(own)}")
    if explanation.batch_size == 1 and not explanation.l2:
        return line
    n = explanation.batch_size
    weights_share, biases_share = explanation.share(layer)
    part = biases_share[column] if row == fan_in else weights_share[row, column]
    decay = f" + λ·{symbol}" if explanation.l2 and row < fan_in else ""
    share = f"this point's share ∂E/∂{symbol} / {n} = {number(part)}" if explanation.in_batch else \
        "the point is not in the batch"
    return f"{line}\nstep's gradient g = (1/{n}) Σ over the batch{decay} = {number(total)}  ({share})"


def update_formula(explanation: StepExplanation, layer: int, row: int, column: int) -> str:
    """The parameter's update by the run's optimiser: ``w ← w − η·g = 0.1 − 0.5·0.05 = 0.075`` for
    plain gradient descent; another rule's step as it computes it."""
    step = explanation.layers[layer]
    fan_in = step.weights.shape[0]
    symbol = _parameter_symbol(explanation, layer, row, column)
    old, new, g = ((step.biases, step.new_biases, step.batch_bias_gradient) if row == fan_in
                   else (step.weights[row], step.new_weights[row], step.batch_weight_gradient[row]))
    old, new, g = old[column], new[column], g[column]
    if explanation.optimizer == "sgd" and not explanation.momentum:
        return f"{symbol} ← {symbol} − η·g = {number(old)} − {number(explanation.lr)}·{_factor(g)} = {number(new)}"
    return (f"{symbol} ← {symbol} − Δ = {number(old)} − {_factor(old - new)} = {number(new)}    "
            f"(Δ: {explanation.optimizer}'s step from g = {number(g)} and its running state)")


def explanation_table(explanation: StepExplanation) -> str:
    """Every number of the explained step as plain text, layer by layer, to copy or save."""
    e = explanation
    sizes = layers_name((len(e.layers[0].inputs), *(len(step.outputs) for step in e.layers)))
    target = number(e.target) if e.regression else f"class {int(e.target)}"
    lines = [f"One step explained: the point ({', '.join(number(x) for x in e.point)}), target {target}",
             f"Network {sizes}; {e.output} outputs, {e.loss} loss; {e.optimizer}, learning rate {number(e.lr)}"
             + (f", momentum {number(e.momentum)}" if e.momentum else "") + (f", L2 {number(e.l2)}" if e.l2 else ""),
             f"Batch: {e.batch_size} point{'s' if e.batch_size > 1 else ''}"
             + ("" if e.batch_size == 1 else " (this point among them)" if e.in_batch else " (this point not among them)")
             + ("; dropout left out" if e.dropout_left_out else ""), ""]
    for k, step in enumerate(e.layers):
        name = "Output layer" if k == len(e.layers) - 1 else f"Layer {k + 1}"
        lines += [f"{name} ({step.kind}), reads [{' '.join(number(x) for x in step.inputs)}]",
                  _row("unit", "a", "z", "δ = ∂E/∂a")]
        lines += [_row(str(j + 1), number(a), number(z), number(d))
                  for j, (a, z, d) in enumerate(zip(step.sums, step.outputs, step.deltas))]
        lines += ["", _row("parameter", "value", "∂E/∂ (point)", "step's g", "new value")]
        for j in range(step.weights.shape[1]):
            for i in range(step.weights.shape[0]):
                lines.append(_row(weight_symbol(k, i, j), number(step.weights[i, j]),
                                  number(step.weight_gradient[i, j]), number(step.batch_weight_gradient[i, j]),
                                  number(step.new_weights[i, j])))
            lines.append(_row(bias_symbol(k, j), number(step.biases[j]), number(step.bias_gradient[j]),
                              number(step.batch_bias_gradient[j]), number(step.new_biases[j])))
        lines.append("")
    outputs, targets = (" ".join(number(x) for x in values) for values in (e.outputs, e.targets))
    lines += [f"Output y = [{outputs}], target t = [{targets}]", loss_formula(e)]
    return "\n".join(lines) + "\n"


def _row(*cells: str) -> str:
    return "".join(f"{cell:<14}" for cell in cells).rstrip()
