"""Independent reference for Prism's decoder: Hugging Face semantics in plain PyTorch.

Reads a Hugging Face model folder (config.json + model.safetensors or its shards, parsed here from the
safetensors spec, not by Prism's code), optionally a PEFT LoRA adapter, runs the forward in
float32 and, when labels are given, the loss and autograd gradients of every LoRA weight.
Semantics follow transformers' modelling code (and InternLM2's remote modeling_internlm2.py):
- Llama / Qwen2 / Qwen3 / Mistral: RMSNorm in float32, rotate-half RoPE (llama3 scaling), GQA by
  repeating kv heads, Qwen2 q/k/v bias, Qwen3 per-head q/k RMSNorm before RoPE, tied embeddings,
  SwiGLU MLP, Mistral's sliding window;
- SmolLM3: no RoPE on the layers whose no_rope_layers entry is 0;
- Phi-3: fused qkv_proj (q | k | v rows) and gate_up_proj (gate | up), RoPE on the first
  head_dim·partial_rotary_factor dims, LongRoPE (short factors up to
  original_max_position_embeddings, long beyond, cos/sin times the attention factor), sliding window;
- Gemma 2/3: RMSNorm scaling by (1 + w), embeddings times √hidden (float32), norms before and
  after attention and the MLP, GELU-tanh, scale query_pre_attn_scalar^-0.5, attention-logit and
  final-logit soft caps (cap·tanh(x/cap)), sliding window on the "sliding_attention" layers;
  Gemma 3 also q/k norm, the local RoPE base on sliding layers and linear rope scaling on the
  global ones; Gemma3ForConditionalGeneration: the language model under language_model.model.
  (or model.language_model.), no final soft cap;
- InternLM2: wqkv rows grouped per kv head (its query heads, then key, then value), wo, w1/w3/w2,
  attention_norm/ffn_norm, tok_embeddings/output, dynamic NTK RoPE past max_position_embeddings.
The causal-LM loss shifts labels left by one and ignores -100 (mean over the kept tokens); with
loss_scale, ms-swift's weighted loss (swift/trainers/seq2seq_trainer.py compute_loss): per-token CE
times loss_scale shifted the same way, summed, divided by the number of kept tokens.
Packed rows: attention is causal within tokens of the same sequence id only.

Usage: /usr/bin/python3 hf_reference.py JOB.json   (one JOB object, or a list of them: one spawn)
JOB = {
  "model": "DIR",                     # HF folder
  "adapter": "DIR" | null,            # PEFT folder (adapter_config.json + adapter_model.safetensors)
  "lora": {"r", "lora_alpha", "use_rslora", "target_modules", "seed"} | null,
                                      #  ...or fresh LoRA weights drawn here (B non-zero so grads are not trivial)
  "input_ids": [[...]], "position_ids": [[...]] | null, "seq_ids": [[...]] | null,
  "labels": [[...]] | null,
  "loss_scale": [[...]] | null,         # per-token weights, unshifted like labels
  "out": "FILE.safetensors"           # writes logits [B,T,V] f32, loss [1], grad.<peft key> for every LoRA weight,
                                      # and the LoRA weights used, under their PEFT keys
}
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
          "I64": (torch.int64, 8), "I32": (torch.int32, 4)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, size = DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start:base + end])
        t = torch.frombuffer(buf, dtype=dtype) if len(buf) else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).to(torch.float32) if dtype.is_floating_point else t.reshape(info["shape"])
    return out


def read_folder(d):
    """model.safetensors, or every shard model.safetensors.index.json lists (transformers' layout)."""
    import os
    if os.path.exists(f"{d}/model.safetensors"):
        return read_safetensors(f"{d}/model.safetensors")
    with open(f"{d}/model.safetensors.index.json") as f:
        index = json.load(f)
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(f"{d}/{shard}"))
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        b = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# transformers' config-class defaults for the fields the tiny and real configs may omit.
DEFAULTS = {
    "Gemma2ForCausalLM": {"head_dim": 256, "query_pre_attn_scalar": 256, "sliding_window": 4096, "rope_theta": 10000.0,
                          "final_logit_softcapping": 30.0, "attn_logit_softcapping": 50.0, "tie_word_embeddings": True},
    "Gemma3ForCausalLM": {"head_dim": 256, "query_pre_attn_scalar": 256, "sliding_window": 4096,
                          "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0, "sliding_window_pattern": 6,
                          "tie_word_embeddings": True, "num_attention_heads": 8, "num_key_value_heads": 4,
                          "vocab_size": 262208, "rms_norm_eps": 1e-6,
                          "final_logit_softcapping": None, "attn_logit_softcapping": None},
    "SmolLM3ForCausalLM": {"tie_word_embeddings": True, "rope_theta": 2000000.0, "no_rope_layer_interval": 4},
    "Phi3ForCausalLM": {"rms_norm_eps": 1e-5},
    "InternLM2ForCausalLM": {},
}
FUSED_PARENTS = {"qkv_proj": "self_attn", "gate_up_proj": "mlp", "wqkv": "attention", "wo": "attention",
                 "w1": "feed_forward", "w2": "feed_forward", "w3": "feed_forward"}


