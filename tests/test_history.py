"""The loss history stays within its capacity whatever is recorded, and thins where it can spare."""

import numpy as np
import pytest

from nnviz.cli.run import R2_KEYS
from nnviz.core.training.history import (
    DENSE_FIRST,
    HistoryEntry,
    LossHistory,
    figure_names,
    write_history_csv,
)
from nnviz.core.training.sweep import R2_COLUMNS


def _entry(step: int) -> HistoryEntry:
    return HistoryEntry(step, 1.0, 0.5, 1.0, 0.5)


@pytest.mark.parametrize("every", [None, 1, 10])
def test_a_full_history_always_makes_room(every):
    """Thinning frees a row even when every kept step is a multiple of the doubled spacing
    (it used to write past the end: steps 0, 8, ..., 40 in four rows)."""
    history = LossHistory(every, 4)
    for step in range(0, 400, 8):
        history.append(_entry(step))
        assert len(history) <= 4
    steps = history.array()[:, 0]
    assert steps[0] == 0 and steps[-1] == 392 and np.all(np.diff(steps) > 0)


def test_slow_motion_frames_go_before_the_schedule():
    """A dense-early history with frames recorded off its schedule (slow motion) drops those
    first, so its early steps stay one by one."""
    history = LossHistory(None, 300)
    for step in range(3000):
        if history.wants(step) or step % 3 == 0:
            history.append(_entry(step))
    steps = history.array()[:, 0]
    assert len(steps) <= 300 and steps[-1] == 2997
    assert list(steps[:DENSE_FIRST // 2]) == list(range(0, DENSE_FIRST, 2))  # halved once at most


def test_a_history_csv_names_a_regressions_r2_as_such(tmp_path):
    """A regression's accuracy columns hold R²: its CSV calls them train_r2 and test_r2, as
    --json and the sweep CSV do (figure_names, the one list of names); a classifier's keep
    train_accuracy and test_accuracy."""
    rows = np.array([[0, 0.5, 0.25, 0.6, np.nan]])
    for regression, header in ((True, "step,loss,train_r2,test_loss,test_r2"),
                               (False, "step,loss,train_accuracy,test_loss,test_accuracy")):
        path = tmp_path / f"history-{regression}.csv"
        write_history_csv(path, rows, regression)
        assert path.read_text().splitlines() == [header, "0,0.5,0.25,0.6,"]
        assert ",".join(figure_names(regression)) == header
    assert R2_KEYS == R2_COLUMNS and R2_COLUMNS["train_accuracy"] == "train_r2"
