"""Every public function of the engine (queueing.py, owned elsewhere, and validation.py
aside) checks its input: for valid input no output is negative or NaN (infinity only
where it means 'unbounded'); for NaN, infinities, negatives, out-of-range values and
wrong types it raises the engine's error (a ValueError subclass) naming the argument.

SPECS lists, per function, a Hypothesis strategy for valid keyword arguments and the
invalid values to try per argument; `test_every_public_function_is_specified` fails
when a new public function is added without a spec."""
from __future__ import annotations

import dataclasses
import inspect
import math
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsyslabs import physics as P
from mlsyslabs.physics import (compression, devices, efficiency, fleet, memory, network, operations, pipeline,
                               precisions, roofline, scaling, serving, workflow, workloads)

NAN, INF = float("nan"), float("inf")

# ------------------------------------------------------------------ argument kinds
KINDS = {
    "pos": (st.floats(1e-3, 1e6), [NAN, INF, -1.0, 0.0, "1", None, True]),
    "nonneg": (st.floats(0, 1e6), [NAN, INF, -1.0, "1", None, True]),
    "frac": (st.floats(0.05, 1.0), [NAN, INF, -0.1, 1.5, 0.0, "0.5", None]),
    "frac0": (st.floats(0.0, 1.0), [NAN, -0.1, 1.5, "0.5", None]),
    "int1": (st.integers(1, 64), [0, -1, 1.5, NAN, "2", None, True]),
    "int0": (st.integers(0, 64), [-1, 1.5, NAN, "2", None]),
    "bool": (st.booleans(), ["yes", 1, None]),
    "real": (st.floats(-100, 100), [NAN, INF, "1", None]),
}


def kind(k, lo=None, hi=None):
    """A (strategy, bad values) pair; lo/hi narrow the valid range of a numeric kind."""
    strat, bad = KINDS[k]
    if lo is not None or hi is not None:
        strat = st.integers(lo, hi) if k.startswith("int") else st.floats(lo, hi)
    return strat, bad


def choice(values, bad=("nope", 3, None)):
    return st.sampled_from(list(values)), list(bad)


def fixed(value, bad=()):
    return st.just(value), list(bad)


def maybe(pair):
    """None or the kind (the argument's documented 'use the model default')."""
    strat, bad = pair
    return st.one_of(st.none(), strat), [b for b in bad if b is not None]


@dataclass
class Spec:
    fn: object
    args: dict  # name -> (strategy, bad values)
    examples: int = 25
    err: dict = field(default_factory=dict)  # name -> text the error must contain (default: the name)
    may_raise: str | None = None  # valid input the physics rejects (does not fit, ...): regex of the message
    composite: object = None  # a strategy of whole kwargs dicts (arguments that depend on each other)

    def strategy(self):
        if self.composite is not None:
            return self.composite
        return st.fixed_dictionaries({k: v[0] for k, v in self.args.items()})

    def bad_pairs(self):
        return [(k, b) for k, (_, bads) in self.args.items() for b in bads]


LLMS = ["llama3-8b", "mistral-7b", "gemma2-2b", "tinyllama-1.1b", "mixtral-8x7b", "deepseek-v2"]
CNNS = ["resnet50", "mobilenetv2", "ds-cnn-kws", "anomaly-mlp"]
GPU_LIKE = ["h100-sxm", "a100-80gb", "l4", "jetson-orin-nx-16gb", "mi300x"]
WITH_MEMORY = GPU_LIKE + ["a17-pro", "raspberry-pi-5", "nrf52840", "tpu-v5e"]
PREC = list(P.PRECISIONS)
MODEL_ERR = "model"  # unknown ids: "unknown model id ..."; wrong kind: "model '...' is a ..."


@st.composite
def _fleet_availability_args(draw):
    per = draw(st.integers(1, 4))
    units = draw(st.integers(1, 64))
    return {"gpus": per * units + draw(st.integers(0, per - 1)), "needed": draw(st.integers(0, units)),
            "mtbf_h": draw(st.floats(10, 1e6)), "mttr_h": draw(st.floats(0.1, 100)),
            "site_availability": draw(st.floats(0.9, 1.0)), "devices_per_replica": per}


@st.composite
def _psi_args(draw):
    n = draw(st.integers(2, 8))
    e = draw(st.lists(st.floats(0, 100), min_size=n, max_size=n).filter(lambda v: sum(v) > 0))
    a = draw(st.lists(st.floats(0, 100), min_size=n, max_size=n).filter(lambda v: sum(v) > 0))
    return {"expected": e, "actual": a, "epsilon": draw(st.floats(1e-6, 0.1))}


@st.composite
def _group_rates_args(draw):
    n = draw(st.integers(1, 30))
    return {"scores": draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)),
            "labels": draw(st.lists(st.booleans(), min_size=n, max_size=n)), "threshold": draw(st.floats(0, 1))}


@st.composite
def _schedule_args(draw):
    loop = draw(st.floats(0.1, 100))
    return {"experiments": draw(st.integers(0, 500)), "loop_h": loop, "validation_weeks": draw(st.floats(0, 4)),
            "fix_days_at_start": draw(st.floats(0, 5)), "caught_at": draw(st.sampled_from(workflow.STAGES)),
            "hours_per_week": draw(st.floats(1, 168)), "parallel": draw(st.integers(1, 16)),
            "review_h": draw(st.floats(0, loop)), "reviewers": draw(st.integers(1, 4)),
            "review_hours_per_week": draw(st.floats(1, 168))}


