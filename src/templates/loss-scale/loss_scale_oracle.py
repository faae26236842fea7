#!/usr/bin/env python3
"""Test-only ground truth for src/templates/loss-scale: runs ms-swift's OWN loss scales (vendored
unchanged in ../shared/reference/ms-swift, imported from there, never copied) on JSON Lines from stdin.

In:  {"spec": "last_round+hermes", "response": "...", "query": "..." | null}
Out: {"parts": [[text, weight], ...], "binary": is_binary_loss_scale}
     from swift.loss_scale.get_loss_scale(spec).get_loss_scale(response, query=query)
In:  {"spec": "...", "contexts": [[text, "response" | "suffix" | "other"], ...], "messages": [...]}
Out: {"parts": [[text, weight], ...]} from get_loss_scale(spec)(contexts, types, messages)
     (LossScale.__call__: base strategy, last round, a message's loss / loss_scale)
Either: {"error": "Type: message"} when ms-swift raises.
Usage: /usr/bin/python3 loss_scale_oracle.py REFERENCE_DIR < cases.jsonl
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
from swift.loss_scale import get_loss_scale  # noqa: E402


def run(case):
    ls = get_loss_scale(case['spec'])
    if 'contexts' in case:
        texts = [c[0] for c in case['contexts']]
        types = [c[1] for c in case['contexts']]
        ctx, scale = ls(texts, types, case['messages'])
        return {'parts': [[c, s] for c, s in zip(ctx, scale)]}
    ctx, scale = ls.get_loss_scale(case['response'], query=case.get('query'))
    return {'parts': [[c, s] for c, s in zip(ctx, scale)], 'binary': ls.is_binary_loss_scale}


for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    try:
        print(json.dumps(run(c), ensure_ascii=False))
    except Exception as e:  # ms-swift refuses this input
        print(json.dumps({'error': f'{type(e).__name__}: {e}'}, ensure_ascii=False))
