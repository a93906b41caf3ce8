"""`mlsyslabs train | plan | collective | zoo fabrics`: contract fields, --json, errors exit 2."""
import json

import pytest

from mlsyslabs.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_json_has_the_contract_fields(capsys):
    code, out, _ = run(capsys, "train", "--model", "llama3-405b", "--device", "h100-sxm", "--gpus", "16384",
                       "--tp", "8", "--pp", "16", "--seq-len", "8192", "--global-batch-tokens", "16M",
                       "--zero", "2", "--recompute", "none", "--json")
    d = json.loads(out)
    assert code == 0
    for k in ["step_time_s", "tokens_per_s", "model_tflops_per_gpu", "mfu", "hfu", "memory_per_gpu_bytes", "memory",
              "fits", "bubble_fraction", "comm_time_s", "assumptions", "config"]:
        assert k in d, k
    assert {"weights", "grads", "optimizer", "activations"} <= set(d["memory"])
    assert set(d["comm_time_s"]) == {"tp", "cp", "ep", "pp", "dp"}
    assert d["fits"] is True and d["memory_per_gpu_bytes"] < 80e9
    assert d["config"]["dp"] == 128 and d["tokens_per_s"] == pytest.approx(d["tokens_per_step"] / d["step_time_s"])


def test_train_text_card(capsys):
    code, out, _ = run(capsys, "train", "--model", "llama3-70b", "--device", "h100-sxm", "--gpus", "64", "--tp", "8")
    assert code == 0 and "MFU / HFU" in out and "memory per GPU" in out and "assumptions:" in out


def test_plan_json_ranks_configurations_that_fit(capsys):
    code, out, _ = run(capsys, "plan", "--model", "llama3-8b", "--device", "h100-sxm", "--gpus", "16", "--top", "3",
                       "--json")
    d = json.loads(out)
    assert code == 0 and 1 <= len(d["candidates"]) <= 3 and d["searched"] >= d["fit"] >= len(d["candidates"])
    assert all(c["fits"] for c in d["candidates"])
    times = [c["step_time_s"] / c["tokens_per_step"] for c in d["candidates"]]
    assert times == sorted(times)


def test_plan_text_when_nothing_fits(capsys):
    code, out, _ = run(capsys, "plan", "--model", "llama3-405b", "--device", "l4", "--gpus", "8")
    assert code == 0 and "No configuration fits" in out


def test_collective_json(capsys):
    code, out, _ = run(capsys, "collective", "--op", "allreduce", "--algorithm", "ring", "--gpus", "8", "--bytes",
                       "16GiB", "--fabric", "nvlink4", "--json")
    d = json.loads(out)
    assert code == 0 and {"time_s", "algbw", "busbw"} <= set(d)
    assert d["size_bytes"] == 16 * 2**30 and d["busbw"] == pytest.approx(d["algbw"] * 1.75)
    code, out, _ = run(capsys, "collective", "--op", "allgather", "--algorithm", "hierarchical", "--gpus", "64",
                       "--bytes", "1e9", "--fabric", "nvlink4", "--gpus-per-node", "8")
    assert code == 0 and "busbw" in out and "8 nodes" in out


@pytest.mark.parametrize("args,needle", [
    (["collective", "--op", "allreduce", "--gpus", "8", "--bytes", "-5"], "size_bytes"),
    (["collective", "--op", "allreduce", "--gpus", "8", "--bytes", "lots"], "--bytes"),
    (["collective", "--op", "allreduce", "--gpus", "0", "--bytes", "1e6"], "gpus"),
    (["collective", "--op", "allreduce", "--gpus", "8", "--bytes", "1e6", "--fabric", "nvlink9"], "nvlink"),
    (["train", "--model", "llama3-8b", "--device", "h100-sxm", "--gpus", "12", "--tp", "8"], "multiple of tp"),
    (["train", "--model", "llama3-8b", "--device", "h100-sxm", "--gpus", "8", "--zero", "5"], "zero"),
    (["train", "--model", "llama3-8b", "--device", "h100-sxm", "--gpus", "8", "--global-batch-tokens", "x"],
     "global-batch-tokens"),
    (["plan", "--model", "resnet50", "--device", "h100-sxm", "--gpus", "8"], "transformer"),
])
def test_errors_exit_2_with_one_line(capsys, args, needle):
    code, out, err = run(capsys, *args)
    assert code == 2 and needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, *args, "--json")
    assert code == 2 and needle in json.loads(out)["error"]


def test_zoo_fabrics_lists_both_registries_with_sources(capsys):
    code, out, _ = run(capsys, "zoo", "fabrics", "--sources")
    assert code == 0 and "nvlink4" in out and "ib-ndr" in out and "dgx-h100" in out and "topo.h" in out
    code, out, _ = run(capsys, "zoo", "fabrics", "--json")
    d = json.loads(out)
    assert code == 0 and all(f["sources"] for f in d["fabrics"]) and any(c["id"] == "dgx-a100" for c in d["clusters"])
