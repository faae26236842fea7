"""Independent reference for Prism's decoder: Hugging Face semantics in plain PyTorch.

Reads a Hugging Face model folder (config.json + model.safetensors or its shards, parsed here from the
safetensors spec, not by Prism's code), optionally a PEFT LoRA adapter, runs the forward in
float32 and, when labels are given, the loss and autograd gradients of every LoRA weight.
Semantics follow transformers' Llama / Qwen2 / Qwen3 modelling code: RMSNorm in float32,
rotate-half RoPE with optional llama3 rope scaling, GQA by repeating kv heads, Qwen2 q/k/v
bias, Qwen3 per-head q/k RMSNorm before RoPE, tied embeddings, SwiGLU MLP, and the causal-LM
loss with labels shifted left by one and -100 ignored (mean over the kept tokens).
Packed rows: attention is causal within tokens of the same sequence id only.

Usage: /usr/bin/python3 hf_reference.py JOB.json   (one JOB object, or a list of them: one spawn)
JOB = {
  "model": "DIR",                     # HF folder
  "adapter": "DIR" | null,            # PEFT folder (adapter_config.json + adapter_model.safetensors)
  "lora": {"r", "lora_alpha", "use_rslora", "target_modules", "seed"} | null,
                                      #  ...or fresh LoRA weights drawn here (B non-zero so grads are not trivial)
  "input_ids": [[...]], "position_ids": [[...]] | null, "seq_ids": [[...]] | null,
  "labels": [[...]] | null,
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


def rms_norm(x, weight, eps):
    x32 = x.to(torch.float32)
    var = x32.pow(2).mean(-1, keepdim=True)
    return weight * (x32 * torch.rsqrt(var + eps))


def inv_freq_for(cfg, head_dim):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).to(torch.float32) / head_dim))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / lo, old / hi
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    elif rs:
        raise SystemExit(f"unsupported rope_scaling {rs}")
    return inv


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs if isinstance(jobs, list) else [jobs]:
        run(job)


def run(job):
    cfg = json.load(open(f"{job['model']}/config.json"))
    W = read_folder(job["model"])
    arch = cfg["architectures"][0]
    H, L = cfg["hidden_size"], cfg["num_hidden_layers"]
    nh, nkv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd = cfg.get("head_dim") or H // nh
    eps = cfg["rms_norm_eps"]
    qkv_bias = arch == "Qwen2ForCausalLM" or cfg.get("attention_bias", False)
    qk_norm = arch == "Qwen3ForCausalLM"

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
                grp = "self_attn" if mod in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"
                w = W[f"model.layers.{i}.{grp}.{mod}.weight"]
                key = f"base_model.model.model.layers.{i}.{grp}.{mod}"
                lora[f"{key}.lora_A.weight"] = (torch.randn(r, w.shape[1], generator=g) * 0.1).requires_grad_(True)
                lora[f"{key}.lora_B.weight"] = (torch.randn(w.shape[0], r, generator=g) * 0.1).requires_grad_(True)

    def linear(x, i, grp, mod, bias=False):
        w = W[f"model.layers.{i}.{grp}.{mod}.weight"]
        y = x @ w.T
        if bias:
            y = y + W[f"model.layers.{i}.{grp}.{mod}.bias"]
        key = f"base_model.model.model.layers.{i}.{grp}.{mod}"
        if f"{key}.lora_A.weight" in lora:
            y = y + (x @ lora[f"{key}.lora_A.weight"].T) @ lora[f"{key}.lora_B.weight"].T * scaling
        return y

    ids = torch.tensor(job["input_ids"], dtype=torch.int64)
    B, T = ids.shape
    pos = torch.tensor(job["position_ids"]) if job.get("position_ids") else torch.arange(T).expand(B, T)
    seq = torch.tensor(job["seq_ids"]) if job.get("seq_ids") else torch.zeros(B, T, dtype=torch.int64)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None] & (seq[:, :, None] == seq[:, None, :])  # [B, Tq, Tk]
    window = cfg.get("sliding_window") if arch == "MistralForCausalLM" else None
    if window:  # transformers' sliding-window mask: key j visible from query i when i - j < window
        i_, j_ = torch.arange(T)[:, None], torch.arange(T)[None, :]
        allowed = allowed & ((i_ - j_) < window)[None]

    inv = inv_freq_for(cfg, hd)
    freqs = pos[..., None].to(torch.float32) * inv  # [B, T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, :, None, :], emb.sin()[:, :, None, :]

    x = W["model.embed_tokens.weight"][ids]
    for i in range(L):
        h = rms_norm(x, W[f"model.layers.{i}.input_layernorm.weight"], eps)
        q = linear(h, i, "self_attn", "q_proj", qkv_bias).view(B, T, nh, hd)
        k = linear(h, i, "self_attn", "k_proj", qkv_bias).view(B, T, nkv, hd)
        v = linear(h, i, "self_attn", "v_proj", qkv_bias).view(B, T, nkv, hd)
        if qk_norm:
            q = rms_norm(q, W[f"model.layers.{i}.self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[f"model.layers.{i}.self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // nkv
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        s = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(hd)
        s = s.masked_fill(~allowed[:, None], float("-inf"))
        p = torch.softmax(s.to(torch.float32), dim=-1)
        o = torch.einsum("bhqk,bkhd->bqhd", p, v).reshape(B, T, nh * hd)
        # Llama/Qwen3 with attention_bias=true also bias o_proj (Qwen2 never does).
        x = x + linear(o, i, "self_attn", "o_proj", f"model.layers.{i}.self_attn.o_proj.bias" in W)
        h = rms_norm(x, W[f"model.layers.{i}.post_attention_layernorm.weight"], eps)
        gate = linear(h, i, "mlp", "gate_proj")
        up = linear(h, i, "mlp", "up_proj")
        x = x + linear(torch.nn.functional.silu(gate) * up, i, "mlp", "down_proj")
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    logits = x @ head.T

    out = {"logits": logits}
    if job.get("labels") is not None:
        labels = torch.tensor(job["labels"], dtype=torch.int64)
        shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
        shift_labels = labels[:, 1:].reshape(-1)
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
