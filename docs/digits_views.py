"""Make docs/nnviz-digits-views.png: the confusion matrix, the mistakes and the drawing pad of the
`digits` preset after its 2,000 steps, side by side (the README's second picture of the digits).

Run: python docs/digits_views.py [PATH]
"""

from __future__ import annotations

import os
import sys

import numpy as np


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PyQt5.QtWidgets import QApplication

    from nnviz.core.config import PRESET_STEPS, digits_config
    from nnviz.core.training.experiment import build_trainer
    from nnviz.gui.files.movie_export import image_array
    from nnviz.gui.images.image_panel import ImagePanel

    app = QApplication.instance() or QApplication(["nnviz"])  # noqa: F841 (kept while painting)
    trainer = build_trainer(digits_config(), log_every=10**9)
    trainer.step(PRESET_STEPS["digits"])
    data = trainer.data
    pictures = []
    for tab in (1, 2, 3):
        panel = ImagePanel()
        panel.resize(520, 440)
        panel.set_dataset(data)
        panel.setCurrentIndex(tab)
        panel.show()
        panel.show_network(trainer.network)
        if tab == 3:  # a six, as tutorial 000 printed "6: 95%"
            six = int(np.flatnonzero(data.y_test == 6)[0])
            panel.drawing.pad.set_image(data.X_test[six])
        pictures.append(image_array(panel.currentWidget().grab().toImage()))
        panel.close()
    height = max(p.shape[0] for p in pictures)
    row = np.full((height, sum(p.shape[1] for p in pictures) + 16 * (len(pictures) - 1), 3), 255, np.uint8)
    x = 0
    for picture in pictures:
        row[: picture.shape[0], x : x + picture.shape[1]] = picture
        x += picture.shape[1] + 16
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "nnviz-digits-views.png")
    Image.fromarray(row).save(path)
    print(f"saved {path}: {row.shape[1]}x{row.shape[0]}")


if __name__ == "__main__":
    main()
