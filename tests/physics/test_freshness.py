"""pipeline.freshness: a batch feature's age is uniform between L and T + L (mean
T/2 + L, not T), a stream's is its latency; batch cost follows entities x refreshes,
a stream's follows the event rate, and a local feature writes nothing to a store."""
import pytest

from mlsyslabs import physics as P
from mlsyslabs.physics import pipeline as PL

KW = dict(pipeline_latency_s=7200.0, entities=1_000_000, events_per_s=500.0, feature_bytes=64.0)


def test_daily_batch_is_half_a_day_old_on_average_plus_latency():
    f = PL.freshness("batch", period_s=86400.0, **KW)
    assert f.mean_age_s == pytest.approx(86400 / 2 + 7200)
    assert f.worst_age_s == pytest.approx(86400 + 7200)
    assert f.updates_per_s == pytest.approx(1_000_000 / 86400)
    assert f.store_bytes_per_s == pytest.approx(1_000_000 * 64 / 86400)
    assert f.where == "server"


def test_batch_age_is_the_time_average_of_a_sawtooth():
    # sample request times uniformly over many periods: the age read is (t mod T) + L
    T, L = 3600.0, 600.0
    f = PL.freshness("batch", period_s=T, **dict(KW, pipeline_latency_s=L))
    ages = [(i * T / 1000) % T + L for i in range(10_000)]
    assert sum(ages) / len(ages) == pytest.approx(f.mean_age_s, rel=1e-3)
    assert max(ages) <= f.worst_age_s


def test_stream_age_is_its_latency_and_cost_follows_events():
    f = PL.freshness("stream", **dict(KW, pipeline_latency_s=30.0))
    assert f.mean_age_s == f.worst_age_s == 30.0
    assert f.updates_per_s == 500.0 and f.store_bytes_per_s == 500.0 * 64


def test_stream_can_cost_less_than_frequent_batch():
    # entities / T > events/s: refreshing every entity hourly writes more than streaming every event
    hourly = PL.freshness("batch", period_s=3600.0, **dict(KW, entities=10_000_000))
    stream = PL.freshness("stream", **dict(KW, entities=10_000_000))
    assert hourly.updates_per_s > stream.updates_per_s


def test_local_writes_nothing_to_the_store():
    f = PL.freshness("local", **dict(KW, pipeline_latency_s=0.05))
    assert f.store_bytes_per_s == 0.0 and f.where == "device" and f.mean_age_s == 0.05


def test_batch_needs_a_period():
    with pytest.raises(P.PhysicsError, match="period_s"):
        PL.freshness("batch", **KW)
    with pytest.raises(P.PhysicsError, match="policy"):
        PL.freshness("weekly", period_s=1.0, **KW)
