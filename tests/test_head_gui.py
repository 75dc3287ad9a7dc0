"""The window's output units and loss (issue 26): two boxes that show the task's own unless
chosen, refuse pairs that cannot learn the data, follow the dataset, and are named wherever
the network is; the new datasets in the list; the step activation's advice; and remembered
outputs and losses that meet a typed dataset."""

import pytest
from gui_helpers import WindowPage
from PyQt5.QtCore import Qt

from nnviz.core.config import TrainingConfig, preset_config
from nnviz.core.data.datasets import DATASETS, REGRESSION_DATASETS
from nnviz.core.io.picture_texts import metadata, run_title, sweep_heading
from nnviz.core.model.activations import ACTIVATIONS
from nnviz.core.naming import head_words, loss_name, network_name, output_name
from nnviz.core.remembered import start_config
from nnviz.core.training.sweep import Sweep
from nnviz.gui.help_dialogs import about_text


@pytest.fixture
def window(make_window):
    return make_window()


def _choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def _enabled(combo, value) -> bool:
    return bool(combo.model().item(combo.findData(value)).flags() & Qt.ItemIsEnabled)


# The boxes ----------------------------------------------------------------------------------

def test_the_boxes_show_the_tasks_own_when_the_config_leaves_them_to_it(window, page):
    """moons with output and loss None: the boxes read softmax and cross-entropy, every item of
    both can be chosen, and the title names no head (it is the default)."""
    assert page.config.output is None and page.config.loss is None
    assert window.controls.output.currentData() == "softmax" and window.controls.loss.currentData() == "cross-entropy"
    assert all(_enabled(window.controls.output, name) for name in ("softmax", "sigmoid", "identity"))
    assert all(_enabled(window.controls.loss, name) for name in ("cross-entropy", "squared-error"))
    assert "output" not in window.windowTitle() and "loss" not in window.windowTitle()


def test_choosing_an_output_starts_a_network_with_it(qtbot, window, page):
    """Sigmoid on the two moons: a fresh network with ONE sigmoid output unit (class 1's
    probability) and cross-entropy, at step 0, and the title says "sigmoid output"."""
    page.step(5)
    page.settle(qtbot)
    _choose(window.controls.output, "sigmoid")
    page.settle(qtbot)
    assert page.config.output == "sigmoid" and page.config.loss is None
    assert page.step_count == 0
    assert (page.network.output, page.network.loss, page.network.layer_sizes[-1]) == ("sigmoid", "cross-entropy", 1)
    assert "5 tanh hidden units, sigmoid output, lr" in window.windowTitle()


def test_choosing_the_loss_starts_a_network_with_it(qtbot, window, page):
    """Squared error on moons keeps softmax outputs and trains on the squared error."""
    _choose(window.controls.loss, "squared-error")
    page.settle(qtbot)
    assert (page.config.output, page.config.loss) == (None, "squared-error")
    assert (page.network.output, page.network.loss) == ("softmax", "squared-error")
    assert "squared-error loss" in window.windowTitle()


def test_identity_with_cross_entropy_switches_the_loss_and_says_so(qtbot, window, page):
    """Identity outputs are not probabilities: choosing identity while the loss is
    cross-entropy makes the loss squared error, and the status bar says so in one sentence."""
    _choose(window.controls.output, "identity")
    page.settle(qtbot)
    assert window.controls.loss.currentData() == "squared-error"
    assert (page.network.output, page.network.loss) == ("identity", "squared-error")
    message = window.statusBar().currentMessage()
    assert message.endswith("so the loss is now squared-error.") and message.count(". ") == 0


def test_cross_entropy_with_identity_switches_the_output_and_says_so(qtbot, window, page):
    """The same pair the other way round: cross-entropy chosen over identity outputs brings
    back the task's own output, softmax."""
    _choose(window.controls.output, "identity")
    _choose(window.controls.loss, "cross-entropy")
    page.settle(qtbot)
    assert window.controls.output.currentData() == "softmax"
    assert (page.config.output, page.config.loss) == (None, None)
    assert (page.network.output, page.network.loss) == ("softmax", "cross-entropy")
    assert window.statusBar().currentMessage().endswith("so the output is now softmax.")


def test_a_choice_that_is_the_tasks_own_is_kept_as_none(window, page):
    """Choosing sigmoid and then softmax again leaves output None (the task's own), so that it
    follows the data to a regression set."""
    _choose(window.controls.output, "sigmoid")
    assert page.config.output == "sigmoid"
    _choose(window.controls.output, "softmax")
    assert page.config.output is None and page.config.loss is None


