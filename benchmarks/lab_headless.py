"""Per lab: lines of code and the headless run time of the default state plus every
option of every prediction (marimo App.run). Prints one JSON line per lab.
Run: python benchmarks/lab_headless.py"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ["MLSYSLABS_HOME"] = tempfile.mkdtemp()

from labs.harness import prediction_options, run_lab  # noqa: E402

from mlsyslabs.labs.catalog import ready_labs  # noqa: E402


def main() -> None:
    for lab in ready_labs():
        t = time.perf_counter()
        _, defs = run_lab(lab.path)
        preds = {k: v for k, v in defs.items() if k.endswith("_prediction")}
        runs = 1
        for name, element in preds.items():
            for option in prediction_options(element):
                answers = {n: prediction_options(preds[n])[0] for n in preds}
                answers[name] = option
                run_lab(lab.path, answers)
                runs += 1
        total = time.perf_counter() - t
        print(json.dumps({"lab": lab.id, "lines": len(lab.path.read_text().splitlines()), "headless_runs": runs,
                          "total_s": round(total, 2), "per_run_s": round(total / runs, 3)}))


if __name__ == "__main__":
    main()