@st.composite
def _core_args(draw, prefill=False):
    m = draw(st.sampled_from(LLMS))
    terms = serving.model_terms(P.get_workload(m), draw(st.sampled_from(["bf16", "fp8", "int4"])))
    kw = dict(peak_flops=draw(st.floats(1e9, 1e16)), memory_bw=draw(st.floats(1e8, 1e13)),
              compute_efficiency=draw(st.floats(0.05, 1)), memory_efficiency=draw(st.floats(0.05, 1)),
              overhead_s=draw(st.floats(0, 1e-3)), batch=draw(st.integers(1, 256)))
    if prefill:
        return dict(weight_bytes=terms["dense_weight_bytes"] + terms["expert_weight_bytes"],
                    matmul_params=terms["matmul_params"], kv_bytes_per_token=terms["kv_bytes_per_token"],
                    attn_flops_per_key=terms["attn_flops_per_key"], kv_global_fraction=terms["kv_global_fraction"],
                    kv_window=terms["kv_window"], seq_len=draw(st.integers(1, 4096)), **kw)
    return dict(terms, context=draw(st.integers(1, 4096)), **kw)


@st.composite
def _estimate_args(draw):
    return {"model": draw(st.sampled_from(LLMS)), "device": draw(st.sampled_from(GPU_LIKE)),
            "phase": draw(st.sampled_from(["prefill", "decode", "training"])), "batch": draw(st.integers(1, 64)),
            "seq_len": draw(st.integers(1, 2048)), "precision": draw(st.sampled_from(["bf16", "fp8", "int8", "int4"])),
            "compute_efficiency": draw(st.one_of(st.none(), st.floats(0.05, 1))),
            "memory_efficiency": draw(st.one_of(st.none(), st.floats(0.05, 1))),
            "overhead_s": draw(st.one_of(st.none(), st.floats(0, 1e-3))), "n_devices": draw(st.integers(1, 8)),
            "recompute": draw(st.booleans())}


_SWEEP_OK = st.fixed_dictionaries({
    "devices": st.lists(st.sampled_from(GPU_LIKE), min_size=1, max_size=2),
    "models": st.lists(st.sampled_from(LLMS), min_size=1, max_size=2),
    "batches": st.lists(st.integers(1, 256), min_size=1, max_size=3),
    "precisions": st.lists(st.sampled_from(["bf16", "fp8", "int4"]), min_size=1, max_size=2),
    "contexts": st.lists(st.integers(1, 8192), min_size=1, max_size=3)})

_TIER_CHECKS = None


def _checks():
    global _TIER_CHECKS
    if _TIER_CHECKS is None:
        _TIER_CHECKS = [fleet.tier_check("tinyllama-1.1b", P.TIER_REFERENCE[t], tier=t, precision="int4", prompt=32,
                                         output=4, latency_slo_s=0.1) for t in P.TIERS]
    return _TIER_CHECKS


_STAGES = [pipeline.storage_stage(1e9, 1e5), pipeline.cpu_stage(8, 400), pipeline.transfer_stage(25e9, 6e5)]
_SMALL = "tinyllama-1.1b"
CH = scaling.CHINCHILLA
TR = P.get_workload("gemma2-9b")  # a transformer with sliding windows, for the methods
LAW_N, LAW_D = kind("pos", 1e6, 1e12), kind("pos", 1e6, 1e13)
COUNT = (st.integers(1, 64), [0, -1, NAN, INF, "2", None, True])  # sizes that also accept floats and arrays

