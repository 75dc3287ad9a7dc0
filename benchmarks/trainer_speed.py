"""Training speed on the seed tutorial's workload: moons (200 points, noise 0.2), one tanh
hidden layer, full-batch gradient descent with L2, 20000 steps; side by side in one run.

Run: python benchmarks/trainer_speed.py [--steps 20000] [--repeats 3] [--hidden 3 50 200]
Prints medians and ratios to the seed's loop; asserts nothing. PyTorch is measured when it
is installed and skipped otherwise (it is never a dependency of nnviz).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from seed_loop import EPSILON, REG_LAMBDA, build_model, tutorial_data

from nnviz.core.config import tutorial_config
from nnviz.core.experiment import build_trainer


def seed(X, y, hidden: int, steps: int) -> float:
    started = time.perf_counter()
    build_model(X, y, hidden, steps)
    return time.perf_counter() - started


def nnviz(dtype: str):
    def run(X, y, hidden: int, steps: int) -> float:
        trainer = build_trainer(tutorial_config().replace(hidden=hidden, dtype=dtype), log_every=1000)
        started = time.perf_counter()
        trainer.step(steps)
        return time.perf_counter() - started

    return run


def sklearn(X, y, hidden: int, steps: int) -> float:
    """MLPClassifier with the same updates: full-batch SGD, no momentum, constant rate, L2."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(hidden,), activation="tanh", solver="sgd", batch_size=len(X),
        learning_rate="constant", learning_rate_init=EPSILON * len(X), momentum=0.0, nesterovs_momentum=False,
        alpha=REG_LAMBDA, max_iter=steps, tol=0.0, n_iter_no_change=steps + 1, shuffle=False, random_state=0,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - started


def torch_cpu(X, y, hidden: int, steps: int) -> float:
    """The same network in PyTorch on the CPU, float32, plain full-batch gradient descent."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    model = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 2))
    weights = [model[0].weight, model[2].weight]
    optimiser = torch.optim.SGD(model.parameters(), lr=EPSILON * len(X))
    loss_fn = torch.nn.CrossEntropyLoss()
    l2 = REG_LAMBDA / len(X)
    started = time.perf_counter()
    for _ in range(steps):
        optimiser.zero_grad()
        loss = loss_fn(model(Xt), yt) + 0.5 * l2 * sum((w * w).sum() for w in weights)
        loss.backward()
        optimiser.step()
    return time.perf_counter() - started


def contenders() -> dict:
    runs = {"seed loop (float64)": seed, "nnviz float32": nnviz("float32"), "nnviz float64": nnviz("float64"),
            "scikit-learn MLPClassifier": sklearn}
    try:
        import torch  # noqa: F401

        runs["PyTorch CPU float32"] = torch_cpu
    except ImportError:
        print("PyTorch is not installed: skipped.")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[3, 50, 200])
    args = parser.parse_args()
    X, y = tutorial_data()
    runs = contenders()
    print(f"{args.steps} full-batch steps on the tutorial's moons, medians of {args.repeats} (steps/s; x = vs the seed)")
    print(f"{'':28}" + "".join(f"{f'{h} hidden':>22}" for h in args.hidden))
    results = {name: {} for name in runs}
    with threadpool_limits(1):  # everyone on one BLAS thread: small matrices, a shared 2-core machine
        for hidden in args.hidden:
            times = {name: [] for name in runs}
            for _ in range(args.repeats):  # interleaved, so every contender sees the same load
                for name, run in runs.items():
                    times[name].append(run(X, y, hidden, args.steps))
            for name in runs:
                results[name][hidden] = statistics.median(times[name])
    for name in runs:
        cells = []
        for hidden in args.hidden:
            rate = args.steps / results[name][hidden]
            ratio = results["seed loop (float64)"][hidden] / results[name][hidden]
            cells.append(f"{rate:>12,.0f} {ratio:>6.2f}x")
        print(f"{name:<28}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
