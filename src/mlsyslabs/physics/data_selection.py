"""Data selection: what deduplication, quality filtering, evaluation leakage and
active learning are worth, in the scaling-law view, from cited published results.

- Repeated tokens are worth less than fresh ones: the data-constrained scaling law of
  Muennighoff et al. 2023 replaces D in the Chinchilla loss by an effective data
  D' = U + U R* (1 - exp(-R / R*)), R = repetitions beyond the first pass.
- A near-duplicate cluster of k copies is U_c tokens repeated k - 1 times: the same law
  says what its copies were worth, and so what deduplication gives up and saves.
- Leakage: eval examples that also sit in the training set score as if memorised.
- Active learning and self-supervised pruning: labels needed at equal error, from the
  published label counts and pruning fractions below (a measured result on one task
  each, not a law; the benchmarks that find no gain are registered beside them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import PhysicsError, check_fraction, check_number, check_positive
from .scaling import CHINCHILLA, ScalingLaw, training_flops

# Muennighoff et al. 2023, fitted decay constant of repeated data (R_D*).
REPEAT_HALF_LIFE = 15.4
# Lee et al. 2022: near-duplicate train-test overlap affects over 4% of standard validation sets.
LEE_EVAL_OVERLAP = 0.04
# Sorscher et al. 2022: the self-supervised prototype metric discards 20% of ImageNet without accuracy loss.
SORSCHER_PRUNE_NO_LOSS = 0.20
# Gal, Islam and Ghahramani 2017, Table 1: MNIST labels acquired to reach 5% test error.
GAL_LABELS_TO_5PCT = {"random": 835, "bald": 335, "max_entropy": 355, "var_ratios": 295}

SOURCES = {
    "REPEAT_HALF_LIFE": "Muennighoff et al. 2023, 'Scaling Data-Constrained Language Models' (arXiv:2305.16264), "
                        "eq. 5 fit R_D* = 15.4; up to 4 epochs of repetition changes the loss negligibly",
    "LEE_EVAL_OVERLAP": "Lee et al. 2022, 'Deduplicating Training Data Makes Language Models Better' (ACL 2022, "
                        "arXiv:2107.06499), abstract: train-test overlap affects over 4% of standard validation sets; "
                        "deduplicated models emit memorised text 10x less often and need fewer steps for the same "
                        "or better accuracy",
    "SORSCHER_PRUNE_NO_LOSS": "Sorscher et al. 2022, 'Beyond neural scaling laws: beating power law scaling via "
                              "data pruning' (NeurIPS 2022, arXiv:2206.14486): self-supervised prototype metric, "
                              "20% of ImageNet pruned without accuracy loss (ResNet-50)",
    "GAL_LABELS_TO_5PCT": "Gal, Islam and Ghahramani 2017, 'Deep Bayesian Active Learning with Image Data' "
                          "(ICML 2017, arXiv:1703.02910), Table 1: labels to 5% MNIST test error",
    "AL_NO_GAIN": "Zhan et al. 2022, 'A Comparative Survey of Deep Active Learning' / 'An Empirical Study on the "
                  "Efficacy of Deep Active Learning' (arXiv:2212.03088): in a uniform setting most supervised "
                  "active-learning methods do not beat random selection",
}


def effective_tokens(unique_tokens, epochs):
    """D' = U + U R* (1 - exp(-R / R*)) with R = epochs - 1 (Muennighoff et al. 2023):
    a few passes are worth almost as much as fresh data; beyond ~R* passes, almost nothing."""
    check_positive("unique_tokens", unique_tokens)
    check_number("epochs", epochs, lo=1)
    r = epochs - 1.0
    return unique_tokens * (1.0 + REPEAT_HALF_LIFE * (1.0 - math.exp(-r / REPEAT_HALF_LIFE)))


def epochs_for_effective(unique_tokens, target_effective):
    """Passes over `unique_tokens` whose effective data reaches `target_effective`
    (inf when even endless repetition cannot: D' saturates at U (1 + R*))."""
    check_positive("unique_tokens", unique_tokens)
    check_positive("target_effective", target_effective)
    gain = target_effective / unique_tokens - 1.0
    if gain <= 0:
        return target_effective / unique_tokens  # less than one pass of fresh tokens
    if gain >= REPEAT_HALF_LIFE:
        return math.inf
    return 1.0 + -REPEAT_HALF_LIFE * math.log(1.0 - gain / REPEAT_HALF_LIFE)


@dataclass(frozen=True)
class DedupOutcome:
    raw_tokens: float
    unique_tokens: float  # after near-duplicate removal
    effective_raw: float  # D' of one pass over the raw corpus (clusters repeated)
    tokens_equal_loss: float  # deduplicated tokens that reach the raw corpus's loss
    compute_saved: float  # 1 - tokens_equal_loss / raw_tokens (training FLOPs are 6 N D)
    loss_raw: float
    loss_dedup_one_pass: float  # one pass over the deduplicated set: less compute, a little more loss


def dedup_outcome(params, raw_tokens, duplicate_share, copies, *, law: ScalingLaw = CHINCHILLA) -> DedupOutcome:
    """A corpus whose `duplicate_share` of tokens are surplus copies of documents that
    appear `copies` times each. Training on it repeats those documents copies - 1 times;
    deduplication keeps one copy. Returns the raw corpus's effective data and loss and
    the deduplicated tokens (and so compute) that reach the same loss."""
    check_positive("params", params)
    check_positive("raw_tokens", raw_tokens)
    check_fraction("duplicate_share", duplicate_share, allow_zero=True, allow_one=False)
    check_number("copies", copies, lo=2)
    unique = raw_tokens * (1.0 - duplicate_share)
    clusters = raw_tokens * duplicate_share / (copies - 1.0)  # one copy of each duplicated document
    if clusters > unique * (1 + 1e-12):
        raise PhysicsError(f"copies={copies:g}: a {duplicate_share:.0%} duplicate share needs clusters of at least "
                           f"{1 + duplicate_share / (1 - duplicate_share):.3g} copies (more duplicated documents "
                           "than the corpus holds)")
    eff = unique - clusters + (effective_tokens(clusters, copies) if clusters > 0 else 0.0)
    equal = unique * epochs_for_effective(unique, eff)
    return DedupOutcome(raw_tokens, unique, eff, equal, 1.0 - equal / raw_tokens, law.loss(params, eff),
                        law.loss(params, unique))


@dataclass(frozen=True)
class FilterOutcome:
    unique_tokens: float  # kept by the filter
    epochs: float  # passes over them to spend the token budget
    effective_tokens: float  # D', times the assumed per-token value of a kept token
    loss: float
    loss_fresh: float  # the same budget of fresh, unfiltered tokens
    loss_increase: float  # loss / loss_fresh - 1


def filter_outcome(params, pool_tokens, keep_fraction, budget_tokens, *, token_value=1.0,
                   law: ScalingLaw = CHINCHILLA) -> FilterOutcome:
    """Keep `keep_fraction` of a pool, then spend a fixed token budget (fixed compute,
    6 N D) by repeating the kept set. `token_value` scales what a kept token is worth
    against a raw one: 1 credits the filter nothing (an assumption the learner varies;
    published per-token gains depend on the filter and the task)."""
    check_positive("params", params)
    check_positive("pool_tokens", pool_tokens)
    check_fraction("keep_fraction", keep_fraction)
    check_positive("budget_tokens", budget_tokens)
    check_number("token_value", token_value, lo=0, lo_open=True)
    unique = pool_tokens * keep_fraction
    epochs = max(1.0, budget_tokens / unique)
    eff = (effective_tokens(unique, epochs) if epochs > 1 else budget_tokens) * token_value
    loss, fresh = law.loss(params, eff), law.loss(params, budget_tokens)
    return FilterOutcome(unique, epochs, eff, loss, fresh, loss / fresh - 1.0)


def min_keep_fraction(params, pool_tokens, budget_tokens, max_loss_increase, *, token_value=1.0,
                      law: ScalingLaw = CHINCHILLA) -> float:
    """The strictest filter (smallest kept fraction) whose loss stays within
    `max_loss_increase` of the fresh-data loss (bisection; 1.0 when none passes)."""
    check_number("max_loss_increase", max_loss_increase, lo=0)

    def ok(k):
        return filter_outcome(params, pool_tokens, k, budget_tokens, token_value=token_value,
                              law=law).loss_increase <= max_loss_increase

    lo, hi = 1e-6, 1.0
    if ok(lo):
        return lo
    if not ok(hi):
        return 1.0
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def training_compute(params, tokens):
    """6 N D (the training FLOPs a token budget costs)."""
    return training_flops(params, tokens)


@dataclass(frozen=True)
class LeakageOutcome:
    measured: float  # accuracy on the whole eval set
    clean: float  # accuracy on the eval examples with no near-duplicate in training
    inflation: float  # measured - clean


def leakage(measured_accuracy, overlap, *, leaked_accuracy=1.0) -> LeakageOutcome:
    """Measured = (1 - o) clean + o a_leaked: the overlapping share o scores like the
    memorised training examples it duplicates (a_leaked = 1: every one recalled)."""
    check_fraction("measured_accuracy", measured_accuracy, allow_zero=True)
    check_fraction("overlap", overlap, allow_zero=True, allow_one=False)
    check_fraction("leaked_accuracy", leaked_accuracy, allow_zero=True)
    clean = (measured_accuracy - overlap * leaked_accuracy) / (1.0 - overlap)
    if clean < 0:
        raise PhysicsError(f"measured_accuracy={measured_accuracy:.3g}: below what the {overlap:.1%} leaked share "
                           f"alone scores at leaked_accuracy={leaked_accuracy:.3g}")
    return LeakageOutcome(measured_accuracy, clean, measured_accuracy - clean)


# Labels needed at equal error, relative to random selection: (best published case, uniform benchmark).
LABEL_STRATEGIES = {
    "random": dict(name="Random sampling", factor=1.0, benchmark_factor=1.0, source="baseline"),
    "prototype": dict(name="Self-supervised prototype pruning", factor=1.0 / (1.0 - SORSCHER_PRUNE_NO_LOSS),
                      benchmark_factor=1.0 / (1.0 - SORSCHER_PRUNE_NO_LOSS),
                      source=SOURCES["SORSCHER_PRUNE_NO_LOSS"]),
    "uncertainty": dict(name="Uncertainty sampling (BALD)",
                        factor=GAL_LABELS_TO_5PCT["random"] / GAL_LABELS_TO_5PCT["bald"], benchmark_factor=1.0,
                        source=SOURCES["GAL_LABELS_TO_5PCT"] + "; benchmark: " + SOURCES["AL_NO_GAIN"]),
}


def labels_needed(random_labels, strategy, *, evidence="published"):
    """Labels that reach the error random sampling reaches with `random_labels`:
    random_labels / saving, the saving from the best published case or, with
    evidence='benchmark', from the uniform benchmarks (where active learning ties random)."""
    check_positive("random_labels", random_labels)
    if strategy not in LABEL_STRATEGIES:
        raise PhysicsError(f"strategy={strategy!r}: expected one of {sorted(LABEL_STRATEGIES)}")
    if evidence not in ("published", "benchmark"):
        raise PhysicsError(f"evidence={evidence!r}: expected 'published' or 'benchmark'")
    s = LABEL_STRATEGIES[strategy]
    return random_labels / (s["factor"] if evidence == "published" else s["benchmark_factor"])
