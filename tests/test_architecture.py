"""Layering rules: the core never needs Qt, and start-up loads only what it needs: scikit-learn
only when data is made."""

import pkgutil
import subprocess
import sys

import nnviz.core


def _modules_after(code: str) -> set[str]:
    """The modules a fresh Python has loaded after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_core_imports_no_qt():
    """Importing every nnviz.core module, in every subpackage, loads no PyQt5, pyqtgraph or
    superqt."""
    names = [m.name for m in pkgutil.walk_packages(nnviz.core.__path__, "nnviz.core.")]
    assert len(names) >= 40
    loaded = _modules_after("\n".join(f"import {n}" for n in names))
    assert set(names) <= loaded
    assert not {m for m in loaded if m.split(".")[0] in {"PyQt5", "pyqtgraph", "superqt", "qtpy"}}


def test_scikit_learn_loads_only_when_a_dataset_is_made():
    """The CLI and core import without scikit-learn; making moons loads it."""
    assert "sklearn" not in _modules_after("import nnviz.cli, nnviz.core.training.experiment")
    assert "sklearn" in _modules_after("from nnviz.core.data.datasets import make_dataset; make_dataset('moons', 50, 0.1, 0, 0)")


def test_headless_training_loads_no_qt():
    """`nnviz train --steps 5`, run through nnviz.cli as the console script runs it, loads
    no PyQt5: what it prints and writes has no Qt in it."""
    loaded = _modules_after("from nnviz.cli import main\nassert main(['train', '--steps', '5']) == 0")
    assert "nnviz.cli.train" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"PyQt5", "pyqtgraph", "superqt", "qtpy"}}


def test_first_window_loads_only_what_it_draws(tmp_path):
    """Opening the window on data that nnviz makes itself (XOR) and saving a picture of its first
    boundary loads neither scikit-learn nor superqt, and starts no training process."""
    picture = str(tmp_path / "first.png")
    loaded = _modules_after(
        "from multiprocessing.process import BaseProcess\n"
        "started, start = [], BaseProcess.start\n"
        "BaseProcess.start = lambda process: started.append(process) or start(process)\n"
        "from nnviz.cli import main\n"
        f"assert main(['--dataset', 'xor', '--screenshot', {picture!r}]) == 0\n"
        "assert not started, started"
    )
    assert "nnviz.gui.main_window" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"sklearn", "superqt", "qtpy"}}