SPECS: dict[str, Spec] = {
    # -- compression
    "compression.quantized_bytes": Spec(compression.quantized_bytes, {"params": kind("pos"), "precision": choice(PREC)},
                                        err={"precision": "precision"}),
    "compression.memory_bound_speedup": Spec(compression.memory_bound_speedup,
                                             {"from_precision": choice(PREC), "to_precision": choice(PREC)},
                                             err={"from_precision": "precision", "to_precision": "precision"}),
    "compression.sparsity_speedup": Spec(compression.sparsity_speedup, {
        "sparsity": (st.floats(0, 0.95), [NAN, -0.1, 1.0, "x", None]),
        "kind": choice(compression.SPARSITY_KINDS), "device": choice(["h100-sxm", "v100", "t4"]),
        "precision": choice(["bf16", "fp16", "int8"]), "bound": choice(["compute", "memory"])}),
    "compression.deep_compression_bytes": Spec(compression.deep_compression_bytes, {
        "params": kind("pos"), "density": kind("frac"), "weight_bits": (st.floats(1, 16), [NAN, 0, -1, 100, "5"]),
        "index_bits": (st.floats(0, 16), [NAN, -1, 100, "5"]), "codebook_entries": kind("int0")}),
    "compression.pruned_estimate": Spec(compression.pruned_estimate, {
        "model": choice(CNNS), "device": choice(["h100-sxm", "t4", "jetson-orin-nx-16gb", "a17-pro"]),
        "sparsity": (st.floats(0, 0.95), [NAN, -0.1, 1.0, "x", None]), "kind": choice(compression.SPARSITY_KINDS),
        "phase": fixed("inference"), "batch": kind("int1"), "seq_len": fixed(1),
        "precision": choice(["fp16", "int8"])}, examples=15, err={"model": MODEL_ERR}),
    "compression.break_even_queries": Spec(compression.break_even_queries, {
        "one_time_cost": kind("nonneg"), "saving_per_query": kind("pos")}),
    "compression.published_accuracy": Spec(compression.published_accuracy, {
        "model": (st.sampled_from(["llama2-7b", "resnet50", "gpt2-small"]), [3, None]),
        "method_prefix": (st.sampled_from(["int4", "int8", "Deep"]), [3, None])}),
    # -- devices
    "devices.get_device": Spec(devices.get_device, {"device_id": choice(P.DEVICES)}, err={"device_id": "device"}),
    "devices.devices_in_tier": Spec(devices.devices_in_tier, {"tier": choice(P.TIERS)}),
    "devices.tier_metric": Spec(devices.tier_metric, {"device": choice(P.TIER_REFERENCE.values()),
                                                      "metric": choice(P.TIER_METRICS)}),
    "devices.tier_span": Spec(devices.tier_span, {"metric": choice(P.TIER_METRICS),
                                                  "tiers": fixed(None, [{"cloud": "h100-sxm"}, 3])}),
    "devices.what_if_device": Spec(devices.what_if_device, {
        "device": choice(["h100-sxm", "jetson-orin-nx-16gb", "a17-pro", "coral-edge-tpu"]),
        "compute_scale": kind("pos"), "bandwidth_scale": kind("pos")}),
    # -- efficiency
    "efficiency.device_class": Spec(efficiency.device_class, {"device": choice(P.DEVICES)}),
    "efficiency.profile": Spec(efficiency.profile, {"device": choice(P.DEVICES)}),
    "efficiency.kernels_per_forward": Spec(efficiency.kernels_per_forward, {"model": choice(P.WORKLOADS)}),
    "efficiency.efficiency": Spec(efficiency.efficiency, {
        "model": choice(["resnet50", "llama3-8b"]),
        "device": choice(["h100-sxm", "a17-pro", "jetson-orin-nx-16gb", "tpu-v5e", "nrf52840"]),
        "phase": choice(efficiency.PHASES)}),
    "efficiency.mfu_from_hfu": Spec(efficiency.mfu_from_hfu, {"hfu": kind("frac"), "recompute": kind("bool")}),
    # -- fleet
    "fleet.request_service_time": Spec(fleet.request_service_time, {
        "model": choice(["llama2-7b", _SMALL]), "device": fixed("h100-sxm", ["nope"]), "batch": kind("int1", 1, 16),
        "prompt": kind("int1", 1, 512), "output": kind("int1", 1, 64), "precision": choice(["fp16", "int8"]),
        "check_fit": kind("bool")}, examples=15),
    "fleet.fleet_availability": Spec(fleet.fleet_availability, {
        "gpus": (None, [0, -1, 1.5, NAN, "2"]), "needed": (None, [-1, 10**6, 1.5]), "mtbf_h": (None, [NAN, -1, 0]),
        "mttr_h": (None, [NAN, -1, 0, INF]), "site_availability": (None, [1.5, 0, NAN]),
        "devices_per_replica": (None, [0, 1.5])}, composite=_fleet_availability_args()),
    "fleet.availability_nines": Spec(fleet.availability_nines, {"availability": kind("frac0")}),
    "fleet.replica_devices": Spec(fleet.replica_devices, {
        "model": choice(["llama3-70b", "llama3-405b", _SMALL]), "device": choice(["h100-sxm", "l4"]),
        "max_batch": kind("int1", 1, 64), "prompt": kind("int1", 1, 1024), "output": kind("int1", 1, 512),
        "precision": choice(["fp16", "fp8", "int4"])}),
    "fleet.serve_fleet": Spec(fleet.serve_fleet, {
        "model": fixed(_SMALL, ["nope"]), "device": fixed("h100-sxm", ["nope"]), "gpus": kind("int1", 1, 8),
        "arrival_rps": kind("pos", 1, 200), "prompt": kind("int1", 16, 256), "output": kind("int1", 1, 16),
        "precision": choice(["fp16", "int8"]), "strategy": choice(fleet.STRATEGIES), "max_batch": kind("int1", 1, 16),
        "window_s": kind("nonneg", 0, 0.05), "requests": fixed(200, [10, 1.5, None]), "seed": kind("int0")},
        examples=8),
    "fleet.gpus_needed": Spec(fleet.gpus_needed, {
        "model": fixed(_SMALL, ["nope"]), "device": fixed("h100-sxm", ["nope"]), "arrival_rps": kind("pos", 1, 100),
        "p99_slo_s": kind("pos", 0.05, 2), "max_gpus": kind("int1", 1, 8), "requests": fixed(200, [10])}, examples=4),
    "fleet.drift_accuracy": Spec(fleet.drift_accuracy, {
        "acc0": kind("frac0"), "sensitivity": kind("nonneg"), "psi_per_month": kind("nonneg"),
        "months_since_retrain": kind("nonneg")}),
    "fleet.tier_check": Spec(fleet.tier_check, {
        "model": fixed("llama2-7b", ["resnet50", "nope"]), "device": choice(P.TIER_REFERENCE.values()),
        "tier": choice(P.TIERS), "precision": choice(["int8", "int4", "ternary"]), "prompt": kind("int1", 1, 512),
        "output": kind("int1", 1, 64), "latency_slo_s": kind("pos"), "memory_fraction": kind("frac")}, examples=15),
    "fleet.hardest": Spec(fleet.hardest, {"checks": (st.just(None).map(lambda _: _checks()), [[], "x", [1, 2], None])}),
    # -- memory
    "memory.kv_cache_bytes": Spec(memory.kv_cache_bytes, {
        "model": choice(LLMS + ["resnet50"]), "context": (st.integers(0, 8192), [NAN, INF, -1, "1", None]),
        "batch": COUNT, "precision": choice(PREC)}),
    "memory.weights_bytes": Spec(memory.weights_bytes, {"model": choice(P.WORKLOADS), "precision": choice(PREC),
                                                        "total": kind("bool")}),
    "memory.activation_bytes_inference": Spec(memory.activation_bytes_inference, {
        "model": choice(LLMS + CNNS), "batch": COUNT, "seq_len": (st.integers(1, 4096), COUNT[1]),
        "precision": choice(PREC)}),
    "memory.activation_bytes_training": Spec(memory.activation_bytes_training, {
        "model": choice(LLMS + CNNS), "batch": COUNT, "seq_len": (st.integers(1, 4096), COUNT[1]),
        "precision": choice(PREC), "recompute": kind("bool")}),
    "memory.training_memory": Spec(memory.training_memory, {
        "model": choice(LLMS + CNNS), "batch": COUNT, "seq_len": maybe((st.integers(1, 4096), COUNT[1])),
        "precision": choice(PREC), "optimizer": choice(memory.OPTIMIZER_STATE_FP32_VALUES),
        "mixed_precision": (st.one_of(st.none(), st.booleans()), ["yes", 1]), "recompute": kind("bool")}),
    "memory.fits": Spec(memory.fits, {"required_bytes": kind("nonneg"), "capacity_bytes": kind("pos"),
                                      "memory_fraction": kind("frac")}),
    "memory.max_params_that_fit": Spec(memory.max_params_that_fit, {
        "device": choice(WITH_MEMORY), "precision": choice(PREC), "memory_fraction": kind("frac")}),
    "memory.mlp_activation_bytes": Spec(memory.mlp_activation_bytes, {
        "sizes": (st.lists(st.integers(1, 512), min_size=2, max_size=6), [[3], [0, 2], "ab", [1.5, 2], None]),
        "batch": kind("int1"), "precision": choice(PREC), "training": kind("bool")}),
    "memory.mlp_training_memory": Spec(memory.mlp_training_memory, {
        "sizes": (st.lists(st.integers(1, 512), min_size=2, max_size=6), [[3], [0, 2], "ab", [1.5, 2], None]),
        "batch": kind("int1"), "precision": choice(PREC), "optimizer": choice(memory.OPTIMIZER_STATE_FP32_VALUES),
        "mixed_precision": (st.one_of(st.none(), st.booleans()), ["yes", 1])}),
    # -- network
    "network.propagation_delay_s": Spec(network.propagation_delay_s, {"distance_m": kind("nonneg"),
                                                                      "speed": kind("pos")}),
    "network.round_trip_s": Spec(network.round_trip_s, {
        "distance_m": kind("nonneg"), "route_factor": (st.floats(1, 3), [NAN, 0.5, -1, "1"]),
        "per_hop_s": kind("nonneg"), "hops": kind("int0")}),
    "network.transfer_time_s": Spec(network.transfer_time_s, {
        "bytes_": kind("nonneg"), "link_bw": kind("pos"), "latency_s": kind("nonneg")}, err={"bytes_": "bytes"}),
    "network.reachable_distance_m": Spec(network.reachable_distance_m, {
        "budget_s": kind("pos"), "other_s": kind("nonneg"), "speed": kind("pos")}),
    "network.radio_airtime_s": Spec(network.radio_airtime_s, {
        "payload_bytes": kind("nonneg"), "bytes_per_s": kind("pos"), "packet_payload": kind("int1", 1, 251),
        "packet_overhead": kind("int0")}),
    "network.radio_energy_j": Spec(network.radio_energy_j, {
        "payload_bytes": kind("nonneg"), "tx_w": kind("pos"), "bytes_per_s": kind("pos")}),
    "network.outage_retention": Spec(network.outage_retention, {
        "bytes_per_period": kind("nonneg"), "period_s": kind("pos"), "outage_s": kind("nonneg"),
        "buffer_bytes": kind("nonneg")}),
    # -- operations
    "operations.average_power_w": Spec(operations.average_power_w, {
        "active_w": kind("nonneg"), "sleep_w": kind("nonneg"), "duty": kind("frac0")}),
    "operations.battery_life_days": Spec(operations.battery_life_days, {
        "capacity_j": kind("pos"), "energy_per_day_j": kind("nonneg")}),
    "operations.sensor_day": Spec(operations.sensor_day, {
        "model": choice(["ds-cnn-kws", "anomaly-mlp", "resnet50"]), "device": choice(["nrf52840", "esp32-s3"]),
        "period_s": kind("pos", 1e-3, 1e5), "report_bytes": kind("nonneg", 0, 1e5), "precision": choice(["int8"])},
        may_raise="does not fit|shorter than"),
    "operations.psi": Spec(operations.psi, {
        "expected": (None, [[1], "ab", [NAN, 1], [-1, 2], None]), "actual": (None, [[-1, 1], [INF, 1], [1]]),
        "epsilon": (None, [0, 1, NAN, "x"])}, composite=_psi_args(), err={"expected": "", "actual": ""}),
    "operations.group_rates": Spec(operations.group_rates, {
        "scores": (None, [[NAN], "ab", None, []]), "labels": (None, [[2], "ab"]), "threshold": (None, [NAN, "x"])},
        composite=_group_rates_args(), err={"scores": "", "labels": ""}),
    "operations.synthetic_population": Spec(operations.synthetic_population, {
        "n": kind("int1", 1, 200), "base_rate": kind("frac0"), "separation": kind("real", -5, 5),
        "seed": kind("int0")}, examples=15),
    "operations.energy_and_carbon": Spec(operations.energy_and_carbon, {
        "power_w": kind("pos"), "time_s": kind("nonneg"), "pue": (st.floats(1, 3), [0.5, NAN, "1.1", None]),
        "grid": (st.one_of(st.sampled_from(list(operations.GRID_CARBON)), st.floats(0, 1000)),
                 ["mars", NAN, -5.0, None]), "n_devices": kind("int1")}),
    # -- pipeline
    "pipeline.storage_stage": Spec(pipeline.storage_stage, {
        "read_bw_bytes_s": kind("pos"), "sample_bytes": kind("pos"), "cache_hit": kind("frac0"),
        "cache_bw_bytes_s": (st.floats(1e-3, 1e6), [NAN, INF, -1.0, 0.0, "1", True])}),
    "pipeline.cpu_stage": Spec(pipeline.cpu_stage, {"workers": kind("int1"), "per_worker_samples_s": kind("pos"),
                                                    "name": fixed("decode", [3])}),
    "pipeline.transfer_stage": Spec(pipeline.transfer_stage, {"link_bw_bytes_s": kind("pos"),
                                                              "tensor_bytes": kind("pos")}),
    "pipeline.pipeline": Spec(pipeline.pipeline, {"stages": fixed(_STAGES, [[], "x", [1], None]),
                                                  "demand_samples_per_s": kind("pos")}),
    "pipeline.accelerator_demand": Spec(pipeline.accelerator_demand, {
        "model": choice(["resnet50", "mobilenetv2"]), "device": choice(["h100-sxm", "jetson-orin-nx-16gb"]),
        "batch": kind("int1", 1, 256), "precision": choice(["bf16", "int8"]), "n_devices": kind("int1"),
        "training": kind("bool")}),
    "pipeline.sensor_stream": Spec(pipeline.sensor_stream, {"sample_rate_hz": kind("pos"),
                                                            "bytes_per_sample": kind("pos"), "channels": kind("int1")}),
    "pipeline.imagenet_stages": Spec(pipeline.imagenet_stages, {
        "workers": kind("int1"), "fmt": choice(["jpeg", "raw"]), "storage_bw": kind("pos", 1e6, 1e10),
        "cache_hit": kind("frac0"), "per_worker": maybe(kind("pos")), "host_link_bw": kind("pos", 1e8, 1e11)}),
    "pipeline.dataset_bytes": Spec(pipeline.dataset_bytes, {"fmt": choice(["jpeg", "raw"])}),
    "pipeline.contract_flags": Spec(pipeline.contract_flags, {
        "level": choice(pipeline.CONTRACT_LEVELS), "n": kind("int1"), "mean": kind("real"), "ref_mean": kind("real"),
        "ref_std": kind("pos"), "nulls": kind("int0"), "type_errors": kind("int0"), "out_of_range": kind("int0"),
        "z_max": kind("pos")}),
    "pipeline.freshness": Spec(pipeline.freshness, {
        "policy": choice(pipeline.FRESHNESS_POLICIES), "pipeline_latency_s": kind("nonneg"),
        "entities": kind("int1"), "events_per_s": kind("pos"), "feature_bytes": kind("pos"),
        "period_s": maybe(kind("pos"))}, may_raise="period_s is needed"),
    "pipeline.min_workers_for": Spec(pipeline.min_workers_for, {
        "target_utilization": kind("frac"), "demand_samples_per_s": kind("pos", 1, 1e5),
        "max_workers": kind("int1", 1, 512)}, examples=10),
    # -- precisions
    "precisions.bytes_per_element": Spec(precisions.bytes_per_element, {"precision": choice(PREC, ["fp12", 3, None,
                                                                                                   ["bf16"]])}),
    "precisions.compute_precision_for": Spec(precisions.compute_precision_for, {
        "precision": choice(PREC), "available": fixed(P.get_device("h100-sxm").peak_flops, [3, None])}),
    # -- roofline
    "roofline.arithmetic_intensity": Spec(roofline.arithmetic_intensity, {"flops": kind("nonneg"),
                                                                          "bytes_moved": kind("pos")}),
    "roofline.ridge_point": Spec(roofline.ridge_point, {
        "peak_flops": kind("pos"), "memory_bw": kind("pos"), "compute_efficiency": kind("frac"),
        "memory_efficiency": kind("frac")}),
    "roofline.attainable_flops": Spec(roofline.attainable_flops, {
        "intensity": kind("nonneg"), "peak_flops": kind("pos"), "memory_bw": kind("pos"),
        "compute_efficiency": kind("frac"), "memory_efficiency": kind("frac")}),
    "roofline.iron_law_time": Spec(roofline.iron_law_time, {
        "bytes_moved": kind("nonneg"), "flops": kind("nonneg"), "memory_bw": kind("pos"), "peak_flops": kind("pos"),
        "latency_s": kind("nonneg"), "compute_efficiency": kind("frac"), "memory_efficiency": kind("frac")}),
    "roofline.roofline_time": Spec(roofline.roofline_time, {
        "bytes_moved": kind("pos"), "flops": kind("nonneg"), "memory_bw": kind("pos"), "peak_flops": kind("pos"),
        "overhead_s": kind("nonneg"), "compute_efficiency": kind("frac"), "memory_efficiency": kind("frac")}),
    # -- scaling
    "scaling.amdahl_speedup": Spec(scaling.amdahl_speedup, {"parallel_fraction": kind("frac0"), "n": kind("pos")}),
    "scaling.gustafson_speedup": Spec(scaling.gustafson_speedup, {"parallel_fraction": kind("frac0"),
                                                                  "n": kind("pos")}),
    "scaling.training_flops": Spec(scaling.training_flops, {"params": kind("pos"), "tokens": kind("pos"),
                                                            "recompute": kind("bool")}),
    "scaling.training_time_s": Spec(scaling.training_time_s, {
        "params": kind("pos"), "tokens": kind("pos"), "peak_flops": kind("pos"), "mfu": kind("frac"),
        "n_devices": kind("pos"), "recompute": kind("bool")}),
    "scaling.CHINCHILLA.loss": Spec(CH.loss, {"params": LAW_N, "tokens": LAW_D}),
    "scaling.CHINCHILLA.terms": Spec(CH.terms, {"params": LAW_N, "tokens": LAW_D}),
    "scaling.CHINCHILLA.params_for_loss": Spec(CH.params_for_loss, {"target_loss": kind("pos", 1.7, 5),
                                                                    "tokens": LAW_D}),
    "scaling.CHINCHILLA.compute_optimal": Spec(CH.compute_optimal, {"compute_flops": kind("pos", 1e15, 1e26)}),
    "scaling.dam_diagnosis": Spec(scaling.dam_diagnosis, {
        "params": LAW_N, "tokens": LAW_D, "max_params_that_fit": maybe(kind("pos", 1e6, 1e12)),
        "binding_share": (st.floats(0.55, 1), [0.5, 1.5, NAN, "x"])}),
    "scaling.training_cost_usd": Spec(scaling.training_cost_usd, {
        "params": kind("pos"), "tokens": kind("pos"), "gpu_price_per_hour": kind("nonneg"),
        "peak_flops": kind("pos", 1e9, 1e16), "mfu": kind("frac"), "data_cost_per_token": kind("nonneg")}),
    "scaling.tokens_affordable": Spec(scaling.tokens_affordable, {
        "budget_usd": kind("pos"), "params": kind("pos"), "gpu_price_per_hour": kind("nonneg"),
        "peak_flops": kind("pos", 1e9, 1e16), "mfu": kind("frac"), "data_cost_per_token": kind("nonneg")}),
    # -- serving
    "serving.default_kv_precision": Spec(serving.default_kv_precision, {"precision": choice(PREC)}),
    "serving.decode_core": Spec(serving.decode_core, {
        k: (None, [NAN, -1.0, INF, "1", None]) for k in ("batch", "context", "peak_flops", "memory_bw",
                                                         "kv_bytes_per_token")} | {
        "compute_efficiency": (None, [NAN, 0.0, 1.5]), "overhead_s": (None, [NAN, -1e-3])},
        composite=_core_args()),
    "serving.prefill_core": Spec(serving.prefill_core, {
        k: (None, [NAN, -1.0, INF, "1", None]) for k in ("batch", "seq_len", "peak_flops", "weight_bytes")} | {
        "memory_efficiency": (None, [NAN, 0.0, 1.5])}, composite=_core_args(prefill=True)),
    "serving.model_terms": Spec(serving.model_terms, {
        "model": choice(LLMS, ["resnet50", "nope", 3]), "precision": choice(PREC),
        "kv_precision": maybe(choice(PREC))}),
    "serving.estimate": Spec(serving.estimate, {
        "model": (None, ["nope", 3, None]), "device": (None, ["nope", 3]), "phase": (None, ["serve", 3]),
        "batch": (None, [0, -1, 1.5, NAN, "2", True]), "seq_len": (None, [0, -5, 2.5, "8"]),
        "precision": (None, ["fp7", 3]), "compute_efficiency": (None, [NAN, 0.0, 1.5, "0.5"]),
        "memory_efficiency": (None, [NAN, -0.5, 2.0]), "overhead_s": (None, [NAN, -1e-3, INF]),
        "n_devices": (None, [0, 1.5, "2"]), "recompute": (None, ["yes", 1])},
        composite=_estimate_args(), err={"model": MODEL_ERR}, examples=40),
    "serving.estimate[cnn]": Spec(serving.estimate, {
        "model": choice(CNNS, ["nope", 3]), "device": choice(WITH_MEMORY),
        "phase": choice(["inference", "training"], ["decode", 3]), "batch": kind("int1", 1, 256),
        "precision": choice(["bf16", "fp16", "int8"]), "memory_fraction": kind("frac")},
        err={"model": MODEL_ERR, "phase": "phase"}),
    "serving.max_concurrent_sequences": Spec(serving.max_concurrent_sequences, {
        "model": choice(LLMS), "device": choice(GPU_LIKE), "context": kind("int1", 1, 4096),
        "precision": choice(PREC), "memory_fraction": kind("frac"), "n_devices": kind("int1", 1, 8)}),
    "serving.min_devices": Spec(serving.min_devices, {
        "model": choice(LLMS + ["llama3-405b"]), "device": choice(GPU_LIKE), "phase": choice(["prefill", "decode"]),
        "batch": kind("int1"), "seq_len": kind("int1", 1, 2048), "precision": choice(PREC)}),
    "serving.max_throughput": Spec(serving.max_throughput, {
        "model": choice(["llama3-8b", "mistral-7b", _SMALL]), "device": choice(["h100-sxm", "mi300x"]),
        "input_len": kind("int1", 1, 1024), "output_len": kind("int1", 1, 1024), "precision": choice(["bf16", "fp8"]),
        "n_devices": kind("int1", 1, 4), "compute_efficiency": maybe(kind("frac")),
        "overhead_s": maybe(kind("nonneg", 0, 1e-3))}, examples=20),
    "serving.get_transformer_model": Spec(serving.get_transformer_model, {"model": choice(LLMS, ["resnet50", "x"])},
                                          err={"model": MODEL_ERR}),
    "serving.sweep": Spec(serving.sweep, {
        "batches": (None, [[-1], [], [1.5], "x", [True]]), "contexts": (None, [[0], [NAN]]),
        "precisions": (None, [["fp7"], []]), "devices": (None, [["nope"], "h100-sxm"]),
        "compute_efficiency": (None, [NAN, 1.5])}, composite=_SWEEP_OK, err={"devices": "device"}, examples=15),
    "serving.iron_law_inference": Spec(serving.iron_law_inference, {
        "model": choice(CNNS), "device": choice(WITH_MEMORY), "precision": choice(["int8", "fp16"]),
        "batch": kind("int1", 1, 64), "distance_m": kind("nonneg", 0, 1e7), "payload_bytes": kind("nonneg", 0, 1e6),
        "uplink_bw": (st.floats(1e5, 1e9), [NAN, INF, -1.0, 0.0, "1", True]),
        "overhead_s": maybe(kind("nonneg", 0, 1e-3))}),
    # -- workflow
    "workflow.experiments_possible": Spec(workflow.experiments_possible, {
        "hours_available": kind("nonneg", 0, 1e4), "train_h": (st.floats(0.01, 100), [NAN, INF, -1.0, "1", None]),
        "eval_h": kind("nonneg", 0, 10),
        "turnaround_h": kind("nonneg", 0, 10), "parallel": kind("int1"), "reviewers": kind("int1", 1, 8),
        "review_hours_per_week": (st.floats(1, 168), [0, 200, NAN, "40"])}),
    "workflow.defect_cost_multiplier": Spec(workflow.defect_cost_multiplier, {
        "stage": choice(workflow.STAGES), "ratio": (st.floats(1, 1000), [0.5, NAN, -1, "100"])}),
    "workflow.discovery_stage": Spec(workflow.discovery_stage, {"validate_data": kind("bool"),
                                                                "evaluate": kind("bool")}),
    "workflow.schedule_weeks": Spec(workflow.schedule_weeks, {
        "experiments": (None, [-1, 1.5, NAN]), "loop_h": (None, [0, NAN, -1]), "validation_weeks": (None, [-1, NAN]),
        "fix_days_at_start": (None, [-1, INF]), "caught_at": (None, ["vibes", 3]), "parallel": (None, [0, 2.5]),
        "review_h": (None, [-0.1, 1e6, NAN]), "reviewers": (None, [0]), "review_hours_per_week": (None, [0, 169])},
        composite=_schedule_args(), err={"caught_at": "stage"}),
    "workflow.requirement_entry_stage": Spec(workflow.requirement_entry_stage, {
        "as_built_meets": kind("bool"), "requantized_meets": kind("bool"), "retrained_meets": kind("bool"),
        "data_allowed": kind("bool")}),
    "workflow.detects": Spec(workflow.detects, {
        "check": choice(workflow.CHECKS), "defect": choice(workflow.DEFECT_KINDS), "on_host": kind("bool"),
        "on_target": kind("bool")}),
    "workflow.stages_reworked": Spec(workflow.stages_reworked, {"entry_stage": choice(workflow.STAGES)},
                                     err={"entry_stage": "entry_stage"}),
    "workflow.training_run_hours": Spec(workflow.training_run_hours, {
        "model": choice(["resnet50", "mobilenetv2"]), "device": choice(["h100-sxm", "jetson-orin-nx-16gb"]),
        "samples": kind("pos", 1, 1e7), "epochs": kind("pos", 0.1, 100), "batch": kind("int1", 1, 128),
        "precision": choice(["bf16", "fp16"])}),
    # -- workloads
    "workloads.get_workload": Spec(workloads.get_workload, {"model_id": choice(P.WORKLOADS)},
                                   err={"model_id": MODEL_ERR}),
    "workloads.get_transformer": Spec(workloads.get_transformer, {"model_id": choice(LLMS, ["resnet50", "x"])},
                                      err={"model_id": MODEL_ERR}),
    "workloads.mlp": Spec(workloads.mlp, {
        "id": fixed("m"), "name": fixed("MLP"), "sizes": (st.lists(st.integers(1, 512), min_size=2, max_size=6),
                                                         [[3], [0, 2], "ab", [1.5, 2], None]),
        "sources": fixed(["test"])}),
    "workloads.Transformer.kv_bytes": Spec(TR.kv_bytes, {"context": kind("nonneg", 0, 1e5),
                                                         "bytes_per_element": kind("pos", 0.1, 4)}),
    "workloads.Transformer.kv_context": Spec(TR.kv_context, {"context": kind("nonneg", 0, 1e5)}),
    "workloads.Transformer.prefill_keys": Spec(TR.prefill_keys, {"seq_len": kind("nonneg", 0, 1e5)}),
    "workloads.Transformer.forward_flops_per_token": Spec(TR.forward_flops_per_token,
                                                          {"context": kind("nonneg", 0, 1e5)}),
    "workloads.Transformer.kv_bytes_per_token": Spec(TR.kv_bytes_per_token, {"bytes_per_element": kind("pos")}),
}

