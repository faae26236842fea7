// A SentencePiece `tokenizer.model` file read by hand: it is a protobuf ModelProto
// (google/sentencepiece src/sentencepiece_model.proto). Only the fields a tokenizer needs are kept;
// every other field is skipped by its wire type, so files written by newer trainers still read.
//
// Field numbers (sentencepiece_model.proto):
//   ModelProto      1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec, 5 denormalizer_spec
//   SentencePiece   1 piece, 2 score (float), 3 type (enum, default NORMAL)
//   TrainerSpec     3 model_type (UNIGRAM=1 default, BPE=2, WORD=3, CHAR=4), 35 byte_fallback,
//                   40 unk_id (0), 41 bos_id (1), 42 eos_id (2), 43 pad_id (-1),
//                   45 unk_piece, 46 bos_piece, 47 eos_piece, 48 pad_piece
//   NormalizerSpec  1 name, 2 precompiled_charsmap, 3 add_dummy_prefix (true),
//                   4 remove_extra_whitespaces (true), 5 escape_whitespaces (true)

import { TokenizerError } from '../error.ts';

/** The file is not a SentencePiece model (message names the byte offset and the field). */
export class SentencePieceError extends TokenizerError {
  override name = 'SentencePieceError';
}

/** SentencePiece.Type. */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
/** TrainerSpec.ModelType. */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface Piece {
  piece: string;
  score: number;
  type: number;
}

