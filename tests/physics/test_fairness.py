"""Fairness metrics by group with hand calculations, calibration by group, the
Chouldechova impossibility, and the sample size / time to detect a disparity."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import fairness as Fa
from mlsyslabs.physics.operations import group_rates, synthetic_population

# Group a: 4 positives (scores .9 .8 .6 .3), 4 negatives (.7 .4 .2 .1)
# Group b: 2 positives (.95 .5), 6 negatives (.85 .45 .35 .3 .2 .1)
SCORES = [0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1, 0.95, 0.5, 0.85, 0.45, 0.35, 0.3, 0.2, 0.1]
LABELS = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
GROUPS = ["a"] * 8 + ["b"] * 8


def test_confusion_by_hand():
    c = Fa.group_confusion(scores=SCORES, labels=LABELS, groups=GROUPS, threshold=0.5)
    a, b = c["a"], c["b"]
    assert (a.tp, a.fn, a.fp, a.tn) == (3, 1, 1, 3)
    assert (b.tp, b.fn, b.fp, b.tn) == (2, 0, 1, 5)
    assert a.selection_rate == 4 / 8 and b.selection_rate == 3 / 8
    assert a.tpr == 3 / 4 and b.tpr == 1.0 and a.fpr == 1 / 4 and b.fpr == 1 / 6
    assert a.ppv == 3 / 4 and b.ppv == 2 / 3 and a.base_rate == 0.5 and b.base_rate == 0.25
    # agrees with the single-group helper in operations.py
    g = group_rates(SCORES[:8], LABELS[:8], 0.5)
    assert (g.tpr, g.fpr, g.ppv) == (a.tpr, a.fpr, a.ppv)


def test_gaps_by_hand():
    kw = dict(scores=SCORES, labels=LABELS, groups=GROUPS, threshold=0.5)
    assert Fa.demographic_parity_difference(**kw) == pytest.approx(0.5 - 0.375)
    assert Fa.equal_opportunity_difference(**kw) == pytest.approx(0.25)
    assert Fa.equalized_odds_difference(**kw) == pytest.approx(max(0.25, 0.25 - 1 / 6))
    assert Fa.predictive_parity_difference(**kw) == pytest.approx(0.75 - 2 / 3)
    # per-group thresholds move one group only
    per = Fa.group_confusion(scores=SCORES, labels=LABELS, groups=GROUPS, threshold={"a": 0.25, "b": 0.5})
    assert per["a"].tpr == 1.0 and per["b"].tpr == 1.0
    assert Fa.equal_opportunity_difference(scores=SCORES, labels=LABELS, groups=GROUPS,
                                           threshold={"a": 0.25, "b": 0.5}) == 0


def test_undefined_rates_are_none_not_zero():
    c = Fa.group_confusion(scores=[0.9, 0.2, 0.1], labels=[1, 0, 0], groups=["x", "y", "y"], threshold=0.5)
    assert c["y"].tpr is None and c["y"].ppv is None and c["x"].fpr is None
    assert Fa.equal_opportunity_difference(scores=[0.9, 0.2, 0.1], labels=[1, 0, 0], groups=["x", "y", "y"]) is None


def test_calibration_by_group_by_hand():
    cal = Fa.calibration_by_group(scores=[0.1, 0.1, 0.9, 0.9, 0.1, 0.9], labels=[0, 0, 1, 0, 1, 1],
                                  groups=["a", "a", "a", "a", "b", "b"], bins=2)
    a = cal["a"]
    assert a.n == 4 and len(a.bins) == 2
    assert a.ece == pytest.approx(0.5 * abs(0.1 - 0) + 0.5 * abs(0.9 - 0.5))
    assert cal["b"].ece == pytest.approx(0.5 * 0.9 + 0.5 * 0.1)
    assert Fa.calibration_by_group(scores=[1.0, 0.0], labels=[1, 0], groups=[1, 1], bins=4)[1].ece == 0


def test_chouldechova_identity_and_impossibility():
    # FPR = p/(1-p) (1-PPV)/PPV (1-FNR)
    assert Fa.chouldechova_fpr(prevalence=0.5, ppv=0.8, fnr=0.2) == pytest.approx(1 * 0.25 * 0.8)
    imp = Fa.impossibility(prevalences={"a": 0.3, "b": 0.5}, ppv=0.7, fnr=0.2)
    assert not imp.all_three_possible and imp.fpr_gap > 0
    assert imp.fpr["b"] == pytest.approx(1.0 * 0.3 / 0.7 * 0.8)
    assert Fa.impossibility(prevalences={"a": 0.4, "b": 0.4}, ppv=0.7, fnr=0.2).all_three_possible


def test_identity_holds_on_a_synthetic_population():
    s, y = synthetic_population(20000, base_rate=0.3, seed=3)
    c = Fa.group_confusion(scores=s, labels=y, groups=[0] * len(s), threshold=0.5)[0]
    assert c.fpr == pytest.approx(Fa.chouldechova_fpr(prevalence=c.base_rate, ppv=c.ppv, fnr=c.fnr), rel=1e-9)


def test_one_threshold_cannot_equalise_both_error_rates_with_unequal_base_rates():
    sa, ya = synthetic_population(4000, base_rate=0.2, seed=1)
    sb, yb = synthetic_population(4000, base_rate=0.5, seed=2)
    c = Fa.group_confusion(scores=sa + sb, labels=ya + yb, groups=["a"] * 4000 + ["b"] * 4000, threshold=0.5)
    # same score model: error rates roughly agree, so precision must differ (Chouldechova)
    assert abs(c["a"].ppv - c["b"].ppv) > 0.15


def test_sample_size_by_hand_and_detection_time():
    # Fleiss eq. with r = 1, p1 = 0.6, p2 = 0.4, alpha 0.05, power 0.8: ~ 97 per group
    n = Fa.two_proportion_sample_size(p_reference=0.4, p_group=0.6)
    za, zb = 1.959963984540054, 0.8416212335729143
    exact = (za * math.sqrt(0.5 * 0.5 * 2) + zb * math.sqrt(0.24 + 0.24)) ** 2 / 0.04
    assert n == math.ceil(exact) == 97
    assert Fa.two_proportion_sample_size(p_reference=0.4, p_group=0.6, ratio=10) < n
    t = Fa.disparity_detection_time(p_reference=0.8, p_group=0.7, group_events_per_day=20, eligible_share=0.25,
                                    audited_share=0.5, label_delay_days=7, window_days=30)
    assert t.events_needed == pytest.approx(t.cases_needed / 0.125)
    assert t.days == pytest.approx(7 + t.events_needed / 20)
    assert t.detectable_in_window == (t.days <= 30)
    smaller = Fa.disparity_detection_time(p_reference=0.8, p_group=0.6, group_events_per_day=20)
    larger = Fa.disparity_detection_time(p_reference=0.8, p_group=0.75, group_events_per_day=20)
    assert smaller.days < larger.days


@pytest.mark.parametrize("call,arg", [
    (lambda: Fa.group_confusion(scores=[0.1], labels=[1, 0], groups=["a"]), "scores"),
    (lambda: Fa.group_confusion(scores=[0.1], labels=[2], groups=["a"]), "labels"),
    (lambda: Fa.group_confusion(scores=[float("nan")], labels=[1], groups=["a"]), "scores"),
    (lambda: Fa.group_confusion(scores=[0.1], labels=[1], groups=[None]), "groups"),
    (lambda: Fa.group_confusion(scores=[0.1, 0.2], labels=[1, 0], groups=["a", "b"], threshold={"a": 0.5}),
     "threshold"),
    (lambda: Fa.demographic_parity_difference(scores=[0.1], labels=[1], groups=["a"]), "two groups"),
    (lambda: Fa.calibration_by_group(scores=[1.5], labels=[1], groups=["a"]), "scores"),
    (lambda: Fa.chouldechova_fpr(prevalence=1.0, ppv=0.5, fnr=0.1), "prevalence"),
    (lambda: Fa.impossibility(prevalences={"a": 0.3}, ppv=0.5, fnr=0.1), "prevalences"),
    (lambda: Fa.two_proportion_sample_size(p_reference=0.5, p_group=0.5), "p_group"),
    (lambda: Fa.two_proportion_sample_size(p_reference=0.5, p_group=0.4, power=1.0), "power"),
    (lambda: Fa.disparity_detection_time(p_reference=0.5, p_group=0.4, group_events_per_day=0), "group_events"),
])
def test_invalid_input_names_the_argument(call, arg):
    with pytest.raises(PhysicsError) as exc:
        call()
    assert arg in str(exc.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans(), st.sampled_from("abc")), min_size=2, max_size=60),
       st.floats(0, 1))
def test_metrics_are_in_unit_interval_or_undefined(rows, t):
    s, y, g = zip(*rows)
    if len(set(g)) < 2:
        return
    for fn in (Fa.demographic_parity_difference, Fa.equal_opportunity_difference, Fa.equalized_odds_difference,
               Fa.predictive_parity_difference):
        v = fn(scores=list(s), labels=list(y), groups=list(g), threshold=t)
        assert v is None or 0 <= v <= 1
    for c in Fa.calibration_by_group(scores=list(s), labels=list(y), groups=list(g)).values():
        assert 0 <= c.ece <= 1


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 0.99), st.floats(0.01, 1), st.floats(0, 1))
def test_forced_fpr_is_non_negative(p, ppv, fnr):
    assert Fa.chouldechova_fpr(prevalence=p, ppv=ppv, fnr=fnr) >= 0


def test_calibrated_population_is_calibrated_and_shares_the_roc_curve():
    # the score is the Bayes posterior: within each group, mean score ~ positive rate and the ECE is small
    s1, y1 = Fa.calibrated_population(6000, base_rate=0.3, seed=1)
    s2, y2 = Fa.calibrated_population(6000, base_rate=0.1, seed=2)
    cal = Fa.calibration_by_group(scores=s1 + s2, labels=y1 + y2, groups=["a"] * 6000 + ["b"] * 6000)
    for k in cal:
        assert cal[k].ece < 0.03 and abs(cal[k].mean_score - cal[k].positive_rate) < 0.02
    # logit(posterior) = logit(p) + d logit(raw score) for synthetic_population's squashed evidence
    from mlsyslabs.physics import synthetic_population
    raw, _ = synthetic_population(10, base_rate=0.3, separation=1.5, seed=1)
    s, _ = Fa.calibrated_population(10, base_rate=0.3, separation=1.5, seed=1)
    for r, v in zip(raw, s):
        assert math.log(v / (1 - v)) == pytest.approx(math.log(0.3 / 0.7) + 1.5 * math.log(r / (1 - r)))
    # one shared threshold: the higher-base-rate group gets the higher FPR and the lower FNR
    g = Fa.group_confusion(scores=s1 + s2, labels=y1 + y2, groups=["a"] * 6000 + ["b"] * 6000, threshold=0.4)
    assert g["a"].fpr > g["b"].fpr + 0.05 and g["a"].fnr < g["b"].fnr - 0.05
    with pytest.raises(PhysicsError):
        Fa.calibrated_population(10, base_rate=1.0)
