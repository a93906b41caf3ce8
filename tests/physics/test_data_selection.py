"""Data selection physics: the repeated-data law (Muennighoff et al. 2023) in closed form,
deduplication at equal loss, filtering with repetition, eval leakage and label savings."""
import math

import pytest

from mlsyslabs.physics import CHINCHILLA
from mlsyslabs.physics import data_selection as DS
from mlsyslabs.physics.errors import PhysicsError

N = 7e9


def test_effective_tokens_closed_form_and_limits():
    assert DS.effective_tokens(1e9, 1) == pytest.approx(1e9)  # one pass: fresh data
    r = 3.0
    assert DS.effective_tokens(1e9, 4) == pytest.approx(1e9 * (1 + 15.4 * (1 - math.exp(-r / 15.4))))
    # up to 4 epochs are worth nearly as much as fresh tokens (the paper's headline): > 90%
    assert DS.effective_tokens(1e9, 4) / 4e9 > 0.9
    # saturates at U (1 + R*)
    assert DS.effective_tokens(1e9, 1e4) == pytest.approx(1e9 * 16.4, rel=1e-6)
    with pytest.raises(PhysicsError):
        DS.effective_tokens(1e9, 0.5)


def test_epochs_for_effective_inverts_the_law():
    for epochs in (1.0, 1.5, 4.0, 30.0):
        assert DS.epochs_for_effective(1e9, DS.effective_tokens(1e9, epochs)) == pytest.approx(epochs)
    assert DS.epochs_for_effective(1e9, 17e9) == math.inf
    assert DS.epochs_for_effective(2e9, 1e9) == pytest.approx(0.5)


def test_dedup_saves_the_duplicate_share_only_for_heavy_clusters():
    light = DS.dedup_outcome(N, 2e12, 0.4, 2)
    heavy = DS.dedup_outcome(N, 2e12, 0.4, 10_000)
    assert light.compute_saved < 0.01  # a second copy is almost as good as a new document
    assert 0.39 < heavy.compute_saved < 0.4
    # hand calculation at 100 copies
    u, uc = 1.2e12, 0.8e12 / 99
    eff = u - uc + uc * (1 + 15.4 * (1 - math.exp(-99 / 15.4)))
    out = DS.dedup_outcome(N, 2e12, 0.4, 100)
    assert out.effective_raw == pytest.approx(eff)
    assert DS.effective_tokens(u, out.tokens_equal_loss / u) == pytest.approx(eff)
    assert out.loss_raw == pytest.approx(CHINCHILLA.loss(N, eff))
    saved = [DS.dedup_outcome(N, 2e12, 0.4, k).compute_saved for k in (2, 5, 10, 30, 100, 1000)]
    assert saved == sorted(saved)
    assert DS.dedup_outcome(N, 2e12, 0.0, 10).compute_saved == pytest.approx(0.0)


def test_dedup_rejects_impossible_clusters():
    DS.dedup_outcome(N, 2e12, 0.8, 5)  # exactly every kept document duplicated
    with pytest.raises(PhysicsError, match="copies"):
        DS.dedup_outcome(N, 2e12, 0.8, 4)


def test_filter_outcome_and_min_keep():
    out = DS.filter_outcome(N, 1.2e12, 0.25, 2e12)
    assert out.epochs == pytest.approx(2e12 / 3e11)
    assert out.effective_tokens == pytest.approx(DS.effective_tokens(3e11, 2e12 / 3e11))
    assert out.loss_increase == pytest.approx(CHINCHILLA.loss(N, out.effective_tokens) / CHINCHILLA.loss(N, 2e12) - 1)
    # a pool bigger than the budget is one pass of fresh tokens
    assert DS.filter_outcome(N, 4e12, 1.0, 2e12).loss_increase == pytest.approx(0.0)
    k = DS.min_keep_fraction(N, 1.2e12, 2e12, 0.01)
    assert DS.filter_outcome(N, 1.2e12, k * 1.0001, 2e12).loss_increase <= 0.01
    assert DS.filter_outcome(N, 1.2e12, k * 0.999, 2e12).loss_increase > 0.01
    # crediting kept tokens with more value allows a stricter filter
    assert DS.min_keep_fraction(N, 1.2e12, 2e12, 0.01, token_value=2.0) < k


def test_leakage_closed_form():
    out = DS.leakage(0.79, 0.04)
    assert out.clean == pytest.approx((0.79 - 0.04) / 0.96)
    assert DS.leakage(0.79, 0.0).inflation == 0.0
    with pytest.raises(PhysicsError):
        DS.leakage(0.01, 0.04)


def test_labels_needed_from_the_published_counts():
    assert DS.labels_needed(20_000, "random") == 20_000
    assert DS.labels_needed(20_000, "uncertainty") == pytest.approx(20_000 * 335 / 835)
    assert DS.labels_needed(20_000, "uncertainty", evidence="benchmark") == 20_000
    assert DS.labels_needed(20_000, "prototype") == pytest.approx(16_000)
    with pytest.raises(PhysicsError):
        DS.labels_needed(20_000, "oracle")
    assert all(k in DS.SOURCES for k in ("REPEAT_HALF_LIFE", "LEE_EVAL_OVERLAP", "SORSCHER_PRUNE_NO_LOSS",
                                         "GAL_LABELS_TO_5PCT", "AL_NO_GAIN"))
