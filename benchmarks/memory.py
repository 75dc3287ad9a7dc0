"""Memory: peak resident memory of the window training a long run at 200 hidden units
(offscreen), summed over the window's process and its training process.

Run: python benchmarks/memory.py [--steps 1000000]
Prints the peaks; asserts nothing. The loss history is bounded, so the peak should not grow
with the number of steps; compare --steps 100000 with --steps 1000000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_kib(pid: int) -> int:
    """VmHWM (peak resident set) of a live process, in KiB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": folder}
        started = time.perf_counter()
        window = subprocess.Popen(
            [sys.executable, "-m", "nnviz", "--hidden", "200", "--dtype", "float32",
             "--screenshot", os.path.join(folder, "end.png"), "--after-steps", str(args.steps)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        peaks: dict[int, int] = {}
        while window.poll() is None:
            for pid in [window.pid, *children(window.pid)]:
                peaks[pid] = max(peaks.get(pid, 0), peak_kib(pid))
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    if window.returncode:
        raise SystemExit(f"the window exited with status {window.returncode}")
    total = sum(peaks.values()) / 1024
    parts = ", ".join(f"{kib / 1024:.0f} MB" for kib in peaks.values())
    print(f"{args.steps:,} steps at 200 hidden units in {elapsed:.0f} s: peak memory {total:.0f} MB "
          f"(window and training process: {parts})")


if __name__ == "__main__":
    main()
