// Inference: load a model folder onto the GPU, forward, and generate with a KV cache.
export { loadModel, loadAdapter, type LoadedModel, type LoadProgress } from './load.ts';
export { createRunner, forwardLogits, createKvRunner, kvNextLogits } from './runner.ts';
export { generate, recomputeLogits, type NextLogits, type GenerateOptions, type GeneratedPiece } from './generate.ts';
export { sampler, candidates, argmax, rng, type SamplingOptions } from './sample.ts';