export interface TrainerSpec {
  modelType: number;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface ModelProto {
  pieces: Piece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  /** Absent in most models (then decoding only undoes the whitespace escape). */
  denormalizerSpec?: NormalizerSpec;
}

const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** A cursor over protobuf wire bytes, with the path of the message being read for errors. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    readonly view: DataView,
    start: number,
    readonly end: number,
    readonly path: string,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    const short = this.pos >= this.buf.length ? ' (the file is cut short: a partial download?)' : '';
    throw new SentencePieceError(`byte ${this.pos}, ${this.path}: ${what}${short}`);
  }

  /** A varint as a BigInt (int32 fields are written as 10-byte varints when negative). */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) this.fail('the message ends inside a varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    return this.fail('a varint longer than 10 bytes');
  }

  /** A varint known to be small (tags, lengths): plain number arithmetic. */
  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('the message ends inside a varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return this.fail('a tag or length too large for this file');
  }

  /** The [start, end) of a length-delimited field's payload; the cursor moves past it. */
  bytes(): [number, number] {
    const len = this.uint();
    const start = this.pos;
    if (start + len > this.end) {
      if (this.end === this.buf.length) this.pos = this.end;
      this.fail(`a field of ${len} bytes runs past the end of its message (at ${this.end})`);
    }
    this.pos = start + len;
    return [start, start + len];
  }

  float(): number {
    if (this.pos + 4 > this.end) this.fail('the message ends inside a float');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number, field: number): void {
    if (wire === WIRE.VARINT) this.varint();
    else if (wire === WIRE.I64) this.pos += 8;
    else if (wire === WIRE.LEN) this.bytes();
    else if (wire === WIRE.I32) this.pos += 4;
    else this.fail(`field ${field} has wire type ${wire}, which ModelProto never uses (not a tokenizer.model?)`);
    if (this.pos > this.end) this.fail(`field ${field} runs past the end of its message`);
  }

  sub(range: [number, number], path: string): Reader {
    return new Reader(this.buf, this.view, range[0], range[1], `${this.path}.${path}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(r: Reader, [s, e]: [number, number], field: string): string {
  try {
    return utf8.decode(r.buf.subarray(s, e));
  } catch {
    return r.fail(`${field} is not valid UTF-8`);
  }
}

/** Reads the fields of one message: `on` gets each (field, wire) and must consume its payload. */
function each(r: Reader, on: (field: number, wire: number) => boolean): void {
  while (r.pos < r.end) {
    const tag = r.uint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) r.fail('field number 0 (not a protobuf message)');
    if (!on(field, wire)) r.skip(wire, field);
  }
}

function expectWire(r: Reader, wire: number, want: number, name: string): void {
  if (wire !== want) r.fail(`${name} has wire type ${wire}, expected ${want}`);
}

const int32 = (v: bigint) => Number(BigInt.asIntN(32, v));

function readPiece(r: Reader): Piece {
  const p: Piece = { piece: '', score: 0, type: PieceType.NORMAL };
  let seen = false;
  each(r, (field, wire) => {
    if (field === 1) {
      expectWire(r, wire, WIRE.LEN, 'piece');
      p.piece = text(r, r.bytes(), 'piece');
      seen = true;
    } else if (field === 2) {
      expectWire(r, wire, WIRE.I32, 'score');
      p.score = r.float();
    } else if (field === 3) {
      expectWire(r, wire, WIRE.VARINT, 'type');
      p.type = int32(r.varint());
    } else return false;
    return true;
  });
  if (!seen) r.fail('a piece without its text (field 1)');
  return p;
}

function readTrainer(r: Reader): TrainerSpec {
  const t: TrainerSpec = {
    modelType: ModelType.UNIGRAM,
    byteFallback: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
  };
  const ints: Record<number, keyof TrainerSpec> = {
    3: 'modelType',
    40: 'unkId',
    41: 'bosId',
    42: 'eosId',
    43: 'padId',
  };
  const strs: Record<number, keyof TrainerSpec> = { 45: 'unkPiece', 46: 'bosPiece', 47: 'eosPiece', 48: 'padPiece' };
  each(r, (field, wire) => {
    if (field in ints) {
      expectWire(r, wire, WIRE.VARINT, ints[field]);
      (t as unknown as Record<string, number>)[ints[field]] = int32(r.varint());
    } else if (field in strs) {
      expectWire(r, wire, WIRE.LEN, strs[field]);
      (t as unknown as Record<string, string>)[strs[field]] = text(r, r.bytes(), strs[field]);
    } else if (field === 35) {
      expectWire(r, wire, WIRE.VARINT, 'byte_fallback');
      t.byteFallback = r.varint() !== 0n;
    } else return false;
    return true;
  });
  return t;
}

function readNormalizer(r: Reader): NormalizerSpec {
  const n: NormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  const bools: Record<number, 'addDummyPrefix' | 'removeExtraWhitespaces' | 'escapeWhitespaces'> = {
    3: 'addDummyPrefix',
    4: 'removeExtraWhitespaces',
    5: 'escapeWhitespaces',
  };
  each(r, (field, wire) => {
    if (field === 1) {
      expectWire(r, wire, WIRE.LEN, 'name');
      n.name = text(r, r.bytes(), 'name');
    } else if (field === 2) {
      expectWire(r, wire, WIRE.LEN, 'precompiled_charsmap');
      const [s, e] = r.bytes();
      n.precompiledCharsmap = r.buf.slice(s, e);
    } else if (field in bools) {
      expectWire(r, wire, WIRE.VARINT, bools[field]);
      n[bools[field]] = r.varint() !== 0n;
    } else return false;
    return true;
  });
  return n;
}

/** Parses a SentencePiece model file (`tokenizer.model`, `spiece.model`, `sentencepiece.bpe.model`). */
export function parseModelProto(bytes: Uint8Array, label = 'tokenizer.model'): ModelProto {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(bytes, view, 0, bytes.length, label);
  const pieces: Piece[] = [];
  let trainerSpec: TrainerSpec | undefined;
  let normalizerSpec: NormalizerSpec | undefined;
  let denormalizerSpec: NormalizerSpec | undefined;
  each(r, (field, wire) => {
    if (field === 1) {
      expectWire(r, wire, WIRE.LEN, 'pieces');
      pieces.push(readPiece(r.sub(r.bytes(), `pieces[${pieces.length}]`)));
    } else if (field === 2) {
      expectWire(r, wire, WIRE.LEN, 'trainer_spec');
      trainerSpec = readTrainer(r.sub(r.bytes(), 'trainer_spec'));
    } else if (field === 3) {
      expectWire(r, wire, WIRE.LEN, 'normalizer_spec');
      normalizerSpec = readNormalizer(r.sub(r.bytes(), 'normalizer_spec'));
    } else if (field === 5) {
      expectWire(r, wire, WIRE.LEN, 'denormalizer_spec');
      denormalizerSpec = readNormalizer(r.sub(r.bytes(), 'denormalizer_spec'));
    } else return false;
    return true;
  });
  if (pieces.length === 0) {
    throw new SentencePieceError(`${label}: no pieces (field 1): not a SentencePiece model, or an empty one`);
  }
  const model: ModelProto = {
    pieces,
    trainerSpec: trainerSpec ?? readTrainer(new Reader(bytes, view, 0, 0, `${label}.trainer_spec`)),
    normalizerSpec: normalizerSpec ?? readNormalizer(new Reader(bytes, view, 0, 0, `${label}.normalizer_spec`)),
  };
  if (denormalizerSpec) model.denormalizerSpec = denormalizerSpec;
  return model;
}
