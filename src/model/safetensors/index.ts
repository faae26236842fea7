export { DTYPE_BITS, byteLength, dtypeRank, isDtype, type SafetensorsDtype, type FloatDtype } from './dtypes.ts';
export {
  parseHeader,
  headerLength,
  MAX_HEADER_BYTES,
  SafetensorsError,
  type SafetensorsHeader,
  type TensorEntry,
} from './header.ts';
export { openSafetensors, type SafetensorsFile, type TensorData, type StreamOptions } from './reader.ts';
export { writeSafetensors, buildHeader, referenceOrder, type TensorToWrite } from './writer.ts';
export { openCheckpoint, parseIndex, SINGLE_FILE, INDEX_FILE, type Checkpoint } from './checkpoint.ts';
export { f32ToBf16Bits, bf16BitsToF32, f32ToF16Bits, f16BitsToF32, toFloat32, fromFloat32 } from './float.ts';
