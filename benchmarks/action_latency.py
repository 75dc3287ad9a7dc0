"""Input latency under random actions: how long each of 1000 seeded random clicks, edits and
menu actions (the monkey of tests/test_robustness.py) holds the window's thread, the events it
causes included, at the default settings and at extreme ones. Offscreen, while training.

Run: python benchmarks/action_latency.py [--actions 1000]
Prints the median, the 95th percentile and the worst per variant; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def measure(seed: int, settings: dict, actions: int) -> list[float]:
    """Seconds each action held the GUI thread."""
    from PyQt5 import sip
    from PyQt5.QtCore import QSettings
    from PyQt5.QtWidgets import QApplication, QFileDialog, QMessageBox
    from test_robustness import (  # the same monkey as the test
        _actions,
        _poke,
        _short_movie,
        _suffix,
    )
    from threadpoolctl import threadpool_limits

    from nnviz.core.config import TrainingConfig
    from nnviz.gui.app import settle_heap
    from nnviz.gui.files.movie_dialog import MovieDialog
    from nnviz.gui.main_window import MainWindow

    threadpool_limits(1)  # as nnviz.gui.app does: two BLAS threads here would fight the training process
    app = QApplication.instance() or QApplication([])
    folder = tempfile.mkdtemp(prefix="nnviz-latency-")
    saved = {".nnviz": [f"{folder}/none.nnviz"], ".csv": [f"{folder}/none.csv"]}
    counter = iter(range(10**6))

    def save_name(*args, **_kwargs):
        path = f"{folder}/out{next(counter)}{_suffix(args)}"
        saved.get(Path(path).suffix, []).append(path)
        return path, ""

    QFileDialog.getSaveFileName = staticmethod(save_name)
    QFileDialog.getOpenFileName = staticmethod(lambda *args, **_kwargs: (saved[_suffix(args)][-1], ""))
    QMessageBox.warning = staticmethod(lambda *_args: None)
    # Modal dialogs answered as the test answers them (a walk that opened one waited forever).
    QMessageBox.question = staticmethod(lambda *_args: QMessageBox.Yes)  # Continue from here
    MovieDialog.exec_ = _short_movie
    window = MainWindow(TrainingConfig(**settings), QSettings(f"{folder}/s.ini", QSettings.IniFormat))
    window.show()
    window.session.start()
    while window.view.latest.step == 0:  # the training process is up
        app.processEvents()
    settle_heap()  # as the program does once its window is up
    rng = random.Random(seed)
    widgets, menu_actions = _actions(window)
    held = []
    for i in range(actions):
        app.processEvents()  # what was already due is not the next action's
        started = time.perf_counter()
        _poke(rng, window, widgets, menu_actions)
        app.processEvents()
        held.append(time.perf_counter() - started)
        if i % 10 == 0:
            time.sleep(0.002)
    window.close()
    sip.delete(window)  # now, not at a random moment under a queued call (as in gui_speed.py)
    return held


VARIANTS = {
    "default": (20261124, {"hidden": 5}),
    "l2 at 1": (1, {"hidden": 5, "l2": 1.0}),
    "batch above points": (2, {"hidden": 20, "samples": 10, "batch_size": 64}),
    "5000 points": (11, {"hidden": 50, "samples": 5000}),  # the test's seed (see tests/test_robustness.py)
    "10 points": (4, {"hidden": 5, "samples": 10, "test_fraction": 0.9}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    args = parser.parse_args()
    print(f"{'variant':<20} {'median ms':>9} {'p95 ms':>7} {'worst ms':>8}")
    for name in args.variants:
        seed, settings = VARIANTS[name]
        held = 1000 * np.array(measure(seed, settings, args.actions))
        print(f"{name:<20} {np.median(held):>9.1f} {np.percentile(held, 95):>7.1f} {held.max():>8.1f}", flush=True)


if __name__ == "__main__":
    main()
