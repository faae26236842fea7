// GPU buffers for a memory plan's typed record: `bufs.of(plan.tensors.layers[3])` turns a record
// of PlannedBuffers into the same record of GPUBuffers, creating each planned buffer once, on
// first use (training allocates backward scratch only when it runs backward; inference never).
// A PlannedSlice (a LoRA tensor in its arena) becomes the binding of its range of the arena.
import { storageBuffer } from '../runtime/buffers.ts';
import type { PlannedBuffer, PlannedSlice } from './tensors.ts';

/** The record T with every PlannedBuffer replaced by a GPUBuffer, every PlannedSlice by its range. */
export type Allocated<T> = T extends PlannedSlice
  ? GPUBufferBinding & { buffer: GPUBuffer; offset: number; size: number }
  : T extends PlannedBuffer
    ? GPUBuffer
    : T extends readonly unknown[]
      ? { [K in keyof T]: Allocated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Allocated<T[K]> }
        : T;

function isPlanned(x: unknown): x is PlannedBuffer {
  return typeof x === 'object' && x !== null && 'bytes' in x && 'category' in x && 'name' in x;
}

function isSlice(x: unknown): x is PlannedSlice {
  return typeof x === 'object' && x !== null && 'arena' in x && 'offset' in x && 'bytes' in x;
}

export class PlanBuffers {
  private readonly made = new Map<PlannedBuffer, GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** The GPU buffer of one planned buffer (created on first use, zero-filled). */
  get(p: PlannedBuffer): GPUBuffer {
    let b = this.made.get(p);
    if (!b) {
      b = storageBuffer(this.device, p.bytes, p.name);
      this.made.set(p, b);
    }
    return b;
  }

  /** The record with each planned buffer allocated. */
  of<T>(record: T): Allocated<T> {
    if (isSlice(record))
      return { buffer: this.get(record.arena), offset: record.offset, size: record.bytes } as Allocated<T>;
    if (isPlanned(record)) return this.get(record) as Allocated<T>;
    if (Array.isArray(record)) return record.map((x) => this.of(x)) as Allocated<T>;
    if (typeof record === 'object' && record !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = this.of(v);
      return out as Allocated<T>;
    }
    return record as Allocated<T>;
  }

  /** The planned buffers allocated so far, in allocation order. */
  allocated(): PlannedBuffer[] {
    return [...this.made.keys()];
  }

  has(p: PlannedBuffer): boolean {
    return this.made.has(p);
  }

  destroy(): void {
    for (const b of this.made.values()) b.destroy();
    this.made.clear();
  }
}
