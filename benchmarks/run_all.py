"""Every nnviz benchmark, one after another: the one documented command.

Run: python benchmarks/run_all.py [--quick]
(--quick: fewer steps and repeats, for a first look; the README's figures use the defaults.)
Each benchmark prints its own table of medians and ratios; nothing is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
FULL = [
    ("trainer_speed.py", []),
    ("sweep_speed.py", []),
    ("gui_speed.py", []),
    ("startup.py", []),
    ("action_latency.py", []),
    ("memory.py", []),
    ("toolbox_speed.py", []),
    ("timeline_speed.py", []),
    ("digits_speed.py", []),
    ("regression_speed.py", []),
]
QUICK = {"trainer_speed.py": ["--steps", "4000", "--repeats", "1"], "sweep_speed.py": ["--steps", "4000", "--repeats", "1"],
         "gui_speed.py": ["--repeats", "1"], "startup.py": ["--repeats", "2"],
         "action_latency.py": ["--actions", "200"], "memory.py": ["--steps", "100000"],
         "toolbox_speed.py": ["--repeats", "1"], "timeline_speed.py": ["--repeats", "1"],
         "digits_speed.py": ["--repeats", "1"], "regression_speed.py": ["--repeats", "1", "--seconds", "0.1"]}


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for script, args in FULL:
        print(f"\n== {script} ==", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *(QUICK[script] if quick else args)], env=env, check=True)


if __name__ == "__main__":
    main()
