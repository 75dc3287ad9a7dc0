"""The files a command writes: checked before any training, so that a path that cannot be
written, or whose name says another kind of file, is found at once."""

from __future__ import annotations

import argparse
import os

from nnviz.core.config import ConfigError
from nnviz.core.io.atomic import check_writable

OUTPUT_KINDS = {".png": "a PNG picture", ".jpg": "a JPEG picture", ".jpeg": "a JPEG picture", ".svg": "an SVG picture",
                ".gif": "a GIF movie", ".mp4": "an MP4 movie", ".csv": "a CSV table", ".nnviz": "an nnviz run file"}
"""What a file's extension says it holds: an output of another kind under such a name is refused."""


def check_outputs(args: argparse.Namespace) -> None:
    """Each file the command is to write can be written, and its name says what it will hold:
    raises ConfigError or SaveError (one sentence) before anything is trained."""
    outputs = {"--movie": (args.movie, None)}  # its kind was checked by movie_kind
    if args.command == "train":
        outputs["--save"] = (args.save, OUTPUT_KINDS[".nnviz"])
    else:
        outputs["--out"] = (args.out, OUTPUT_KINDS[".png"])
        outputs["--csv"] = (args.csv, OUTPUT_KINDS[".csv"])
    for option, (path, holds) in outputs.items():
        if path is None:
            continue
        suffix = os.path.splitext(path)[1].lower()
        says = OUTPUT_KINDS.get(suffix)
        if option == "--out":
            check_png_name("--out", path, "the grid picture")
        if holds is not None and says is not None and says != holds:
            raise ConfigError(f"{option} {path}: that name says {says}, but {option} writes {holds}")
        check_writable(path)


def check_png_name(option: str, path: str, what: str) -> None:
    """A picture's name must say PNG, which is what is written: raises ConfigError otherwise."""
    if OUTPUT_KINDS.get(os.path.splitext(path)[1].lower()) != OUTPUT_KINDS[".png"]:
        raise ConfigError(f"{option} {path}: {what} is written as PNG (its settings in its text chunks); "
                          f"name it {os.path.splitext(path)[0]}.png")
