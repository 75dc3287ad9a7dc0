"""`nnviz train` gives the advice the window gives on choosing an optimiser: a note on stderr
when its rate is far from the ones the optimiser usually takes."""

import json

from nnviz.cli import main
from nnviz.core.model.optimizers import rate_advice


def _run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_adam_at_sgds_rate_gets_one_note_on_stderr(capsys):
    """`--optimizer adam` at the default rate 1: one note line on stderr, the run goes on."""
    status, out, err = _run(capsys, "train", "--optimizer", "adam", "--steps", "5")
    assert status == 0 and out.startswith("step")
    assert err.splitlines() == [f"nnviz train: note: {rate_advice('adam', 1.0)}"]


def test_the_note_leaves_json_on_stdout_whole(capsys):
    """With --json the note still goes to stderr, and stdout stays one JSON object."""
    status, out, err = _run(capsys, "train", "--optimizer", "adam", "--steps", "5", "--json")
    assert status == 0 and json.loads(out)["config"]["optimizer"] == "adam"
    assert "adam usually learns" in err


def test_no_note_at_a_usual_rate_or_without_an_optimizer_given(capsys):
    """Adam at 0.005, or a rate given for the default sgd (the user's own choice, as in the
    window, where only a change of optimiser draws the advice): nothing on stderr."""
    assert _run(capsys, "train", "--optimizer", "adam", "--lr", "0.005", "--steps", "5")[2] == ""
    assert _run(capsys, "train", "--lr", "0.01", "--steps", "5")[2] == ""
