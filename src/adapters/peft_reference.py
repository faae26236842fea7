# Independent check of Prism's PEFT adapter files, written from the specs, not from Prism's code:
# - safetensors: 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape,
#   data_offsets}}, optional "__metadata__"), then the data; parsed with json + struct + torch.frombuffer.
# - adapter_config.json: the fields PEFT's LoraConfig saves, with their Python types, dumped by
#   json.dumps(indent=2, sort_keys=True) (peft/config.py, PeftConfigMixin.save_pretrained).
# Also writes an adapter the same way PEFT would (json + struct + torch), for Prism to import.
# stdin: {"read": [dir, ...], "write": {"dir", "layers", "r", "dims": {module: [in, out]}, "seed", "dtype"}}
# stdout: {"read": [report, ...], "write": {name: {"shape", "values"}}}
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}
ATTN = {"q_proj", "k_proj", "v_proj", "o_proj"}
MLP = {"gate_proj", "up_proj", "down_proj"}

# Hand-written from PEFT's LoraConfig (peft/tuners/lora/config.py) and PeftConfig: field -> check.
NONE = type(None)
EXPECTED = {
    "peft_type": lambda v: v == "LORA",
    "task_type": lambda v: v == "CAUSAL_LM",
    "base_model_name_or_path": lambda v: isinstance(v, str) and len(v) > 0,
    "revision": lambda v: v is None or isinstance(v, str),
    "r": lambda v: type(v) is int and v > 0,
    "lora_alpha": lambda v: type(v) in (int, float) and v > 0,
    "lora_dropout": lambda v: type(v) is float and 0 <= v < 1,
    "target_modules": lambda v: (
        isinstance(v, list) and len(v) > 0 and all(m in ATTN | MLP for m in v) and len(set(v)) == len(v)
    ),
    "bias": lambda v: v == "none",
    "use_rslora": lambda v: type(v) is bool,
    "use_dora": lambda v: v is False,
    "fan_in_fan_out": lambda v: v is False,
    "modules_to_save": lambda v: v is None,
    "init_lora_weights": lambda v: v is True,
    "layers_to_transform": lambda v: v is None,
    "layers_pattern": lambda v: v is None,
    "rank_pattern": lambda v: v == {},
    "alpha_pattern": lambda v: v == {},
    "inference_mode": lambda v: type(v) is bool,
    "auto_mapping": lambda v: v is None,
    "megatron_config": lambda v: v is None,
    "megatron_core": lambda v: v == "megatron.core",
    "loftq_config": lambda v: v == {},
    "lora_bias": lambda v: v is False,
    "layer_replication": lambda v: v is None,
    "exclude_modules": lambda v: v is None,
    "eva_config": lambda v: v is None,
}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    data = blob[8 + n :]
    meta = header.pop("__metadata__", None)
    tensors = {}
    order = sorted(header, key=lambda k: header[k]["data_offsets"][0])
    covered = 0
    for name in order:
        e = header[name]
        begin, end = e["data_offsets"]
        tdtype, size = DTYPES[e["dtype"]]
        count = math.prod(e["shape"])
        assert end - begin == count * size, f"{name}: byte range does not match shape"
        assert begin == covered, f"{name}: gap or overlap before it"
        covered = end
        t = (
            torch.frombuffer(bytearray(data[begin:end]), dtype=tdtype).reshape(e["shape"])
            if count
            else torch.zeros(e["shape"], dtype=tdtype)
        )
        tensors[name] = {"dtype": e["dtype"], "shape": list(e["shape"]), "values": t.float().flatten().tolist()}
    assert covered == len(data), "data section has trailing bytes"
    return {
        "header_len": n,
        "metadata": meta,
        "keys_in_header_order": list(json.loads(blob[8 : 8 + n].decode("utf-8")).keys()),
        "tensors": tensors,
    }


def check_names(tensors, r):
    problems = []
    for name, t in tensors.items():
        parts = name.split(".")
        # base_model.model.model.layers.{i}.{self_attn|mlp}.{module}.lora_{A|B}.weight
        if (
            len(parts) != 9
            or parts[:4] != ["base_model", "model", "model", "layers"]
            or not parts[4].isdigit()
            or parts[8] != "weight"
        ):
            problems.append(f"bad name {name}")
            continue
        parent, module, which = parts[5], parts[6], parts[7]
        if not ((parent == "self_attn" and module in ATTN) or (parent == "mlp" and module in MLP)):
            problems.append(f"bad module path {name}")
        if which == "lora_A" and t["shape"][0] != r:
            problems.append(f"{name}: A must be [r, in]")
        elif which == "lora_B" and t["shape"][1] != r:
            problems.append(f"{name}: B must be [out, r]")
        elif which not in ("lora_A", "lora_B"):
            problems.append(f"bad matrix {name}")
    return problems


def read_adapter(d):
    st = read_safetensors(os.path.join(d, "adapter_model.safetensors"))
    with open(os.path.join(d, "adapter_config.json"), encoding="utf-8") as f:
        text = f.read()
    cfg = json.loads(text)
    problems = [f"missing {k}" for k in EXPECTED if k not in cfg]
    problems += [f"bad {k}: {cfg[k]!r}" for k, ok in EXPECTED.items() if k in cfg and not ok(cfg[k])]
    if "runtime_config" in cfg:
        problems.append("runtime_config must not be saved")
    problems += check_names(st["tensors"], cfg.get("r"))
    return {
        **st,
        "config": cfg,
        "config_types": {k: type(v).__name__ for k, v in cfg.items()},
        "config_is_peft_dump": text == json.dumps(cfg, indent=2, sort_keys=True),
        "problems": problems,
    }


def write_adapter(spec):
    g = torch.Generator().manual_seed(spec["seed"])
    tdtype, _ = DTYPES[spec["dtype"]]
    r = spec["r"]
    tensors = {}
    for i in range(spec["layers"]):
        for module, (fin, fout) in spec["dims"].items():
            parent = "self_attn" if module in ATTN else "mlp"
            base = f"base_model.model.model.layers.{i}.{parent}.{module}"
            tensors[f"{base}.lora_A.weight"] = (torch.rand(r, fin, generator=g) * 2 - 1).to(tdtype)
            tensors[f"{base}.lora_B.weight"] = (torch.randn(fout, r, generator=g) * 0.1).to(tdtype)
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):  # name order, unlike safetensors' writer (dtype, then name)
        t = tensors[name].contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if tdtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {
            "dtype": spec["dtype"],
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    hjson = json.dumps(header).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    os.makedirs(spec["dir"], exist_ok=True)
    with open(os.path.join(spec["dir"], "adapter_model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hjson)) + hjson + b"".join(chunks))
    cfg = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "bias": "none", "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": 16,
        "lora_dropout": 0.1, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
        "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None,
        "target_modules": list(spec["dims"].keys()), "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": True,
    }
    with open(os.path.join(spec["dir"], "adapter_config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True))
    return {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in tensors.items()}


def main():
    job = json.load(sys.stdin)
    out = {
        "read": [read_adapter(d) for d in job["read"]],
        "write": write_adapter(job["write"]) if job.get("write") else None,
    }
    json.dump(out, sys.stdout)


main()
