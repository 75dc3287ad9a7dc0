"""The README's two commands stay true: CI runs its test command verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```\n(.+?)\n```", text)[:2]


def test_readme_starts_with_install_and_test_commands():
    """The first two code blocks install+run the app and install+run the tests."""
    app, tests = _readme_commands()
    assert app.startswith("pip install") and app.endswith("nnviz")
    assert tests.startswith("pip install") and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    """.ci/run has a line that runs the README's test command and fails when it fails."""
    _, tests = _readme_commands()
    assert f"{tests} || exit $?" in (ROOT / ".ci" / "run").read_text().splitlines()
