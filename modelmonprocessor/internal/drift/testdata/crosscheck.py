"""Computes the drift distances of docs/drift.md with SciPy and NumPy.

Reads a JSON list of {"bounds", "cur", "ref"} cases on stdin and writes one
{"psi", "jensen_shannon", ...} object per case to stdout. Written from the
definitions alone, so crosscheck_test.go compares two implementations.
"""
import json
import sys

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance


def midpoints(b):
    b = np.asarray(b, dtype=float)
    first = b[0] - (b[1] - b[0]) / 2
    last = b[-1] + (b[-1] - b[-2]) / 2
    return np.concatenate(([first], (b[:-1] + b[1:]) / 2, [last]))


def widths(b):
    b = np.asarray(b, dtype=float)
    inner = np.diff(b)
    return np.concatenate(([inner[0]], inner, [inner[-1]]))


def distances(bounds, cur, ref):
    p = np.asarray(cur, dtype=float)
    q = np.asarray(ref, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    pp, qq = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    out = {
        "psi": float(np.sum((pp - qq) * np.log(pp / qq))),
        "jensen_shannon": float(jensenshannon(p, q, base=2)),
        "hellinger": float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2)),
        "linf": float(np.max(np.abs(p - q))),
        # The CDF at the finite bounds: every cumulative share but the last.
        "ks": float(np.max(np.abs(np.cumsum(p)[:-1] - np.cumsum(q)[:-1]))) if len(bounds) else 0.0,
    }
    if len(bounds) >= 2:
        m = midpoints(bounds)
        mean = np.average(m, weights=q)
        sigma = np.sqrt(np.average((m - mean) ** 2, weights=q))
        sigma = max(sigma, widths(bounds)[int(np.argmax(q))] / np.sqrt(12))
        out["wasserstein"] = float(wasserstein_distance(m, m, p, q) / sigma)
    return out


def main():
    cases = json.load(sys.stdin)
    json.dump([distances(c["bounds"], c["cur"], c["ref"]) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
