// ms-swift's loss-scale config maps as data: the same keys and values as
// swift/loss_scale/config/*.json (ms-swift 4.x, the commit in ../shared/reference/ms-swift/SOURCES.md).
// A key with two weights is a plain delimiter: [weight of the delimiter, weight of the text after it].
// A key with one weight is a Python regular expression (re.DOTALL): [weight of the text it matches].
// ms-swift uses the two-weight keys when a map has any, else the one-weight keys as regexes
// (calculate_loss_scale in swift/loss_scale/utils.py).

export type ScaleMap = Readonly<Record<string, readonly number[]>>;

/** react.json: ReAct agent responses; the tool's Observation (inserted by the template) is not trained. */
export const REACT: ScaleMap = {
  'Action:': [2.0, 2.0],
  'Action Input:': [2.0, 2.0],
  'Thought:': [1.0, 1.0],
  'Final Answer:': [1.0, 1.0],
  'Observation:': [2.0, 0.0],
};

/** alpha_umi.json. */
export const ALPHA_UMI: ScaleMap = {
  'Action:': [2.0, 2.0],
  'Action Input:': [2.0, 2.0],
  'Thought:': [1.0, 1.0],
  'Final Answer:': [1.0, 1.0],
  'Observation:': [2.0, 0.0],
  'Next:': [2.0, 2.0],
};

/** qwen.json: Qwen's ✿FUNCTION✿ format. */
export const QWEN: ScaleMap = {
  '✿FUNCTION✿:': [2.0, 2.0],
  '✿ARGS✿:': [2.0, 2.0],
  '✿RETURN✿:': [1.0, 1.0],
  '✿RESULT✿:': [2.0, 0.0],
};

/** hermes.json: each `<tool_call>…</tool_call>` block weighs 2. */
export const HERMES: ScaleMap = {
  '<tool_call>.+?</tool_call>': [2.0],
};

/** ignore_empty_think.json: an empty think block at the start of a response is not trained. */
export const IGNORE_EMPTY_THINK: ScaleMap = {
  '^<think>\\s*</think>\\s*': [0.0],
  ['^<seed:think><seed:cot_budget_reflect>The current thinking budget is 0, so I will directly start answering ' +
  'the question.</seed:cot_budget_reflect>\\n</seed:think>\\s*']: [0.0],
  '^</think>\\s*': [0.0],
  '^<\\|channel>thought\\n<channel\\|>': [0.0],
  '^</mm:think>\\s*': [0.0],
};

/** ignore_think_prefix.json: the `<think>` that opens a response is not trained. */
export const IGNORE_THINK_PREFIX: ScaleMap = {
  '^<think>\\n?': [0.0],
};

/** agentflan.json: a response map (plain delimiters) and a query map (substring → one weight). */
export const AGENTFLAN: { response: ScaleMap; query: ScaleMap } = {
  response: {
    'Name:': [1.0, 3.0],
    'Action:': [1.0, 3.0],
    'ACTION:': [1.0, 3.0],
    'Tool:': [1.0, 3.0],
    Command: [1.0, 3.0],
    'Arguments:': [1.0, 3.0],
    'action input': [1.0, 3.0],
    'ACTION_INPUT:': [1.0, 3.0],
    'Action Input:': [1.0, 3.0],
    'Thought:': [1.0, 1.0],
    'Final Answer:': [1.0, 1.0],
    'Observation:': [2.0, 0.0],
  },
  query: {
    'What is the tool you want to use': [3.0],
    'What are the required parameter names': [3.0],
    'What is the value of': [3.0],
    'What are the required parameter names for this tool': [3.0],
  },
};
