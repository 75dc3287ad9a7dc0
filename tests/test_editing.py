"""Draw-mode edits of a dataset, and a trainer that carries on with the edited points."""

import numpy as np
import pytest

from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import make_dataset
from nnviz.core.data.editing import add_points, remove_nearest
from nnviz.core.training.experiment import build_trainer


def test_added_points_join_the_training_set_with_their_class():
    """New points go at the end of the training set, the test set is untouched."""
    data = make_dataset("moons", 50, 0.1, 0.2, seed=0)
    edited = add_points(data, np.array([[5.0, 5.0], [6.0, 6.0]]), 1)
    np.testing.assert_array_equal(edited.X_train[-2:], [[5, 5], [6, 6]])
    np.testing.assert_array_equal(edited.y_train[-2:], [1, 1])
    assert len(edited.y_train) == len(data.y_train) + 2 and edited.X_test is data.X_test


def test_a_new_class_beyond_the_named_ones_is_named_by_its_number():
    """Drawing class 3 into data named a, b gives names a, b, 2, 3."""
    data = add_points(make_dataset("moons", 20, 0.1, 0, seed=0), np.zeros((1, 2)), 0)
    named = type(data)("mine", data.X_train, data.y_train, data.X_test, data.y_test, class_names=("a", "b"))
    edited = add_points(named, np.ones((1, 2)), 3)
    assert edited.label_names == ("a", "b", "2", "3") and edited.classes == 4


@pytest.mark.parametrize("part", ["train", "test"])
def test_remove_nearest_takes_the_closest_point_of_either_set(part):
    """The point nearest the click goes, from whichever set holds it; the rest stay in order."""
    data = make_dataset("moons", 60, 0.1, 0.3, seed=1)
    X = data.X_train if part == "train" else data.X_test
    target = X[4]
    edited = remove_nearest(data, target[0] + 1e-3, target[1], radius=0.1)
    kept = edited.X_train if part == "train" else edited.X_test
    np.testing.assert_array_equal(kept, np.delete(X, 4, axis=0))


def test_remove_nearest_needs_a_point_within_reach_and_keeps_the_last_training_point():
    """Far from every point nothing is removed; nor is the only training point."""
    data = make_dataset("moons", 60, 0.1, 0.3, seed=1)
    assert remove_nearest(data, 50.0, 50.0, radius=1.0) is None
    lone = type(data)("one", data.X_train[:1], data.y_train[:1], data.X_test[:0], data.y_test[:0])
    assert remove_nearest(lone, *lone.X_train[0], radius=1.0) is None


def test_replacing_the_data_keeps_the_run_and_trains_on_the_new_points():
    """After replace_data the step count, weights and history carry on, and the loss is the new set's."""
    config = TrainingConfig(hidden=5)
    trainer = build_trainer(config)
    trainer.step(50)
    weights = trainer.network.flat.copy()
    edited = add_points(trainer.data, np.array([[3.0, 3.0]] * 20), 0)
    trainer.replace_data(edited)
    assert trainer.step_count == 50 and np.array_equal(trainer.network.flat, weights)
    loss, _ = trainer.network.evaluate(edited.X_train, edited.y_train, config.l2)
    assert trainer.evaluate().loss == pytest.approx(loss, rel=1e-6)
    trainer.step(10)
    assert trainer.step_count == 60 and trainer.history.last().step == 60


def test_replace_data_refuses_points_the_network_cannot_take():
    """A class without an output, or another number of features, is refused before anything changes."""
    trainer = build_trainer(TrainingConfig(hidden=5))
    data = trainer.data
    with pytest.raises(ValueError):
        trainer.replace_data(add_points(data, np.zeros((1, 2)), 2))
    assert trainer.data is data


def test_a_drawn_class_never_takes_an_existing_name():
    """Data named "1" and "2" gets "class 2" for a drawn third class, so saving keeps three classes."""
    data = make_dataset("moons", 20, 0.1, 0, seed=0)
    named = type(data)("mine", data.X_train, data.y_train, data.X_test, data.y_test, class_names=("1", "2"))
    edited = add_points(named, np.ones((1, 2)), 2)
    assert edited.label_names == ("1", "2", "class 2")


def test_a_snapshot_after_new_points_reports_them():
    """Right after replace_data, the snapshot's figures are the new points' (not the history's last entry)."""
    trainer = build_trainer(TrainingConfig(hidden=5))
    trainer.step(20)
    X = trainer.data.X_train[trainer.data.y_train == 0][:30]
    edited = add_points(trainer.data, X, 1)  # points sure to be misclassified
    trainer.replace_data(edited)
    _, expected = trainer.network.evaluate(edited.X_train, edited.y_train, 0.0)
    assert trainer.snapshot().latest.train_accuracy == pytest.approx(expected)
