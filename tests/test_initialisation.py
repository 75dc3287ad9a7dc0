"""Weight initialisation schemes: their statistics, zeros' symmetry, and old files' default."""

import numpy as np
import pytest

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.model.initialisation import INIT_SCHEMES
from nnviz.core.model.network import MLP
from nnviz.core.training.experiment import build_trainer

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths

FAN = 200
EXPECTED_STD = {
    "default": 1 / np.sqrt(FAN),
    "he": np.sqrt(2 / FAN),
    "glorot": np.sqrt(6 / (FAN + FAN)) / np.sqrt(3),  # uniform in +-a has std a/sqrt(3)
    "normal-1": 1.0,
    "normal-0.01": 0.01,
    "uniform-0.5": 0.5 / np.sqrt(3),
}


@pytest.mark.parametrize("scheme", sorted(EXPECTED_STD))
def test_each_scheme_draws_the_spread_it_names(scheme):
    """At 200x200 the standard deviation is within 3% of the scheme's, the mean near 0, and
    the biases are 0; the uniform schemes stay inside their bounds."""
    network = MLP.initialise((FAN, FAN, FAN), "tanh", np.random.default_rng(1), np.float64, scheme)
    for weights, biases in zip(network.weights, network.biases):
        assert weights.std() == pytest.approx(EXPECTED_STD[scheme], rel=0.03)
        assert abs(weights.mean()) < 0.03 * EXPECTED_STD[scheme]
        assert not biases.any()
    if scheme in ("glorot", "uniform-0.5"):
        bound = np.sqrt(6 / (2 * FAN)) if scheme == "glorot" else 0.5
        assert np.abs(network.weights[0]).max() <= bound
        assert np.abs(network.weights[0]).max() > 0.99 * bound


def test_default_is_the_seed_tutorials_draw():
    """The default scheme draws exactly as before schemes existed: N(0,1)/sqrt(fan_in)."""
    network = MLP.initialise((2, 7, 3), "tanh", np.random.default_rng(5), np.float64)
    rng = np.random.default_rng(5)
    assert np.array_equal(network.weights[0], rng.standard_normal((2, 7)) / np.sqrt(2))
    assert np.array_equal(network.weights[1], rng.standard_normal((7, 3)) / np.sqrt(7))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_zeros_keep_every_unit_of_a_layer_the_same_after_training(activation):
    """The symmetry problem: with every weight 0, the units of a layer get the same gradient
    each step, so after training they are still copies of one another.

    Copies to rounding, not to the bit: OpenBLAS may sum two equal columns in different orders
    (one in a vector kernel's body, one in its tail: its SkylakeX kernels on AVX-512 do, and
    its Haswell ones for some shapes), and numpy's AVX-512 exp rounds differently from its
    AVX2 one, so the copies may part in the last bits. Different units (any random start) part
    by order 1."""
    config = TrainingConfig(hidden=(6, 5), activation=activation, init="zeros", lr=0.5, dtype="float64")
    trainer = build_trainer(config)
    trainer.step(200)
    assert trainer.evaluate().loss < build_trainer(config).evaluate().loss  # it did learn (the output biases)
    for weights in trainer.network.weights[:-1]:  # each hidden layer's incoming weights: equal columns
        assert _spread(weights - weights[:, :1]) <= ROUNDING * _spread(weights)
    for weights in trainer.network.weights[1:]:  # and its outgoing weights: equal rows
        assert _spread(weights - weights[:1]) <= ROUNDING * _spread(weights)


def test_units_started_apart_stay_apart():
    """The contrast that makes the test above mean something: from a random start, the same
    training leaves a layer's units far from copies of one another."""
    trainer = build_trainer(TrainingConfig(hidden=(6, 5), activation="sigmoid", lr=0.5, dtype="float64"))
    trainer.step(200)
    for weights in trainer.network.weights[:-1]:
        assert _spread(weights - weights[:, :1]) > 0.01 * _spread(weights)


ROUNDING = 1e-9  # copies agree to this share of the layer's largest weight (float64 rounding: about 1e-16 a step)


def _spread(array: np.ndarray) -> float:
    return float(np.abs(array).max())


def test_settings_from_before_schemes_start_as_they_did():
    """A run file or window settings saved before --init existed load with the default scheme."""
    saved = TrainingConfig(hidden=(4,)).as_dict()
    del saved["init"]
    assert TrainingConfig.from_dict(saved).init == "default"


def test_an_unknown_scheme_is_refused_by_name():
    with pytest.raises(ConfigError, match=r"init must be one of default, he, glorot, .*; got 'xavier'"):
        TrainingConfig(init="xavier").validated()
    assert set(INIT_SCHEMES) == {"default", *EXPECTED_STD, "zeros"}


def test_a_scheme_other_than_the_default_is_named_where_runs_are():
    """Window title, pins and PNG descriptions (network_name), export file names and sweep
    headings say the scheme, so two runs that differ only in it are told apart."""
    from nnviz.core.naming import network_name
    from nnviz.core.training.sweep import Sweep
    from nnviz.gui.files.export import default_name
    from nnviz.gui.files.picture_export import sweep_heading

    he = TrainingConfig(hidden=(8,), init="he")
    assert network_name(he) == "8 tanh hidden units, init he"
    assert network_name(TrainingConfig(hidden=(8,))) == "8 tanh hidden units"
    assert default_name(he, 10) == "nnviz-moons-h8-tanh-init-he-step10.png"
    assert "init he" in sweep_heading(Sweep(he, "lr", (0.1, 1.0)))
    assert "init" not in sweep_heading(Sweep(he, "init", ("he", "zeros"))).split("(")[1]
    assert not Sweep(he, "init", ("he", "zeros")).ordered and Sweep(he, "lr", (0.1, 1.0)).ordered
