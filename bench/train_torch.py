"""PyTorch CPU baseline for bench/train.ts: the same LoRA training step (Llama-style decoder,
LoRA on every linear layer, AdamW) on the same model shape and batch, timed.

Usage: /usr/bin/python3 bench/train_torch.py JOB.json  → prints one JSON line
JOB = {"config": {hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
       num_key_value_heads, head_dim?, vocab_size, rms_norm_eps, rope_theta, tie_word_embeddings},
       "r", "lora_alpha", "batch", "seq_len", "steps", "warmup", "dtype": "float32"|"bfloat16", "threads"}
"""
import json
import math
import sys
import time

import torch


def main():
    job = json.load(open(sys.argv[1]))
    if job.get("threads"):
        torch.set_num_threads(job["threads"])
    c = job["config"]
    H, L, I, V = c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"], c["vocab_size"]
    nh, nkv = c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or H // nh
    dt = torch.bfloat16 if job.get("dtype") == "bfloat16" else torch.float32
    g = torch.Generator().manual_seed(0)
    mk = lambda *s: (torch.randn(*s, generator=g) * 0.02).to(dt)
    shapes = {"q": (nh * hd, H), "k": (nkv * hd, H), "v": (nkv * hd, H), "o": (H, nh * hd),
              "gate": (I, H), "up": (I, H), "down": (H, I)}
    W = [{k: mk(*s) for k, s in shapes.items()} for _ in range(L)]
    norms = [(torch.ones(H), torch.ones(H)) for _ in range(L)]
    embed = mk(V, H)
    head = embed if c.get("tie_word_embeddings") else mk(V, H)
    r, alpha = job["r"], job["lora_alpha"]
    scale = alpha / r
    lora = []
    for _ in range(L):
        d = {}
        for k, (o, i) in shapes.items():
            a = torch.empty(r, i)
            torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
            d[k] = (torch.nn.Parameter(a), torch.nn.Parameter(torch.zeros(o, r)))
        lora.append(d)
    params = [p for d in lora for ab in d.values() for p in ab]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    eps = c["rms_norm_eps"]
    B, T = job["batch"], job["seq_len"]
    ids = torch.randint(0, V, (B, T), generator=g)
    labels = ids.clone()
    labels[:, : T // 4] = -100
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
    f = torch.arange(T).float()[:, None] * inv
    emb = torch.cat((f, f), -1)
    cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]

    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))

    def rms(x, w):
        x32 = x.float()
        return w * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps))

    def rot(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    def lin(x, l, k):
        a, b = lora[l][k]
        return (x.to(dt) @ W[l][k].T).float() + (x @ a.T) @ b.T * scale

    def step():
        x = embed[ids].float()
        for l in range(L):
            h = rms(x, norms[l][0])
            q = lin(h, l, "q").view(B, T, nh, hd)
            k = lin(h, l, "k").view(B, T, nkv, hd)
            v = lin(h, l, "v").view(B, T, nkv, hd)
            q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
            k = k.repeat_interleave(nh // nkv, 2)
            v = v.repeat_interleave(nh // nkv, 2)
            s = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(hd)
            p = torch.softmax(s.masked_fill(~causal, float("-inf")), -1)
            o = torch.einsum("bhqk,bkhd->bqhd", p, v)
            x = x + lin(o.reshape(B, T, nh * hd), l, "o")
            h = rms(x, norms[l][1])
            x = x + lin(torch.nn.functional.silu(lin(h, l, "gate")) * lin(h, l, "up"), l, "down")
        logits = (rms(x, torch.ones(H)).to(dt) @ head.T).float()
        loss = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        return loss.item()

    for _ in range(job.get("warmup", 1)):
        step()
    t0 = time.perf_counter()
    for _ in range(job["steps"]):
        step()
    dt_s = (time.perf_counter() - t0) / job["steps"]
    print(
        json.dumps(
            {
                "seconds_per_step": dt_s,
                "tokens_per_second": B * T / dt_s,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
