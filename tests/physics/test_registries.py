import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics.units import GB, KiB

REQUIRED_DEVICES = ["h100-sxm", "h100-pcie", "h200", "b200", "a100-80gb", "a100-40gb", "v100", "t4", "l4", "mi300x",
                    "tpu-v4", "tpu-v5e", "jetson-orin-nx-16gb", "jetson-orin-nano", "jetson-agx-orin", "a17-pro",
                    "snapdragon-8-gen-3", "coral-edge-tpu", "raspberry-pi-5", "nrf52840", "stm32h7", "esp32-s3"]
REQUIRED_MODELS = ["gpt2-small", "gpt2-xl", "bert-base", "bert-large", "llama2-7b", "llama2-13b", "llama2-70b",
                   "llama3-8b", "llama3-70b", "llama3-405b", "mistral-7b", "mixtral-8x7b", "gpt3-175b", "resnet18",
                   "resnet50", "mobilenetv2", "efficientnet-b0", "yolov8n", "ds-cnn-kws", "anomaly-mlp"]


def test_registry_sizes_and_required_ids():
    assert len(P.DEVICES) >= 30
    assert len(P.WORKLOADS) >= 25
    assert set(REQUIRED_DEVICES) <= set(P.DEVICES)
    assert set(REQUIRED_MODELS) <= set(P.WORKLOADS)
    assert {d.tier for d in P.DEVICES.values()} == set(P.TIERS)


@pytest.mark.parametrize("dev", list(P.DEVICES.values()), ids=lambda d: d.id)
def test_every_device_is_sourced_and_consistent(dev):
    assert dev.sources and all(isinstance(s, str) and len(s) > 10 for s in dev.sources)
    assert dev.id == dev.id.lower() and " " not in dev.id
    assert dev.peak_flops and all(v > 0 for v in dev.peak_flops.values())
    for prec, sparse in dev.sparse_peak_flops.items():
        # a 2:4 sparse peak is exactly twice the dense one; never stored as the dense figure
        assert sparse == pytest.approx(2 * dev.peak_flops[prec], rel=0.02), prec  # L40S sheet: 362.05 vs 733


@pytest.mark.parametrize("m", list(P.WORKLOADS.values()), ids=lambda m: m.id)
def test_every_workload_is_sourced(m):
    assert m.sources and m.params > 0


@pytest.mark.parametrize("m", list(P.TRANSFORMERS.values()), ids=lambda m: m.id)
def test_transformer_params_computed_within_2_percent_of_published(m):
    assert m.params == pytest.approx(m.published_params, rel=0.02)


def test_exact_parameter_counts_of_released_checkpoints():
    assert P.get_workload("gpt2-small").params == 124_439_808
    assert P.get_workload("bert-base").params == 109_482_240
    assert P.get_workload("llama2-7b").params == 6_738_415_616
    assert P.get_workload("llama3-8b").params == 8_030_261_248


def test_mixtral_active_vs_total():
    m = P.get_workload("mixtral-8x7b")
    assert m.params == pytest.approx(46.7e9, rel=0.01)
    assert m.active_params == pytest.approx(12.9e9, rel=0.02)


def test_h100_dense_is_not_the_sparse_headline():
    h = P.get_device("h100-sxm")
    assert h.peak("bf16") == pytest.approx(989.4e12)
    assert h.peak("bf16", sparse=True) == pytest.approx(1978.9e12)


def test_tier_reference_parts_match_the_briefs():
    assert P.get_device("h100-sxm").memory_bytes == 80 * GB
    assert P.get_device("jetson-orin-nx-16gb").memory_bw == pytest.approx(102.4 * GB)
    assert P.get_device("nrf52840").sram_bytes == 256 * KiB  # binary KiB, not 256,000
    # the microcontroller's compute is its real figure (tens of MFLOPS), not a GPU's
    assert P.get_device("nrf52840").peak("fp32") < 1e9


def test_precisions():
    assert P.bytes_per_element("fp32") == 4 and P.bytes_per_element("bf16") == 2
    assert P.bytes_per_element("int4") == 0.5
    assert P.bytes_per_element("ternary") == pytest.approx(1.585 / 8)
    with pytest.raises(P.PhysicsError, match="precision must be one of"):
        P.bytes_per_element("fp12")


def test_unknown_ids_suggest_the_closest():
    with pytest.raises(P.UnknownIdError) as e:
        P.get_device("h100")
    assert "h100-sxm" in e.value.suggestions
    with pytest.raises(ValueError, match="llama3-8b"):
        P.get_workload("llama3-8")


def test_missing_field_is_a_clear_error():
    with pytest.raises(P.MissingFieldError, match="coral-edge-tpu.*memory_bw"):
        P.estimate("mobilenetv2", "coral-edge-tpu", phase="inference", precision="int8")
