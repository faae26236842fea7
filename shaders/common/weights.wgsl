// Frozen weights in their checkpoint dtype, bound as array<u32>: f32 one value per word, bf16 and
// f16 two per word (element 2i in the low half, as safetensors stores them), widened exactly to
// f32 here (bf16 is the high half of an f32; f16 through unpack2x16float), so no weight is ever
// converted on upload and no shader-f16 is needed. A prelude: the wrapper puts it in front of a
// kernel's source (src/engine/kernels/weights.ts, withWeights), and sets WEIGHT_DTYPE per
// pipeline. The kernel binds the weights itself and reads element e as
// widen_weight(w[weight_word(e)], e), or a whole 16-bit word's two elements with widen_pair.
override WEIGHT_DTYPE: u32 = 0u; // 0: f32, 1: bf16, 2: f16

// The word that holds element e.
fn weight_word(e: u32) -> u32 {
  if (WEIGHT_DTYPE == 0u) {
    return e;
  }
  return e >> 1u;
}

// Element e, given its word.
fn widen_weight(word: u32, e: u32) -> f32 {
  if (WEIGHT_DTYPE == 0u) {
    return bitcast<f32>(word);
  }
  var h = word & 0xffffu;
  if ((e & 1u) == 1u) {
    h = word >> 16u;
  }
  if (WEIGHT_DTYPE == 1u) {
    return bitcast<f32>(h << 16u);
  }
  return unpack2x16float(h).x;
}

// Both elements of a 16-bit word (WEIGHT_DTYPE 1 or 2): element 2i in x, 2i + 1 in y.
fn widen_pair(word: u32) -> vec2<f32> {
  if (WEIGHT_DTYPE == 1u) {
    return vec2<f32>(bitcast<f32>(word << 16u), bitcast<f32>(word & 0xffff0000u));
  }
  return unpack2x16float(word);
}
