"""A throttle: call a function at most once per interval, with the newest arguments.

It does what superqt's ``qthrottled`` did here (the same policy, ``cancel`` and ``flush``).
nnviz used nothing else of superqt, and importing it loads all of superqt's widgets (and
pygments) first: about a tenth of a second of every start-up, before the first boundary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import MethodType
from weakref import WeakMethod

from PyQt5.QtCore import QObject, Qt, QTimer


class Throttled:
    """Calls ``func`` at most once every ``timeout`` ms (from the start of one call to the start
    of the next), with the arguments of the latest call.

    ``leading``: a call outside an interval runs at once and opens one; without it, a call
    opens an interval and waits for its end. Calls made during an interval become one call, with
    the newest arguments, at its end. A bound method is held weakly, so that a throttle does not
    keep its widget alive.

    ``busy_share``: the most of the time ``func`` may take; an interval is stretched to
    ``duration / busy_share`` after a call that took long (a redraw of a large network), so
    that the rest of the time stays free for the user's input. ``later_ms``: what a call also
    costs after it returns, in ms (the painting it asks for), counted with its duration.
    """

    def __init__(self, func: Callable, timeout: int, *, leading: bool = True, busy_share: float = 1.0,
                 later_ms: Callable[[], float] | None = None):
        self._func = WeakMethod(func) if isinstance(func, MethodType) else (lambda: func)
        self._leading = leading
        self._timeout = timeout
        self._busy_share = busy_share
        self._later_ms = later_ms
        self._pending: tuple | None = None  # the arguments of the call waiting for the timer
        # Owned by the function's widget, where there is one: it must not fire after the widget is gone.
        owner = getattr(func, "__self__", None)
        self._timer = QTimer(owner if isinstance(owner, QObject) else None)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(timeout)
        self._timer.timeout.connect(self.flush)

    def __call__(self, *args) -> None:
        self._pending = args
        if self._leading and not self._timer.isActive():
            self.flush()
        elif not self._timer.isActive():
            self._timer.start()

    def cancel(self) -> None:
        """Forget a waiting call."""
        self._pending = None

    def flush(self) -> None:
        """Make a waiting call now (and start a new interval)."""
        if self._pending is None:
            return
        args, self._pending = self._pending, None
        func = self._func()
        started = time.perf_counter()
        if func is not None:
            func(*args)
        took_ms = (time.perf_counter() - started) * 1000 + (self._later_ms() if self._later_ms else 0.0)
        # The timer starts at the call's end: what is left of the interval, or the rest that
        # keeps the call to its busy share.
        self._timer.start(max(round(self._timeout - took_ms), round(took_ms / self._busy_share - took_ms), 0))
