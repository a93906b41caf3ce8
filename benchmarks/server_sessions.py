"""How many learners one `mlsyslabs serve` holds: memory per lab session, the gallery's
latency while sessions run, and how fast dropped sessions are reclaimed.

Starts its own server on a free 127.0.0.1 port (a temporary ledger), opens lab sessions
the way a browser tab does (the lab websocket, same origin), waits until each has run
the whole notebook, then drops them and watches the server give the kernels back.
Bounded: at most --max sessions, only 127.0.0.1. Prints JSON lines.

Run: python benchmarks/server_sessions.py [--lab v1.00] [--steps 1,5,10,20] [--ttl 15] [--class]
(--class: `serve --class`, every session a different learner with a ledger of its own)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

HOST = "127.0.0.1"  # never anything else


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "Threads"):
                out[k] = int(v.split()[0])
    return {"rss_mb": round(out["VmRSS"] / 1024, 1), "threads": out["Threads"]}


def gallery_ms(port: int) -> float:
    t = time.perf_counter()
    urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=120).read()
    return round((time.perf_counter() - t) * 1000, 1)


def emit(**kw) -> None:
    print(json.dumps(kw), flush=True)


CLASS = {"on": False}


async def open_session(port: int, lab: str):
    from websockets.asyncio.client import connect

    url = f"ws://{HOST}:{port}/labs/{lab}/ws?session_id=s_{uuid.uuid4().hex[:12]}"
    # in class mode each session is a new learner (the cookie the server gives a browser)
    cookie = {"Cookie": f"mlsyslabs_learner_{port}={uuid.uuid4().hex}"} if CLASS["on"] else None
    ws = await connect(url, origin=f"http://{HOST}:{port}", max_size=None, open_timeout=120, proxy=None,
                       ping_interval=None, additional_headers=cookie)
    t = time.perf_counter()
    while True:  # the lab has run top to bottom when marimo says so
        msg = json.loads(await asyncio.wait_for(ws.recv(), 300))
        if msg.get("op") == "completed-run":
            return ws, time.perf_counter() - t


async def gallery_while(port: int, task) -> float:
    """The slowest gallery answer while `task` runs (a learner opening the home page
    while others' labs start)."""
    loop, worst = asyncio.get_running_loop(), 0.0
    while not task.done():
        worst = max(worst, await loop.run_in_executor(None, gallery_ms, port))
        await asyncio.sleep(0.25)
    return worst


async def drain(ws) -> None:
    try:
        while True:
            await ws.recv()
    except Exception:  # closed
        return


async def run(args) -> None:
    port = free_port()
    env = dict(os.environ, MLSYSLABS_HOME=tempfile.mkdtemp(prefix="mlsyslabs-bench-"))
    cmd = [sys.executable, "-m", "mlsyslabs.cli", "serve", "--host", HOST, "--port", str(port),
           "--session-ttl", str(args.ttl)] + (["--class"] if args.class_mode else [])
    CLASS["on"] = args.class_mode
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                gallery_ms(port)
                break
            except OSError:
                await asyncio.sleep(0.2)
        emit(event="started", **proc_status(proc.pid), gallery_ms=gallery_ms(port), ttl_s=args.ttl, lab=args.lab,
             class_mode=args.class_mode)

        # one session first: imports (marimo kernel, plotly, the engine) are paid once per server
        ws, ready = await open_session(port, args.lab)
        if args.class_mode:
            learners = os.path.join(env["MLSYSLABS_HOME"], "learners")
            emit(event="class_check", learner_folders=len(os.listdir(learners)) if os.path.isdir(learners) else 0)
        await ws.close()
        await asyncio.sleep(args.ttl + 5)
        base = proc_status(proc.pid)
        emit(event="warm", **base, first_session_ready_s=round(ready, 2), gallery_ms=gallery_ms(port))

        open_ws, readers = [], []
        for target in args.steps:
            target = min(target, args.max)
            t = time.perf_counter()
            burst = asyncio.ensure_future(asyncio.gather(*[open_session(port, args.lab)
                                                           for _ in range(target - len(open_ws))]))
            worst_gallery = await gallery_while(port, burst)
            new = await burst
            open_ws += [w for w, _ in new]
            readers += [asyncio.create_task(drain(w)) for w, _ in new]
            st = proc_status(proc.pid)
            emit(event="sessions", sessions=len(open_ws), **st,
                 mb_per_session=round((st["rss_mb"] - base["rss_mb"]) / len(open_ws), 1),
                 all_ready_s=round(time.perf_counter() - t, 1),
                 slowest_ready_s=round(max(r for _, r in new), 1) if new else None,
                 gallery_ms_during_start=worst_gallery, gallery_ms=gallery_ms(port))

        peak = proc_status(proc.pid)
        for w in open_ws:  # the learners walk away (tabs closed, laptops asleep)
            await w.close()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < args.ttl + 60:
            await asyncio.sleep(1)
            st = proc_status(proc.pid)
            if st["threads"] <= base["threads"]:
                break
        st = proc_status(proc.pid)
        emit(event="dropped", sessions=len(open_ws), peak_rss_mb=peak["rss_mb"], **st,
             reclaimed_after_s=round(time.perf_counter() - t0, 1), gallery_ms=gallery_ms(port))

        # churn: the same number of sessions again, to see whether memory is reused
        again = await asyncio.gather(*[open_session(port, args.lab) for _ in range(len(open_ws))])
        st2 = proc_status(proc.pid)
        for w, _ in again:
            await w.close()
        emit(event="churn", sessions=len(again), **st2, growth_vs_peak_mb=round(st2["rss_mb"] - peak["rss_mb"], 1))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lab", default="v1.00")
    p.add_argument("--steps", default="1,5,10,20", help="cumulative numbers of concurrent sessions")
    p.add_argument("--max", type=int, default=60, help="never more sessions than this")
    p.add_argument("--ttl", type=int, default=15, help="the server's --session-ttl")
    p.add_argument("--class", dest="class_mode", action="store_true", help="serve --class: one learner per session")
    args = p.parse_args()
    args.steps = sorted({min(int(x), args.max) for x in args.steps.split(",") if x.strip()})
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
