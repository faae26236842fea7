"""PyTorch baseline for bench/gpu.ts: the same LoRA training step (decoder with LoRA on all 7
linear layers of every layer, AdamW, grad-norm clip 1.0) on the same model shapes and token
counts, in eager mode, float32 and bfloat16, on the GPU when torch sees one (else the CPU: the
dry run). Random weights, as on the Prism side.

The model is transformers' own (AutoModelForCausalLM.from_config, SDPA attention) when
transformers imports, else a plain-torch Llama/Qwen2 decoder below (same names: q_proj … down_proj);
LoRA is PEFT's (get_peft_model, LoraConfig) when peft imports, else a plain LoRA wrapper with PEFT's
math (x·Aᵀ·Bᵀ·alpha/r, A Kaiming-uniform, B zero). Each result line says which ran.

Usage: python3 bench/gpu_torch.py JOB.json → one JSON line per (model, tokens, dtype), then {"done": true}
JOB = {"models": [{"name", "config": HF config dict}], "seqs": [512, 1024], "dtypes": ["float32", "bfloat16"],
       "r", "lora_alpha", "steps", "warmup"}
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        return (self.weight.float() * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps))).to(x.dtype)


class Layer(nn.Module):
    def __init__(self, c, hd):
        super().__init__()
        H, I, nh, nkv = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
        bias = bool(c.get("attention_bias", c.get("model_type") == "qwen2"))
        self.nh, self.nkv, self.hd = nh, nkv, hd
        self.q_proj = nn.Linear(H, nh * hd, bias=bias)
        self.k_proj = nn.Linear(H, nkv * hd, bias=bias)
        self.v_proj = nn.Linear(H, nkv * hd, bias=bias)
        self.o_proj = nn.Linear(nh * hd, H, bias=False)
        self.gate_proj = nn.Linear(H, I, bias=False)
        self.up_proj = nn.Linear(H, I, bias=False)
        self.down_proj = nn.Linear(I, H, bias=False)
        self.input_layernorm = RMSNorm(H, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(H, c["rms_norm_eps"])

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(B, T, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(h).view(B, T, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(h).view(B, T, self.nkv, self.hd).transpose(1, 2)

        def rot(t):
            half = t.shape[-1] // 2
            return torch.cat((-t[..., half:], t[..., :half]), -1)

        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k = k.repeat_interleave(self.nh // self.nkv, 1)
        v = v.repeat_interleave(self.nh // self.nkv, 1)
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch < 2.0 (Debian's, for the dry run)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd)
            causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            o = torch.softmax(s.float().masked_fill(~causal, float("-inf")), -1).to(v.dtype) @ v
        x = x + self.o_proj(o.transpose(1, 2).reshape(B, T, self.nh * self.hd))
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Decoder(nn.Module):
    """Llama / Qwen2 decoder (RMSNorm, RoPE, GQA, SwiGLU, tied or untied head) in plain torch."""

    def __init__(self, c):
        super().__init__()
        H, V = c["hidden_size"], c["vocab_size"]
        self.hd = c.get("head_dim") or H // c["num_attention_heads"]
        self.theta = c.get("rope_theta", 10000.0)
        self.embed_tokens = nn.Embedding(V, H)
        self.layers = nn.ModuleList(Layer(c, self.hd) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(H, c["rms_norm_eps"])
        self.lm_head = nn.Linear(H, V, bias=False)
        if c.get("tie_word_embeddings"):
            self.lm_head.weight = self.embed_tokens.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, labels):
        T = input_ids.shape[1]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, device=input_ids.device).float() / self.hd))
        f = torch.arange(T, device=input_ids.device).float()[:, None] * inv
        emb = torch.cat((f, f), -1)
        x = self.embed_tokens(input_ids)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        for layer in self.layers:
            x = layer(x, cos, sin)
        logits = self.lm_head(self.norm(x)).float()
        return F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100
        )


class LoRALinear(nn.Module):
    """PEFT's LoRA on one nn.Linear: base(x) + (x·Aᵀ)·Bᵀ·alpha/r, A Kaiming-uniform, B = 0."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.scale = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=base.weight.dtype, device=base.weight.device))
        self.lora_B = nn.Parameter(
            torch.zeros(base.out_features, r, dtype=base.weight.dtype, device=base.weight.device)
        )
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T) @ self.lora_B.T * self.scale


def build(c, dt, dev):
    """(model, forward(ids, labels) → loss, description)."""
    try:
        import transformers

        cfg = transformers.AutoConfig.for_model(**c)
        cfg._attn_implementation = "sdpa"
        torch.manual_seed(0)
        model = transformers.AutoModelForCausalLM.from_config(cfg).to(device=dev, dtype=dt)
        model.config.use_cache = False
        what = f"transformers {transformers.__version__} {type(model).__name__} (sdpa)"
        return model, (lambda m, ids, labels: m(input_ids=ids, labels=labels).loss), what
    except ImportError:
        torch.manual_seed(0)
        model = Decoder(c).to(device=dev, dtype=dt)
        return model, (lambda m, ids, labels: m(ids, labels)), "plain-torch decoder (transformers not importable)"


def add_lora(model, r, alpha):
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        import peft

        cfg = peft.LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, target_modules=TARGETS, bias="none")
        return peft.get_peft_model(model, cfg), f"peft {peft.__version__}"
    except ImportError:
        for name, mod in list(model.named_modules()):
            for t in TARGETS:
                child = getattr(mod, t, None)
                if isinstance(child, nn.Linear):
                    setattr(mod, t, LoRALinear(child, r, alpha))
        return model, "plain-torch LoRA (peft not importable; PEFT's math)"


def run(job, spec, T, dtype, dev):
    dt = torch.bfloat16 if dtype == "bfloat16" else torch.float32
    model, fwd, model_desc = build(spec["config"], dt, dev)
    model, lora_desc = add_lora(model, job["r"], job["lora_alpha"])
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    V = spec["config"]["vocab_size"]
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, V, (1, T), generator=g).to(dev)
    labels = ids.clone()
    labels[:, : T // 4] = -100

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def step():
        loss = fwd(model, ids, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(job["warmup"]):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(job["steps"]):
        loss = step()
    sync()
    sec = (time.perf_counter() - t0) / job["steps"]
    out = {
        "model": spec["name"], "tokens": T, "dtype": dtype, "seconds_per_step": sec, "tokens_per_second": T / sec,
        "loss": float(loss), "trainable": sum(p.numel() for p in params), "impl": model_desc, "lora": lora_desc,
        "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu", "torch": torch.__version__,
        "tf32": torch.backends.cuda.matmul.allow_tf32,
    }
    del model, opt, params
    if dev.type == "cuda":
        out["peak_memory_bytes"] = torch.cuda.max_memory_allocated()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    return out


def main():
    job = json.load(open(sys.argv[1]))
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    for spec in job["models"]:
        for T in job["seqs"]:
            for dtype in job["dtypes"]:
                try:
                    res = run(job, spec, T, dtype, dev)
                except Exception as e:  # one failed configuration (e.g. out of memory) must not hide the others
                    error = f"{type(e).__name__}: {e}"[:300]
                    res = {"model": spec["name"], "tokens": T, "dtype": dtype, "error": error}
                print(json.dumps(res), flush=True)
    print(json.dumps({"done": True}), flush=True)


if __name__ == "__main__":
    main()
