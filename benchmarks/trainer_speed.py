"""Training speed on the seed tutorial's workload: moons (200 points, noise 0.2), tanh hidden
layers, full-batch gradient descent with L2; side by side in one run.

Run: python benchmarks/trainer_speed.py [--steps 20000] [--repeats 3] [--hidden 3 50 200]
     python benchmarks/trainer_speed.py --deep [--repeats 3]
The first compares one hidden layer with the seed's own loop (which has one). ``--deep`` runs
the shapes 8x8, 50x50x50 and 200x200x200x200x200x200 (steps scaled so a run takes about a
second) in float32 and in float64 against scikit-learn's MLPClassifier and PyTorch on the CPU,
each in that dtype. Prints medians and ratios; asserts nothing. PyTorch is measured when it is
installed and skipped otherwise (it is never a dependency of nnviz).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from itertools import pairwise
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from seed_loop import EPSILON, REG_LAMBDA, build_model, tutorial_data

from nnviz.core.config import shape_name, tutorial_config
from nnviz.core.training.experiment import build_trainer

TUTORIAL_LR = EPSILON * 200  # the seed's epsilon in our mean-gradient convention (2.0)
DEEP_LR = 0.1  # deep tanh networks diverge at the tutorial's rate


def seed(X, y, hidden: int, steps: int, lr: float = TUTORIAL_LR) -> float:
    started = time.perf_counter()
    build_model(X, y, hidden, steps)
    return time.perf_counter() - started


def nnviz(dtype: str):
    def run(X, y, hidden, steps: int, lr: float = TUTORIAL_LR) -> float:
        trainer = build_trainer(tutorial_config().replace(hidden=hidden, dtype=dtype, lr=lr), log_every=1000)
        started = time.perf_counter()
        if trainer.step(steps) != steps:
            raise RuntimeError(f"{hidden} diverged at lr {lr}: the timing would mean nothing")
        return time.perf_counter() - started

    return run


def sklearn(X, y, hidden, steps: int, lr: float = TUTORIAL_LR) -> float:
    """MLPClassifier with the same updates: full-batch SGD, no momentum, constant rate, L2
    (in the dtype of ``X``, which it keeps)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=_widths(hidden), activation="tanh", solver="sgd", batch_size=len(X),
        learning_rate="constant", learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
        alpha=REG_LAMBDA, max_iter=steps, tol=0.0, n_iter_no_change=steps + 1, shuffle=False, random_state=0,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - started


def torch_cpu(X, y, hidden, steps: int, lr: float = TUTORIAL_LR) -> float:
    """The same network in PyTorch on the CPU, in the dtype of ``X``, plain full-batch descent."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    Xt, yt = torch.tensor(X, dtype=dtype), torch.tensor(y)
    sizes = (2, *_widths(hidden), 2)
    layers = []
    for fan_in, fan_out in pairwise(sizes):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1]).to(dtype)
    weights = [layer.weight for layer in model if isinstance(layer, torch.nn.Linear)]
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    l2 = REG_LAMBDA / len(X)
    started = time.perf_counter()
    for _ in range(steps):
        optimiser.zero_grad()
        loss = loss_fn(model(Xt), yt) + 0.5 * l2 * sum((w * w).sum() for w in weights)
        loss.backward()
        optimiser.step()
    return time.perf_counter() - started


def _widths(hidden) -> tuple[int, ...]:
    return (hidden,) if isinstance(hidden, int) else tuple(hidden)


DEEP = {(8, 8): 5000, (50, 50, 50): 2000, (200,) * 6: 100}  # shape: steps


def deep(repeats: int) -> None:
    """nnviz against scikit-learn and PyTorch at depth, in float32 and float64."""
    X64, y = tutorial_data()
    runs = {"nnviz": lambda dtype: nnviz(dtype), "scikit-learn MLPClassifier": lambda dtype: sklearn}
    try:
        import torch  # noqa: F401

        runs["PyTorch CPU"] = lambda dtype: torch_cpu
    except ImportError:
        print("PyTorch is not installed: skipped.")
    print(f"Full-batch steps on the tutorial's moons, tanh, lr {DEEP_LR}, medians of {repeats} "
          "(steps/s; x = nnviz's speed over it)")
    for dtype in ("float32", "float64"):
        X = X64.astype(dtype)
        print(f"{dtype:<28}" + "".join(f"{shape_name(shape):>26}" for shape in DEEP))
        rates = {name: {} for name in runs}
        with threadpool_limits(1):
            for shape, steps in DEEP.items():
                times = {name: [] for name in runs}
                for _ in range(repeats):  # interleaved, so every contender sees the same load
                    for name, make in runs.items():
                        times[name].append(make(dtype)(X, y, shape, steps, DEEP_LR))
                for name in runs:
                    rates[name][shape] = steps / statistics.median(times[name])
        for name in runs:
            cells = [f"{rates[name][shape]:>12,.0f} {rates['nnviz'][shape] / rates[name][shape]:>6.2f}x" for shape in DEEP]
            print(f"{name:<28}" + "".join(f"{c:>26}" for c in cells))


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
    parser.add_argument("--deep", action="store_true", help="the deep shapes against scikit-learn and PyTorch")
    args = parser.parse_args()
    if args.deep:
        deep(args.repeats)
        return
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
