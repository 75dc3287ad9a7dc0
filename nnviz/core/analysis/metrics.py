"""How a network classifies a set of points: its confusion matrix and each class's precision,
recall and F1 (the report of tutorial ``000``), and its mistakes, most confident first.

The figures are scikit-learn's (``sklearn.metrics``), so the window's live report and
``nnviz train --report`` say what scikit-learn says of the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.data.datasets import Dataset
from nnviz.core.model.network import MLP


@dataclass(frozen=True)
class Classification:
    """The predictions for points ``X`` with true classes ``y`` (``classes`` of them)."""

    y: np.ndarray  # the true classes
    probabilities: np.ndarray  # (points, classes)

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def classes(self) -> int:
        return self.probabilities.shape[1]

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.y)) if len(self.y) else float("nan")

    def confusion(self) -> np.ndarray:
        """``(classes, classes)`` counts: row = true class, column = predicted class."""
        from sklearn.metrics import confusion_matrix

        if not len(self.y):  # (scikit-learn refuses an empty set)
            return np.zeros((self.classes, self.classes), dtype=np.int64)
        return confusion_matrix(self.y, self.predicted, labels=np.arange(self.classes))

    def report(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each class's precision, recall, F1 and support (a class never predicted has
        precision 0, as scikit-learn's report says)."""
        from sklearn.metrics import precision_recall_fscore_support

        if not len(self.y):
            zeros = np.zeros(self.classes)
            return zeros, zeros, zeros, np.zeros(self.classes, dtype=np.int64)
        return precision_recall_fscore_support(self.y, self.predicted, labels=np.arange(self.classes),
                                               zero_division=0)

    def report_text(self, names: tuple[str, ...]) -> str:
        """scikit-learn's classification report, classes named ``names``."""
        from sklearn.metrics import classification_report

        return classification_report(self.y, self.predicted, labels=np.arange(self.classes),
                                     target_names=list(names), zero_division=0, digits=3)

    def mistakes(self) -> np.ndarray:
        """The indices of the misclassified points, the most confidently wrong first (by the
        probability given to the class predicted)."""
        wrong = np.flatnonzero(self.predicted != self.y)
        confidence = self.probabilities[wrong, self.predicted[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")]


def evaluation_set(data: Dataset, limit: int | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """The points a report (and the views of images) looks at: the test set, or the training
    set when none is held out; at most ``limit`` of them, the same ones every time. And which
    set that is ("test" or "training")."""
    X, y, part = (data.X_test, data.y_test, "test") if len(data.y_test) else (data.X_train, data.y_train, "training")
    if limit is not None and len(y) > limit:
        keep = np.sort(np.random.default_rng(0).choice(len(y), limit, replace=False))
        X, y = X[keep], y[keep]
    return X, y, part


def classify(network: MLP, X: np.ndarray, y: np.ndarray) -> Classification:
    """How ``network`` classifies the points ``X`` whose classes are ``y``."""
    return Classification(np.asarray(y), network.predict_proba(X))
