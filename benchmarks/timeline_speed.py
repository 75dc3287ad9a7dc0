"""What the timeline costs training, and how long a movie takes to make.

Run: python benchmarks/timeline_speed.py [--repeats 5]
1. Training speed with the timeline kept and with it switched off (its next moment never
   comes), side by side, from step 0 (where moments are densest): 20,000 steps at one hidden
   layer of 10, 1,000 at six layers of 200, 5,000 of the seed's eight-size sweep (trained
   together; about 100 moments in each). Median of the repeats; the variants take turns.
2. A 120-frame GIF (and MP4) of the Train view from the timeline of the seed's 3,000-step run,
   split into rendering the frames and encoding them.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from threadpoolctl import threadpool_limits

from nnviz.core.config import TrainingConfig
from nnviz.core.io.movie import write_movie
from nnviz.core.training.experiment import build_dataset, build_trainer
from nnviz.core.training.sweep import TUTORIAL_SIZES, Sweep
from nnviz.core.training.sweep_trainer import SweepTrainer


def _sweep() -> SweepTrainer:
    configs = Sweep(TrainingConfig(), "hidden", TUTORIAL_SIZES).configs()
    return SweepTrainer(configs, build_dataset(configs[0]), log_every=10**9)


WORKLOADS = {  # a trainer from step 0, and the steps to run
    "hidden 10": (lambda: build_trainer(TrainingConfig(hidden=(10,), lr=1.0), log_every=10**9), 20_000),
    "hidden 200x200x200x200x200x200": (lambda: build_trainer(TrainingConfig(hidden=(200,) * 6, lr=0.01), log_every=10**9), 1000),
    "the seed's sweep of hidden 1 to 200": (_sweep, 5000),
}


def seconds(make, steps: int, keep: bool) -> tuple[float, float]:
    """The run's seconds, and of them the seconds spent keeping moments (timed one by one: a
    measure of the cost that the machine's drift between runs does not blur)."""
    trainer = make()
    if not keep:
        trainer.timeline.next_step = 10**18  # never due: no moment after step 0
    keeping = [0.0]
    keep_moment = trainer.keep_moment

    def timed() -> None:
        started = time.perf_counter()
        keep_moment()
        keeping[0] += time.perf_counter() - started

    trainer.keep_moment = timed
    started = time.perf_counter()
    trainer.step(steps)
    return time.perf_counter() - started, keeping[0]


def movie_times(repeats: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtWidgets import QApplication

    from nnviz.gui.files.movie_export import timeline_frames

    app = QApplication.instance() or QApplication(["nnviz"])  # noqa: F841 (kept while the frames are made)
    trainer = build_trainer(TrainingConfig())
    trainer.step(3000)
    trainer.keep_moment()
    render, encode = {"gif": [], "mp4": []}, {"gif": [], "mp4": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            for kind in ("gif", "mp4"):
                started = time.perf_counter()
                _, frames = timeline_frames(trainer, 120, "moons")
                pictures = list(frames)
                render[kind].append(time.perf_counter() - started)
                started = time.perf_counter()
                write_movie(os.path.join(folder, f"run.{kind}"), pictures, 20, "{}")
                encode[kind].append(time.perf_counter() - started)
                size = os.path.getsize(os.path.join(folder, f"run.{kind}"))
            print(f"  ({len(pictures)} frames of {pictures[0].shape[1]}x{pictures[0].shape[0]}; last {kind} {size / 1e6:.1f} MB)")
    for kind in ("gif", "mp4"):
        r, e = statistics.median(render[kind]), statistics.median(encode[kind])
        print(f"120-frame {kind.upper()} of the Train view: {r + e:.2f} s = rendering {r:.2f} s + encoding {e:.2f} s "
              f"(median of {repeats})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    threadpool_limits(1)
    for name, (make, steps) in WORKLOADS.items():
        times, shares = {True: [], False: []}, []
        for repeat in range(args.repeats):
            for keep in ((False, True) if repeat % 2 else (True, False)):  # each goes first half the time
                total, keeping = seconds(make, steps, keep)
                times[keep].append(total)
                if keep:
                    shares.append(keeping / total)
        off, on = statistics.median(times[False]), statistics.median(times[True])
        print(f"moons, {name}, {steps:,} steps from step 0 (median of {args.repeats}): "
              f"without the timeline {steps / off:,.0f} steps/s, with it {steps / on:,.0f} ({off / on:.3f} of the speed); "
              f"keeping moments took {statistics.median(shares):.2%} of the run")
    movie_times(max(1, args.repeats // 2))


if __name__ == "__main__":
    main()
