"""Every hidden activation is the function and derivative PyTorch defines, computed in place
without an array the size of the batch, and without overflow or warnings at any finite z."""

import math
import tracemalloc

import numpy as np
import pytest

from nnviz.core.model.activations import ACTIVATIONS, LEAKY_SLOPE

NEW = ("elu", "softplus", "silu", "gelu", "sine", "gaussian", "step")
C, K = math.sqrt(2 / math.pi), 0.044715


# Hand-written references, one float64 number at a time, following torch's definitions -----------
def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _gelu(z):
    return 0.5 * z * (1 + math.tanh(C * (z + K * z**3)))


def _gelu_slope(z):
    t = math.tanh(C * (z + K * z**3))
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * C * (1 + 3 * K * z * z)


REFERENCE = {  # name: (f, f')
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else LEAKY_SLOPE * z, lambda z: 1.0 if z > 0 else LEAKY_SLOPE),
    "linear": (lambda z: z, lambda z: 1.0),
    "elu": (lambda z: z if z > 0 else math.expm1(z), lambda z: 1.0 if z > 0 else math.exp(z)),
    "softplus": (lambda z: z if z > 20 else math.log1p(math.exp(z)), lambda z: 1.0 if z > 20 else _sigmoid(z)),
    "silu": (lambda z: z * _sigmoid(z), lambda z: _sigmoid(z) * (1 + z * (1 - _sigmoid(z)))),
    "gelu": (_gelu, _gelu_slope),
    "sine": (math.sin, math.cos),
    "gaussian": (lambda z: math.exp(-z * z), lambda z: -2 * z * math.exp(-z * z)),
    "step": (lambda z: 1.0 if z > 0 else 0.0, lambda z: 0.0),
}

# Both sides of every kink and threshold, the silu and gelu minima, and large |z|.
Z = np.unique(np.concatenate([np.linspace(-8, 8, 161), [-1.2785, -0.7525, 1e-9, -1e-9, -20, 19.5, 20, 20.5, 21, 30],
                              np.outer([-1, 1], [37, 50, 100, 1000]).ravel()]))
QUIET = {"all": "raise", "under": "ignore"}  # underflow to 0 (exp(-z²) far out) is the right answer


def _activate(name: str, z: np.ndarray):
    """(a, f'(z)) by the activation's own functions, on copies, giving it sums if it reads them."""
    activation = ACTIVATIONS[name]
    a, out = z.copy(), np.empty_like(z)
    sums = z.copy() if activation.reads_sums else None
    activation.forward(a, sums)
    activation.derivative(a, out, sums)
    return a, out