def parent_of(mod):
    if mod in FUSED_PARENTS:
        return FUSED_PARENTS[mod]
    return "self_attn" if mod in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"


def load_config(folder):
    cfg = json.load(open(f"{folder}/config.json"))
    arch = cfg["architectures"][0]
    if arch == "Gemma3ForConditionalGeneration":
        text = dict(cfg.get("text_config") or {})
        for k in ("bos_token_id", "eos_token_id", "pad_token_id"):
            text.setdefault(k, cfg.get(k))
        return "Gemma3ForConditionalGeneration", {**DEFAULTS["Gemma3ForCausalLM"], **text}
    return arch, {**DEFAULTS.get(arch, {}), **cfg}


def rms_norm(x, weight, eps, unit_offset=False):
    x32 = x.to(torch.float32)
    var = x32.pow(2).mean(-1, keepdim=True)
    if unit_offset:  # Gemma: output * (1.0 + weight.float())
        return (x32 * torch.rsqrt(var + eps)) * (1.0 + weight)
    return weight * (x32 * torch.rsqrt(var + eps))


def default_inv_freq(theta, dim):
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).to(torch.float32) / dim))


def inv_freq_for(cfg, dim, theta, rs, seq_len):
    """inv_freq and the cos/sin scale of one RoPE for a forward whose positions reach seq_len - 1."""
    inv = default_inv_freq(theta, dim)
    kind = rs.get("rope_type", rs.get("type")) if rs else None
    if kind == "linear":
        return inv / rs["factor"], 1.0
    if kind == "dynamic":
        # InternLM2DynamicNTKScalingRotaryEmbedding: a larger base once seq_len passes max_position_embeddings.
        maxp = cfg["max_position_embeddings"]
        if seq_len > maxp:
            f = rs["factor"]
            base = theta * ((f * torch.tensor(seq_len, dtype=torch.float32) / maxp) - (f - 1)) ** (dim / (dim - 2))
            inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        return inv, 1.0
    if kind == "longrope":
        orig = (
            cfg.get("original_max_position_embeddings")
            or rs.get("original_max_position_embeddings")
            or cfg["max_position_embeddings"]
        )
        if cfg.get("original_max_position_embeddings"):
            factor = cfg["max_position_embeddings"] / orig
        else:
            factor = rs.get("factor", 1.0)
        af = rs.get("attention_factor")
        if af is None:
            af = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        ext = torch.tensor(rs["long_factor"] if seq_len > orig else rs["short_factor"], dtype=torch.float32)
        shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
        return 1.0 / (ext * theta ** shape), af
    if kind == "llama3":
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / lo, old / hi
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, scaled), 1.0
    if kind not in (None, "default"):
        raise SystemExit(f"unsupported rope_scaling {rs}")
    return inv, 1.0


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs if isinstance(jobs, list) else [jobs]:
        run(job)


