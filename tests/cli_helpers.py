"""Running the command line in-process, for the command-line tests."""

from nnviz.cli import main


def run_cli(capsys, *args):
    """Run `nnviz ARGS` in-process; returns (exit status, stdout, stderr)."""
    try:
        status = main(list(args))
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(capsys, *args) -> str:
    """Run `nnviz ARGS`, check it is a usage error (exit 2, nothing on stdout, one line on stderr
    naming the command, no traceback) and return that line."""
    status, out, err = run_cli(capsys, *args)
    lines = err.strip().splitlines()
    assert status == 2 and out == "", (status, out, err)
    assert len(lines) == 1 and ": error: " in err and "Traceback" not in err, err
    return lines[0]
