"""The update rules of ``torch.optim`` on a network's flat parameter vector.

Each rule follows PyTorch's arithmetic exactly (weight decay 0: the L2 term is already in the
gradient), with ``g`` the gradient, ``lr`` the learning rate and ``t`` the step count:

* ``sgd``: ``b = m * b + g`` (``b = g`` at the first step), ``w -= lr * b``; plain
  ``w -= lr * g`` when the momentum ``m`` is 0.
* ``nesterov``: ``b`` as for sgd, then ``w -= lr * (g + m * b)``.
* ``adagrad``: ``s += g²``, ``w -= lr * g / (sqrt(s) + 1e-10)``.
* ``rmsprop``: ``v = 0.99 v + 0.01 g²``, ``w -= lr * g / (sqrt(v) + 1e-8)``.
* ``adam``: ``m = m + 0.1 (g - m)``, ``v = 0.999 v + 0.001 g²``,
  ``w -= lr / (1 - 0.9^t) * m / (sqrt(v) / sqrt(1 - 0.999^t) + 1e-8)``.

``lr`` and the momentum may be arrays the size of the parameters (a sweep packs networks with
different settings into one vector).
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "nesterov", "adagrad", "rmsprop", "adam")
OPTIMIZER_HELP = {
    "sgd": "gradient descent, with momentum when --momentum is above 0",
    "nesterov": "gradient descent with Nesterov momentum (--momentum; 0.9 if none is given)",
    "adagrad": "per-weight steps shrinking with the sum of squared gradients",
    "rmsprop": "per-weight steps scaled by a running mean of squared gradients",
    "adam": "momentum and RMSprop together, with bias correction",
}
MOMENTUM_RULES = ("sgd", "nesterov")  # the rules that use a momentum
STATE = {  # the buffers each rule keeps, named as torch.optim names them
    "sgd": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",),
    "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"),
}
ADAGRAD_EPS = 1e-10
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
# The learning rates each rule usually trains well at, (low, high), on the mean loss. The
# adaptive rules scale each weight's step to about lr, so sgd's default of 1 throws a network
# off at Adam's first step.
USUAL_RATES = {
    "sgd": (0.1, 1.0),
    "nesterov": (0.1, 1.0),
    "adagrad": (0.01, 0.1),
    "rmsprop": (0.001, 0.01),
    "adam": (0.001, 0.01),
}
SUGGESTED_RATES = {"sgd": 0.5, "nesterov": 0.1, "adagrad": 0.05, "rmsprop": 0.005, "adam": 0.005}  # inside those
FAR_FACTOR = 3.0  # a rate more than this many times outside the usual range is far from it


def rate_advice(rule: str, lr: float) -> str:
    """One sentence when ``lr`` is far from the rates ``rule`` usually takes (see
    :data:`USUAL_RATES`), naming them; "" when it is not."""
    low, high = USUAL_RATES[rule]
    if low / FAR_FACTOR <= lr <= high * FAR_FACTOR:
        return ""
    effect = "above: it may throw the network off at once" if lr > high else "below: it will learn slowly"
    return f"{rule} usually learns at rates of {low:g} to {high:g}; {lr:g} is far {effect}."


class Optimizer:
    """One rule of :data:`OPTIMIZERS` and its state (:attr:`state`, :attr:`steps`).

    :meth:`update` writes the new parameters into ``out`` instead of overwriting ``params``,
    so the caller still holds the previous ones (the trainer uses that to step back after
    a non-finite loss at no extra cost). The gradient is left untouched.
    """

    def __init__(self, rule: str, size: int, dtype, lr, momentum=0.0):
        if rule not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {rule!r}")
        self.rule = rule
        self.lr = lr
        self.state = {name: np.zeros(size, dtype) for name in STATE[rule]}
        self.steps = 0  # updates since the state was last reset (Adam's bias correction counts them)
        self._momentum = momentum
        self._moving = bool(np.any(momentum))  # read every step: np.any costs a tenth of a small network's step
        self._rule_step = getattr(self, f"_{rule}")
        self._scratch = np.empty(size, dtype)
        self._scratch2 = np.empty(size, dtype)

    @property
    def state_size(self) -> int:
        return len(self._scratch)

    @property
    def momentum(self):
        return self._momentum

    @momentum.setter
    def momentum(self, value) -> None:
        # Plain descent keeps no buffer, so switching momentum on starts from rest.
        if self.rule == "sgd" and not self._moving and np.any(value):
            self.reset()
        self._momentum = value
        self._moving = bool(np.any(value))

    def update(self, params: np.ndarray, gradient: np.ndarray, out: np.ndarray) -> None:
        """One step from ``params`` along ``gradient``; the result goes to ``out``."""
        self.steps += 1
        self._rule_step(gradient, self._scratch)
        np.subtract(params, self._scratch, out=out)

    def _sgd(self, g, step) -> None:
        if not self._moving:
            np.multiply(g, self.lr, out=step)
            return
        buffer = self.state["momentum_buffer"]
        buffer *= self._momentum
        buffer += g
        np.multiply(buffer, self.lr, out=step)

    def _nesterov(self, g, step) -> None:
        buffer = self.state["momentum_buffer"]
        buffer *= self._momentum
        buffer += g
        np.multiply(buffer, self._momentum, out=step)
        step += g
        step *= self.lr

    def _adagrad(self, g, step) -> None:
        total, squared = self.state["sum"], self._scratch2
        np.multiply(g, g, out=squared)
        total += squared
        self._over_root(g, total, ADAGRAD_EPS, step)

    def _rmsprop(self, g, step) -> None:
        average, squared = self.state["square_avg"], self._scratch2
        average *= RMSPROP_ALPHA
        np.multiply(g, g, out=squared)
        squared *= 1 - RMSPROP_ALPHA
        average += squared
        self._over_root(g, average, RMSPROP_EPS, step)

    def _over_root(self, g, accumulated, eps: float, step) -> None:
        """``step = lr * g / (sqrt(accumulated) + eps)``, Adagrad's and RMSprop's step."""
        denominator = self._scratch2
        np.sqrt(accumulated, out=denominator)
        denominator += eps
        np.divide(g, denominator, out=step)
        step *= self.lr

    def _adam(self, g, step) -> None:
        beta1, beta2 = ADAM_BETAS
        mean, square, denominator = self.state["exp_avg"], self.state["exp_avg_sq"], self._scratch2
        np.subtract(g, mean, out=denominator)  # torch's lerp: m + (1 - beta1) * (g - m)
        denominator *= 1 - beta1
        mean += denominator
        square *= beta2
        np.multiply(g, g, out=denominator)
        denominator *= 1 - beta2
        square += denominator
        np.sqrt(square, out=denominator)
        denominator /= math.sqrt(1 - beta2**self.steps)
        denominator += ADAM_EPS
        np.divide(mean, denominator, out=step)
        step *= np.multiply(self.lr, 1 / (1 - beta1**self.steps))

    def reset(self) -> None:
        """Forget the state (after a divergence, or a change of rule, it is meaningless)."""
        for buffer in self.state.values():
            buffer.fill(0)
        self.steps = 0

    def state_dict(self) -> dict:
        """The optimiser's state as ``torch.optim`` gives it, in the one encoding moments, run files
        and hand-offs use: ``{"rule": ..., "steps": ..., "state": {buffer name: a copy of it}}``."""
        return {"rule": self.rule, "steps": self.steps, "state": {k: v.copy() for k, v in self.state.items()}}

    def load_state_dict(self, state_dict: dict) -> None:
        """Take back a state :meth:`state_dict` gave (of this rule)."""
        if state_dict["rule"] != self.rule:
            raise ValueError(f"a state of {state_dict['rule']} does not fit {self.rule}")
        for name, buffer in self.state.items():
            buffer[...] = state_dict["state"][name]
        self.steps = state_dict["steps"]


def state_dict_of_rows(rule: str, rows, steps: int) -> dict:
    """A :meth:`Optimizer.state_dict` from its buffers as rows, in :data:`STATE`'s order (as run files hold them)."""
    return {"rule": rule, "steps": steps, "state": dict(zip(STATE[rule], rows))}
