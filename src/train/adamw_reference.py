"""Independent reference for one Prism optimizer step: PyTorch autograd + torch.optim.AdamW.

The loss and LoRA gradients come from src/engine/decoder/hf_reference.py (Hugging Face
semantics, PEFT adapter applied as PEFT does). The step is then what HF Trainer does:
torch.nn.utils.clip_grad_norm_(params, max_grad_norm) (skipped when max_grad_norm <= 0) and
torch.optim.AdamW(lr, betas, eps, weight_decay).step().

Usage: /usr/bin/python3 adamw_reference.py JOBS.json   (a list: one spawn for every case)
JOB = hf_reference job (model, adapter, input_ids, position_ids, seq_ids, labels) plus
  "lr", "beta1", "beta2", "eps", "weight_decay", "max_grad_norm", "out".
Writes to out: the LoRA weights after the step under their PEFT keys, "grad_norm" [1], "loss" [1].
"""
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "decoder"))
import hf_reference  # noqa: E402


def step(job):
    tmp = tempfile.mktemp(suffix=".safetensors")
    hf_reference.run({**job, "out": tmp})
    res = hf_reference.read_safetensors(tmp)
    os.remove(tmp)
    keys = sorted(k for k in res if k.startswith("base_model.") and not k.startswith("grad."))
    params = [torch.nn.Parameter(res[k].clone()) for k in keys]
    for p, k in zip(params, keys):
        p.grad = res[f"grad.{k}"].clone()
    if job["max_grad_norm"] > 0:
        norm = torch.nn.utils.clip_grad_norm_(params, job["max_grad_norm"])
    else:
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
    opt = torch.optim.AdamW(params, lr=job["lr"], betas=(job["beta1"], job["beta2"]), eps=job["eps"],
                            weight_decay=job["weight_decay"])
    opt.step()
    out = {k: p.detach() for k, p in zip(keys, params)}
    out["grad_norm"] = norm.reshape(1)
    out["loss"] = res["loss"]
    hf_reference.write_safetensors(job["out"], out)


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs if isinstance(jobs, list) else [jobs]:
        step(job)


if __name__ == "__main__":
    main()
