"""Device registry: accelerators and processors across the four tiers.

Conventions (every entry follows them):
- `peak_flops[p]` is the DENSE peak in FLOP/s (or OP/s for integer formats) for
  precision p; `sparse_peak_flops[p]` is the 2:4 structured-sparsity peak, kept
  separate so it is never mistaken for the dense figure. Vendors often headline the
  sparse number; where a datasheet quotes only that, the dense value is half of it
  and the note says so.
- `memory_bytes` is main memory (HBM/GDDR/LPDDR), decimal bytes as vendors quote it;
  microcontrollers quote SRAM and flash in binary KiB/MiB and are stored that way.
- `memory_bw` in bytes/s; `host_bw` is the host link per direction;
  `scale_up_bw` is the vendor-quoted aggregate (bidirectional) peer link.
- `price_per_hour` ($/h, cloud rental) and `purchase_price` ($) are public list
  figures or marked estimates; prices move, so they are for orders of magnitude.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import MissingFieldError, UnknownIdError
from .precisions import compute_precision_for
from .units import GB, KiB, MiB, TB, TFLOPS

TIERS = ("cloud", "edge", "mobile", "tiny")


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    tier: str
    peak_flops: dict
    memory_bytes: float | None
    memory_bw: float | None
    tdp_w: float | None
    sources: tuple
    sparse_peak_flops: dict = field(default_factory=dict)
    sram_bytes: float | None = None
    flash_bytes: float | None = None
    host_bw: float | None = None
    scale_up_bw: float | None = None
    price_per_hour: float | None = None
    purchase_price: float | None = None
    notes: str = ""
    # Efficiency class (efficiency.py): datacenter-gpu, tpu, edge-gpu, edge-npu, cpu,
    # mobile-soc, mcu. Sustained efficiencies and dispatch overheads are per class.
    device_class: str = ""
    # Dense peak of the unit that runs training, where that is not the unit whose peak
    # is in `peak_flops` (phones: the NPU runs inference graphs; training runs on the GPU).
    training_peak_flops: dict = field(default_factory=dict)
    # Draw while asleep between duty-cycled wake-ups, with the model's RAM retained (tiny tier).
    sleep_w: float | None = None

    def peak(self, precision: str, *, sparse: bool = False) -> float:
        """Peak rate for `precision` (dense unless sparse=True), falling back to the
        nearest wider format the device supports."""
        table = self.sparse_peak_flops if sparse else self.peak_flops
        if not table:
            raise MissingFieldError(f"device {self.id!r} has no {'sparse ' if sparse else ''}peak compute figure")
        return table[compute_precision_for(precision, table)]

    def require(self, name: str) -> float:
        """A field the caller needs; a clear error when the registry lacks it."""
        v = getattr(self, name)
        if v is None:
            raise MissingFieldError(f"device {self.id!r} has no {name} figure in the registry")
        return v

    def training_peak(self, precision: str) -> float:
        """Dense peak available to training: `training_peak_flops` when the registry
        has it (a different unit trains), else the inference peak."""
        if not self.training_peak_flops:
            return self.peak(precision)
        return self.training_peak_flops[compute_precision_for(precision, self.training_peak_flops)]

    @property
    def ridge_point(self) -> float:
        """Dense bf16/fp16 (or best available) FLOP per byte where compute binds."""
        return self.peak("bf16") / self.require("memory_bw")


T = TFLOPS
NV_H100 = "NVIDIA H100 Tensor Core GPU datasheet (2023): dense = half of the starred sparse figures"
NV_A100 = "NVIDIA A100 Tensor Core GPU datasheet (2021)"
PRICE_EST = "estimate: representative 2025 on-demand cloud list price for one GPU; varies by provider"


MOBILE_TRAINING = ("training peak: estimate. NPU SDKs (Core ML on the Neural Engine, Qualcomm QNN/SNPE on "
                   "Hexagon) execute inference graphs; on-device training (Core ML model updates, TensorFlow Lite "
                   "on-device training) runs on the CPU or GPU, so training uses the GPU's peak")

# Efficiency class of each registry device (efficiency.py documents each class).
_DEVICE_CLASS = {
    **dict.fromkeys(["h100-sxm", "h100-pcie", "h200", "b200", "a100-80gb", "a100-40gb", "v100", "t4", "l4", "l40s",
                     "a10", "rtx-4090", "mi300x"], "datacenter-gpu"),
    **dict.fromkeys(["tpu-v4", "tpu-v5e", "tpu-v5p"], "tpu"),
    **dict.fromkeys(["jetson-agx-orin", "jetson-orin-nx-16gb", "jetson-orin-nano", "jetson-nano"], "edge-gpu"),
    **dict.fromkeys(["coral-edge-tpu", "hailo-8"], "edge-npu"),
    "raspberry-pi-5": "cpu",
    **dict.fromkeys(["a17-pro", "a18-pro", "snapdragon-8-gen-3", "apple-m2"], "mobile-soc"),
    **dict.fromkeys(["nrf52840", "stm32h7", "stm32l4r5", "esp32-s3", "cortex-m0-plus"], "mcu"),
}


def _d(**kw) -> Device:
    kw["sources"] = tuple(kw["sources"])
    kw.setdefault("device_class", _DEVICE_CLASS[kw["id"]])
    return Device(**kw)


_DEVICES = [
    # ---------------------------------------------------------------- cloud
    _d(id="h100-sxm", name="NVIDIA H100 SXM5 80GB", tier="cloud",
       peak_flops={"fp32": 66.9 * T, "tf32": 494.7 * T, "bf16": 989.4 * T, "fp16": 989.4 * T, "fp8": 1978.9 * T, "int8": 1978.9 * T},
       sparse_peak_flops={"tf32": 989.4 * T, "bf16": 1978.9 * T, "fp16": 1978.9 * T, "fp8": 3957.8 * T, "int8": 3957.8 * T},
       memory_bytes=80 * GB, memory_bw=3.35 * TB, sram_bytes=50 * 1024 * KiB, tdp_w=700,
       host_bw=64 * GB, scale_up_bw=900 * GB, price_per_hour=3.00,
       sources=[NV_H100, "L2 cache 50 MB: NVIDIA H100 architecture whitepaper", PRICE_EST]),
    _d(id="h100-pcie", name="NVIDIA H100 PCIe 80GB", tier="cloud",
       peak_flops={"fp32": 51.2 * T, "tf32": 378 * T, "bf16": 756 * T, "fp16": 756 * T, "fp8": 1513 * T, "int8": 1513 * T},
       sparse_peak_flops={"tf32": 756 * T, "bf16": 1513 * T, "fp16": 1513 * T, "fp8": 3026 * T, "int8": 3026 * T},
       memory_bytes=80 * GB, memory_bw=2.0 * TB, sram_bytes=50 * 1024 * KiB, tdp_w=350,
       host_bw=64 * GB, scale_up_bw=600 * GB, price_per_hour=2.50,
       sources=[NV_H100, PRICE_EST]),
    _d(id="h200", name="NVIDIA H200 SXM 141GB", tier="cloud",
       peak_flops={"fp32": 66.9 * T, "tf32": 494.7 * T, "bf16": 989.4 * T, "fp16": 989.4 * T, "fp8": 1978.9 * T, "int8": 1978.9 * T},
       sparse_peak_flops={"tf32": 989.4 * T, "bf16": 1978.9 * T, "fp16": 1978.9 * T, "fp8": 3957.8 * T, "int8": 3957.8 * T},
       memory_bytes=141 * GB, memory_bw=4.8 * TB, tdp_w=700, host_bw=64 * GB, scale_up_bw=900 * GB,
       price_per_hour=3.80,
       sources=["NVIDIA H200 Tensor Core GPU datasheet (2024): dense = half of starred sparse figures", PRICE_EST]),
    _d(id="b200", name="NVIDIA B200 (HGX B200, per GPU)", tier="cloud",
       peak_flops={"fp32": 75 * T, "tf32": 1100 * T, "bf16": 2250 * T, "fp16": 2250 * T, "fp8": 4500 * T, "int8": 4500 * T},
       sparse_peak_flops={"tf32": 2200 * T, "bf16": 4500 * T, "fp16": 4500 * T, "fp8": 9000 * T, "int8": 9000 * T},
       memory_bytes=180 * GB, memory_bw=8 * TB, tdp_w=1000, host_bw=64 * GB, scale_up_bw=1800 * GB,
       price_per_hour=6.00,
       sources=["NVIDIA HGX B200 datasheet (2024): 8-GPU totals divided by 8; sparse figures starred",
                "fp32 75 TFLOPS: estimate (not on the HGX datasheet)", PRICE_EST]),
    _d(id="a100-80gb", name="NVIDIA A100 SXM4 80GB", tier="cloud",
       peak_flops={"fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T, "fp16": 312 * T, "int8": 624 * T, "int4": 1248 * T},
       sparse_peak_flops={"tf32": 312 * T, "bf16": 624 * T, "fp16": 624 * T, "int8": 1248 * T, "int4": 2496 * T},
       memory_bytes=80 * GB, memory_bw=2039 * GB, sram_bytes=40 * 1024 * KiB, tdp_w=400,
       host_bw=32 * GB, scale_up_bw=600 * GB, price_per_hour=1.80,
       sources=[NV_A100, "L2 cache 40 MB: NVIDIA A100 architecture whitepaper", PRICE_EST]),
    _d(id="a100-40gb", name="NVIDIA A100 SXM4 40GB", tier="cloud",
       peak_flops={"fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T, "fp16": 312 * T, "int8": 624 * T, "int4": 1248 * T},
       sparse_peak_flops={"tf32": 312 * T, "bf16": 624 * T, "fp16": 624 * T, "int8": 1248 * T, "int4": 2496 * T},
       memory_bytes=40 * GB, memory_bw=1555 * GB, sram_bytes=40 * 1024 * KiB, tdp_w=400,
       host_bw=32 * GB, scale_up_bw=600 * GB, price_per_hour=1.30,
       sources=[NV_A100, PRICE_EST]),
    _d(id="v100", name="NVIDIA V100 SXM2 32GB", tier="cloud",
       peak_flops={"fp32": 15.7 * T, "fp16": 125 * T},
       memory_bytes=32 * GB, memory_bw=900 * GB, sram_bytes=6 * 1024 * KiB, tdp_w=300,
       host_bw=16 * GB, scale_up_bw=300 * GB, price_per_hour=0.90,
       sources=["NVIDIA Tesla V100 datasheet (2018); no bf16, no structured sparsity", PRICE_EST]),
    _d(id="t4", name="NVIDIA T4", tier="cloud",
       peak_flops={"fp32": 8.1 * T, "fp16": 65 * T, "int8": 130 * T, "int4": 260 * T},
       memory_bytes=16 * GB, memory_bw=320 * GB, tdp_w=70, host_bw=16 * GB, price_per_hour=0.35,
       sources=["NVIDIA T4 Tensor Core GPU datasheet (2019)", "price: Google Cloud on-demand T4 GPU list price, us-central1 (2024)"]),
    _d(id="l4", name="NVIDIA L4", tier="cloud",
       peak_flops={"fp32": 30.3 * T, "tf32": 60 * T, "bf16": 121 * T, "fp16": 121 * T, "fp8": 242.5 * T, "int8": 242.5 * T},
       sparse_peak_flops={"tf32": 120 * T, "bf16": 242 * T, "fp16": 242 * T, "fp8": 485 * T, "int8": 485 * T},
       memory_bytes=24 * GB, memory_bw=300 * GB, tdp_w=72, host_bw=32 * GB, price_per_hour=0.71,
       sources=["NVIDIA L4 Tensor Core GPU datasheet (2023): starred figures are sparse, dense is half", PRICE_EST]),
    _d(id="l40s", name="NVIDIA L40S", tier="cloud",
       peak_flops={"fp32": 91.6 * T, "tf32": 183 * T, "bf16": 362 * T, "fp16": 362 * T, "fp8": 733 * T, "int8": 733 * T},
       sparse_peak_flops={"tf32": 366 * T, "bf16": 733 * T, "fp16": 733 * T, "fp8": 1466 * T, "int8": 1466 * T},
       memory_bytes=48 * GB, memory_bw=864 * GB, tdp_w=350, host_bw=32 * GB, price_per_hour=1.50,
       sources=["NVIDIA L40S datasheet (2023)", PRICE_EST]),
    _d(id="a10", name="NVIDIA A10", tier="cloud",
       peak_flops={"fp32": 31.2 * T, "tf32": 62.5 * T, "bf16": 125 * T, "fp16": 125 * T, "int8": 250 * T, "int4": 500 * T},
       sparse_peak_flops={"tf32": 125 * T, "bf16": 250 * T, "fp16": 250 * T, "int8": 500 * T, "int4": 1000 * T},
       memory_bytes=24 * GB, memory_bw=600 * GB, tdp_w=150, host_bw=32 * GB, price_per_hour=0.75,
       sources=["NVIDIA A10 Tensor Core GPU datasheet (2021)", PRICE_EST]),
    _d(id="rtx-4090", name="NVIDIA GeForce RTX 4090", tier="cloud",
       peak_flops={"fp32": 82.6 * T, "fp16": 165.2 * T, "bf16": 165.2 * T, "int8": 660.6 * T},
       sparse_peak_flops={"fp16": 330.4 * T, "bf16": 330.4 * T, "int8": 1321.2 * T},
       memory_bytes=24 * GB, memory_bw=1008 * GB, tdp_w=450, host_bw=32 * GB, purchase_price=1599,
       sources=["NVIDIA Ada Lovelace architecture whitepaper v1.03, appendix table (fp16 with fp32 accumulate)",
                "price: NVIDIA launch MSRP (2022)"]),
    _d(id="mi300x", name="AMD Instinct MI300X", tier="cloud",
       peak_flops={"fp32": 163.4 * T, "tf32": 653.7 * T, "bf16": 1307.4 * T, "fp16": 1307.4 * T, "fp8": 2614.9 * T, "int8": 2614.9 * T},
       sparse_peak_flops={"tf32": 1307.4 * T, "bf16": 2614.9 * T, "fp16": 2614.9 * T, "fp8": 5229.8 * T, "int8": 5229.8 * T},
       memory_bytes=192 * GB, memory_bw=5.3 * TB, sram_bytes=256 * 1024 * KiB, tdp_w=750,
       host_bw=64 * GB, scale_up_bw=896 * GB, price_per_hour=3.50,
       sources=["AMD Instinct MI300X accelerator datasheet (2023); 256 MB Infinity Cache", PRICE_EST]),
    _d(id="tpu-v4", name="Google Cloud TPU v4 (per chip)", tier="cloud",
       peak_flops={"bf16": 275 * T, "int8": 275 * T},
       memory_bytes=32 * GB, memory_bw=1200 * GB, tdp_w=192, price_per_hour=3.22,
       sources=["Google Cloud TPU v4 documentation: 275 TFLOPS bf16/int8, 32 GiB HBM2, 1200 GB/s",
                "power: estimate from Jouppi et al., ISCA 2023 (TPU v4 paper)",
                "price: Google Cloud on-demand TPU v4 chip-hour list price (2024)"]),
    _d(id="tpu-v5e", name="Google Cloud TPU v5e (per chip)", tier="cloud",
       peak_flops={"bf16": 197 * T, "int8": 394 * T},
       memory_bytes=16 * GB, memory_bw=819 * GB, tdp_w=None, scale_up_bw=200 * GB, price_per_hour=1.20,
       sources=["Google Cloud TPU v5e documentation: 197 TFLOPS bf16, 394 TOPS int8, 16 GB HBM2e 819 GB/s, ICI 1600 Gbps",
                "price: Google Cloud on-demand TPU v5e chip-hour list price (2024)"]),
    _d(id="tpu-v5p", name="Google Cloud TPU v5p (per chip)", tier="cloud",
       peak_flops={"bf16": 459 * T, "int8": 918 * T},
       memory_bytes=95 * GB, memory_bw=2765 * GB, tdp_w=None, scale_up_bw=600 * GB, price_per_hour=4.20,
       sources=["Google Cloud TPU v5p documentation: 459 TFLOPS bf16, 918 TOPS int8, 95 GB HBM2e 2765 GB/s, ICI 4800 Gbps",
                "price: Google Cloud on-demand TPU v5p chip-hour list price (2024)"]),
    # ----------------------------------------------------------------- edge
    _d(id="jetson-agx-orin", name="NVIDIA Jetson AGX Orin 64GB", tier="edge",
       peak_flops={"fp32": 5.3 * T, "fp16": 42.5 * T, "int8": 137.5 * T},
       sparse_peak_flops={"int8": 275 * T},
       memory_bytes=64 * GB, memory_bw=204.8 * GB, tdp_w=60, purchase_price=1999,
       sources=["NVIDIA Jetson AGX Orin series datasheet: 275 TOPS sparse int8 (GPU + 2 DLA), 204.8 GB/s LPDDR5, 15-60 W",
                "dense int8 = half the sparse figure; fp16 dense 42.5 TFLOPS: estimate (GPU int8 dense / 2)",
                "fp32: 2048 CUDA cores x 2 x 1.3 GHz", "price: developer kit list price"]),
    _d(id="jetson-orin-nx-16gb", name="NVIDIA Jetson Orin NX 16GB", tier="edge",
       peak_flops={"fp32": 1.88 * T, "fp16": 15 * T, "int8": 50 * T},
       sparse_peak_flops={"int8": 100 * T},
       memory_bytes=16 * GB, memory_bw=102.4 * GB, tdp_w=25, purchase_price=599,
       sources=["NVIDIA Jetson Orin NX series datasheet: 100 TOPS sparse int8 (GPU + DLA), 16 GB LPDDR5 102.4 GB/s, 10-25 W",
                "dense int8 = half the sparse figure; fp16 dense 15 TFLOPS: estimate (GPU 60 sparse int8 TOPS / 4)",
                "fp32: 1024 CUDA cores x 2 x 0.918 GHz", "price: module list price"]),
    _d(id="jetson-orin-nano", name="NVIDIA Jetson Orin Nano 8GB", tier="edge",
       peak_flops={"fp32": 1.28 * T, "fp16": 10 * T, "int8": 20 * T},
       sparse_peak_flops={"int8": 40 * T},
       memory_bytes=8 * GB, memory_bw=68 * GB, tdp_w=15, purchase_price=499,
       sources=["NVIDIA Jetson Orin Nano series datasheet: 40 TOPS sparse int8, 8 GB LPDDR5 68 GB/s, 7-15 W",
                "fp16 dense: estimate (dense int8 / 2)", "price: original developer kit list price"]),
    _d(id="jetson-nano", name="NVIDIA Jetson Nano 4GB", tier="edge",
       peak_flops={"fp32": 0.236 * T, "fp16": 0.472 * T},
       memory_bytes=4 * GB, memory_bw=25.6 * GB, tdp_w=10, purchase_price=99,
       sources=["NVIDIA Jetson Nano module datasheet: 472 GFLOPS fp16, 4 GB LPDDR4 25.6 GB/s, 5-10 W",
                "price: 2GB/4GB developer kit list price (2020)"]),
    _d(id="coral-edge-tpu", name="Google Coral Edge TPU (USB Accelerator)", tier="edge",
       peak_flops={"int8": 4 * T}, memory_bytes=None, memory_bw=None, sram_bytes=8 * MiB, tdp_w=2.0,
       host_bw=0.625 * GB, purchase_price=59.99,
       notes="Parameters live in ~8 MB on-chip SRAM; larger models stream from the host over USB.",
       sources=["Coral USB Accelerator datasheet: 4 TOPS int8 at 2 TOPS/W, USB 3.0",
                "8 MB on-chip SRAM: Coral 'Edge TPU compiler' documentation (parameter data caching)",
                "price: Coral USB Accelerator list price"]),
    _d(id="hailo-8", name="Hailo-8 M.2 AI accelerator", tier="edge",
       peak_flops={"int8": 26 * T}, memory_bytes=None, memory_bw=None, tdp_w=2.5, host_bw=2 * GB,
       notes="Dataflow architecture with on-chip memory only; no external DRAM.",
       sources=["Hailo-8 product brief: 26 TOPS, 2.5 W typical, PCIe Gen3 x2 (M.2)"]),
    _d(id="raspberry-pi-5", name="Raspberry Pi 5 8GB (Cortex-A76 x4)", tier="edge",
       peak_flops={"fp32": 153.6e9, "fp16": 307.2e9, "int8": 614.4e9},
       memory_bytes=8 * GB, memory_bw=17.1 * GB, tdp_w=12, purchase_price=80,
       sources=["Raspberry Pi 5 product brief: 4x Cortex-A76 at 2.4 GHz, LPDDR4X-4267, 27 W supply",
                "peaks: estimate, 2x128-bit NEON FMA per cycle per core (16 fp32 / 32 fp16 FLOP, 64 int8 OP via SDOT)",
                "bandwidth: estimate, LPDDR4X-4267 on a 32-bit bus; power 12 W: estimate of full-load draw",
                "price: list price of the 8 GB model"]),
    # --------------------------------------------------------------- mobile
    _d(id="a17-pro", name="Apple A17 Pro (Neural Engine)", tier="mobile",
       peak_flops={"fp16": 17.5 * T, "int8": 35 * T},
       memory_bytes=8 * GB, memory_bw=51.2 * GB, tdp_w=5,
       training_peak_flops={"fp32": 2.15 * T, "fp16": 2.15 * T},
       sources=["Apple iPhone 15 Pro announcement (Sept 2023): Neural Engine up to 35 trillion operations/s",
                MOBILE_TRAINING + "; 6-core GPU ~2.15 TFLOPS fp32 (widely reported; Apple publishes no figure), "
                "fp16 at the same rate",
                "35 TOPS treated as int8; fp16 = half: estimate", "8 GB RAM: iPhone 15 Pro teardown reports",
                "bandwidth: estimate, LPDDR5-6400 on a 64-bit bus", "5 W: estimate of sustained phone thermal budget"]),
    _d(id="a18-pro", name="Apple A18 Pro (Neural Engine)", tier="mobile",
       peak_flops={"fp16": 17.5 * T, "int8": 35 * T},
       memory_bytes=8 * GB, memory_bw=60 * GB, tdp_w=5,
       training_peak_flops={"fp32": 2.4 * T, "fp16": 2.4 * T},
       sources=["Apple iPhone 16 Pro announcement (Sept 2024): 16-core Neural Engine, 35 TOPS",
                MOBILE_TRAINING + "; 6-core GPU ~2.4 TFLOPS fp32 (estimate, reported figures)",
                "bandwidth: estimate, LPDDR5X-7500 on a 64-bit bus", "5 W: estimate of sustained phone thermal budget"]),
    _d(id="snapdragon-8-gen-3", name="Qualcomm Snapdragon 8 Gen 3 (Hexagon NPU)", tier="mobile",
       peak_flops={"fp16": 22.5 * T, "int8": 45 * T},
       memory_bytes=12 * GB, memory_bw=76.8 * GB, tdp_w=5,
       training_peak_flops={"fp32": 2.8 * T, "fp16": 5.6 * T},
       sources=["Qualcomm Snapdragon 8 Gen 3 product brief: LPDDR5X up to 4800 MHz (64-bit bus -> 76.8 GB/s)",
                MOBILE_TRAINING + "; Adreno 750 ~2.8 TFLOPS fp32 (estimate, reported figures), fp16 at twice the rate",
                "45 TOPS int8: estimate, widely reported; Qualcomm does not publish an official figure",
                "12 GB: typical flagship configuration (Galaxy S24 Ultra)", "5 W: estimate of sustained phone thermal budget"]),
    _d(id="apple-m2", name="Apple M2 (Neural Engine)", tier="mobile",
       peak_flops={"fp32": 3.6 * T, "fp16": 7.9 * T, "int8": 15.8 * T},
       memory_bytes=16 * GB, memory_bw=100 * GB, tdp_w=20,
       training_peak_flops={"fp32": 3.6 * T, "fp16": 3.6 * T},
       sources=["Apple M2 announcement (June 2022): 15.8 TOPS Neural Engine, 100 GB/s unified memory, 3.6 TFLOPS GPU",
                MOBILE_TRAINING + " (3.6 TFLOPS GPU, fp16 at the same rate: estimate)",
                "fp16 NE = half of int8: estimate; 20 W: estimate of laptop package power"]),
    # ----------------------------------------------------------------- tiny
    _d(id="nrf52840", name="Nordic nRF52840 (Cortex-M4F, 64 MHz)", tier="tiny",
       peak_flops={"fp32": 64e6, "int8": 256e6},
       memory_bytes=256 * KiB, memory_bw=256e6, sram_bytes=256 * KiB, flash_bytes=1 * MiB, tdp_w=0.010,
       purchase_price=6, sleep_w=3.16e-6 * 3.0,
       sources=["Nordic nRF52840 Product Specification v1.7: 64 MHz Cortex-M4F, 1 MB flash, 256 KB RAM (binary units)",
                "peaks: estimate from Arm Cortex-M4 TRM timings: 1 fp32 FLOP/cycle; int8 via SMLAD, 2 MAC = 4 OP/cycle",
                "bandwidth: estimate, 32-bit SRAM bus at 64 MHz", "power: estimate, ~3.3 mA run current at 3 V (DC/DC)",
                "sleep: nRF52840 Product Specification v1.7, current consumption: System ON, full 256 KB RAM "
                "retained, wake on RTC, 3.16 uA typical at 3 V",
                "price: estimate, single-unit distributor price"]),
    _d(id="stm32h7", name="ST STM32H743 (Cortex-M7, 480 MHz)", tier="tiny",
       peak_flops={"fp32": 960e6, "int8": 1.92e9},
       memory_bytes=1 * MiB, memory_bw=1.92e9, sram_bytes=1 * MiB, flash_bytes=2 * MiB, tdp_w=0.35,
       purchase_price=12,
       sources=["ST STM32H743xI datasheet: Cortex-M7 at 480 MHz, 1 MB RAM (864 KB user SRAM + 192 KB TCM), 2 MB flash",
                "peaks: estimate, 1 fp32 FMA/cycle (2 FLOP); int8 via SMLAD, 4 OP/cycle",
                "bandwidth: estimate, 64-bit AXI SRAM at 240 MHz", "power: estimate, ~100 mA at 3.3 V in run mode",
                "price: estimate, single-unit distributor price"]),
    _d(id="stm32l4r5", name="ST STM32L4R5 (Cortex-M4F, 120 MHz; NUCLEO-L4R5ZI)", tier="tiny",
       peak_flops={"fp32": 120e6, "int8": 480e6},
       memory_bytes=640 * KiB, memory_bw=480e6, sram_bytes=640 * KiB, flash_bytes=2 * MiB, tdp_w=0.044,
       sources=["ST STM32L4R5xx datasheet: Cortex-M4F at 120 MHz, 640 KB SRAM, 2 MB flash",
                "peaks: estimate from Arm Cortex-M4 TRM timings (1 fp32 FLOP/cycle; SMLAD 4 int8 OP/cycle)",
                "power: estimate, ~110 uA/MHz run current at 3.3 V (datasheet typical)",
                "bandwidth: estimate, 32-bit SRAM bus at 120 MHz"]),
    _d(id="esp32-s3", name="Espressif ESP32-S3 (Xtensa LX7 x2, 240 MHz)", tier="tiny",
       peak_flops={"fp32": 960e6, "int8": 15.4e9},
       memory_bytes=512 * KiB, memory_bw=0.96e9, sram_bytes=512 * KiB, flash_bytes=8 * MiB, tdp_w=0.33,
       purchase_price=3, sleep_w=240e-6 * 3.3,
       sources=["Espressif ESP32-S3 datasheet: dual-core LX7 up to 240 MHz, 512 KB SRAM, vector (PIE) instructions",
                "peaks: estimate, 1 fp32 FMA/cycle/core; int8 16 MAC/cycle/core with 128-bit PIE SIMD",
                "8 MB flash: common module option (ESP32-S3-WROOM-1-N8)", "power: estimate, ~100 mA at 3.3 V active",
                "sleep: ESP32-S3 datasheet, light-sleep (SRAM retained): 240 uA typical at 3.3 V",
                "bandwidth: estimate, 32-bit SRAM access at 240 MHz", "price: estimate, single-unit chip price"]),
    _d(id="cortex-m0-plus", name="Raspberry Pi RP2040 (Cortex-M0+ x2, 133 MHz)", tier="tiny",
       peak_flops={"fp32": 8e6, "int8": 133e6},
       memory_bytes=264 * KiB, memory_bw=532e6, sram_bytes=264 * KiB, flash_bytes=2 * MiB, tdp_w=0.09, purchase_price=1,
       sources=["Raspberry Pi RP2040 datasheet: dual Cortex-M0+ at 133 MHz, 264 KB SRAM, external QSPI flash",
                "peaks: estimate; no FPU (soft float ~16 cycles/FLOP/core), 1 int8 MAC/2 cycles/core",
                "power: estimate, ~27 mA at 3.3 V", "price: list price of the chip"]),
]

DEVICES: dict[str, Device] = {d.id: d for d in _DEVICES}


def get_device(device_id) -> Device:
    """Look up a device by id (a Device passes through unchanged)."""
    if isinstance(device_id, Device):
        return device_id
    try:
        return DEVICES[device_id]
    except (KeyError, TypeError):
        raise UnknownIdError("device", str(device_id), DEVICES) from None


def devices_in_tier(tier: str) -> list[Device]:
    from .errors import check_choice

    check_choice("tier", tier, TIERS)
    return [d for d in _DEVICES if d.tier == tier]


# The reference part for each Volume I tier (LAB_BRIEFS.md).
TIER_REFERENCE = {
    "cloud": "h100-sxm",
    "edge": "jetson-orin-nx-16gb",
    "mobile": "a17-pro",
    "tiny": "nrf52840",
}


TIER_METRICS = {
    "compute": ("best dense peak", "OP/s"),
    "memory": ("main memory", "bytes"),
    "bandwidth": ("memory bandwidth", "bytes/s"),
    "power": ("power (TDP/typical)", "W"),
}


def tier_metric(device, metric: str) -> float:
    """One headline figure of a device, for comparing tiers on a log scale."""
    d = get_device(device)
    if metric == "compute":
        return max(d.peak_flops.values())
    if metric == "memory":
        return d.require("memory_bytes")
    if metric == "bandwidth":
        return d.require("memory_bw")
    if metric == "power":
        return d.require("tdp_w")
    from .errors import PhysicsError

    raise PhysicsError(f"metric must be one of {', '.join(TIER_METRICS)}; got {metric!r}")


def tier_span(metric: str, tiers: dict | None = None) -> dict:
    """metric of each tier's reference device, and the cloud/tiny ratio."""
    from .errors import PhysicsError

    ref = TIER_REFERENCE if tiers is None else tiers
    if not isinstance(ref, dict) or not all(t in ref for t in TIERS):
        raise PhysicsError(f"tiers must map every tier ({', '.join(TIERS)}) to a device id, got {tiers!r}")
    vals = {t: tier_metric(ref[t], metric) for t in TIERS}
    return {"values": vals, "ratio": vals["cloud"] / vals["tiny"]}


