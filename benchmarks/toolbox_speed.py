"""What each training tool costs: steps per second with each optimiser, with dropout and with
all seven input features, against plain gradient descent, side by side in one run.

Run: python benchmarks/toolbox_speed.py [--repeats 5] [--hidden 10 200x200x200x200x200x200]
Each variant steps a trainer (full batch, 160 points) for about a second; the variants take
turns, and each figure is the median of the repeats. Prints steps per second and the ratio to
sgd; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from threadpoolctl import threadpool_limits

from nnviz.core.config import TrainingConfig, parse_shape, with_optimizer
from nnviz.core.model.features import FEATURES
from nnviz.core.training.experiment import build_trainer

VARIANTS = {
    "sgd": {},
    "sgd, momentum 0.9": {"momentum": 0.9},
    "nesterov": {"optimizer": "nesterov"},
    "adagrad": {"optimizer": "adagrad"},
    "rmsprop": {"optimizer": "rmsprop"},
    "adam": {"optimizer": "adam"},
    "dropout 0.5": {"dropout": 0.5},
    "all 7 input features": {"features": tuple(FEATURES)},
}


def config_for(hidden: tuple[int, ...], changes: dict) -> TrainingConfig:
    base = TrainingConfig(hidden=hidden, lr=0.01)
    rule = changes.get("optimizer", "sgd")
    return with_optimizer(base.replace(**{k: v for k, v in changes.items() if k != "optimizer"}), rule).validated()


def steps_per_second(config: TrainingConfig, seconds: float) -> float:
    trainer = build_trainer(config, log_every=10**9)  # the figures are evaluated once, not during the run
    trainer.step(5)  # make the buffers
    chunk = max(1, int(5 / _seconds_per_step(trainer)))
    started, first = time.perf_counter(), trainer.step_count
    while time.perf_counter() - started < seconds:
        trainer.step(chunk)
    return (trainer.step_count - first) / (time.perf_counter() - started)


def _seconds_per_step(trainer) -> float:
    started = time.perf_counter()
    trainer.step(5)
    return max((time.perf_counter() - started) / 5, 1e-6) * 50  # chunks of about a tenth of a second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--hidden", nargs="+", default=["10", "200x200x200x200x200x200"])
    args = parser.parse_args()
    threadpool_limits(1)
    for text in args.hidden:
        hidden = parse_shape(text)
        rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.repeats):
            for name, changes in VARIANTS.items():
                rates[name].append(steps_per_second(config_for(hidden, changes), args.seconds))
        base = statistics.median(rates["sgd"])
        print(f"moons, hidden {text} (median of {args.repeats}, steps/s and ratio to sgd):")
        for name, values in rates.items():
            median = statistics.median(values)
            print(f"  {name:<22} {median:>10,.0f}  {median / base:5.2f}")


if __name__ == "__main__":
    main()
