"""Training speed of every output unit and loss, and of regression against its peers; side by
side in one run.

Run: python benchmarks/regression_speed.py [--repeats 5] [--seconds 0.4] [--torch-python PATH]
The first table is nnviz's Trainer on 200 points (no test set; sgd at lr 0.1, l2 1e-4; tanh
hidden layers 10 and 50x50; full batch and mini-batches of 32; float32 and float64) with each
head against softmax with cross-entropy at the same shape, batch and dtype. The second is
full-batch regression on ``sine`` and ``plane`` (one tanh layer of 10 or 50) against
scikit-learn's MLPRegressor (float64) and PyTorch on the CPU (float64 and float32), all three
from the same initial weights and making the same updates (their losses after the run are
printed too, as a check). Each contender runs about ``--seconds`` a turn; they take turns within
a repeat and the order rotates between repeats. Rates are medians; ratios are the medians of
each repeat's ratio (two runs a moment apart see the same load). One core each. Asserts nothing.

PyTorch is never a dependency of nnviz. It runs in a worker process under ``--torch-python``
(default: $NNVIZ_TORCH_PYTHON, else this interpreter), an environment that needs only numpy and
torch; without torch there, its rows say so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

# Only numpy and the standard library up here: the PyTorch worker (this file, --torch-worker)
# runs in an environment of its own, without nnviz, scikit-learn or threadpoolctl.

LR, L2, SAMPLES = 0.1, 1e-4, 200
HEADS = {  # label: (dataset, output, loss); the first is the baseline
    "softmax CE moons": ("moons", "softmax", "cross-entropy"),
    "sigmoid CE moons": ("moons", "sigmoid", "cross-entropy"),
    "softmax SE moons": ("moons", "softmax", "squared-error"),
    "identity SE sine": ("sine", "identity", "squared-error"),
    "identity SE plane": ("plane", "identity", "squared-error"),
}
SHAPES = ((10,), (50, 50))
BATCHES = (None, 32)
DTYPES = ("float32", "float64")
PEER_DATA, PEER_HIDDEN = ("sine", "plane"), (10, 50)


# nnviz -----------------------------------------------------------------------------------------
def trainer(dataset: str, hidden: tuple[int, ...], dtype: str, batch_size: int | None = None,
            output: str | None = None, loss: str | None = None):
    """A fresh trainer on 200 points of ``dataset``, all for training."""
    from nnviz.core.config import TrainingConfig
    from nnviz.core.training.experiment import build_trainer

    config = TrainingConfig(dataset=dataset, samples=SAMPLES, test_fraction=0.0, hidden=hidden, output=output,
                            loss=loss, lr=LR, l2=L2, batch_size=batch_size, dtype=dtype)
    return build_trainer(config, log_every=1000)


def timed_steps(run, steps: int, warm_up: int = 10) -> float:
    """Seconds ``run`` (a trainer) takes for ``steps`` updates, after ``warm_up`` untimed ones
    (its buffers are made on the first)."""
    run.step(warm_up)
    started = time.perf_counter()
    done = run.step(steps)
    elapsed = time.perf_counter() - started
    if done != steps:
        raise RuntimeError(f"diverged after {done} steps: the timing would mean nothing")
    return elapsed


def calibrated_steps(make, seconds: float) -> int:
    """Steps that take ``make()``'s trainer about ``seconds``, in hundreds (by the best of three
    short runs, so a moment of load elsewhere does not shorten every run after it)."""
    rate = 300 / min(timed_steps(make(), 300) for _ in range(3))
    return max(100, int(round(seconds * rate, -2)))


def heads_table(repeats: int, seconds: float) -> None:
    """Each head's steps/s, as a ratio to softmax with cross-entropy at the same shape."""
    from nnviz.core.config import shape_name

    labels = list(HEADS)
    print(f"nnviz Trainer, {SAMPLES} points, sgd lr {LR}, l2 {L2}, tanh: steps/s and x = over {labels[0]} "
          f"(medians of {repeats})")
    print(f"{'shape':<7}{'batch':>6}{'dtype':>9}{'steps':>7}" + "".join(f"{label:>22}" for label in labels))
    for hidden in SHAPES:
        for batch in BATCHES:
            for dtype in DTYPES:
                def make(label, hidden=hidden, batch=batch, dtype=dtype):
                    return lambda: trainer(HEADS[label][0], hidden, dtype, batch, *HEADS[label][1:])

                steps = calibrated_steps(make(labels[0]), seconds)
                times = {label: [] for label in labels}
                for r in range(repeats):
                    for label in labels[r % len(labels):] + labels[:r % len(labels)]:
                        times[label].append(timed_steps(make(label)(), steps))
                cells = [f"{steps / statistics.median(times[label]):>12,.0f} {_ratio(times[labels[0]], times[label]):>6.2f}x"
                         for label in labels]
                print(f"{shape_name(hidden):<7}{batch or SAMPLES:>6}{dtype:>9}{steps:>7}" + "".join(f"{c:>22}" for c in cells),
                      flush=True)


