"""DP-SGD accounting against Google's `dp-accounting` (the oracle; a test dependency
only) on a grid of (q, sigma, steps, delta), against published epsilons, and the
mechanisms, composition, attack bound and utility estimate around it."""
from __future__ import annotations

import logging
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsyslabs.physics import PhysicsError
from mlsyslabs.physics import privacy as P

dp_accounting = pytest.importorskip("dp_accounting")
from dp_accounting.rdp import rdp_privacy_accountant as rdp_oracle  # noqa: E402

logging.getLogger("absl").setLevel(logging.ERROR)


def oracle_epsilon(q, sigma, steps, delta):
    acc = rdp_oracle.RdpAccountant()
    acc.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps)
    return acc.get_epsilon(delta)


GRID = [(q, s, t, d) for q, s, t, d in [
    (1e-4, 0.5, 10000, 1e-5), (0.001, 1.0, 1000, 1e-5), (0.004, 1.1, 14070, 1e-5), (0.01, 4.0, 10000, 1e-5),
    (0.01, 0.8, 500, 1e-6), (0.05, 2.0, 200, 1e-5), (0.1, 10.0, 10000, 1e-8), (0.3, 1.5, 50, 1e-5),
    (1.0, 5.0, 10, 1e-5), (1.0, 1.0, 1, 1e-3), (0.02, 0.6, 3000, 1e-7), (1e-3, 20.0, 100000, 1e-5)]]


@pytest.mark.parametrize("q,sigma,steps,delta", GRID)
def test_epsilon_matches_dp_accounting(q, sigma, steps, delta):
    ours = P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=steps, delta=delta).epsilon
    assert ours == pytest.approx(oracle_epsilon(q, sigma, steps, delta), rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("q,sigma", [(0.01, 1.1), (0.2, 0.7), (1.0, 2.0), (1e-4, 3.0)])
@pytest.mark.parametrize("order", [1.5, 2, 2.7, 8, 32.0, 256])
def test_rdp_per_order_matches_dp_accounting(q, sigma, order):
    expected = rdp_oracle._compute_rdp_poisson_subsampled_gaussian(q, sigma, [order])[0]
    assert P.rdp_sampled_gaussian(sampling_rate=q, noise_multiplier=sigma, order=order) == \
        pytest.approx(expected, rel=1e-9)


def test_conversion_matches_dp_accounting_for_delta_too():
    orders = P.DEFAULT_ORDERS
    rdp = P.rdp_curve(sampling_rate=0.01, noise_multiplier=1.1, steps=5000)
    eps, order = P.rdp_to_epsilon(orders=orders, rdp=rdp, delta=1e-5)
    o_eps, o_order = rdp_oracle.compute_epsilon(orders, rdp, 1e-5)
    assert eps == pytest.approx(o_eps, rel=1e-12) and order == o_order


# Published figures (epsilon at delta = 1e-5). Abadi et al. 2016 and the TF Privacy table used the
# moments accountant / RDP with the standard conversion (Mironov 2017), so that is what we compare.
PUBLISHED = [
    # (source, q, sigma, steps, published epsilon, tolerance)
    ("Abadi et al. 2016, Sec. 3.1: q=0.01, sigma=4, T=10000 -> eps ~ 1.26", 0.01, 4.0, 10000, 1.26, 0.01),
    ("TF Privacy tutorials/README.md: sigma 1.12, 60 epochs, batch 256 of 60000", 256 / 60000, 1.12,
     math.ceil(60 * 60000 / 256), 2.92, 0.01),
    ("TF Privacy tutorials/README.md: sigma 0.6, 30 epochs", 256 / 60000, 0.6, math.ceil(30 * 60000 / 256), 9.74, 0.01),
    ("TF Privacy tutorials/README.md: sigma 1.2, 10 epochs", 256 / 60000, 1.2, math.ceil(10 * 60000 / 256), 1.20, 0.01),
    ("Bu, Dong, Long & Su 2020 (HDSR), Fig. 4: sigma 1.3, epoch 20, moments accountant", 256 / 60000, 1.3,
     math.ceil(20 * 60000 / 256), 1.34, 0.01),
    ("Bu, Dong, Long & Su 2020 (HDSR), Fig. 4: sigma 0.7, epoch 70", 256 / 60000, 0.7, math.ceil(70 * 60000 / 256),
     8.68, 0.01),
]


@pytest.mark.parametrize("source,q,sigma,steps,published,tol", PUBLISHED, ids=[p[0][:40] for p in PUBLISHED])
def test_published_epsilons(source, q, sigma, steps, published, tol):
    eps = P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=steps, conversion="standard").epsilon
    assert eps == pytest.approx(published, rel=tol), source
    # the improved conversion (default) is never looser
    assert P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=steps).epsilon <= eps


