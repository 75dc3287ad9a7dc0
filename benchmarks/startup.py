"""Start-up: seconds from launching `nnviz` until a picture of its window, with the first drawn
decision boundary, is on disk (`NNVIZ_FIRST_FRAME=PATH nnviz`: the window grabs itself as it
first appears and quits; offscreen, default settings), against a floor: `startup_floor.py`, a
bare numpy + PyQt5 + pyqtgraph script that draws one 100x100 image in a 1400x900 plot and saves
a picture of it. Also timed: the first complete picture, points included
(`nnviz --screenshot PATH --after-steps 0`, which waits for scikit-learn to make them).

Run: python benchmarks/startup.py [--repeats 5] [--dataset xor]
The two are launched alternately, so they see the same load, after one uncounted launch of
each that warms the disk cache and compiles their modules into a throw-away bytecode folder
(as an installed program has its .pyc files, even where PYTHONDONTWRITEBYTECODE is set).
Prints both medians and their ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = str(Path(__file__).with_name("startup_floor.py"))


PROGRAMS = ("floor", "nnviz", "nnviz, points")


def command(name: str, path: str, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """How to launch the program ``name`` so that it saves its picture at ``path``."""
    if name == "floor":
        return [sys.executable, FLOOR, path], {}
    if name == "nnviz":
        return [sys.executable, "-m", "nnviz", *extra], {"NNVIZ_FIRST_FRAME": path}
    return [sys.executable, "-m", "nnviz", *extra, "--screenshot", path, "--after-steps", "0"], {}


def launch_once(name: str, folder: str, extra: list[str]) -> float:
    """Seconds until the program ``name`` has written its picture and exited."""
    path = os.path.join(folder, f"{name.replace(', ', '-')}.png")
    if os.path.exists(path):
        os.remove(path)
    arguments, more_env = command(name, path, extra)
    # A throw-away config folder: nothing remembered from earlier runs is read.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": folder,
           "PYTHONPYCACHEPREFIX": os.path.join(folder, "bytecode"), **more_env}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    subprocess.run(arguments, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    if not os.path.getsize(path):
        raise RuntimeError(f"{name} wrote no picture")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dataset", help="start nnviz on this dataset (default: its own default, moons)")
    args = parser.parse_args()
    extra = ["--dataset", args.dataset] if args.dataset else []
    times: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    with tempfile.TemporaryDirectory() as folder:
        for name in times:
            launch_once(name, folder, extra)
        for _ in range(args.repeats):
            for name, runs in times.items():
                runs.append(launch_once(name, folder, extra))
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"start-up to a saved picture ({' '.join(extra) or 'default settings'}), "
          f"median of {args.repeats} launches each, interleaved:")
    for name, t in times.items():
        ratio = medians[name] / medians["floor"]
        print(f"  {name:<13}  {medians[name]:.2f} s  ({ratio:.2f}x the floor; min {min(t):.2f}, max {max(t):.2f})")


if __name__ == "__main__":
    main()
