"""`mlsyslabs zoo | eval | validate`: the engine from the terminal."""
from __future__ import annotations

from dataclasses import asdict

from .. import physics as P
from ..physics import units as U
from .output import emit_json, table


def add_parsers(sub) -> None:
    z = sub.add_parser("zoo", help="list the device or model registry with provenance")
    z.add_argument("what", choices=["devices", "models", "fabrics"])
    z.add_argument("--json", action="store_true")
    z.add_argument("--sources", action="store_true", help="show every source line")
    z.set_defaults(run=zoo)

    e = sub.add_parser("eval", help="latency, throughput and memory of a model on a device")
    e.add_argument("--model", required=True)
    e.add_argument("--device", required=True)
    e.add_argument("--phase", default="decode", choices=list(P.serving.PHASES))
    e.add_argument("--batch", type=int, default=1)
    e.add_argument("--seq-len", type=int, default=1024,
                   help="prompt length (prefill) or context length at the step (decode)")
    e.add_argument("--precision", default="bf16", choices=list(P.PRECISIONS))
    e.add_argument("--compute-efficiency", type=float, default=None,
                   help="default: the efficiency model's figure for the device class and phase")
    e.add_argument("--memory-efficiency", type=float, default=None,
                   help="default: the efficiency model's figure for the device class")
    e.add_argument("--memory-fraction", type=float, default=P.DEFAULT_MEMORY_FRACTION)
    e.add_argument("--devices", type=int, default=1, dest="n_devices", help="ideal tensor-parallel pooling")
    e.add_argument("--json", action="store_true")
    e.set_defaults(run=evaluate)

    v = sub.add_parser("validate", help="engine vs published measurements")
    v.add_argument("--json", action="store_true")
    v.set_defaults(run=validate)


def _ridge(e, d) -> float:
    """The ridge point (FLOP/byte) at the estimate's efficiencies and device count."""
    a = e.assumptions
    return P.ridge_point(e.peak_flops_used, d.memory_bw * a["n_devices"], compute_efficiency=a["compute_efficiency"],
                         memory_efficiency=a["memory_efficiency"])


def _peak_str(d: P.Device) -> str:
    return ", ".join(f"{k} {U.fmt_count(v)}" for k, v in d.peak_flops.items())


def zoo(args) -> int:
    if args.what == "fabrics":
        from .scale import zoo_fabrics

        return zoo_fabrics(args)
    if args.what == "devices":
        items = list(P.DEVICES.values())
        if args.json:
            emit_json([asdict(d) for d in items])
            return 0
        rows = [[d.id, d.tier, _peak_str(d), U.fmt_bytes(d.memory_bytes) if d.memory_bytes else "-",
                 f"{U.fmt_bytes(d.memory_bw)}/s" if d.memory_bw else "-",
                 U.fmt_watts(d.tdp_w) if d.tdp_w else "-"] for d in items]
        print(table(rows, ["id", "tier", "dense peak (FLOP/s or OP/s)", "memory", "bandwidth", "power"]))
    else:
        items = list(P.WORKLOADS.values())
        if args.json:
            emit_json([_model_dict(m) for m in items])
            return 0
        rows = []
        for m in items:
            if isinstance(m, P.Transformer):
                desc = f"L{m.layers} d{m.hidden} h{m.heads}/kv{m.kv_heads} ffn{m.ffn}" + (
                    f" MoE {m.active_experts}/{m.experts}" if m.experts > 1 else "")
                flops = f"{U.fmt_count(m.forward_flops_per_token())}FLOP/token"
                params = U.fmt_count(m.params) + (f" ({U.fmt_count(m.active_params)} active)" if m.experts > 1 else "")
            else:
                desc, flops, params = m.input_desc, f"{U.fmt_count(m.flops)}FLOP/inference", U.fmt_count(m.params)
            rows.append([m.id, m.kind, params, flops, desc])
        print(table(rows, ["id", "kind", "params", "forward FLOPs", "architecture / input"]))
    if args.sources:
        print()
        for x in items:
            print(f"{x.id}:")
            for s in x.sources:
                print(f"  - {s}")
    else:
        print("\n(--sources shows the provenance of every entry)")
    return 0


def _model_dict(m) -> dict:
    d = asdict(m)
    d["params"], d["active_params"] = m.params, m.active_params
    if isinstance(m, P.Transformer):
        d["forward_flops_per_token"] = m.forward_flops_per_token()
    else:
        d["flops"] = m.flops
    return d


