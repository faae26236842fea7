// GPU buffers for a memory plan's typed record: `bufs.of(plan.tensors.layers[3])` turns a record
// of PlannedBuffers into the same record of GPUBuffers, creating each planned buffer once, on
// first use (training allocates backward scratch only when it runs backward; inference never).
import { storageBuffer } from '../runtime/buffers.ts';
import type { PlannedBuffer } from './tensors.ts';

/** The record T with every PlannedBuffer replaced by a GPUBuffer. */
export type Allocated<T> = T extends PlannedBuffer
  ? GPUBuffer
  : T extends readonly unknown[]
    ? { [K in keyof T]: Allocated<T[K]> }
    : T extends object
      ? { [K in keyof T]: Allocated<T[K]> }
      : T;

function isPlanned(x: unknown): x is PlannedBuffer {
  return typeof x === 'object' && x !== null && 'bytes' in x && 'category' in x && 'name' in x;
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
