"""v2.06: each part's computed answer against a hand calculation from registry
constants (alpha-beta with NCCL's per-step latencies and the fabrics' sustained
bandwidths), instruments that open on the scenario the reveal grades, the failure
states at their thresholds, invariant tags and the ledger keys v2.17 reads."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.labs.protocol import build_record
from mlsyslabs.ledger import Ledger
from mlsyslabs.physics import collectives as C
from mlsyslabs.physics import fabrics as F
from mlsyslabs.physics.fabrics import BASE_LATENCY_S

from .harness import lab_controls, load_module, run_lab

PATH = get_lab("v2.06").path
LAB = load_module(PATH)
ANSWERS = {"partA_prediction": "tree/ring", "partB_prediction": None, "partC_prediction": "About 3x longer",
           "partD_prediction": None}
CL = F.get_cluster("dgx-h100")
NVL, NIC = CL.intra, CL.inter
K = CL.gpus_per_node


def answers():
    a = dict(ANSWERS)
    a["partB_prediction"] = next(iter(LAB.part_b_options()))
    a["partD_prediction"] = LAB.bucket_label(LAB.PART_D_CHOICES[1])
    return a


def run(controls=None, ans=None):
    return run_lab(PATH, answers() if ans is None else ans, controls)[1]


# ------------------------------------------------------------ hand formulas (Simple protocol)
def ring_simple(n, S):
    """NCCL ring all-reduce, Simple protocol: base + 2(n-1) steps (2(N-1) of them on the network)
    + 2(n-1)/n S / min(B_NVLink, k B_port)."""
    N = n // K
    steps, net = 2 * (n - 1), 2 * (N - 1)
    alpha = BASE_LATENCY_S["simple"] + (steps - net) * NVL.latency_s + net * NIC.latency_s
    B = NVL.achievable_bw if N == 1 else min(NVL.achievable_bw, K * NIC.achievable_bw)
    return alpha + 2 * (n - 1) / n * S / B


def tree_simple(n, S):
    N = n // K
    alpha = BASE_LATENCY_S["simple"] + 2 * ((K - 1) * NVL.latency_s + math.ceil(math.log2(N)) * NIC.latency_s)
    B = min(NVL.achievable_bw, K * NIC.achievable_bw)
    return alpha + 2 * S / (0.92 * B)


def test_large_messages_match_the_hand_formula_and_ring_wins():
    n, S = LAB.PART_A["gpus"], LAB.PART_A["large"]
    assert S == P.get_workload("gpt2-xl").params * 4
    ring = C.collective("allreduce", gpus=n, size_bytes=S, algorithm="ring", cluster="dgx-h100", protocol="simple")
    tree = C.collective("allreduce", gpus=n, size_bytes=S, algorithm="tree", cluster="dgx-h100", protocol="simple")
    assert ring.time_s == pytest.approx(ring_simple(n, S), rel=1e-9)
    assert tree.time_s == pytest.approx(tree_simple(n, S), rel=1e-9)
    # bandwidth-bound: ring's 2(n-1)/n beats the tree's 2/0.92
    assert ring_simple(n, S) < tree_simple(n, S)
    # small message: the ring's 126 sequential steps lose to the tree's 20, whatever the protocol
    s = LAB.PART_A["small"]
    assert tree_simple(n, s) < ring_simple(n, s)
    assert LAB.part_a_answer() == "tree/ring"
    d = run()
    assert d["partA_result"].correct_choice == "tree/ring" and d["partA_result"].correct
    assert set(LAB.PART_A_OPTIONS.values()) == {"tree/tree", "ring/ring", "tree/ring", "ring/tree"}


def test_crossover_grows_with_n_and_is_where_the_winner_changes():
    x = LAB.crossover(64)
    assert LAB.winner(64, x / 1.01) == "tree" and LAB.winner(64, x * 1.01) == "ring"
    assert LAB.crossover(16) < x < LAB.crossover(512)
    assert run()["lab_record"]["outcomes"]["crossover_bytes"] == pytest.approx(x)


def test_part_b_busbw_is_the_bottleneck_bandwidth_times_algbw_factor():
    n, S = LAB.PART_B["gpus"], LAB.PART_B["size"]
    r = C.collective("allreduce", gpus=n, size_bytes=S, algorithm="ring", cluster="dgx-h100")
    assert r.busbw == pytest.approx(r.algbw * 2 * (n - 1) / n)
    # 1 GiB: within 10% of the sustained bottleneck bandwidth, not the network port's
    bottleneck = min(NVL.achievable_bw, K * NIC.achievable_bw)
    assert 0.85 * bottleneck < r.busbw <= bottleneck
    assert r.busbw > 5 * NIC.achievable_bw
    opts = LAB.part_b_options()
    one = LAB.busbw(K)
    assert list(opts.values()) == pytest.approx([CL.nic_bw_per_gpu * NIC.efficiency, one / 2, one, 2 * one])
    closest = min(opts, key=lambda k: abs(math.log(opts[k] / r.busbw)))
    assert closest == LAB.part_b_answer() and "about the same" in closest
    d = run()
    assert d["partB_result"].correct_choice == closest
    assert d["partB_result"].actual == pytest.approx(r.busbw / 1e9)
    assert d["lab_record"]["outcomes"]["busbw_multinode"] == pytest.approx(r.busbw)


def test_part_c_all_to_all_is_bound_by_each_gpus_own_port():
    n, S = LAB.PART_C["ep"], LAB.PART_C["size"]
    a2a = C.collective("alltoall", gpus=n, size_bytes=S, cluster="dgx-h100")
    # bandwidth term: (n-k)/n of the buffer through one port per GPU (Simple protocol bound)
    beta = (n - K) / n * S / (CL.nic_bw_per_gpu * NIC.efficiency)
    assert a2a.bandwidth_time_s >= beta * (1 - 1e-9)
    ratio = LAB.part_c_ratio()
    ar = C.collective("allreduce", gpus=n, size_bytes=S, algorithm="ring", cluster="dgx-h100")
    assert ratio == pytest.approx(a2a.time_s / ar.time_s)
    assert ratio > 2  # half the bytes, yet slower
    closest = min(LAB.PART_C_OPTIONS, key=lambda k: abs(math.log(LAB.PART_C_OPTIONS[k] / ratio)))
    assert LAB.part_c_answer() == closest
    d = run()
    assert d["partC_result"].correct_choice == closest and d["partC_result"].correct == (closest == "About 3x longer")
    # inside one NVLink domain the exchange is cheaper than the all-reduce: the lesson reverses
    a8, r8 = LAB.moe_times("dgx-h100", 8, S)
    assert a8.time_s < r8.time_s
    an, rn = LAB.moe_times("gb200-nvl72", 64, S)
    assert an.time_s < rn.time_s


def _hand_exposed(bucket, gpus=64, micro=2):
    est = P.estimate("gpt2-xl", "h100-sxm", phase="training", batch=micro, seq_len=1024, precision="bf16")
    Tb = est.step_time_s * 2 / 3
    G = P.get_workload("gpt2-xl").params * 4
    b = min(bucket, G)
    n = math.ceil(G / b - 1e-9)
    t = lambda s: min(C.collective("allreduce", gpus=gpus, size_bytes=s, algorithm=a, cluster="dgx-h100").time_s  # noqa
                      for a in ("ring", "tree"))
    # event by event
    end, done = 0.0, 0.0
    for i in range(n):
        size = min(b, G - done)
        done += size
        end = max(end, Tb * done / G) + t(size)
    return end - Tb, est.step_time_s


def test_part_d_best_bucket_is_the_hand_minimum_and_unique():
    ex = {b: _hand_exposed(b)[0] for b in LAB.PART_D_CHOICES}
    assert LAB.part_d_exposed() == pytest.approx(ex, rel=1e-9)
    best = min(ex, key=ex.get)
    assert LAB.part_d_answer() == best == 2**28
    second = sorted(ex.values())[1]
    assert second > 2 * ex[best]  # no near-tie between options
    d = run()
    assert d["partD_result"].correct_choice == LAB.bucket_label(best)
    assert d["partD_result"].actual == pytest.approx(ex[best] * 1e3)


def test_invariant_tags_name_what_each_question_tests():
    d = run()
    tags = {p: d[f"{p}_result"].invariant for p in ("partA", "partB", "partC", "partD")}
    assert tags == {"partA": "Ring vs tree AllReduce", "partB": "Bus bandwidth",
                    "partC": "All-to-all vs all-reduce", "partD": "Overlap hides communication"}
    assert set(tags.values()) == set(get_lab("v2.06").invariants)


def _check_instruments_agree(d):
    c = {k: e.value for k, e in lab_controls(d).items()}
    assert c["partA_gpus"] == LAB.PART_A["gpus"]
    assert f"{LAB.winner(c['partA_gpus'], LAB.PART_A['small'])}/{LAB.winner(c['partA_gpus'], LAB.PART_A['large'])}" \
        == d["partA_result"].correct_choice
    assert (c["partB_gpus"], c["partB_size"], c["partB_alg"]) == (64, 2**30, "ring")
    assert d["partB_run"].busbw / 1e9 == pytest.approx(d["partB_result"].actual)
    assert (c["partC_cluster"], c["partC_ep"]) == ("dgx-h100", 64)
    a, r = d["partC_times"]
    assert a.time_s / r.time_s == pytest.approx(d["partC_result"].actual)
    assert (c["partD_bucket"], c["partD_gpus"], c["partD_micro"]) == (C.DDP_BUCKET_BYTES, 64, 2)
    ex = {b: LAB.overlap_plan(b, c["partD_gpus"], c["partD_micro"])["ov"].exposed_s for b in LAB.PART_D_CHOICES}
    assert LAB.bucket_label(min(ex, key=ex.get)) == d["partD_result"].correct_choice
    assert d["partD_violations"] == []


def test_instruments_open_on_the_scenario_and_agree_with_the_reveal():
    _check_instruments_agree(run())


@pytest.mark.parametrize("home", ["edge", "cloud"])
def test_a_home_tier_never_moves_an_instrument(home):
    Ledger.open().save("v1.00", build_record(context=home, results=[]))
    d = run()
    _check_instruments_agree(d)
    assert d["lab_record"]["context"] == home


def _defaults(**changes):
    d = run_lab(PATH)[1]
    c = {k: e.value for k, e in lab_controls(d).items()}
    c.update(changes)
    return c


def test_step_violations_at_the_threshold_and_not_below():
    assert LAB.step_violations(0.1, 0.1, True) == []
    assert LAB.step_violations(0.1 + 1e-9, 0.1, True) == ["exposed communication > compute"]
    assert LAB.step_violations(0.0, 0.1, False) == ["OOM"]


def test_communication_bound_failure_in_the_lab():
    # 1 MiB buckets: thousands of latencies, exposed far beyond compute; 4 MiB: still bound; 25 MiB: fine
    bound = run(_defaults(partD_bucket=2**20))
    assert "exposed communication > compute" in bound["partD_violations"]
    assert any(c.startswith("exposed communication > compute") for c in bound["lab_record"]["constraints"])
    ok = run(_defaults(partD_bucket=C.DDP_BUCKET_BYTES))
    assert ok["partD_violations"] == []
    # the threshold in bucket terms: the largest option that is bound, the next that is not
    plans = [(b, LAB.overlap_plan(b, 64, 2)) for b in LAB.BUCKETS_D]
    flags = [p["ov"].exposed_s > p["compute_s"] for _, p in plans]
    assert flags[0] and not flags[-1]


def test_oom_at_its_threshold_and_not_below():
    fits = [P.estimate("gpt2-xl", "h100-sxm", phase="training", batch=b, seq_len=1024, precision="bf16").fits
            for b in range(1, LAB.MICROBATCH_MAX + 1)]
    largest = max(b for b, f in zip(range(1, LAB.MICROBATCH_MAX + 1), fits) if f)
    assert largest < LAB.MICROBATCH_MAX  # reachable
    assert "OOM" not in run(_defaults(partD_micro=largest))["partD_violations"]
    assert "OOM" in run(_defaults(partD_micro=largest + 1))["partD_violations"]


def test_an_impossible_placement_is_explained_and_keeps_the_controls():
    from .harness import bad_text, rendered_text

    outputs, d = run_lab(PATH, answers(), _defaults(partC_cluster="gb200-nvl72", partC_ep=128))
    assert d["partC_times"] is None and "multiple of gpus_per_node (72)" in d["partC_error"]
    text = rendered_text(outputs)
    assert "No such placement" in text and "all-to-all" in text  # the banner, and the chart of valid groups
    assert not bad_text(outputs)


def test_constraints_count_only_in_unlocked_parts():
    c = _defaults(partD_bucket=2**16, partD_micro=LAB.MICROBATCH_MAX)
    assert run(c, ans={})["lab_record"]["constraints"] == []
    rec = run(c)["lab_record"]
    assert any(x.startswith("OOM") for x in rec["constraints"])
    assert any(x.startswith("exposed communication > compute") for x in rec["constraints"])


def test_ledger_keys_v2_17_reads():
    rec = run()["lab_record"]
    assert set(rec["decisions"]) == {"bucket_bytes", "dp_gpus", "microbatch", "ep_gpus", "moe_cluster"}
    assert {"crossover_bytes", "busbw_multinode", "alltoall_over_allreduce", "best_bucket_bytes", "exposed_comm_s",
            "exposed_fraction", "completed"} == set(rec["outcomes"])
    assert rec["decisions"]["bucket_bytes"] == C.DDP_BUCKET_BYTES and rec["outcomes"]["completed"] is True
    assert 0 < rec["outcomes"]["exposed_fraction"] < 1


def test_no_context_is_saved_that_the_learner_did_not_choose():
    run_lab(PATH)
    assert Ledger.open().get("v2.06")["context"] is None