def what_if_device(device, *, compute_scale: float = 1.0, bandwidth_scale: float = 1.0) -> Device:
    """A hypothetical part: `device` with every peak (dense and 2:4 sparse, training
    too) multiplied by `compute_scale` and its memory bandwidth by `bandwidth_scale`;
    memory, power and prices unchanged. For 'what if the chip had 2x the FLOP/s'
    questions (v1.11): the result is labelled as hypothetical in its id, name and notes."""
    from .errors import check_number

    d = get_device(device)
    check_number("compute_scale", compute_scale, lo=0, lo_open=True)
    check_number("bandwidth_scale", bandwidth_scale, lo=0, lo_open=True)
    if compute_scale == 1 and bandwidth_scale == 1:
        return d
    from dataclasses import replace

    scale = lambda table: {p: v * compute_scale for p, v in table.items()}  # noqa: E731
    tag = f"{compute_scale:g}x FLOP/s, {bandwidth_scale:g}x bandwidth"
    return replace(d, id=f"{d.id}@{compute_scale:g}x-flops-{bandwidth_scale:g}x-bw",
                   name=f"{d.name} ({tag}, hypothetical)", peak_flops=scale(d.peak_flops),
                   sparse_peak_flops=scale(d.sparse_peak_flops), training_peak_flops=scale(d.training_peak_flops),
                   memory_bw=d.memory_bw * bandwidth_scale if d.memory_bw is not None else None,
                   notes=f"hypothetical: {d.name} with {tag}. {d.notes}".strip())
