"""Where nnviz's data files (icon, desktop entry) are, installed or in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11; only the type checker needs it
    from importlib.resources.abc import Traversable

# The checkout's top-level resources/ folder, beside the nnviz/ package (this file is nnviz/gui/...).
CHECKOUT_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_file(name: str) -> Traversable:
    """The data file ``name``: from the installed package ``nnviz.resources``, else from the checkout.

    ``resources/`` becomes ``nnviz.resources`` only when installed (setup.cfg's package_dir). Started
    inside a checkout, Python imports the checkout's ``nnviz/`` folder instead of the installed
    package, and that folder has no ``resources`` subpackage: the files are in ``resources/`` beside it.
    """
    try:
        return resources.files("nnviz.resources") / name
    except ModuleNotFoundError:
        return CHECKOUT_RESOURCES / name
