"""v1.07: computed answers against hand calculations from registry constants; the
latency SLO triggers at its threshold and not below; instruments at defaults agree
with each reveal; invariant tags."""
import math

import pytest

from mlsyslabs import physics as P
from mlsyslabs.labs.catalog import get_lab
from mlsyslabs.physics import frameworks as F
from mlsyslabs.physics.efficiency import profile

from .harness import Committed, load_app, load_module, run_lab

PATH = get_lab("v1.07").path
LAB = load_module(PATH)
WRONG = {"partA_prediction": "chip", "partB_prediction": "2", "partC_prediction": "lt10", "partD_prediction": "secs"}


def committed_run(**controls):
    _, base = run_lab(PATH)
    defs = {k: Committed(v, like=base[k]) for k, v in WRONG.items()}
    from .harness import lab_controls

    defs.update({k: Committed(e.value) for k, e in lab_controls(base).items()})
    defs.update({k: Committed(v) for k, v in controls.items()})
    return load_app(PATH).run(defs=defs)[1]


def test_partA_fusion_beats_double_flops_by_hand():
    d, prof = P.get_device("h100-sxm"), profile("h100-sxm")
    n, ops, b = LAB.PART_A["elements"], LAB.PART_A["n_ops"], 2
    bw, peak = d.memory_bw * prof.memory, d.peak("bf16") * prof.compute

    def t(traffic_passes, kernels, peak_scale=1.0):
        return max(2 * n * b * traffic_passes / bw, ops * n / (peak * peak_scale)) + kernels * prof.per_kernel_s

    eager, fused, faster = t(ops, ops), t(1, 1), t(ops, ops, 2.0)
    fusion, chip, choice = LAB.part_a_answer()
    assert fusion == pytest.approx(eager / fused) and chip == pytest.approx(eager / faster)
    assert choice == "fusion" and fusion > 2.5 and chip == pytest.approx(1.0)
    # the dense peak, never the 2:4-sparse one
    assert d.sparse_peak_flops["bf16"] == pytest.approx(2 * d.peak_flops["bf16"], rel=1e-3)
    assert F.elementwise_chain(elements=n, n_ops=ops, device=d.id).compute_time_s == pytest.approx(
        ops * n / peak)


def test_partA_grading_can_be_wrong_and_covers_every_pair():
    assert {LAB.part_a_choice(3, 2), LAB.part_a_choice(3, 1), LAB.part_a_choice(1, 2), LAB.part_a_choice(1, 1)} == \
        set(LAB.PART_A_OPTIONS.values())
    # a compute-bound chain (huge FLOPs per element) would make the faster chip win
    e = F.elementwise_chain(elements=1e8, n_ops=3, device="h100-sxm", flops_per_element=5000)
    assert e.bound == "compute"


def test_partB_intensities_by_hand():
    m = P.get_workload("llama3-8b")
    t, b = LAB.PART_B["tokens"], 2
    ffn = (2 * t * m.ffn * m.hidden) / (b * (t * m.hidden + m.hidden * m.ffn + t * m.ffn))
    scores = m.heads * t * t
    qk = (2 * scores * m.hd) / (b * (t * m.heads * m.hd + t * m.kv_heads * m.hd + scores))
    ops = {o.name: o.intensity for o in LAB.layer_ops("llama3-8b", t, "bf16")}
    assert ops["FFN up-projection GEMM"] == pytest.approx(ffn)
    assert ops["attention scores (Q K^T)"] == pytest.approx(qk)
    assert ops["attention softmax"] == pytest.approx(5 / 4)
    ridge = 989.4e12 / 3.35e12
    assert LAB.spec_ridge("h100-sxm", "bf16") == pytest.approx(P.get_device("h100-sxm").peak("bf16") / 3.35e12)
    assert LAB.part_b_answer() == sum(v >= ridge for v in ops.values()) == 1
    assert set(LAB.part_b_options().values()) == {"0", "1", "2", "3", "4"}
    # one token (decode-like): every operator falls below the ridge
    assert LAB.compute_bound_count("llama3-8b", "h100-sxm", "bf16", 1) == 0


