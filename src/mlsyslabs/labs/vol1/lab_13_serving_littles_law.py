import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    # The scenario layer: settings, graded answers and cited values, importable and
    # testable without running the notebook (tests/labs/test_v1_13.py).
    #
    # Against the reference lab (upstream lab_13_model_serving): its evenly spaced
    # arrivals hid all queueing below saturation; here arrivals are Poisson (or stated
    # otherwise) and every tail comes from an exact queueing formula or a seeded
    # simulation of tens of thousands of requests. Part B turns its defect into the
    # lesson (an evenly spaced load test against random users, P99 from too few
    # samples, a mean or a 5-request maximum reported as the tail). Its Part C
    # (batching) is Part C here with one answer for one scenario; its Part D (live
    # state caps concurrency) is Part D here, KV-cache slots sized by Little's law;
    # its Part E (launch policy) is the Part C decision and the memo. Its Part A
    # (preprocessing parity) belongs to ML operations (v1.14) and is not repeated.
    import functools
    import math

    import marimo as mo
    import plotly.graph_objects as go

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
    from mlsyslabs.physics import queueing as Q
    from mlsyslabs.physics import serving_load as SL

    LAB = get_lab("v1.13")
    # Parts A-C: an image-moderation endpoint, ResNet-50 at fp16 on one L4; every request is one
    # 224x224 image, so the service time is nearly constant and users arrive independently (Poisson).
    ENDPOINT = dict(model="resnet50", device="l4", precision="fp16")
    GPU = P.get_device(ENDPOINT["device"])
    MODEL = P.get_workload(ENDPOINT["model"])
    SLO_P99_S = 0.010  # the product's latency objective: P99 at most 10 ms
    SERVICE = {"Constant (M/D/1, exact)": 0.0, "Exponential (M/M/1, exact)": 1.0}  # squared CV of service
    # Part A: the same endpoint at 50% and at 80% utilization.
    PART_A = dict(low=0.50, high=0.80, cs2=0.0)
    PART_A_OPTIONS = {"about 1x": 1.0, "about 1.6x": 1.6, "about 2.6x": 2.6, "about 4.2x": 4.2}
    # Part B: an evenly spaced load test against random users, at the peak hour's 90%.
    ARRIVALS = {"Evenly spaced (the load test)": 0.0, "Random, Poisson (independent users)": 1.0,
                "Bursty (squared CV of gaps 4)": 4.0}  # squared coefficient of variation of inter-arrival gaps
    PART_B = dict(utilization=0.90, ca2=1.0, samples=100_000, seed=0)
    PART_B_OPTIONS = {"about 1x": 1.0, "about 5x": 5.0, "about 20x": 20.0, "about 100x": 100.0}
    SAMPLE_STEPS = [100, 300, 1_000, 3_000, 10_000, 30_000, 100_000]
    SEEDS = 5  # independent load tests shown for the spread of a sample P99
    # Part C: launch traffic at 1.5x what batch-1 serving sustains (rounded to 100 requests/s).
    SIM_REQUESTS, SIM_SEED, SIM_WARMUP = 50_000, 0, 1_000
    BATCH_FIT = (1, 32)  # the engine's batch sizes the linear batch-time model is fitted through
    POLICIES = {
        "No batching: one request at a time": "single",
        "Batch up to 8, take whatever is waiting": "greedy",
        "Batch up to 32, wait up to 5 ms to fill": "fill5",
        "Batch up to 32, wait up to 20 ms to fill": "fill20",
    }
    POLICY = {"single": (1, 0.0), "greedy": (8, 0.0), "fill5": (32, 0.005), "fill20": (32, 0.020)}
    RATE_STEP = 100  # requests/s, the Part C load slider's step
    # Part D: a chat assistant; at 1 request/s each answer takes the engine's E2E latency.
    LLM = dict(model="llama3-8b", isl=1024)
    LLM_MODEL = P.get_workload(LLM["model"])
    PART_D = dict(device="h100-sxm", rate=16.0, base_rate=1.0, osl=256)
    LLM_DEVICES = ("h100-sxm", "a100-80gb", "l4")


@app.function
def service_time() -> float:
    """Seconds one request takes on the endpoint at batch 1 (engine default efficiency)."""
    return batch_time(1)


@app.function
def batch_time(batch: int) -> float:
    return P.estimate(ENDPOINT["model"], ENDPOINT["device"], phase="inference", batch=batch, seq_len=1,
                      precision=ENDPOINT["precision"]).step_time_s


@app.function
def endpoint_queue(utilization: float, cs2: float):
    """The batch-1 endpoint as an M/G/1 queue at a utilization (raises PhysicsError at >= 1)."""
    d = service_time()
    return Q.mg1(utilization / d, d, cs2=cs2)


@app.function
def part_a_ratio() -> float:
    """P99 at 80% over P99 at 50% utilization, constant service (exact M/D/1)."""
    return (endpoint_queue(PART_A["high"], PART_A["cs2"]).p99_s
            / endpoint_queue(PART_A["low"], PART_A["cs2"]).p99_s)


@app.function
def slo_utilization(cs2: float) -> float:
    """Highest utilization (whole percent) whose P99 meets the SLO."""
    ok = [u for u in range(1, 100) if endpoint_queue(u / 100, cs2).p99_s <= SLO_P99_S]
    return max(ok) / 100 if ok else 0.0


@app.function
def exact_p99(utilization: float, ca2: float):
    """(P99 seconds, method) of the batch-1 endpoint, constant service, for an arrival process."""
    d = service_time()
    if ca2 == 0.0:
        return d, "D/D/1: evenly spaced arrivals below capacity never wait"
    if ca2 == 1.0:
        return Q.md1(utilization / d, d).p99_s, "M/D/1, exact"
    return Q.ggc(utilization / d, d, ca2=ca2, cs2=0.0).p99_s, "Kingman approximation"


