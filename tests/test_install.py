"""nnviz finds its data files however it was installed and wherever it was started."""

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def _lookup(hide: bool, where: Path = ROOT) -> str:
    code = _LOOKUP.format(hide=hide, expected=str(ROOT / "resources" / "nnviz.svg"))
    done = subprocess.run([sys.executable, "-c", code], cwd=where, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def install_mode() -> str | None:
    """How nnviz is installed in this Python: "editable" (``pip install -e``), "copy"
    (``pip install .``), or None (not installed: the tests run on the checkout alone)."""
    try:
        distribution = importlib.metadata.distribution("nnviz")
    except importlib.metadata.PackageNotFoundError:
        return None
    origin = json.loads(distribution.read_text("direct_url.json") or "{}")
    return "editable" if origin.get("dir_info", {}).get("editable") else "copy"


def test_the_icon_is_found_in_the_installed_package(tmp_path):
    """Started outside the checkout, nnviz is the installed package (a copy or a link to the
    checkout), nnviz.resources is importable, and the icon is read from it."""
    if install_mode() is None:
        pytest.skip("nnviz is not installed in this Python")
    assert _lookup(hide=False, where=tmp_path) == "True True True"


def test_the_icon_is_found_inside_the_checkout_in_every_install_mode():
    """Started inside the checkout, the checkout's nnviz/ is imported. An editable install
    maps nnviz.resources to resources/; a copy's nnviz.resources is shadowed (the checkout's
    nnviz/ has none), and so is a missing install: then the checkout's resources/ serve."""
    imported = install_mode() == "editable"
    assert _lookup(hide=False) == f"{imported} True True"


def test_the_icon_is_found_in_the_checkout_when_the_package_is_missing():
    """With nnviz.resources missing (a plain install run from inside the checkout), the checkout's resources/ serve."""
    assert _lookup(hide=True) == "False True True"


def test_the_install_mode_is_told_right(tmp_path):
    """What the tests above expect hangs on :func:`install_mode`: check it against where the
    nnviz that Python imports outside the checkout lives (the checkout's own nnviz/ for an
    editable install, a copy's folder for a copy, wherever its environment is)."""
    mode = install_mode()
    if mode is None:
        pytest.skip("nnviz is not installed in this Python")
    done = subprocess.run([sys.executable, "-c", "import nnviz; print(nnviz.__file__)"], cwd=tmp_path,
                          capture_output=True, text=True, check=True, timeout=60)
    from_checkout = Path(done.stdout.strip()).resolve().parent == ROOT / "nnviz"  # a copy may live under it (.ci/)
    assert from_checkout == (mode == "editable")


def test_every_package_of_the_checkout_is_installed():
    """setup.cfg lists packages one by one (resources/ installs as nnviz.resources): every folder of
    nnviz/ with an __init__.py must be there, or a copy install lacks it (nnviz.core.arithmetic once was)."""
    import configparser

    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    listed = set(setup["options"]["packages"].split())
    folders = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "nnviz").rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)
