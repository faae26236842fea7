"""An independent safetensors reader/writer, written from the format's spec with json + torch,
for cross-checking Prism's TypeScript implementation. Reads one JSON request on stdin and
writes one JSON answer on stdout.

Request: {"read": [paths], "write": [{"path", "seed"}], "bits": [float32 bit patterns]}
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
# The reference writer's alignment order (larger first when writing).
RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]


def read(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    raw = data[8 : 8 + n]
    header = json.loads(raw.decode("utf-8"))
    body = data[8 + n :]
    out = {"header_len": n, "keys": list(header.keys()), "metadata": header.get("__metadata__"), "tensors": {}}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(body[s:e]), dtype=dtype) if e > s else torch.zeros(0, dtype=dtype)
        t = t.reshape(info["shape"])
        vals = t.to(torch.float64).flatten().tolist()
        out["tensors"][name] = {"dtype": info["dtype"], "shape": list(t.shape), "offsets": [s, e], "values": vals}
    return out


def write(path, seed):
    g = torch.Generator().manual_seed(seed)
    tensors = {
        "layer.weight": torch.randn(3, 4, generator=g),
        "layer.bf16": (torch.randn(5, generator=g) * 10).to(torch.bfloat16),
        "layer.f16": torch.randn(2, 2, generator=g).to(torch.float16),
        "positions": torch.arange(-3, 3, dtype=torch.int64),
        "bytes": torch.tensor([0, 7, 255], dtype=torch.uint8),
    }
    name_of = {v: k for k, v in DTYPES.items()}
    items = sorted(tensors.items(), key=lambda kv: (-RANK.index(name_of[kv[1].dtype]), kv[0]))
    header, blobs, off = {"__metadata__": {"format": "pt", "writer": "python"}}, [], 0
    for name, t in items:
        b = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype != torch.uint8 else t.numpy().tobytes()
        header[name] = {"dtype": name_of[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    return {
        k: {"dtype": name_of[t.dtype], "shape": list(t.shape), "values": t.to(torch.float64).flatten().tolist()}
        for k, t in tensors.items()
    }


def bits(patterns):
    x = torch.tensor([p - (1 << 32) if p >= (1 << 31) else p for p in patterns], dtype=torch.int32).view(torch.float32)
    bf = x.to(torch.bfloat16).view(torch.int16).to(torch.int32) & 0xFFFF
    hf = x.to(torch.float16).view(torch.int16).to(torch.int32) & 0xFFFF
    return {"bf16": bf.tolist(), "f16": hf.tolist()}


def main():
    req = json.load(sys.stdin)
    ans = {
        "read": [read(p) for p in req.get("read", [])],
        "write": [write(w["path"], w["seed"]) for w in req.get("write", [])],
        "bits": bits(req["bits"]) if req.get("bits") else None,
    }
    json.dump(ans, sys.stdout)


main()
