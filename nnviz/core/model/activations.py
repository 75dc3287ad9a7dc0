"""Hidden-layer activations, written in place so the training loop allocates nothing.

Each activation overwrites the weighted sums ``z`` with its outputs ``a`` (``forward(z, sums)``)
and fills a buffer with its slope f'(z) (``derivative(a, out, sums)``), from the outputs ``a``
where it can. An activation that needs ``z`` itself says so (:attr:`Activation.reads_sums`):
the engine then keeps a copy of ``z`` in ``sums`` before the forward pass, and hands the same
buffer to the derivative, which may use it as scratch. Neither function allocates an array
the size of the batch: they work with ``out=`` in ``z``, ``out`` and ``sums`` only.

Each matches PyTorch's function and autograd derivative (``torch.tanh``, ``torch.sigmoid``,
``F.relu``, ``F.leaky_relu(0.1)``, ``F.elu``, ``F.softplus``, ``F.silu``,
``F.gelu(approximate="tanh")``, ``torch.sin``, ``exp(-z**2)``, ``torch.heaviside(z, 0)``), and
none overflows or warns for any finite ``z`` in float32 or float64.

Everything nnviz knows about an activation is in its :class:`Activation` record: adding one
to :data:`ACTIVATIONS` makes it work in training, sweeps, grids, unit maps, histograms, run
files, the command line and the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEAKY_SLOPE = 0.1  # seed 004's LeakyReLU slope
SOFTPLUS_THRESHOLD = 20.0  # torch's F.softplus default: above it, softplus(z) is z and its slope 1
GELU_C = float(np.sqrt(2 / np.pi))
GELU_K = 0.044715
GELU_FLAT = 10.0  # beyond it tanh's argument passes 43 and tanh is ±1 exactly (float32 and float64)
GAUSSIAN_ZERO = 28.0  # beyond it exp(-z²) is 0 exactly in float64 (and float32)


class Activation(NamedTuple):
    """A hidden activation: ``forward(z, sums)`` overwrites z with a; ``derivative(a, out, sums)``
    fills out with f'(z), ``a`` being the outputs f(z).

    ``bounds``: the outputs' range, None on an unbounded side; a bounded activation's maps and
    histograms use its whole range, and nothing is drawn below a lower bound.
    ``stalls``: how a unit stops working, as the activation histograms count and name it:
    ``"dead"`` (it outputs its lower bound at every point, where no gradient passes) or
    ``"saturated"`` (it outputs within ``flat`` of a bound, on the flat part, at nearly every
    point); None where that means nothing.
    ``reads_sums``: the functions need the weighted sums ``z``; the engine passes a copy of them
    as ``sums`` (else None). ``forward`` only reads them; ``derivative`` may overwrite them.
    ``advice``: a sentence the window shows when the activation is chosen, or None.
    ``symbol`` and ``slope``: how the explained step's formulas write the function and its derivative.
    ``kinks``: where the activation is not smooth: its slope jumps (ReLU's 0; there
    ``derivative`` takes the slope of the side below, as "Deep Learning from Scratch"'s ReLU layer
    does, its mask being ``x <= 0``), or its curvature does (ELU's 0).
    """

    name: str
    forward: Callable[[np.ndarray, np.ndarray | None], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray, np.ndarray | None], np.ndarray]
    bounds: tuple[float | None, float | None] = (None, None)
    stalls: str | None = None
    flat: float = 0.0
    reads_sums: bool = False
    advice: str | None = None
    kinks: tuple[float, ...] = ()
    symbol: str = ""  # how a formula writes it: z = σ(a); "" for the identity, z = a
    slope: str = ""  # its derivative in words, as tutorial 003 writes the sigmoid's: z(1 − z)


# The first five: the slope from the outputs alone ----------------------------------------------
def _tanh(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=z)


def _tanh_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    np.multiply(a, a, out=out)
    return np.subtract(1, out, out=out)


def _sigmoid(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    # 1/(1+exp(-z)) == (1 + tanh(z/2)) / 2, which never overflows.
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5
    return z


def _sigmoid_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    np.subtract(1, a, out=out)
    return np.multiply(out, a, out=out)


def _relu(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0, out=z)


def _relu_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.greater(a, 0, out=out, casting="unsafe")


def _leaky_relu(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    # max(z, 0.1 z) is z for z > 0 and 0.1 z otherwise.
    return np.maximum(z, LEAKY_SLOPE * z, out=z)


def _leaky_relu_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    # The output keeps the sign of the input, so a > 0 tells the branch.
    np.greater(a, 0, out=out, casting="unsafe")
    out *= 1 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _linear(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return z


def _linear_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    out.fill(1)
    return out


# Issue 26's seven ------------------------------------------------------------------------------
# ELU and softplus take their slope from the outputs, but their forward pass is two branches
# joined at a point, which no chain of in-place numpy calls on one array can compute: it
# reads the copy of z in ``sums``.
def _elu(z: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # z > 0 ? z : exp(z) - 1, as max(z, expm1(min(z, 0))): expm1(z) >= z, and it is 0 for z > 0.
    np.minimum(z, 0, out=z)
    np.expm1(z, out=z)
    return np.maximum(z, sums, out=z)


def _elu_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    # a > 0 ? 1 : a + 1 (= exp(z)), as min(a, 0) + 1.
    np.minimum(a, 0, out=out)
    out += 1
    return out


def _softplus(z: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # torch: z > 20 ? z : log1p(exp(z)). exp never overflows below the threshold, and above it
    # max(., z) takes z (but for z within 2e-9 of 20, where it is softplus(20), 2e-9 above z).
    np.minimum(z, SOFTPLUS_THRESHOLD, out=z)
    np.exp(z, out=z)
    np.log1p(z, out=z)
    return np.maximum(z, sums, out=z)


def _softplus_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # sigmoid(z) = 1 - exp(-softplus(z)) = -expm1(-a), exact for small a; torch's slope is 1
    # above the threshold, where this is 1 - 2e-9 in float64.
    np.negative(a, out=out)
    np.expm1(out, out=out)
    np.negative(out, out=out)
    sums -= SOFTPLUS_THRESHOLD
    np.heaviside(sums, 0, out=sums)  # 1 where z > 20
    return np.maximum(out, sums, out=out)


def _silu(z: np.ndarray, sums: np.ndarray) -> np.ndarray:
    _sigmoid(z)
    z *= sums
    return z


def _silu_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # s (1 + z (1 - s)) = s + a (1 - s) with s = sigmoid(z); 1 - s is 0 for large z, so no
    # huge a cancels itself out.
    np.copyto(out, sums)
    _sigmoid(out)
    np.subtract(1, out, out=sums)
    sums *= a
    out += sums
    return out


def _gelu(z: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # 0.5 z (1 + tanh(c (z + k z³))) = 0.5 z (1 + tanh(c (1 + k z²) z)); z² of the clipped z
    # stays finite and gives the same tanh.
    np.clip(z, -GELU_FLAT, GELU_FLAT, out=z)
    np.multiply(z, z, out=z)
    z *= GELU_C * GELU_K
    z += GELU_C
    with np.errstate(over="ignore"):  # past 1e37 (float32) the argument is ±inf, tanh's ±1 all the same
        z *= sums
    np.tanh(z, out=z)
    z += 1
    z *= sums
    z *= 0.5
    return z


def _gelu_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
    # torch's: 0.5 (1 + t) + 0.5 z (1 - t²) c (1 + 3k z²), t = tanh(u), u = c (z + k z³),
    # written 0.5 (1 + t) (1 + p (1 - t)) with p = c z (1 + 3k z²) = 3u - 2cz. Beyond
    # GELU_FLAT, t is ±1 and the slope 1 or 0 exactly, so z is clipped there.
    np.clip(sums, -GELU_FLAT, GELU_FLAT, out=sums)
    np.multiply(sums, sums, out=out)
    out *= GELU_C * GELU_K
    out += GELU_C
    out *= sums  # u
    sums *= -2 * GELU_C / 3
    sums += out
    sums *= 3  # p
    np.tanh(out, out=out)
    np.subtract(1, out, out=out)  # 1 - t
    sums *= out
    sums += 1
    np.subtract(2, out, out=out)  # 1 + t
    out *= sums
    out *= 0.5
    return out


def _sine(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.sin(z, out=z)


def _sine_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
    return np.cos(sums, out=out)


def _gaussian(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    np.clip(z, -GAUSSIAN_ZERO, GAUSSIAN_ZERO, out=z)  # so z² cannot overflow
    np.multiply(z, z, out=z)
    np.negative(z, out=z)
    return np.exp(z, out=z)


def _gaussian_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
    np.multiply(sums, a, out=out)
    out *= -2
    return out


def _step(z: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    return np.greater(z, 0, out=z, casting="unsafe")


def _step_derivative(a: np.ndarray, out: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    out.fill(0)
    return out


STEP_ADVICE = ("The step function's slope is zero everywhere, so no gradient passes through it and nothing "
               "below it learns: only the output layer's weights change. This is why tutorial 002 moves on "
               "to the sigmoid.")

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        # Within 0.01 of a bound the slope is under 2% (tanh), 4% (sigmoid) of its peak.
        Activation("tanh", _tanh, _tanh_derivative, (-1.0, 1.0), "saturated", 0.01, symbol="tanh",
                   slope="1 − z²"),
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, (0.0, 1.0), "saturated", 0.01, symbol="σ",
                   slope="z(1 − z)"),
        Activation("relu", _relu, _relu_derivative, (0.0, None), "dead", kinks=(0.0,), symbol="ReLU",
                   slope="1 if a > 0, else 0"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_derivative, kinks=(0.0,), symbol="LeakyReLU",
                   slope=f"1 if a > 0, else {LEAKY_SLOPE:g}"),
        Activation("linear", _linear, _linear_derivative, symbol="", slope="1"),
        # ELU and softplus only approach their floors (their slope there is a + 1 and a), so no
        # unit of theirs is ever all at its lower bound.
        Activation("elu", _elu, _elu_derivative, (-1.0, None), reads_sums=True, kinks=(0.0,), symbol="ELU",
                   slope="1 if a > 0, else z + 1"),
        Activation("softplus", _softplus, _softplus_derivative, (0.0, None), reads_sums=True, symbol="softplus",
                   slope="σ(a)"),
        # Their minima, -0.278465 (silu: -W(1/e), at z = -1.27846) and -0.170041 (gelu, at
        # z = -0.75246), rounded outwards so that float32 outputs stay inside.
        Activation("silu", _silu, _silu_derivative, (-0.2785, None), reads_sums=True, symbol="SiLU",
                   slope="σ(a)(1 + a(1 − σ(a)))"),
        Activation("gelu", _gelu, _gelu_derivative, (-0.1701, None), reads_sums=True, symbol="GELU",
                   slope="GELU′(a), tanh's approximation"),
        Activation("sine", _sine, _sine_derivative, (-1.0, 1.0), reads_sums=True, symbol="sin",
                   slope="cos a"),
        # Flat far from 0 (within 0.001 of 0 the slope is under 1% of its peak, 0.858) and at
        # its top (within 0.001 of 1, under 8%).
        Activation("gaussian", _gaussian, _gaussian_derivative, (0.0, 1.0), "saturated", 0.001, reads_sums=True,
                   symbol="gauss", slope="−2a·z"),
        # Every step unit passes no gradient, always: its advice says so once, rather than the
        # histograms counting every unit as stopped.
        Activation("step", _step, _step_derivative, (0.0, 1.0), advice=STEP_ADVICE, kinks=(0.0,), symbol="step",
                   slope="0"),
    )
}
"""Every activation by its command-line name."""
