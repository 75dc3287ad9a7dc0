"""The README stays true: CI runs its test command verbatim, and its option tables are the
command line's contract (every option documented, every documented option real, defaults
and arguments as the program has them)."""

import argparse
import re
from pathlib import Path

import pytest

from nnviz.cli import LOG_EVERY, build_parser
from nnviz.core.config import TUTORIAL_STEPS, TrainingConfig
from nnviz.core.io.movie import DEFAULT_FPS, DEFAULT_FRAMES
from nnviz.core.training.sweep import TUTORIAL_SIZES

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("train", "sweep", "gui")  # `nnviz [options]` is `nnviz gui [options]`

# Which commands each table of the "Command line" section is about, by the line before it.
TABLES = {
    "Settings, for the three commands that train": COMMANDS,
    "`nnviz train` and `nnviz sweep` also take:": ("train", "sweep"),
    "`nnviz train` only": ("train",),
    "`nnviz train` and `nnviz sweep`, movies": ("train", "sweep"),
    "`nnviz sweep` only:": ("sweep",),
    "The window only:": ("gui",),
}

# Defaults the program applies itself when an option is left out (argparse holds None or
# SUPPRESS for them); the training settings' defaults are TrainingConfig's.
APPLIED = {
    ("train", "--log-every"): LOG_EVERY,
    ("sweep", "--log-every"): LOG_EVERY,
    ("sweep", "--hidden"): TUTORIAL_SIZES,
    ("train", "--steps"): TUTORIAL_STEPS,  # a preset's own otherwise
    ("sweep", "--steps"): TUTORIAL_STEPS,
    **{(command, option): value for command in ("train", "sweep")
       for option, value in (("--frames", DEFAULT_FRAMES), ("--fps", DEFAULT_FPS))},
}
# A default of "none" that the table spells out in words.
SPELLED_OUT = {"--batch-size": "full batch", "--log-every": "dense early", "--output": "by task", "--loss": "by task",
               "--task": "from the labels"}


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


# The option tables -------------------------------------------------------------------------
def _tables() -> list[tuple[str, list[list[str]]]]:
    """``(line before the table, rows of cells)`` for each table of the Command line section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    tables, intro, rows = [], "", None
    for line in section.splitlines():
        if line.startswith("|"):
            if rows is None:
                rows = []
                tables.append((intro, rows))
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        else:
            rows = None
            if line.strip():
                intro = line.strip()
    return tables


def _documented(command: str) -> dict[str, tuple[str, str]]:
    """``{option: (its argument as written, default)}`` from the tables about ``command``;
    a table about fewer commands may restate an option for them (sweep's ``--hidden``)."""
    documented, scope = {}, {}
    for intro, rows in _tables():
        commands = next((c for start, c in TABLES.items() if intro.startswith(start)), None)
        assert commands is not None, f"the README has a table after {intro!r} that this test does not know"
        assert rows[0] == ["option", "meaning", "default"] and set(rows[1][0]) <= set("- ")
        if command not in commands:
            continue
        for cells in rows[2:]:
            option, _, default = cells
            name, _, argument = option.strip("`").partition(" ")
            assert scope.get(name, len(COMMANDS) + 1) > len(commands), f"{name} is documented twice for {command}"
            documented[name], scope[name] = (argument, default), len(commands)
    return documented


def _parser(command: str) -> argparse.ArgumentParser:
    # argparse offers no public way to reach a sub-command's parser or list its options.
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[command]


def _options(command: str) -> dict[str, argparse.Action]:
    """The options ``nnviz COMMAND`` takes and shows in its help, by long name."""
    return {
        action.option_strings[-1]: action
        for action in _parser(command)._actions
        if action.option_strings and action.dest != "help" and action.help != argparse.SUPPRESS
    }


def _default(command: str, name: str, action: argparse.Action):
    """What the program uses when ``name`` is left out."""
    if (command, name) in APPLIED:
        return APPLIED[command, name]
    if action.default == argparse.SUPPRESS:
        return getattr(TrainingConfig(), action.dest)
    return action.default


def _as_written(value, name: str) -> str:
    """A default as the table writes it."""
    if value is None or value is False:
        return SPELLED_OUT.get(name, "")
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_documented(command):
    """Every option of the command (but --help) is in the README's tables."""
    missing = set(_options(command)) - set(_documented(command))
    assert not missing, f"nnviz {command} takes {sorted(missing)}, which the README does not document"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_documented_option_exists(command):
    """Every option the README documents for the command is one it takes."""
    unknown = set(_documented(command)) - set(_options(command))
    assert not unknown, f"the README documents {sorted(unknown)} for nnviz {command}, which it does not take"


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_defaults_are_the_programs(command):
    """Each default in the tables is what the command uses when the option is left out."""
    options = _options(command)
    for name, (_, written) in _documented(command).items():
        if name not in options:
            continue  # reported by test_every_documented_option_exists
        value = _default(command, name, options[name])
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert re.fullmatch(r"[-+.\de]+", written) and float(written) == value, (name, written, value)
        else:
            assert written == _as_written(value, name), (name, written, value)


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_arguments_are_the_programs(command):
    """An option's argument is written as its help writes it: the choices in braces (a single
    choice bare), the placeholder, or nothing for a switch."""
    options = _options(command)
    for name, (argument, _) in _documented(command).items():
        if name not in options:
            continue
        action = options[name]
        if action.choices is not None:
            written = argument[1:-1].split(",") if argument.startswith("{") else [argument]
            assert written == list(action.choices), (name, argument)
        elif action.nargs == 0:
            assert argument == "", (name, argument)
        else:
            assert argument == action.metavar, (name, argument)


def test_the_tutorial_002_example_prints_what_the_readme_shows(tmp_path, capsys):
    """The README's `nnviz forward` example: tutorial 002's weights file and printout, run as shown."""
    from nnviz.cli import main

    text = (ROOT / "README.md").read_text()
    example = re.search(r"\$ cat tutorial.json\n(.+?)\n\$ nnviz forward --weights tutorial.json ([^\n]+)\n(.+?)\n```",
                        text, re.DOTALL)
    content, point, printed = example.groups()
    (tmp_path / "tutorial.json").write_text(content)
    assert main(["forward", "--weights", str(tmp_path / "tutorial.json"), point]) == 0
    assert capsys.readouterr().out.strip() == printed
    assert printed.endswith("Y = [0.31682708 0.69627909]")  # tutorial 002's own printout


def test_the_gradient_check_example_prints_what_the_readme_shows(capsys):
    """The README's `nnviz check-gradients` example, run as shown: the same lines, the errors to
    rounding (they are differences of ~1e-11, which other processors round otherwise)."""
    from nnviz.cli import main

    text = (ROOT / "README.md").read_text()
    command, printed = re.search(r"\$ nnviz (check-gradients [^\n]+)\n(.+?)\n```", text, re.DOTALL).groups()
    assert main(command.split()) == 0
    for got, shown in zip(capsys.readouterr().out.strip().splitlines(), printed.splitlines(), strict=True):
        if shown.startswith(("hidden layer", "output layer")):
            assert got.split()[:-2] == shown.split()[:-2]
            assert all(float(x) < 1e-9 for x in got.split()[-2:])
        else:
            assert got == shown
