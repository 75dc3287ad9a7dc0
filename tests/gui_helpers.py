"""What the window tests share: waiting for the trainer to come home, and for a file to be written."""


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
