"""Workload registry. Transformers are described by their architecture and their
parameter counts and FLOPs are computed from it; CNNs and small models carry
parameter and multiply-accumulate counts from cited tables (or, for MLPs, from
their layer sizes)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import _xp
from .errors import PhysicsError, UnknownIdError, check_positive


@dataclass(frozen=True)
class Transformer:
    id: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    max_context: int
    sources: tuple
    published_params: float
    ffn_type: str = "swiglu"  # "swiglu" (3 matrices) or "gelu" (2 matrices)
    head_dim: int | None = None  # defaults to hidden // heads
    norm: str = "rms"  # "rms" (scale only) or "layer" (scale + bias)
    bias: bool = False  # biases on attention and FFN projections
    tied_embeddings: bool = False
    learned_positions: bool = False
    token_types: int = 0  # BERT segment embeddings
    pooler: bool = False  # BERT pooler dense layer
    experts: int = 1
    active_experts: int = 1
    kind: str = "transformer"
    notes: str = ""
    # Mixture-of-experts layout (DeepSeek-style): routed experts of width `expert_ffn`
    # (0: `ffn`), `shared_experts` always-active experts, and the first `dense_layers`
    # layers dense with width `ffn`.
    expert_ffn: int = 0
    shared_experts: int = 0
    dense_layers: int = 0
    norms_per_layer: int = 2  # Gemma 2 normalises before and after each sublayer: 4
    # Attention variants. "gqa" covers multi-head (kv_heads = heads), grouped-query and
    # multi-query (kv_heads = 1) attention. "mla" is DeepSeek's multi-head latent
    # attention: the cache holds one compressed latent of `kv_lora_rank` plus one
    # decoupled RoPE key of `qk_rope_dim` per token and layer (DeepSeek-V2, Table 1).
    attention: str = "gqa"
    q_lora_rank: int = 0  # 0: queries projected directly from the hidden state
    kv_lora_rank: int = 0
    qk_rope_dim: int = 0
    qk_nope_dim: int = 0
    v_head_dim: int = 0
    # Sliding-window attention: `local_layers` of the layers attend to (and cache) only
    # the last `sliding_window` tokens; the others attend to the whole context.
    sliding_window: int = 0
    local_layers: int = 0

    @property
    def hd(self) -> int:
        if self.attention == "mla":
            return self.qk_nope_dim + self.qk_rope_dim
        return self.head_dim or self.hidden // self.heads

    # -- parameter counting (every weight and bias, from the architecture) --
    def _attn_params(self) -> int:
        if self.attention == "mla":
            qk = self.qk_nope_dim + self.qk_rope_dim
            if self.q_lora_rank:
                q = self.hidden * self.q_lora_rank + self.q_lora_rank + self.q_lora_rank * self.heads * qk
            else:
                q = self.hidden * self.heads * qk
            kv = (self.hidden * (self.kv_lora_rank + self.qk_rope_dim) + self.kv_lora_rank
                  + self.kv_lora_rank * self.heads * (self.qk_nope_dim + self.v_head_dim))
            return q + kv + self.heads * self.v_head_dim * self.hidden
        q_out, kv_out = self.heads * self.hd, self.kv_heads * self.hd
        p = self.hidden * q_out + 2 * self.hidden * kv_out + q_out * self.hidden
        if self.bias:
            p += q_out + 2 * kv_out + self.hidden
        return p

    def _ffn_params(self, width: int) -> int:
        mats = 2 if self.ffn_type == "gelu" else 3  # swiglu / geglu: gate, up, down
        p = mats * self.hidden * width
        if self.bias:
            p += width * (mats - 1) + self.hidden
        return p

    def _expert_params(self) -> int:
        return self._ffn_params(self.expert_ffn or self.ffn)

    def _norm_params(self) -> int:
        return self.hidden * (2 if self.norm == "layer" else 1)

    def _layer_params(self, experts: int) -> int:
        """One mixture-of-experts (or, with one expert, dense) layer holding `experts`
        routed experts plus the shared ones."""
        router = self.hidden * self.experts if self.experts > 1 else 0
        return (self._attn_params() + (experts + self.shared_experts) * self._expert_params() + router
                + self.norms_per_layer * self._norm_params())

    def _dense_layer_params(self) -> int:
        return self._attn_params() + self._ffn_params(self.ffn) + self.norms_per_layer * self._norm_params()

    def _layers_params(self, experts: int) -> int:
        moe_layers = self.layers - self.dense_layers
        return self.dense_layers * self._dense_layer_params() + moe_layers * self._layer_params(experts)

    @cached_property
    def routed_expert_params(self) -> int:
        """Weights of all routed experts (0 for a dense model): memory holds them all,
        a token touches `active_experts` of them per layer."""
        if self.experts <= 1:
            return 0
        return (self.layers - self.dense_layers) * self.experts * self._expert_params()

    def _embedding_params(self) -> int:
        p = self.vocab * self.hidden
        if self.learned_positions:
            p += self.max_context * self.hidden
        p += self.token_types * self.hidden
        if self.token_types:  # BERT normalises the embedding sum
            p += self._norm_params()
        return p

    def _head_params(self) -> int:
        p = self._norm_params() if self.kind != "encoder" else 0  # final norm (decoders)
        if not self.tied_embeddings:
            p += self.vocab * self.hidden
        if self.pooler:
            p += self.hidden * self.hidden + self.hidden
        return p

    @cached_property
    def params(self) -> int:
        """Total parameters (all experts of a mixture-of-experts model)."""
        return self._embedding_params() + self._layers_params(self.experts) + self._head_params()

    @cached_property
    def active_params(self) -> int:
        """Parameters touched per token (top-k routed experts and the shared ones)."""
        return self._embedding_params() + self._layers_params(self.active_experts) + self._head_params()

    @cached_property
    def matmul_params(self) -> int:
        """Weights that take part in a matrix multiply per token: active parameters
        minus embedding lookups, plus the output projection (tied or not)."""
        lookups = self._embedding_params()
        head = 0 if not self.tied_embeddings else self.vocab * self.hidden
        return self.active_params - lookups + head

    def attention_flops_per_key(self) -> float:
        """FLOPs one query token spends per key it attends to, averaged over all layers
        (QK^T and AV, 2 per MAC): 4 x layers x heads x head_dim; MLA (computed without
        absorbing the up-projections): 2 x layers x heads x (qk_head_dim + v_head_dim)."""
        if self.attention == "mla":
            return 2.0 * self.layers * self.heads * (self.qk_nope_dim + self.qk_rope_dim + self.v_head_dim)
        return 4.0 * self.layers * self.heads * self.hd

    @property
    def global_fraction(self) -> float:
        """Share of layers that attend to the whole context (1 without sliding windows)."""
        if not self.sliding_window:
            return 1.0
        return (self.layers - self.local_layers) / self.layers

    def kv_context(self, context):
        """Tokens cached (and attended to) per layer at `context`, averaged over layers:
        g x C + (1 - g) x min(C, window), g the global-layer share. Floats or arrays."""
        check_positive("context", context, allow_zero=True)
        if not self.sliding_window:
            return context
        g = self.global_fraction
        return g * context + (1.0 - g) * _xp.minimum(context, float(self.sliding_window))

    def prefill_keys(self, seq_len):
        """Keys attended in total by a causal prefill of `seq_len` tokens, per layer
        averaged: sum over i = 1..S of kv_context(i) (S(S+1)/2 without windows)."""
        check_positive("seq_len", seq_len, allow_zero=True)
        full = seq_len * (seq_len + 1) / 2.0
        if not self.sliding_window:
            return full
        w = float(self.sliding_window)
        m = _xp.minimum(seq_len, w)
        windowed = m * (m + 1) / 2.0 + (seq_len - m) * w
        g = self.global_fraction
        return g * full + (1.0 - g) * windowed

    def forward_flops_per_token(self, context: float = 0.0) -> float:
        """Forward FLOPs for one token attending to `context` keys: 2 per MAC."""
        return 2.0 * self.matmul_params + self.attention_flops_per_key() * self.kv_context(context)

    def kv_elements_per_token(self) -> float:
        """Cached elements per token over all layers at full context:
        GQA/MHA/MQA 2 (K and V) x layers x kv_heads x head_dim;
        MLA layers x (kv_lora_rank + qk_rope_dim) (DeepSeek-V2, Table 1)."""
        if self.attention == "mla":
            return float(self.layers * (self.kv_lora_rank + self.qk_rope_dim))
        return 2.0 * self.layers * self.kv_heads * self.hd

    def kv_bytes_per_token(self, bytes_per_element: float) -> float:
        """Bytes one more token adds to the cache when every layer keeps it (the
        per-token figure papers quote): kv_elements_per_token x bytes."""
        check_positive("bytes_per_element", bytes_per_element)
        return self.kv_elements_per_token() * bytes_per_element

    def kv_bytes(self, context, bytes_per_element: float):
        """KV cache of one sequence at `context` tokens: per-token bytes x kv_context
        (sliding-window layers keep at most `sliding_window` tokens)."""
        return self.kv_bytes_per_token(bytes_per_element) * self.kv_context(context)


@dataclass(frozen=True)
class Model:
    """A non-transformer model given by its parameter and MAC counts."""

    id: str
    name: str
    params: float
    macs: float  # multiply-accumulates per inference (one sample)
    input_desc: str
    sources: tuple
    activation_elements: float = 0.0  # peak live activation elements (batch 1), if known
    kind: str = "cnn"
    notes: str = ""
    layers: int = 0  # weight layers (conv + fully connected): one fused kernel each when deployed

    @property
    def active_params(self) -> float:
        return self.params

    @property
    def flops(self) -> float:
        """FLOPs per inference, 2 per multiply-accumulate."""
        return 2.0 * self.macs


def mlp(id: str, name: str, sizes: list[int], sources, notes: str = "") -> Model:
    """A fully connected network from its layer widths: params and MACs computed."""
    import numbers

    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__") or len(list(sizes)) < 2 or not all(
            isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= 1 for x in sizes):
        raise PhysicsError(f"sizes must be a list of at least 2 integer layer widths >= 1, got {sizes!r}")
    sizes = list(sizes)
    macs = sum(a * b for a, b in zip(sizes, sizes[1:]))
    params = macs + sum(sizes[1:])
    return Model(id=id, name=name, params=params, macs=macs, input_desc=f"{sizes[0]} features",
                 sources=tuple(sources), activation_elements=max(sizes) * 2, kind="mlp", notes=notes,
                 layers=len(sizes) - 1)


LLAMA2 = "Touvron et al. 2023, 'Llama 2' (arXiv:2307.09288), Table 1 and the released config.json"
LLAMA3 = "Dubey et al. 2024, 'The Llama 3 Herd of Models' (arXiv:2407.21783), Table 3"
GEMMA2 = "Gemma Team 2024, 'Gemma 2: Improving Open Language Models at a Practical Size' (arXiv:2408.00118), Tables 1-2"


def _t(**kw) -> Transformer:
    kw["sources"] = tuple(kw["sources"])
    return Transformer(**kw)


_TRANSFORMERS = [
    _t(id="gpt2-small", name="GPT-2 small (124M)", layers=12, hidden=768, heads=12, kv_heads=12, ffn=3072,
       vocab=50257, max_context=1024, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True,
       learned_positions=True, published_params=124e6,
       sources=["Radford et al. 2019, 'Language Models are Unsupervised Multitask Learners'; 124M per the released checkpoint"]),
    _t(id="gpt2-xl", name="GPT-2 XL (1.5B)", layers=48, hidden=1600, heads=25, kv_heads=25, ffn=6400,
       vocab=50257, max_context=1024, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True,
       learned_positions=True, published_params=1.558e9,
       sources=["Radford et al. 2019, Table 2 (1542M; 1558M counting the released checkpoint)"]),
    _t(id="bert-base", name="BERT-Base", layers=12, hidden=768, heads=12, kv_heads=12, ffn=3072, vocab=30522,
       max_context=512, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True, learned_positions=True,
       token_types=2, pooler=True, kind="encoder", published_params=110e6,
       sources=["Devlin et al. 2019, 'BERT' (NAACL), Section 3: 110M"]),
    _t(id="bert-large", name="BERT-Large", layers=24, hidden=1024, heads=16, kv_heads=16, ffn=4096, vocab=30522,
       max_context=512, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True, learned_positions=True,
       token_types=2, pooler=True, kind="encoder", published_params=340e6,
       sources=["Devlin et al. 2019, 'BERT' (NAACL), Section 3: 340M"]),
    _t(id="distilbert", name="DistilBERT", layers=6, hidden=768, heads=12, kv_heads=12, ffn=3072, vocab=30522,
       max_context=512, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True, learned_positions=True,
       kind="encoder", published_params=66e6,
       sources=["Sanh et al. 2019, 'DistilBERT' (NeurIPS EMC2 workshop), Table 3: 66M; BERT-Base halved in depth, "
                "no token-type embeddings or pooler"]),
    _t(id="llama2-7b", name="Llama 2 7B", layers=32, hidden=4096, heads=32, kv_heads=32, ffn=11008, vocab=32000,
       max_context=4096, published_params=6.74e9, sources=[LLAMA2]),
    _t(id="llama2-13b", name="Llama 2 13B", layers=40, hidden=5120, heads=40, kv_heads=40, ffn=13824, vocab=32000,
       max_context=4096, published_params=13.02e9, sources=[LLAMA2]),
    _t(id="llama2-70b", name="Llama 2 70B", layers=80, hidden=8192, heads=64, kv_heads=8, ffn=28672, vocab=32000,
       max_context=4096, published_params=68.98e9, sources=[LLAMA2]),
    _t(id="llama3-8b", name="Llama 3 / 3.1 8B", layers=32, hidden=4096, heads=32, kv_heads=8, ffn=14336, vocab=128256,
       max_context=131072, published_params=8.03e9, sources=[LLAMA3, "8.03B per the released Llama 3.1 8B checkpoint"]),
    _t(id="llama3-70b", name="Llama 3 / 3.1 / 3.3 70B", layers=80, hidden=8192, heads=64, kv_heads=8, ffn=28672,
       vocab=128256, max_context=131072, published_params=70.55e9,
       sources=[LLAMA3, "70.55B per the released Llama 3.1 70B checkpoint"]),
    _t(id="llama3-405b", name="Llama 3.1 405B", layers=126, hidden=16384, heads=128, kv_heads=8, ffn=53248,
       vocab=128256, max_context=131072, published_params=405e9, sources=[LLAMA3]),
    _t(id="mistral-7b", name="Mistral 7B v0.1 (sliding window 4096)", layers=32, hidden=4096, heads=32, kv_heads=8,
       ffn=14336, vocab=32000, max_context=32768, published_params=7.24e9, sliding_window=4096, local_layers=32,
       sources=["Jiang et al. 2023, 'Mistral 7B' (arXiv:2310.06825), Table 1 (window_size 4096) and section 2 "
                "(rolling buffer cache: 8x less cache memory at 32k tokens); 7.24B per the released checkpoint",
                "max_context 32768: max_position_embeddings of the released v0.1 config.json (Table 1 trains at 8192)"]),
    _t(id="mixtral-8x7b", name="Mixtral 8x7B (MoE, top-2 of 8)", layers=32, hidden=4096, heads=32, kv_heads=8,
       ffn=14336, vocab=32000, max_context=32768, experts=8, active_experts=2, published_params=46.7e9,
       sources=["Jiang et al. 2024, 'Mixtral of Experts' (arXiv:2401.04088): 47B total, 13B active per token"]),
    _t(id="gpt3-175b", name="GPT-3 175B", layers=96, hidden=12288, heads=96, kv_heads=96, ffn=49152, vocab=50257,
       max_context=2048, ffn_type="gelu", norm="layer", bias=True, tied_embeddings=True, learned_positions=True,
       published_params=175e9, sources=["Brown et al. 2020, 'Language Models are Few-Shot Learners', Table 2.1"]),
    _t(id="tinyllama-1.1b", name="TinyLlama 1.1B", layers=22, hidden=2048, heads=32, kv_heads=4, ffn=5632, vocab=32000,
       max_context=2048, published_params=1.1e9, sources=["Zhang et al. 2024, 'TinyLlama' (arXiv:2401.02385), Table 1"]),
    _t(id="gemma2-2b", name="Gemma 2 2B (alternating local/global attention)", layers=26, hidden=2304, heads=8,
       kv_heads=4, head_dim=256, ffn=9216, ffn_type="geglu", vocab=256128, max_context=8192, tied_embeddings=True,
       norms_per_layer=4, sliding_window=4096, local_layers=13, published_params=2_614_636_800,
       sources=[GEMMA2 + ": d_model 2304, 26 layers, feedforward 18432 (= 2 x 9216, GeGLU), 8 heads, 4 KV heads, "
                "head size 256, sliding window 4096 every other layer, global span 8192; embedding 590,118,912 + "
                "non-embedding 2,024,517,888 parameters"]),
    _t(id="gemma2-9b", name="Gemma 2 9B (alternating local/global attention)", layers=42, hidden=3584, heads=16,
       kv_heads=8, head_dim=256, ffn=14336, ffn_type="geglu", vocab=256128, max_context=8192, tied_embeddings=True,
       norms_per_layer=4, sliding_window=4096, local_layers=21, published_params=9_242_164_736,
       sources=[GEMMA2 + ": d_model 3584, 42 layers, feedforward 28672 (= 2 x 14336, GeGLU), 16 heads, 8 KV heads, "
                "head size 256, sliding window 4096 every other layer, global span 8192; embedding 917,962,752 + "
                "non-embedding 8,324,201,984 parameters"]),
    _t(id="deepseek-llm-67b", name="DeepSeek LLM 67B (GQA)", layers=95, hidden=8192, heads=64, kv_heads=8, ffn=22016,
       vocab=102400, max_context=4096, published_params=67e9,
       sources=["DeepSeek-AI 2024, 'DeepSeek LLM' (arXiv:2401.02954), Table 2: 95 layers, d_model 8192, 64 heads, "
                "8 KV heads, 4096 context; ffn 22016 and vocab 102400 per the released config.json"]),
    _t(id="deepseek-v2", name="DeepSeek-V2 (MoE, MLA; 236B total, 21B active)", layers=60, hidden=5120, heads=128,
       kv_heads=128, ffn=12288, vocab=102400, max_context=131072, attention="mla", q_lora_rank=1536,
       kv_lora_rank=512, qk_rope_dim=64, qk_nope_dim=128, v_head_dim=128, experts=160, active_experts=6,
       shared_experts=2, expert_ffn=1536, dense_layers=1, published_params=236e9,
       sources=["DeepSeek-AI 2024, 'DeepSeek-V2' (arXiv:2405.04434), section 3.1 and Table 1: d_c = 512 = 4 d_h, "
                "d_h^R = 64, KV cache (d_c + d_h^R) l elements per token; 60 layers, 128 heads, 2 shared + 160 routed "
                "experts (6 active) of width 1536, first layer dense; 236B total, 21B active",
                "q_lora_rank 1536, dense ffn 12288, vocab 102400: the released config.json"]),
    _t(id="deepseek-v3", name="DeepSeek-V3 (MoE, MLA; 671B total, 37B active)", layers=61, hidden=7168, heads=128,
       kv_heads=128, ffn=18432, vocab=129280, max_context=131072, attention="mla", q_lora_rank=1536,
       kv_lora_rank=512, qk_rope_dim=64, qk_nope_dim=128, v_head_dim=128, experts=256, active_experts=8,
       shared_experts=1, expert_ffn=2048, dense_layers=3, published_params=671e9,
       sources=["DeepSeek-AI 2024, 'DeepSeek-V3 Technical Report' (arXiv:2412.19437), section 4.2: 61 layers, "
                "hidden 7168, 128 heads of 128, d_c 512, d'_c 1536, decoupled RoPE 64, 1 shared + 256 routed experts "
                "(8 active) of width 2048, first three layers dense; 671B total, 37B active (the 14B multi-token "
                "prediction module is not counted)", "dense ffn 18432, vocab 129280: the released config.json"]),
    _t(id="phi3-mini", name="Phi-3-mini 3.8B", layers=32, hidden=3072, heads=32, kv_heads=32, ffn=8192, vocab=32064,
       max_context=4096, published_params=3.8e9, sources=["Abdin et al. 2024, 'Phi-3 Technical Report' (arXiv:2404.14219)"]),
]

TIMM = "PyTorch torchvision model documentation (ImageNet weights table: params, GFLOPS = GMACs)"
MLPERF_TINY = "Banbury et al. 2021, 'MLPerf Tiny Benchmark' (NeurIPS Datasets and Benchmarks), Table 1"

_MODELS = [
    Model(id="resnet18", name="ResNet-18", params=11.69e6, macs=1.81e9, input_desc="224x224x3 image",
          activation_elements=0.8e6, layers=21,
          sources=(TIMM, "He et al. 2016 (CVPR), Table 1: 1.8e9 multiply-adds; 17 conv + 1 fc + 3 projection "
                         "shortcuts = 21 weight layers")),
    Model(id="resnet50", name="ResNet-50", params=25.56e6, macs=4.09e9, input_desc="224x224x3 image",
          activation_elements=3.2e6,
          layers=54,
          sources=(TIMM, "He et al. 2016 (CVPR), Table 1: 3.8e9 multiply-adds (v1); torchvision v1.5: 4.09 GMACs; "
                         "49 conv + 1 fc + 4 projection shortcuts = 54 weight layers")),
    Model(id="mobilenetv2", name="MobileNetV2 1.0", params=3.50e6, macs=300e6, input_desc="224x224x3 image",
          activation_elements=1.2e6, layers=53,
          sources=("Sandler et al. 2018 (CVPR), Table 4: 3.4M params, 300M MACs; Table 2: stem + 17 bottlenecks "
                   "(2 or 3 convs each) + 1x1 conv + classifier = 53 weight layers", TIMM)),
    Model(id="efficientnet-b0", name="EfficientNet-B0", params=5.3e6, macs=390e6, input_desc="224x224x3 image",
          activation_elements=1.6e6, layers=82,
          sources=("Tan & Le 2019 (ICML), Table 2: 5.3M params, 0.39B FLOPS (multiply-adds); stem + 16 MBConv "
                   "blocks (expand, depthwise, 2 squeeze-excite, project) + head + classifier = 82 weight layers",)),
    Model(id="yolov8n", name="YOLOv8n", params=3.2e6, macs=4.35e9, input_desc="640x640x3 image",
          activation_elements=6.6e6, layers=64,
          sources=("Ultralytics YOLOv8 documentation: 3.2M params, 8.7 GFLOPs at 640 (= 4.35 GMACs)",
                   "64 conv layers: estimate from the yolov8n.yaml backbone, neck and detect head")),
    Model(id="alexnet", name="AlexNet", params=61e6, macs=0.72e9, input_desc="224x224x3 image", layers=8,
          sources=("Han, Mao & Dally 2016 (ICLR), 'Deep Compression', Table 1: 61M params, 240 MB", TIMM)),
    Model(id="vgg16", name="VGG-16", params=138e6, macs=15.5e9, input_desc="224x224x3 image", layers=16,
          sources=("Han, Mao & Dally 2016 (ICLR), Table 1: 138M params, 552 MB", TIMM)),
    Model(id="ds-cnn-kws", name="DS-CNN keyword spotting (MLPerf Tiny KWS)", params=38.6e3, macs=5.4e6,
          input_desc="49x10 MFCC features", activation_elements=16e3, kind="tiny", layers=10,
          sources=("Zhang et al. 2017, 'Hello Edge: Keyword Spotting on Microcontrollers', Table 7 (DS-CNN S: 38.6K params, 5.4M ops); conv + 4 x (depthwise + pointwise) + fc = 10 layers",
                   MLPERF_TINY)),
    Model(id="mobilenetv1-vww", name="MobileNetV1 0.25 visual wake words (MLPerf Tiny VWW)", params=0.221e6, macs=7.5e6,
          input_desc="96x96x3 image", activation_elements=55e3, kind="tiny", layers=28,
          sources=(MLPERF_TINY, "Chowdhery et al. 2019, 'Visual Wake Words Dataset' (MobileNetV1 0.25, 96x96); "
                   "MobileNetV1: conv + 13 x (depthwise + pointwise) + fc = 28 layers (Howard et al. 2017, Table 1)")),
    Model(id="resnet8-cifar", name="ResNet-8 image classification (MLPerf Tiny IC)", params=78e3, macs=12.5e6,
          input_desc="32x32x3 image", activation_elements=16e3, kind="tiny", layers=10,
          sources=(MLPERF_TINY, "layers: conv + 3 stacks x 2 conv + 2 projection convs + fc = 10 (MLPerf Tiny IC reference)")),
    mlp("anomaly-mlp", "Fully connected autoencoder anomaly detector (MLPerf Tiny AD)",
        [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640],
        [MLPERF_TINY, "architecture: MLPerf Tiny AD reference (DCASE 2020 Task 2 baseline autoencoder)"]),
]

WORKLOADS: dict = {m.id: m for m in _TRANSFORMERS + _MODELS}
TRANSFORMERS = {m.id: m for m in _TRANSFORMERS}


def get_workload(model_id):
    """Look up a workload by id (a workload object passes through unchanged)."""
    if isinstance(model_id, (Transformer, Model)):
        return model_id
    try:
        return WORKLOADS[model_id]
    except (KeyError, TypeError):
        raise UnknownIdError("model", str(model_id), WORKLOADS) from None


def get_transformer(model_id) -> Transformer:
    m = get_workload(model_id)
    if not isinstance(m, Transformer):
        raise PhysicsError(f"model {m.id!r} is a {m.kind}, not a transformer: LLM serving needs one of "
                           f"{', '.join(TRANSFORMERS)}")
    return m
