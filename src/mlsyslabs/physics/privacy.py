"""Differential privacy for training: DP-SGD accounting with Renyi DP, the
inverse problems a privacy budget poses, classic mechanisms and composition, what
(epsilon, delta) bounds for a membership-inference attacker, and a documented
estimate of the accuracy cost.

Accounting (pure Python, no SciPy):
- Per step, DP-SGD is the Poisson-subsampled Gaussian mechanism (sampling rate q,
  noise multiplier sigma = noise std / clipping norm). Its Renyi DP of order alpha is
  log(A_alpha) / (alpha - 1), with A_alpha summed exactly for integer alpha and by
  the convergent two-sided series for fractional alpha (Mironov, Talwar & Zhang 2019,
  'Renyi Differential Privacy of the Sampled Gaussian Mechanism', arXiv:1908.10530,
  Sec. 3.2-3.3); add-or-remove-one adjacency, as TF Privacy, Opacus and Google's
  `dp-accounting` use.
- RDP composes additively over steps (Mironov 2017, Prop. 1).
- RDP -> (epsilon, delta): 'improved' (default) is Balle et al. 2020, 'Hypothesis
  testing interpretations and Renyi DP', Prop. 12 (also Asoodeh et al. 2020, eq. 20):
  epsilon = rdp + log1p(-1/alpha) - log(delta alpha) / (alpha - 1), with the KL bound
  delta <= sqrt(1 - exp(-rdp)) giving epsilon = 0; 'standard' is Mironov 2017, Prop. 3:
  epsilon = rdp + log(1/delta) / (alpha - 1). Both minimise over the orders.
`tests/physics/test_privacy.py` checks every figure against `dp-accounting` (a test
dependency only; the engine never imports it) and published figures."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._argcheck import choice, fraction, integer, nonneg, positive, real
from .errors import PhysicsError

# Orders of the RDP curve: the default set of Google's `dp-accounting` RdpAccountant
# (DEFAULT_RDP_ORDERS), dense near 1 where large-noise runs peak, sparse far out.
DEFAULT_ORDERS = tuple([1 + x / 10.0 for x in range(1, 100)] + list(range(11, 64)) + [128, 256, 512, 1024])
CONVERSIONS = ("improved", "standard")
_FRAC_MAX_TERMS = 1000


def _log_add(a: float, b: float) -> float:
    lo, hi = min(a, b), max(a, b)
    if lo == -math.inf:
        return hi
    return math.log1p(math.exp(lo - hi)) + hi


def _log_comb(n: float, k: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _log_erfc(x: float) -> float:
    """log(erfc(x)), accurate in the far tail where erfc underflows."""
    if x < 25.0:
        return math.log(math.erfc(x))
    # Asymptotic (Laurent) series of log erfc at infinity; error < 1e-12 for x >= 25.
    return (-math.log(math.pi) / 2 - math.log(x) - x * x - 0.5 * x ** -2 + 0.625 * x ** -4
            - 37.0 / 24.0 * x ** -6 + 353.0 / 64.0 * x ** -8)


def _log_a_int(q: float, sigma: float, alpha: int) -> float:
    log_a, lq, l1mq = -math.inf, math.log(q), math.log1p(-q)
    for i in range(alpha + 1):
        s = _log_comb(alpha, i) + i * lq + (alpha - i) * l1mq + (i * i - i) / (2 * sigma * sigma)
        log_a = _log_add(log_a, s)
    return log_a


def _log_a_frac(q: float, sigma: float, alpha: float) -> float:
    """Mironov et al. 2019, Sec. 3.3: A = A0 + A1, integrals split at z0."""
    log_a0 = log_a1 = -math.inf
    z0 = sigma * sigma * math.log(1 / q - 1) + 0.5
    lq, l1mq, r2s = math.log(q), math.log1p(-q), math.sqrt(2) * sigma
    last0 = last1 = -math.inf
    for i in range(_FRAC_MAX_TERMS):
        coef = _log_comb(alpha, i)
        j = alpha - i
        s0 = coef + i * lq + j * l1mq + (i * i - i) / (2 * sigma * sigma) + math.log(0.5) + _log_erfc((i - z0) / r2s)
        s1 = coef + j * lq + i * l1mq + (j * j - j) / (2 * sigma * sigma) + math.log(0.5) + _log_erfc((z0 - j) / r2s)
        log_a0, log_a1 = _log_add(log_a0, s0), _log_add(log_a1, s1)
        total = _log_add(log_a0, log_a1)
        if s0 < last0 and s1 < last1 and max(s0, s1) < total - 30:
            return total
        last0, last1 = s0, s1
    return math.inf  # no convergence: this order is left out of the minimum


def _check_orders(orders) -> tuple:
    if orders is None:
        return DEFAULT_ORDERS
    if isinstance(orders, (str, bytes)) or not hasattr(orders, "__iter__"):
        raise PhysicsError(f"orders must be a list of RDP orders > 1, got {orders!r}")
    out = tuple(real("orders (each)", a, lo=1.0, hi=1e6, lo_open=True) for a in orders)
    if not out:
        raise PhysicsError("orders must hold at least one RDP order > 1")
    return out


def _rdp(q: float, sigma: float, alpha: float) -> float:
    if q == 0:
        return 0.0
    if sigma == 0:
        return math.inf
    if q == 1.0:
        return alpha / (2 * sigma * sigma)
    log_a = _log_a_int(q, sigma, int(alpha)) if float(alpha).is_integer() else _log_a_frac(q, sigma, alpha)
    return max(log_a / (alpha - 1), 0.0)


def rdp_sampled_gaussian(*, sampling_rate: float, noise_multiplier: float, order: float) -> float:
    """Renyi DP (nats) of one step of the Poisson-subsampled Gaussian mechanism at
    `order` alpha > 1 (Mironov, Talwar & Zhang 2019). q = 1 gives the plain Gaussian
    alpha / (2 sigma^2); q = 0 gives 0; sigma = 0 gives inf (no privacy)."""
    q = fraction("sampling_rate", sampling_rate, allow_zero=True)
    sigma = nonneg("noise_multiplier", noise_multiplier)
    alpha = real("order", order, lo=1.0, hi=1e6, lo_open=True)
    return _rdp(q, sigma, alpha)


def rdp_curve(*, sampling_rate: float, noise_multiplier: float, steps: int = 1, orders=None) -> tuple:
    """Per-order RDP after `steps` compositions: steps x one step's RDP (additive)."""
    q = fraction("sampling_rate", sampling_rate, allow_zero=True)
    sigma = nonneg("noise_multiplier", noise_multiplier)
    t = integer("steps", steps, lo=0)
    orders = _check_orders(orders)
    return tuple(t * _rdp(q, sigma, a) if t else 0.0 for a in orders)


