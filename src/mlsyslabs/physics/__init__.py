"""mlsyslabs.physics: the analytical engine behind every number in the labs.

Pure functions over plain floats (NumPy arrays accepted, NumPy imported only
then); registries with a source for every constant. See docs/engine.md."""
from .compression import (PUBLISHED_ACCURACY, deep_compression_bytes, memory_bound_speedup, published_accuracy,
                          quantized_bytes, sparsity_speedup)
from .devices import (DEVICES, TIER_METRICS, TIER_REFERENCE, TIERS, Device, devices_in_tier, get_device, tier_metric,
                      tier_span)
from .errors import MissingFieldError, PhysicsError, UnknownIdError
from .memory import (DEFAULT_MEMORY_FRACTION, activation_bytes_inference, activation_bytes_training, fits,
                     mlp_activation_bytes, mlp_training_memory,
                     kv_cache_bytes, max_params_that_fit, training_memory, weights_bytes,
                     gpu_training_bytes, OFFLOAD_BYTES_PER_PARAM_PER_STEP)
from .operations import GRID_CARBON, energy_and_carbon, group_rates, psi, synthetic_population
from .precisions import BYTES_PER_ELEMENT, PRECISIONS, bytes_per_element
from .queueing import ggc, kingman, littles_law, md1, mg1, mm1, mmc, percentile, simulate_batching, simulate_queue
from .roofline import (DEFAULT_COMPUTE_EFFICIENCY, DEFAULT_MEMORY_EFFICIENCY, arithmetic_intensity,
                       attainable_flops, iron_law_time, ridge_point, roofline_time)
from .scaling import (CHINCHILLA, CHINCHILLA_TOKENS_PER_PARAM, amdahl_speedup, dam_diagnosis, gustafson_speedup,
                      tokens_affordable, training_cost_usd, training_flops, training_time_s)
from . import efficiency, fleet, network, pipeline, workflow
from .efficiency import CLASS_PROFILES, DEFAULT_TRAINING_MFU, device_class
from .serving import estimate, iron_law_inference, max_concurrent_sequences, max_throughput, min_devices, sweep
from .workloads import TRANSFORMERS, WORKLOADS, Model, Transformer, get_workload
from . import collectives, fabrics, parallel
from .collectives import busbw_factor, collective
from .fabrics import CLUSTERS, FABRICS, Cluster, Fabric, cluster_for, get_cluster, get_fabric
from .parallel import (KERNEL_EFFICIENCY, Plan, TrainingStep, activation_bytes_per_layer, kernel_efficiency,
                       pipeline_bubble_fraction, plan, train_step)

__all__ = [n for n in dir() if not n.startswith("_")]
_LAZY = {"reliability": None, "serving_load": None, "sustainability": None,  # fleet-scale modules load on first use
         "serve_load": "serving_load", "serve_load_sweep": "serving_load",
         # privacy, federated learning, conformal robustness, fairness by group (Volume II labs 11, 13, 14, 16)
         "privacy": None, "federated": None, "robustness": None, "fairness": None,
         **{n: "privacy" for n in ("dp_sgd_epsilon", "dp_sgd_privacy", "noise_multiplier_for_epsilon",
                                   "max_steps_for_epsilon")},
         **{n: "federated" for n in ("round_bytes", "straggler_round_time", "federated_run")},
         **{n: "robustness" for n in ("conformal_quantile", "coverage_bounds", "coverage_under_shift")},
         **{n: "fairness" for n in ("group_confusion", "demographic_parity_difference", "equalized_odds_difference",
                                    "equal_opportunity_difference", "impossibility")}}
__all__ += list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)