def test_every_reference_is_for_an_activation():
    """The references cover exactly the activations, and issue 26's seven are among them."""
    assert set(REFERENCE) == set(ACTIVATIONS)
    assert set(NEW) <= set(ACTIVATIONS)


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-12, 1e-14), (np.float32, 1e-5, 1e-6)])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_function_and_slope_match_the_reference(name, dtype, rtol, atol):
    """f(z) and f'(z) agree with the reference from -1000 to 1000, in float32 and float64, and
    nothing overflows, divides by zero or makes a NaN."""
    f, slope = REFERENCE[name]
    z = Z.astype(dtype)
    with np.errstate(**QUIET):
        a, derivative = _activate(name, z)
    assert a.dtype == derivative.dtype == dtype
    z64 = z.astype(np.float64)  # the reference at the very numbers the activation saw
    np.testing.assert_allclose(a, [f(v) for v in z64], rtol=rtol, atol=atol)
    np.testing.assert_allclose(derivative, [slope(v) for v in z64], rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_largest_sums_give_the_reference_without_overflow(name, dtype):
    """At |z| up to a quarter of float32's largest number, both are the reference's (in float32
    and float64), and at a quarter of the dtype's largest, finite; nothing warns."""
    f, slope = REFERENCE[name]
    z = np.array([-np.finfo(np.float32).max / 4, -1e30, 1e30, np.finfo(np.float32).max / 4], dtype)
    with np.errstate(**QUIET):
        a, derivative = _activate(name, z)
        extremes = _activate(name, np.array([-1, 1], dtype) * np.finfo(dtype).max / 4)
    z64 = z.astype(np.float64)
    np.testing.assert_allclose(a, [f(v) for v in z64], rtol=1e-6)
    np.testing.assert_allclose(derivative, [slope(v) for v in z64], rtol=1e-6)
    assert np.isfinite(extremes).all()


@pytest.mark.parametrize("name", [n for n in sorted(ACTIVATIONS) if n != "step"])
def test_slope_matches_central_differences(name):
    """Where the function is smooth (away from relu's and leaky_relu's kink at 0, softplus's
    threshold at 20), f' is its central difference (float64)."""
    z = np.linspace(-6, 6, 97) + 0.0123  # 0 is not within h of any
    h = 1e-6
    up, down = _activate(name, z + h)[0], _activate(name, z - h)[0]
    np.testing.assert_allclose(_activate(name, z)[1], (up - down) / (2 * h), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_both_work_in_place_on_a_slice_of_a_larger_matrix(name):
    """forward returns the very array it was given, changed; derivative returns ``out``. On
    columns of a larger matrix (as the packed sweep lays them out) the other columns keep their
    values, and forward leaves ``sums`` as it found them (the derivative reads them after)."""
    activation = ACTIVATIONS[name]
    whole, outs = np.random.default_rng(3).standard_normal((20, 9)), np.full((20, 9), 7.0)
    before = whole.copy()
    z, out = whole[:, 2:6], outs[:, 2:6]
    sums = z.copy() if activation.reads_sums else None
    assert activation.forward(z, sums) is z
    f, slope = REFERENCE[name]
    np.testing.assert_allclose(z, np.vectorize(f)(before[:, 2:6]), rtol=1e-12, atol=1e-14)
    if sums is not None:
        np.testing.assert_array_equal(sums, before[:, 2:6])
    assert activation.derivative(z, out, sums) is out
    np.testing.assert_allclose(out, np.vectorize(slope)(before[:, 2:6]), rtol=1e-12, atol=1e-14)
    others = np.r_[0:2, 6:9]
    np.testing.assert_array_equal(whole[:, others], before[:, others])
    np.testing.assert_array_equal(outs[:, others], 7.0)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="max(z, 0.1 z) builds 0.1 z in a temporary"))
    if n == "leaky_relu" else n for n in sorted(ACTIVATIONS)])
def test_neither_allocates_an_array_the_size_of_the_batch(name):
    """Forward and derivative on 200,000 numbers (1.6 MB) allocate under a tenth of that: they
    work in z, out and sums (numpy reports its arrays to tracemalloc)."""
    activation = ACTIVATIONS[name]
    z = np.random.default_rng(0).standard_normal((2000, 100))
    out = np.empty_like(z)
    sums = z.copy() if activation.reads_sums else None
    tracemalloc.start()
    try:
        activation.forward(z, sums)
        activation.derivative(z, out, sums)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < z.nbytes / 10, f"{peak:,} bytes"


def test_the_old_five_still_take_one_argument_and_ignore_the_sums():
    """Callers that pass no sums still work with tanh, sigmoid, relu, leaky_relu and linear."""
    for name in ("tanh", "sigmoid", "relu", "leaky_relu", "linear"):
        activation = ACTIVATIONS[name]
        assert not activation.reads_sums and activation.advice is None
        z = np.array([-2.0, 0.5])
        a = activation.forward(z)
        np.testing.assert_allclose(activation.derivative(a, np.empty(2)), [REFERENCE[name][1](v) for v in (-2.0, 0.5)])