def _eps_from_rdp(orders, rdp, delta: float, conversion: str) -> tuple[float, float]:
    best, best_order = math.inf, orders[0]
    for a, r in zip(orders, rdp):
        if r == math.inf:
            eps = math.inf
        elif conversion == "standard":
            eps = r + math.log(1 / delta) / (a - 1)
        elif delta * delta + math.expm1(-r) > 0:
            eps = 0.0  # KL bound: delta <= sqrt(1 - exp(-rdp)) already holds
        elif a > 1.01:  # the improved bound is numerically unstable as alpha -> 1
            eps = r + math.log1p(-1 / a) - math.log(delta * a) / (a - 1)
        else:
            eps = math.inf
        if eps < best:
            best, best_order = eps, a
    return max(best, 0.0), best_order


def rdp_to_epsilon(*, orders, rdp, delta: float, conversion: str = "improved") -> tuple[float, float]:
    """(epsilon, optimal order) from an RDP curve at `delta` (see the module notes
    for the two conversions)."""
    orders = _check_orders(orders)
    if isinstance(rdp, (str, bytes)) or not hasattr(rdp, "__iter__"):
        raise PhysicsError(f"rdp must be a list of non-negative numbers, got {rdp!r}")
    rdp = list(rdp)
    if len(rdp) != len(orders):
        raise PhysicsError(f"rdp must have one value per order ({len(orders)}), got {len(rdp)}")
    for r in rdp:
        if not (isinstance(r, (int, float)) and not isinstance(r, bool) and r == r and r >= 0):
            raise PhysicsError(f"rdp (each) must be a number >= 0 (inf allowed), got {r!r}")
    d = fraction("delta", delta, allow_one=False)
    choice("conversion", conversion, CONVERSIONS)
    return _eps_from_rdp(orders, rdp, d, conversion)


