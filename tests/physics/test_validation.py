import pytest

from mlsyslabs.physics.validation import ANCHORS, run_anchor, summary, validate


@pytest.mark.parametrize("anchor", ANCHORS, ids=lambda a: a.id)
def test_anchor_inside_its_band(anchor):
    r = run_anchor(anchor)
    assert r.within_band, f"{r.id}: predicted {r.predicted:.4g} vs measured {r.measured:.4g} ({r.relative_error:+.0%})"
    assert anchor.source


def test_every_validation_md_anchor_is_covered():
    ids = {a.id for a in ANCHORS}
    for prefix in ["mlperf-resnet50", "mlperf-bert", "trtllm-llama3.1-8b-128-128", "trtllm-llama3.1-8b-2048-128",
                   "trtllm-llama3.1-8b-2048-2048", "trtllm-llama3.3-70b", "llama3-405b-8k", "llama3-405b-16k",
                   "mlperf-tiny-kws", "mlperf-tiny-vww", "mlperf-tiny-ic", "mlperf-tiny-ad", "deep-compression-alexnet",
                   "deep-compression-vgg16"]:
        assert any(i.startswith(prefix) for i in ids), prefix


def test_implied_efficiency_reproduces_the_measurement():
    # At the implied efficiency, a compute-bound anchor would be predicted exactly.
    from mlsyslabs.physics import max_throughput

    r = run_anchor(next(a for a in ANCHORS if a.id == "trtllm-llama3.1-8b-128-128"))
    exact = max_throughput("llama3-8b", "h100-sxm", input_len=128, output_len=128, precision="fp8",
                           compute_efficiency=r.implied_efficiency)
    assert exact.output_tokens_per_s == pytest.approx(r.measured, rel=0.02)


def test_summary_per_metric():
    s = summary(validate())
    assert set(s) >= {"throughput", "training", "latency", "compression"}
    assert all(v["anchors"] >= 1 and v["mean_abs_error"] >= 0 for v in s.values())
