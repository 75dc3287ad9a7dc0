"""Layering rules: the core never needs Qt, and scikit-learn loads only when data is made."""

import pkgutil
import subprocess
import sys

import nnviz.core


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_core_imports_no_qt():
    """Importing every nnviz.core module loads no PyQt5, pyqtgraph or superqt."""
    names = [m.name for m in pkgutil.iter_modules(nnviz.core.__path__, "nnviz.core.")]
    assert len(names) >= 6
    loaded = _modules_after("\n".join(f"import {n}" for n in names))
    assert set(names) <= loaded
    assert not {m for m in loaded if m.split(".")[0] in {"PyQt5", "pyqtgraph", "superqt", "qtpy"}}


def test_scikit_learn_loads_only_when_a_dataset_is_made():
    """The CLI and core import without scikit-learn; making moons loads it."""
    assert "sklearn" not in _modules_after("import nnviz.cli, nnviz.core.experiment")
    assert "sklearn" in _modules_after("from nnviz.core.datasets import make_dataset; make_dataset('moons', 50, 0.1, 0, 0)")
