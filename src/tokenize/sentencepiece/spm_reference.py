# Ground truth for the SentencePiece conversion: trains small models with SentencePiece itself
# (Debian's python3-sentencepiece) and encodes texts the way transformers' slow tokenizers do
# (LlamaTokenizer with legacy=True, InternLM2Tokenizer): the text is split on the added tokens
# (longest match first), each added token is its own id, and every other non-empty piece is
# `sp_model.encode(piece)`. Also reports each piece's text, score and type as SentencePiece reads
# them, to check the protobuf reader.
#
# stdin: {"dir": str, "models": [{"name": str, "train": {SentencePieceTrainer kwargs}, "nonlegacy": bool}],
#         "texts": [str], "added": {name: {content: id, or null for the model's own piece}}}
# stdout: {name: {"path": str, "pieces": [[piece, score, kind]], "ids": {"unk","bos","eos","pad"},
#                 "encoded": [[id, ...] per text], "decoded": [sp.decode(sp.encode(text)) per text],
#                 "nonlegacy": [[id, ...] per text] (LlamaTokenizer legacy=False), when asked}}
import json
import os
import re
import sys

import sentencepiece as spm

CORPUS_WORDS = (
    "the quick brown fox jumps over a lazy dog while model training runs on every small device "
    "tokenizer pieces merge into words and numbers like 2024 or 3.14159 appear in code such as "
    "def main(): return x + y; print('hello world') if ready else None "
    "学习 机器 模型 数据 训练 你好 世界 日本語 テキスト 한국어 "
    "Ünïcödé café naïve résumé façade"
).split()


SYLLABLES = "ka ri to ne mu sa lo vi pe da qu zo ex th in er an re on st ch sh ing ed".split()


def corpus(path):
    # A deterministic pseudo-random corpus (a linear congruential generator, no `random` state):
    # the fixed words above and made-up words of 1 to 4 syllables, so merges have much to learn.
    s = 12345

    def draw(k):
        nonlocal s
        s = (s * 1103515245 + 12345) % (1 << 31)
        return (s >> 8) % k

    lines = []
    for _ in range(4000):
        words = []
        for _ in range(3 + draw(12)):
            if draw(2):
                words.append(CORPUS_WORDS[draw(len(CORPUS_WORDS))])
            else:
                words.append("".join(SYLLABLES[draw(len(SYLLABLES))] for _ in range(1 + draw(4))))
        sep = "  " if s % 7 == 0 else " "
        lines.append(sep.join(words))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def kind(sp, i):
    if sp.is_unknown(i):
        return "unknown"
    if sp.is_control(i):
        return "control"
    if sp.is_byte(i):
        return "byte"
    if sp.is_unused(i):
        return "unused"
    return "normal"  # normal and user-defined look alike through this API


def slow_encode(sp, text, added):
    if not added:
        return sp.encode(text)
    pattern = "|".join(re.escape(t) for t in sorted(added, key=len, reverse=True))
    out = []
    pos = 0
    for m in re.finditer(pattern, text):
        if m.start() > pos:
            out += sp.encode(text[pos:m.start()])
        out.append(added[m.group(0)])
        pos = m.end()
    if pos < len(text):
        out += sp.encode(text[pos:])
    return out


def without_dummy_prefix(model_bytes):
    """The model with normalizer_spec.add_dummy_prefix = false, as LlamaTokenizer(legacy=False) loads it
    (get_spm_processor): field 3 = 0 appended to ModelProto field 3 (protobuf: the last value wins)."""

    def varint(b, i):
        v, shift = 0, 0
        while True:
            c = b[i]
            i += 1
            v |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                return v, i

    def put_varint(v):
        out = bytearray()
        while True:
            c = v & 0x7F
            v >>= 7
            out.append(c | (0x80 if v else 0))
            if not v:
                return bytes(out)

    out, i, found = bytearray(), 0, False
    while i < len(model_bytes):
        start = i
        tag, i = varint(model_bytes, i)
        wire = tag & 7
        if wire == 0:
            _, i = varint(model_bytes, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            n, j = varint(model_bytes, i)
            i = j + n
            if tag >> 3 == 3:
                payload = model_bytes[j:i] + bytes([3 << 3 | 0, 0])
                out += put_varint(tag) + put_varint(len(payload)) + payload
                found = True
                continue
        out += model_bytes[start:i]
    assert found, "no normalizer_spec"
    return bytes(out)


def slow_encode_nonlegacy(sp, text, added, specials):
    """LlamaTokenizer(legacy=False, add_prefix_space=True).tokenize + convert_tokens_to_ids (transformers
    4.4x): the text gets one '▁', is split on the added tokens, and a piece that starts with '▁' or ' ' is
    encoded after the unknown token's text, whose pieces are then dropped (no dummy prefix); a lone
    leading '▁' before a special token is dropped. `specials`: every added token, as the fast
    tokenizer behaves (it never writes that '▁')."""
    if not text:
        return []
    text = "▁" + text.replace("▁", " ")
    unk_len = len(sp.encode("<unk>"))
    pattern = "|".join(re.escape(t) for t in sorted(added, key=len, reverse=True))
    parts = []
    pos = 0
    for m in re.finditer(pattern, text):
        parts.append(text[pos:m.start()])
        parts.append(m.group(0))
        pos = m.end()
    parts.append(text[pos:])
    tokens = []
    for part in parts:
        if part in added:
            tokens.append(part)
        elif part:
            if part.startswith(("▁", " ")):
                tokens += sp.encode("<unk>" + part, out_type=str)[unk_len:]
            else:
                tokens += sp.encode(part, out_type=str)
    if len(tokens) > 1 and tokens[0] == "▁" and tokens[1] in specials:
        tokens = tokens[1:]
    return [added[t] if t in added else sp.piece_to_id(t) for t in tokens]


def main():
    req = json.load(sys.stdin)
    os.makedirs(req["dir"], exist_ok=True)
    data = os.path.join(req["dir"], "corpus.txt")
    corpus(data)
    result = {}
    for m in req["models"]:
        prefix = os.path.join(req["dir"], m["name"])
        spm.SentencePieceTrainer.train(input=data, model_prefix=prefix, minloglevel=2, **m["train"])
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        added = {t: (sp.piece_to_id(t) if i is None else i) for t, i in req["added"].get(m["name"], {}).items()}
        result[m["name"]] = {
            "path": prefix + ".model",
            "pieces": [[sp.id_to_piece(i), sp.get_score(i), kind(sp, i)] for i in range(sp.get_piece_size())],
            "ids": {"unk": sp.unk_id(), "bos": sp.bos_id(), "eos": sp.eos_id(), "pad": sp.pad_id()},
            "encoded": [slow_encode(sp, t, added) for t in req["texts"]],
            "decoded": [sp.decode(sp.encode(t)) for t in req["texts"]],
        }
        if m.get("nonlegacy"):
            with open(prefix + ".model", "rb") as f:
                nodummy = spm.SentencePieceProcessor(model_proto=without_dummy_prefix(f.read()))
            specials = set(added)
            result[m["name"]]["nonlegacy"] = [slow_encode_nonlegacy(nodummy, t, added, specials) for t in req["texts"]]
    json.dump(result, sys.stdout)


main()
