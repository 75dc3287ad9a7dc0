"""A run's settings in words, for titles, status lines, pictures and hover texts: "8×8 relu
hidden units, sigmoid output", "adam, lr 0.01" (what differs from the defaults, as a person
would say it), and what an output unit and its loss are."""

from __future__ import annotations

from nnviz.core.config import TrainingConfig, activation_name, shape_name
from nnviz.core.data.datasets import CUSTOM, dataset_task
from nnviz.core.model.features import DEFAULT_FEATURES, feature_symbol
from nnviz.core.model.outputs import resolved_head


def network_name(config: TrainingConfig, task: str | None = None) -> str:
    """The network in words: "10 tanh hidden units", "8×8 relu,tanh hidden units", "no hidden layer",
    and its inputs, initialisation, output units and loss where not the default: "no hidden layer,
    inputs x₁², x₂²", "10 tanh hidden units, init he", "3 sigmoid hidden units, sigmoid output,
    squared-error loss". ``task``: the data's (see :func:`output_name`)."""
    names = (inputs_name(config), init_name(config), output_name(config, task), loss_name(config, task))
    extra = "".join(f", {name}" for name in names if name)
    if not config.hidden:
        return "no hidden layer" + extra
    units = "unit" if config.hidden == (1,) else "units"
    return f"{shape_name(config.hidden, '×')} {activation_name(config.activation)} hidden {units}{extra}"


def training_name(config: TrainingConfig) -> str:
    """The training in words: "lr 0.3", "adam, lr 0.01, dropout 0.5" (the optimiser where not sgd)."""
    optimizer = "" if config.optimizer == "sgd" else f"{config.optimizer}, "
    dropout = f", dropout {config.dropout:g}" if config.dropout else ""
    return f"{optimizer}lr {config.lr:g}{dropout}"


def inputs_name(config: TrainingConfig) -> str:
    """The input features, where names say them: "inputs x₁², x₂²"; empty for x₁, x₂."""
    if config.features == DEFAULT_FEATURES:
        return ""
    return "inputs " + ", ".join(feature_symbol(name) for name in config.features)


def init_name(config: TrainingConfig) -> str:
    """The initialisation, where names say it: "init he"; empty for the default scheme."""
    return "" if config.init == "default" else f"init {config.init}"


def output_name(config: TrainingConfig, task: str | None = None) -> str:
    """The output units, where names say them: "sigmoid output"; empty for the task's own.
    ``task``: the data's; by default the built-in dataset's, and for the user's points (whose
    task the config does not know) an output given is named as given."""
    return _head_part(config, task, 0, "output")


def loss_name(config: TrainingConfig, task: str | None = None) -> str:
    """The loss, where names say it: "squared-error loss"; empty for the task's own (see
    :func:`output_name`)."""
    return _head_part(config, task, 1, "loss")


def head_words(config: TrainingConfig, task: str) -> str:
    """The output units and loss in use on data of ``task``, always: "softmax output,
    cross-entropy loss"."""
    output, loss = resolved_head(config.output, config.loss, task)
    return f"{output} output, {loss} loss"


def _head_part(config: TrainingConfig, task: str | None, part: int, word: str) -> str:
    if task is None and config.dataset != CUSTOM:
        task = dataset_task(config.dataset)
    if task is None:  # the user's points: the task's own (None) says nothing
        given = (config.output, config.loss)[part]
        return "" if given is None else f"{given} {word}"
    used = resolved_head(config.output, config.loss, task)[part]
    return "" if used == resolved_head(None, None, task)[part] else f"{used} {word}"


LOSS_WORDS = {
    ("softmax", "cross-entropy"): "cross-entropy, −log of the probability given to the true class",
    ("sigmoid", "cross-entropy"): "cross-entropy, −Σ [t log y + (1 − t) log(1 − y)] over the units",
    "squared-error": "squared error, ½ Σ (y − t)² over the units",
}
ONE_UNIT = {"cross-entropy": "cross-entropy, −[t log y + (1 − t) log(1 − y)]",
            "squared-error": "squared error, ½ (y − t)²"}  # a loss of one output unit


def output_words(output: str, units: int, regression: bool) -> str:
    """What the output units are, in a few words."""
    if regression:
        return {"identity": "identity, the predicted value as it is",
                "sigmoid": "sigmoid, a predicted value between 0 and 1"}.get(output, output)
    if output == "sigmoid" and units == 1:
        return "one sigmoid unit, the probability of class 1 (class 0's is 1 − p)"
    return {"softmax": "softmax, a unit a class: probabilities that sum to 1",
            "sigmoid": "sigmoid, a unit a class: each a probability between 0 and 1",
            "identity": "identity, a unit a class: scores as they are"}.get(output, output)


def head_tip(output: str, loss: str, units: int, regression: bool) -> str:
    """The hover text of the outputs: what they are and the loss they are trained by."""
    targets = "the values" if regression else "1 for the true class, 0 for the others" if units > 1 else \
        "1 for class 1, 0 for class 0"
    loss_words = ONE_UNIT.get(loss, loss) if units == 1 and output != "softmax" else \
        LOSS_WORDS.get((output, loss), LOSS_WORDS.get(loss, loss))
    return (f"Output: {output_words(output, units, regression)}.\n"
            f"Loss: {loss_words}, with targets t {targets};\nthe mean over the batch, plus l2/2 · ΣW².")
