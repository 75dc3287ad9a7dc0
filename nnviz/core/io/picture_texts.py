"""What pictures and movies say about the run they show: titles, headings and the PNG text
chunks that let nnviz open a picture again. Plain text, so that the command line writes
them without loading Qt."""

from __future__ import annotations

import json

from nnviz import __version__
from nnviz.core.config import TrainingConfig, activation_name, shape_name
from nnviz.core.naming import (
    init_name,
    inputs_name,
    loss_name,
    network_name,
    output_name,
)
from nnviz.core.training.sweep import Sweep

CONFIG_KEY = "nnviz-config"
STEP_KEY = "nnviz-step"
SWEEP_KEY = "nnviz-sweep"


def run_title(config: TrainingConfig) -> str:
    """The data and network of a run, as pictures and movies name them (with the output units
    and loss where not the task's own: "sine, 8 tanh hidden units, sigmoid output")."""
    return f"{config.dataset}, {network_name(config)}"


def metadata(config: TrainingConfig, step: int) -> dict[str, str]:
    """The text chunks every nnviz PNG carries: enough to reproduce the picture."""
    return {
        CONFIG_KEY: json.dumps(config.as_dict(), sort_keys=True),
        STEP_KEY: str(step),
        "Software": f"nnviz {__version__}",
        "Description": f"{run_title(config)}, step {step}",
    }


def sweep_heading(sweep: Sweep) -> str:
    """A one-line title naming what is compared and what stays fixed."""
    c = sweep.base
    fixed = {"hidden": f"{shape_name(c.hidden, '×')} hidden", "activation": activation_name(c.activation),
             "lr": f"lr {c.lr:g}", "init": init_name(c), "features": inputs_name(c),
             "output": output_name(c), "loss": loss_name(c), "optimizer": "" if c.optimizer == "sgd" else c.optimizer,
             "dropout": f"dropout {c.dropout:g}" if c.dropout else ""}
    fixed.pop(sweep.setting, None)
    return f"{c.dataset}: {sweep.setting} varies ({', '.join(v for v in fixed.values() if v)})"


def sweep_texts(sweep: Sweep, step: int) -> dict[str, str]:
    """PNG text chunks: those of a single export for the base settings, plus the sweep."""
    texts = metadata(sweep.base, step)
    texts[SWEEP_KEY] = json.dumps({"setting": sweep.setting, "values": [list(v) if isinstance(v, tuple) else v
                                                                        for v in sweep.values]})
    texts["Description"] = f"{sweep_heading(sweep)}, step {step}"
    return texts
