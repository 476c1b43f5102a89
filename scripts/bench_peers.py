"""Time Simlin (pysimlin), PySD and Borderflow on one model; see bench_peers.sh."""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

CHECK_VARS = ["Visitors in HK", "Pent up Travel Demand"]
CHECK_TIMES = [0, 100, 500, 1825]


def median_us(fn, runs, warmup=2):
    """Median wall time of fn() in microseconds, after a few untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1000.0)
    return statistics.median(samples)


def report(name, us, runs):
    print(f"engine={name} median_run_us={us:.1f} runs={runs}", flush=True)


def canon(name):
    """Simlin's identifier for a display name ("Visitors in HK" -> visitors_in_hk)."""
    return name.strip().lower().replace(" ", "_")


def bench_simlin(path, runs, check):
    import simlin

    model = simlin.load(path)
    # Headline: Model.run(analyze_loops=False). Per call this creates a fresh
    # Sim (simlin_sim_new), runs it to the end, and also does a structural
    # loop enumeration FFI call (Model.loops) even with analyze_loops=False.
    # The results DataFrame is built lazily, so it is NOT part of the timing.
    us = median_us(lambda: model.run(analyze_loops=False), runs)
    report("simlin", us, runs)

    # Breakdown: the bare simulation, without Model.run's extras.
    def simulate():
        model.simulate().run_to_end()

    report("simlin_simulate", median_us(simulate, runs), runs)
    sim = model.simulate()

    def rerun():
        sim.reset()
        sim.run_to_end()

    report("simlin_reset_run", median_us(rerun, runs), runs)

    if check:
        df = model.run(analyze_loops=False).results
        print(f"check simlin steps={len(df)} t_end={df.index[-1]!r}")
        for var in CHECK_VARS:
            series = df[canon(var)]
            reset_series = sim.get_series(canon(var))  # from the reused Sim
            assert list(reset_series) == list(series), "reset run differs"
            for t in CHECK_TIMES:
                print(f"check simlin {var!r} t={t} value={float(series.loc[float(t)])!r}")
    return us


def bench_pysd(path, runs, check):
    import pysd

    # read_xmile writes a translated .py next to the model: use a temp copy so
    # nothing is written beside the shared model file.
    tmp = tempfile.mkdtemp(prefix="bench-pysd-")
    try:
        copy = shutil.copy(path, tmp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pysd.read_xmile(copy)
        # Each model.run() re-initialises stocks ('original' initial
        # condition), simulates every step and builds a DataFrame of all
        # variables (PySD's default return columns).
        us = median_us(model.run, runs, warmup=1)
        report("pysd", us, runs)
        if check:
            df = model.run()
            print(f"check pysd steps={len(df)} t_end={df.index[-1]!r}")
            for var in CHECK_VARS:
                for t in CHECK_TIMES:
                    print(f"check pysd {var!r} t={t} value={float(df[var].loc[t])!r}")
        return us
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_borderflow(root, path, runs):
    exe = os.path.join(root, "target", "release", "borderflow")
    if not os.path.exists(exe):
        print(f"engine=borderflow missing: {exe} not found; "
              "run `cargo build --release` (or pass --build)")
        return None
    out = subprocess.run([exe, "bench", path, "--runs", str(runs)],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"median_run_us=([0-9.eE+-]+)", out)
    if not m:
        print(f"engine=borderflow unparsable output: {out.strip()!r}")
        return None
    us = float(m.group(1))
    report("borderflow", us, runs)
    return us


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("model", nargs="?")
    ap.add_argument("runs", nargs="?", type=int, default=50)
    ap.add_argument("--pysd-runs", type=int, default=20)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    model = a.model
    if model is None:
        model = os.path.join(a.root, "benches", "hk_reopening.xmile")
    model = os.path.abspath(model)
    if not os.path.exists(model):
        sys.exit(f"model not found: {model}")
    print(f"model={model}")

    simlin_us = bench_simlin(model, a.runs, a.check)
    pysd_us = bench_pysd(model, a.pysd_runs, a.check)
    bf_us = bench_borderflow(a.root, model, a.runs)
    if bf_us:
        print(f"ratio simlin/borderflow={simlin_us / bf_us:.2f}")
        print(f"ratio pysd/borderflow={pysd_us / bf_us:.2f}")


if __name__ == "__main__":
    main()
