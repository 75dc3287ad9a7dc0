"""Every setting of a training run in one validated value, and the presets (the seed tutorials).

Learning-rate and L2 conventions: the loss is the mean cross-entropy plus
``l2 / 2 * sum(W**2)``, and ``lr`` multiplies the gradient of that mean loss. The seed
tutorial's ``epsilon = 0.01`` on the summed gradient over N = 200 points is therefore
``lr = 2.0``, and its ``reg_lambda = 0.01`` is ``l2 = 0.01 / 200 = 5e-5``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from nnviz.core.data.datasets import (
    CUSTOM,
    DATASETS,
    DIGITS,
    IMAGE_CLASSES_RANGE,
    IMAGE_DATASETS,
    MULTICLASS,
    ONE_D_DATASETS,
    classes_range,
    dataset_task,
)
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.model.features import DEFAULT_FEATURES, FEATURES
from nnviz.core.model.initialisation import INIT_SCHEMES
from nnviz.core.model.optimizers import OPTIMIZERS
from nnviz.core.model.outputs import LOSSES, OUTPUTS, head_problem, resolved_head

DTYPES = ("float32", "float64")
PRESETS = ("tutorial", "digits", "digits-deep", "xor")
NESTEROV_MOMENTUM = 0.9  # what --optimizer nesterov takes when no momentum is given


class ConfigError(ValueError):
    """A setting is out of range; the message is one sentence a user can act on."""


@dataclass(frozen=True)
class Range:
    """The values one setting may take: ``low`` to ``high``, both included (``above_low``:
    ``low`` itself left out), whole numbers when ``whole``, else finite numbers.

    Declared once in :data:`RANGES`; the config (:meth:`TrainingConfig.validated`), the
    command line (its option types and help) and the window (its spin boxes) all read it."""

    low: float
    high: float = math.inf
    whole: bool = False
    above_low: bool = False

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.whole and not isinstance(value, int):
            return False
        # An int beyond float's range (10**400 in a JSON file) is not finite: isfinite would overflow.
        if not (abs(value) < 1e308 if isinstance(value, int) else math.isfinite(value)):
            return False
        return (self.low < value if self.above_low else self.low <= value) and value <= self.high

    @property
    def span(self) -> str:
        """The values in words, for messages: "from 0 to 0.99", "at least 0"."""
        if self.whole:
            return f"from {self.low} to {self.high}"
        return f"at least {self.low:g}" if self.high == math.inf else f"from {self.low:g} to {self.high:g}"

    @property
    def dashed(self) -> str:
        """The values in short, for help texts: "0-0.99", "10-5000"."""
        return f"{self.low:g}-{self.high:g}"

    def check(self, name: str, value: object) -> None:
        """Raise :class:`ConfigError` naming ``name`` unless ``value`` is in range."""
        if value in self:
            return
        if self.whole:
            raise ConfigError(f"{name} must be a whole number {self.span}; got {shown(value)}")
        if self.above_low and value in Range(self.low, self.high):  # in range but for low itself
            raise ConfigError(f"{name} must be greater than {self.low:g}")
        raise ConfigError(f"{name} must be a finite number {self.span}; got {shown(value)}")


RANGES: dict[str, Range] = {
    "samples": Range(10, 5000, whole=True),  # points in all (of the digits: at most this many)
    "noise": Range(0.0, 1.0),
    "classes": Range(*IMAGE_CLASSES_RANGE, whole=True),  # the most any dataset has; each its own: classes_range
    "test_fraction": Range(0.0, 0.9),
    "seed": Range(0, 2**31 - 1, whole=True),  # seeds fit a Qt spin box (a signed 32-bit int)
    "hidden": Range(1, 500, whole=True),  # units in one hidden layer
    "layers": Range(0, 6, whole=True),  # hidden layers; none at all is softmax regression
    "lr": Range(0.0, above_low=True),
    "l2": Range(0.0),
    "momentum": Range(0.0, 0.99),
    "dropout": Range(0.0, 0.9),
    "batch_size": Range(1, 5000, whole=True),  # None (not in range) is the full batch
}
"""Every numeric setting's values, declared once (as scikit-learn's parameter constraints)."""

MAX_LAYERS = RANGES["layers"].high


@dataclass(frozen=True)
class TrainingConfig:
    """Data, network and optimiser settings. ``batch_size=None`` means full batch.

    ``classes`` is used by the multi-class sets only (``datasets.MULTICLASS``). ``dataset`` is
    ``"custom"`` when the points came from a file or were drawn: such a config describes how
    to train on them, not how to make them.

    ``hidden`` lists the hidden layers' widths, first to last (a bare number is one layer).
    ``activation`` is one name for every hidden layer or a tuple of one name per layer.
    ``features`` names the inputs a network reads of each 2-D point (:mod:`nnviz.core.model.features`).
    ``output`` and ``loss`` (:mod:`nnviz.core.model.outputs`): None takes the task's own
    (softmax and cross-entropy for classes, identity and squared error for regression).
    ``momentum`` applies to the ``sgd`` and ``nesterov`` optimisers.
    """

    dataset: str = "moons"
    samples: int = 200
    noise: float = 0.2
    classes: int = 3
    test_fraction: float = 0.2
    seed: int = 0
    hidden: tuple[int, ...] = (10,)
    activation: str | tuple[str, ...] = "tanh"
    init: str = "default"
    features: tuple[str, ...] = DEFAULT_FEATURES
    output: str | None = None
    loss: str | None = None
    optimizer: str = "sgd"
    lr: float = 1.0
    l2: float = 1e-3
    momentum: float = 0.0
    dropout: float = 0.0
    batch_size: int | None = None
    dtype: str = "float32"
    preset: str | None = None

    def __post_init__(self):
        # Lists (from JSON) become tuples and a bare width one layer, so equal configs compare equal.
        hidden, activation = self.hidden, self.activation
        if isinstance(hidden, int) and not isinstance(hidden, bool):
            object.__setattr__(self, "hidden", (hidden,))
        elif isinstance(hidden, list):
            object.__setattr__(self, "hidden", tuple(hidden))
        if isinstance(activation, list):
            object.__setattr__(self, "activation", tuple(activation))
        if isinstance(self.features, list):
            object.__setattr__(self, "features", tuple(self.features))

    @property
    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        return self.activation

    def layer_sizes(self, features: int, outputs: int) -> tuple[int, ...]:
        """The network's layer sizes on data with ``features`` columns, with ``outputs`` output units."""
        inputs = self.input_features(features)
        return (len(inputs) if inputs else features, *self.hidden, outputs)

    def head(self, task: str) -> tuple[str, str]:
        """``(output, loss)`` for ``task``; raises :class:`ConfigError` if they cannot learn it."""
        output, loss = resolved_head(self.output, self.loss, task)
        problem = head_problem(output, loss, task)
        if problem:
            raise ConfigError(problem)
        return output, loss

    def input_features(self, columns: int) -> tuple[str, ...] | None:
        """The features a network reads of points with ``columns`` coordinates: None for the
        coordinates as they are. Raises :class:`ConfigError` if features are asked of points
        that are not 2-D."""
        if self.features == DEFAULT_FEATURES:
            return None
        if columns != 2:
            raise ConfigError(f"input features apply to points with two coordinates; these have {columns}")
        return self.features

    def validated(self) -> TrainingConfig:
        """Return self, or raise :class:`ConfigError` naming the first bad setting."""
        _choice("dataset", self.dataset, (*DATASETS, CUSTOM))
        _shape(self.hidden)
        _activations(self.activation, len(self.hidden))
        _choice("init", self.init, INIT_SCHEMES)
        _features(self.features)
        if self.dataset in ONE_D_DATASETS and self.features != DEFAULT_FEATURES:
            raise ConfigError(f"input features apply to points with two coordinates; {self.dataset}'s have one")
        if self.output is not None:
            _choice("output", self.output, OUTPUTS)
        if self.loss is not None:
            _choice("loss", self.loss, LOSSES)
        if self.dataset != CUSTOM:  # a file's task is known once it is read (experiment.build_network)
            self.head(dataset_task(self.dataset))  # raises if they cannot learn it
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("dtype", self.dtype, DTYPES)
        if self.preset is not None:
            _choice("preset", self.preset, PRESETS)
        RANGES["samples"].check("samples", self.samples)
        # Checked for every dataset (within the most any can have where it is not used), so a value
        # a sweep or a window carries along stays in range; with_dataset brings it within another's.
        classes = Range(*classes_range(self.dataset), whole=True) if self.dataset in MULTICLASS else RANGES["classes"]
        classes.check("classes", self.classes)
        RANGES["seed"].check("seed", self.seed)
        if self.batch_size is not None:
            RANGES["batch_size"].check("batch-size", self.batch_size)
        RANGES["noise"].check("noise", self.noise)
        RANGES["test_fraction"].check("test-fraction", self.test_fraction)
        RANGES["momentum"].check("momentum", self.momentum)
        if self.optimizer == "nesterov" and self.momentum == 0:
            raise ConfigError("the nesterov optimizer needs a momentum above 0")
        RANGES["dropout"].check("dropout", self.dropout)
        RANGES["l2"].check("l2", self.l2)
        RANGES["lr"].check("lr", self.lr)
        return self

    def replace(self, **changes) -> TrainingConfig:
        """A copy with some settings changed (not validated)."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """Every setting, JSON-ready (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict) -> TrainingConfig:
        """Build from :meth:`as_dict` output, ignoring unknown keys, then validate."""
        if not isinstance(values, dict):
            raise ConfigError(f"settings must be a mapping of names to values, not {type(values).__name__}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known}).validated()


def tutorial_config(dataset: str = "moons") -> TrainingConfig:
    """The seed tutorial ``001``: moons (200 points) or circles (sklearn's default 100), 3 tanh
    units, epsilon 0.01 and reg_lambda 0.01 in the seed's summed convention, float64, no test set."""
    samples = 100 if dataset == "circles" else 200
    return TrainingConfig(
        dataset=dataset,
        samples=samples,
        noise=0.2,
        test_fraction=0.0,
        seed=0,
        hidden=(3,),
        activation="tanh",
        lr=0.01 * samples,
        l2=0.01 / samples,
        momentum=0.0,
        batch_size=None,
        dtype="float64",
        preset="tutorial",
    )


TUTORIAL_STEPS = 20000


def digits_config(deep: bool = False) -> TrainingConfig:
    """The seed tutorials' MNIST networks on scikit-learn's 8x8 digits (all 1,797).

    ``000``: 100 logistic hidden units, mini-batches of 50, its ``eps = 0.4`` on ``eps/N`` times
    the summed gradient (our mean: lr 0.4), no L2, a tenth held out for testing. ``004``
    (``deep``): 500 and 100 leaky ReLU units, weights drawn with std 0.01, momentum 0.9 at the
    book's lr 0.01, the digits 0-2, one image a step as it trained."""
    if deep:
        return TrainingConfig(dataset="digits", samples=DIGITS, classes=3, test_fraction=0.2, hidden=(500, 100),
                              activation="leaky_relu", init="normal-0.01", lr=0.01, l2=0.0, momentum=0.9,
                              batch_size=1, preset="digits-deep")
    return TrainingConfig(dataset="digits", samples=DIGITS, classes=10, test_fraction=0.1, hidden=(100,),
                          activation="sigmoid", lr=0.4, l2=0.0, batch_size=50, preset="digits")


def xor_config() -> TrainingConfig:
    """Tutorial ``003``'s network: XOR's truth table (four rows, no test set) learnt by a small
    sigmoid hidden layer and one sigmoid output, with squared error and plain gradient descent."""
    return TrainingConfig(dataset="xor-table", test_fraction=0.0, noise=0.0, hidden=(XOR_HIDDEN,),
                          activation="sigmoid", output="sigmoid", loss="squared-error", init="default",
                          optimizer="sgd", lr=XOR_LR, l2=0.0, momentum=0.0, batch_size=None, dtype="float64",
                          seed=XOR_SEED, preset="xor")


XOR_HIDDEN, XOR_LR, XOR_SEED = 3, 2.0, 0  # chosen so that the table is learnt within XOR_STEPS

PRESET_STEPS = {"tutorial": TUTORIAL_STEPS, "digits": 2000, "digits-deep": 3000, "xor": 5000}
"""Each preset's steps: enough to reach the figures the README states."""


def preset_config(name: str, dataset: str = "moons") -> TrainingConfig:
    """The settings of preset ``name`` (the tutorial's on ``dataset``: moons or circles)."""
    if name == "xor":
        return xor_config()
    return tutorial_config(dataset) if name == "tutorial" else digits_config(deep=name == "digits-deep")


TASK_LR = {"classification": TrainingConfig.lr, "regression": 0.1}
"""Each task's default learning rate: squared error's curvature grows with the last hidden layer's width
(its outputs add up), so at 1.0 a fit of ``sine`` diverges within a hundred steps; 0.1 holds to 50 units."""


def with_dataset(config: TrainingConfig, name: str, images: bool | None = None) -> TrainingConfig:
    """``config`` on the built-in dataset ``name``. Between points and images the samples and
    classes take the new kind's defaults (all the digits, ten classes; 200 points, three);
    classes beyond what ``name`` can have become the most it can; between tasks, see
    :func:`for_task`. ``images``: whether the data now are images (by default, whether
    ``config``'s dataset is; a file's may be)."""
    images = config.dataset in IMAGE_DATASETS if images is None else images
    if (name in IMAGE_DATASETS) != images:
        kind = TrainingConfig(samples=DIGITS, classes=10) if name in IMAGE_DATASETS else TrainingConfig()
        config = config.replace(samples=kind.samples, classes=kind.classes)
    low, high = classes_range(name)
    config = for_task(config, dataset_task(name), dataset_task(config.dataset))
    return config.replace(dataset=name, classes=min(max(config.classes, low), high))


def for_task(config: TrainingConfig, task: str, was: str) -> TrainingConfig:
    """``config`` moved from data of task ``was`` to data of ``task`` (a built-in set or a
    file's): between classes and regression the output and loss become the new task's own (a
    choice made for one task does not follow to the other), and a learning rate at the old
    task's default the new one's."""
    if task == was:
        return config
    lr = TASK_LR[task] if config.lr == TASK_LR[was] else config.lr
    return config.replace(output=None, loss=None, lr=lr)


def resolve_config(given: dict, base: TrainingConfig | None = None) -> TrainingConfig:
    """``base`` (default settings if None) with the settings in ``given`` applied; with a
    ``preset`` in ``given`` the preset replaces ``base``. Validated."""
    if given.get("preset") is not None:
        base = preset_config(given["preset"], given.get("dataset", "moons"))
    elif "dataset" in given:
        base = with_dataset(base or TrainingConfig(), given["dataset"])
    config = (base or TrainingConfig()).replace(**{k: v for k, v in given.items() if k != "optimizer"})
    if "optimizer" in given:
        config = with_optimizer(config, given["optimizer"], momentum_given="momentum" in given)
    return config.validated()


def with_optimizer(config: TrainingConfig, rule: str, momentum_given: bool = False) -> TrainingConfig:
    """``config`` trained by ``rule``; Nesterov needs momentum, so without one given it takes
    :data:`NESTEROV_MOMENTUM`."""
    if rule == "nesterov" and not momentum_given and config.momentum == 0:
        return config.replace(optimizer=rule, momentum=NESTEROV_MOMENTUM)
    return config.replace(optimizer=rule)


def parse_features(text: str) -> tuple[str, ...]:
    """Input features written as on the command line: ``"x1sq,x2sq"``. Raises
    :class:`ConfigError` naming the problem."""
    features = tuple(name.strip() for name in text.split(",")) if text.strip() else ()
    _features(features)
    return features


def features_name(features: tuple[str, ...]) -> str:
    """Features as :func:`parse_features` reads them."""
    return ",".join(features)


def parse_shape(text: str) -> tuple[int, ...]:
    """Hidden layer widths written as on the command line: ``"8x8x4"``, ``"10"``, or ``"0"``
    for no hidden layer. Raises :class:`ConfigError` naming the problem."""
    text = text.strip()
    if text == "0":
        return ()
    parts = [part.strip() for part in text.replace("×", "x").replace("X", "x").split("x")]
    if len(text) > 100 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ConfigError(f"hidden must be widths joined by x, like 8x8x4 (or 0 for none); got {shown(text)}")
    widths = tuple(int(part) for part in parts)
    _shape(widths)
    return widths


def shape_name(widths: tuple[int, ...], times: str = "x") -> str:
    """Widths as :func:`parse_shape` reads them (``"8x8x4"``, ``"0"`` for none); ``times="×"``
    for people."""
    return times.join(map(str, widths)) or "0"


def activation_name(activation: str | tuple[str, ...]) -> str:
    """An activation setting as written on the command line: ``"tanh"`` or ``"relu,tanh"``."""
    return activation if isinstance(activation, str) else ",".join(activation)


def _shape(widths) -> None:
    if not isinstance(widths, tuple):
        raise ConfigError(f"hidden must be a list of layer widths; got {shown(widths)}")
    if len(widths) > MAX_LAYERS:
        raise ConfigError(f"a network has at most {MAX_LAYERS} hidden layers; got {len(widths)}")
    for width in widths:
        RANGES["hidden"].check("each hidden layer's width", width)


def _activations(activation, layers: int) -> None:
    if isinstance(activation, str):
        _choice("activation", activation, tuple(ACTIVATIONS))
        return
    if not isinstance(activation, tuple):
        raise ConfigError(f"activation must be a name or a list of names; got {shown(activation)}")
    for name in activation:
        _choice("activation", name, tuple(ACTIVATIONS))
    if len(activation) != layers:
        raise ConfigError(f"activation must be one name, or one per hidden layer ({layers}); "
                          f"got {len(activation)} names ({shown(activation_name(activation))})")


def _features(features) -> None:
    if not isinstance(features, tuple) or not all(isinstance(name, str) for name in features):
        raise ConfigError(f"features must be a list of names; got {shown(features)}")
    if not features:
        raise ConfigError(f"features must name at least one of {', '.join(FEATURES)}")
    for name in features:
        _choice("each feature", name, tuple(FEATURES))
    if len(set(features)) != len(features):
        raise ConfigError(f"features name {next(f for f in features if features.count(f) > 1)} twice")


def _choice(name: str, value, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ConfigError(f"{name} must be one of {', '.join(options)}; got {shown(value)}")


def shown(value) -> str:
    """A bad value as quoted in a message, on one line and short: a number from a crafted
    file may have 400 digits."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