# Public functions deliberately without a spec, and why.
EXEMPT = {
    "errors.check_positive", "errors.check_fraction", "errors.check_number", "errors.check_int",
    "errors.check_choice", "errors.check_bool",  # the checks themselves (exercised by every spec)
    "memory.gpu_training_bytes",  # takes an engine result (TrainingMemory), not user input; tested in test_v1_08
}
MODULES = [compression, devices, efficiency, fleet, memory, network, operations, pipeline, precisions, roofline,
           scaling, serving, workflow, workloads, P.errors]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                      HealthCheck.data_too_large])


def _walk(x, path="result"):
    """Every number reachable from a result is non-negative and not NaN (inf allowed)."""
    if x is None or isinstance(x, (bool, str)):
        return
    if type(x).__module__ == "numpy":
        import numpy as np

        arr = np.asarray(x)
        if arr.dtype.kind in "iuf":
            assert not np.any(np.isnan(arr)), f"NaN in {path}"
            assert not np.any(arr < 0), f"negative in {path}"
        return
    if isinstance(x, (int, float)):
        assert not math.isnan(x), f"NaN at {path}"
        assert x >= 0, f"negative at {path}: {x}"
        return
    if dataclasses.is_dataclass(x):
        for f in dataclasses.fields(x):
            _walk(getattr(x, f.name), f"{path}.{f.name}")
        return
    if isinstance(x, dict):
        for k, v in x.items():
            _walk(v, f"{path}[{k!r}]")
        return
    if isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            _walk(v, f"{path}[{i}]")