def test_no_hidden_layer_is_named_by_its_output(window):
    """With no hidden layer the network is softmax, logistic or linear regression, as its output says."""
    controls = window.controls
    controls.remove_layer.click()
    assert controls.no_hidden.isVisible() and controls.no_hidden.text() == "none: softmax regression"
    _choose(controls.output, "sigmoid")
    assert controls.no_hidden.text() == "none: logistic regression"
    _choose(controls.output, "identity")
    assert controls.no_hidden.text() == "none: linear regression"


# The datasets -------------------------------------------------------------------------------

def test_the_dataset_list_offers_every_set_and_marks_the_regression_ones(window):
    """Every built-in set is in the list; the regression sets come after a separator, each
    labelled "(regression)", and every set has a tooltip of its own."""
    combo = window.controls.dataset
    indices = {name: combo.findData(name) for name in DATASETS}
    assert all(index >= 0 for index in indices.values())
    first_regression = min(indices[name] for name in REGRESSION_DATASETS)
    assert combo.itemData(first_regression - 1, Qt.AccessibleDescriptionRole) == "separator"
    for name, index in indices.items():
        regression = name in REGRESSION_DATASETS
        assert combo.itemText(index) == (f"{name} (regression)" if regression else name)
        assert (index > first_regression - 1) == regression
        assert combo.itemData(index, Qt.ToolTipRole)


def test_a_regression_set_takes_identity_and_squared_error_and_refuses_softmax(qtbot, window, page):
    """sine: the boxes show identity and squared error, softmax and cross-entropy cannot be
    chosen (their tooltips say why), the network has one identity output, and classes and
    drawing (points of a class) are not offered."""
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    controls = window.controls
    assert (controls.output.currentData(), controls.loss.currentData()) == ("identity", "squared-error")
    assert not _enabled(controls.output, "softmax") and not _enabled(controls.loss, "cross-entropy")
    assert _enabled(controls.output, "sigmoid") and _enabled(controls.output, "identity")
    assert "not values" in controls.output.itemData(controls.output.findData("softmax"), Qt.ToolTipRole)
    assert (page.network.output, page.network.loss, page.network.layer_sizes) == ("identity", "squared-error", (1, 5, 1))
    assert not controls.classes.isVisible() and not controls.draw_button.isEnabled()


def test_a_disabled_output_chosen_by_a_program_changes_nothing(qtbot, window, page):
    """Only a program can choose a disabled item: the box goes back and the run is untouched."""
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    before = page.config
    _choose(window.controls.output, "softmax")
    assert page.config == before and window.controls.output.currentData() == "identity"


def test_moving_to_a_regression_set_resets_a_head_that_cannot_learn_it(qtbot, make_window):
    """Sigmoid with cross-entropy given (``nnviz --output sigmoid --loss cross-entropy``), then
    sine: cross-entropy cannot learn values, so the output and loss become sine's own, and the
    status bar says so."""
    window = make_window(TrainingConfig(hidden=5, output="sigmoid", loss="cross-entropy"))
    page = WindowPage(window)
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    assert (page.config.output, page.config.loss) == (None, None)
    assert (page.network.output, page.network.loss) == ("identity", "squared-error")
    assert window.statusBar().currentMessage() == ("Sine is a regression set: the output and loss are its own "
                                                   "(identity, squared error), and the learning rate 0.1.")


def test_the_note_says_a_head_that_could_learn_the_set_is_left_for_its_own(qtbot, make_window):
    """Sigmoid with squared error on moons (a pair that could fit sine's values too), then sine:
    the choice made for classes does not follow, and the note says just that, not that the
    pair cannot learn sine; with a rate of the user's own, the rate goes unmentioned."""
    window = make_window(TrainingConfig(hidden=5, output="sigmoid", loss="squared-error", lr=0.5))
    page = WindowPage(window)
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    assert (page.config.output, page.config.loss, page.config.lr) == (None, None, 0.5)
    assert window.statusBar().currentMessage() == ("Sine is a regression set: the output and loss are its own "
                                                   "(identity, squared error).")


def test_the_learning_rate_follows_the_task_when_it_is_the_tasks_default(qtbot, window, page):
    """moons at its default rate, 1, then sine: the rate becomes regression's, 0.1 (at 1 a fit
    of sine diverges), and the status bar says so; back on moons it is 1 again. A rate of the
    user's own stays."""
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    assert page.config.lr == 0.1 and window.controls.lr.value() == 0.1 and page.trainer.lr == 0.1
    assert window.statusBar().currentMessage() == "Sine is a regression set: the learning rate is its own, 0.1."
    _choose(window.controls.dataset, "moons")
    assert page.config.lr == 1.0
    window.controls.lr.setValue(0.5)
    _choose(window.controls.dataset, "sine")
    assert page.config.lr == 0.5


