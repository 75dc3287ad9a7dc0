"""Training speed on scikit-learn's 8x8 digits: nnviz (float32 and float64) against PyTorch on the
CPU and scikit-learn's MLPClassifier, training the same network the same way.

Run: python benchmarks/digits_speed.py [--repeats 7] [--steps 3000]
The task: sklearn.datasets.load_digits (1,797 images, all 10 classes, pixels / 16 so 0-1), 20%
held out for testing; a 64-100-10 network with logistic hidden units, softmax cross-entropy,
plain SGD at learning rate 0.4 on shuffled mini-batches of 50, no L2, one core each. Each variant
trains a fresh network for about ``--steps`` gradient steps (scikit-learn: the matching whole
number of epochs of ``fit``); the variants take turns within each repeat and the order rotates
between repeats, after one warm-up run of each. Prints the median steps per second, the ratio
to nnviz float32 and the test accuracy after the timed run; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from nnviz.core.config import TrainingConfig
from nnviz.core.data.datasets import Dataset, split
from nnviz.core.training.experiment import build_trainer

HIDDEN, LR, BATCH = 100, 0.4, 50

try:
    import torch
except ImportError:  # the PyTorch row is skipped
    torch = None


def digits() -> Dataset:
    X, y = load_digits(return_X_y=True)
    return split("digits", X / 16.0, y, 0.2, np.random.default_rng(0))


def run_nnviz(data: Dataset, steps: int, dtype: str) -> tuple[int, float, float]:
    """(steps done, seconds, test accuracy)."""
    config = TrainingConfig(hidden=(HIDDEN,), activation="sigmoid", lr=LR, l2=0.0, batch_size=BATCH, dtype=dtype)
    trainer = build_trainer(config, data, log_every=10**9)
    started = time.perf_counter()
    trainer.step(steps)
    elapsed = time.perf_counter() - started
    return steps, elapsed, trainer.evaluate().test_accuracy


def run_torch(data: Dataset, steps: int) -> tuple[int, float, float]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(data.columns, HIDDEN), torch.nn.Sigmoid(),
                                torch.nn.Linear(HIDDEN, data.classes))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    X = torch.tensor(data.X_train, dtype=torch.float32)
    y = torch.tensor(data.y_train, dtype=torch.int64)
    n = len(y)
    per_epoch = n // BATCH  # full batches only, as nnviz serves them
    rng = np.random.default_rng(0)
    batches = [torch.from_numpy(order[k * BATCH:(k + 1) * BATCH].copy())
               for order in (rng.permutation(n) for _ in range(math.ceil(steps / per_epoch)))
               for k in range(per_epoch)][:steps]
    started = time.perf_counter()
    for rows in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(X[rows]), y[rows])
        loss.backward()
        optimizer.step()
    elapsed = time.perf_counter() - started
    with torch.no_grad():
        predicted = model(torch.tensor(data.X_test, dtype=torch.float32)).argmax(dim=1).numpy()
    return len(batches), elapsed, float(np.mean(predicted == data.y_test))


def run_sklearn(data: Dataset, steps: int) -> tuple[int, float, float]:
    per_epoch = math.ceil(len(data.y_train) / BATCH)  # the last batch of each epoch is smaller
    epochs = max(1, round(steps / per_epoch))
    model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="logistic", solver="sgd", learning_rate_init=LR,
                          momentum=0.0, nesterovs_momentum=False, batch_size=BATCH, alpha=0.0, max_iter=epochs,
                          tol=0, n_iter_no_change=10**9, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        model.fit(data.X_train, data.y_train)
        elapsed = time.perf_counter() - started
    return epochs * per_epoch, elapsed, float(model.score(data.X_test, data.y_test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    threadpool_limits(1)
    variants = {
        "nnviz float32": lambda data, steps: run_nnviz(data, steps, "float32"),
        "nnviz float64": lambda data, steps: run_nnviz(data, steps, "float64"),
    }
    if torch is not None:
        torch.set_num_threads(1)
        variants["pytorch float32"] = run_torch
    variants["sklearn float64"] = run_sklearn
    data = digits()
    for run in variants.values():  # warm-up: imports, caches, first allocations
        run(data, 300)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    accuracy: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(args.repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:  # each goes first in turn
            steps, seconds, test_accuracy = variants[name](data, args.steps)
            rates[name].append(steps / seconds)
            accuracy[name].append(test_accuracy)
    base = statistics.median(rates["nnviz float32"])
    print(f"digits 8x8, {len(data.y_train):,} train / {len(data.y_test):,} test, 64-{HIDDEN}-10 sigmoid, "
          f"sgd lr {LR}, batches of {BATCH}, about {args.steps:,} steps (median of {args.repeats}, one core):")
    print(f"  {'variant':<18} {'steps/s':>10}  {'ratio':>5}  {'test accuracy':>13}")
    for name in names:
        median = statistics.median(rates[name])
        print(f"  {name:<18} {median:>10,.0f}  {median / base:5.2f}  {statistics.median(accuracy[name]):>13.1%}")
    if torch is None:
        print("  (pytorch skipped: torch is not installed)")


if __name__ == "__main__":
    main()
