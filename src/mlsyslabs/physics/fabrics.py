"""Interconnect fabrics and cluster topologies.

A `Fabric` is one kind of link a GPU uses to reach its peers: a scale-up fabric
(NVLink through NVSwitch, PCIe) inside a node or switch domain, or a scale-out
fabric (InfiniBand, RoCE, EFA) between nodes. Conventions (every entry follows them):

- `bw` is bytes/s PER DIRECTION: per GPU for scale-up fabrics (all of its links
  together), per port (one NIC) for scale-out fabrics. Vendors often headline the
  bidirectional sum (NVLink 4: "900 GB/s"); the per-direction figure is half of it.
- `efficiency` is the fraction of `bw` a collective library sustains on large
  messages. It comes from NCCL's own topology model (src/graph/topo.h: achievable
  GB/s per NVLink, PCIe Gen3 x16 and 100 Gb/s NIC), not from the anchors it is
  validated against.
- `latency_s` / `ll_latency_s` / `ll128_latency_s` are the per-step latencies of
  NCCL's Simple, LL and LL128 protocols on this class of link (NCCL
  src/graph/tuning.cc, hwLat table: NVLink, PCI or NET). `alpha` in the alpha-beta
  cost model.
- `domain_gpus` is how many GPUs one switch domain connects at full bandwidth
  (8 for an HGX board, 72 for GB200 NVL72); None for scale-out fabrics.

A `Cluster` composes a node (GPUs per node, scale-up fabric) with its scale-out
fabric (NICs per node, rail-optimized or not) and the network above the leaf:
`pod_gpus` GPUs share full bisection bandwidth; beyond that the uplinks are
oversubscribed by `oversubscription` (1.0 = non-blocking).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import PhysicsError, UnknownIdError, check_int
from .units import GB

NCCL_TOPO = ("NCCL src/graph/topo.h: achievable per-link bandwidth used by NCCL's model "
             "(SM70/SM80 NVLink 20.0, SM90 20.6, SM100 40.1 GB/s per link; PCI Gen3 x16 12.0 GB/s; "
             "100 Gb/s NIC 12.0 GB/s)")
NCCL_LAT = ("NCCL src/graph/tuning.cc (v2.19-2.21): per-step hardware latency hwLat, ring algorithm: "
            "NVLink LL 0.6 / LL128 1.9 / Simple 3.4 us; PCI 1.0 / 2.5 / 5.7 us; NET 2.7 / 4.0 / 14 us")
NET_EFF_NOTE = "efficiency 0.96 = NCCL NET_BW 12.0 GB/s per 100 Gb/s (12.5 GB/s) port, applied per port"

# NCCL protocol base latencies (tuning.cc baseLat, ring): Simple 8.4 us, LL 6.6 us, LL128 14 us.
BASE_LATENCY_S = {"simple": 8.4e-6, "ll": 6.6e-6, "ll128": 14.0e-6}
# Fraction of link bandwidth each protocol delivers (tuning.cc: LL busBw x 1/4 for all-reduce or
# multi-node, 1/3 otherwise; LL128 x 0.92 = 120/128 payload; Simple x 1).
PROTOCOL_BW_FACTOR = {"simple": 1.0, "ll128": 0.92}

_NVL_LAT = dict(latency_s=3.4e-6, ll_latency_s=0.6e-6, ll128_latency_s=1.9e-6)
_PCI_LAT = dict(latency_s=5.7e-6, ll_latency_s=1.0e-6, ll128_latency_s=2.5e-6)
_NET_LAT = dict(latency_s=14.0e-6, ll_latency_s=2.7e-6, ll128_latency_s=4.0e-6)


@dataclass(frozen=True)
class Fabric:
    id: str
    name: str
    scope: str  # "scale-up" | "scale-out"
    bw: float  # bytes/s per direction (per GPU for scale-up, per port for scale-out)
    efficiency: float  # sustained fraction of bw on large messages
    latency_s: float  # per-step latency, Simple protocol
    ll_latency_s: float
    ll128_latency_s: float
    sources: tuple
    links: int | None = None  # NVLink links per GPU (scale-up)
    domain_gpus: int | None = None  # GPUs at full bandwidth in one switch domain
    in_network_reduction: bool = False  # NVLink SHARP / InfiniBand SHARP capable
    notes: str = ""

    @property
    def achievable_bw(self) -> float:
        """Sustained bytes/s per direction on large messages: bw x efficiency."""
        return self.bw * self.efficiency

    @property
    def bidirectional_bw(self) -> float:
        """The vendor headline (both directions together)."""
        return 2.0 * self.bw


def _f(**kw) -> Fabric:
    kw["sources"] = tuple(kw["sources"])
    return Fabric(**kw)


PCIE_SPEC = ("PCI-SIG PCI Express Base Specification: Gen3 8 GT/s, Gen4 16 GT/s, Gen5 32 GT/s with 128b/130b "
             "encoding; Gen6 64 GT/s PAM4 FLIT mode (242 of 256 bytes payload); x16 per direction")
PCIE_EFF = "efficiency 0.76 = NCCL PCI_BW 12.0 GB/s for Gen3 x16 (15.75 GB/s); applied to later generations (estimate)"

_FABRICS = [
    _f(id="pcie3-x16", name="PCIe Gen3 x16", scope="scale-up", bw=15.75 * GB, efficiency=12.0 / 15.75,
       domain_gpus=8, sources=[PCIE_SPEC, NCCL_TOPO, NCCL_LAT], **_PCI_LAT,
       notes="GPU-to-GPU through PCIe switches or the CPU root complex."),
    _f(id="pcie4-x16", name="PCIe Gen4 x16", scope="scale-up", bw=31.5 * GB, efficiency=12.0 / 15.75,
       domain_gpus=8, sources=[PCIE_SPEC, PCIE_EFF, NCCL_LAT], **_PCI_LAT),
    _f(id="pcie5-x16", name="PCIe Gen5 x16", scope="scale-up", bw=63.0 * GB, efficiency=12.0 / 15.75,
       domain_gpus=8, sources=[PCIE_SPEC, PCIE_EFF, NCCL_LAT], **_PCI_LAT),
    _f(id="pcie6-x16", name="PCIe Gen6 x16", scope="scale-up", bw=121.0 * GB, efficiency=12.0 / 15.75,
       domain_gpus=8, sources=[PCIE_SPEC, PCIE_EFF, NCCL_LAT], **_PCI_LAT),
    _f(id="nvlink2", name="NVLink 2 (V100, 6 links)", scope="scale-up", bw=150 * GB, efficiency=20.0 / 25.0,
       links=6, domain_gpus=8,
       sources=["NVIDIA Tesla V100 datasheet: NVLink 300 GB/s (bidirectional), 6 links x 25 GB/s per direction",
                NCCL_TOPO, NCCL_LAT],
       notes="DGX-1 wires 8 V100s as a hybrid cube-mesh (not every pair linked); DGX-2 adds NVSwitch for 16.",
       **_NVL_LAT),
    _f(id="nvlink3", name="NVLink 3 + NVSwitch (A100, 12 links)", scope="scale-up", bw=300 * GB,
       efficiency=20.0 / 25.0, links=12, domain_gpus=8,
       sources=["NVIDIA A100 datasheet: NVLink 600 GB/s (bidirectional); 12 links x 25 GB/s per direction; "
                "DGX A100: 6 second-generation NVSwitches", NCCL_TOPO, NCCL_LAT], **_NVL_LAT),
    _f(id="nvlink4", name="NVLink 4 + NVSwitch (H100/H200, 18 links)", scope="scale-up", bw=450 * GB,
       efficiency=20.6 / 25.0, links=18, domain_gpus=8, in_network_reduction=True,
       sources=["NVIDIA H100 datasheet: NVLink 900 GB/s (bidirectional), 18 links x 25 GB/s per direction; "
                "DGX H100: 4 third-generation NVSwitches with NVLink SHARP", NCCL_TOPO, NCCL_LAT], **_NVL_LAT),
    _f(id="nvlink5", name="NVLink 5 + NVSwitch (B200, 18 links)", scope="scale-up", bw=900 * GB,
       efficiency=40.1 / 50.0, links=18, domain_gpus=8, in_network_reduction=True,
       sources=["NVIDIA HGX B200 datasheet: NVLink 1.8 TB/s (bidirectional) per GPU, 18 links x 50 GB/s per direction",
                NCCL_TOPO, NCCL_LAT], **_NVL_LAT),
    _f(id="nvl72", name="NVLink 5 Switch domain (GB200 NVL72)", scope="scale-up", bw=900 * GB,
       efficiency=40.1 / 50.0, links=18, domain_gpus=72, in_network_reduction=True,
       sources=["NVIDIA GB200 NVL72 datasheet: 72 Blackwell GPUs in one NVLink domain, 1.8 TB/s per GPU, "
                "130 TB/s aggregate (72 x 1.8 TB/s)", NCCL_TOPO, NCCL_LAT], **_NVL_LAT),
    _f(id="ib-hdr", name="InfiniBand HDR 200 Gb/s (ConnectX-6)", scope="scale-out", bw=25 * GB, efficiency=0.96,
       sources=["NVIDIA ConnectX-6 / Quantum HDR product briefs: 200 Gb/s per port", NCCL_TOPO, NET_EFF_NOTE,
                NCCL_LAT], **_NET_LAT),
    _f(id="ib-ndr", name="InfiniBand NDR 400 Gb/s (ConnectX-7)", scope="scale-out", bw=50 * GB, efficiency=0.96,
       sources=["NVIDIA ConnectX-7 / Quantum-2 NDR product briefs: 400 Gb/s per port; DGX H100: 8 x ConnectX-7 "
                "(one per GPU)", NCCL_TOPO, NET_EFF_NOTE, NCCL_LAT], **_NET_LAT),
    _f(id="ib-xdr", name="InfiniBand XDR 800 Gb/s (ConnectX-8)", scope="scale-out", bw=100 * GB, efficiency=0.96,
       sources=["NVIDIA ConnectX-8 SuperNIC / Quantum-X800 product briefs: 800 Gb/s per port", NET_EFF_NOTE,
                NCCL_LAT], **_NET_LAT),
    _f(id="roce-400", name="RoCE v2 400 GbE", scope="scale-out", bw=50 * GB, efficiency=0.96,
       sources=["IEEE 802.3 400GbE; Dubey et al. 2024 (Llama 3), Section 3.3.1: RoCE fabric with 400 Gbps "
                "interconnects between GPUs", NET_EFF_NOTE + " (estimate for Ethernet)", NCCL_LAT], **_NET_LAT),
    _f(id="roce-800", name="RoCE v2 800 GbE (e.g. Spectrum-X)", scope="scale-out", bw=100 * GB, efficiency=0.96,
       sources=["IEEE 802.3df 800GbE; NVIDIA Spectrum-X800 / ConnectX-8 product briefs", NET_EFF_NOTE +
                " (estimate for Ethernet)", NCCL_LAT], **_NET_LAT),
    _f(id="efa-200", name="AWS Elastic Fabric Adapter, 200 Gb/s per device", scope="scale-out", bw=25 * GB,
       efficiency=0.96,
       sources=["AWS EC2 P5en documentation: 3,200 Gbps EFAv3 per instance (16 x 200 Gb/s devices, 2 per GPU)",
                NET_EFF_NOTE + " (estimate for EFA/SRD)", NCCL_LAT], **_NET_LAT),
]

FABRICS: dict[str, Fabric] = {f.id: f for f in _FABRICS}


def get_fabric(fabric) -> Fabric:
    """Look up a fabric by id (a Fabric passes through unchanged)."""
    if isinstance(fabric, Fabric):
        return fabric
    try:
        return FABRICS[fabric]
    except (KeyError, TypeError):
        raise UnknownIdError("fabric", str(fabric), FABRICS) from None


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    gpus_per_node: int
    scale_up: str  # fabric id inside a node
    scale_out: str  # fabric id between nodes
    nics_per_node: int
    sources: tuple
    rail_optimized: bool = True  # NIC i of every node on rail switch i
    pod_gpus: int | None = None  # GPUs with full bisection bandwidth (None: whole cluster)
    oversubscription: float = 1.0  # uplink oversubscription above a pod (7.0 means 1:7)
    notes: str = ""
    custom_scale_up: Fabric | None = field(default=None, compare=False, repr=False)

    @property
    def intra(self) -> Fabric:
        return self.custom_scale_up or get_fabric(self.scale_up)

    @property
    def inter(self) -> Fabric:
        return get_fabric(self.scale_out)

    @property
    def nic_bw_per_gpu(self) -> float:
        """Scale-out bytes/s per direction each GPU gets when all GPUs send at once."""
        return self.inter.bw * self.nics_per_node / self.gpus_per_node


def _c(**kw) -> Cluster:
    kw["sources"] = tuple(kw["sources"])
    return Cluster(**kw)


_CLUSTERS = [
    _c(id="dgx-a100", name="DGX A100 SuperPOD (Selene-like)", gpus_per_node=8, scale_up="nvlink3",
       scale_out="ib-hdr", nics_per_node=8,
       sources=["NVIDIA DGX A100 datasheet: 8 A100, NVSwitch, 8 x 200 Gb/s HDR (compute)",
                "Korthikanti et al. 2022, Section 6: Selene nodes with eight 200 Gbps HDR InfiniBand HCAs"]),
    _c(id="dgx-h100", name="DGX H100 SuperPOD", gpus_per_node=8, scale_up="nvlink4", scale_out="ib-ndr",
       nics_per_node=8,
       sources=["NVIDIA DGX H100 datasheet: 8 H100, 4 NVSwitches, 8 x ConnectX-7 400 Gb/s (compute fabric)",
                "NVIDIA DGX SuperPOD reference architecture: rail-optimized, non-blocking compute fabric"]),
    _c(id="dgx-b200", name="DGX B200 SuperPOD", gpus_per_node=8, scale_up="nvlink5", scale_out="ib-ndr",
       nics_per_node=8,
       sources=["NVIDIA DGX B200 datasheet: 8 B200, NVLink 5, 8 x ConnectX-7 400 Gb/s (compute fabric)"]),
    _c(id="gb200-nvl72", name="GB200 NVL72 racks", gpus_per_node=72, scale_up="nvl72", scale_out="ib-xdr",
       nics_per_node=72,
       sources=["NVIDIA GB200 NVL72 datasheet: 72 GPUs per NVLink domain",
                "one 800 Gb/s NIC per GPU for scale-out: estimate (ConnectX-8 SuperNIC configuration)"]),
    _c(id="meta-llama3-roce", name="Meta Llama 3 RoCE cluster (24K H100)", gpus_per_node=8, scale_up="nvlink4",
       scale_out="roce-400", nics_per_node=8, pod_gpus=3072, oversubscription=7.0,
       sources=["Dubey et al. 2024 (Llama 3), Section 3.3.1: Grand Teton servers with 8 H100 on NVLink; "
                "400 Gbps RoCE between GPUs; pods of 3,072 GPUs with full bisection bandwidth; 1:7 "
                "oversubscription at the aggregation layer",
                "one 400 Gb/s NIC per GPU: the paper's 400 Gbps per GPU"]),
    _c(id="p5en-efa", name="AWS p5en (8 x H200, EFAv3)", gpus_per_node=8, scale_up="nvlink4",
       scale_out="efa-200", nics_per_node=16,
       sources=["AWS EC2 P5en documentation: 8 H200, 3,200 Gbps EFAv3 (16 x 200 Gb/s)"]),
]

CLUSTERS: dict[str, Cluster] = {c.id: c for c in _CLUSTERS}

# The cluster a device trains on when none is named (an assumption shown in every result).
DEFAULT_CLUSTER_FOR_DEVICE = {
    "a100-80gb": "dgx-a100", "a100-40gb": "dgx-a100", "h100-sxm": "dgx-h100", "h200": "dgx-h100",
    "b200": "dgx-b200",
}


def get_cluster(cluster) -> Cluster:
    """Look up a cluster topology by id (a Cluster passes through unchanged)."""
    if isinstance(cluster, Cluster):
        return cluster
    try:
        return CLUSTERS[cluster]
    except (KeyError, TypeError):
        raise UnknownIdError("cluster", str(cluster), CLUSTERS) from None


def cluster_for(device, cluster=None, *, gpus_per_node: int | None = None) -> Cluster:
    """The topology a device runs on: `cluster` if given, else the device's reference
    system (DGX for NVIDIA data-center parts), else a generic 8-GPU node whose scale-up
    fabric is built from the device's `scale_up_bw` (vendor bidirectional figure, halved;
    efficiency 0.8 estimated) or PCIe Gen4, with one 400 Gb/s InfiniBand NIC per GPU.
    `gpus_per_node` overrides the node size (NICs scale with it)."""
    from .devices import get_device

    d = get_device(device)
    if cluster is not None:
        c = get_cluster(cluster)
    elif d.id in DEFAULT_CLUSTER_FOR_DEVICE:
        c = get_cluster(DEFAULT_CLUSTER_FOR_DEVICE[d.id])
    else:
        up = None
        if d.scale_up_bw:
            up = Fabric(id=f"{d.id}-scale-up", name=f"{d.name} scale-up link", scope="scale-up",
                        bw=d.scale_up_bw / 2.0, efficiency=0.8, domain_gpus=8, **_NVL_LAT,
                        sources=(f"device registry scale_up_bw {d.scale_up_bw / GB:.0f} GB/s bidirectional, halved",
                                 "efficiency 0.8: estimate (NCCL's NVLink ratio)"))
        c = Cluster(id=f"{d.id}-generic", name=f"generic 8 x {d.name} nodes", gpus_per_node=8,
                    scale_up=up.id if up else "pcie4-x16", scale_out="ib-ndr", nics_per_node=8,
                    sources=("generic topology: estimate",), custom_scale_up=up)
    if gpus_per_node is not None:
        from dataclasses import replace

        check_int("gpus_per_node", gpus_per_node, lo=1)
        dom = c.intra.domain_gpus
        if dom is not None and gpus_per_node > dom:
            raise PhysicsError(f"gpus_per_node must be <= {dom} for fabric {c.intra.id!r}, got {gpus_per_node}")
        nics = max(1, round(c.nics_per_node * gpus_per_node / c.gpus_per_node))
        c = replace(c, gpus_per_node=gpus_per_node, nics_per_node=nics)
    return c
