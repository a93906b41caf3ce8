"""Metadata of every lab. A lab is `ready` when its notebook ships in the package; the
gallery, `mlsyslabs list` and the test harness all read this one table, so a new
lab is covered by adding its file (named as below) and nothing else."""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The seven invariants of Volume I (the capstone's radar).
VOL1_INVARIANTS = ("Iron Law", "Memory Wall", "Amdahl", "Roofline", "Little's Law", "Drift", "Fairness")


@dataclass(frozen=True)
class Lab:
    id: str
    slug: str
    title: str
    chapter: str
    invariants: tuple
    minutes: int
    contexts: tuple = ("cloud", "edge", "mobile", "tiny")

    @property
    def volume(self) -> int:
        return int(self.id[1])

    @property
    def path(self) -> Path:
        return HERE / f"vol{self.volume}" / f"lab_{self.id[3:]}_{self.slug}.py"

    @property
    def ready(self) -> bool:
        return self.id in ready_ids()

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(volume=self.volume, path=str(self.path) if self.ready else None, ready=self.ready)
        d["invariants"], d["contexts"] = list(self.invariants), list(self.contexts)
        return d


_L = Lab
LABS: list[Lab] = [
    _L("v1.00", "the_map", "The Map", "Orientation", ("Orders of magnitude", "Memory Wall"), 35),
    _L("v1.01", "ai_triad", "The AI Triad", "Introduction", ("Scaling law", "Amdahl", "Memory Wall"), 45),
    _L("v1.02", "iron_law", "The Iron Law", "ML Systems", ("Iron Law", "Duty cycle"), 55),
    _L("v1.03", "workflow", "The Workflow", "ML Workflow",
       ("Iteration velocity", "Late defects cost more", "Requirements propagate downstream",
        "Single checks have blind spots"), 60),
    _L("v1.04", "data_pipeline", "The Data Pipeline", "Data Engineering",
       ("Slowest stage binds", "Iron Law", "Freshness costs compute or traffic", "Types do not carry meaning"), 65),
    _L("v1.05", "memory_ledger", "The Memory Ledger", "Neural Computation", ("Memory Wall", "Iron Law"), 45),
    _L("v1.06", "architectures", "Architectures and Their Costs", "Network Architectures",
       ("Iron Law", "Memory Wall", "Roofline"), 45),
    _L("v1.07", "roofline", "Frameworks and the Roofline", "ML Frameworks", ("Roofline", "Iron Law"), 45),
    _L("v1.08", "training_memory_wall", "The Training Memory Wall", "Model Training", ("Memory Wall",), 45),
    _L("v1.09", "data_selection", "Data Selection", "Data Efficiency", ("Scaling law", "Leakage inflates accuracy"),
       45),
    _L("v1.10", "compression_frontier", "The Compression Frontier", "Model Compression", ("Memory Wall", "Roofline"), 45),
    _L("v1.11", "hardware_acceleration", "Hardware Acceleration", "AI Accelerators", ("Roofline",), 45),
    _L("v1.12", "benchmarking", "Benchmarking", "Benchmarking", ("Amdahl", "Statistical confidence", "Little's Law"),
       45),
    _L("v1.13", "serving_littles_law", "Serving and Little's Law", "Model Serving", ("Little's Law",), 45),
    _L("v1.14", "drift_mlops", "Drift and MLOps", "ML Operations", ("Drift",), 45),
    _L("v1.15", "responsible_engineering", "Responsible Engineering", "Responsible Engineering", ("Fairness", "Energy"),
       45),
    _L("v1.16", "architects_audit", "The Architect's Audit", "Conclusion (capstone)", VOL1_INVARIANTS, 50),
    _L("v2.01", "scale_changes_everything", "Scale Changes Everything", "Introduction",
       ("Failure rate grows with N", "Amdahl"), 45),
    _L("v2.02", "compute_infrastructure", "Compute Infrastructure", "Compute Infrastructure", ("NVLink vs PCIe cliff",), 45),
    _L("v2.03", "network_fabrics", "Network Fabrics", "Communication", ("Alpha-beta cost",), 45),
    _L("v2.04", "storage", "Storage for ML", "Data Storage", ("Checkpoint bandwidth",), 40),
    _L("v2.05", "parallelism_paradox", "The Parallelism Paradox", "Distributed Training", ("Pipeline bubble", "Amdahl"), 50),
    _L("v2.06", "collectives", "Collective Communication", "Collective Communication",
       ("Ring vs tree AllReduce", "Bus bandwidth", "All-to-all vs all-reduce", "Overlap hides communication"), 45),
    _L("v2.07", "fault_tolerance", "Fault Tolerance", "Fault Tolerance", ("Young-Daly",), 45),
    _L("v2.08", "fleet_orchestration", "Fleet Orchestration", "Scheduling", ("Little's Law",), 45),
    _L("v2.09", "performance_engineering", "Performance Engineering", "Efficiency at Scale", ("MFU accounting",), 45),
    _L("v2.10", "distributed_inference", "Distributed Inference", "Distributed Inference", ("KV-cache model",), 45),
    _L("v2.11", "edge_intelligence", "Edge Intelligence", "On-device Learning", ("Federated rounds",), 40),
    _L("v2.12", "operations_at_scale", "Operations at Scale", "SLO Composition", ("Availability multiplies",), 40),
    _L("v2.13", "security_privacy", "Security and Privacy", "Security and Privacy", ("DP epsilon-delta",), 45),
    _L("v2.14", "robust_ai", "Robust AI", "Robust AI", ("Adversarial Pareto",), 40),
    _L("v2.15", "sustainable_ai", "Sustainable AI", "Sustainable AI", ("Jevons paradox",), 40),
    _L("v2.16", "responsible_ai_at_scale", "Responsible AI at Scale", "Responsible AI", ("Detection power",), 40),
    _L("v2.17", "fleet_architect", "The Fleet Architect", "Capstone", ("Two-volume synthesis",), 50),
]
BY_ID = {lab.id: lab for lab in LABS}


class UnknownLabError(ValueError):
    def __init__(self, given: str):
        self.suggestions = difflib.get_close_matches(given, list(BY_ID), n=3, cutoff=0.5) or \
            difflib.get_close_matches(given.lower(), [lab.slug for lab in LABS], n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown lab {given!r}{hint} (`mlsyslabs list` shows them all)")


def get_lab(lab_id: str) -> Lab:
    if lab_id in BY_ID:
        return BY_ID[lab_id]
    for lab in LABS:  # accept the slug or "1.05"
        if lab_id in (lab.slug, lab.id[1:]):
            return lab
    raise UnknownLabError(lab_id)


@lru_cache(maxsize=1)
def ready_ids() -> frozenset:
    """Ids of the labs whose notebook ships in this package, read once from the
    package's resources (so it also holds where the package is a wheel or a zip with
    no plain files, as in the browser edition)."""
    from importlib.resources import files

    root = files(__package__)
    out = set()
    for vol in ("vol1", "vol2"):
        try:
            names = {entry.name for entry in root.joinpath(vol).iterdir()}
        except (FileNotFoundError, NotADirectoryError, OSError):
            continue
        out.update(lab.id for lab in LABS if lab.volume == int(vol[-1]) and lab.path.name in names)
    return frozenset(out)


def ready_labs() -> list[Lab]:
    return [lab for lab in LABS if lab.ready]


def volume1_scored_labs() -> list[str]:
    """Labs 01-15: the ones the Volume I capstone reads."""
    return [f"v1.{i:02d}" for i in range(1, 16)]