def run(job):
    arch, cfg = load_config(job["model"])
    W = read_folder(job["model"])
    H, L = cfg["hidden_size"], cfg["num_hidden_layers"]
    nh, nkv = cfg["num_attention_heads"], cfg.get("num_key_value_heads") or cfg["num_attention_heads"]
    hd = cfg.get("head_dim") or H // nh
    eps = cfg["rms_norm_eps"]
    gemma = arch.startswith("Gemma")
    internlm = arch == "InternLM2ForCausalLM"
    phi3 = arch == "Phi3ForCausalLM"
    qkv_bias = arch == "Qwen2ForCausalLM" or (not gemma and not internlm and cfg.get("attention_bias", False))
    qk_norm = arch in ("Qwen3ForCausalLM", "Gemma3ForCausalLM", "Gemma3ForConditionalGeneration")
    act = cfg.get("hidden_activation") or cfg.get("hidden_act") if gemma else cfg.get("hidden_act", "silu")
    if arch == "Gemma3ForConditionalGeneration":
        pre = "language_model.model." if "language_model.model.embed_tokens.weight" in W else "model.language_model."
        peft_layers = "model.language_model.layers"
    else:
        pre, peft_layers = "model.", "model.layers"

    # LoRA weights: from a PEFT adapter, or drawn here.
    lora, scaling, targets = {}, 0.0, []
    if job.get("adapter"):
        acfg = json.load(open(f"{job['adapter']}/adapter_config.json"))
        A = read_safetensors(f"{job['adapter']}/adapter_model.safetensors")
        r, alpha = acfg["r"], acfg["lora_alpha"]
        scaling = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
        targets = acfg["target_modules"]
        lora = {k: v.clone().requires_grad_(True) for k, v in A.items()}
    elif job.get("lora"):
        spec = job["lora"]
        r, alpha = spec["r"], spec["lora_alpha"]
        scaling = alpha / math.sqrt(r) if spec.get("use_rslora") else alpha / r
        targets = spec["target_modules"]
        g = torch.Generator().manual_seed(spec.get("seed", 0))
        for i in range(L):
            for mod in targets:
                grp = parent_of(mod)
                w = W[f"{pre}layers.{i}.{grp}.{mod}.weight"]
                key = f"base_model.model.{peft_layers}.{i}.{grp}.{mod}"
                lora[f"{key}.lora_A.weight"] = (torch.randn(r, w.shape[1], generator=g) * 0.1).requires_grad_(True)
                lora[f"{key}.lora_B.weight"] = (torch.randn(w.shape[0], r, generator=g) * 0.1).requires_grad_(True)

    def linear(x, i, grp, mod, bias=False):
        w = W[f"{pre}layers.{i}.{grp}.{mod}.weight"]
        y = x @ w.T
        if bias:
            y = y + W[f"{pre}layers.{i}.{grp}.{mod}.bias"]
        key = f"base_model.model.{peft_layers}.{i}.{grp}.{mod}"
        if f"{key}.lora_A.weight" in lora:
            y = y + (x @ lora[f"{key}.lora_A.weight"].T) @ lora[f"{key}.lora_B.weight"].T * scaling
        return y

    def norm(x, name):
        return rms_norm(x, W[name], eps, unit_offset=gemma)

    ids = torch.tensor(job["input_ids"], dtype=torch.int64)
    B, T = ids.shape
    pos = torch.tensor(job["position_ids"]) if job.get("position_ids") else torch.arange(T).expand(B, T)
    seq = torch.tensor(job["seq_ids"]) if job.get("seq_ids") else torch.zeros(B, T, dtype=torch.int64)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None] & (seq[:, :, None] == seq[:, None, :])  # [B, Tq, Tk]
    i_, j_ = torch.arange(T)[:, None], torch.arange(T)[None, :]

    # Per layer: window (masking_utils' sliding_window_overlay: key j visible from query i when
    # i - j < window), RoPE (None, or theta + scaling), as each architecture decides them.
    window = cfg.get("sliding_window")
    if gemma:
        types = cfg.get("layer_types")
        if types is None:
            if arch == "Gemma2ForCausalLM":
                types = ["sliding_attention" if (k + 1) % 2 else "full_attention" for k in range(L)]
            else:
                pat = cfg["sliding_window_pattern"]
                types = ["sliding_attention" if (k + 1) % pat else "full_attention" for k in range(L)]
    elif arch == "MistralForCausalLM" and window:
        types = ["sliding_attention"] * L
    elif phi3 and window:
        types = ["sliding_attention"] * L
    else:
        types = ["full_attention"] * L
    no_rope = cfg.get("no_rope_layers") if arch == "SmolLM3ForCausalLM" else None
    if arch == "SmolLM3ForCausalLM" and no_rope is None:
        no_rope = [int((k + 1) % cfg["no_rope_layer_interval"] != 0) for k in range(L)]
    rot = int(hd * cfg.get("partial_rotary_factor", 1.0))
    seq_len = int(pos.max()) + 1

    def rope_tables(theta, rs):
        inv, att = inv_freq_for(cfg, rot, theta, rs, seq_len)
        freqs = pos[..., None].to(torch.float32) * inv  # [B, T, rot/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        return (emb.cos() * att)[:, :, None, :], (emb.sin() * att)[:, :, None, :]

    # transformers 5 writes rope_parameters: one dict, or one per layer type (Gemma 3).
    rp = cfg.get("rope_parameters")
    if rp and ("full_attention" in rp or "sliding_attention" in rp):
        g, l = rp.get("full_attention") or {}, rp.get("sliding_attention") or {}
        global_rope = rope_tables(g.get("rope_theta", cfg.get("rope_theta")), g)
        local_rope = rope_tables(l["rope_theta"], l) if arch.startswith("Gemma3") else None
    else:
        if rp:
            global_rope = rope_tables(rp.get("rope_theta", cfg.get("rope_theta", 10000.0)), rp)
        else:
            global_rope = rope_tables(cfg.get("rope_theta", 10000.0), cfg.get("rope_scaling"))
        local_rope = rope_tables(cfg["rope_local_base_freq"], None) if arch.startswith("Gemma3") else None

    def apply_rope(x, cs):
        cos, sin = cs
        xr, xp = x[..., :rot], x[..., rot:]
        return torch.cat((xr * cos + rotate_half(xr) * sin, xp), dim=-1)

    def act_fn(x):
        if act == "gelu_pytorch_tanh":
            return torch.nn.functional.gelu(x, approximate="tanh")
        return torch.nn.functional.silu(x)

    emb_name = f"{pre}tok_embeddings.weight" if internlm else f"{pre}embed_tokens.weight"
    x = W[emb_name][ids]
    if gemma:
        x = x * torch.tensor(H ** 0.5, dtype=torch.float32)
    scale = cfg["query_pre_attn_scalar"] ** -0.5 if gemma else hd ** -0.5
    softcap = cfg.get("attn_logit_softcapping") if gemma else None
    for i in range(L):
        p = f"{pre}layers.{i}"
        h = norm(x, f"{p}.attention_norm.weight" if internlm else f"{p}.input_layernorm.weight")
        if phi3:
            qkv = linear(h, i, "self_attn", "qkv_proj")
            q, k, v = qkv.split([nh * hd, nkv * hd, nkv * hd], dim=-1)
            q, k, v = q.view(B, T, nh, hd), k.view(B, T, nkv, hd), v.view(B, T, nkv, hd)
        elif internlm:
            qkv = linear(h, i, "attention", "wqkv").view(B, T, nkv, nh // nkv + 2, hd)
            q = qkv[..., : nh // nkv, :].reshape(B, T, nh, hd)
            k, v = qkv[..., -2, :], qkv[..., -1, :]
        else:
            q = linear(h, i, "self_attn", "q_proj", qkv_bias).view(B, T, nh, hd)
            k = linear(h, i, "self_attn", "k_proj", qkv_bias).view(B, T, nkv, hd)
            v = linear(h, i, "self_attn", "v_proj", qkv_bias).view(B, T, nkv, hd)
        if qk_norm:
            q = norm(q, f"{p}.self_attn.q_norm.weight")
            k = norm(k, f"{p}.self_attn.k_norm.weight")
        if no_rope is None or no_rope[i]:
            cs = local_rope if (local_rope is not None and types[i] == "sliding_attention") else global_rope
            q, k = apply_rope(q, cs), apply_rope(k, cs)
        rep = nh // nkv
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        s = torch.einsum("bqhd,bkhd->bhqk", q, k) * scale
        if softcap is not None:
            s = torch.tanh(s / softcap) * softcap
        mask = allowed
        if types[i] == "sliding_attention" and window:
            mask = mask & ((i_ - j_) < window)[None]
        s = s.masked_fill(~mask[:, None], float("-inf"))
        pr = torch.softmax(s.to(torch.float32), dim=-1)
        o = torch.einsum("bhqk,bkhd->bqhd", pr, v).reshape(B, T, nh * hd)
        if internlm:
            o = linear(o, i, "attention", "wo")
        else:
            # Llama/Qwen3 with attention_bias=true also bias o_proj (Qwen2 never does).
            o = linear(o, i, "self_attn", "o_proj", f"{p}.self_attn.o_proj.bias" in W)
        if gemma:
            o = norm(o, f"{p}.post_attention_layernorm.weight")
        x = x + o
        if internlm:
            h = norm(x, f"{p}.ffn_norm.weight")
            gated = act_fn(linear(h, i, "feed_forward", "w1")) * linear(h, i, "feed_forward", "w3")
            m = linear(gated, i, "feed_forward", "w2")
        else:
            h = norm(x, f"{p}.pre_feedforward_layernorm.weight" if gemma else f"{p}.post_attention_layernorm.weight")
            if phi3:
                gate, up = linear(h, i, "mlp", "gate_up_proj").chunk(2, dim=-1)
            else:
                gate, up = linear(h, i, "mlp", "gate_proj"), linear(h, i, "mlp", "up_proj")
            m = linear(act_fn(gate) * up, i, "mlp", "down_proj")
        if gemma:
            m = norm(m, f"{p}.post_feedforward_layernorm.weight")
        x = x + m
    x = norm(x, f"{pre}norm.weight")
    if cfg.get("tie_word_embeddings", False):
        head = W[emb_name]
    elif internlm:
        head = W["output.weight"]
    else:
        head = W["language_model.lm_head.weight"] if pre == "language_model.model." else W["lm_head.weight"]
    logits = x @ head.T
    cap = cfg.get("final_logit_softcapping") if arch in ("Gemma2ForCausalLM", "Gemma3ForCausalLM") else None
    if cap is not None:
        logits = torch.tanh(logits / cap) * cap

    out = {"logits": logits}
    if job.get("labels") is not None:
        labels = torch.tensor(job["labels"], dtype=torch.int64)
        shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
        shift_labels = labels[:, 1:].reshape(-1)
        if job.get("loss_scale") is not None:
            scale = torch.tensor(job["loss_scale"], dtype=torch.float32)[:, 1:].reshape(-1)
            per_token = torch.nn.functional.cross_entropy(
                shift_logits, shift_labels, ignore_index=-100, reduction="none"
            )
            loss = (per_token * scale).sum() / (shift_labels != -100).sum()
        else:
            loss = torch.nn.functional.cross_entropy(shift_logits, shift_labels, ignore_index=-100, reduction="mean")
        out["loss"] = loss.reshape(1)
        if lora:
            loss.backward()
            for k, v in lora.items():
                out[f"grad.{k}"] = v.grad
    for k, v in lora.items():
        out[k] = v
    write_safetensors(job["out"], out)


if __name__ == "__main__":
    main()
