// ms-swift's loss-scale classes (swift/loss_scale/base.py, agent.py, other.py, utils.py) as plain
// objects: each gives `getLossScale(response, query)` → parts that concatenate back to the response,
// each with its weight. Ported from the code at the commit in ../shared/reference/ms-swift/SOURCES.md
// and checked against it in loss-scale.test.ts.
import { pyRegexSource } from '../py/regex.ts';
import { splitStrPartsBy } from '../py/split.ts';
import type { ScaleMap } from './config.ts';
import type { WeightedPart } from './types.ts';

/** What a scale does with one response (the spec's base strategy lives on the outer LossScale). */
export interface PartScale {
  readonly binary: boolean;
  getLossScale(response: string, query?: string): WeightedPart[];
}

/** ms-swift's `LossScale.get_loss_scale`: the whole response, weight 1. */
export const BASE_SCALE: PartScale = {
  binary: true,
  getLossScale: (response) => [{ text: response, weight: 1 }],
};

/**
 * `calculate_loss_scale(query, response, response_map, query_map)`. A query that contains a key of
 * the query map gives the whole response that weight. Otherwise the response is split at the
 * two-weight keys (plain text; each such key and the text after it get one weight each) when the map
 * has any, else at the one-weight keys (regexes; the matched text gets the weight); the rest weighs 1.
 */
export function calculateLossScale(
  query: string | undefined,
  response: string,
  responseMap: ScaleMap,
  queryMap?: ScaleMap,
): WeightedPart[] {
  if (queryMap) {
    // ms-swift tests `key in query` with query None and raises; a response without a query
    // (only reachable through our API) matches no key instead.
    for (const [key, w] of Object.entries(queryMap)) {
      if ((query ?? '').includes(key)) return [{ text: response, weight: w[0] }];
    }
  }
  const keys = Object.keys(responseMap);
  const delimiters = keys.filter((k) => responseMap[k].length === 2);
  let parts;
  if (delimiters.length) parts = splitStrPartsBy(response, delimiters);
  else {
    const regexKeys = keys.filter((k) => responseMap[k].length === 1);
    const sources = regexKeys.map(pyRegexSource);
    parts = splitStrPartsBy(response, sources, true).map((p) => ({
      ...p,
      key: p.key && regexKeys[sources.indexOf(p.key)],
    }));
  }
  const out: WeightedPart[] = [];
  for (const { key, content } of parts) {
    const w = Object.hasOwn(responseMap, key) ? responseMap[key] : undefined;
    if (!w) out.push({ text: content, weight: 1 });
    else if (w.length === 1) out.push({ text: content, weight: w[0] });
    else out.push({ text: key, weight: w[0] }, { text: content, weight: w[1] });
  }
  return out;
}

/** `ConfigLossScale`: one config map; binary when every weight in it is 0 or 1. */
export function configScale(map: ScaleMap): PartScale {
  return {
    binary: Object.values(map).every((ws) => ws.every((w) => w === 0 || w === 1)),
    getLossScale: (response, query) => calculateLossScale(query, response, map),
  };
}

/** `AgentFlanLossScale`: response and query maps; never binary (ms-swift sets is_binary = False). */
export function agentflanScale(maps: { response: ScaleMap; query: ScaleMap }): PartScale {
  return {
    binary: false,
    getLossScale: (response, query) => calculateLossScale(query, response, maps.response, maps.query),
  };
}

/**
 * `ConcatLossScale`: each scale splits the parts the previous one produced and the weights
 * multiply (so `hermes+ignore_empty_think` zeroes an empty think block and doubles tool calls).
 */
export function concatScale(scales: PartScale[]): PartScale {
  if (!scales.length) throw new Error('concatScale: loss_scales must be a non-empty list');
  return {
    binary: scales.every((s) => s.binary),
    getLossScale(response, query) {
      let parts: WeightedPart[] = [{ text: response, weight: 1 }];
      for (const s of scales) {
        parts = parts.flatMap((p) =>
          s.getLossScale(p.text, query).map((q) => ({ text: q.text, weight: p.weight * q.weight })),
        );
      }
      return parts;
    },
  };
}