@app.function
def part_b_ratio() -> float:
    """Production P99 (Poisson) over the evenly spaced load test's P99, at 90%."""
    return exact_p99(PART_B["utilization"], 1.0)[0] / exact_p99(PART_B["utilization"], 0.0)[0]


@app.function
@functools.lru_cache(maxsize=64)
def load_test(utilization: float, ca2: float, samples: int, seed: int):
    """A seeded simulated load test of `samples` requests (the first tenth, at most 1,000, discarded as warm-up)."""
    d = service_time()
    return Q.simulate_queue(arrival_rate=utilization / d, service_time=d, ca2=ca2, cs2=0.0, requests=samples,
                            seed=seed, warmup=min(1_000, samples // 10))


@app.function
def batch_model():
    """(a, c): a batch of b takes a + c b, fitted through the engine's times at BATCH_FIT."""
    lo, hi = BATCH_FIT
    c = (batch_time(hi) - batch_time(lo)) / (hi - lo)
    return batch_time(lo) - c * lo, c


@app.function
def capacity(max_batch: int) -> float:
    """Requests/s the endpoint sustains when every batch is full."""
    a, c = batch_model()
    return max_batch / (a + c * max_batch)


@app.function
def part_c_rate() -> int:
    """Launch traffic: 1.5x the batch-1 capacity, rounded to the slider's step."""
    return int(round(1.5 * capacity(1) / RATE_STEP) * RATE_STEP)


@app.function
@functools.lru_cache(maxsize=128)
def batching(rate: float, max_batch: int, window_s: float):
    """Seeded simulation of a batching policy; None when the load exceeds full-batch capacity."""
    if rate >= capacity(max_batch):
        return None
    a, c = batch_model()
    return Q.simulate_batching(arrival_rate=rate, base_latency_s=a, per_item_s=c, max_batch=max_batch,
                               timeout_s=window_s, requests=SIM_REQUESTS, seed=SIM_SEED, warmup=SIM_WARMUP)


@app.function
def policy_p99(key: str, rate: float) -> float | None:
    sim = batching(rate, *POLICY[key])
    return None if sim is None else sim.p99_s


@app.function
def part_c_best() -> str:
    """The policy with the lowest P99 at launch traffic (overloaded policies excluded)."""
    p99 = {k: policy_p99(k, part_c_rate()) for k in POLICY}
    return min((k for k in p99 if p99[k] is not None), key=lambda k: p99[k])


@app.function
def llm_point(device: str, rate: float, osl: int):
    """The chat model on one GPU under Poisson requests (continuous batching, paged KV cache)."""
    return SL.serve_load(LLM["model"], device, rate=rate, isl=LLM["isl"], osl=osl)


@app.function
def in_flight(point) -> float:
    """Little's law: requests in the system = arrival rate x mean time in the system."""
    return P.littles_law(arrival_rate=point.load, time_in_system=point.e2e_s["mean"])


@app.function
def part_d_in_flight() -> float:
    return in_flight(llm_point(PART_D["device"], PART_D["rate"], PART_D["osl"]))


@app.function
def llm_limit(point) -> str | None:
    """Why an open-loop load is unsustainable, in words (None when it is sustainable)."""
    if point.stable:
        return None
    if "kv_slots" in point.limits_hit:
        return "KV cache full"
    if "max_batch" in point.limits_hit:
        return "batch limit"
    return "prefill saturated"


@app.function
def ms(seconds: float) -> str:
    return U.fmt_seconds(seconds)


@app.cell
def _():
    ledger = Ledger.open()
    lab = LabSession(ledger, LAB.id)
    return lab, ledger


@app.cell
def _(ledger):
    ui.header(
        LAB,
        subtitle="Why tail latency explodes before a server is busy, what batching buys, and how many requests "
                 "a server must hold at once.",
        parts=["Part A: the utilization curve", "Part B: the load test that lied", "Part C: batching",
               "Part D: Little's law sizes concurrency"],
        notice=ledger.notice,
    )
    return


@app.cell
def _():
    ui.section("Part A: The utilization curve", 12)
    return


@app.cell
def _():
    _low = endpoint_queue(PART_A["low"], PART_A["cs2"])
    ui.stakeholder(
        "Lena Park", "Product lead, content moderation",
        f"Our moderation endpoint runs {MODEL.name} on one {GPU.name}: every image takes "
        f"{ms(service_time())} and users upload independently of each other. Today the GPU is "
        f"{PART_A['low']:.0%} busy ({U.fmt_number(PART_A['low'] / service_time())} images/s) and P99 is "
        f"{ms(_low.p99_s)}. The launch pushes it to {PART_A['high']:.0%}. We still have plenty of headroom, right?",
    )
    return


@app.cell
def _():
    partA_prediction = ui.choice_prediction(
        f"At {PART_A['high']:.0%} utilization, P99 latency is how many times its value at {PART_A['low']:.0%}?",
        {k: k for k in PART_A_OPTIONS},
    )
    return (partA_prediction,)


@app.cell
def _(lab, partA_prediction):
    partA_actual = part_a_ratio()
    _lo, _hi = endpoint_queue(PART_A["low"], 0.0), endpoint_queue(PART_A["high"], 0.0)
    partA_result = lab.commit("partA", partA_prediction, lambda choice: G.grade_choice(
        "partA", "Little's Law", choice, G.closest_option(PART_A_OPTIONS, partA_actual),
        option_values=PART_A_OPTIONS, actual=partA_actual, unit="x",
        explanation=(
            f"Load rises {PART_A['high'] / PART_A['low']:.1f}x but P99 goes from {ms(_lo.p99_s)} to {ms(_hi.p99_s)}, "
            f"{U.fmt_ratio(partA_actual)}: queueing delay grows as rho/(1 - rho), and 1 - rho falls from "
            f"{1 - PART_A['low']:.0%} to {1 - PART_A['high']:.0%}. Random arrivals bunch up; the GPU cannot "
            "work ahead in quiet moments, so bursts wait. Headroom is not linear."
        ),
    ))
    ui.prediction(partA_prediction, partA_result)
    return partA_actual, partA_result


@app.cell
def _():
    # Opens on the launch scenario (80%, constant service): the reveal's operating point.
    partA_util = mo.ui.slider(5, 105, step=1, value=round(PART_A["high"] * 100), label="GPU utilization (%)",
                              show_value=True)
    partA_service = mo.ui.radio(SERVICE, value=next(k for k, v in SERVICE.items() if v == PART_A["cs2"]),
                                label="Service time", inline=True)
    return partA_service, partA_util


@app.cell
def _(partA_service, partA_util):
    partA_rho = partA_util.value / 100
    partA_overload = partA_rho >= 1
    partA_queue = None if partA_overload else endpoint_queue(partA_rho, partA_service.value)
    partA_slo_miss = partA_overload or partA_queue.p99_s > SLO_P99_S
    return partA_overload, partA_queue, partA_rho, partA_slo_miss


@app.cell
def _(partA_overload, partA_queue, partA_result, partA_rho, partA_service, partA_slo_miss, partA_util):
    mo.stop(partA_result is None, ui.locked("the utilization curve"))
    _d = service_time()
    _us = [u / 100 for u in range(5, 100)] + [0.995]
    _curve = [endpoint_queue(u, partA_service.value) for u in _us]
    _fig = go.Figure()
    _fig.add_trace(go.Scatter(x=[u * 100 for u in _us], y=[q.p99_s * 1e3 for q in _curve], mode="lines",
                              name="P99 latency", line=dict(color=charts.COLOR["series"], width=3)))
    _fig.add_trace(go.Scatter(x=[u * 100 for u in _us], y=[q.mean_time_s * 1e3 for q in _curve], mode="lines",
                              name="mean latency", line=dict(color=charts.COLOR["neutral"], dash="dot")))
    _fig.add_trace(go.Scatter(x=[5, 100], y=[SLO_P99_S * 1e3] * 2, mode="lines", name=f"SLO: P99 {ms(SLO_P99_S)}",
                              line=dict(color=charts.COLOR["limit"], width=2)))
    if partA_queue is not None:
        _fig.add_trace(go.Scatter(x=[partA_util.value], y=[partA_queue.p99_s * 1e3], mode="markers",
                                  name=f"your setting: {partA_util.value}%, P99 {ms(partA_queue.p99_s)}",
                                  marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"])))
    _low = endpoint_queue(PART_A["low"], PART_A["cs2"]).p99_s
    _predicted = _low * PART_A_OPTIONS[partA_result.choice]
    charts.themed(_fig, title="Latency vs utilization, one GPU, random arrivals (log scale)",
                  x="GPU utilization (%)", y="latency (ms, log scale)")
    _fig.update_xaxes(range=[0, 101])
    charts.log_axes(_fig, ys=[q.mean_time_s * 1e3 for q in _curve] + [q.p99_s * 1e3 for q in _curve]
                    + [_predicted * 1e3], pad=0.15)
    charts.reference_line(_fig, _predicted * 1e3, f"your prediction: P99 at {PART_A['high']:.0%} = "
                                                  f"{partA_result.label} of {ms(_low)} = {ms(_predicted)}")
    if partA_overload:
        _banner = ui.failure_banner(
            "Overload", what=f"images arrive {U.fmt_number(partA_rho / _d)}/s, the GPU serves "
                             f"{U.fmt_number(1 / _d)}/s: the queue grows without bound",
            by=f"{U.fmt_number((partA_rho - 1) * 100, 2)} percentage points of utilization",
            fix="add a replica or batch requests (Part C)")
    elif partA_slo_miss:
        _banner = ui.failure_banner(
            "SLA violation", what=f"P99 is {ms(partA_queue.p99_s)} against the {ms(SLO_P99_S)} objective",
            by=ms(partA_queue.p99_s - SLO_P99_S),
            fix=f"keep utilization at or below {slo_utilization(partA_service.value):.0%} for this service time, "
                "or add capacity")
    else:
        _banner = ui.banner("ok", "Within the SLO", f"P99 {ms(partA_queue.p99_s)} at {partA_util.value}% "
                                                    f"utilization; the SLO holds up to "
                                                    f"{slo_utilization(partA_service.value):.0%}.")
    _cards = [ui.metric_card("service time", ms(_d), f"{MODEL.name} at batch 1 on the {GPU.name}"),
              ui.metric_card("arrival rate", f"{U.fmt_number(partA_rho / _d)} images/s",
                             f"capacity {U.fmt_number(1 / _d)} images/s")]
    if partA_queue is not None:
        _cards += [ui.metric_card("mean latency", ms(partA_queue.mean_time_s), "what a dashboard average shows"),
                   ui.metric_card("P99 latency", ms(partA_queue.p99_s), f"{U.fmt_ratio(partA_queue.p99_s / _d)} "
                                  "the service time", "fail" if partA_slo_miss else "ok"),
                   ui.metric_card("requests in the system", U.fmt_number(partA_queue.mean_in_system, 2),
                                  "Little: L = lambda x W")]
    mo.vstack([mo.hstack([partA_util, partA_service], wrap=True), _fig, ui.cards(*_cards), _banner])
    return


@app.cell
def _(partA_result):
    ui.reveal(partA_result) if partA_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "queueing delay",
        [r"\rho = \lambda\, D, \qquad W_q^{M/D/1} = \frac{\rho\, D}{2 (1 - \rho)}, \qquad "
         r"W_q^{M/M/1} = \frac{\rho\, D}{1 - \rho}",
         r"P(W_q > x D) = \sum_k \frac{1 - \rho}{z_k + \rho - 1}\, e^{-z_k x}, \quad z_k = \rho\,(e^{z_k} - 1) "
         r"\quad \text{(M/D/1 tail)}",
         r"P99^{M/M/1} = \frac{\ln 100}{\mu - \lambda}, \qquad L = \lambda\, W \quad \text{(Little)}"],
        [(f"service time D ({MODEL.name}, batch 1, {GPU.name})", ms(service_time()),
          f"engine estimate; {GPU.sources[0]}"),
         ("P99 objective", ms(SLO_P99_S), "scenario"),
         ("M/D/1 waiting-time tail", "exact to utilization 0.99",
          "Crommelin (1932); Janssen & van Leeuwaarden, Statistica Neerlandica (2008)"),
         ("M/M/1 sojourn time", "exponential, rate mu - lambda", "Kleinrock, Queueing Systems Vol. 1 (1975), 3.2")],
    )
    return


@app.cell
def _():
    ui.section("Part B: The load test that lied", 12)
    return


@app.cell
def _():
    _d = service_time()
    ui.stakeholder(
        "Tomás Reyes", "QA engineer",
        f"I load-tested the endpoint at peak-hour traffic, {PART_B['utilization']:.0%} utilization "
        f"({U.fmt_number(PART_B['utilization'] / _d)} images/s), replaying requests evenly spaced, one every "
        f"{ms(_d / PART_B['utilization'])}. Every request finished in {ms(_d)}, so P99 = {ms(_d)}. "
        "Production users arrive at random at the same average rate. Can I sign off?",
    )
    return


@app.cell
def _():
    partB_prediction = ui.choice_prediction(
        f"In production, at the same {PART_B['utilization']:.0%} average load, P99 is how many times the load "
        "test's?",
        {k: k for k in PART_B_OPTIONS},
    )
    return (partB_prediction,)


@app.cell
def _(lab, partB_prediction):
    partB_actual = part_b_ratio()
    _prod, _ = exact_p99(PART_B["utilization"], 1.0)
    partB_result = lab.commit("partB", partB_prediction, lambda choice: G.grade_choice(
        "partB", "Little's Law", choice, G.closest_option(PART_B_OPTIONS, partB_actual),
        option_values=PART_B_OPTIONS, actual=partB_actual, unit="x",
        explanation=(
            f"Evenly spaced requests never find the GPU busy, so the load test saw no queue at all. Random "
            f"arrivals at the same mean rate bunch up: the exact M/D/1 P99 is {ms(_prod)}, "
            f"{U.fmt_ratio(partB_actual)} the test's {ms(service_time())}. A load test must replay the "
            "arrival process, not just the rate, and report a percentile of enough requests."
        ),
    ))
    ui.prediction(partB_prediction, partB_result)
    return partB_actual, partB_result


@app.cell
def _():
    # Opens on production (Poisson at 90%), the process the reveal grades.
    partB_arrivals = mo.ui.radio(ARRIVALS, value=next(k for k, v in ARRIVALS.items() if v == PART_B["ca2"]),
                                 label="Arrival process")
    partB_util = mo.ui.slider(10, 99, step=1, value=round(PART_B["utilization"] * 100), label="Utilization (%)",
                              show_value=True)
    partB_samples = mo.ui.slider(steps=SAMPLE_STEPS, value=PART_B["samples"], label="Requests in the load test",
                                 show_value=True)
    partB_seed = mo.ui.slider(0, 9, step=1, value=PART_B["seed"], label="Random seed", show_value=True)
    return partB_arrivals, partB_samples, partB_seed, partB_util


@app.cell
def _(partB_arrivals, partB_samples, partB_seed, partB_util):
    partB_rho = partB_util.value / 100
    partB_sim = load_test(partB_rho, partB_arrivals.value, partB_samples.value, partB_seed.value)
    partB_exact, partB_method = exact_p99(partB_rho, partB_arrivals.value)
    partB_spread = [load_test(partB_rho, partB_arrivals.value, partB_samples.value, s).p99_s for s in range(SEEDS)]
    return partB_exact, partB_method, partB_rho, partB_sim, partB_spread


@app.cell
def _(
    partB_arrivals,
    partB_exact,
    partB_method,
    partB_result,
    partB_rho,
    partB_samples,
    partB_seed,
    partB_sim,
    partB_spread,
    partB_util,
):
    mo.stop(partB_result is None, ui.locked("the load-test simulator"))
    _d = service_time()
    _lat = [x * 1e3 for x in partB_sim.latencies_s]
    _predicted = _d * PART_B_OPTIONS[partB_result.choice]
    _top = max(max(_lat), partB_exact * 1e3, _predicted * 1e3) * 1.05
    _bins = 60
    _w = _top / _bins
    _counts = [0] * _bins
    for _x in _lat:
        _counts[min(_bins - 1, int(_x / _w))] += 1
    _fig = go.Figure(go.Bar(x=[(i + 0.5) * _w for i in range(_bins)], y=[c if c else None for c in _counts],
                            width=_w, marker_color=charts.COLOR["neutral"], name=f"{len(_lat):,} simulated requests"))
    _ymax = max(_counts) * 3
    _max5 = max(partB_sim.latencies_s[:5])
    for _v, _name, _color, _dash in (
            (partB_exact, f"P99, {partB_method}: {ms(partB_exact)}", charts.COLOR["series"], "solid"),
            (partB_sim.p99_s, f"P99 of this test: {ms(partB_sim.p99_s)}", charts.COLOR["alternative"], "dash"),
            (partB_sim.mean_s, f"mean: {ms(partB_sim.mean_s)}", charts.COLOR["limit"], "dot"),
            (_max5, f"max of the first 5 requests: {ms(_max5)}", charts.COLOR["fixed"], "dashdot")):
        _fig.add_trace(go.Scatter(x=[_v * 1e3] * 2, y=[0.8, _ymax], mode="lines", name=_name,
                                  line=dict(color=_color, dash=_dash, width=2)))
    charts.themed(_fig, title=f"Latency of each request in one load test at {partB_util.value}% utilization",
                  x="latency (ms)", y="requests (log scale)", height=420)
    _fig.update_yaxes(type="log", range=[-0.1, max(1.0, math.log10(_ymax))])
    _fig.update_xaxes(range=[0, _top])
    charts.reference_line(_fig, _predicted * 1e3, f"your prediction: {partB_result.label} = {ms(_predicted)}",
                          axis="x")
    _lo, _hi = min(partB_spread), max(partB_spread)
    mo.vstack([
        mo.hstack([partB_arrivals, partB_util], wrap=True), mo.hstack([partB_samples, partB_seed], wrap=True),
        _fig,
        ui.cards(
            ui.metric_card("P99 (formula)", ms(partB_exact), partB_method),
            ui.metric_card("P99 (this test)", ms(partB_sim.p99_s),
                           f"{partB_samples.value:,} requests, seed {partB_seed.value}"),
            ui.metric_card(f"P99 over {SEEDS} seeds", f"{ms(_lo)} to {ms(_hi)}",
                           f"{U.fmt_number(100 * (_hi - _lo) / partB_exact, 2)}% of the formula's P99 apart"),
            ui.metric_card("mean", ms(partB_sim.mean_s), "an average is not a tail"),
        ),
        ui.banner("warn" if partB_samples.value < 10_000 and partB_arrivals.value > 0 else "info",
                  "How many requests?",
                  f"The 99th percentile of {partB_samples.value:,} requests rests on the slowest "
                  f"{U.fmt_number(max(1, partB_samples.value // 100))} of them, and at "
                  f"{partB_rho:.0%} utilization neighbouring requests share the same queue, so they are not "
                  "independent: compare the spread across seeds as you move the slider."),
    ])
    return


@app.cell
def _(partB_result):
    ui.reveal(partB_result) if partB_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "arrival variability",
        [r"W_q \approx \frac{\rho}{1 - \rho}\cdot\frac{c_a^2 + c_s^2}{2}\cdot D \quad \text{(Kingman, G/G/1)}",
         r"c_a^2 = 0 \text{ (evenly spaced)}, \quad c_a^2 = 1 \text{ (Poisson)}, \quad c_s^2 = 0 "
         r"\text{ (constant service)}",
         r"\widehat{P99} = x_{(\lceil 0.99 n \rceil)} \quad \text{(the sample percentile of n requests)}"],
        [("service time D", ms(service_time()), f"engine estimate, {MODEL.name} on the {GPU.name}"),
         ("G/G/1 mean wait", "Kingman (1961)", "J. F. C. Kingman, Proc. Cambridge Phil. Soc. 57"),
         ("simulated load tests", f"{SEEDS} seeds, first tenth (at most 1,000) discarded as warm-up",
          "engine: queueing.simulate_queue")],
    )
    return


@app.cell
def _():
    ui.section("Part C: Batching at launch", 12)
    return


@app.cell
def _():
    ui.stakeholder(
        "Lena Park", "Product lead, content moderation",
        f"Launch traffic is {part_c_rate():,} images/s, and one request at a time the {GPU.name} serves "
        f"{U.fmt_number(capacity(1))}/s. We can't buy a second GPU this quarter. The serving framework can batch "
        f"images: a batch of 32 takes {ms(batch_time(32))} instead of 32 x {ms(batch_time(1))}. Which policy "
        f"should we ship? The P99 objective is still {ms(SLO_P99_S)}.",
    )
    return


@app.cell
def _():
    partC_prediction = ui.choice_prediction(
        f"At {part_c_rate():,} images/s, which policy gives the lowest P99?", POLICIES)
    return (partC_prediction,)


@app.cell
def _(lab, partC_prediction):
    partC_best = part_c_best()
    _rate = part_c_rate()
    _best = policy_p99(partC_best, _rate)
    _fill = policy_p99("fill20", _rate)
    partC_result = lab.commit("partC", partC_prediction, lambda choice: G.grade_choice(
        "partC", "Little's Law", choice, partC_best, actual=_best * 1e3, unit="ms P99",
        explanation=(
            f"One at a time the GPU sustains only {U.fmt_number(capacity(1))}/s: at {_rate:,}/s the queue grows "
            f"without bound. Batching amortizes the fixed per-call time, so bigger batches raise throughput, but "
            f"waiting to fill one costs latency: a 20 ms window gives P99 "
            f"{ms(_fill) if _fill else 'unbounded'}. Taking whatever is waiting when the GPU frees up "
            f"batches exactly as much as the load needs: P99 {ms(_best)} ({SIM_REQUESTS:,} simulated requests)."
        ),
    ))
    ui.prediction(partC_prediction, partC_result)
    return partC_best, partC_result


@app.cell
def _():
    # Opens on the launch traffic and the policy the reveal names the fastest (computed).
    _max, _window = POLICY[part_c_best()]
    partC_rate = mo.ui.slider(RATE_STEP, 8_000, step=RATE_STEP, value=part_c_rate(), label="Traffic (images/s)",
                              show_value=True)
    partC_max_batch = mo.ui.slider(1, 64, step=1, value=_max, label="Largest batch", show_value=True)
    partC_window = mo.ui.slider(0.0, 20.0, step=0.5, value=_window * 1e3, label="Wait to fill a batch (ms)",
                                show_value=True)
    return partC_max_batch, partC_rate, partC_window


@app.cell
def _(partC_max_batch, partC_rate, partC_window):
    partC_sim = batching(float(partC_rate.value), int(partC_max_batch.value), partC_window.value / 1e3)
    partC_overload = partC_sim is None
    partC_slo_miss = partC_overload or partC_sim.p99_s > SLO_P99_S
    return partC_overload, partC_sim, partC_slo_miss


@app.cell
def _(partC_max_batch, partC_overload, partC_rate, partC_result, partC_sim, partC_slo_miss, partC_window):
    mo.stop(partC_result is None, ui.locked("the batching bench"))
    _rate = float(partC_rate.value)
    _names = {v: k for k, v in POLICIES.items()}
    _rows = [(_names[k], policy_p99(k, _rate), k) for k in POLICY]
    _rows.append((f"Your settings: up to {partC_max_batch.value}, wait {U.fmt_number(partC_window.value)} ms",
                  None if partC_overload else partC_sim.p99_s, "yours"))
    _finite = [r[1] for r in _rows if r[1] is not None]
    _cap_y = max(_finite + [SLO_P99_S]) * 3
    _labels = [charts.two_lines(*n.split(": ", 1)) if ": " in n else charts.two_lines(*n.split(", ", 1))
               for n, _, _ in _rows]
    _colors = [charts.COLOR["highlight"] if k == partC_result.choice else
               charts.COLOR["series"] if k == "yours" else charts.COLOR["neutral"] for _, _, k in _rows]
    _fig = go.Figure(go.Bar(
        x=_labels, y=[(v if v is not None else _cap_y) * 1e3 for _, v, _ in _rows], marker_color=_colors,
        marker_pattern_shape=["" if v is not None else "/" for _, v, _ in _rows],
        text=[ms(v) if v is not None else "overloaded" for _, v, _ in _rows], textposition="outside",
        showlegend=False))
    _fig.add_trace(go.Scatter(x=[_labels[0], _labels[-1]], y=[SLO_P99_S * 1e3] * 2, mode="lines",
                              name=f"SLO: P99 {ms(SLO_P99_S)}", line=dict(color=charts.COLOR["limit"], dash="dot")))
    charts.themed(_fig, title=f"P99 latency of each policy at {partC_rate.value:,} images/s (log scale)",
                  y="P99 (ms, log scale)", height=440)
    charts.log_axes(_fig, ys=[v * 1e3 for v in _finite] + [_cap_y * 1e3, SLO_P99_S * 1e3], pad=0.4)
    _fig.update_yaxes(dtick="D2")  # only the 2 and 5 minor labels: legible on a short log range
    charts.mark_point(_fig, _labels[list(POLICY).index(partC_result.choice)],
                      (policy_p99(partC_result.choice, _rate) or _cap_y) * 1e3, "your prediction")
    if partC_overload:
        _banner = ui.failure_banner(
            "Overload", what=f"{partC_rate.value:,} images/s against {U.fmt_number(capacity(partC_max_batch.value))}"
                             f"/s at full batches of {partC_max_batch.value}",
            by=f"{U.fmt_number(_rate - capacity(partC_max_batch.value))} images/s",
            fix="allow larger batches, or add a GPU")
    elif partC_slo_miss:
        _banner = ui.failure_banner(
            "SLA violation", what=f"P99 is {ms(partC_sim.p99_s)} against the {ms(SLO_P99_S)} objective",
            by=ms(partC_sim.p99_s - SLO_P99_S),
            fix="wait less to fill batches, or allow larger ones so the queue drains")
    else:
        _banner = ui.banner("ok", "Within the SLO", f"P99 {ms(partC_sim.p99_s)}; batches average "
                                                    f"{U.fmt_number(partC_sim.mean_batch, 2)} images.")
    _cards = [ui.metric_card("capacity at full batches", f"{U.fmt_number(capacity(partC_max_batch.value))} images/s",
                             f"batches of {partC_max_batch.value}")]
    if not partC_overload:
        _cards += [ui.metric_card("P99 latency", ms(partC_sim.p99_s), f"{SIM_REQUESTS:,} simulated requests",
                                  "fail" if partC_slo_miss else "ok"),
                   ui.metric_card("mean batch", U.fmt_number(partC_sim.mean_batch, 2), "images per batch"),
                   ui.metric_card("GPU busy", f"{U.fmt_number(100 * partC_sim.utilization, 2)}%",
                                  "share of time computing")]
    mo.vstack([mo.hstack([partC_rate, partC_max_batch, partC_window], wrap=True), _fig, ui.cards(*_cards), _banner])
    return


@app.cell
def _(partC_result):
    ui.reveal(partC_result) if partC_result else None
    return


@app.cell
def _():
    _a, _c = batch_model()
    ui.math_peek(
        "batching",
        [r"S(b) = a + c\, b, \qquad \text{capacity}(B) = \frac{B}{a + c\, B}",
         r"\text{stable} \iff \lambda < \text{capacity}(B_\text{max}), \qquad "
         r"\text{latency} = \text{wait to start} + \text{window} + S(b)"],
        [("fixed time per batch a", ms(_a), f"engine estimates at batch {BATCH_FIT[0]} and {BATCH_FIT[1]}"),
         ("time per image c", ms(_c), f"{MODEL.name} fp16 on the {GPU.name}, engine default efficiency"),
         ("P99", f"of {SIM_REQUESTS:,} simulated requests (seed {SIM_SEED})",
          "engine: queueing.simulate_batching, Poisson arrivals")],
    )
    return


@app.cell
def _():
    ui.section("Part D: Little's law sizes concurrency", 12)
    return


@app.cell
def _():
    _base = llm_point(PART_D["device"], PART_D["base_rate"], PART_D["osl"])
    _dev = P.get_device(PART_D["device"])
    ui.stakeholder(
        "Sam Okoye", "Platform engineer, chat assistant",
        f"Our assistant runs {LLM_MODEL.name} on one {_dev.name} with continuous batching: "
        f"{LLM['isl']:,}-token prompts, {PART_D['osl']}-token answers. At {U.fmt_number(PART_D['base_rate'])} "
        f"request/s an answer takes {U.fmt_seconds(_base.e2e_s['mean'])} end to end. Next month we expect "
        f"{U.fmt_number(PART_D['rate'])} requests/s. How many requests will the GPU hold at once? That is how "
        "many KV-cache slots we must budget.",
    )
    return


@app.cell
def _():
    partD_prediction = ui.numeric_prediction(
        f"Requests in flight at {U.fmt_number(PART_D['rate'])} requests/s", start=1, stop=1000, step=1, value=10,
        unit="requests")
    return (partD_prediction,)


@app.cell
def _(lab, partD_prediction):
    partD_actual = part_d_in_flight()
    _pt = llm_point(PART_D["device"], PART_D["rate"], PART_D["osl"])
    _base = llm_point(PART_D["device"], PART_D["base_rate"], PART_D["osl"])
    partD_result = lab.commit("partD", partD_prediction, lambda value: G.grade_numeric(
        "partD", "Little's Law", float(value), partD_actual, tolerance=1.5, unit="requests",
        explanation=(
            f"Little's law: L = lambda x W = {U.fmt_number(PART_D['rate'])}/s x {U.fmt_seconds(_pt.e2e_s['mean'])} "
            f"= {U.fmt_number(partD_actual)}. W is not the {U.fmt_seconds(_base.e2e_s['mean'])} of a quiet server: "
            f"with more sequences in each decode step, every step reads more KV cache and takes longer "
            f"({ms(_base.itl_s['mean'])} to {ms(_pt.itl_s['mean'])} per token), so in-flight requests grow faster "
            "than the rate. Budget KV slots for lambda x W at the load you expect, not at the load you measured."
        ),
    ))
    ui.prediction(partD_prediction, partD_result)
    return partD_actual, partD_result


@app.cell
def _():
    # Opens on next month's load on the H100 (the reveal's scenario).
    partD_device = mo.ui.dropdown({P.get_device(d).name: d for d in LLM_DEVICES},
                                  value=P.get_device(PART_D["device"]).name, label="GPU")
    partD_rate = mo.ui.slider(0.5, 40.0, step=0.5, value=PART_D["rate"], label="Requests/s", show_value=True)
    partD_osl = mo.ui.slider(32, 1024, step=32, value=PART_D["osl"], label="Answer length (tokens)", show_value=True)
    return partD_device, partD_osl, partD_rate


@app.cell
def _(partD_device, partD_osl, partD_rate):
    partD_error = None
    try:
        partD_point = llm_point(partD_device.value, partD_rate.value, partD_osl.value)
    except P.PhysicsError as _exc:  # the engine has no answer here: say so, keep the controls
        partD_point, partD_error = None, str(_exc)
    partD_limit = llm_limit(partD_point) if partD_point is not None else None
    return partD_error, partD_limit, partD_point


@app.cell
def _(partD_device, partD_error, partD_limit, partD_osl, partD_point, partD_rate, partD_result):
    mo.stop(partD_result is None, ui.locked("the concurrency planner"))
    _controls = mo.hstack([partD_device, partD_rate, partD_osl], wrap=True)
    _dev = P.get_device(partD_device.value)
    if partD_point is None:
        _out = mo.vstack([_controls, ui.banner("fail", "No answer", partD_error)])
    else:
        _rates = [r / 2 for r in range(1, 81)]
        _sweep = SL.serve_load_sweep(LLM["model"], partD_device.value, rate=_rates, isl=LLM["isl"],
                                     osl=partD_osl.value)
        _ok = [(p.load, in_flight(p)) for p in _sweep if p.stable]
        _fig = go.Figure()
        if _ok:
            _fig.add_trace(go.Scatter(x=[x for x, _ in _ok], y=[y for _, y in _ok], mode="lines",
                                      name="in flight = rate x E2E latency",
                                      line=dict(color=charts.COLOR["series"], width=3)))
            _fig.add_trace(go.Scatter(x=[x for x, _ in _ok], y=[x * _ok[0][1] / _ok[0][0] for x, _ in _ok],
                                      mode="lines", name="if latency stayed at the lightest load's",
                                      line=dict(color=charts.COLOR["neutral"], dash="dot")))
        _fig.add_trace(go.Scatter(x=[_rates[0], _rates[-1]], y=[partD_point.kv_slots] * 2, mode="lines",
                                  name=f"KV-cache slots: {partD_point.kv_slots:,}",
                                  line=dict(color=charts.COLOR["limit"], width=2)))
        if partD_point.stable:
            _fig.add_trace(go.Scatter(x=[partD_rate.value], y=[in_flight(partD_point)], mode="markers",
                                      name=f"your setting: {U.fmt_number(in_flight(partD_point))} in flight",
                                      marker=dict(size=12, symbol="diamond", color=charts.COLOR["series"])))
        charts.themed(_fig, title=f"Requests in flight on one {_dev.name} (log scale)", x="requests/s",
                      y="requests in flight (log scale)", height=420)
        _ys = [y for _, y in _ok] + [partD_point.kv_slots, partD_result.predicted]
        charts.log_axes(_fig, ys=_ys, pad=0.3)
        charts.reference_line(_fig, partD_result.predicted,
                              f"your prediction: {U.fmt_number(partD_result.predicted)} in flight at "
                              f"{U.fmt_number(PART_D['rate'])}/s on the {P.get_device(PART_D['device']).name}")
        if partD_point.stable:
            _cards = ui.cards(
                ui.metric_card("in flight (Little)", U.fmt_number(in_flight(partD_point)),
                               f"{U.fmt_number(partD_rate.value)}/s x {U.fmt_seconds(partD_point.e2e_s['mean'])}"),
                ui.metric_card("KV-cache slots", f"{partD_point.kv_slots:,}",
                               f"{U.fmt_number(100 * partD_point.running_batch / partD_point.kv_slots, 2)}% decoding"),
                ui.metric_card("E2E latency P99", U.fmt_seconds(partD_point.e2e_s["p99"]),
                               f"time to first token P99 {U.fmt_seconds(partD_point.ttft_s['p99'])}"),
                ui.metric_card("time per token", ms(partD_point.itl_s["mean"]), "mean, all sequences share each step"))
            _banner = ui.banner("ok", "Sustainable", f"{U.fmt_number(partD_point.running_batch)} sequences decode at "
                                                     f"once, within {partD_point.kv_slots:,} KV slots.")
        else:
            _cards = ui.cards(ui.metric_card("KV-cache slots", f"{partD_point.kv_slots:,}",
                                             f"batch limit {partD_point.max_batch}", "fail"))
            _banner = ui.failure_banner(
                partD_limit, what=f"{U.fmt_number(partD_rate.value)} requests/s cannot be held on one {_dev.name}: "
                                  f"requests would pile up without bound",
                by=f"the load is past what {partD_point.kv_slots:,} KV slots (batch limit "
                   f"{partD_point.max_batch}) sustain",
                fix="lower the rate or the answer length, or add a GPU")
        _out = mo.vstack([_controls, _fig, _cards, _banner])
    _out
    return


@app.cell
def _(partD_result):
    ui.reveal(partD_result, fmt=lambda v: U.fmt_number(v)) if partD_result else None
    return


@app.cell
def _():
    ui.math_peek(
        "Little's law and KV slots",
        [r"L = \lambda\, W, \qquad W = \text{TTFT} + (\text{OSL} - 1)\, \tau(B)",
         r"\tau(B) = \frac{\max(W_\text{bytes} + B\, KV(c),\; B\, F_\text{tok})}{\text{roofline}} + o, \qquad "
         r"B \le \text{slots} = \left\lfloor \frac{f\, M - W_\text{bytes}}{KV_\text{seq}} \right\rfloor"],
        [("Little's law", "L = lambda W for any stable system", "J. D. C. Little, Operations Research 9 (1961)"),
         (f"{LLM_MODEL.name}", f"{U.fmt_params(LLM_MODEL.params)} parameters", LLM_MODEL.sources[0]),
         ("continuous batching, paged KV", "iteration-level scheduling; 16-token KV blocks",
          "Yu et al., Orca (OSDI 2022); Kwon et al., vLLM (SOSP 2023)"),
         ("usable memory fraction f", f"{P.DEFAULT_MEMORY_FRACTION:.0%}", "engine default")],
    )
    return


@app.cell
def _(partA_result, partB_result, partC_result, partD_result):
    _hi = endpoint_queue(0.95, 0.0).p99_s / service_time()
    ui.takeaways(
        ["Queueing delay grows as rho / (1 - rho): tail latency rises slowly, then explodes as utilization nears 1. "
         "Plan capacity from the P99 curve, not from the average.",
         "Tails come from the arrival process: an evenly spaced load test shows no queue at all. Replay random "
         "arrivals and compute P99 from tens of thousands of requests; a mean or a 5-request maximum is not a tail.",
         "Batching raises throughput by amortizing fixed per-call time; waiting to fill batches costs latency. "
         "Take what is waiting and let the load set the batch size.",
         "Little's law, L = lambda x W, sizes concurrency (KV slots, connections, replicas), with W measured at the "
         "load you plan for."],
        [("Why does P99 of the constant-service endpoint reach "
          f"{U.fmt_number(_hi)} service times at 95% utilization?",
          "Because the waiting time scales as 1/(1 - rho): at 95% only 5% of the time is idle to absorb bursts."),
         ("A server holds 64 requests at 8 requests/s. What is the mean latency?",
          "W = L / lambda = 64 / 8 = 8 s.")],
        unlocked=all(r is not None for r in (partA_result, partB_result, partC_result, partD_result)),
    )
    return


@app.cell
def _(lab):
    memo_form = ui.decision_memo(lab.memo())
    return (memo_form,)


@app.cell
def _(memo_form):
    mo.vstack([mo.md("Lena must choose the launch policy for the moderation endpoint: the batching settings and "
                     "the traffic they can carry within the P99 objective (Part C's settings are your operating "
                     "point, saved for the capstone). Write her a short memo."), memo_form])
    return


@app.cell
def _(
    lab,
    ledger,
    memo_form,
    partA_actual,
    partA_overload,
    partA_result,
    partA_service,
    partA_slo_miss,
    partA_util,
    partB_actual,
    partB_result,
    partC_max_batch,
    partC_overload,
    partC_rate,
    partC_result,
    partC_sim,
    partC_slo_miss,
    partC_window,
    partD_actual,
    partD_limit,
    partD_result,
):
    _outcomes = {"p99_ratio_80_vs_50": partA_actual, "p99_ratio_poisson_vs_even": partB_actual,
                 "in_flight_llm": partD_actual}
    if not partC_overload:  # the operating point's tail, read by v1.16
        _outcomes.update(p99_ms=partC_sim.p99_s * 1e3, mean_batch=partC_sim.mean_batch)
    _constraints = []
    if partA_result and partA_slo_miss:
        _constraints.append(f"{'overload' if partA_overload else 'P99 SLA'}: batch-1 endpoint at {partA_util.value}%")
    if partC_result and partC_slo_miss:
        _constraints.append(f"{'overload' if partC_overload else 'P99 SLA'}: {partC_rate.value} images/s, batch "
                            f"{partC_max_batch.value}, wait {partC_window.value} ms")
    if partD_result and partD_limit:
        _constraints.append(f"{partD_limit}: chat assistant")
    lab_record = build_record(
        context=home_context(ledger, default=None),
        results=[partA_result, partB_result, partC_result, partD_result],
        decisions={"load_rps": partC_rate.value, "max_batch": partC_max_batch.value,
                   "window_ms": partC_window.value, "utilization_percent": partA_util.value,
                   "service_cs2": partA_service.value},
        outcomes=_outcomes,
        constraints=_constraints,
        memo=memo_form.value,
    )
    lab_status = lab.save(lab_record)
    return lab_record, lab_status


@app.cell
def _(lab_record, lab_status):
    ui.lab_footer(LAB.id, lab_record, lab_status, of=4)
    return


if __name__ == "__main__":
    app.run()
