"""Fairness metrics by group on scored decisions (score >= threshold flags positive),
the Chouldechova (2017) impossibility as a function, calibration by group, and how
many labelled cases (and how long) monitoring needs to detect a disparity.

Gaps follow the definitions fairlearn uses (max minus min across groups): demographic
parity on selection rates, equal opportunity on true-positive rates, equalized odds on
the larger of the TPR and FPR gaps (Hardt, Price & Srebro 2016), predictive parity on
precision. A rate whose denominator is empty in some group is undefined: the metric is
then None, never a silent zero. `operations.group_rates` (one group) is unchanged."""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from ._argcheck import fraction, integer, nonneg, positive, real
from .errors import PhysicsError


@dataclass(frozen=True)
class GroupConfusion:
    tp: int
    fp: int
    fn: int
    tn: int
    n: int
    base_rate: float
    selection_rate: float
    tpr: float | None        # None when the group has no positives
    fpr: float | None        # None when the group has no negatives
    fnr: float | None
    ppv: float | None        # None when nothing is flagged
    threshold: float


def _div(a, b):
    return a / b if b else None


def _inputs(scores, labels, groups):
    for name, seq in (("scores", scores), ("labels", labels), ("groups", groups)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise PhysicsError(f"{name} must be a list, got {seq!r}")
    if not len(scores) or len(scores) != len(labels) or len(scores) != len(groups):
        raise PhysicsError("scores, labels and groups must be non-empty lists of equal length")
    s = [real("scores (each)", v) for v in scores]
    for y in labels:
        if y not in (0, 1):
            raise PhysicsError(f"labels must be 0/1 or True/False, got {y!r}")
    for g in groups:
        if not isinstance(g, (str, int)) or isinstance(g, bool):
            raise PhysicsError(f"groups must hold group names (str or int), got {g!r}")
    return s, [int(y) for y in labels], list(groups)


def group_confusion(*, scores, labels, groups, threshold=0.5) -> dict:
    """Per-group confusion matrix and rates. `threshold` is one number or a dict
    {group: threshold} (per-group thresholds, the lever v1.15's sliders move)."""
    s, y, g = _inputs(scores, labels, groups)
    names = sorted(set(g), key=str)
    if isinstance(threshold, dict):
        missing = [k for k in names if k not in threshold]
        if missing:
            raise PhysicsError(f"threshold must give a value for every group; missing {missing}")
        th = {k: real(f"threshold[{k!r}]", threshold[k]) for k in names}
    else:
        t = real("threshold", threshold)
        th = {k: t for k in names}
    out = {}
    for k in names:
        tp = fp = fn = tn = 0
        for si, yi, gi in zip(s, y, g):
            if gi != k:
                continue
            flag = si >= th[k]
            if yi:
                tp += flag
                fn += not flag
            else:
                fp += flag
                tn += not flag
        n = tp + fp + fn + tn
        out[k] = GroupConfusion(tp, fp, fn, tn, n, (tp + fn) / n, (tp + fp) / n, _div(tp, tp + fn),
                                _div(fp, fp + tn), _div(fn, tp + fn), _div(tp, tp + fp), th[k])
    return out


def _gap(conf: dict, attr: str):
    vals = [getattr(c, attr) for c in conf.values()]
    if len(vals) < 2:
        raise PhysicsError("fairness gaps need at least two groups")
    if any(v is None for v in vals):
        return None
    return max(vals) - min(vals)


def demographic_parity_difference(*, scores, labels, groups, threshold=0.5) -> float:
    """max - min selection rate P(flag | group) across groups."""
    return _gap(group_confusion(scores=scores, labels=labels, groups=groups, threshold=threshold), "selection_rate")


def equal_opportunity_difference(*, scores, labels, groups, threshold=0.5):
    """max - min true-positive rate across groups (None if a group has no positives)."""
    return _gap(group_confusion(scores=scores, labels=labels, groups=groups, threshold=threshold), "tpr")


def equalized_odds_difference(*, scores, labels, groups, threshold=0.5):
    """max(TPR gap, FPR gap) across groups (Hardt et al. 2016; None if either is undefined)."""
    conf = group_confusion(scores=scores, labels=labels, groups=groups, threshold=threshold)
    a, b = _gap(conf, "tpr"), _gap(conf, "fpr")
    return None if a is None or b is None else max(a, b)


def predictive_parity_difference(*, scores, labels, groups, threshold=0.5):
    """max - min precision (PPV) across groups (None if a group flags nobody)."""
    return _gap(group_confusion(scores=scores, labels=labels, groups=groups, threshold=threshold), "ppv")


@dataclass(frozen=True)
class GroupCalibration:
    n: int
    ece: float                 # expected calibration error: sum_b (n_b/n) |mean score_b - positive rate_b|
    mean_score: float
    positive_rate: float
    bins: tuple                # (lower, upper, count, mean score, positive rate) for non-empty bins


def calibration_by_group(*, scores, labels, groups, bins: int = 10) -> dict:
    """Reliability table and expected calibration error per group, scores in [0, 1]
    binned into `bins` equal-width bins (Naeini et al. 2015; Guo et al. 2017).
    Calibration within groups is one of Chouldechova's three criteria."""
    s, y, g = _inputs(scores, labels, groups)
    nb = integer("bins", bins, lo=1, hi=1000)
    for v in s:
        if not 0.0 <= v <= 1.0:
            raise PhysicsError(f"scores (each) must lie in [0, 1] for calibration, got {v!r}")
    out = {}
    for k in sorted(set(g), key=str):
        rows = [(si, yi) for si, yi, gi in zip(s, y, g) if gi == k]
        table, ece = [], 0.0
        for b in range(nb):
            lo, hi = b / nb, (b + 1) / nb
            inb = [(si, yi) for si, yi in rows if (lo <= si < hi) or (b == nb - 1 and si == 1.0)]
            if not inb:
                continue
            ms = math.fsum(si for si, _ in inb) / len(inb)
            pr = sum(yi for _, yi in inb) / len(inb)
            table.append((lo, hi, len(inb), ms, pr))
            ece += len(inb) / len(rows) * abs(ms - pr)
        out[k] = GroupCalibration(len(rows), ece, math.fsum(si for si, _ in rows) / len(rows),
                                  sum(yi for _, yi in rows) / len(rows), tuple(table))
    return out


# ------------------------------------------------------------------ impossibility
def chouldechova_fpr(*, prevalence: float, ppv: float, fnr: float) -> float:
    """The false-positive rate forced by prevalence p, precision PPV and miss rate FNR:
    FPR = p/(1 - p) x (1 - PPV)/PPV x (1 - FNR) (Chouldechova 2017, 'Fair prediction with
    disparate impact', eq. 2.6)."""
    p = fraction("prevalence", prevalence, allow_one=False)
    v = fraction("ppv", ppv)
    f = fraction("fnr", fnr, allow_zero=True)
    return p / (1 - p) * (1 - v) / v * (1 - f)


@dataclass(frozen=True)
class Impossibility:
    fpr: dict                  # group -> FPR forced by equal PPV and FNR
    fpr_gap: float
    all_three_possible: bool   # only when prevalences are equal (or a perfect/degenerate classifier)
    explanation: str


def impossibility(*, prevalences: dict, ppv: float, fnr: float) -> Impossibility:
    """Hold predictive parity (equal PPV) and equal FNR across groups: the identity of
    `chouldechova_fpr` then fixes each group's FPR, and unequal prevalences make the
    FPRs unequal, so calibration/predictive parity and equal error rates cannot all
    hold (Chouldechova 2017; Kleinberg, Mullainathan & Raghavan 2017)."""
    if not isinstance(prevalences, dict) or len(prevalences) < 2:
        raise PhysicsError("prevalences must be a dict of at least two groups -> base rate in (0, 1)")
    fprs = {k: chouldechova_fpr(prevalence=v, ppv=ppv, fnr=fnr) for k, v in prevalences.items()}
    gap = max(fprs.values()) - min(fprs.values())
    ok = gap <= 1e-12
    lo, hi = min(fprs, key=fprs.get), max(fprs, key=fprs.get)
    why = ("equal prevalences: equal PPV, FNR and FPR can coexist" if ok else
           f"with equal PPV {ppv:g} and FNR {fnr:g}, group {hi!s} (prevalence {prevalences[hi]:g}) must have "
           f"FPR {fprs[hi]:.3f} and group {lo!s} (prevalence {prevalences[lo]:g}) {fprs[lo]:.3f}")
    return Impossibility(fprs, gap, ok, why)


# ------------------------------------------------------------------ detecting a disparity
def two_proportion_sample_size(*, p_reference: float, p_group: float, alpha: float = 0.05, power: float = 0.8,
                               ratio: float = 1.0) -> int:
    """Cases needed in the (small) group to detect rate p_group vs p_reference with a
    two-sided two-proportion z-test at level alpha and the given power, with `ratio`
    reference cases per group case (Fleiss, Levin & Paik 2003, eq. 4.14 without the
    continuity correction): n = (z_{1-a/2} sqrt(pbar qbar (1 + 1/r)) + z_{1-b}
    sqrt(p1 q1 + p2 q2 / r))^2 / (p1 - p2)^2."""
    p2 = fraction("p_reference", p_reference, allow_zero=True)
    p1 = fraction("p_group", p_group, allow_zero=True)
    a = fraction("alpha", alpha, allow_one=False)
    pw = real("power", power, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    r = positive("ratio", ratio)
    if p1 == p2:
        raise PhysicsError("p_group must differ from p_reference (a zero disparity is never detected)")
    pbar = (p1 + r * p2) / (1 + r)
    za, zb = NormalDist().inv_cdf(1 - a / 2), NormalDist().inv_cdf(pw)
    num = za * math.sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / r)
    return max(1, math.ceil((num / (p1 - p2)) ** 2))


@dataclass(frozen=True)
class DetectionTime:
    cases_needed: int            # labelled, eligible cases of the small group
    events_needed: float         # group events to observe (cases / eligible share / audit share)
    days: float                  # label delay + events / daily group events
    detectable_in_window: bool
    window_days: float | None


def disparity_detection_time(*, p_reference: float, p_group: float, group_events_per_day: float,
                             eligible_share: float = 1.0, audited_share: float = 1.0, label_delay_days: float = 0.0,
                             alpha: float = 0.05, power: float = 0.8, ratio: float = 10.0,
                             window_days: float | None = None) -> DetectionTime:
    """How long monitoring takes to detect a disparity in a small group: the group cases
    `two_proportion_sample_size` needs, divided by the rate they arrive labelled
    (group events/day x eligible share, e.g. the prevalence for a TPR gap x audited share),
    plus the label delay. Reference cases are assumed `ratio` times as many (a larger group)."""
    n = two_proportion_sample_size(p_reference=p_reference, p_group=p_group, alpha=alpha, power=power, ratio=ratio)
    rate = positive("group_events_per_day", group_events_per_day)
    el = fraction("eligible_share", eligible_share)
    au = fraction("audited_share", audited_share)
    delay = nonneg("label_delay_days", label_delay_days)
    events = n / (el * au)
    days = delay + events / rate
    w = None if window_days is None else positive("window_days", window_days)
    return DetectionTime(n, events, days, True if w is None else days <= w, w)


# ------------------------------------------------------------------ a calibrated score
def calibrated_population(n: int, *, base_rate: float, separation: float = 1.5, seed: int = 0):
    """Seeded (scores, labels) whose score is calibrated within the group: the Bayes
    posterior P(y = 1 | x) for the latent evidence x of `operations.synthetic_population`
    (x ~ N(0, 1) for negatives, N(separation, 1) for positives). For equal-variance
    Gaussian classes the posterior log-odds are logit(p) + d x - d^2 / 2 (linear
    discriminant, e.g. Hastie, Tibshirani & Friedman, ESL 4.3). Every group shares the
    ROC curve; only the base rate p shifts the score, the setting of Chouldechova 2017."""
    from .operations import synthetic_population

    p = fraction("base_rate", base_rate, allow_one=False)
    d = real("separation", separation, lo=0.0, hi=50.0, lo_open=True)
    raw, labels = synthetic_population(n, base_rate=p, separation=d, seed=seed)
    prior = math.log(p / (1 - p))
    # synthetic_population's score is logistic(x - d/2), so logit(raw) = x - d/2 and
    # logit(posterior) = logit(p) + d x - d^2/2 = logit(p) + d logit(raw)
    scores = []
    for r in raw:
        z = prior + d * math.log(r / (1 - r))
        scores.append(1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0)
    return scores, [int(y) for y in labels]
