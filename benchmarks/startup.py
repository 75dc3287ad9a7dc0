"""Start-up: seconds from launching `nnviz` until a picture of its first drawn decision
boundary is on disk (`--screenshot PATH --after-steps 0`, offscreen), a slight over-estimate.

Run: python benchmarks/startup.py [--repeats 5]
Prints the median; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def launch_once(folder: str) -> float:
    path = os.path.join(folder, "first.png")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": folder}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnviz", "--hidden", "200", "--screenshot", path, "--after-steps", "0"],
                   env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    if not os.path.getsize(path):
        raise RuntimeError("no picture was written")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        times = [launch_once(folder) for _ in range(args.repeats)]
    print(f"start-up to first drawn boundary (200 hidden units): median {statistics.median(times):.2f} s "
          f"over {args.repeats} launches (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
