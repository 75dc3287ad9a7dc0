"""Gradient descent with optional momentum, writing new parameters into spare arrays."""

from __future__ import annotations

import numpy as np


class GradientDescent:
    """``v = momentum * v - lr * grad; w = w + v`` (plain descent when momentum is 0).

    :meth:`update` writes the new parameters into ``out`` instead of overwriting ``params``,
    so the caller still holds the previous ones (the trainer uses that to step back after
    a non-finite loss at no extra cost). The gradients are left untouched.
    """

    def __init__(self, params: list[np.ndarray], lr: float, momentum: float = 0.0):
        self.lr = lr
        self.velocity = [np.zeros_like(p) for p in params]
        self._scaled = [np.empty_like(p) for p in params]
        self._momentum = momentum

    @property
    def momentum(self) -> float:
        return self._momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        # Plain descent does not track velocity, so switching momentum on starts from rest.
        if not self._momentum:
            self.reset()
        self._momentum = value

    def update(self, params: list[np.ndarray], grads: list[np.ndarray], out: list[np.ndarray]) -> None:
        """One step from ``params`` along ``grads``; the result goes to ``out``."""
        for p, g, v, s, o in zip(params, grads, self.velocity, self._scaled, out):
            np.multiply(g, self.lr, out=s)
            if self._momentum:
                v *= self._momentum
                v -= s
                np.add(p, v, out=o)
            else:
                np.subtract(p, s, out=o)

    def reset(self) -> None:
        """Forget the velocity (after a divergence it is meaningless)."""
        for v in self.velocity:
            v.fill(0)
