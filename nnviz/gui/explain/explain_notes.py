"""The sentences above the step diagram: which step is explained and how, or why it cannot be."""

from __future__ import annotations

from nnviz.core.arithmetic.step import StepExplanation


def step_note(explanation: StepExplanation, step: int, typed: bool) -> str:
    """What is explained: the point (``typed`` by the user, or the data's) at ``step``, and the
    update the next step makes, with its rule, rate and batch (and, with dropout, without its mask)."""
    e = explanation
    where = "typed point" if typed else "point"
    batch = "the point alone" if e.batch_size == 1 and e.in_batch else \
        f"a batch of {e.batch_size:,} points, this one {'among them' if e.in_batch else 'not among them'}"
    text = f"The {where} through the network at step {step:,}, and the update the next step makes " \
           f"({e.optimizer}, η = {e.lr:g}) on {batch}"
    # With dropout the step's own update differs: it leaves out units by a mask drawn afresh each step.
    return text + (", without dropout's mask, which the step draws afresh." if e.dropout_left_out else ".")


def training_note(step: int) -> str:
    """What is shown while training goes on."""
    return f"Training goes on: this is step {step:,}. Pause (Space) to explain the latest step."


def cannot_explain(reason: str, diverged: bool) -> str:
    """The note when the step cannot be explained for ``reason`` (core's words). The learning rate
    is named only when training ``diverged``: weights set by hand, say, are not the rate's doing."""
    advice = "Reset, or set a smaller learning rate." if diverged else "Reset starts the run afresh."
    return f"This step cannot be explained: {reason}. {advice}"
