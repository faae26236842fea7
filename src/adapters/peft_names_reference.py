"""Which LoRA tensors PEFT would create for an adapter_config.json on a given base model, derived
from the base checkpoint (not from Prism's code), and whether the adapter file holds exactly those.

PEFT (tuners_utils.check_target_module_exists) adapts a module when target_modules is a string
and re.fullmatch(target_modules, name) matches the module's full name, or when it is a list and
the name equals an entry or ends with "." + an entry. The candidate modules are the model's
nn.Linear layers: here, every 2-D "<module>.weight" of the checkpoint except the embeddings.
Module names are the checkpoint's, renamed the way transformers loads them
(Gemma3ForConditionalGeneration._checkpoint_conversion_mapping: ^language_model.model ->
model.language_model, ^vision_tower -> model.vision_tower, ^multi_modal_projector ->
model.multi_modal_projector, ^language_model.lm_head -> lm_head). PEFT saves
"base_model.model." + name + ".lora_A.weight" [r, in] and ".lora_B.weight" [out, r].

Usage: /usr/bin/python3 peft_names_reference.py MODEL_DIR ADAPTER_DIR  -> JSON on stdout:
  {"expected": {key: shape}, "found": {key: shape}, "matched_modules": [...], "problems": [...]}
"""
import json
import re
import struct
import sys

CONVERSION = [(r"^language_model\.model", "model.language_model"), (r"^vision_tower", "model.vision_tower"),
              (r"^multi_modal_projector", "model.multi_modal_projector"), (r"^language_model\.lm_head", "lm_head")]


def header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        h = json.loads(f.read(n).decode("utf-8"))
    h.pop("__metadata__", None)
    return h


def main():
    model, adapter = sys.argv[1], sys.argv[2]
    cfg = json.load(open(f"{model}/config.json"))
    multimodal = cfg["architectures"][0] == "Gemma3ForConditionalGeneration"
    acfg = json.load(open(f"{adapter}/adapter_config.json"))
    targets, r = acfg["target_modules"], acfg["r"]
    linears = {}
    for name, info in header(f"{model}/model.safetensors").items():
        if not name.endswith(".weight") or len(info["shape"]) != 2:
            continue
        module = name[: -len(".weight")]
        if module.endswith("embed_tokens") or module.endswith("tok_embeddings") or "embedding" in module:
            continue
        if multimodal:
            for pat, rep in CONVERSION:
                module = re.sub(pat, rep, module)
        linears[module] = info["shape"]

    def matches(name):
        if isinstance(targets, str):
            return re.fullmatch(targets, name) is not None
        return name in targets or any(name.endswith("." + t) for t in targets)

    expected, matched = {}, []
    for module, (out_f, in_f) in sorted(linears.items()):
        if module in ("lm_head", "output") or not matches(module):
            continue
        matched.append(module)
        expected[f"base_model.model.{module}.lora_A.weight"] = [r, in_f]
        expected[f"base_model.model.{module}.lora_B.weight"] = [out_f, r]
    found = {k: v["shape"] for k, v in header(f"{adapter}/adapter_model.safetensors").items()}
    problems = []
    for k in sorted(set(expected) - set(found)):
        problems.append(f"missing {k}")
    for k in sorted(set(found) - set(expected)):
        problems.append(f"unexpected {k} (PEFT would not create it; loading warns and drops it)")
    for k in sorted(set(found) & set(expected)):
        if found[k] != expected[k]:
            problems.append(f"{k}: shape {found[k]}, PEFT makes {expected[k]}")
    json.dump({"expected": expected, "found": found, "matched_modules": matched, "problems": problems}, sys.stdout)


if __name__ == "__main__":
    main()
