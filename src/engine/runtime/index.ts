export * from './kernel.ts';
export * from './buffers.ts';
export * from './grid.ts';
export * from './adapter.ts';
export * from './profiler.ts';
