"""Engine speed: import time, one scalar evaluation, and a >= 10^6-point sweep.
Prints one JSON line. Targets (2-core machine): import < 0.3 s, scalar < 50 us,
>= 1e6 points/s, a full parallel-training plan for a 405B model on 16,384 GPUs < 1 s, a 6-point
serve-load sweep < 0.5 s. Run: python benchmarks/engine_sweep.py"""
import json
import statistics
import subprocess
import sys
import time


def import_seconds(repeats: int = 5) -> float:
    code = "import time; t = time.perf_counter(); import mlsyslabs.physics; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeats)]
    return statistics.median(runs)


def main() -> None:
    imp = import_seconds()
    from mlsyslabs import physics as P

    samples = []
    for _ in range(2000):
        t = time.perf_counter()
        P.estimate("llama3-8b", "h100-sxm", phase="decode", batch=8, seq_len=2048, precision="bf16")
        samples.append(time.perf_counter() - t)
    scalar_us = statistics.median(samples) * 1e6

    devices = [d.id for d in P.DEVICES.values() if d.tier in ("cloud", "edge") and d.memory_bw and d.memory_bytes][:10]
    models = list(P.TRANSFORMERS)[:10]
    batches = list(range(1, 51))
    precisions = ["bf16", "fp8", "int8", "int4"]
    contexts = [128 * i for i in range(1, 51)]
    P.sweep(devices=devices[:1], models=models[:1], batches=[1], precisions=["bf16"], contexts=[128])  # warm NumPy
    t = time.perf_counter()
    out = P.sweep(devices=devices, models=models, batches=batches, precisions=precisions, contexts=contexts)
    sweep_s = time.perf_counter() - t
    points = out["itl_s"].size
    plan_runs = []
    for _ in range(3):  # full planner search: 405B on 16,384 H100 (every tp, pp, dp, microbatch, v, zero, recompute)
        t = time.perf_counter()
        plan = P.plan("llama3-405b", "h100-sxm", gpus=16384, seq_len=8192, global_batch_tokens=16 * 2**20)
        plan_runs.append(time.perf_counter() - t)
    load_runs = []
    for _ in range(3):  # serve-load sweep, 6 points: Llama-3.3-70B FP8 on 2x H100 (TP2), 5000 in / 500 out
        t = time.perf_counter()
        P.serve_load_sweep("llama3-70b", "h100-sxm", tp=2, precision="fp8", isl=5000, osl=500,
                           concurrency=[1, 5, 25, 50, 100, 250])
        load_runs.append(time.perf_counter() - t)
    print(json.dumps({"import_s": round(imp, 4), "scalar_eval_us": round(scalar_us, 2), "sweep_points": int(points),
                      "sweep_s": round(sweep_s, 4), "points_per_s": round(points / sweep_s),
                      "plan_405b_16k_gpus_s": round(statistics.median(plan_runs), 4),
                      "plan_configs_searched": plan.searched, "plan_configs_fit": plan.fit,
                      "serve_load_6_points_s": round(statistics.median(load_runs), 4),
                      "targets": {"import_s": 0.3, "scalar_eval_us": 50, "points_per_s": 1e6, "plan_s": 1.0,
                                  "serve_load_s": 0.5}}))


if __name__ == "__main__":
    main()
