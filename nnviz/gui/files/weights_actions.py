"""File > Open weights and Save weights, and weights files dropped or opened: tutorial ``002``'s
dictionary as JSON (:mod:`nnviz.core.io.weights_file`), into the network as it is when they fit
it, else into the file's network. Part of :class:`~nnviz.gui.files.file_actions.FileActions`
(its writer thread, dialogs and messages), kept apart as the one concern it is."""

from __future__ import annotations

from PyQt5.QtWidgets import QFileDialog

from nnviz.core.config import ConfigError
from nnviz.core.data.datasets import CUSTOM
from nnviz.core.io import weights_file
from nnviz.core.io.weights_file import WeightsError, WeightsFile
from nnviz.core.model.network import MLP
from nnviz.core.naming import network_name
from nnviz.core.training.experiment import build_network

WEIGHTS_SUFFIX = ".json"


class WeightsActions:
    """The weights files' part of :class:`~nnviz.gui.files.file_actions.FileActions`, whose
    ``session``, ``view``, signals and writing it uses."""

    def save_weights(self, path: str) -> None:
        """The weights of the network shown, as JSON: the moment replayed, or else the trainer's
        as soon as it is back from the training process (training carries on)."""
        moment = self.view.moment
        if moment is not None:
            self._write_weights(moment.network.copy(), path, f"the weights of step {moment.step:,} (the moment shown)")
            return
        self.session.with_trainer(lambda trainer: self._write_weights(
            trainer.network.copy(), path, f"the weights of step {trainer.step_count:,}"))

    def _write_weights(self, network: MLP, path: str, what: str) -> None:
        def write() -> str:  # on the writer thread: a big network's JSON text takes seconds
            try:
                weights_file.save_weights(network, path)
            except WeightsError as error:
                return str(error)
            return ""

        self._write_later(write, path, what)

    def open_weights(self, path: str) -> bool:
        """Carry on from the weights in ``path`` (see :meth:`use_weights`)."""
        try:
            weights = weights_file.read_weights(path)
        except WeightsError as error:
            self.error.emit(str(error))
            return False
        return self.use_weights(weights)

    def use_weights(self, weights: WeightsFile) -> bool:
        """Carry on from ``weights``: into the network as it is when they fit it and the file
        names nothing else; otherwise the network becomes the file's (its hidden layers, and its
        activation, output and inputs where it names them), as if the user had set them, and
        starts from its weights. Weights that no network on these points can take are refused
        with a sentence (False), and nothing changes."""
        config = self.session.config
        task = self.session.dataset.task
        try:
            wanted = weights.config_for(config, task).validated()
            network = build_network(wanted, self.session.dataset)  # (only its shape is used)
        except ConfigError as error:
            self.error.emit(f"Cannot start from {weights.name}: {str(error).rstrip('.')}.")
            return False
        data = "your data" if config.dataset == CUSTOM else f"the {config.dataset} data"
        if problem := weights.misfit(network, data):
            self.error.emit(problem)
            return False
        if wanted != config:
            self.opened.emit(wanted)
            self.session.apply(wanted)
            became = f"the network is now the file's ({network_name(wanted, task)}); "
        else:
            became = ""
        self.session.set_weights(weights.network().flat)  # the flat layout depends on the shape alone
        then = "training carries on from them" if self.session.is_running else "press Space to train on from them"
        self.status.emit(f"Opened the weights in {weights.name}: {became}{then}.", 8000)
        return True

    def ask_save_weights(self) -> None:
        self._ask_save(self.save_weights, "Save weights", self.default_name(WEIGHTS_SUFFIX),
                       f"Weights as JSON (*{WEIGHTS_SUFFIX})")

    def ask_open_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window_widget, "Open weights", self.dialog_path(),
                                              f"Weights as JSON (*{WEIGHTS_SUFFIX});;All files (*)")
        if self.chosen(path):
            self.open_weights(path)
