"""physics.mlops: population shift, detection delay with late labels, retraining cadence."""
import math

import pytest

from mlsyslabs.physics import PhysicsError, psi
from mlsyslabs.physics import mlops as M

OLD = [2, 5, 9, 14, 18, 18, 14, 10, 6, 4]
NEW = [9, 15, 18, 17, 14, 10, 7, 5, 3, 2]


def test_accuracy_is_the_traffic_weighted_mean_of_the_cohorts():
    s = M.drift_state(6, rate_per_month=0.05, acc_old=0.92, acc_new=0.76, p_old=OLD, p_new=NEW)
    assert s.share_new == pytest.approx(0.30)
    assert s.accuracy == pytest.approx(0.7 * 0.92 + 0.3 * 0.76)
    mix = [0.7 * a / 100 + 0.3 * b / 100 for a, b in zip(OLD, NEW)]
    assert s.psi == pytest.approx(sum((m - o / 100) * math.log(m / (o / 100)) for m, o in zip(mix, OLD)))
    assert M.shift_share(40, rate_per_month=0.05) == 1.0  # the share saturates


def test_psi_grows_about_quadratically_in_the_share_and_accuracy_linearly():
    p1 = psi(OLD, M.mixture(0.1, OLD, NEW))
    p2 = psi(OLD, M.mixture(0.2, OLD, NEW))
    assert 3.5 < p2 / p1 < 4.5
    a = [M.cohort_accuracy(w, acc_old=0.9, acc_new=0.7) for w in (0.0, 0.1, 0.2)]
    assert a[0] - a[1] == pytest.approx(a[1] - a[2])


def test_crossing_times():
    assert M.months_to_accuracy(0.86, rate_per_month=0.05, acc_old=0.92, acc_new=0.76) == pytest.approx(7.5)
    assert M.months_to_accuracy(0.86, rate_per_month=0.05, acc_old=0.92, acc_new=0.90) is None
    assert M.months_to_accuracy(0.95, rate_per_month=0.05, acc_old=0.92, acc_new=0.76) == 0.0
    t = M.months_to_psi(0.1, rate_per_month=0.05, p_old=OLD, p_new=NEW)
    assert psi(OLD, M.mixture(0.05 * t, OLD, NEW)) == pytest.approx(0.1, rel=1e-6)
    assert M.months_to_psi(5.0, rate_per_month=0.05, p_old=OLD, p_new=NEW) is None  # beyond the full shift


def test_detection_lag_adds_label_delay_half_window_half_interval():
    assert M.detection_lag_days(label_delay_days=90, check_interval_days=30, window_days=30) == 120
    assert M.detection_lag_days(check_interval_days=1, window_days=7) == 4
    with pytest.raises(PhysicsError):
        M.detection_lag_days(check_interval_days=0, window_days=7)


def test_cycle_accuracy_and_annual_cost_closed_forms():
    c = M.cycle_accuracy(3, acc0=0.92, loss_per_month=0.008)
    assert c.mean == pytest.approx(0.92 - 0.012) and c.minimum == pytest.approx(0.896)
    a = M.annual_cost(3, retrain_cost=60_000, loss_per_month=0.008, cost_per_point_month=20_000, acc0=0.92)
    assert a.retraining == pytest.approx(240_000) and a.accuracy_loss == pytest.approx(12 * 20_000 * 1.2)
    # past the point where accuracy would reach zero, the loss is capped
    z = M.cycle_accuracy(20, acc0=0.5, loss_per_month=0.05)
    assert z.minimum == 0 and z.mean == pytest.approx(0.5 * 10 / 2 / 20)


def test_square_root_law():
    t = M.optimal_cadence_months(retrain_cost=60_000, loss_per_month=0.008, cost_per_point_month=20_000)
    assert t == pytest.approx(math.sqrt(2 * 60_000 / (20_000 * 0.8)))
    t2 = M.optimal_cadence_months(retrain_cost=60_000, loss_per_month=0.016, cost_per_point_month=20_000)
    assert t2 / t == pytest.approx(math.sqrt(0.5))
    assert M.optimal_cadence_months(retrain_cost=1, loss_per_month=0, cost_per_point_month=1) == math.inf
    kw = dict(retrain_cost=60_000, loss_per_month=0.008, cost_per_point_month=20_000, acc0=0.92)
    assert M.best_cadence(**kw) == 3
    assert M.best_cadence(**kw, min_accuracy=0.91) == 1  # the floor binds before the optimum
    assert M.best_cadence(**kw, min_accuracy=0.95) is None


def test_bad_inputs_name_the_argument():
    with pytest.raises(PhysicsError, match="share_new"):
        M.mixture(1.5, OLD, NEW)
    with pytest.raises(PhysicsError, match="bins"):
        M.mixture(0.5, OLD, NEW[:3])
    with pytest.raises(PhysicsError, match="cadence_months"):
        M.cycle_accuracy(0, acc0=0.9, loss_per_month=0.01)