def _ratio(base: list[float], other: list[float]) -> float:
    """The median over repeats of ``other``'s speed over ``base``'s (times of the same repeat)."""
    return statistics.median(b / o for b, o in zip(base, other))


# The peers -------------------------------------------------------------------------------------
class Contender(NamedTuple):
    """One way of training from initial weights: ``run(start, steps) -> (seconds, loss after)``."""

    name: str
    dtype: str
    run: Callable[[list, int], tuple[float, float]]


def nnviz_run(dataset: str, hidden: int, dtype: str):
    def run(_start, steps: int) -> tuple[float, float]:
        t = trainer(dataset, (hidden,), dtype)
        seconds = timed_steps(t, steps, warm_up=0)  # exactly the peers' updates, so the losses compare
        return seconds, t.evaluate().loss

    return run


def sklearn_run(X: np.ndarray, targets: np.ndarray, hidden: int):
    """MLPRegressor making nnviz's updates: full-batch SGD, constant rate, no momentum, squared
    error, L2 ``alpha = l2 * n`` (it divides its penalty by the batch size), from ``start``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    class Started(MLPRegressor):
        def _init_coef(self, fan_in, fan_out, dtype):  # the given weights, not its own Glorot draw
            w, b = self.start.pop(0)
            return np.array(w, dtype=dtype), np.array(b, dtype=dtype)

    def run(start, steps: int) -> tuple[float, float]:
        model = Started(hidden_layer_sizes=(hidden,), activation="tanh", solver="sgd", batch_size=len(X),
                        learning_rate="constant", learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False,
                        alpha=L2 * len(X), max_iter=steps, tol=0.0, n_iter_no_change=steps + 1, shuffle=False,
                        early_stopping=False, random_state=0)
        model.start = list(start)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, targets)
        seconds = time.perf_counter() - started
        if model.n_iter_ != steps:
            raise RuntimeError(f"MLPRegressor made {model.n_iter_} updates, not {steps}")
        error = model.predict(X) - targets
        return seconds, 0.5 * np.mean(error**2) + 0.5 * L2 * sum(np.vdot(w, w) for w in model.coefs_)

    return run


class TorchWorker:
    """The PyTorch half, in a process of its own (``--torch-python``); ``absent`` says why not."""

    def __init__(self, python: str):
        self.process = None
        try:
            self.process = subprocess.Popen([python, __file__, "--torch-worker"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True)
            hello = json.loads(self.process.stdout.readline() or '{"absent": "the worker did not start"}')
        except OSError as error:
            hello = {"absent": str(error)}
        self.absent, self.version = hello.get("absent"), hello.get("torch")

    def runner(self, X: np.ndarray, targets: np.ndarray, dtype: str):
        def run(start, steps: int) -> tuple[float, float]:
            job = {"X": X.tolist(), "t": targets.tolist(), "dtype": dtype, "steps": steps,
                   "start": [(np.asarray(w).tolist(), np.asarray(b).tolist()) for w, b in start]}
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            return answer["seconds"], answer["loss"]

        return run

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()


def torch_worker() -> None:
    """Serve jobs from stdin, one JSON line each: full-batch SGD on a tanh network from the given
    weights, as nnviz trains it; answer each with its seconds and the loss after."""
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"absent": str(error)}), flush=True)
        return
    torch.set_num_threads(1)
    print(json.dumps({"torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        seconds, loss = _torch_job(torch, json.loads(line))
        print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)


def _torch_job(torch, job: dict) -> tuple[float, float]:
    dtype = getattr(torch, job["dtype"])
    X = torch.tensor(job["X"], dtype=dtype)
    targets = torch.tensor(job["t"], dtype=dtype)[:, None]
    layers = []
    for w, b in job["start"]:
        linear = torch.nn.Linear(len(w), len(w[0])).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w, dtype=dtype).T)
            linear.bias.copy_(torch.tensor(b, dtype=dtype))
        layers += [linear, torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])
    linears = [layer for layer in model if isinstance(layer, torch.nn.Linear)]
    # L2 on the weights alone as the optimiser's weight decay (its quickest way): the same update.
    optimiser = torch.optim.SGD([{"params": [layer.weight for layer in linears], "weight_decay": L2},
                                 {"params": [layer.bias for layer in linears], "weight_decay": 0.0}], lr=LR)
    started = time.perf_counter()
    for _ in range(job["steps"]):
        optimiser.zero_grad()
        loss = 0.5 * torch.nn.functional.mse_loss(model(X), targets)
        loss.backward()
        optimiser.step()
    seconds = time.perf_counter() - started
    with torch.no_grad():
        loss = 0.5 * torch.nn.functional.mse_loss(model(X), targets)
        return seconds, float(loss + 0.5 * L2 * sum((layer.weight**2).sum() for layer in linears))


def peers_table(repeats: int, seconds: float, torch_python: str) -> None:
    """nnviz against MLPRegressor and PyTorch on sine and plane, full batch."""
    worker = TorchWorker(torch_python)
    columns = [(dataset, hidden) for dataset in PEER_DATA for hidden in PEER_HIDDEN]
    names = ["nnviz float64", "scikit-learn float64", "PyTorch float64", "nnviz float32", "PyTorch float32"]
    rates = {name: {} for name in names}
    ratios = {name: {} for name in names}
    losses = {name: {} for name in names}
    steps_of = {}
    for dataset, hidden in columns:
        data = trainer(dataset, (hidden,), "float64").data
        X, targets = data.X_train, data.y_train  # the trainer's own points: all 200, no test set
        contenders = [Contender("nnviz float64", "float64", nnviz_run(dataset, hidden, "float64")),
                      Contender("scikit-learn float64", "float64", sklearn_run(X, targets, hidden)),
                      Contender("nnviz float32", "float32", nnviz_run(dataset, hidden, "float32"))]
        if worker.absent is None:
            contenders += [Contender(f"PyTorch {dtype}", dtype, worker.runner(X, targets, dtype)) for dtype in DTYPES]
        starts = {dtype: [(w.copy(), b.copy()) for w, b in zip(t.network.weights, t.network.biases)]
                  for dtype in DTYPES for t in [trainer(dataset, (hidden,), dtype)]}
        steps = steps_of[(dataset, hidden)] = calibrated_steps(
            lambda dataset=dataset, hidden=hidden: trainer(dataset, (hidden,), "float64"), seconds)
        times = {c.name: [] for c in contenders}
        for r in range(repeats):
            for c in contenders[r % len(contenders):] + contenders[:r % len(contenders)]:
                elapsed, losses[c.name][(dataset, hidden)] = c.run(starts[c.dtype], steps)
                times[c.name].append(elapsed)
        for c in contenders:
            rates[c.name][(dataset, hidden)] = steps / statistics.median(times[c.name])
            ratios[c.name][(dataset, hidden)] = _ratio(times[c.name], times[f"nnviz {c.dtype}"])
    worker.close()
    print(f"\nFull-batch regression, {SAMPLES} points, one tanh layer, sgd lr {LR}, l2 {L2}, the same initial "
          f"weights: steps/s and x = nnviz's speed (same dtype) over it (medians of {repeats})")
    print(f"{'':<22}" + "".join(f"{f'{d} {h} hidden':>24}" for d, h in columns))
    print(f"{'steps':<22}" + "".join(f"{steps_of[c]:>24}" for c in columns))
    for name in names:
        if not rates[name]:
            print(f"{name:<22}absent ({worker.absent})")
            continue
        print(f"{name:<22}" + "".join(f"{rates[name][c]:>16,.0f} {ratios[name][c]:>6.2f}x" for c in columns))
    print("Loss after the run (MSE/2 + L2), to show the same updates were made:")
    for name in names:
        if rates[name]:
            print(f"{name:<22}" + "".join(f"{losses[name][c]:>24.10f}" for c in columns))
    if worker.absent is None:
        print(f"(PyTorch {worker.version} via {torch_python})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.4, help="about how long each timed run takes")
    parser.add_argument("--torch-python", default=os.environ.get("NNVIZ_TORCH_PYTHON", sys.executable),
                        help="the Python that has torch (default: $NNVIZ_TORCH_PYTHON, else this one)")
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        torch_worker()
        return
    from threadpoolctl import threadpool_limits

    np.seterr(all="ignore")
    print(f"numpy {np.__version__}")
    with threadpool_limits(1):  # everyone on one BLAS thread: small matrices, a shared 2-core machine
        heads_table(args.repeats, args.seconds)
        peers_table(args.repeats, args.seconds, args.torch_python)


if __name__ == "__main__":
    main()
