"""Sweeps, side by side in one run:
- the seed's sweep (hidden sizes 1, 2, 3, 4, 10, 20, 50, 200 on its moons, 20000 steps each):
  nnviz's packed sweep against the seed's own `build_model` run eight times, and against
  nnviz's lone trainer run eight times (what the packing saves);
- a sweep of shapes (8, 8x8, 8x8x8, 8x8x8x8 on the spiral, 5000 steps): nnviz's sweep against
  the same four networks trained by nnviz one after another.

Run: python benchmarks/sweep_speed.py [--steps 20000] [--repeats 3]
Prints medians and ratios; asserts nothing. Everything runs with one BLAS thread (as the
nnviz command line does; the seed's loop was slower with the default threads here).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from seed_loop import build_model, tutorial_data

from nnviz.core.config import TrainingConfig, tutorial_config
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import TUTORIAL_SIZES, Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer


def seed_eight_runs(steps: int) -> float:
    """Seconds for the seed's loop over the eight sizes, one after another."""
    X, y = tutorial_data()
    started = time.perf_counter()
    for size in TUTORIAL_SIZES:
        build_model(X, y, size, steps)
    return time.perf_counter() - started


def timed_training(configs: list, steps: int, together: bool) -> float:
    """Seconds to train ``configs`` on their data, logging every 1000 steps: as one packed sweep,
    or (``together=False``) as lone trainers one after another."""
    data = build_dataset(configs[0])
    started = time.perf_counter()
    if together:
        SweepTrainer(configs, data, log_every=1000).step(steps)
    else:
        for config in configs:
            build_trainer(config, data, log_every=1000).step(steps)
    return time.perf_counter() - started


def nnviz_sweep(steps: int, dtype: str, together: bool = True) -> float:
    """Seconds for nnviz's eight sizes, as one sweep or as eight lone trainers."""
    return timed_training(Sweep(tutorial_config().replace(dtype=dtype), "hidden", TUTORIAL_SIZES).configs(),
                          steps, together)


SHAPES = ((8,), (8, 8), (8, 8, 8), (8, 8, 8, 8))


def shapes_sweep(steps: int, dtype: str, together: bool) -> float:
    """Seconds for the sweep of shapes on the spiral: as one sweep, or one network after another."""
    return timed_training(Sweep(TrainingConfig(dataset="spiral", dtype=dtype), "hidden", SHAPES).configs(),
                          steps, together)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times = {"seed build_model x8 (float64)": [], "nnviz sweep float64": [], "nnviz sweep float32": [],
             "nnviz lone x8 float64": [], "nnviz lone x8 float32": []}
    with threadpool_limits(1):
        for _ in range(args.repeats):  # interleaved, so all see the same machine load
            times["seed build_model x8 (float64)"].append(seed_eight_runs(args.steps))
            for dtype in ("float64", "float32"):
                times[f"nnviz sweep {dtype}"].append(nnviz_sweep(args.steps, dtype))
                times[f"nnviz lone x8 {dtype}"].append(nnviz_sweep(args.steps, dtype, together=False))
    baseline = statistics.median(times["seed build_model x8 (float64)"])
    print(f"{args.steps} steps of each of the sizes {TUTORIAL_SIZES}, median of {args.repeats}:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<32} {median:7.2f} s   {baseline / median:5.2f}x the seed")
    steps = max(args.steps // 4, 1)
    print(f"{steps} steps of each of the shapes 8, 8x8, 8x8x8, 8x8x8x8 on the spiral, median of {args.repeats}:")
    for dtype in ("float32", "float64"):
        alone, together = [], []
        with threadpool_limits(1):
            for _ in range(args.repeats):
                alone.append(shapes_sweep(steps, dtype, together=False))
                together.append(shapes_sweep(steps, dtype, together=True))
        a, t = statistics.median(alone), statistics.median(together)
        print(f"  {dtype}: one after another {a:6.2f} s, as one sweep {t:6.2f} s: {a / t:5.2f}x faster")


if __name__ == "__main__":
    main()