@dataclass(frozen=True)
class DPGuarantee:
    """(epsilon, delta)-DP of a DP-SGD run."""
    epsilon: float
    delta: float
    order: float               # the RDP order that gave the tightest epsilon
    steps: int
    sampling_rate: float
    noise_multiplier: float
    assumptions: dict = field(default_factory=dict)


def _per_step(q, sigma, orders):
    return [_rdp(q, sigma, a) for a in orders]


def dp_sgd_epsilon(*, sampling_rate: float, noise_multiplier: float, steps: int, delta: float = 1e-5,
                   orders=None, conversion: str = "improved") -> DPGuarantee:
    """epsilon of `steps` DP-SGD steps with Poisson sampling rate q = batch / dataset
    and noise multiplier sigma, at `delta` (RDP accountant; module notes)."""
    q = fraction("sampling_rate", sampling_rate)
    sigma = positive("noise_multiplier", noise_multiplier)
    t = integer("steps", steps, lo=1)
    d = fraction("delta", delta, allow_one=False)
    choice("conversion", conversion, CONVERSIONS)
    orders = _check_orders(orders)
    eps, order = _eps_from_rdp(orders, [t * r for r in _per_step(q, sigma, orders)], d, conversion)
    return DPGuarantee(eps, d, order, t, q, sigma, {
        "accountant": "RDP, Poisson-subsampled Gaussian (Mironov, Talwar & Zhang 2019)",
        "conversion": {"improved": "Balle et al. 2020, Prop. 12", "standard": "Mironov 2017, Prop. 3"}[conversion],
        "adjacency": "add or remove one example", "orders": f"{len(orders)} orders, {min(orders):g}..{max(orders):g}"})


def dp_sgd_steps(*, dataset_size: int, batch_size: int, epochs: float) -> int:
    """Steps of a run: ceil(epochs x dataset / batch) (TF Privacy's compute_dp_sgd_privacy)."""
    n = integer("dataset_size", dataset_size, lo=1)
    b = integer("batch_size", batch_size, lo=1, hi=n)
    e = positive("epochs", epochs)
    return max(1, math.ceil(e * n / b - 1e-9))


def dp_sgd_privacy(*, dataset_size: int, batch_size: int, epochs: float, noise_multiplier: float,
                   delta: float = 1e-5, conversion: str = "improved") -> DPGuarantee:
    """epsilon of a DP-SGD training run given as dataset size, batch size and epochs:
    q = batch / dataset, steps = ceil(epochs x dataset / batch)."""
    steps = dp_sgd_steps(dataset_size=dataset_size, batch_size=batch_size, epochs=epochs)
    return dp_sgd_epsilon(sampling_rate=batch_size / dataset_size, noise_multiplier=noise_multiplier,
                          steps=steps, delta=delta, conversion=conversion)


def noise_multiplier_for_epsilon(*, target_epsilon: float, sampling_rate: float, steps: int, delta: float = 1e-5,
                                 conversion: str = "improved", tolerance: float = 1e-3) -> float:
    """The smallest noise multiplier whose run stays within `target_epsilon`: bisection
    on sigma (epsilon falls monotonically as sigma grows), to a relative `tolerance`;
    the returned sigma is on the safe side (its epsilon <= target)."""
    target = positive("target_epsilon", target_epsilon)
    q = fraction("sampling_rate", sampling_rate)
    t = integer("steps", steps, lo=1)
    d = fraction("delta", delta, allow_one=False)
    choice("conversion", conversion, CONVERSIONS)
    tol = real("tolerance", tolerance, lo=1e-9, hi=0.5)
    orders = DEFAULT_ORDERS

    def eps(sigma):
        return _eps_from_rdp(orders, [t * r for r in _per_step(q, sigma, orders)], d, conversion)[0]

    lo, hi = 0.0, 1.0
    while eps(hi) > target:
        lo, hi = hi, hi * 2
        if hi > 1e5:
            raise PhysicsError(f"target_epsilon {target:g} is out of reach (sigma > 1e5) at this q, steps, delta")
    while hi - lo > tol * hi:
        mid = (lo + hi) / 2
        if eps(mid) > target:
            lo = mid
        else:
            hi = mid
    return hi


