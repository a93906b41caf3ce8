"""`mlsyslabs serve-load | reliability | footprint`: serving under load, training
reliability and the footprint of a fleet, from the terminal."""
from __future__ import annotations

from .. import physics as P
from ..physics import units as U
from . import UserError
from .output import emit_json, table


def _numbers(text: str, kind, name: str) -> list:
    try:
        values = [kind(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UserError(f"--{name} must be a comma-separated list of numbers, got {text!r}") from None
    if not values:
        raise UserError(f"--{name} needs at least one value")
    return values


def add_parsers(sub) -> None:
    s = sub.add_parser("serve-load", help="TTFT, ITL and throughput percentiles of a model under load")
    s.add_argument("--model", required=True)
    s.add_argument("--device", required=True)
    s.add_argument("--tp", type=int, default=1, help="tensor-parallel GPUs per replica")
    s.add_argument("--precision", default="bf16", choices=list(P.PRECISIONS))
    s.add_argument("--isl", type=int, required=True, help="input (prompt) tokens")
    s.add_argument("--osl", type=int, required=True, help="output tokens")
    load = s.add_mutually_exclusive_group(required=True)
    load.add_argument("--concurrency", help="closed loop: users, e.g. 1,5,25")
    load.add_argument("--rate", help="open loop: requests/s (Poisson), e.g. 10,50")
    s.add_argument("--max-batch", type=int, default=P.serving_load.DEFAULT_MAX_BATCH)
    s.add_argument("--chunked-prefill", action="store_true")
    s.add_argument("--max-num-tokens", type=int, default=P.serving_load.DEFAULT_MAX_NUM_TOKENS)
    s.add_argument("--kv-reservation", default="full", choices=list(P.serving_load.KV_RESERVATIONS))
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=serve_load)

    r = sub.add_parser("reliability", help="interruptions, job MTBF, Young-Daly interval and goodput of a job")
    r.add_argument("--gpus", type=int, required=True)
    r.add_argument("--days", type=float, required=True, help="wall-clock days of the job")
    r.add_argument("--checkpoint-bytes", type=float, help="bytes per checkpoint (or --params)")
    r.add_argument("--params", type=float, help="parameters: checkpoint = 14 bytes each")
    r.add_argument("--write-bw", type=float, help="aggregate checkpoint write bandwidth, bytes/s")
    r.add_argument("--restart-s", type=float, default=P.reliability.DEFAULT_RESTART_S)
    r.add_argument("--census", default=P.reliability.DEFAULT_CENSUS, choices=list(P.reliability.CENSUSES))
    r.add_argument("--json", action="store_true")
    r.set_defaults(run=reliability)

    f = sub.add_parser("footprint", help="energy, carbon, water and cost of GPUs running for hours")
    f.add_argument("--gpus", type=int, required=True)
    f.add_argument("--hours", type=float, required=True)
    f.add_argument("--device", required=True)
    f.add_argument("--region", default="world", help=f"grid: {', '.join(P.sustainability.REGIONS)}")
    f.add_argument("--year", type=int, help="grid year (nearest on record)")
    f.add_argument("--pue", type=float, default=P.operations.DEFAULT_PUE)
    f.add_argument("--wue", type=float, default=P.sustainability.DEFAULT_WUE_L_PER_KWH, help="on-site L/kWh")
    f.add_argument("--utilization", type=float, default=1.0)
    f.add_argument("--boundary", default="gpu", choices=list(P.sustainability.BOUNDARIES))
    f.add_argument("--json", action="store_true")
    f.set_defaults(run=footprint)


def _pct(d: dict, scale: float = 1.0, fmt=U.fmt_seconds) -> str:
    return " / ".join("unbounded" if v is None or v == float("inf") else fmt(v * scale)
                      for v in (d["p50"], d["p90"], d["p99"]))


def serve_load(args) -> int:
    kw = dict(tp=args.tp, precision=args.precision, isl=args.isl, osl=args.osl, max_batch=args.max_batch,
              chunked_prefill=args.chunked_prefill, max_num_tokens=args.max_num_tokens,
              kv_reservation=args.kv_reservation)
    if args.concurrency is not None:
        points = P.serve_load_sweep(args.model, args.device, concurrency=_numbers(args.concurrency, int,
                                                                                  "concurrency"), **kw)
    else:
        points = P.serve_load_sweep(args.model, args.device, rate=_numbers(args.rate, float, "rate"), **kw)
    knee = P.serving_load.knee(points)
    if args.json:
        emit_json({"model": args.model, "device": args.device, "points": [p.to_dict() for p in points],
                   "knee_load": knee.load if knee else None})
        return 0
    first = points[0]
    print(f"{args.model} on {first.gpus} x {args.device} (tp {args.tp}, {args.precision}), "
          f"{args.isl} in / {args.osl} out; KV slots {first.kv_slots}, max batch {first.max_batch}\n")
    rows = [[f"{p.load:g}", "yes" if p.stable else "NO", _pct(p.ttft_s), _pct(p.itl_s),
             f"{p.tokens_per_s:,.0f}", f"{p.running_batch:.1f}", ", ".join(p.limits_hit) or "-"] for p in points]
    print(table(rows, ["concurrency" if args.concurrency else "rate (req/s)", "stable", "TTFT p50/p90/p99",
                       "ITL p50/p90/p99", "tokens/s", "batch", "limits hit"]))
    if knee:
        print(f"\nknee at {knee.load:g}: throughput within 10% of the best while TTFT has doubled")
    print("\n  assumptions: " + ", ".join(f"{k}={v}" for k, v in first.assumptions.items()
                                         if k in ("kv_reservation", "kv_block_tokens", "max_num_tokens",
                                                  "chunked_prefill", "compute_efficiency", "memory_efficiency",
                                                  "itl_convention")))
    return 0


def reliability(args) -> int:
    t = P.reliability.training_reliability(args.gpus, args.days * 24.0, checkpoint_bytes_=args.checkpoint_bytes,
                                           params=args.params, write_bw=args.write_bw, restart_s=args.restart_s,
                                           census=args.census)
    out = {"gpus": t.gpus, "days": args.days, "expected_interruptions": t.expected_interruptions,
           "job_mtbf_h": t.job_mtbf_h, "checkpoint_bytes": t.checkpoint_bytes,
           "checkpoint_write_s": t.checkpoint_write_s, "checkpoint_interval_s": t.checkpoint_interval_s,
           "young_interval_s": t.young_interval_s, "regime": t.regime, "goodput": t.goodput,
           "lost_hours": t.lost_hours, "rate_per_gpu_hour": t.rate_per_gpu_hour, "assumptions": t.assumptions}
    if args.json:
        emit_json(out)
        return 0
    print(f"{t.gpus:,} GPUs for {args.days:g} days ({args.census} failure rate, "
          f"MTBF per GPU {1 / t.rate_per_gpu_hour:,.0f} h)\n")
    print(f"  expected interruptions   {t.expected_interruptions:,.1f}")
    print(f"  job MTBF                 {U.fmt_seconds(t.job_mtbf_h * 3600)}")
    if t.goodput is not None:
        print(f"  checkpoint               {U.fmt_bytes(t.checkpoint_bytes)}, written in "
              f"{U.fmt_seconds(t.checkpoint_write_s)}")
        print(f"  Young-Daly interval      {U.fmt_seconds(t.checkpoint_interval_s)} ({t.regime} regime)")
        print(f"  goodput                  {t.goodput:.1%} ({t.lost_hours:,.1f} h lost to checkpoints, rework "
              f"and restarts of {U.fmt_seconds(args.restart_s)})")
    else:
        print("  (give --checkpoint-bytes or --params, and --write-bw, for the checkpoint interval and goodput)")
    return 0


def footprint(args) -> int:
    f = P.sustainability.footprint(gpus=args.gpus, hours=args.hours, device=args.device, region=args.region,
                                   year=args.year, pue=args.pue, wue=args.wue, utilization=args.utilization,
                                   boundary=args.boundary)
    if args.json:
        d = f.to_dict()
        d["co2_kg"] = f.co2_kg
        emit_json(d)
        return 0
    a = f.assumptions
    print(f"{f.gpus:,} x {f.device} for {f.hours:g} h, {args.boundary} boundary at utilisation "
          f"{args.utilization:g}, PUE {a['pue']:g}, grid {args.region} {a['grid_year']} "
          f"({a['grid_gco2_per_kwh']:.0f} gCO2e/kWh)\n")
    print(f"  energy      {f.energy_kwh:,.1f} kWh (IT {f.it_energy_kwh:,.1f} kWh)")
    print(f"  CO2e        {f.co2_kg:,.1f} kg (operational {f.operational_co2_kg:,.1f} + embodied "
          f"{f.embodied_co2_kg:,.1f})")
    print(f"  water       {f.water_l:,.0f} L (on-site {f.onsite_water_l:,.0f} + electricity {f.offsite_water_l:,.0f})")
    print(f"  cost        ${f.cost_usd:,.0f} cloud rental (energy alone ${f.energy_cost_usd:,.0f})")
    return 0
