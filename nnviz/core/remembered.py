"""The window's first settings: what the user typed over what the last session left, so that
nothing remembered (damaged, out of range, from another version, or at odds with what was
typed) can stop the window from opening."""

from __future__ import annotations

from dataclasses import fields

from nnviz.core.config import (
    ConfigError,
    TrainingConfig,
    activation_name,
    resolve_config,
    with_dataset,
)
from nnviz.core.data.datasets import CUSTOM, IMAGE_DATASETS, dataset_task
from nnviz.core.model.features import DEFAULT_FEATURES
from nnviz.core.model.outputs import head_problem, resolved_head

_FIELDS = tuple(f.name for f in fields(TrainingConfig))


def start_config(given: dict, remembered: object) -> tuple[TrainingConfig, list[str]]:
    """What the user typed (``given``, as :func:`resolve_config` takes it) over what the last
    session left (``remembered``: :meth:`TrainingConfig.as_dict` output, or whatever a damaged
    or foreign settings file holds; None for nothing).

    Returns the config and sentences saying what of the remembered settings was dropped or
    changed. Raises :class:`ConfigError` only when ``given`` is wrong on its own, as it would
    be with nothing remembered.
    """
    base, notes = _remembered_config(remembered)
    base, fitted = _fitted_to(given, base)
    notes += fitted
    try:
        config = resolve_config(given, base)
    except ConfigError:
        config, dropped = _what_goes_with(given, base)
        notes.append(f"the remembered {', '.join(dropped)} did not go with the options given, "
                     "so the defaults stand in for them")
    if config.dataset in IMAGE_DATASETS and config.features != DEFAULT_FEATURES:
        if "features" in given:  # typed with a typed image set: as nnviz train says it
            raise ConfigError(f"input features apply to points with two coordinates; the {config.dataset} are images")
        config = config.replace(features=DEFAULT_FEATURES)
        notes.append("the remembered input features are for 2-D points, so the images are read as they are")
    return config, notes


def _remembered_config(values: object) -> tuple[TrainingConfig, list[str]]:
    """The remembered settings that are valid, over the defaults, and a note naming the rest."""
    if values is None:
        return TrainingConfig(), []
    if not isinstance(values, dict):
        return TrainingConfig(), [(f"the remembered settings are not a set of named values "
                                   f"({type(values).__name__}), so the defaults stand in")]
    # One setting at a time over the defaults, twice round, since some depend on others
    # (nesterov on momentum, a list of activations on the layers).
    config, pending, errors = TrainingConfig(), {k: v for k, v in values.items() if k in _FIELDS}, {}
    for _ in range(2):
        for name, value in list(pending.items()):
            try:
                config = config.replace(**{name: value}).validated()
                del pending[name]
            except (ConfigError, TypeError, ValueError) as problem:
                errors[name] = problem
    notes = [(f"dropped the remembered {', '.join(pending)} ({_sentence(errors[next(iter(pending))])}), "
              "so the defaults stand in for them")] if pending else []
    if config.dataset == CUSTOM:  # the user's points are not kept in the settings: the rest still apply
        config = config.replace(dataset=TrainingConfig.dataset)
    return config, notes


def _fitted_to(given: dict, base: TrainingConfig) -> tuple[TrainingConfig, list[str]]:
    """``base`` with what depends on the typed settings made to follow them, and notes saying so."""
    notes = []
    if given.get("momentum") == 0 and base.optimizer == "nesterov" and "optimizer" not in given:
        base = base.replace(optimizer="sgd")
        notes.append("nesterov needs momentum, so with momentum 0 the optimizer is sgd")
    if "hidden" in given and "activation" not in given and isinstance(base.activation, tuple) \
            and len(base.activation) != len(given["hidden"]):
        layers = len(given["hidden"])
        notes.append(f"the remembered activations, one per layer ({activation_name(base.activation)}), do not fit "
                     f"{layers} hidden layer{'s' if layers != 1 else ''}, so every layer uses {base.activation[0]}")
        base = base.replace(activation=base.activation[0])
    if "features" in given and base.dataset in IMAGE_DATASETS and "dataset" not in given \
            and given.get("preset") is None:
        notes.append(f"the remembered {base.dataset} are images, which input features do not apply to, "
                     f"so the data are {TrainingConfig.dataset}")
        base = with_dataset(base, TrainingConfig.dataset)
    if given.get("dataset", CUSTOM) != CUSTOM and given.get("preset") is None:
        base, fitted = _head_fitted_to(given, base)
        notes += fitted
    return base, notes


def _head_fitted_to(given: dict, base: TrainingConfig) -> tuple[TrainingConfig, list[str]]:
    """``base`` without its remembered output and loss where, with what was typed, they cannot
    learn the typed dataset (softmax remembered, ``--dataset sine`` typed): the task's own
    stand in, and a note says so. Typed ones stay (if they cannot learn it, that is the user's)."""
    task = dataset_task(given["dataset"])
    remembered = {name: getattr(base, name) for name in ("output", "loss")
                  if name not in given and getattr(base, name) is not None}
    head = resolved_head(given.get("output", base.output), given.get("loss", base.loss), task)
    if not remembered or not head_problem(*head, task):
        return base, []
    base = base.replace(**{name: None for name in remembered})
    now = resolved_head(given.get("output", base.output), given.get("loss", base.loss), task)
    said = " and ".join(f"{name} {value}" for name, value in remembered.items())
    note = f"the remembered {said} cannot learn {given['dataset']} ({task}), so the network uses {now[0]} output and {now[1]} loss"
    return base, [note]


def _what_goes_with(given: dict, base: TrainingConfig) -> tuple[TrainingConfig, list[str]]:
    """The defaults with what was typed (an error here is the user's) and each remembered
    setting that goes with them; and the names of those that do not."""
    config = resolve_config(given)
    kept, dropped = TrainingConfig(), []
    for name in _FIELDS:
        value = getattr(base, name)
        if name in given or value == getattr(kept, name):
            continue
        try:
            config = resolve_config(given, kept.replace(**{name: value}))
            kept = kept.replace(**{name: value})
        except ConfigError:
            dropped.append(name)
    return config, dropped


def _sentence(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 120 else text[:117] + "..."
