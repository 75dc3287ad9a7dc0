"""The output units and the losses a network can have, and which go with which task.

Conventions (a contract, stated in the README): the loss is the mean over the batch of a
per-sample loss, plus ``l2 / 2 * sum(W**2)`` over the weights.

* ``cross-entropy`` with ``softmax``: ``-log y_true``; with ``sigmoid``:
  ``-sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)]``, each log held at -100 or above as
  PyTorch's ``BCELoss`` holds it (a float32 sigmoid reaches exactly 1 at z = 17).
* ``squared-error``: ``1/2 sum_k (y_k - t_k)**2``.
* Targets ``t``: one-hot for classes; for two classes with ``sigmoid`` outputs, one unit
  whose target is the label (the probability of class 1); the value for regression.

The arithmetic is in :mod:`nnviz.core.engine.ops` (:data:`~nnviz.core.engine.ops.HEADS`,
:func:`~nnviz.core.engine.ops.loss_values`); what may be combined is here, once.
"""

from __future__ import annotations

OUTPUTS = ("softmax", "sigmoid", "identity")
LOSSES = ("cross-entropy", "squared-error")


def default_head(task: str) -> tuple[str, str]:
    """``(output, loss)`` a task takes unless told otherwise."""
    return ("identity", "squared-error") if task == "regression" else ("softmax", "cross-entropy")


def resolved_head(output: str | None, loss: str | None, task: str) -> tuple[str, str]:
    """The output and loss in use: those given, the task's defaults for those not (None); an
    identity output alone takes squared error, as cross-entropy does not fit it."""
    default_output, default_loss = default_head(task)
    output = default_output if output is None else output
    if loss is None:
        loss = "squared-error" if output == "identity" else default_loss
    return output, loss


def head_problem(output: str, loss: str, task: str) -> str | None:
    """Why ``output`` with ``loss`` cannot learn a ``task``, in one sentence; None if it can."""
    if task == "regression" and loss == "cross-entropy":
        return "cross-entropy is a loss for classes; a regression network uses --loss squared-error"
    if task == "regression" and output == "softmax":
        return ("a regression network predicts a value, and softmax outputs are class probabilities "
                "that sum to 1: use --output identity (or sigmoid for values between 0 and 1)")
    if loss == "cross-entropy" and output == "identity":
        return ("cross-entropy compares probabilities, and identity outputs are not probabilities: "
                "use --output softmax or sigmoid, or --loss squared-error")
    return None


def output_units(output: str, task: str, classes: int) -> int:
    """How many output units: one value for regression, one unit (the probability of class 1)
    for two classes with sigmoid outputs, else one a class."""
    if task == "regression" or (output == "sigmoid" and classes == 2):
        return 1
    return classes


def classes_told(units: int) -> int:
    """How many classes a classifier with ``units`` output units tells apart: one sigmoid unit
    (class 1's probability) tells two."""
    return max(units, 2)