def evaluate(args) -> int:
    est = P.estimate(args.model, args.device, phase=args.phase, batch=args.batch, seq_len=args.seq_len,
                     precision=args.precision, compute_efficiency=args.compute_efficiency,
                     memory_efficiency=args.memory_efficiency, memory_fraction=args.memory_fraction,
                     n_devices=args.n_devices)
    if args.json:
        emit_json(est.to_dict())
        return 0
    print(scorecard(est))
    return 0


def scorecard(e) -> str:
    d = P.get_device(e.device)
    lines = [f"{e.model} on {e.device}  |  phase {e.phase}, batch {e.batch}, "
             f"{'context' if e.phase == 'decode' else 'seq len'} {e.seq_len}, {e.precision}", ""]
    if e.ttft_s is not None:
        lines.append(f"  time to first token (prefill)  {U.fmt_seconds(e.ttft_s)}")
        lines.append(f"  inter-token latency (decode)   {U.fmt_seconds(e.itl_s)}")
    else:
        lines.append(f"  step time                      {U.fmt_seconds(e.step_time_s)}")
    if e.tokens_per_s:
        lines.append(f"  throughput                     {e.tokens_per_s:,.1f} tokens/s")
    if e.samples_per_s and not e.tokens_per_s:
        lines.append(f"  throughput                     {e.samples_per_s:,.1f} samples/s")
    if e.mfu is not None:
        lines.append(f"  utilisation                    MFU {e.mfu:.0%}, HFU {e.hfu:.0%} of the dense peak")
    lines += [
        f"  bound                          {e.bound} (arithmetic intensity {e.arithmetic_intensity:,.1f} FLOP/B, "
        f"ridge {_ridge(e, d):,.0f})",
        f"  memory                         {U.fmt_bytes(e.memory_bytes)} = weights {U.fmt_bytes(e.weights_bytes)}"
        f" + KV {U.fmt_bytes(e.kv_cache_bytes)} + activations {U.fmt_bytes(e.activation_bytes)}",
        f"  fits                           {'yes' if e.fits else 'NO (out of memory)'}: capacity "
        f"{U.fmt_bytes(e.capacity_bytes)} x {e.assumptions['memory_fraction']:.0%} usable"
        + ("" if e.fits else f"; needs {e.devices_needed} x {e.device} (--devices {e.devices_needed})"),
        f"  dispatch overhead              {U.fmt_seconds(e.overhead_s)} per call "
        f"({e.assumptions.get('device_class', '?')}, {e.assumptions.get('kernels_per_call', '?')} kernels)",
        "",
        "  assumptions: " + ", ".join(f"{k}={v}" for k, v in e.assumptions.items()),
    ]
    return "\n".join(lines)


def validate(args) -> int:
    from ..physics.validation import summary, validate as run

    results = run()
    if args.json:
        emit_json({"anchors": [asdict(r) for r in results], "summary": summary(results),
                   "defaults": {"compute_efficiency": P.DEFAULT_COMPUTE_EFFICIENCY,
                                "memory_efficiency": P.DEFAULT_MEMORY_EFFICIENCY,
                                "efficiency_model": {k: {"compute": v.compute, "memory": v.memory,
                                                         "training_transformer": v.training_transformer,
                                                         "training_cnn": v.training_cnn,
                                                         "per_kernel_s": v.per_kernel_s, "per_call_s": v.per_call_s}
                                                     for k, v in P.CLASS_PROFILES.items()}}})
        return 0
    rows = [[r.id, U.fmt_number(r.predicted, 4), U.fmt_number(r.measured, 4), r.unit, f"{r.relative_error:+.0%}",
             f"{r.implied_efficiency:.2f}" if r.implied_efficiency is not None else "-",
             "ok" if r.within_band else "OUT"] for r in results]
    print("Engine vs published measurements (efficiencies and overheads from the documented efficiency model, "
          "per device class and phase)\n")
    print(table(rows, ["anchor", "predicted", "measured", "unit", "error", "implied eff.", "band"]))
    print("\nPer metric:")
    for metric, s in summary(results).items():
        print(f"  {metric:12s} {s['anchors']} anchors, mean |error| {s['mean_abs_error']:.0%}, worst {s['worst']}")
    print("\nNotes:")
    for r in results:
        if r.note:
            print(f"  {r.id}: {r.note}")
    return 0
