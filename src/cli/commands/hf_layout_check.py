"""Check tiny model folders against what transformers' modeling code expects, independently of
Prism: the parameter names and shapes of LlamaForCausalLM / Qwen2ForCausalLM /
Qwen3ForCausalLM / MistralForCausalLM (hand-written from their __init__ methods), read from
config.json and from the safetensors header parsed by the spec with json + torch.

stdin: {"folders": [path, ...]}; stdout: [{"folder", "problems": [...], "stats": {...}}]
"""
import json
import os
import struct
import sys

import torch

DT = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
CLASSES = {
    "llama": "LlamaForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
    "qwen3": "Qwen3ForCausalLM",
    "mistral": "MistralForCausalLM",
}


def expected(cfg):
    t = cfg["model_type"]
    h, inter, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd = cfg.get("head_dim") or h // nh
    out = {"model.embed_tokens.weight": [v, h], "model.norm.weight": [h]}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out[p + "self_attn.q_proj.weight"] = [nh * hd, h]
        out[p + "self_attn.k_proj.weight"] = [nkv * hd, h]
        out[p + "self_attn.v_proj.weight"] = [nkv * hd, h]
        out[p + "self_attn.o_proj.weight"] = [h, nh * hd]
        if t == "qwen2":  # Qwen2Attention: bias=True on q/k/v, bias=False on o
            out[p + "self_attn.q_proj.bias"] = [nh * hd]
            out[p + "self_attn.k_proj.bias"] = [nkv * hd]
            out[p + "self_attn.v_proj.bias"] = [nkv * hd]
        if t in ("llama", "qwen3") and cfg.get("attention_bias"):
            for n, d in (("q", nh * hd), ("k", nkv * hd), ("v", nkv * hd), ("o", h)):
                out[p + f"self_attn.{n}_proj.bias"] = [d]
        if t == "qwen3":  # Qwen3RMSNorm(head_dim) on q and k
            out[p + "self_attn.q_norm.weight"] = [hd]
            out[p + "self_attn.k_norm.weight"] = [hd]
        out[p + "mlp.gate_proj.weight"] = [inter, h]
        out[p + "mlp.up_proj.weight"] = [inter, h]
        out[p + "mlp.down_proj.weight"] = [h, inter]
        out[p + "input_layernorm.weight"] = [h]
        out[p + "post_attention_layernorm.weight"] = [h]
    if not cfg.get("tie_word_embeddings", False):
        out["lm_head.weight"] = [v, h]
    return out


def check(folder):
    problems = []
    cfg = json.load(open(os.path.join(folder, "config.json")))
    if cfg.get("architectures") != [CLASSES.get(cfg.get("model_type"))]:
        problems.append(f"architectures {cfg.get('architectures')} does not match model_type {cfg.get('model_type')}")
    for f in ("tokenizer.json", "tokenizer_config.json", "generation_config.json"):
        if not os.path.exists(os.path.join(folder, f)):
            problems.append(f"missing {f}")
    data = open(os.path.join(folder, "model.safetensors"), "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    meta = header.pop("__metadata__", None)
    if meta != {"format": "pt"}:
        problems.append(f"__metadata__ {meta} (transformers wants format=pt)")
    want = expected(cfg)
    for name in sorted(set(want) - set(header)):
        problems.append(f"missing {name}")
    for name in sorted(set(header) - set(want)):
        problems.append(f"unexpected {name}")
    stats = {}
    want_dtype = {"float32": "F32", "bfloat16": "BF16"}[cfg["torch_dtype"]]
    for name, info in header.items():
        if name in want and info["shape"] != want[name]:
            problems.append(f"{name}: shape {info['shape']} != {want[name]}")
        if info["dtype"] != want_dtype:
            problems.append(f"{name}: dtype {info['dtype']} but torch_dtype {cfg['torch_dtype']}")
        s, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[s:e]), dtype=DT[info["dtype"]]).float()
        stats[name] = [t.mean().item(), t.std().item()]
    tok = json.load(open(os.path.join(folder, "tokenizer.json")))
    ids = list(tok["model"]["vocab"].values()) + [a["id"] for a in tok.get("added_tokens", [])]
    if max(ids) >= cfg["vocab_size"]:
        problems.append(f"token id {max(ids)} >= vocab_size {cfg['vocab_size']}")
    return {"folder": folder, "problems": problems, "stats": stats}


req = json.load(sys.stdin)
json.dump([check(f) for f in req["folders"]], sys.stdout)
