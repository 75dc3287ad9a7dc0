"""Turn a :class:`TrainingConfig` into data, a network and a trainer, presets included."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from nnviz.core.config import ConfigError, TrainingConfig
from nnviz.core.data.datasets import (
    CUSTOM,
    SKLEARN_DATASETS,
    Dataset,
    make_dataset,
    split,
)
from nnviz.core.io.weights_file import WeightsError, WeightsFile
from nnviz.core.model.network import MLP
from nnviz.core.model.outputs import output_units
from nnviz.core.training.history import LossHistory
from nnviz.core.training.trainer import Trainer


def build_dataset(config: TrainingConfig) -> Dataset:
    """The dataset a config describes (the tutorial preset's own recipe included).

    Raises :class:`ConfigError` for custom data, which only its file or drawing holds."""
    if config.dataset == CUSTOM:
        raise ConfigError("custom data comes from a CSV file or the draw mode; it cannot be rebuilt from settings")
    if config.preset == "tutorial" and config.dataset in ("moons", "circles"):
        return _tutorial_dataset(config)
    return make_dataset(config.dataset, config.samples, config.noise, config.test_fraction, config.seed,
                        config.classes)


def needs_scikit_learn(config: TrainingConfig) -> bool:
    """Whether making ``config``'s points takes scikit-learn (slow to import the first time)."""
    return config.dataset in SKLEARN_DATASETS


def build_network(config: TrainingConfig, data: Dataset, weights: WeightsFile | None = None) -> MLP:
    """A freshly initialised network for a config, on ``data`` (only its shape, task and classes
    are read; raises :class:`ConfigError` if the config's input features do not apply to its
    points, or its output and loss cannot learn its task).

    ``weights``: start from a weights file's weights instead (the config still decides the
    activations and head); raises :class:`WeightsError` naming the first key whose shape
    does not fit the network (:meth:`WeightsFile.misfit`)."""
    output, loss = config.head(data.task)
    sizes = config.layer_sizes(data.columns, output_units(output, data.task, data.classes))
    inputs = config.input_features(data.columns)
    if config.preset == "tutorial" and config.init == "default":  # another --init overrides the preset's
        network = _tutorial_network(sizes, config, inputs, output, loss)
    else:
        rng = np.random.default_rng(np.random.SeedSequence(config.seed).spawn(3)[2])
        network = MLP.initialise(sizes, config.activation, rng, config.dtype, config.init, inputs, output, loss)
    if weights is not None:
        if problem := weights.misfit(network, f"the {data.name} data"):
            raise WeightsError(problem)
        network.flat[...] = weights.network(network.dtype).flat  # the same shape, so the same layout
    return network


def build_trainer(
    config: TrainingConfig,
    dataset: Dataset | None = None,
    *,
    log_every: int = 1,
    history_capacity: int | None = None,
    weights: WeightsFile | None = None,
) -> Trainer:
    """A trainer at step 0 for ``config``, on ``dataset`` if given (else the config's own data),
    its network starting from ``weights`` if given (see :func:`build_network`)."""
    config.validated()
    data = dataset if dataset is not None else build_dataset(config)
    network = build_network(config, data, weights)
    return trainer_for(config, network, data, rng=batch_rng(config), dropout_rng=dropout_rng(config),
                       history=LossHistory(log_every, history_capacity))


def trainer_for(config: TrainingConfig, network: MLP, data: Dataset, **carried) -> Trainer:
    """The one way from a config to a trainer: ``network`` trained on ``data`` with the config's
    training settings. ``carried``: what a run begun elsewhere carries on with (the
    generators, history, step count, batches and timeline; see :class:`Trainer`)."""
    return Trainer(network, data, lr=config.lr, l2=config.l2, momentum=config.momentum, optimizer=config.optimizer,
                   dropout=config.dropout, batch_size=config.batch_size, **carried)


def batch_rng(config: TrainingConfig) -> np.random.Generator:
    """The generator that shuffles mini-batches for ``config`` (the same for every network
    trained with that seed, so a sweep and a lone run see the same batches)."""
    return np.random.default_rng(np.random.SeedSequence(config.seed).spawn(4)[3])


def dropout_rng(config: TrainingConfig) -> np.random.Generator:
    """The generator of ``config``'s dropout masks (apart from the batches', so that dropout in
    one network of a sweep does not change the others' batches)."""
    return np.random.default_rng(np.random.SeedSequence(config.seed).spawn(5)[4])


# The seed tutorial seeds numpy's global generator; we do the same, and only here, so its
# published figures come out exactly.
def _tutorial_dataset(config: TrainingConfig) -> Dataset:
    from sklearn import datasets as sk

    np.random.seed(config.seed)
    if config.dataset == "moons":
        X, y = sk.make_moons(config.samples, noise=config.noise)
    else:
        X, y = sk.make_circles(config.samples, noise=config.noise, factor=0.5, random_state=1)
    return split(config.dataset, X, y, config.test_fraction, np.random.default_rng(config.seed))


def _tutorial_network(sizes: tuple[int, ...], config: TrainingConfig, inputs: tuple[str, ...] | None,
                      output: str, loss: str) -> MLP:
    np.random.seed(config.seed)
    weights = [np.random.randn(a, b) / np.sqrt(a) for a, b in pairwise(sizes)]
    biases = [np.zeros(b) for b in sizes[1:]]
    return MLP(
        [w.astype(config.dtype) for w in weights], [b.astype(config.dtype) for b in biases], config.activation, inputs,
        output, loss,
    )