def test_a_regression_set_takes_its_own_output_and_loss(qtbot, window, page):
    """Sigmoid chosen on moons, then sine: a choice made for classes does not follow to
    regression (sigmoid outputs cannot reach sine's -1); sine gets identity and squared error,
    and back on moons the classes' own."""
    _choose(window.controls.output, "sigmoid")
    _choose(window.controls.dataset, "sine")
    page.settle(qtbot)
    assert (page.network.output, page.network.loss) == ("identity", "squared-error")
    _choose(window.controls.dataset, "moons")
    page.settle(qtbot)
    assert (page.network.output, page.network.loss) == ("softmax", "cross-entropy")
    assert window.statusBar().currentMessage() == "Moons is a classification set: the learning rate is its own, 1."


def test_the_xor_table_leaves_out_samples_noise_and_test_split(window):
    """xor-table is its four rows, all for training: samples, noise and the test fraction
    cannot be set; the seed (the starting weights) can."""
    controls = window.controls
    _choose(controls.dataset, "xor-table")
    assert not controls.samples.isEnabled() and not controls.noise.isEnabled()
    assert not controls.test_fraction.isEnabled() and controls.seed.isEnabled()
    _choose(controls.dataset, "moons")
    assert controls.samples.isEnabled() and controls.noise.isEnabled() and controls.test_fraction.isEnabled()


def test_the_xor_preset_opens_with_its_sigmoid_head(make_window):
    """``nnviz --preset xor``: the truth table, sigmoid output and squared error shown in the
    boxes, and named in the title."""
    window = make_window(preset_config("xor"))
    page = WindowPage(window)
    controls = window.controls
    assert controls.dataset.currentData() == "xor-table"
    assert (controls.output.currentData(), controls.loss.currentData()) == ("sigmoid", "squared-error")
    assert (page.network.output, page.network.loss, page.network.layer_sizes) == ("sigmoid", "squared-error", (2, 3, 1))
    assert "3 sigmoid hidden units, sigmoid output, squared-error loss" in window.windowTitle()


# Activations --------------------------------------------------------------------------------

def test_the_activation_box_lists_every_activation(window):
    """All twelve, each with a tooltip saying its function."""
    box = window.controls.activation
    assert [box.itemText(i) for i in range(box.count())] == list(ACTIVATIONS) and len(ACTIVATIONS) == 12
    assert all(box.itemData(i, Qt.ToolTipRole) for i in range(box.count()))


def test_step_shows_its_advice_and_other_activations_do_not(window):
    """Choosing step shows its sentence (nothing below it learns) under the activation; tanh
    takes it away."""
    controls = window.controls
    assert not controls.activation_note.isVisible()
    controls.activation.setCurrentText("step")
    assert controls.activation_note.isVisible() and controls.activation_note.text() == ACTIVATIONS["step"].advice
    controls.activation.setCurrentText("tanh")
    assert not controls.activation_note.isVisible()


def test_one_step_layer_of_several_shows_the_advice(window):
    """Per layer: a step second layer shows the advice even while the first is selected."""
    controls = window.controls
    controls.add_layer.click()  # the new (second) layer is selected
    controls.every_layer.setChecked(False)
    controls.activation.setCurrentText("step")
    controls.select_layer(0)
    assert controls.activation.currentText() == "tanh" and controls.activation_note.isVisible()


# The status line ----------------------------------------------------------------------------

def test_the_status_bar_names_the_head_when_training_starts(window, page):
    """After Train, the status bar says which output and loss are trained."""
    page.start()
    assert window.statusBar().currentMessage() == "Training: softmax output, cross-entropy loss…"


# Names --------------------------------------------------------------------------------------

def test_network_names_say_the_head_where_it_is_not_the_tasks_own():
    """The task's own head goes unsaid; another is named, on built-in sets and (as given) on
    the user's points."""
    assert network_name(TrainingConfig(hidden=(8,))) == "8 tanh hidden units"
    assert network_name(TrainingConfig(hidden=(8,), dataset="sine")) == "8 tanh hidden units"
    assert network_name(preset_config("xor")) == "3 sigmoid hidden units, sigmoid output, squared-error loss"
    assert network_name(TrainingConfig(hidden=(8,), output="identity")) == \
        "8 tanh hidden units, identity output, squared-error loss"  # identity alone takes squared error
    assert network_name(TrainingConfig(hidden=(8,), dataset="sine", output="identity")) == "8 tanh hidden units"
    custom = TrainingConfig(dataset="custom", hidden=(8,), output="sigmoid")
    assert network_name(custom) == "8 tanh hidden units, sigmoid output"
    assert network_name(custom, "regression") == "8 tanh hidden units, sigmoid output"
    assert output_name(TrainingConfig(dataset="custom")) == "" and loss_name(TrainingConfig(dataset="custom")) == ""


def test_head_words_always_name_the_head():
    assert head_words(TrainingConfig(), "classification") == "softmax output, cross-entropy loss"
    assert head_words(TrainingConfig(), "regression") == "identity output, squared-error loss"


