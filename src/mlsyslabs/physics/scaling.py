"""Parallel speedup laws, training time, and the Chinchilla scaling-law fit."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .efficiency import DEFAULT_TRAINING_MFU
from .errors import check_bool, check_fraction, check_number, check_positive


def amdahl_speedup(parallel_fraction, n):
    """S = 1 / ((1 - f) + f / n) (Amdahl 1967): fixed problem size."""
    check_fraction("parallel_fraction", parallel_fraction, allow_zero=True)
    check_positive("n", n)
    return 1.0 / ((1.0 - parallel_fraction) + parallel_fraction / n)


def gustafson_speedup(parallel_fraction, n):
    """S = (1 - f) + f x n (Gustafson 1988): problem grows with n."""
    check_fraction("parallel_fraction", parallel_fraction, allow_zero=True)
    check_positive("n", n)
    return (1.0 - parallel_fraction) + parallel_fraction * n


def training_flops(params, tokens, *, recompute: bool = False):
    """6 x N x D (forward 2, backward 4 per parameter per token; Kaplan et al. 2020);
    8 x N x D with full activation recomputation (one extra forward)."""
    check_positive("params", params)
    check_positive("tokens", tokens)
    check_bool("recompute", recompute)
    return (8.0 if recompute else 6.0) * params * tokens


def training_time_s(params, tokens, *, peak_flops, mfu=DEFAULT_TRAINING_MFU, n_devices=1, recompute: bool = False):
    """Wall-clock = training FLOPs / (devices x peak x MFU). The default MFU (0.40) is
    the efficiency model's figure for transformers on data-center GPUs, the same
    `estimate` uses (efficiency.py); with recompute it applies to the executed 8 N D."""
    check_positive("peak_flops", peak_flops)
    check_fraction("mfu", mfu)
    check_positive("n_devices", n_devices)
    return training_flops(params, tokens, recompute=recompute) / (n_devices * peak_flops * mfu)


@dataclass(frozen=True)
class ScalingLaw:
    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str

    def loss(self, params, tokens):
        """L(N, D) = E + A / N^alpha + B / D^beta."""
        check_positive("params", params)
        check_positive("tokens", tokens)
        return self.E + self.A / params**self.alpha + self.B / tokens**self.beta

    def terms(self, params, tokens):
        """(irreducible, model-size term, data term): which one binds."""
        check_positive("params", params)
        check_positive("tokens", tokens)
        return self.E, self.A / params**self.alpha, self.B / tokens**self.beta

    def params_for_loss(self, target_loss, tokens):
        """Smallest N with L(N, D) <= target at D tokens (inf when the data and
        irreducible terms alone exceed the target: more parameters cannot get there)."""
        check_positive("tokens", tokens)
        check_positive("target_loss", target_loss)
        room = target_loss - self.E - self.B / tokens**self.beta
        return math.inf if room <= 0 else (self.A / room) ** (1.0 / self.alpha)

    def compute_optimal(self, compute_flops):
        """N*, D* minimising L subject to 6 N D = C (closed form of the Lagrangian)."""
        check_positive("compute_flops", compute_flops)
        a, b = self.alpha, self.beta
        g = (a * self.A / (b * self.B)) ** (1.0 / (a + b))
        n = g * (compute_flops / 6.0) ** (b / (a + b))
        return n, compute_flops / (6.0 * n)


CHINCHILLA = ScalingLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28,
                        source="Hoffmann et al. 2022, 'Training Compute-Optimal Large Language Models' "
                               "(arXiv:2203.15556), eq. 10 / Approach 3 fit")
# Rule of thumb from the same paper (Approaches 1-2, Table 3): ~20 tokens per parameter.
# Note: the eq.-10 parametric fit above puts the compute optimum near ~90 tokens per
# parameter instead; Besiroglu et al. 2024 ("Chinchilla Scaling: A replication
# attempt", arXiv:2404.10102) trace this to the fit. Labs show both and say so.
CHINCHILLA_TOKENS_PER_PARAM = 20.0


@dataclass(frozen=True)
class DamDiagnosis:
    data: str  # "binding" | "adequate" | "surplus"
    algorithm: str
    machine: str
    data_term: float
    model_term: float
    explanation: str


def dam_diagnosis(params, tokens, *, max_params_that_fit: float | None = None, law: ScalingLaw = CHINCHILLA,
                  binding_share: float = 0.6) -> DamDiagnosis:
    """Data / Algorithm / Machine: which term of the scaling law limits the loss.

    Data binds when the data term is >= `binding_share` of the reducible loss;
    Algorithm (model capacity) binds in the mirror case; Machine binds when the model
    the algorithm wants does not fit the device (params > max_params_that_fit)."""
    _, model_t, data_t = law.terms(params, tokens)
    if max_params_that_fit is not None:
        check_positive("max_params_that_fit", max_params_that_fit)
    check_number("binding_share", binding_share, lo=0.5, lo_open=True, hi=1)
    share = data_t / (data_t + model_t)
    machine_binds = max_params_that_fit is not None and params > max_params_that_fit
    data = "binding" if share >= binding_share else ("adequate" if share >= 1 - binding_share else "surplus")
    algo = "binding" if share <= 1 - binding_share else ("adequate" if share < binding_share else "surplus")
    machine = "binding" if machine_binds else "surplus" if data == "binding" else "adequate"
    why = (f"data term {data_t:.3f} vs model term {model_t:.3f} of the reducible loss "
           f"({share:.0%} from data)" + ("; the model does not fit the device" if machine_binds else ""))
    return DamDiagnosis(data, algo, machine, data_t, model_t, why)


def training_cost_usd(params, tokens, *, gpu_price_per_hour, peak_flops, mfu=DEFAULT_TRAINING_MFU,
                      data_cost_per_token=0.0):
    """Dollars = GPU-hours (6 N D / (peak x MFU) / 3600) x price + tokens x data cost."""
    check_positive("gpu_price_per_hour", gpu_price_per_hour, allow_zero=True)
    check_positive("data_cost_per_token", data_cost_per_token, allow_zero=True)
    check_positive("peak_flops", peak_flops)
    check_fraction("mfu", mfu)
    gpu_s = training_flops(params, tokens) / (peak_flops * mfu)
    return gpu_s / 3600.0 * gpu_price_per_hour + tokens * data_cost_per_token


def tokens_affordable(budget_usd, params, *, gpu_price_per_hour, peak_flops, mfu=DEFAULT_TRAINING_MFU,
                      data_cost_per_token=0.0):
    """The D that spends exactly `budget_usd` on a model of `params` parameters
    (inf when both the GPU price and the data cost are zero: nothing costs anything)."""
    check_positive("budget_usd", budget_usd)
    check_positive("params", params)
    check_positive("gpu_price_per_hour", gpu_price_per_hour, allow_zero=True)
    check_positive("data_cost_per_token", data_cost_per_token, allow_zero=True)
    check_positive("peak_flops", peak_flops)
    check_fraction("mfu", mfu)
    per_token = 6.0 * params / (peak_flops * mfu) / 3600.0 * gpu_price_per_hour + data_cost_per_token
    return budget_usd / per_token if per_token > 0 else math.inf
