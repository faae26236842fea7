// Frozen weights in their checkpoint dtype, bound as array<u32>: f32 one value per word, bf16 and
// f16 two per word (element 2i in the low half, as safetensors stores them), widened exactly to
// f32 here (bf16 is the high half of an f32; f16 through unpack2x16float), so no weight is ever
// converted on upload and no shader-f16 is needed. A prelude: the wrapper puts it in front of a
// kernel's source, and sets WEIGHT_DTYPE per pipeline.
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
