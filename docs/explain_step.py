"""Make docs/nnviz-explain-backward.png: the Explain tab's picture of a backward phase, on the
xor data's 2-3-2 tanh network after 200 steps (the README's picture of "Explain a step").

Run: python docs/explain_step.py [PATH]
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication

    from nnviz.core.config import TrainingConfig
    from nnviz.gui.main_window import MainWindow

    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "nnviz-explain-backward.png")
    app = QApplication.instance() or QApplication(["nnviz"])
    window = MainWindow(TrainingConfig(dataset="xor", hidden=(3,)), None)  # None: no settings read or written
    window.resize(1400, 900)
    window.show()

    def shoot() -> None:
        explain = window.explain
        explain.go(4)  # the fifth phase: backward through the first layer
        app.processEvents()
        if not explain.save_png(path):
            sys.exit(f"could not save {path}")
        window.close()
        app.quit()

    def trained(running: bool) -> None:
        if not running:
            window.tabs.setCurrentWidget(window.explain)
            QTimer.singleShot(300, shoot)

    window.session.running_changed.connect(trained)
    QTimer.singleShot(0, lambda: window.session.run_steps(200))
    app.exec_()


if __name__ == "__main__":
    main()
