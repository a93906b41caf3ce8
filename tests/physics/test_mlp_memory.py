"""Memory of a fully connected network layer by layer (v1.05): hand counts."""
import pytest

from mlsyslabs import physics as P


def test_mlp_activations_inference_two_buffers_and_training_every_input():
    # widths 4 -> 3 -> 2: live pairs (4+3, 3+2); training keeps 4 + 3 + 2
    assert P.mlp_activation_bytes([4, 3, 2], batch=2, precision="fp32") == 2 * 7 * 4
    assert P.mlp_activation_bytes([4, 3, 2], batch=2, precision="fp32", training=True) == 2 * 9 * 4
    assert P.mlp_activation_bytes([4, 3, 2], batch=1, precision="int8") == 7


def test_mlp_training_memory_by_hand():
    n = 4 * 3 + 3 + 3 * 2 + 2  # 23 parameters
    m = P.mlp_training_memory([4, 3, 2], batch=2, precision="fp32", optimizer="adam")
    assert (m.weights_bytes, m.gradient_bytes, m.optimizer_bytes, m.master_weights_bytes) == (4 * n, 4 * n, 8 * n, 0)
    assert m.activation_bytes == 2 * 9 * 4
    assert m.total_bytes == 16 * n + 72 and m.bytes_per_param_states == 16
    mixed = P.mlp_training_memory([4, 3, 2], batch=1, precision="bf16", optimizer="adam")
    assert mixed.bytes_per_param_states == 16 and mixed.master_weights_bytes == 4 * n  # 2 + 2 + 8 + 4
    sgd = P.mlp_training_memory([4, 3, 2], batch=1, precision="fp32", optimizer="sgd")
    assert sgd.bytes_per_param_states == 8


def test_mlp_training_memory_grows_with_batch_only_through_activations():
    a = P.mlp_training_memory([64, 32, 8], batch=1)
    b = P.mlp_training_memory([64, 32, 8], batch=10)
    assert b.total_bytes - a.total_bytes == pytest.approx(9 * a.activation_bytes)
    assert b.weights_bytes == a.weights_bytes


@pytest.mark.parametrize("bad", [dict(sizes=[3]), dict(sizes=[4, 0]), dict(batch=0), dict(batch=1.5),
                                 dict(precision="fp7"), dict(training="yes")])
def test_mlp_activation_bytes_rejects_bad_input(bad):
    kw = dict(sizes=[4, 3], batch=1, precision="fp32", training=False) | bad
    with pytest.raises(P.PhysicsError):
        P.mlp_activation_bytes(**kw)
