"""v1.13: each part's computed answer against an independent calculation (closed forms
and seeded simulations), instruments that open on the scenario the reveal grades, each
failure state at its threshold and not below, and the ledger contract read by v1.16."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import VOL1_INVARIANTS, get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import queueing as Q

from .harness import Committed, lab_controls, load_app, load_module, run_lab

PATH = get_lab("v1.13").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "about 2.6x", "partB_prediction": "about 20x", "partC_prediction": "greedy",
           "partD_prediction": 50.0}
D = P.estimate("resnet50", "l4", phase="inference", batch=1, seq_len=1, precision="fp16").step_time_s


def run(controls=None, answers=ANSWERS):
    return run_lab(PATH, answers, controls)[1]


def _defaults(**changes):
    c = {k: e.value for k, e in lab_controls(run_lab(PATH)[1]).items()}
    c.update(changes)
    return c


def test_service_time_is_the_engines_batch1_estimate():
    assert LAB.service_time() == pytest.approx(D)


def test_part_a_ratio_matches_a_seeded_simulation_and_beats_linear_intuition():
    # M/D/1 P99 at 80% and 50% from 200k simulated Poisson arrivals with constant service
    sims = [Q.simulate_queue(arrival_rate=u / D, service_time=D, cs2=0.0, requests=200_000, seed=1, warmup=2_000)
            for u in (0.5, 0.8)]
    assert LAB.part_a_ratio() == pytest.approx(sims[1].p99_s / sims[0].p99_s, rel=0.06)
    # exponential service: the closed form ln(100)/(mu - lambda) gives exactly (1 - 0.5)/(1 - 0.8) = 2.5
    assert LAB.endpoint_queue(0.8, 1.0).p99_s / LAB.endpoint_queue(0.5, 1.0).p99_s == pytest.approx(2.5)
    assert LAB.endpoint_queue(0.8, 1.0).p99_s == pytest.approx(math.log(100) / (1 / D - 0.8 / D))
    d = run()
    assert d["partA_result"].correct_choice == "about 2.6x" and d["partA_result"].invariant == "Little's Law"
    v = sorted(LAB.PART_A_OPTIONS.values())  # options spaced alike on a log scale
    gaps = [b / a for a, b in zip(v, v[1:])]
    assert max(gaps) / min(gaps) < 1.1


def test_part_b_even_arrivals_never_queue_and_poisson_tail_matches_simulation():
    even = Q.simulate_queue(arrival_rate=0.9 / D, service_time=D, ca2=0.0, cs2=0.0, requests=20_000, seed=0)
    assert even.p99_s == pytest.approx(D)  # D/D/1 below capacity: no one waits
    pois = Q.simulate_queue(arrival_rate=0.9 / D, service_time=D, cs2=0.0, requests=300_000, seed=2, warmup=3_000)
    assert LAB.part_b_ratio() == pytest.approx(pois.p99_s / D, rel=0.08)
    d = run()
    closest = min(LAB.PART_B_OPTIONS, key=lambda k: abs(math.log(LAB.PART_B_OPTIONS[k] / LAB.part_b_ratio())))
    assert d["partB_result"].correct_choice == closest == "about 20x"


def test_part_c_batch1_is_overloaded_and_waiting_to_fill_costs_at_least_the_fill_time():
    s32 = P.estimate("resnet50", "l4", phase="inference", batch=32, seq_len=1, precision="fp16").step_time_s
    c = (s32 - D) / 31
    a = D - c
    assert LAB.batch_model() == pytest.approx((a, c))
    rate = LAB.part_c_rate()
    assert rate == round(1.5 / D / 100) * 100 and rate > 1 / D  # one at a time cannot keep up
    assert LAB.policy_p99("single", rate) is None
    # waiting up to 20 ms for 32 images: 31 more arrive in 31/lambda on average, P99 waits longer still
    assert LAB.policy_p99("fill20", rate) > 31 / rate
    best = LAB.part_c_best()
    p99 = {k: LAB.policy_p99(k, rate) for k in LAB.POLICY}
    assert best == min((k for k in p99 if p99[k] is not None), key=p99.get) == "greedy"
    assert p99["greedy"] < LAB.SLO_P99_S < p99["fill20"]
    d = run()
    assert d["partC_result"].correct_choice == best and d["partC_result"].actual == pytest.approx(p99[best] * 1e3)


def test_part_d_is_littles_law_at_the_planned_load():
    pt = P.serving_load.serve_load("llama3-8b", "h100-sxm", rate=16.0, isl=1024, osl=256)
    base = P.serving_load.serve_load("llama3-8b", "h100-sxm", rate=1.0, isl=1024, osl=256)
    assert pt.stable and LAB.part_d_in_flight() == pytest.approx(16.0 * pt.e2e_s["mean"])
    # latency grows with load, so in-flight requests grow faster than the rate (the wrong prior: 16 x W(1))
    assert LAB.part_d_in_flight() > 1.5 * 16.0 * base.e2e_s["mean"]
    # decoding sequences obey Little too: B = lambda x (OSL - 1) x mean token time (within the prefill share)
    assert pt.running_batch <= LAB.part_d_in_flight() <= pt.kv_slots
    assert run()["partD_result"].actual == pytest.approx(LAB.part_d_in_flight())


def test_invariant_tags():
    d = run()
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD")}
    assert set(tags.values()) == {"Little's Law"} and set(tags.values()) <= set(VOL1_INVARIANTS)


def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    assert (c["partA_util"], c["partA_service"]) == (80, 0.0)
    assert d["partA_queue"].p99_s / LAB.endpoint_queue(0.5, 0.0).p99_s == pytest.approx(d["partA_result"].actual)
    assert (c["partB_util"], c["partB_arrivals"], c["partB_samples"]) == (90, 1.0, LAB.PART_B["samples"])
    assert d["partB_exact"] / D == pytest.approx(d["partB_result"].actual)
    assert d["partB_sim"].p99_s / D == pytest.approx(d["partB_result"].actual, rel=0.15)
    assert c["partC_rate"] == LAB.part_c_rate() and (c["partC_max_batch"], c["partC_window"] / 1e3) == \
        LAB.POLICY[d["partC_result"].correct_choice]
    assert d["partC_sim"].p99_s * 1e3 == pytest.approx(d["partC_result"].actual)
    assert (c["partD_device"], c["partD_rate"], c["partD_osl"]) == ("h100-sxm", 16.0, 256)
    assert LAB.in_flight(d["partD_point"]) == pytest.approx(d["partD_result"].actual)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run())


@pytest.mark.parametrize("home", ["edge", "tiny"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home


def test_part_a_sla_violation_at_its_threshold_and_not_below():
    ok = max(u for u in range(1, 100) if Q.md1(u / 100 / D, D).p99_s <= 0.010)
    assert run(_defaults(partA_util=ok))["partA_slo_miss"] is False
    miss = run(_defaults(partA_util=ok + 1))
    assert miss["partA_slo_miss"]
    assert f"P99 SLA: batch-1 endpoint at {ok + 1}%" in miss["lab_record"]["constraints"]
    # exponential service: ln(100) D / (1 - rho) <= 10 ms
    ok_exp = math.floor(100 * (1 - math.log(100) * D / 0.010))
    assert LAB.slo_utilization(1.0) == ok_exp / 100


def test_part_a_overload_at_100_percent_and_not_below():
    assert not run(_defaults(partA_util=99))["partA_overload"]
    d = run(_defaults(partA_util=100))
    assert d["partA_overload"] and "overload: batch-1 endpoint at 100%" in d["lab_record"]["constraints"]


def test_part_c_overload_at_capacity_and_not_below():
    cap = LAB.capacity(8)  # 8 / (a + 8 c)
    a, c = LAB.batch_model()
    assert cap == pytest.approx(8 / (a + 8 * c))
    below = math.floor(cap / 100) * 100
    assert not run(_defaults(partC_rate=below))["partC_overload"]
    over = run(_defaults(partC_rate=below + 100))
    assert over["partC_overload"] and "p99_ms" not in over["lab_record"]["outcomes"]


def test_part_c_sla_violation_when_waiting_too_long():
    d = run(_defaults(partC_max_batch=32, partC_window=20.0))
    assert d["partC_slo_miss"] and not d["partC_overload"]
    assert any(x.startswith("P99 SLA: 3000 images/s") for x in d["lab_record"]["constraints"])


def test_part_d_kv_slots_run_out_on_the_small_gpu():
    pt = P.serving_load.serve_load("llama3-8b", "l4", rate=1.0, isl=1024, osl=256)
    assert pt.stable and not run(_defaults(partD_device="l4", partD_rate=1.0))["partD_limit"]
    d = run(_defaults(partD_device="l4", partD_rate=2.0))
    assert d["partD_limit"] == "KV cache full" and "KV cache full: chat assistant" in d["lab_record"]["constraints"]


def test_constraints_count_only_in_unlocked_parts():
    c = _defaults(partA_util=100, partC_rate=8000, partD_device="l4", partD_rate=40.0)
    assert run(c, answers={})["lab_record"]["constraints"] == []
    assert len(run(c)["lab_record"]["constraints"]) == 3


def test_ledger_contract_p99_ms_is_saved_and_v116_shows_it():
    d = run()
    p99_ms = Ledger.open().get("v1.13")["outcomes"]["p99_ms"]
    assert math.isfinite(p99_ms) and p99_ms == pytest.approx(d["partC_sim"].p99_s * 1e3)
    v116 = load_app(get_lab("v1.16").path).run(
        defs={k: Committed(v) for k, v in {"act1_prediction": "memory_bw", "act2_prediction": "cloud"}.items()})[1]
    assert v116["prior_p99_ms"].value == pytest.approx(p99_ms)