def test_step_passes_no_gradient_and_says_so():
    """step is 1 above 0 and 0 elsewhere (0 included), its slope is 0 everywhere, and its
    advice says that nothing below it learns, which is tutorial 002's reason for the sigmoid."""
    step = ACTIVATIONS["step"]
    a, derivative = _activate("step", np.array([-3.0, -1e-300, 0.0, 1e-300, 3.0]))
    np.testing.assert_array_equal(a, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(derivative, 0)
    advice = step.advice
    assert advice is not None
    for words in ("zero everywhere", "no gradient", "nothing below it learns", "output layer", "002", "sigmoid"):
        assert words in advice
    assert advice.count(". ") + 1 <= 2  # one or two short sentences
    assert all(ACTIVATIONS[name].advice is None for name in ACTIVATIONS if name != "step")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_bounds_hold_every_output(name):
    """Every output over a fine grid (float32 and float64) is within the activation's bounds, and
    a lower bound of silu and gelu is within 1e-4 of their minimum (-0.27846, -0.17004)."""
    low, high = ACTIVATIONS[name].bounds
    z = np.linspace(-60, 60, 240_001)
    for dtype in (np.float32, np.float64):
        with np.errstate(**QUIET):
            a = _activate(name, z.astype(dtype))[0]
        assert low is None or a.min() >= low
        assert high is None or a.max() <= high
    if name in ("silu", "gelu"):
        assert a.min() - 1e-4 < low


@pytest.mark.parametrize("name", ["silu", "gelu"])
def test_silu_and_gelu_minima_are_where_the_slope_is_zero(name):
    """The reference slope changes sign within 1e-6 of the minimum the bounds round outwards."""
    slope = REFERENCE[name][1]
    z = {"silu": -1.2784645, "gelu": -0.7524614}[name]
    assert slope(z - 1e-6) < 0 < slope(z + 1e-6)
    assert REFERENCE[name][0](z) == pytest.approx({"silu": -0.2784645, "gelu": -0.1700408}[name], abs=1e-7)


def test_how_units_stop_working_is_named_where_it_is_true():
    """Only activations with a flat part or a floor name a stall: relu's dead units; the flat
    tails of tanh, sigmoid and gaussian. Units of the new unbounded ones (elu, softplus: they
    only approach a floor), sine (no flat part) and step (never any gradient) are not counted."""
    stalls = {name: a.stalls for name, a in ACTIVATIONS.items()}
    assert stalls == {"tanh": "saturated", "sigmoid": "saturated", "relu": "dead", "leaky_relu": None,
                      "linear": None, "elu": None, "softplus": None, "silu": None, "gelu": None, "sine": None,
                      "gaussian": "saturated", "step": None}
    gaussian = ACTIVATIONS["gaussian"]
    # Within its flat margin of either bound its slope is under 8% of its peak, sqrt(2/e).
    for a in (gaussian.flat, 1 - gaussian.flat):
        z = math.sqrt(-math.log(a))
        assert abs(REFERENCE["gaussian"][1](z)) < 0.08 * math.sqrt(2 / math.e)


# Against PyTorch, where it is installed ---------------------------------------------------------
def _torch_functions(torch):
    F = torch.nn.functional
    return {
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": F.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE), "linear": lambda z: z.clone(),
        "elu": F.elu, "softplus": F.softplus, "silu": F.silu, "gelu": lambda z: F.gelu(z, approximate="tanh"),
        "sine": torch.sin, "gaussian": lambda z: torch.exp(-z * z),
        "step": lambda z: torch.heaviside(z, torch.zeros((), dtype=z.dtype)),
    }


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_function_and_slope_match_torch(name):
    """f(z) is torch's, and f'(z) is torch's autograd derivative (float64); step is
    ``torch.heaviside(z, 0)``, which has no backward to compare."""
    torch = pytest.importorskip("torch")
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=name != "step")
    expected = _torch_functions(torch)[name](z)
    with np.errstate(**QUIET):
        a, derivative = _activate(name, Z.copy())
    np.testing.assert_allclose(a, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    if name == "step":
        return
    expected.sum().backward()
    np.testing.assert_allclose(derivative, z.grad.numpy(), rtol=1e-12, atol=1e-14)
