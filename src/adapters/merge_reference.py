"""Independent check of a merged model folder, from the specs and PyTorch, not from Prism's code.

- safetensors: 8-byte little-endian header length, JSON header, data (parsed with json/struct/torch).
- a folder's weights: model.safetensors, or the shards model.safetensors.index.json names
  (transformers' layout: {"metadata": {"total_size"}, "weight_map": {tensor: file}}).
- the merge: PEFT's W' = W + scaling * (B @ A), scaling = lora_alpha / r (or / sqrt(r) with
  use_rslora), computed here in float32 with torch and rounded to the merged dtype.

stdin: [{"base": DIR, "adapter": DIR, "merged": DIR}, ...]
stdout: one report per job: {"files", "index", "config_dtype", "dtypes",
         "tensors": {name: {"max_abs", "max_ref", "exact"}}, "missing", "extra", "problems"}
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}
TORCH_NAMES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def read_file(path, problems):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8:
        problems.append(f"{os.path.basename(path)}: header length {n} is not a multiple of 8")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None)
    if meta != {"format": "pt"}:
        problems.append(f"{os.path.basename(path)}: metadata {meta!r}")
    data = blob[8 + n:]
    out, covered = {}, 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        e = header[name]
        begin, end = e["data_offsets"]
        if begin != covered:
            problems.append(f"{name}: gap or overlap")
        covered = end
        dtype, size = DTYPES[e["dtype"]]
        if end - begin != math.prod(e["shape"]) * size:
            problems.append(f"{name}: byte range does not match shape")
        out[name] = (e["dtype"], torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(e["shape"]))
    if covered != len(data):
        problems.append(f"{os.path.basename(path)}: trailing bytes")
    return out


def read_folder(d, problems):
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        return read_file(single, problems), ["model.safetensors"], None
    with open(os.path.join(d, "model.safetensors.index.json"), encoding="utf-8") as f:
        text = f.read()
    index = json.loads(text)
    if text != json.dumps(index, indent=2, sort_keys=True) + "\n":
        problems.append("index is not json.dumps(indent=2, sort_keys=True)")
    files = sorted(set(index["weight_map"].values()))
    tensors, total = {}, 0
    for fname in files:
        for name, (dt, t) in read_file(os.path.join(d, fname), problems).items():
            if index["weight_map"].get(name) != fname:
                problems.append(f"{name} is in {fname} but the index says {index['weight_map'].get(name)}")
            tensors[name] = (dt, t)
            total += t.numel() * t.element_size()
    if set(tensors) != set(index["weight_map"]):
        problems.append("weight_map and the shards list different tensors")
    if index["metadata"]["total_size"] != total:
        problems.append(f"total_size {index['metadata']['total_size']} != {total}")
    n = len(files)
    want = [f"model-{i + 1:05d}-of-{n:05d}.safetensors" for i in range(n)]
    if files != want:
        problems.append(f"shard names {files}")
    return tensors, files, index


def check(job):
    problems = []
    base, _, _ = read_folder(job["base"], problems)
    merged, files, index = read_folder(job["merged"], problems)
    with open(os.path.join(job["merged"], "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    out_dtype = TORCH_NAMES[cfg.get("torch_dtype", cfg.get("dtype"))]
    with open(os.path.join(job["adapter"], "adapter_config.json"), encoding="utf-8") as f:
        acfg = json.load(f)
    r, alpha = acfg["r"], acfg["lora_alpha"]
    scaling = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
    lora = read_file(os.path.join(job["adapter"], "adapter_model.safetensors"), problems)
    deltas = {}
    for name, (_, a) in lora.items():
        if name.endswith(".lora_A.weight"):
            target = name.removeprefix("base_model.model.").replace(".lora_A.weight", ".weight")
            b = lora[name.replace("lora_A", "lora_B")][1]
            deltas[target] = (b.float() @ a.float()) * scaling
    report = {}
    for name, (_, w) in base.items():
        if name not in merged:
            continue
        want = w.float()
        if name in deltas:
            want = want + deltas[name]
        want = want.to(out_dtype)
        got = merged[name][1]
        if got.dtype != out_dtype:
            problems.append(f"{name}: {got.dtype} in the merged folder, config says {out_dtype}")
        diff = (got.float() - want.float()).abs()
        report[name] = {
            "max_abs": diff.max().item() if diff.numel() else 0.0,
            "max_ref": want.float().abs().max().item() if want.numel() else 0.0,
            "exact": bool(torch.equal(got, want)),
            "merged": name in deltas,
        }
    return {
        "files": files,
        "index": index is not None,
        "config_dtype": cfg.get("torch_dtype"),
        "tensors": report,
        "missing": sorted(set(base) - set(merged) - {n for n in base if n.endswith("rotary_emb.inv_freq")}),
        "extra": sorted(set(merged) - set(base)),
        "unmatched_deltas": sorted(set(deltas) - set(base)),
        "problems": problems,
    }


json.dump([check(job) for job in json.load(sys.stdin)], sys.stdout)
