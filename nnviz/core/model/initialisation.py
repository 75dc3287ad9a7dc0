"""How a network's weights start: the schemes "Deep Learning from Scratch" compares (chapter 6)
and TensorFlow Playground's. Biases start at zero in every scheme."""

from __future__ import annotations

import numpy as np

INIT_SCHEMES = ("default", "he", "glorot", "normal-1", "normal-0.01", "uniform-0.5", "zeros")
INIT_HELP = {
    "default": "N(0,1)/sqrt(fan_in), the tutorial's (the book's Xavier)",
    "he": "N(0,1)*sqrt(2/fan_in), for ReLU",
    "glorot": "uniform in +-sqrt(6/(fan_in+fan_out))",
    "normal-1": "std 1: saturates sigmoid and tanh units",
    "normal-0.01": "std 0.01: every unit outputs nearly the same",
    "uniform-0.5": "uniform in +-0.5, TensorFlow Playground's",
    "zeros": "all zero: every unit of a layer stays the same forever",
}


def initial_weights(scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A ``(fan_in, fan_out)`` float64 weight matrix drawn by ``scheme`` from ``rng``."""
    shape = (fan_in, fan_out)
    if scheme == "default":
        return rng.standard_normal(shape) / np.sqrt(fan_in)
    if scheme == "he":
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
    if scheme == "glorot":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape)
    if scheme == "normal-1":
        return rng.standard_normal(shape)
    if scheme == "normal-0.01":
        return rng.standard_normal(shape) * 0.01
    if scheme == "uniform-0.5":
        return rng.uniform(-0.5, 0.5, shape)
    if scheme == "zeros":
        return np.zeros(shape)
    raise ValueError(f"unknown initialisation {scheme!r}; expected one of {', '.join(INIT_SCHEMES)}")
