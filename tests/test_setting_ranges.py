"""Each numeric setting's range is declared once (nnviz.core.config.RANGES), and the config,
the command line and the window's boxes all keep to that one declaration."""

import pytest

from nnviz.cli import main
from nnviz.core.config import RANGES, ConfigError, TrainingConfig

BOUNDED = ("samples", "noise", "test_fraction", "seed", "momentum", "dropout", "batch_size")


def _above(name: str):
    """The least value past the top of ``name``'s range."""
    high = RANGES[name].high
    return high + 1 if RANGES[name].whole else round(high + 0.01, 4)


@pytest.mark.parametrize("name", BOUNDED)
def test_the_config_takes_the_top_of_each_range_and_refuses_past_it(name):
    """The highest value of a setting's declared range is valid; one past it is refused
    naming the declared span."""
    assert TrainingConfig(**{name: RANGES[name].high}).validated()
    with pytest.raises(ConfigError, match=RANGES[name].span):
        TrainingConfig(**{name: _above(name)}).validated()


@pytest.mark.parametrize("name", BOUNDED)
def test_the_command_line_refuses_past_each_declared_range(capsys, name):
    """`nnviz train --OPTION value` past the declared top exits 2 with one line naming the span."""
    option = "--" + name.replace("_", "-")
    with pytest.raises(SystemExit) as exit_:
        main(["train", option, str(_above(name))])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and f"must be {RANGES[name].span}" in err


def test_the_window_boxes_end_where_the_declared_ranges_end(qtbot):
    """The control panel's boxes stop at the declared tops (momentum 0.99, dropout 0.9, ...)."""
    from nnviz.gui.controls import ControlPanel

    panel = ControlPanel(TrainingConfig())
    qtbot.addWidget(panel)
    for name in BOUNDED:
        assert getattr(panel, name).maximum() == pytest.approx(RANGES[name].high), name
    assert panel.hidden.maximum() == RANGES["hidden"].high
    assert panel.batch_size.minimum() == 0 and panel.batch_size.specialValueText() == "full"


def test_the_rate_advice_asks_to_be_scrolled_into_view(qtbot, make_window):
    """Adam chosen at rate 1 in a window too short to show the Training rows: the panel asks
    for its advice row to be shown, and the window scrolls the panel until it is in view."""
    window = make_window(TrainingConfig(hidden=(5,), lr=1.0))
    window.resize(1400, 420)
    controls = window.controls
    with qtbot.waitSignal(controls.reveal_requested, timeout=2000):
        controls.optimizer.setCurrentIndex(controls.optimizer.findData("adam"))
    qtbot.waitUntil(lambda: not controls.rate_hint.visibleRegion().isEmpty(), timeout=2000)
