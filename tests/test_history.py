"""The loss history stays within its capacity whatever is recorded, and thins where it can spare."""

import numpy as np
import pytest

from nnviz.core.training.history import DENSE_FIRST, HistoryEntry, LossHistory


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
