"""The Compare tab before its first sweep: what Run sweep will train, in the figure's place."""

from __future__ import annotations

import html

from nnviz.core.data.datasets import Dataset
from nnviz.core.naming import network_name, training_name
from nnviz.core.training.sweep import Sweep
from nnviz.gui.compare.sweep_view import sweep_colors


def preview_text(sweep: Sweep, data: Dataset, setting_name: str) -> str:
    """The networks ``sweep`` will train on ``data``, a coloured line each as their tiles and
    curves will be (rich text); ``setting_name`` names the setting it varies."""
    configs = sweep.configs()
    colors = sweep_colors(len(configs), sweep.ordered)
    rows = "".join(f"<li><span style='color:{color}'>■</span> <b>{html.escape(sweep.label(value))}</b>: "
                   f"{html.escape(network_name(config))}, {html.escape(training_name(config))}</li>"
                   for value, config, color in zip(sweep.values, configs, colors))
    points = f"{len(data.y_train):,} training points" if len(data.y_train) else "points still being made"
    networks = "1 network" if len(configs) == 1 else f"{len(configs)} networks together"
    return (f"<h3>Run sweep will train {networks}</h3>"
            f"<p>on the Train view's data ({html.escape(data.name)}, {points}) and settings, each with "
            f"its own {setting_name.lower()}:</p><ul>{rows}</ul>"
            f"<p>Each gets a tile with its {'fit' if data.regression else 'decision boundary'} and figures, "
            "and a curve on one loss plot. "
            "Train, Step and Reset act on them all; click a tile to open its network in the Train view. "
            "Change the setting or the values above to compare others.</p>")


def preview_error(message: str) -> str:
    """What the preview says when the values above are not a sweep (``message`` says why)."""
    return f"<p>Run sweep needs a list of values above: {html.escape(message)}</p>"
