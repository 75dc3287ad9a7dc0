"""The floor for start-up: the least any numpy + Qt + pyqtgraph program does to put a picture
of one image in a plot on disk. `benchmarks/startup.py` launches it beside nnviz.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/startup_floor.py PATH.png
"""

import sys

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication


def main(path: str) -> int:
    app = QApplication(sys.argv[:1])
    plot = pg.PlotWidget()
    plot.resize(1400, 900)
    image = pg.ImageItem(np.random.default_rng(0).random((100, 100), dtype=np.float32), levels=(0, 1))
    plot.addItem(image)
    plot.show()
    saved = []

    def save_and_quit() -> None:
        saved.append(plot.grab().save(path, "PNG"))
        plot.close()

    QTimer.singleShot(0, save_and_quit)
    app.exec_()
    return 0 if saved and saved[0] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
