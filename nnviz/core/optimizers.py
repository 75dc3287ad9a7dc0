"""Gradient descent with optional momentum on a network's flat parameter vector."""

from __future__ import annotations

import numpy as np


class GradientDescent:
    """``v = momentum * v - lr * grad; w = w + v`` (plain descent when momentum is 0).

    :meth:`update` writes the new parameters into ``out`` instead of overwriting ``params``,
    so the caller still holds the previous ones (the trainer uses that to step back after
    a non-finite loss at no extra cost). The gradient is left untouched.
    """

    def __init__(self, params: np.ndarray, lr: float, momentum: float = 0.0):
        self.lr = lr
        self.velocity = np.zeros_like(params)
        self._scaled = np.empty_like(params)
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

    def update(self, params: np.ndarray, gradient: np.ndarray, out: np.ndarray) -> None:
        """One step from ``params`` along ``gradient``; the result goes to ``out``."""
        np.multiply(gradient, self.lr, out=self._scaled)
        if self._momentum:
            self.velocity *= self._momentum
            self.velocity -= self._scaled
            np.add(params, self.velocity, out=out)
        else:
            np.subtract(params, self._scaled, out=out)

    def reset(self) -> None:
        """Forget the velocity (after a divergence it is meaningless)."""
        self.velocity.fill(0)
