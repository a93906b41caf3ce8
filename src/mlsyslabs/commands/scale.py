"""`mlsyslabs train | plan | collective` (and `zoo fabrics`): the engine at scale."""
from __future__ import annotations

from dataclasses import asdict

from ..physics import units as U
from .output import emit_json, table

GiB = 1024**3


def _size(text: str) -> float:
    """Bytes from '1073741824', '1e9', '16GiB', '256MB', '4K' (binary suffixes for Ki/Mi/Gi)."""
    from . import UserError

    t = text.strip()
    units = [("KiB", 1024.0), ("MiB", 1024.0**2), ("GiB", 1024.0**3), ("TiB", 1024.0**4), ("KB", 1e3),
             ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("K", 1024.0), ("M", 1024.0**2), ("G", 1024.0**3),
             ("B", 1.0)]
    for suffix, mult in units:
        if t.upper().endswith(suffix.upper()) and len(t) > len(suffix):
            try:
                return float(t[: -len(suffix)]) * mult
            except ValueError:
                break
    try:
        return float(t)
    except ValueError:
        raise UserError(f"--bytes must be a byte count such as 1073741824, 1e9 or 16GiB; got {text!r}") from None


def _tokens(text: str) -> float:
    """Token counts: '16777216', '16M' (2^20), '4e6'."""
    from . import UserError

    t = text.strip()
    mult = {"K": 1024.0, "M": 1024.0**2, "G": 1024.0**3}.get(t[-1:].upper())
    try:
        return float(t[:-1]) * mult if mult else float(t)
    except ValueError:
        raise UserError(f"--global-batch-tokens must be a token count such as 16777216 or 16M; got {text!r}") \
            from None


def _opt_tokens(text):
    return None if text is None else _tokens(text)


def add_parsers(sub) -> None:
    from ..physics import PRECISIONS
    from ..physics.collectives import ALGORITHMS, OPS, PROTOCOLS
    from ..physics.parallel import ATTENTION_KERNELS, RECOMPUTE

    t = sub.add_parser("train", help="step time, MFU/HFU and memory per GPU of distributed training")
    t.add_argument("--model", required=True)
    t.add_argument("--device", required=True)
    t.add_argument("--gpus", type=int, required=True)
    for dim in ("tp", "pp", "cp", "ep"):
        t.add_argument(f"--{dim}", type=int, default=1)
    t.add_argument("--dp", type=int, default=None, help="default: gpus / (tp x pp x cp)")
    t.add_argument("--microbatch", type=int, default=1, help="sequences per microbatch")
    t.add_argument("--virtual-stages", type=int, default=1, help="interleaved pipeline stages per rank")
    t.add_argument("--global-batch-tokens", default=None, help="tokens per step, e.g. 16777216 or 16M (default 4M)")
    t.add_argument("--seq-len", type=int, default=None)
    t.add_argument("--zero", type=int, default=1, help="ZeRO stage 0-3 (3 = FSDP)")
    t.add_argument("--recompute", default="selective", choices=list(RECOMPUTE))
    t.add_argument("--precision", default="bf16", choices=list(PRECISIONS))
    t.add_argument("--attention", default="flash", choices=list(ATTENTION_KERNELS))
    t.add_argument("--no-sequence-parallel", action="store_true")
    t.add_argument("--cluster", default=None, help="topology id (see `mlsyslabs zoo fabrics`)")
    t.add_argument("--gpus-per-node", type=int, default=None)
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=train)

    p = sub.add_parser("plan", help="fastest parallel configurations that fit")
    p.add_argument("--model", required=True)
    p.add_argument("--device", required=True)
    p.add_argument("--gpus", type=int, required=True)
    p.add_argument("--seq-len", type=int, default=None)
    p.add_argument("--global-batch-tokens", default=None)
    p.add_argument("--precision", default="bf16", choices=list(PRECISIONS))
    p.add_argument("--cluster", default=None)
    p.add_argument("--gpus-per-node", type=int, default=None)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=plan)

    c = sub.add_parser("collective", help="time, algbw and busbw of one collective")
    c.add_argument("--op", required=True, choices=list(OPS))
    c.add_argument("--algorithm", default="ring", choices=list(ALGORITHMS))
    c.add_argument("--gpus", type=int, required=True)
    c.add_argument("--bytes", required=True, dest="size_bytes",
                   help="NCCL convention: per-rank buffer (all-reduce), whole array (all-gather, reduce-scatter)")
    c.add_argument("--fabric", default="nvlink4", help="scale-up fabric id, or a scale-out one for 1 GPU per node")
    c.add_argument("--gpus-per-node", type=int, default=None)
    c.add_argument("--inter-fabric", default=None, help="scale-out fabric between nodes (default ib-ndr)")
    c.add_argument("--nics-per-node", type=int, default=None)
    c.add_argument("--protocol", default="auto", choices=list(PROTOCOLS))
    c.add_argument("--cluster", default=None, help="a topology id instead of --fabric/--inter-fabric")
    c.add_argument("--json", action="store_true")
    c.set_defaults(run=collective)


