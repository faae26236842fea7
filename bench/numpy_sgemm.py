# numpy's sgemm on the benchmark's matmul shapes, for bench/kernels.ts (spawned once).
# stdin: {"shapes": [{"name", "M", "N", "K", "op"?}], "reps": k}, all f32:
#   op "xwT" (default): Y[M, N] = X[M, K] · W[N, K]ᵀ (a linear layer's forward)
#   op "dyW":           dX[M, N] = dY[M, K] · W[K, N] (its input gradient; W is [out, in] = [K, N])
# stdout: {"numpy", "blas": {"loaded", "config"}, "results": [{"name", "seconds"}]}
import contextlib
import io
import json
import sys
import time

import numpy as np


def loaded_blas():
    # The library actually mapped into this process (Debian picks it through alternatives:
    # the reference libblas, or OpenBLAS when libopenblas0-pthread is installed).
    libs = set()
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ''
                low = path.lower()
                if any(s in low for s in ('blas', 'lapack', 'mkl', 'blis', 'atlas')):
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


def show_config():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        np.show_config()
    # Only the section numpy links against (numpy 1.x: blas_opt_info; 2.x: "blas" under Build Dependencies).
    lines = [l.rstrip() for l in buf.getvalue().splitlines()]
    keep, inside = [], False
    for l in lines:
        if l and not l.startswith(' '):
            inside = l.strip().rstrip(':') in ('blas_opt_info', 'blas')
            continue
        if inside and l.strip():
            keep.append(l.strip())
    return keep[:8]


def main():
    req = json.load(sys.stdin)
    reps = max(1, int(req.get('reps', 3)))
    rng = np.random.default_rng(0)
    results = []
    for s in req['shapes']:
        M, N, K = int(s['M']), int(s['N']), int(s['K'])
        x = rng.standard_normal((M, K), dtype=np.float32)
        if s.get('op', 'xwT') == 'dyW':
            w = rng.standard_normal((K, N), dtype=np.float32)
            f = lambda: x @ w
        else:
            w = rng.standard_normal((N, K), dtype=np.float32)
            f = lambda: x @ w.T
        y = f()  # warm-up
        best = float('inf')
        total = 0.0
        for _ in range(reps):
            t0 = time.perf_counter()
            y = f()
            dt = time.perf_counter() - t0
            best = min(best, dt)
            total += dt
        assert y.dtype == np.float32
        results.append({'name': s['name'], 'seconds': total / reps, 'best': best})
    out = {
        'numpy': np.__version__,
        'blas': {'loaded': loaded_blas(), 'config': show_config()},
        'results': results,
    }
    json.dump(out, sys.stdout)


main()
