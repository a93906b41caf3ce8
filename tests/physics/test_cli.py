import json

import pytest

from mlsyslabs.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_eval_json_has_the_contract_fields(capsys):
    code, out, _ = run(capsys, "eval", "--model", "llama3-8b", "--device", "h100-sxm", "--phase", "decode",
                       "--batch", "4", "--seq-len", "2048", "--precision", "fp16", "--json")
    d = json.loads(out)
    assert code == 0
    for k in ["ttft_s", "itl_s", "tokens_per_s", "weights_bytes", "kv_cache_bytes", "memory_bytes", "fits", "bound",
              "arithmetic_intensity", "model", "device", "batch", "seq_len", "precision", "assumptions"]:
        assert k in d, k
    assert d["batch"] == 4 and d["seq_len"] == 2048 and d["bound"] in ("compute", "memory")
    assert d["tokens_per_s"] == pytest.approx(4 / d["itl_s"])
    assert d["assumptions"]["memory_fraction"] == 0.9


def test_eval_text_scorecard_states_assumptions(capsys):
    code, out, _ = run(capsys, "eval", "--model", "llama3-70b", "--device", "l4", "--phase", "prefill",
                       "--seq-len", "512")
    assert code == 0 and "NO (out of memory)" in out and "assumptions:" in out and "compute_efficiency=0.5" in out


def test_unknown_id_exits_2_with_suggestions(capsys):
    code, out, err = run(capsys, "eval", "--model", "llama-3-8b", "--device", "h100-sxm")
    assert code == 2 and "llama3-8b" in err and "Traceback" not in err
    code, out, _ = run(capsys, "eval", "--model", "llama3-8b", "--device", "h100", "--json")
    d = json.loads(out)
    assert code == 2 and "h100-sxm" in d["suggestions"] and "unknown device" in d["error"]


def test_out_of_range_names_the_argument(capsys):
    code, out, _ = run(capsys, "eval", "--model", "llama3-8b", "--device", "h100-sxm", "--batch", "0", "--json")
    assert code == 2 and "batch must be an integer >= 1" in json.loads(out)["error"]
    code, _, err = run(capsys, "eval", "--model", "llama3-8b", "--device", "h100-sxm", "--compute-efficiency", "2")
    assert code == 2 and "compute_efficiency must lie in (0, 1]" in err


def test_zoo_lists_with_sources(capsys):
    code, out, _ = run(capsys, "zoo", "devices", "--sources")
    assert code == 0 and "h100-sxm" in out and "datasheet" in out
    code, out, _ = run(capsys, "zoo", "models", "--json")
    models = json.loads(out)
    assert any(m["id"] == "mixtral-8x7b" and m["active_params"] < m["params"] for m in models)
    assert all(m["sources"] for m in models)


def test_validate_json(capsys):
    code, out, _ = run(capsys, "validate", "--json")
    d = json.loads(out)
    assert code == 0 and len(d["anchors"]) >= 14 and "throughput" in d["summary"]
    assert all({"predicted", "measured", "relative_error", "implied_efficiency"} <= set(a) for a in d["anchors"])


def test_closed_pipe_is_not_a_traceback():
    import subprocess
    import sys

    p = subprocess.run(f"{sys.executable} -m mlsyslabs.cli validate | head -1", shell=True, capture_output=True,
                       text=True)
    assert "Traceback" not in p.stderr and p.stdout.startswith("Engine vs published")