def test_dp_sgd_privacy_uses_dataset_batch_epochs():
    g = P.dp_sgd_privacy(dataset_size=60000, batch_size=256, epochs=60, noise_multiplier=1.12, conversion="standard")
    assert g.steps == 14063 and g.sampling_rate == pytest.approx(256 / 60000)
    assert g.epsilon == pytest.approx(2.92, rel=0.01)
    assert "Balle" in P.dp_sgd_privacy(dataset_size=60000, batch_size=256, epochs=1,
                                       noise_multiplier=1.1).assumptions["conversion"]


def test_noise_multiplier_inverts_epsilon():
    q, steps = 256 / 60000, 2344
    for target in (1.0, 3.0, 8.0):
        sigma = P.noise_multiplier_for_epsilon(target_epsilon=target, sampling_rate=q, steps=steps)
        assert P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=steps).epsilon <= target
        looser = P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma * 0.99, steps=steps).epsilon
        assert looser > target * 0.995
    assert oracle_epsilon(q, P.noise_multiplier_for_epsilon(target_epsilon=2.0, sampling_rate=q, steps=steps),
                          steps, 1e-5) <= 2.0 + 1e-9


def test_max_steps_is_the_budget_edge():
    q, sigma = 0.01, 1.1
    t = P.max_steps_for_epsilon(target_epsilon=3.0, sampling_rate=q, noise_multiplier=sigma)
    assert P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=t).epsilon <= 3.0
    assert P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=t + 1).epsilon > 3.0
    assert P.max_steps_for_epsilon(target_epsilon=0.01, sampling_rate=1.0, noise_multiplier=0.5) == 0
    assert P.max_steps_for_epsilon(target_epsilon=50, sampling_rate=1e-4, noise_multiplier=50, max_steps=1000) == 1000


def test_epsilon_grows_with_steps_and_sampling_falls_with_noise():
    e = [P.dp_sgd_epsilon(sampling_rate=0.01, noise_multiplier=1.0, steps=t).epsilon for t in (10, 100, 1000)]
    assert e[0] < e[1] < e[2]
    s = [P.dp_sgd_epsilon(sampling_rate=0.01, noise_multiplier=n, steps=1000).epsilon for n in (0.7, 1.0, 2.0)]
    assert s[0] > s[1] > s[2]
    # composition: RDP of T steps is T x one step
    one = P.rdp_curve(sampling_rate=0.02, noise_multiplier=1.3, steps=1)
    many = P.rdp_curve(sampling_rate=0.02, noise_multiplier=1.3, steps=77)
    assert all(m == pytest.approx(77 * o) for m, o in zip(many, one))


def test_edge_cases_of_the_sampled_gaussian():
    assert P.rdp_sampled_gaussian(sampling_rate=0.0, noise_multiplier=1.0, order=4) == 0
    assert P.rdp_sampled_gaussian(sampling_rate=1.0, noise_multiplier=2.0, order=4) == pytest.approx(4 / 8)
    assert P.rdp_sampled_gaussian(sampling_rate=0.5, noise_multiplier=0.0, order=4) == math.inf


def test_mechanisms_and_composition_by_hand():
    # v2.13 Part B: six values in [0, 50], replace-one -> sensitivity 50/6; b = sensitivity / epsilon
    sens = P.bounded_mean_sensitivity(lower=0, upper=50, n=6)
    assert sens == pytest.approx(50 / 6)
    assert P.laplace_scale(sensitivity=sens, epsilon=4) == pytest.approx(2.0833, rel=1e-4)
    assert P.laplace_scale(sensitivity=sens, epsilon=1) == pytest.approx(8.3333, rel=1e-4)
    assert P.gaussian_sigma(sensitivity=1, epsilon=0.5, delta=1e-5) == pytest.approx(
        math.sqrt(2 * math.log(1.25e5)) / 0.5)
    assert P.basic_composition(epsilons=[1, 1, 1]) == (3.0, 0.0)
    assert P.basic_composition(epsilons=[0.5, 1], deltas=[1e-6, 1e-6]) == (1.5, pytest.approx(2e-6))
    eps, delta = P.advanced_composition(epsilon=0.1, k=100, delta_slack=1e-5)
    assert eps == pytest.approx(math.sqrt(200 * math.log(1e5)) * 0.1 + 100 * 0.1 * math.expm1(0.1))
    assert delta == pytest.approx(1e-5)