def max_steps_for_epsilon(*, target_epsilon: float, sampling_rate: float, noise_multiplier: float,
                          delta: float = 1e-5, conversion: str = "improved", max_steps: int = 10**9) -> int:
    """How many DP-SGD steps fit in a privacy budget: the largest T with epsilon(T) <=
    target (0 when even one step overspends; `max_steps` when the budget is never spent).
    One step's RDP is computed once; composition is T x that curve."""
    target = positive("target_epsilon", target_epsilon)
    q = fraction("sampling_rate", sampling_rate)
    sigma = positive("noise_multiplier", noise_multiplier)
    d = fraction("delta", delta, allow_one=False)
    choice("conversion", conversion, CONVERSIONS)
    cap = integer("max_steps", max_steps, lo=1)
    orders = DEFAULT_ORDERS
    one = _per_step(q, sigma, orders)

    def ok(t):
        return _eps_from_rdp(orders, [t * r for r in one], d, conversion)[0] <= target

    if not ok(1):
        return 0
    lo, hi = 1, 2
    while hi <= cap and ok(hi):
        lo, hi = hi, hi * 2
    if hi > cap:
        if ok(cap):
            return cap
        hi = cap
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


# ------------------------------------------------------------------ mechanisms and composition
def bounded_mean_sensitivity(*, lower: float, upper: float, n: int) -> float:
    """L1 sensitivity of the mean of n values clipped to [lower, upper] under
    replace-one adjacency: (upper - lower) / n (Dwork & Roth 2014, Sec. 3.3)."""
    lo = real("lower", lower)
    hi = real("upper", upper)
    if hi <= lo:
        raise PhysicsError(f"upper must be > lower ({lo:g}), got {upper!r}")
    return (hi - lo) / integer("n", n, lo=1)


def laplace_scale(*, sensitivity: float, epsilon: float) -> float:
    """Laplace mechanism scale b = sensitivity / epsilon: epsilon-DP (Dwork et al. 2006);
    the noise has std sqrt(2) b."""
    return positive("sensitivity", sensitivity) / positive("epsilon", epsilon)


