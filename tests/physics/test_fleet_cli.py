"""`mlsyslabs serve-load | reliability | footprint`: contract fields, JSON, errors exit 2."""
import json

import pytest

from mlsyslabs.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_serve_load_json_points(capsys):
    code, out, _ = run(capsys, "serve-load", "--model", "llama3-70b", "--device", "h100-sxm", "--tp", "2",
                       "--precision", "fp8", "--isl", "5000", "--osl", "500", "--concurrency", "1,5,25,100", "--json")
    d = json.loads(out)
    assert code == 0 and len(d["points"]) == 4
    for p in d["points"]:
        for k in ("ttft_s", "itl_s", "e2e_s", "per_user_tokens_per_s"):
            assert set(p[k]) >= {"p50", "p90", "p99"}
        assert p["tokens_per_s"] > 0 and p["kv_slots"] == 81 and p["max_batch"] == 256
    assert d["points"][-1]["limits_hit"] == ["kv_slots"]


def test_serve_load_rate_text_and_unbounded(capsys):
    code, out, _ = run(capsys, "serve-load", "--model", "llama3-8b", "--device", "h100-sxm", "--precision", "fp8",
                       "--isl", "1000", "--osl", "200", "--rate", "5,1000")
    assert code == 0 and "TTFT p50/p90/p99" in out and "unbounded" in out and "unstable" in out
    code, out, _ = run(capsys, "serve-load", "--model", "llama3-8b", "--device", "h100-sxm", "--isl", "1000",
                       "--osl", "200", "--rate", "1000", "--json")
    p = json.loads(out)["points"][0]
    assert code == 0 and p["stable"] is False and p["ttft_s"]["p99"] is None


def test_reliability_json(capsys):
    code, out, _ = run(capsys, "reliability", "--gpus", "16384", "--days", "54", "--checkpoint-bytes", "5.67e12",
                       "--write-bw", "2e12", "--json")
    d = json.loads(out)
    assert code == 0 and d["expected_interruptions"] == pytest.approx(419)
    assert d["job_mtbf_h"] == pytest.approx(3.09, rel=0.01) and 0 < d["goodput"] < 1
    assert d["checkpoint_interval_s"] > 0
    code, out, _ = run(capsys, "reliability", "--gpus", "1024", "--days", "30")
    assert code == 0 and "expected interruptions" in out


def test_footprint_json(capsys):
    code, out, _ = run(capsys, "footprint", "--gpus", "8", "--hours", "10", "--device", "h100-sxm", "--region",
                       "france", "--pue", "1.2", "--json")
    d = json.loads(out)
    assert code == 0
    assert d["energy_kwh"] == pytest.approx(8 * 10 * 0.7 * 1.2)
    for k in ("co2_kg", "water_l", "cost_usd"):
        assert d[k] > 0


@pytest.mark.parametrize("args,needle", [
    (["serve-load", "--model", "llama3-405b", "--device", "h100-sxm", "--precision", "fp16", "--isl", "100",
      "--osl", "10", "--concurrency", "1"], "does not fit"),
    (["serve-load", "--model", "llama3-8b", "--device", "h100-sxm", "--isl", "100", "--osl", "10",
      "--concurrency", "1,x"], "--concurrency must be"),
    (["reliability", "--gpus", "0", "--days", "1"], "gpus must be"),
    (["footprint", "--gpus", "8", "--hours", "1", "--device", "h100-sxm", "--region", "mars"], "region"),
    (["footprint", "--gpus", "8", "--hours", "1", "--device", "h100", "--pue", "1.1"], "unknown device")])
def test_errors_are_one_line_and_exit_2(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 2 and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, *args, "--json")
    assert code == 2 and needle in json.loads(out)["error"]