def test_membership_advantage_bound():
    assert P.membership_advantage_bound(epsilon=0) == 0
    assert P.membership_advantage_bound(epsilon=1) == pytest.approx((math.e - 1) / (math.e + 1))
    assert P.membership_advantage_bound(epsilon=8) > 0.99
    assert P.membership_advantage_bound(epsilon=1, delta=1e-5) > P.membership_advantage_bound(epsilon=1)


def test_utility_estimate_reproduces_anchors_and_orders_budgets():
    for e, acc in P.PUBLISHED_DP_ACCURACY["mnist-cnn"]["points"]:
        assert P.dp_accuracy_estimate(epsilon=e).accuracy == pytest.approx(acc)
    lo, hi = P.dp_accuracy_estimate(epsilon=1), P.dp_accuracy_estimate(epsilon=8)
    assert lo.accuracy < hi.accuracy and lo.extrapolated and not hi.extrapolated
    assert "estimate" in lo.note
    assert P.dp_accuracy_estimate(epsilon=1e-9).accuracy >= 0.1


@pytest.mark.parametrize("call,arg", [
    (lambda: P.dp_sgd_epsilon(sampling_rate=1.5, noise_multiplier=1, steps=1), "sampling_rate"),
    (lambda: P.dp_sgd_epsilon(sampling_rate=0.1, noise_multiplier=float("nan"), steps=1), "noise_multiplier"),
    (lambda: P.dp_sgd_epsilon(sampling_rate=0.1, noise_multiplier=1, steps=0), "steps"),
    (lambda: P.dp_sgd_epsilon(sampling_rate=0.1, noise_multiplier=1, steps=1, delta=0), "delta"),
    (lambda: P.dp_sgd_epsilon(sampling_rate=0.1, noise_multiplier=1, steps=1, conversion="x"), "conversion"),
    (lambda: P.dp_sgd_epsilon(sampling_rate=0.1, noise_multiplier=1, steps=1, orders=[1.0]), "orders"),
    (lambda: P.rdp_sampled_gaussian(sampling_rate=0.1, noise_multiplier=-1, order=2), "noise_multiplier"),
    (lambda: P.rdp_to_epsilon(orders=[2, 3], rdp=[0.1], delta=1e-5), "rdp"),
    (lambda: P.noise_multiplier_for_epsilon(target_epsilon=0, sampling_rate=0.1, steps=10), "target_epsilon"),
    (lambda: P.dp_sgd_privacy(dataset_size=100, batch_size=200, epochs=1, noise_multiplier=1), "batch_size"),
    (lambda: P.laplace_scale(sensitivity=1, epsilon=-1), "epsilon"),
    (lambda: P.bounded_mean_sensitivity(lower=5, upper=1, n=3), "upper"),
    (lambda: P.gaussian_sigma(sensitivity=1, epsilon=2, delta=1e-5), "epsilon"),
    (lambda: P.basic_composition(epsilons=[1, "a"]), "epsilons"),
    (lambda: P.membership_advantage_bound(epsilon=True), "epsilon"),
    (lambda: P.dp_accuracy_estimate(epsilon=1, task="imagenet"), "task"),
])
def test_invalid_input_names_the_argument(call, arg):
    with pytest.raises(PhysicsError) as exc:
        call()
    assert arg in str(exc.value)


@settings(max_examples=25, deadline=None)
@given(st.floats(1e-4, 1.0), st.floats(0.3, 20), st.integers(1, 100000), st.floats(1e-10, 0.1))
def test_epsilon_is_finite_and_non_negative(q, sigma, steps, delta):
    g = P.dp_sgd_epsilon(sampling_rate=q, noise_multiplier=sigma, steps=steps, delta=delta)
    assert g.epsilon >= 0 and not math.isnan(g.epsilon)


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 50), st.floats(0, 0.5))
def test_advantage_bound_is_a_probability(eps, delta):
    v = P.membership_advantage_bound(epsilon=eps, delta=delta)
    assert 0 <= v <= 1


def test_engine_never_imports_dp_accounting_or_scipy():
    code = ("import sys; from mlsyslabs.physics import privacy as P; "
            "P.dp_sgd_epsilon(sampling_rate=0.01, noise_multiplier=1.1, steps=100); "
            "print('dp_accounting' in sys.modules, 'scipy' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "False"]