def gaussian_sigma(*, sensitivity: float, epsilon: float, delta: float) -> float:
    """Classic Gaussian mechanism: sigma = sqrt(2 ln(1.25/delta)) x L2 sensitivity /
    epsilon gives (epsilon, delta)-DP for epsilon < 1 (Dwork & Roth 2014, Thm. A.1)."""
    s = positive("sensitivity", sensitivity)
    e = real("epsilon", epsilon, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    d = fraction("delta", delta, allow_one=False)
    return math.sqrt(2 * math.log(1.25 / d)) * s / e


def basic_composition(*, epsilons, deltas=None) -> tuple[float, float]:
    """Sequential composition of DP releases: (sum epsilon_i, sum delta_i) (Dwork & Roth
    2014, Thm. 3.16). Post-processing and queries of a fixed release add nothing."""
    if isinstance(epsilons, (str, bytes)) or not hasattr(epsilons, "__iter__"):
        raise PhysicsError(f"epsilons must be a list of numbers >= 0, got {epsilons!r}")
    eps = [nonneg("epsilons (each)", e) for e in epsilons]
    if deltas is None:
        ds = [0.0] * len(eps)
    else:
        if isinstance(deltas, (str, bytes)) or not hasattr(deltas, "__iter__"):
            raise PhysicsError(f"deltas must be a list of numbers in [0, 1), got {deltas!r}")
        ds = [fraction("deltas (each)", d, allow_zero=True, allow_one=False) for d in deltas]
        if len(ds) != len(eps):
            raise PhysicsError(f"deltas must have one value per epsilon ({len(eps)}), got {len(ds)}")
    return float(sum(eps)), min(1.0, float(sum(ds)))


def advanced_composition(*, epsilon: float, delta: float = 0.0, k: int, delta_slack: float = 1e-5) -> tuple:
    """k-fold adaptive composition of (epsilon, delta)-DP mechanisms (Dwork, Rothblum &
    Vadhan 2010; Dwork & Roth 2014, Thm. 3.20): epsilon' = sqrt(2k ln(1/delta')) epsilon
    + k epsilon (e^epsilon - 1), delta_total = k delta + delta'. Returns (epsilon', delta_total)."""
    e = nonneg("epsilon", epsilon)
    d = fraction("delta", delta, allow_zero=True, allow_one=False)
    n = integer("k", k, lo=1)
    ds = fraction("delta_slack", delta_slack, allow_one=False)
    if e > 50:
        raise PhysicsError(f"epsilon must lie in [0, 50] for advanced composition, got {epsilon!r}")
    return math.sqrt(2 * n * math.log(1 / ds)) * e + n * e * math.expm1(e), min(1.0, n * d + ds)


def membership_advantage_bound(*, epsilon: float, delta: float = 0.0) -> float:
    """Largest TPR - FPR any membership-inference test can reach against an
    (epsilon, delta)-DP model: (e^epsilon - 1 + 2 delta) / (e^epsilon + 1), from the
    hypothesis-testing region TPR <= e^epsilon FPR + delta (Kairouz, Oh & Viswanath 2015;
    Humphries et al. 2023). 0 means a coin flip; 1 means certain identification."""
    e = nonneg("epsilon", epsilon)
    d = fraction("delta", delta, allow_zero=True, allow_one=False)
    if e > 700:
        return 1.0
    return min(1.0, (math.expm1(e) + 2 * d) / (math.exp(e) + 1))


# ------------------------------------------------------------------ utility cost (estimate)
# Accuracy of DP-SGD runs as published, (epsilon at delta = 1e-5, test accuracy).
PUBLISHED_DP_ACCURACY = {
    "mnist-cnn": {
        "points": ((1.20, 0.950), (2.92, 0.966), (9.74, 0.973)),
        "chance": 0.1,
        "source": "TF Privacy tutorials/README.md, 'Select Parameters' table: MNIST CNN, batch 256, clip 1.0; "
                  "sigma 1.2 / 10 epochs, 1.12 / 60, 0.6 / 30 (accuracy averaged over 10 runs)",
    },
}


@dataclass(frozen=True)
class DPUtility:
    accuracy: float
    epsilon: float
    best_published_accuracy: float   # the anchor with the largest epsilon
    accuracy_cost: float             # best_published_accuracy - accuracy
    extrapolated: bool
    source: str
    note: str


def dp_accuracy_estimate(*, epsilon: float, task: str = "mnist-cnn") -> DPUtility:
    """ESTIMATE of test accuracy at a privacy budget: linear interpolation in log(epsilon)
    between published DP-SGD runs of the task (`PUBLISHED_DP_ACCURACY`); above the
    largest epsilon on record it holds that run's accuracy, below the smallest it
    extends the first segment's slope, floored at chance. Tuned hyperparameters per
    budget are assumed (as in the source); it is not a model of any one training run."""
    e = positive("epsilon", epsilon)
    t = PUBLISHED_DP_ACCURACY[choice("task", task, tuple(PUBLISHED_DP_ACCURACY))]
    pts = t["points"]
    best = pts[-1][1]
    if e >= pts[-1][0]:
        acc, extra = best, e > pts[-1][0]
    else:
        i = max(k for k in range(len(pts) - 1) if pts[k][0] <= e) if e >= pts[0][0] else 0
        (e0, a0), (e1, a1) = pts[i], pts[i + 1]
        acc = a0 + (a1 - a0) * (math.log(e) - math.log(e0)) / (math.log(e1) - math.log(e0))
        acc, extra = max(acc, t["chance"]), e < pts[0][0]
    return DPUtility(acc, e, best, max(0.0, best - acc), extra, t["source"],
                     "estimate: interpolated in log(epsilon) between published runs"
                     + ("; outside the published range" if extra else ""))