def train(args) -> int:
    from ..physics.parallel import train_step

    r = train_step(args.model, args.device, gpus=args.gpus, tp=args.tp, pp=args.pp, dp=args.dp, cp=args.cp,
                   ep=args.ep, microbatch=args.microbatch, global_batch_tokens=_opt_tokens(args.global_batch_tokens),
                   seq_len=args.seq_len, zero=args.zero, recompute=args.recompute, precision=args.precision,
                   virtual_stages=args.virtual_stages, attention=args.attention,
                   sequence_parallel=False if args.no_sequence_parallel else None, cluster=args.cluster,
                   gpus_per_node=args.gpus_per_node)
    if args.json:
        emit_json(r.to_dict())
        return 0
    print(_train_card(r))
    return 0


def _cfg(c: dict) -> str:
    s = f"TP{c['tp']} PP{c['pp']} DP{c['dp']} CP{c['cp']}"
    if c["ep"] > 1:
        s += f" EP{c['ep']}"
    if c["virtual_stages"] > 1:
        s += f" v{c['virtual_stages']}"
    return s + f" mb{c['microbatch']} ZeRO-{c['zero']} recompute={c['recompute']}"


def _train_card(r) -> str:
    mem = r.memory
    lines = [f"{r.model} on {r.gpus:,} x {r.device}  |  {_cfg(r.config)}", "",
             f"  step time            {U.fmt_seconds(r.step_time_s)}  ({r.microbatches} microbatches, "
             f"{r.tokens_per_step:,.0f} tokens)",
             f"  throughput           {r.tokens_per_s:,.0f} tokens/s",
             f"  per GPU              {r.model_tflops_per_gpu:,.0f} model TFLOP/s, {r.hardware_tflops_per_gpu:,.0f} "
             f"hardware TFLOP/s",
             f"  MFU / HFU            {r.mfu:.1%} / {r.hfu:.1%}",
             f"  pipeline bubble      {r.bubble_fraction:.1%}",
             f"  memory per GPU       {U.fmt_bytes(r.memory_per_gpu_bytes)} = weights {U.fmt_bytes(mem['weights'])}"
             f" + grads {U.fmt_bytes(mem['grads'])} + optimizer {U.fmt_bytes(mem['optimizer'])} + activations "
             f"{U.fmt_bytes(mem['activations'])} (pipeline rank {mem['binding_stage']})",
             f"  fits                 {'yes' if r.fits else 'NO (out of memory)'}: capacity "
             f"{U.fmt_bytes(r.capacity_bytes)} x {r.assumptions['memory_fraction']:.0%} usable",
             "  communication        " + (", ".join(
                 f"{k} {U.fmt_seconds(v)} ({U.fmt_seconds(r.comm_exposed_s[k])} exposed)"
                 for k, v in r.comm_time_s.items() if v > 0) or "none"), "",
             "  assumptions: " + ", ".join(f"{k}={v}" for k, v in r.assumptions.items()
                                           if k not in ("efficiency_sources",))]
    return "\n".join(lines)


