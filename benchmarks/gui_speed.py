"""Steps per second while the window trains and redraws, against the same trainer headless,
and how long an input event waits before the window handles it.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/gui_speed.py [--hidden 10 200 200x200x200x200x200x200]
    [--seconds 3] [--repeats 3]   (shapes as for `nnviz --hidden`; the default is these three)
Prints medians; asserts nothing. Input latency: every 50 ms an event is posted to the window's
queue (as a click would be) and the wait until it is handled is recorded.
"""

from __future__ import annotations

import argparse
import statistics
import time

from nnviz.core.config import parse_shape, shape_name

LR = 0.1  # six tanh layers of 200 diverge at the default learning rate of 1


def headless_rate(hidden: tuple[int, ...], seconds: float) -> float:
    """Steps/s of `nnviz train` with the same settings: the core loop (:func:`train`, progress
    every quarter second, the command line's history), on one BLAS thread as it has. This is
    what a user compares the window with, so it is what the window is measured against."""
    from threadpoolctl import threadpool_limits

    from nnviz.core.config import TrainingConfig
    from nnviz.core.training.experiment import build_trainer
    from nnviz.core.training.trainer import train

    threadpool_limits(1)
    trainer = build_trainer(TrainingConfig(hidden=hidden, lr=LR), log_every=None)
    trainer.step(200)  # warm up
    started = time.perf_counter()
    for _ in train(trainer, None, interval=0.25):
        if time.perf_counter() - started >= seconds:
            break
    return (trainer.step_count - 200) / (time.perf_counter() - started)


def window_rate(hidden: tuple[int, ...], seconds: float, inside: bool = True) -> tuple[float, ...]:
    """(steps/s, frames drawn/s, snapshots received/s, median and 95th-percentile input latency
    in ms) while training; ``inside=False`` hides the hidden-units panel."""
    from PyQt5 import sip
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication
    from threadpoolctl import threadpool_limits

    from nnviz.core.config import TrainingConfig
    from nnviz.gui.main_window import MainWindow

    threadpool_limits(1)  # as nnviz.gui.app does
    app = QApplication.instance() or QApplication([])
    window = MainWindow(TrainingConfig(hidden=hidden, lr=LR), None)
    window.show()
    window.view.inside.setVisible(inside)
    result = {}
    latencies: list[float] = []

    def probe():
        posted = time.perf_counter()
        QTimer.singleShot(0, lambda: latencies.append(time.perf_counter() - posted))

    prober = QTimer()
    prober.timeout.connect(probe)

    def begin():
        window.session.start()
        # Measure from the first snapshot on, so process start-up is not counted.
        window.session.snapshot_ready.connect(first)

    def first(snapshot):
        result["snapshots"] = result.get("snapshots", -1) + 1
        if "t0" not in result:
            result["t0"], result["s0"], result["f0"] = time.perf_counter(), snapshot.step, window.view.frames_drawn
            prober.start(50)
            QTimer.singleShot(int(seconds * 1000), end)

    def end():
        latest = window.view.latest
        elapsed = time.perf_counter() - result["t0"]
        result["rate"] = (latest.step - result["s0"]) / elapsed
        result["fps"] = (window.view.frames_drawn - result["f0"]) / elapsed
        result["sps"] = result["snapshots"] / elapsed
        prober.stop()
        window.close()
        app.quit()

    QTimer.singleShot(200, begin)
    app.exec_()
    # Free the window's Qt side now: left to Python's cyclic collector, a closed window can be
    # torn down at a random moment under a queued call into it (a segfault, seen here).
    sip.delete(window)
    ordered = sorted(latencies)
    return (result["rate"], result["fps"], result["sps"], 1000 * statistics.median(ordered),
            1000 * ordered[int(0.95 * len(ordered))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=parse_shape, nargs="+", default=[(10,), (200,), (200,) * 6])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'hidden':>23} {'units panel':>11} {'headless/s':>11} {'window/s':>9} {'ratio':>6} {'frames/s':>8} "
          f"{'snapshots/s':>11} {'input ms (median, p95)':>24}")
    for hidden in args.hidden:
        rows = {True: [], False: []}
        for _ in range(args.repeats):  # alternate so all see the same machine load
            head = headless_rate(hidden, args.seconds)
            for inside in (True, False):
                rate, fps, sps, median_ms, p95_ms = window_rate(hidden, args.seconds, inside)
                rows[inside].append((head, rate, rate / head, fps, sps, median_ms, p95_ms))
        for inside in (True, False):
            head, rate, ratio, fps, sps, median_ms, p95_ms = (statistics.median(col) for col in zip(*rows[inside]))
            shown = "shown" if inside else "hidden"
            print(f"{shape_name(hidden):>23} {shown:>11} {head:>11,.0f} {rate:>9,.0f} {ratio:>6.2f} {fps:>8.1f} "
                  f"{sps:>11.1f} {median_ms:>13.1f} {p95_ms:>9.1f}")

if __name__ == "__main__":
    main()
