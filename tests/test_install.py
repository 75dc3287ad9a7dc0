"""nnviz finds its data files however it was installed and wherever it was started."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a child Python started inside the checkout, as `python -m nnviz` there would be; with
# `hide` it first makes `nnviz.resources` unimportable, as it is when a plain `pip install .`
# is shadowed by the checkout's own nnviz/ folder (which has no resources subpackage). It prints
# whether nnviz.resources was imported, whether the icon is a file, and whether it is resources/nnviz.svg.
_LOOKUP = """
import importlib.abc, sys

class HideResources(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "nnviz.resources":
            raise ModuleNotFoundError("No module named 'nnviz.resources'", name=name)

if {hide}:
    sys.meta_path.insert(0, HideResources())
from nnviz.gui.resource_files import resource_file
icon = resource_file("nnviz.svg")
print("nnviz.resources" in sys.modules, icon.is_file(), icon.read_bytes() == open({expected!r}, "rb").read())
"""


def _lookup(hide: bool) -> str:
    code = _LOOKUP.format(hide=hide, expected=str(ROOT / "resources" / "nnviz.svg"))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_icon_is_found_in_the_installed_package():
    """With nnviz.resources importable, the icon is read from it."""
    assert _lookup(hide=False) == "True True True"


def test_the_icon_is_found_in_the_checkout_when_the_package_is_missing():
    """With nnviz.resources missing (a plain install run from inside the checkout), the checkout's resources/ serve."""
    assert _lookup(hide=True) == "False True True"