def plan(args) -> int:
    from ..physics.parallel import plan as run

    p = run(args.model, args.device, gpus=args.gpus, seq_len=args.seq_len,
            global_batch_tokens=_opt_tokens(args.global_batch_tokens), precision=args.precision, cluster=args.cluster,
            gpus_per_node=args.gpus_per_node, top=args.top)
    if args.json:
        emit_json(p.to_dict())
        return 0
    print(f"{p.model} on {p.gpus:,} x {p.device}: {p.fit:,} of {p.searched:,} configurations fit "
          f"(seq len {p.assumptions['seq_len']}, {p.assumptions['global_batch_tokens']:,.0f} tokens per step)\n")
    if not p.candidates:
        print("No configuration fits: more GPUs, a shorter sequence or a smaller model.")
        return 0
    rows = [[i + 1, _cfg(c.config), U.fmt_seconds(c.step_time_s), f"{c.tokens_per_s:,.0f}", f"{c.mfu:.1%}",
             f"{c.bubble_fraction:.1%}", U.fmt_bytes(c.memory_per_gpu_bytes)] for i, c in enumerate(p.candidates)]
    print(table(rows, ["#", "configuration", "step", "tokens/s", "MFU", "bubble", "memory/GPU"]))
    return 0


def collective(args) -> int:
    from ..physics.collectives import collective as run

    r = run(args.op, gpus=args.gpus, size_bytes=_size(args.size_bytes), fabric=args.fabric, algorithm=args.algorithm,
            gpus_per_node=args.gpus_per_node, inter_fabric=args.inter_fabric, nics_per_node=args.nics_per_node,
            protocol=args.protocol, cluster=args.cluster)
    if args.json:
        emit_json(r.to_dict())
        return 0
    print(f"{r.op} ({r.algorithm}, {r.protocol}) of {U.fmt_bytes(r.size_bytes)} over {r.gpus} GPUs "
          f"({r.nodes} node{'s' if r.nodes > 1 else ''} x {r.gpus_per_node})\n")
    print(f"  time    {U.fmt_seconds(r.time_s)} = latency {U.fmt_seconds(r.latency_s)} + bandwidth "
          f"{U.fmt_seconds(r.bandwidth_time_s)}")
    print(f"  algbw   {r.algbw / 1e9:,.1f} GB/s")
    print(f"  busbw   {r.busbw / 1e9:,.1f} GB/s")
    print("\n  assumptions: " + ", ".join(f"{k}={v}" for k, v in r.assumptions.items()))
    return 0


def zoo_fabrics(args) -> int:
    """The fabric and cluster registries (`mlsyslabs zoo fabrics`)."""
    from ..physics.fabrics import CLUSTERS, FABRICS

    if args.json:
        emit_json({"fabrics": [asdict(f) for f in FABRICS.values()],
                   "clusters": [{k: v for k, v in asdict(c).items() if k != "custom_scale_up"}
                                for c in CLUSTERS.values()]})
        return 0
    rows = [[f.id, f.scope, f"{f.bw / 1e9:,.2f} GB/s", f"{f.efficiency:.2f}", f"{f.latency_s * 1e6:.1f} us",
             f.domain_gpus or "-", f.name] for f in FABRICS.values()]
    print(table(rows, ["id", "scope", "per direction", "efficiency", "step latency", "domain", "name"]))
    print()
    rows = [[c.id, c.gpus_per_node, c.scale_up, f"{c.nics_per_node} x {c.scale_out}",
             c.pod_gpus or "all", f"1:{c.oversubscription:g}"] for c in CLUSTERS.values()]
    print(table(rows, ["cluster", "GPUs/node", "scale-up", "scale-out", "full-bisection pod", "oversubscription"]))
    if args.sources:
        print()
        for x in list(FABRICS.values()) + list(CLUSTERS.values()):
            print(f"{x.id}:")
            for s in x.sources:
                print(f"  - {s}")
    else:
        print("\n(--sources shows the provenance of every entry)")
    return 0
