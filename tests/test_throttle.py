"""The redraw throttle: at most one call per interval, with the newest arguments."""

from nnviz.gui.throttle import Throttled


def test_a_leading_call_runs_at_once_and_the_rest_of_the_interval_become_one(qtbot):
    """The first call runs now; calls during the interval run once at its end, with the newest
    arguments."""
    calls = []
    throttled = Throttled(calls.append, 50)
    throttled(1)
    assert calls == [1]
    throttled(2)
    throttled(3)
    assert calls == [1]
    qtbot.waitUntil(lambda: calls == [1, 3], timeout=1000)
    qtbot.wait(100)
    assert calls == [1, 3]


def test_without_leading_a_call_waits_for_the_interval(qtbot):
    """With leading=False even the first call waits."""
    calls = []
    throttled = Throttled(calls.append, 30, leading=False)
    throttled("a")
    assert calls == []
    qtbot.waitUntil(lambda: calls == ["a"], timeout=1000)


def test_cancel_drops_and_flush_runs_a_waiting_call(qtbot):
    """cancel forgets the waiting call; flush makes it now."""
    calls = []
    throttled = Throttled(calls.append, 50)
    throttled(1)
    throttled(2)
    throttled.cancel()
    qtbot.wait(100)
    assert calls == [1]
    throttled(3)  # a new interval: runs at once
    throttled(4)
    throttled.flush()
    assert calls == [1, 3, 4]


def test_a_slow_call_stretches_the_interval_to_its_busy_share(qtbot):
    """A call that takes 40 ms with busy_share 0.5 is followed by at least 40 ms of rest."""
    import time

    times = []

    def slow(_value):
        times.append(time.perf_counter())
        time.sleep(0.04)

    throttled = Throttled(slow, 1, busy_share=0.5)
    throttled(1)
    throttled(2)
    qtbot.waitUntil(lambda: len(times) == 2, timeout=1000)
    assert times[1] - times[0] >= 0.04 + 0.04 * 0.9  # the call, then as long again


def test_the_interval_counts_from_the_start_of_a_call(qtbot):
    """A call that takes 120 ms of a 200 ms interval is followed by the 80 ms left, not 200 more:
    a redraw that takes most of a frame still comes once a frame."""
    import time

    times = []

    def slow(_value):
        times.append(time.perf_counter())
        time.sleep(0.12)

    throttled = Throttled(slow, 200)
    throttled(1)
    throttled(2)
    qtbot.waitUntil(lambda: len(times) == 2, timeout=2000)
    assert 0.2 * 0.9 <= times[1] - times[0] < 0.29  # the old rule gave 0.32


def test_what_a_call_costs_later_counts_with_it(qtbot):
    """A call that returns at once but asks for 40 ms of painting (later_ms) is spaced as if it
    took 40 ms: with busy_share 0.5, 40 ms of rest follow."""
    import time

    times = []
    throttled = Throttled(lambda _value: times.append(time.perf_counter()), 1, busy_share=0.5, later_ms=lambda: 40.0)
    throttled(1)
    throttled(2)
    qtbot.waitUntil(lambda: len(times) == 2, timeout=1000)
    assert times[1] - times[0] >= 0.04 * 0.9
