"""`--preset tutorial` reproduces the seed tutorial 001's published loss log."""

import numpy as np
import pytest

from nnviz.core.config import tutorial_config
from nnviz.core.training.experiment import build_trainer

pytestmark = pytest.mark.exact  # bit-for-bit promises: .ci/run runs these again on other code paths


def _tutorial_trainer(**changes):
    return build_trainer(tutorial_config().replace(**changes), log_every=1)


def _loss_after(trainer, updates):
    trainer.step(updates - trainer.step_count)
    return trainer.history.last().loss


def test_data_and_weights_are_the_seeds():
    """The preset's data and initial weights are what the seed's numpy calls produce."""
    from sklearn.datasets import make_moons

    np.random.seed(0)
    X, y = make_moons(200, noise=0.20)
    np.random.seed(0)
    W1 = np.random.randn(2, 3) / np.sqrt(2)
    W2 = np.random.randn(3, 2) / np.sqrt(3)
    trainer = _tutorial_trainer()
    np.testing.assert_array_equal(trainer.data.X_train, X)
    np.testing.assert_array_equal(trainer.data.y_train, y)
    assert len(trainer.data.y_test) == 0
    np.testing.assert_array_equal(trainer.network.weights[0], W1)
    np.testing.assert_array_equal(trainer.network.weights[1], W2)
    assert all(not b.any() for b in trainer.network.biases)


def test_published_loss_log_hidden_3():
    """0.432387 after 1 update, 0.068947 after 1001, within 1% of 0.0713 after 20000."""
    trainer = _tutorial_trainer()
    assert round(_loss_after(trainer, 1), 6) == 0.432387
    assert round(_loss_after(trainer, 1001), 6) == 0.068947
    assert _loss_after(trainer, 20000) == pytest.approx(0.0713, rel=0.01)


def test_circles_variant_uses_the_seeds_data():
    """With circles, the preset uses make_circles(noise=0.2, factor=0.5, random_state=1)."""
    from sklearn.datasets import make_circles

    X, y = make_circles(noise=0.2, factor=0.5, random_state=1)
    trainer = build_trainer(tutorial_config("circles"))
    np.testing.assert_array_equal(trainer.data.X_train, X)
    np.testing.assert_array_equal(trainer.data.y_train, y)


def test_an_override_changes_only_that_setting():
    """Overriding the activation keeps the preset's data, hidden size and learning rate."""
    base = tutorial_config()
    relu = base.replace(activation="relu")
    assert {k for k in base.as_dict() if base.as_dict()[k] != relu.as_dict()[k]} == {"activation"}
    trainer = build_trainer(relu)
    assert trainer.network.activations == ("relu",)
    np.testing.assert_array_equal(trainer.data.X_train, build_trainer(base).data.X_train)
