"""PyTorch half of the same-start check (see same-start.ts): trains the model from the engine's initial
weights on the same batches and prints both loss curves and test accuracies.

    /usr/bin/python3 scripts/reference/same_start.py mlp1 843 /tmp/same-start
"""
import os
import json, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
import importlib.util
spec = importlib.util.spec_from_file_location('ref', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pytorch_reference.py')); ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
torch.set_num_threads(1)
name = sys.argv[1]; steps = int(sys.argv[2]); out = sys.argv[3] if len(sys.argv) > 3 else '/tmp/same-start'
xtr, ytr, xte, yte = ref.load_mnist()
model = ref.MODELS[name][0]()
init = json.load(open(f'{out}/{name}-init.json'))
linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
with torch.no_grad():
    for i, lin in enumerate(linears):
        k = np.array(init[2*i]['values'], dtype=np.float32).reshape(init[2*i]['shape'])
        lin.weight.copy_(torch.from_numpy(k.T.copy()))
        lin.bias.copy_(torch.from_numpy(np.array(init[2*i+1]['values'], dtype=np.float32)))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
losses = []
for s in range(steps):
    x = xtr[s*64:(s+1)*64]; y = ytr[s*64:(s+1)*64]
    opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step(); losses.append(loss.item())
with torch.no_grad():
    acc = (model(xte).argmax(1) == yte).float().mean().item()*100
tf = json.load(open(f'{out}/{name}-tfjs.json'))
print(name, 'torch test accuracy %.2f' % acc, 'tfjs %.2f' % tf['testAccuracy'])
a = np.array(losses); b = np.array(tf['losses'])
for s in [0,1,2,5,10,20,50,100,200,400,842]:
    if s < len(a): print(f'  step {s}: torch {a[s]:.6f} tfjs {b[s]:.6f} rel {abs(a[s]-b[s])/a[s]:.2e}')
print('  mean loss over steps 0-99: torch %.5f tfjs %.5f; 743-842: torch %.5f tfjs %.5f' % (a[:100].mean(), b[:100].mean(), a[-100:].mean(), b[-100:].mean()))
