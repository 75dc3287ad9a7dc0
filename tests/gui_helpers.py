"""What the window tests share: a page object over the main window, waiting for the trainer to
come home, and for a file to be written.

Tests reach the window's insides through ``WindowPage``, so that when the window's parts are
renamed or moved, this file is the one place to follow them."""


def settle(qtbot, runner, timeout: int = 10000) -> None:
    """Pause ``runner`` and wait until its trainer is back from the training process."""
    runner.pause()
    qtbot.waitUntil(lambda: runner.is_settled, timeout=timeout)


def write_file(qtbot, method, path) -> str:
    """Call ``method`` (a FileActions save or export) with ``path`` and wait until the file is
    written or has failed; returns the error sentence, empty when it was written."""
    with qtbot.waitSignal(method.__self__.finished, timeout=20000) as written:
        method(str(path))
    assert written.args[0] == str(path)
    return written.args[1]


class WindowPage:
    """The main window as the tests see it: the run on the Train tab (its trainer, the latest
    snapshot shown, the config and data), the sweep on the Compare tab, and the waits that go
    with them. Widgets that a test clicks are reached through ``controls``, ``view``, ``files``
    and ``compare``; ``window`` is the window itself (for key clicks, closing, sizes)."""

    def __init__(self, window) -> None:
        self.window = window

    # The parts of the window.

    @property
    def session(self):
        """The Train tab's training session (it runs the training process)."""
        return self.window.session

    @property
    def controls(self):
        """The control panel on the left: data, network and training settings, Train and Step."""
        return self.window.controls

    @property
    def view(self):
        """The Train tab's view: plots, figures, timeline and the views of the data."""
        return self.window.view

    @property
    def files(self):
        """Opening, saving and exporting files."""
        return self.window.files

    @property
    def compare(self):
        """The Compare tab."""
        return self.window.compare

    # The Train tab's run.

    @property
    def trainer(self):
        """The Train tab's trainer, as the window holds it (while training, the process has a
        newer one: ``settle`` first to read where training is)."""
        return self.session.trainer

    @property
    def network(self):
        """The trainer's network (where training is, not necessarily what is drawn)."""
        return self.trainer.network

    @property
    def step_count(self) -> int:
        """How many steps the trainer has taken."""
        return self.trainer.step_count

    @property
    def timeline(self):
        """The trainer's timeline of kept moments."""
        return self.trainer.timeline

    @property
    def config(self):
        """The Train tab's training config."""
        return self.session.config

    @property
    def dataset(self):
        """The points the Train tab trains on."""
        return self.session.dataset

    @property
    def latest(self):
        """The newest snapshot the Train tab's view has been given (None before the first)."""
        return self.view.latest

    @property
    def shown(self):
        """What the Train tab's view shows: the moment replayed, or else the latest snapshot."""
        return self.view.shown

    @property
    def is_running(self) -> bool:
        """Whether the Train tab is training."""
        return self.session.is_running

    @property
    def is_settled(self) -> bool:
        """Whether the Train tab's trainer is back in the window (not training, nothing pending)."""
        return self.session.is_settled

    @property
    def has_process(self) -> bool:
        """Whether the Train tab has a training process."""
        return self.session.has_process

    @property
    def process_id(self):
        """The Train tab's training process id."""
        return self.session.process_id

    def snapshot(self):
        """A snapshot of the Train tab's trainer as the window holds it."""
        return self.session.snapshot()

    def start(self) -> None:
        """Start training on the Train tab."""
        self.session.start()

    def pause(self) -> None:
        """Pause training on the Train tab."""
        self.session.pause()

    def step(self, count: int = 1) -> None:
        """Train ``count`` steps on the Train tab."""
        self.session.step(count)

    def settle(self, qtbot, timeout: int = 10000) -> None:
        """Pause the Train tab and wait until its trainer is back from the training process."""
        settle(qtbot, self.session, timeout)

    def train_until(self, qtbot, steps: int, timeout: int = 20000) -> None:
        """Start training and wait until the view has been given a snapshot of step ``steps``
        or later (training goes on)."""
        self.start()
        qtbot.waitUntil(lambda: self.latest is not None and self.latest.step >= steps, timeout=timeout)

    def draw_now(self) -> None:
        """Draw the Train tab's newest snapshot at once."""
        self.view.draw_now()

    # The Compare tab's sweep.

    @property
    def compare_session(self):
        """The Compare tab's sweep session (it runs the sweep's training process)."""
        return self.compare.session

    @property
    def compare_trainer(self):
        """The Compare tab's sweep trainer, as the window holds it (None before a sweep)."""
        return self.compare_session.trainer

    @property
    def sweep(self):
        """The Compare tab's sweep (None before one is made)."""
        return self.compare_session.sweep

    @property
    def compare_latest(self):
        """The newest snapshot the Compare tab has been given."""
        return self.compare.latest

    def run_sweep(self, qtbot, values: str, *, past: int = 0, timeout: int = 30000):
        """On the Compare tab, sweep the hidden layers' shapes ``values`` ("3, 8x8") as a user
        does, and wait until the sweep is past step ``past``; returns the Compare view."""
        compare = self.compare
        self.window.tabs.setCurrentWidget(compare)
        compare.setting.setCurrentIndex(compare.setting.findData("hidden"))
        compare.values.setText(values)
        compare.run_button.click()
        qtbot.waitUntil(lambda: compare.latest is not None and compare.latest.step > past, timeout=timeout)
        return compare

    def settle_compare(self, qtbot, timeout: int = 10000) -> None:
        """Pause the Compare tab and wait until its sweep is back from the training process."""
        settle(qtbot, self.compare_session, timeout)

    @property
    def has_any_process(self) -> bool:
        """Whether either tab has a training process."""
        return self.has_process or self.compare_session.has_process