def test_pictures_name_the_head():
    """Exported pictures' titles and descriptions name a head that is not the task's own; a
    sweep heading names it among what stays fixed, unless it is what varies."""
    xor = preset_config("xor")
    assert run_title(xor) == "xor-table, 3 sigmoid hidden units, sigmoid output, squared-error loss"
    assert metadata(xor, 5000)["Description"].endswith("squared-error loss, step 5000")
    base = TrainingConfig(output="sigmoid")
    assert "sigmoid output" in sweep_heading(Sweep(base, "lr", (0.1, 1.0)))
    assert "sigmoid output" not in sweep_heading(Sweep(base, "output", ("softmax", "sigmoid")))


def test_about_states_both_losses():
    text = about_text()
    assert "cross-entropy" in text and "squared-error" in text and "½Σ(y − t)²" in text


# Remembered ---------------------------------------------------------------------------------

def test_a_remembered_head_that_cannot_learn_a_typed_dataset_is_dropped_with_a_note():
    """Sigmoid and cross-entropy remembered, ``--dataset sine`` typed: cross-entropy cannot
    learn values, so both go back to sine's own, and a note says so."""
    config, notes = start_config({"dataset": "sine"}, TrainingConfig(output="sigmoid", loss="cross-entropy").as_dict())
    assert (config.dataset, config.output, config.loss) == ("sine", None, None)
    assert notes == [("the remembered output sigmoid and loss cross-entropy cannot learn sine (regression), "
                      "so the network uses identity output and squared-error loss")]


def test_a_typed_output_stays_and_only_the_remembered_loss_goes():
    config, notes = start_config({"dataset": "sine", "output": "sigmoid"}, TrainingConfig(loss="cross-entropy").as_dict())
    assert (config.output, config.loss) == ("sigmoid", None)
    assert len(notes) == 1 and notes[0].startswith("the remembered loss cross-entropy cannot learn sine")


def test_a_remembered_head_stays_within_its_task():
    """A head remembered for one task stays on another dataset of that task; typed data of the
    other task starts from its own head, as a change of dataset in the window does."""
    config, notes = start_config({"dataset": "circles"}, TrainingConfig(output="sigmoid").as_dict())
    assert (config.dataset, config.output) == ("circles", "sigmoid") and notes == []
    config, notes = start_config({"dataset": "moons"}, TrainingConfig(dataset="sine", output="sigmoid").as_dict())
    assert (config.dataset, config.output) == ("moons", None)
    config, notes = start_config({}, TrainingConfig(loss="squared-error").as_dict())
    assert config.loss == "squared-error" and notes == []


def test_a_typed_output_over_a_remembered_regression_set_drops_the_set():
    """``--output softmax`` over a remembered sine: the typed output wins, the data are the
    default, and the note names the dataset."""
    config, notes = start_config({"output": "softmax"}, TrainingConfig(dataset="sine").as_dict())
    assert (config.dataset, config.output) == (TrainingConfig.dataset, "softmax")
    assert notes and "dataset" in notes[0]


def test_the_window_opens_on_a_remembered_head_with_a_typed_regression_set(qtbot, tmp_path):
    """End to end through the window's start: the note is in the status bar."""
    import json

    from PyQt5.QtCore import QSettings

    from nnviz.gui import settings as stored
    from nnviz.gui.app import open_window

    store = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    store.setValue(stored.CONFIG, json.dumps(TrainingConfig(output="sigmoid", loss="cross-entropy").as_dict()))
    window = open_window({"dataset": "sine"}, store, points_in_background=False)
    page = WindowPage(window)
    qtbot.addWidget(window)
    try:
        assert (window.controls.output.currentData(), window.controls.loss.currentData()) == ("identity", "squared-error")
        assert "cannot learn sine" in window.statusBar().currentMessage()
    finally:
        window.settings = None
        window.close()
        assert page.session.shutdown()


def test_a_regression_file_opened_under_a_classification_head_takes_its_own(qtbot, make_window, tmp_path):
    """``nnviz --output softmax --loss cross-entropy``, then a CSV file of values: the network
    cannot have softmax outputs, so it takes identity and squared error (it used to fail)."""
    path = tmp_path / "values.csv"
    path.write_text("x,y\n" + "".join(f"{k / 10},{(k % 3) / 2 + 0.05}\n" for k in range(12)))
    window = make_window(TrainingConfig(hidden=5, output="softmax", loss="cross-entropy"))
    page = WindowPage(window)
    window.files.open_data(str(path))
    page.settle(qtbot)
    assert page.dataset.regression and window.errors == []
    assert (page.network.output, page.network.loss) == ("identity", "squared-error")
    assert (window.controls.output.currentData(), window.controls.loss.currentData()) == ("identity", "squared-error")
    assert not _enabled(window.controls.output, "softmax")