def test_partC_dispatch_share_by_hand():
    m, prof = P.get_workload("mobilenetv2"), profile("jetson-orin-nx-16gb")
    busy = P.estimate(m, "jetson-orin-nx-16gb", phase="inference", batch=1, precision="fp16",
                      overhead_s=0.0).step_time_s
    dispatch = prof.per_call_s + 3 * m.layers * prof.per_kernel_s
    assert LAB.part_c_answer() == pytest.approx(dispatch / (busy + dispatch))
    assert LAB.part_c_answer() > 0.65
    graph = LAB.part_c_runs("mobilenetv2", "jetson-orin-nx-16gb", "fp16", 1)["compiled-graph"]
    assert graph.dispatch_s == pytest.approx(prof.per_call_s + m.layers * prof.per_kernel_graph_s)


def test_partD_break_even_by_hand():
    runs = LAB.part_c_runs("mobilenetv2", "jetson-orin-nx-16gb", "fp16", 1)
    n = F.COMPILE_SECONDS / (runs["eager"].time_s - runs["compiled-graph"].time_s)
    be = LAB.part_d_answer()
    assert be["runs"] == pytest.approx(n) and be["seconds"] == pytest.approx(n / 30)
    assert 300 < be["seconds"] < 7200  # minutes of video, not milliseconds
    assert LAB.break_even(F.COMPILE_SECONDS, 3, "compiled-graph")["runs"] == pytest.approx(4 * n)
    assert F.compile_break_even(compile_s=10, eager_run_s=1, compiled_run_s=2) == math.inf


def test_slo_triggers_at_its_threshold_and_not_below():
    lat = {b: LAB.part_c_runs("mobilenetv2", "jetson-orin-nx-16gb", "fp16", b)["compiled"].time_s
           for b in range(1, 33)}
    first = min(b for b, t in lat.items() if t > LAB.PART_C_SLO_S)
    # the scenario (eager) breaks it; a limit the learner has not unlocked is not recorded
    _, fresh = run_lab(PATH)
    assert fresh["partC_broken"] and fresh["lab_record"]["constraints"] == []
    assert not committed_run(partC_mode="compiled", partC_batch=first - 1)["partC_broken"]
    defs = committed_run(partC_mode="compiled", partC_batch=first)
    assert defs["partC_broken"]
    assert defs["lab_record"]["constraints"] == ["SLO: mobilenetv2 compiled on jetson-orin-nx-16gb"]
    assert LAB.slo_broken(LAB.PART_C_SLO_S * 1.001) and not LAB.slo_broken(LAB.PART_C_SLO_S)


def test_instruments_open_on_the_scenario_and_agree_with_the_reveals():
    _, defs = run_lab(PATH, WRONG)
    assert defs["partA_fusion"] == pytest.approx(LAB.speedups(
        defs["partA_device"].value, "bf16", defs["partA_elements"].value, defs["partA_ops"].value,
        defs["partA_scale"].value)[0])
    assert defs["partB_result"].correct_choice == str(LAB.compute_bound_count(
        defs["partB_model"].value, defs["partB_device"].value, defs["partB_precision"].value,
        defs["partB_tokens"].value))
    assert defs["partC_runs"][defs["partC_mode"].value].dispatch_share == pytest.approx(defs["partC_share"])
    assert defs["partD_now"]["seconds"] == pytest.approx(defs["partD_be"]["seconds"])
    assert [defs[f"part{x}_result"].correct for x in "ABCD"] == [False] * 4


def test_correct_answers_grade_correct_and_tags_name_the_invariant():
    right = {"partA_prediction": "fusion", "partB_prediction": "1", "partC_prediction": "gt65",
             "partD_prediction": "hours"}
    _, defs = run_lab(PATH, right)
    results = [defs[f"part{x}_result"] for x in "ABCD"]
    assert all(r.correct for r in results)
    assert [r.invariant for r in results] == ["Roofline", "Roofline", "Iron Law", "Iron Law"]
    assert {r.invariant for r in results} <= set(get_lab("v1.07").invariants)


def test_engine_input_checks():
    with pytest.raises(P.PhysicsError):
        F.elementwise_chain(elements=-1, n_ops=3, device="h100-sxm")
    with pytest.raises(P.PhysicsError):
        F.framework_inference("llama3-8b", "h100-sxm", mode="eager")
    with pytest.raises(P.PhysicsError):
        F.framework_inference("mobilenetv2", "h100-sxm", mode="jit")
    with pytest.raises(P.PhysicsError):
        F.compile_break_even(compile_s=float("nan"), eager_run_s=1, compiled_run_s=0.5)
    assert F.total_time(runs=10, run_s=0.1, compile_s=5, recompiles=1) == pytest.approx(11.0)
