"""The linear baseline: logistic regression on the same data, as in the seed tutorial's first
figure, so the gain from the hidden layer can be seen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.data.datasets import Dataset


@dataclass(frozen=True)
class LinearBaseline:
    """A fitted multinomial logistic regression: ``p = softmax(X @ coef + intercept)``."""

    coef: np.ndarray  # (features, classes)
    intercept: np.ndarray  # (classes,)
    train_accuracy: float
    test_accuracy: float  # NaN without a test set

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(len(X), classes)``."""
        z = np.asarray(X, dtype=np.float64) @ self.coef + self.intercept
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


def fit_linear_baseline(data: Dataset) -> LinearBaseline | None:
    """Logistic regression (scikit-learn, default C = 1) on ``data``'s training points, with
    one set of weights per class; a few milliseconds for 5000 points. None when the training
    points hold fewer than two classes (there is nothing to separate)."""
    if len(np.unique(data.y_train)) < 2:
        return None
    # Imported here for the same reason as in datasets: scikit-learn is slow to import.
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=1000).fit(data.X_train, data.y_train)
    classes = data.classes
    coef = np.zeros((data.columns, classes))
    intercept = np.full(classes, -np.inf)  # a class with no training point is never predicted
    if len(model.classes_) == 2:  # scikit-learn keeps one column for two classes: log-odds of the second
        coef[:, model.classes_[1]] = model.coef_[0]
        intercept[model.classes_] = (0.0, model.intercept_[0])
    else:
        coef[:, model.classes_] = model.coef_.T
        intercept[model.classes_] = model.intercept_

    def accuracy(X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(np.argmax(X @ coef + intercept, axis=1) == y)) if len(y) else np.nan

    return LinearBaseline(coef, intercept, accuracy(data.X_train, data.y_train), accuracy(data.X_test, data.y_test))