def test_every_public_function_is_specified():
    missing = []
    for mod in MODULES:
        short = mod.__name__.rsplit(".", 1)[1]
        for name, obj in vars(mod).items():
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != mod.__name__:
                continue
            key = f"{short}.{name}"
            if key not in SPECS and key not in EXEMPT:
                missing.append(key)
    assert not missing, f"public functions without an input-check spec: {missing}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_valid_input_gives_no_negative_or_nan(name):
    spec = SPECS[name]

    @settings(max_examples=spec.examples, **SETTINGS)
    @given(spec.strategy())
    def run(kwargs):
        try:
            out = spec.fn(**kwargs)
        except P.PhysicsError as e:
            if spec.may_raise and re.search(spec.may_raise, str(e)):
                return
            raise AssertionError(f"{name}({kwargs}) rejected valid input: {e}") from e
        _walk(out)

    run()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_invalid_input_is_a_named_error(name):
    spec = SPECS[name]
    pairs = spec.bad_pairs()
    if not pairs:
        pytest.skip("no invalid values for this function")

    @settings(max_examples=max(len(pairs), 10), **SETTINGS)
    @given(spec.strategy(), st.sampled_from(pairs))
    def run(kwargs, pair):
        arg, bad = pair
        kwargs = dict(kwargs, **{arg: bad})
        with pytest.raises(P.PhysicsError) as exc:
            spec.fn(**kwargs)
        assert isinstance(exc.value, ValueError)
        assert spec.err.get(arg, arg) in str(exc.value), f"{name}: {arg}={bad!r} -> {exc.value}"

    run()
