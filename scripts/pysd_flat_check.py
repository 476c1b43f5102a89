#!/usr/bin/env python3
"""Runs Borderflow's flattened XMILE exports in PySD and compares them with Borderflow's own runs.

Not part of CI (PySD takes minutes to install and run). Usage, from the repository root:

    pip install pysd==3.14.3
    cargo build --release
    python3 scripts/pysd_flat_check.py [MODEL ...]

Without arguments it takes the corpus's arrayed, module and macro models (tests/xmile-corpus)
and the SZ-HK model. For each: `borderflow export MODEL --flatten`, `borderflow run MODEL
--csv`, then PySD runs the flattened file and every Borderflow column is compared, under the
flattened name (x[a,b] -> x__a__b, m.v -> m__v), by the corpus's rule:
|pysd - ours| <= 1e-4 * max(|ours|, 1e-2 * peak). Prints one line per model and a summary.
"""
import math
import os
import subprocess
import sys
import tempfile
import warnings

import pandas as pd
import pysd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "borderflow")


def structured(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    return any(tag in text for tag in ("<dimensions>", "<module ", "<macro "))


def default_models():
    corpus = os.path.join(ROOT, "tests", "xmile-corpus", "simlin-test")
    found = []
    for folder in sorted(os.listdir(corpus)):
        if folder in ("conveyors", "queues"):
            continue
        d = os.path.join(corpus, folder)
        for f in sorted(os.listdir(d)):
            if f.endswith((".xmile", ".stmx")) and structured(os.path.join(d, f)):
                found.append(os.path.join(d, f))
    found.append(os.path.join(ROOT, "assets", "models", "szhk.xmile"))
    return found


def flat_name(name):
    out = name.replace("\\n", " ").replace(".", "__").replace("[", "__").replace(",", "__").replace("]", "")
    out = "_".join(out.split(" "))
    return out


def key(name):
    return " ".join(name.replace("_", " ").split()).lower()


def check(model, work):
    flat = os.path.join(work, "flat.xmile")
    ours_csv = os.path.join(work, "ours.csv")
    for cmd in ([BIN, "export", model, "--flatten", "--out", flat], [BIN, "run", model, "--csv", ours_csv]):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return "borderflow failed: " + done.stderr.strip().splitlines()[-1]
    ours = pd.read_csv(ours_csv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pysd.read_xmile(flat)
            theirs = m.run(return_timestamps=list(ours["time"]))
    except Exception as e:  # PySD's own refusal, reported as such
        return "PySD failed: %s: %s" % (type(e).__name__, str(e).splitlines()[0][:160])
    columns = {key(c): c for c in theirs.columns}
    compared, bad, missing = 0, [], []
    for col in ours.columns:
        if col in ("time", "date"):
            continue
        c = columns.get(key(flat_name(col)))
        if c is None:
            missing.append(col)
            continue
        ref = ours[col].to_numpy()
        got = theirs[c].to_numpy()
        peak = max((abs(v) for v in ref if math.isfinite(v)), default=0.0)
        for t, r, g in zip(ours["time"], ref, got):
            compared += 1
            if not (math.isfinite(g) and abs(g - r) <= 1e-4 * max(abs(r), 1e-2 * peak)):
                bad.append("%s at %s: ours %s, PySD %s" % (col, t, r, g))
                break
    if bad or missing:
        return "differs: %d columns differ (%s), %d missing (%s)" % (
            len(bad), "; ".join(bad[:3]), len(missing), ", ".join(missing[:5]))
    return "ok (%d values)" % compared


def main():
    models = sys.argv[1:] or default_models()
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for model in models:
            verdict = check(model, work)
            results[model] = verdict
            print("%-70s %s" % (os.path.relpath(model, ROOT), verdict), flush=True)
    ok = sum(1 for v in results.values() if v.startswith("ok"))
    print("%d of %d models agree with PySD" % (ok, len(results)))
    return 0 if ok == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
