"""The Help menu's texts: the keys, a short getting started, and About (what a step computes)."""

from __future__ import annotations

import html
import math

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QMessageBox, QWidget

from nnviz.core.model.optimizers import (
    ADAGRAD_EPS,
    ADAM_BETAS,
    ADAM_EPS,
    RMSPROP_ALPHA,
    RMSPROP_EPS,
)

# The keys as the README's "Keys" bullet names them (a test holds the two together), and the
# keys of the menus it leaves out.
KEYS = (
    ("Space", "train/pause"),
    ("S", "one step"),
    ("R", "reset"),
    ("N", "new data"),
    ("P", "pin the picture (Compare > Pinned)"),
    ("L", "log scale"),
    ("Shift+L", "log steps"),
    ("B", "linear baseline"),
    ("D", "draw"),
    ("H", "hidden-units panel"),
    ("+ and −", "faster and slower"),
    ("← and →", "the kept moment before and after"),
    ("End", "the latest step"),
    ("Ctrl+O", "open a run, an nnviz picture or points"),
    ("Ctrl+S", "save the run"),
    ("Ctrl+Shift+O", "open points"),
    ("Ctrl+E", "export plots"),
    ("Ctrl+Shift+E", "export window"),
    ("Ctrl+Shift+C", "copy plots"),
    ("Ctrl+M", "export movie"),
    ("Ctrl+Q", "quit"),
)

# The Explain tab's own keys (they act while it is in view).
EXPLAIN_KEYS = (
    ("← and →", "the phase before and after: forward layer by layer, the loss, backward, the update"),
    ("Double-click", "a unit: set its bias (a click on an edge sets its weight)"),
)

GETTING_STARTED = """<h3>Getting started</h3>
<ol>
<li><b>Space</b> (or <i>Train</i>) trains the network on the points; Space again pauses,
<b>S</b> takes one step. The decision boundary, the hidden units, the figures and the loss curve
move as it learns. The <i>Speed</i> box slows it down to watch every step.</li>
<li>On the left, change the <i>data</i> (dataset, noise, <i>New data</i>, or draw your own with
<b>D</b>) or the <i>network</i> (hidden layers, units, activation, output and loss): a fresh network starts at
once. The optimiser, learning rate and the rest apply while it trains.</li>
<li>The <i>slider under the plots</i> goes back to any kept moment of the run (<b>←</b> and
<b>→</b> too); <i>Replay</i> plays them, <i>Continue from here</i> trains on from the moment
shown.</li>
<li>The <i>Compare</i> tab trains several networks side by side (<i>Run sweep</i>): one setting
takes each of a list of values. <b>P</b> pins the Train view's picture there.</li>
<li>The <i>Explain</i> tab walks one point through the network, forward and back (<b>←</b> and
<b>→</b>), with every number and the formula behind it; click an edge to set its weight.</li>
<li><i>File</i> saves the run to carry on later, and exports pictures, tables and movies.</li>
</ol>
<p>Hover over a control to read what it does.</p>"""

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(value: float) -> str:
    """``value`` as the About text writes it: a power of ten as 10⁻⁸, anything else as 0.999."""
    exponent = round(math.log10(value))
    return f"10{str(exponent).translate(SUPERSCRIPTS)}" if value == 10.0**exponent else f"{value:g}"


def update_rules() -> tuple[tuple[str, str], ...]:
    """What one step does, rule by rule (README, Conventions), with the constants the rules
    use in nnviz/core/optimizers.py."""
    alpha, beta1, beta2 = RMSPROP_ALPHA, *ADAM_BETAS
    a, b1, b2 = _number(alpha), _number(beta1), _number(beta2)
    return (
        ("sgd", "w −= lr·g; with momentum m: b = m·b + g, w −= lr·b"),
        ("nesterov", "b = m·b + g, w −= lr·(g + m·b)"),
        ("adagrad", f"s += g², w −= lr·g / (√s + {_number(ADAGRAD_EPS)})"),
        ("rmsprop", f"v = {a}·v + {_number(1 - alpha)}·g², w −= lr·g / (√v + {_number(RMSPROP_EPS)})"),
        ("adam", (f"a = {b1}·a + {_number(1 - beta1)}·g, v = {b2}·v + {_number(1 - beta2)}·g², "
                  f"w −= lr / (1 − {b1}ᵗ) · a / (√v / √(1 − {b2}ᵗ) + {_number(ADAM_EPS)})")),
    )


def keys_text() -> str:
    """The keys as a table (rich text)."""
    def table(keys) -> str:
        return "<table>" + "".join(f"<tr><td><b>{html.escape(key)}</b></td><td>&nbsp;&nbsp;{html.escape(what)}</td></tr>"
                                   for key, what in keys) + "</table>"

    return ("<h3>Keyboard shortcuts</h3>" + table(KEYS) + "<p>← → and End act on the timeline of the "
            "tab in view, where the plots or the sweep have focus (in the controls they move the control).</p>"
            "<p><b>In the Explain tab</b> (training pauses while it is in view):</p>" + table(EXPLAIN_KEYS))


def about_text() -> str:
    """What nnviz is, and what its loss and its steps compute (rich text)."""
    rules = "".join(f"<li><b>{name}</b>: {html.escape(rule)}</li>" for name, rule in update_rules())
    return ("<b>nnviz</b><br>Watch a small neural network learn.<br><br>"
            "Loss: the mean over the points of the chosen loss, + l2/2·Σw² (weights only): "
            "<i>cross-entropy</i>, −log y of the true class with softmax outputs, "
            "−Σ[t log y + (1 − t) log(1 − y)] with sigmoid outputs; or <i>squared-error</i>, ½Σ(y − t)², "
            "t the one-hot class or the value (regression).<br>"
            "Step: the chosen optimiser's update, as torch.optim computes it, with g the gradient of "
            f"the loss and t the optimiser's steps so far:<ul>{rules}</ul>")


def show_keys(parent: QWidget) -> QMessageBox:
    """Help > Keyboard shortcuts."""
    return _show_beside(parent, "keyboard-shortcuts", "Keyboard shortcuts", keys_text())


def show_getting_started(parent: QWidget) -> QMessageBox:
    """Help > Getting started."""
    return _show_beside(parent, "getting-started", "Getting started", GETTING_STARTED)


def show_about(parent: QWidget) -> None:
    """Help > About nnviz."""
    QMessageBox.about(parent, "About nnviz", about_text())


def _show_beside(parent: QWidget, name: str, title: str, text: str) -> QMessageBox:
    """A box that may stay open beside the window while the user tries what it says (not
    modal), one of each: asked for again, it comes to the front."""
    box = parent.findChild(QMessageBox, name)
    if box is None:
        box = QMessageBox(QMessageBox.Information, title, text, QMessageBox.Close, parent)
        box.setObjectName(name)
        box.setWindowModality(Qt.NonModal)
    box.show()
    box.raise_()
    return box
