"""Input pipelines: a pipeline runs at its slowest stage, and an accelerator fed
slower than it consumes sits idle."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import PhysicsError, check_bool, check_choice, check_fraction, check_int, check_number, check_positive


@dataclass(frozen=True)
class Stage:
    name: str
    samples_per_s: float
    detail: str = ""


@dataclass(frozen=True)
class PipelineResult:
    stages: tuple
    supply_samples_per_s: float  # what the pipeline delivers
    demand_samples_per_s: float  # what the accelerators can consume
    bottleneck: str
    utilization: float  # accelerator busy fraction = min(1, supply / demand)
    idle_fraction: float


def storage_stage(read_bw_bytes_s, sample_bytes, *, cache_hit: float = 0.0, cache_bw_bytes_s: float | None = None):
    """Samples/s from storage; a cache serves `cache_hit` of reads at `cache_bw`."""
    check_positive("read_bw_bytes_s", read_bw_bytes_s)
    check_positive("sample_bytes", sample_bytes)
    check_fraction("cache_hit", cache_hit, allow_zero=True)
    if cache_hit > 0 and cache_bw_bytes_s is None:
        raise PhysicsError("cache_bw_bytes_s is needed when cache_hit > 0")
    if cache_bw_bytes_s is not None:
        check_positive("cache_bw_bytes_s", cache_bw_bytes_s)
    # time per sample is the hit-weighted mix of the two sources
    t = (1 - cache_hit) * sample_bytes / read_bw_bytes_s
    t += cache_hit * sample_bytes / cache_bw_bytes_s if cache_hit else 0
    return Stage("storage read", 1.0 / t, f"{read_bw_bytes_s / 1e6:,.0f} MB/s, {cache_hit:.0%} cached")


def cpu_stage(workers: int, per_worker_samples_s: float, *, name: str = "decode + augment"):
    check_int("workers", workers, lo=1)
    check_positive("per_worker_samples_s", per_worker_samples_s)
    if not isinstance(name, str):
        raise PhysicsError(f"name must be a string, got {name!r}")
    return Stage(name, workers * per_worker_samples_s, f"{workers} workers x {per_worker_samples_s:,.0f}/s")


def transfer_stage(link_bw_bytes_s, tensor_bytes, *, name: str = "host to device"):
    check_positive("link_bw_bytes_s", link_bw_bytes_s)
    check_positive("tensor_bytes", tensor_bytes)
    if not isinstance(name, str):
        raise PhysicsError(f"name must be a string, got {name!r}")
    return Stage(name, link_bw_bytes_s / tensor_bytes, f"{link_bw_bytes_s / 1e9:,.1f} GB/s")


def pipeline(stages: list[Stage], *, demand_samples_per_s: float) -> PipelineResult:
    """Throughput = min(stage rates); utilization = min(1, supply / demand)."""
    if isinstance(stages, (str, bytes)) or not hasattr(stages, "__iter__"):
        raise PhysicsError(f"stages must be a list of Stage, got {stages!r}")
    stages = list(stages)
    if not stages or not all(isinstance(x, Stage) for x in stages):
        raise PhysicsError("stages must be a non-empty list of Stage (storage_stage, cpu_stage, transfer_stage)")
    check_positive("demand_samples_per_s", demand_samples_per_s)
    slowest = min(stages, key=lambda s: s.samples_per_s)
    util = min(1.0, slowest.samples_per_s / demand_samples_per_s)
    bottleneck = slowest.name if slowest.samples_per_s < demand_samples_per_s else "accelerator"
    return PipelineResult(tuple(stages), slowest.samples_per_s, demand_samples_per_s, bottleneck, util, 1 - util)


def accelerator_demand(model, device, *, batch: int, precision: str = "bf16", n_devices: int = 1,
                       training: bool = True, **kw) -> float:
    """Samples/s the accelerators consume (training step or inference), from the engine."""
    from .serving import estimate

    check_int("n_devices", n_devices, lo=1)
    check_bool("training", training)
    e = estimate(model, device, phase="training" if training else "inference", batch=batch, seq_len=1,
                 precision=precision, **kw)
    return e.samples_per_s * n_devices


def sensor_stream(sample_rate_hz, bytes_per_sample, channels: int = 1):
    """Bytes per second a sensor produces."""
    check_positive("sample_rate_hz", sample_rate_hz)
    check_positive("bytes_per_sample", bytes_per_sample)
    check_int("channels", channels, lo=1)
    return sample_rate_hz * bytes_per_sample * channels


# Reference figures for the data-pipeline lab (each with its source).
IMAGENET_TRAIN_IMAGES = 1_281_167  # Russakovsky et al. 2015, IJCV, Table 2 (ILSVRC-2012 train)
IMAGENET_TRAIN_BYTES = 138e9  # ILSVRC2012_img_train.tar is ~138 GB (image-net.org download page)
RAW_SAMPLE_BYTES = 224 * 224 * 3  # one pre-decoded uint8 224x224 RGB crop
NVME_READ_BW = 7.45e9  # Samsung 990 PRO datasheet: sequential read up to 7,450 MB/s
DGX_H100_HOST_RAM = 2e12  # NVIDIA DGX H100 datasheet: 2 TB system memory
# CPU decode + augment rate per worker: depends on CPU, image size and library; these
# are estimates (PIL-SIMD JPEG decode + RandomResizedCrop of ~110 kB ImageNet images
# runs at a few hundred images/s per core; crop + flip of pre-decoded arrays at a few
# thousand). Labs expose them as sliders, labelled as estimates.
JPEG_DECODE_PER_WORKER = 400.0
RAW_AUGMENT_PER_WORKER = 4000.0
# Reads served from a host-RAM cache (page cache or an in-memory dataset): estimate,
# a fraction of a dual-socket server's DRAM bandwidth left to the loader.
RAM_CACHE_BW = 50e9
# Where each reference figure comes from, for labs to cite (name -> source).
SOURCES = {
    "IMAGENET_TRAIN_IMAGES": "Russakovsky et al. 2015, IJCV, Table 2 (ILSVRC-2012 train)",
    "IMAGENET_TRAIN_BYTES": "ILSVRC2012_img_train.tar, ~138 GB (image-net.org download page)",
    "RAW_SAMPLE_BYTES": "one pre-decoded uint8 224x224 RGB crop",
    "NVME_READ_BW": "Samsung 990 PRO datasheet: sequential read up to 7,450 MB/s",
    "DGX_H100_HOST_RAM": "NVIDIA DGX H100 datasheet: 2 TB system memory",
    "JPEG_DECODE_PER_WORKER": "estimate: PIL-SIMD decode + RandomResizedCrop of ~110 kB JPEGs, one core",
    "RAW_AUGMENT_PER_WORKER": "estimate: crop + flip of pre-decoded arrays, one core",
    "RAM_CACHE_BW": "estimate: share of a dual-socket server's DRAM bandwidth left to the loader",
}


def imagenet_stages(*, workers: int, fmt: str = "jpeg", storage_bw: float = 2e9, cache_hit: float = 0.0,
                    per_worker: float | None = None, host_link_bw: float = 64e9) -> list[Stage]:
    """Storage -> CPU decode/augment -> host-to-device for ImageNet-style training."""
    check_choice("fmt", fmt, ("jpeg", "raw"))
    check_int("workers", workers, lo=1)
    check_positive("storage_bw", storage_bw)
    check_positive("host_link_bw", host_link_bw)
    if per_worker is not None:
        check_positive("per_worker", per_worker)
    sample = IMAGENET_TRAIN_BYTES / IMAGENET_TRAIN_IMAGES if fmt == "jpeg" else RAW_SAMPLE_BYTES
    rate = per_worker or (JPEG_DECODE_PER_WORKER if fmt == "jpeg" else RAW_AUGMENT_PER_WORKER)
    tensor = RAW_SAMPLE_BYTES * 2  # bf16 tensor sent to the GPU
    return [storage_stage(storage_bw, sample, cache_hit=cache_hit, cache_bw_bytes_s=RAM_CACHE_BW),
            cpu_stage(workers, rate, name="decode + augment" if fmt == "jpeg" else "augment"),
            transfer_stage(host_link_bw, tensor)]


def dataset_bytes(fmt: str = "jpeg") -> float:
    check_choice("fmt", fmt, ("jpeg", "raw"))
    return IMAGENET_TRAIN_BYTES if fmt == "jpeg" else IMAGENET_TRAIN_IMAGES * RAW_SAMPLE_BYTES


def min_workers_for(target_utilization: float, demand_samples_per_s: float, *, max_workers: int = 4096,
                    **stage_kw) -> int | None:
    """Fewest CPU workers whose pipeline keeps the accelerators at least
    `target_utilization` busy (None when another stage caps it below the target)."""
    check_fraction("target_utilization", target_utilization)
    check_positive("demand_samples_per_s", demand_samples_per_s)
    check_int("max_workers", max_workers, lo=1)

    def util(w):
        return pipeline(imagenet_stages(workers=w, **stage_kw), demand_samples_per_s=demand_samples_per_s).utilization

    if util(max_workers) < target_utilization:
        return None
    lo, hi = 1, max_workers
    while lo < hi:
        mid = (lo + hi) // 2
        if util(mid) >= target_utilization:
            hi = mid
        else:
            lo = mid + 1
    return lo


# ------------------------------------------------------------------ feature freshness
FRESHNESS_POLICIES = ("batch", "stream", "local")
SOURCES["freshness"] = ("age of information for periodic updates: Kaul, Yates and Gruteser, 'Real-Time Status: "
                        "How Often Should One Update?', IEEE INFOCOM 2012")


@dataclass(frozen=True)
class Freshness:
    policy: str
    mean_age_s: float  # average age of the feature value a request reads
    worst_age_s: float  # age just before the next refresh lands
    updates_per_s: float  # feature recomputations (one entity's row each)
    store_bytes_per_s: float  # bytes written to the online feature store over the network
    where: str  # "server" or "device": where the recomputation runs


def freshness(policy: str, *, pipeline_latency_s: float, entities: int, events_per_s: float, feature_bytes: float,
              period_s: float | None = None) -> Freshness:
    """How stale a served feature is, and what keeping it fresh costs.

    batch: every `period_s` a job recomputes all `entities` rows and lands them
    `pipeline_latency_s` after its data cut-off, so a request reads a value whose age
    is uniform between L and T + L: mean T/2 + L, worst T + L (Kaul et al. 2012).
    stream: each event updates its entity's row `pipeline_latency_s` after it happens;
    cost follows the event rate, not the entity count. local: the device computes the
    feature from its own events when asked; nothing crosses the network to a store."""
    check_choice("policy", policy, FRESHNESS_POLICIES)
    check_positive("pipeline_latency_s", pipeline_latency_s, allow_zero=True)
    check_int("entities", entities, lo=1)
    check_positive("events_per_s", events_per_s)
    check_positive("feature_bytes", feature_bytes)
    if period_s is not None:
        check_positive("period_s", period_s)
    if policy == "batch":
        if period_s is None:
            raise PhysicsError("period_s is needed for a batch policy")
        updates = entities / period_s
        return Freshness(policy, period_s / 2 + pipeline_latency_s, period_s + pipeline_latency_s, updates,
                         updates * feature_bytes, "server")
    if policy == "stream":
        return Freshness(policy, pipeline_latency_s, pipeline_latency_s, events_per_s, events_per_s * feature_bytes,
                         "server")
    return Freshness(policy, pipeline_latency_s, pipeline_latency_s, events_per_s, 0.0, "device")


# ------------------------------------------------------------------ data contracts
CONTRACT_LEVELS = ("none", "schema", "semantic")
SOURCES["contracts"] = ("schema and distribution checks on each batch: Breck et al., 'Data Validation for Machine "
                        "Learning', MLSys 2019")


def contract_flags(level: str, *, n: int, mean: float, ref_mean: float, ref_std: float, nulls: int = 0,
                   type_errors: int = 0, out_of_range: int = 0, z_max: float = 4.0) -> tuple:
    """The rules a batch of `n` values of one field trips under a contract `level`.

    schema: any null, wrongly typed or out-of-range value ("null", "type", "range").
    semantic: the schema rules plus the meaning of the values, checked as their
    distribution: the batch mean lies more than `z_max` standard errors
    (ref_std / sqrt(n)) from the reference mean ("distribution"). A unit change or a
    new label meaning keeps types and ranges valid and moves only the distribution."""
    check_choice("level", level, CONTRACT_LEVELS)
    check_int("n", n, lo=1)
    check_number("mean", mean)
    check_number("ref_mean", ref_mean)
    check_positive("ref_std", ref_std)
    check_int("nulls", nulls, lo=0)
    check_int("type_errors", type_errors, lo=0)
    check_int("out_of_range", out_of_range, lo=0)
    check_positive("z_max", z_max)
    if level == "none":
        return ()
    flags = [name for name, count in (("null", nulls), ("type", type_errors), ("range", out_of_range)) if count]
    if level == "semantic" and abs(mean - ref_mean) / (ref_std / n**0.5) > z_max:
        flags.append("distribution")
    return tuple(flags)
