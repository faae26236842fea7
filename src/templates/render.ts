// The one walk: a Conversation, a TemplateSpec and an agent template in, the exact prompt text
// and its weighted spans out. The walk knows no family: the spec says how turns are wrapped and
// where the system prompt goes (its quirks are flags), the agent template (agent/) says where the
// tools go and how calls and results are written, the thinking rule (thinking.ts) how reasoning
// is. Text and spans come from the same pieces, so they always tile. With each family's native
// agent template the text is byte-identical to its official template (conformance.test.ts checks
// it against Jinja2); where the official template refuses or loses data, the spec's `notes` say
// what we do.
//
// The walk first lays the conversation out as blocks (turns with a head, a body and a tail), so a
// later piece can still change an earlier one (the system prompt that goes into the last user
// turn, an end marker that a results block writes), then checks role alternation, then weighs
// each piece with the loss scale (ms-swift's `get_loss_scale` on every trained response).
import type { Conversation, Message } from '../data/types.ts';
import { applyConversationHints } from '../data/py-json.ts';
import { createAgentTemplate } from './agent/registry.ts';
import { textOf, tpl } from './agent/pieces.ts';
import type {
  AgentContext,
  AgentTemplate,
  AssistantTurn,
  Piece,
  ResultsBlock,
  ResultsNext,
  ToolsPlacement,
} from './agent/types.ts';
import { SpanBuilder } from './builder.ts';
import { TemplateError } from './errors.ts';
import { parseLossScale } from './loss-scale/parse.ts';
import type { LossScale, WeightedPart } from './loss-scale/types.ts';
import { POLICY_BASE, trainedMessages } from './loss.ts';
import { pyLstrip, pyRstrip, pyStrip } from './pyjson.ts';
import type { TemplateSpec, TemplateVars } from './spec.ts';
import { thinkingRule, type ThinkingRule } from './thinking.ts';
import type { LossPolicy, Rendered, RenderWarning } from './types.ts';

export { TemplateError } from './errors.ts';

export interface RenderOptions {
  /**
   * The agent (tool-call) template: `native:<format>` or an ms-swift name (`hermes`, `react_en`,
   * ...; agent/registry.ts lists them). Default: the family's own (`native:<spec.toolFormat>`).
   */
  agentTemplate?: string;
  /**
   * ms-swift's loss scale: a parsed LossScale or its spec (`last_round+react`). Default: `default`
   * (every assistant reply, weight 1). Takes precedence over `lossPolicy`.
   */
  lossScale?: LossScale | string;
  /** The older name of the base strategy: all_assistant = default, last_round, all. */
  lossPolicy?: LossPolicy;
  /** Append the prompt that starts the assistant's reply (for inference). Default false. */
  addGenerationPrompt?: boolean;
  /** Llama 3.1+ `Today Date`, in the template's "26 Jul 2024" form. */
  date?: string;
  /** Qwen3: false adds the empty think block after the generation prompt. */
  enableThinking?: boolean;
  /**
   * Today's date (YYYY-MM-DD) for templates that print the current date with strftime_now (gpt-oss,
   * Granite 3.3, Mistral Small 3.2). Default: today, as the official templates do.
   */
  today?: string;
  /**
   * Other variables of the official templates, under their own names, with their defaults when
   * absent (each spec's `vars` lists the ones it reads): reasoning_effort, thinking_budget, ...
   */
  vars?: TemplateVars;
  /**
   * Rewrite tool call ids the family's template refuses instead of refusing (Mistral Small 3.2: ids
   * must be 9 characters); an opt-in fix, with the warning tool_call_ids_rewritten.
   */
  fixToolCallIds?: boolean;
  /** Train the empty `<think>\n\n</think>\n\n` block a template inserts (default false). */
  trainEmptyThink?: boolean;
  /**
   * Where `last_round` starts: after the last user-or-tool message (default, ms-swift's
   * get_last_user_round) or after the last user message.
   */
  lastRoundBoundary?: 'user' | 'user_or_tool';
}

/** The LossScale of the options (lossScale, else the lossPolicy alias, else `default`). */
export function resolveLossScale(opts: Pick<RenderOptions, 'lossScale' | 'lossPolicy'>): LossScale {
  if (opts.lossScale !== undefined) {
    return typeof opts.lossScale === 'string' ? parseLossScale(opts.lossScale) : opts.lossScale;
  }
  return parseLossScale(POLICY_BASE[opts.lossPolicy ?? 'all_assistant']);
}

/** Python's strip() across pieces: leading space off the first pieces, trailing off the last. */
function stripPieces(pieces: Piece[]): Piece[] {
  const out = pieces.map((p) => ({ ...p }));
  for (const p of out) {
    p.text = pyLstrip(p.text);
    if (p.text !== '') break;
  }
  for (let i = out.length - 1; i >= 0; i--) {
    out[i].text = pyRstrip(out[i].text);
    if (out[i].text !== '') break;
  }
  return out.filter((p) => p.text !== '');
}

/**
 * A turn as laid out: head (role header), body (content), tail (end marker, separator). `role` is
 * what the alternation check sees: `frame` (BOS, system, tool list) and `none` (results written
 * inline in a reply, and the reply that goes on after them) never count; `call` (a tool-call turn),
 * `tool` (a result's own turn) and `results` (a run of results carried in a user turn) are skipped
 * by families that skip tool messages (Mistral), and otherwise count as replies (`call`) or user
 * turns (`tool` as not-user, `results` as user). `cont`: a reply that goes on after results written
 * inline: the same reply as the call before it, unless that one was skipped.
 */
interface Block {
  role: 'frame' | 'none' | 'user' | 'assistant' | 'call' | 'tool' | 'results' | 'cont';
  msg?: number;
  head: Piece[];
  body: Piece[];
  tail: Piece[];
}

export function render(spec: TemplateSpec, conv: Conversation, opts: RenderOptions = {}): Rendered {
  applyConversationHints(conv);
  const warnings: RenderWarning[] = [];
  const warn = (code: string, message: string) => {
    if (!warnings.some((w) => w.code === code)) warnings.push({ code, message });
  };
  const lossScale = resolveLossScale(opts);
  const agent = createAgentTemplate(opts.agentTemplate, spec);
  const extra = { vars: opts.vars ?? {}, fixToolCallIds: opts.fixToolCallIds };
  let ctx: AgentContext = { spec, conversation: conv, warn, ...extra };
  const source = agent.prepare ? agent.prepare(conv, ctx) : conv;
  ctx = { spec, conversation: source, warn, ...extra };
  const walk = new Walk(spec, source, agent, ctx, opts);
  walk.run();
  if (spec.alternation) checkAlternation(spec, walk.blocks);
  const trained = trainedMessages(source.messages, { base: lossScale.base, lastRoundBoundary: opts.lastRoundBoundary });
  const b = weigh(
    walk.blocks.flatMap((x) => [...x.head, ...x.body, ...x.tail]),
    source.messages,
    trained,
    lossScale,
  );
  const out: Rendered = { text: b.text, spans: b.spans, warnings, agentTemplate: agent.id };
  if (walk.toolResultsIn) out.toolResultsIn = walk.toolResultsIn;
  return out;
}

class Walk {
  readonly blocks: Block[] = [];
  toolResultsIn?: Rendered['toolResultsIn'];
  private readonly msgs: Message[];
  private readonly rule?: ThinkingRule;
  private readonly lastQuery: number;
  /** An assistant turn whose end marker is not written yet (the next block decides). */
  private open: { block: Block; msg: number; suffix: string; sep: string; endsTurn?: boolean } | null = null;
  /** How the turn after a results block starts; `inline`: the results went on inside the reply. */
  private next: (ResultsNext & { inline: boolean }) | null = null;
  /** replyEndsAtNextRole: the reply whose end is the next header's role token. */
  private rolePending: number | null = null;

  constructor(
    private readonly spec: TemplateSpec,
    private readonly conv: Conversation,
    private readonly agent: AgentTemplate,
    private readonly ctx: AgentContext,
    private readonly opts: RenderOptions,
  ) {
    this.msgs = conv.messages;
    this.rule = thinkingRule(spec);
    this.rule?.check?.(conv);
    this.lastQuery = this.rule ? this.rule.lastQuery(this.msgs) : this.msgs.length - 1;
  }

  run(): void {
    const { spec, msgs } = this;
    const tools = this.conv.tools?.length ? this.conv.tools : undefined;
    const placed: ToolsPlacement = tools ? this.agent.tools(tools, this.ctx) : {};
    // An empty system prompt means "none" to templates that test it for truth (Granite 4.0: the default then).
    const given = this.conv.system !== undefined && !(spec.emptySystemIsDefault && this.conv.system === '');
    const record: Piece[] | undefined = given ? [{ text: this.conv.system!, role: 'system' }] : undefined;
    const fallback: Piece[] | undefined =
      spec.defaultSystem !== undefined ? [{ text: spec.defaultSystem, role: 'system' }] : undefined;
    let sys = placed.system === null ? undefined : (placed.system ?? record ?? fallback);
    // Templates that build the system turn from the prompt (SmolLM3's metadata block, the Granite 3.3 date).
    // A system turn's prompt is trimmed (trimContent) before a rule adds to it (Gemma 4's <|think|> line).
    const trimmed = spec.systemPlacement === 'turn' && spec.trimContent && !placed.systemVerbatim;
    if (trimmed && sys) sys = stripPieces(sys);
    if (this.rule?.system) sys = this.rule.system(sys, this.thinkingOptions());

    if (!(spec.bosOnlyWithMessages && msgs.length === 0 && sys === undefined)) this.frame([tpl(spec.bos)]);
    if (placed.block) this.frame(placed.block);
    if (spec.systemPlacement === 'turn') this.systemTurn(sys, placed);
    else if (spec.systemPlacement === 'raw' && sys) this.frame(sys);
    if (placed.afterSystem) this.frame(placed.afterSystem);

    let start = 0;
    if (placed.firstMessage?.asUserTurn) {
      if (msgs.length === 0) {
        throw new TemplateError(placed.firstMessage.refusal ?? 'no first message to carry the tools');
      }
      const m = msgs[0];
      this.userTurn([...placed.firstMessage.pieces, { text: this.trim(m.content), role: m.role, msg: 0 }], 0);
      start = 1;
    }

    // Mistral lists the tools before every user turn equal to the last one (the official template
    // compares message dicts, so an identical earlier turn gets them too).
    const lastUser = [...msgs].reverse().find((m) => m.role === 'user')?.content;
    for (let i = start; i < msgs.length; i++) {
      const m = msgs[i];
      if (m.role === 'user') {
        if (spec.skipEmptyTurns && m.content === '') continue;
        if (this.next?.userRefusal) throw new TemplateError(this.next.userRefusal);
        this.close();
        this.next = null;
        if (placed.beforeLastUser && m.content === lastUser) this.frame(placed.beforeLastUser);
        const suffix = this.rule?.userSuffix?.(m.content, this.thinkingOptions());
        this.userTurn([{ text: this.trim(m.content), role: 'user', msg: i }, ...(suffix ? [tpl(suffix)] : [])], i);
      } else if (m.role === 'tool') {
        let j = i;
        while (j + 1 < msgs.length && msgs[j + 1].role === 'tool') j++;
        this.results(i, j);
        i = j;
      } else if (m.tool_calls?.length) this.callTurns(i);
      else {
        if (spec.skipEmptyTurns && m.content === '') continue;
        this.replyTurn(i);
      }
    }
    this.end();
    // ms-swift's llama3 rewrites the first message's content; the family's system prompt then goes before it.
    if (placed.firstMessage && !placed.firstMessage.asUserTurn) this.intoFirstBody(placed.firstMessage.pieces);
    this.placeSystem(sys, placed);
  }

  // ---- the system prompt and tool list ----

  private systemTurn(sys: Piece[] | undefined, placed: ToolsPlacement): void {
    const { spec } = this;
    const preamble = spec.systemPreamble?.replace('{{DATE}}', this.opts.date ?? spec.defaultDate ?? '');
    const hasSys = sys !== undefined && !(spec.skipEmptySystem && textOf(sys) === '');
    if (!hasSys && preamble === undefined && !placed.systemHead) return;
    // (A system turn's prompt was trimmed in run(), before a rule added to it.)
    const body = [
      ...(placed.systemHead ?? []),
      ...(preamble !== undefined ? [tpl(preamble)] : []),
      ...(hasSys ? sys! : []),
    ];
    const isDefault =
      spec.defaultSystemSep !== undefined &&
      hasSys &&
      sys!.length === 1 &&
      sys![0].text === spec.defaultSystem &&
      this.conv.system === undefined &&
      !placed.system;
    const sep = isDefault ? spec.defaultSystemSep! : spec.systemTurn.sep;
    const tail = [tpl(spec.systemTurn.suffix), tpl(sep)];
    this.blocks.push({ role: 'frame', head: [tpl(spec.systemTurn.prefix)], body, tail });
  }

  /** Families without a system turn: the system prompt goes into the first or last user turn. */
  private placeSystem(sys: Piece[] | undefined, placed: ToolsPlacement): void {
    const { spec } = this;
    if (sys === undefined) return;
    const what = placed.system ? 'the system prompt (with the tool list)' : 'the system prompt';
    if (spec.systemPlacement === 'first_user') {
      this.ctx.warn(
        'system_merged',
        spec.systemUnsupported
          ? `${spec.id}'s official template refuses a system role: ${what} is prepended to the first user turn instead`
          : `${spec.id} has no system turn: ${what} is prepended to the first user turn, as its template does`,
      );
      this.intoFirstBody([...sys, { text: '\n\n', role: sys[sys.length - 1].role }]);
    } else if (spec.systemPlacement === 'last_user') {
      const last = [...this.blocks].reverse().find((b) => b.role !== 'frame');
      if (last?.role === 'user') last.body.unshift(...sys, { text: '\n\n', role: 'system' });
      else {
        this.ctx.warn(
          'system_dropped',
          `${spec.id}'s official template only writes the system prompt into a final user turn; ` +
            `this conversation ends with another role, so ${what} is dropped`,
        );
      }
    }
  }

  /** The first message's turn (where Gemma's system prompt and ms-swift's llama3 tools go). */
  private firstBodyOwner(): Block | undefined {
    return this.blocks.find((b) => b.role !== 'frame' && b.msg !== undefined);
  }

  private intoFirstBody(pieces: Piece[]): void {
    const first = this.firstBodyOwner();
    if (!first) return;
    first.body.unshift(...pieces);
  }

  // ---- turns ----

  private frame(pieces: Piece[]): void {
    this.blocks.push({ role: 'frame', head: [], body: pieces, tail: [] });
  }

  private trim(s: string): string {
    return this.spec.trimContent ? pyStrip(s) : s;
  }

  /** The role header; with replyEndsAtNextRole its role token ends the pending reply. */
  private header(prefix: string): Piece[] {
    if (this.rolePending === null || prefix === '') return [tpl(prefix)];
    const tokens = this.spec.specialTokens.filter((t) => t && prefix.startsWith(t));
    const token = tokens.sort((x, y) => y.length - x.length)[0];
    if (!token) return [tpl(prefix)];
    const msg = this.rolePending;
    this.rolePending = null;
    return [{ text: token, role: 'template', msg, end: true }, tpl(prefix.slice(token.length))];
  }

  /**
   * Writes the end of the open assistant turn: its end marker, or (no marker) leaves it to the next
   * role token. `final`: nothing follows (a reply that ends itself then gets no marker).
   */
  private close(final = false): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    if (final && o.endsTurn) return;
    if (o.suffix !== '') o.block.tail.push({ text: o.suffix, role: 'template', msg: o.msg, end: true });
    else if (this.spec.replyEndsAtNextRole) this.rolePending = o.msg;
    o.block.tail.push(tpl(o.sep));
  }

  private userTurn(body: Piece[], msg: number, role: Block['role'] = 'user'): Block {
    const w = this.spec.user;
    const tail = [{ text: w.suffix, role: 'template' as const, msg, end: true }, tpl(w.sep)];
    const block: Block = { role, msg, head: this.header(w.prefix), body, tail };
    this.blocks.push(block);
    return block;
  }

  /** Starts an assistant turn; it stays open until the next block. */
  private assistantTurn(turn: AssistantTurn, msg: number, role: Block['role'], defaultPrefix: string): void {
    const w = this.spec.assistant;
    const block: Block = { role, msg, head: this.header(turn.prefix ?? defaultPrefix), body: turn.body, tail: [] };
    this.blocks.push(block);
    this.open = { block, msg, suffix: turn.suffix ?? w.suffix, sep: turn.sep ?? w.sep, endsTurn: turn.endsTurn };
  }

  private thinkingOptions() {
    const { addGenerationPrompt, enableThinking, today } = this.opts;
    return {
      conversation: this.conv,
      addGenerationPrompt: !!addGenerationPrompt,
      enableThinking,
      today,
      vars: this.opts.vars ?? {},
    };
  }

  private replyText(i: number, hasCalls: boolean) {
    const m = this.msgs[i];
    if (this.rule) {
      return this.rule.reply(m, {
        ...this.thinkingOptions(),
        index: i,
        isLast: i === this.msgs.length - 1,
        lastQuery: this.lastQuery,
        hasCalls,
        trainEmptyThink: !!this.opts.trainEmptyThink,
        warn: this.ctx.warn,
      });
    }
    return { pieces: [{ text: m.content, role: 'assistant' as const, msg: i }], content: m.content };
  }

  /** How the next assistant turn starts (after a results block) and whether it is a turn of its own. */
  private takeNext(call: boolean): { prefix: string; role?: Block['role'] } {
    const n = this.next;
    this.next = null;
    if (!n) return { prefix: this.spec.assistant.prefix };
    const prefix = (call ? (n.callPrefix ?? n.assistantPrefix) : n.assistantPrefix) ?? this.spec.assistant.prefix;
    return { prefix, role: n.inline ? 'cont' : undefined };
  }

  private replyTurn(i: number): void {
    const { spec } = this;
    this.close();
    const { prefix, role } = this.takeNext(false);
    let body: Piece[];
    let suffix: string | undefined;
    if (this.rule) ({ pieces: body, suffix } = this.replyText(i, false));
    else {
      const c = this.msgs[i].content;
      body = [{ text: spec.trimAssistant || spec.trimContent ? pyStrip(c) : c, role: 'assistant', msg: i }];
    }
    // DeepSeek-V3.1 opens a reply with its header only after a user turn.
    const header = spec.replyHeaderAfterUserOnly && this.msgs[i - 1]?.role !== 'user' ? '' : prefix;
    this.assistantTurn({ body, ...(suffix !== undefined ? { suffix } : {}) }, i, role ?? 'assistant', header);
  }

  private callTurns(i: number): void {
    const { spec } = this;
    const m = this.msgs[i];
    const text = this.replyText(i, true);
    const input = { index: i, message: m, calls: m.tool_calls!, text: text.pieces, content: text.content };
    const turns = this.agent.calls(input, this.ctx);
    turns.forEach((turn, k) => {
      this.close();
      const next = k === 0 ? this.takeNext(true) : { prefix: spec.assistant.prefix };
      // Calls written into the content (ReAct) are content to the family: trimmed, a plain reply to role checks.
      const body = turn.callsInContent && (spec.trimContent || spec.trimAssistant) ? stripPieces(turn.body) : turn.body;
      this.assistantTurn({ ...turn, body }, i, next.role ?? (turn.callsInContent ? 'assistant' : 'call'), next.prefix);
    });
  }

  /** A run of tool messages i..j. */
  private results(i: number, j: number): void {
    const { spec } = this;
    const indexes = Array.from({ length: j - i + 1 }, (_, k) => i + k);
    const after = i > 0 ? { index: i - 1, role: this.msgs[i - 1].role } : null;
    const block: ResultsBlock = this.agent.results({ indexes, after }, this.ctx);
    this.toolResultsIn ??= block.carriedBy;
    if (block.intoUser) {
      const user = [...this.blocks].reverse().find((b) => b.msg === i - 1);
      if (!user) throw new TemplateError('tool results must follow a user message or an assistant reply');
      user.body.push(...block.intoUser);
      return;
    }
    if (block.replySuffix || block.replyTrimEnd) this.editReply(i - 1, block);
    // Results after a tool-call turn are tool messages to role checks; after calls written as
    // content (ReAct) they are the user turn the official template sees.
    const afterCall = [...this.blocks].reverse().find((b) => b.role !== 'frame')?.role === 'call';
    if (block.continuesCall) this.open = null;
    else this.close();
    this.next = null;
    for (const part of block.parts) {
      if (part.kind === 'user') {
        this.userTurn(this.trimContentPieces(part.content), part.msg, afterCall ? 'results' : 'user');
      } else if (part.kind === 'turn') {
        const w = part.wrapper ?? spec.tool;
        if (!w) {
          throw new TemplateError(
            `${spec.id} has no tool turn: pick an agent template that writes tool results in user turns ` +
              '(e.g. native:hermes or an ms-swift one)',
          );
        }
        const tail = [{ text: w.suffix, role: 'template' as const, msg: part.msg, end: true }, tpl(w.sep)];
        this.blocks.push({ role: 'tool', msg: part.msg, head: this.header(w.prefix), body: part.content, tail });
      } else {
        // ms-swift pairs a run of results with the reply after it, as a query: the user side of a
        // round, unless they go on inline in the reply.
        const role = block.carriedBy === 'assistant' ? 'none' : afterCall ? 'results' : 'user';
        this.blocks.push({ role, head: [], body: part.pieces, tail: [] });
      }
    }
    if (block.next) this.next = { ...block.next, inline: block.carriedBy === 'assistant' };
  }

  private trimContentPieces(pieces: Piece[]): Piece[] {
    return this.spec.trimContent ? stripPieces(pieces) : pieces;
  }

  /** Appends to, or cuts from, the reply before a results block (ReAct's `Observation:`). */
  private editReply(msg: number, block: ResultsBlock): void {
    const owner = [...this.blocks].reverse().find((b) => b.msg === msg);
    if (!owner) return;
    const body = owner.body;
    let cut = block.replyTrimEnd ?? 0;
    for (let k = body.length - 1; k >= 0 && cut > 0; k--) {
      const take = Math.min(cut, body[k].text.length);
      body[k] = { ...body[k], text: body[k].text.slice(0, body[k].text.length - take) };
      cut -= take;
    }
    if (block.replySuffix) {
      const last = [...body].reverse().find((p) => p.msg === msg && p.role === 'assistant');
      body.push({ text: block.replySuffix, role: 'assistant', msg, part: last?.part });
    }
  }

  private end(): void {
    const { spec, opts } = this;
    this.close(!opts.addGenerationPrompt);
    if (this.rolePending !== null && spec.finalStop && !opts.addGenerationPrompt) {
      const last = this.blocks[this.blocks.length - 1];
      last.tail.push({ text: spec.finalStop, role: 'template', msg: this.rolePending, end: true, added: true });
      this.rolePending = null;
    }
    const tail: Piece[] = [];
    if (this.next?.end) tail.push(tpl(this.next.end));
    if (opts.addGenerationPrompt) {
      // Where the format writes no generation prompt (it goes on after the results), no think block either.
      const afterUser = this.msgs[this.msgs.length - 1]?.role === 'user';
      if (!(this.next && this.next.generationPrompt === false) && !(spec.replyHeaderAfterUserOnly && !afterUser)) {
        tail.push(...this.header(spec.generationPrompt));
        if (this.rule?.promptSuffix) tail.push(tpl(this.rule.promptSuffix(this.thinkingOptions())));
        else if (this.rule?.noThinkPrompt && opts.enableThinking === false) tail.push(tpl(this.rule.noThinkPrompt));
        else if (this.rule?.thinkPrompt && (opts.enableThinking ?? this.rule.thinkPromptByDefault)) {
          tail.push(tpl(this.rule.thinkPrompt));
        }
      }
    } else if (spec.endWithoutGenerationPrompt) tail.push(tpl(spec.endWithoutGenerationPrompt));
    if (spec.alwaysAppend) tail.push(tpl(spec.alwaysAppend));
    this.frame(tail);
  }
}

/** The official templates' alternation check, on turns as written (one count per message). */
function checkAlternation(spec: TemplateSpec, blocks: Block[]): void {
  let k = 0;
  let prevMsg: number | undefined;
  for (const b of blocks) {
    if (b.role === 'frame' || b.role === 'none') continue;
    if (b.role === 'cont' && k % 2 === 0) continue;
    if (spec.alternationSkipsTools && (b.role === 'tool' || b.role === 'call' || b.role === 'results')) continue;
    if (b.msg !== undefined && b.msg === prevMsg) continue;
    prevMsg = b.msg;
    if ((b.role === 'user' || b.role === 'results') !== (k % 2 === 0)) throw new TemplateError(spec.alternation!);
    k++;
  }
}

/** ms-swift's query of a response: the user message before it ('' when none; a tool round has none). */
function queryOf(messages: Message[], i: number): string | undefined {
  for (let k = i - 1; k >= 0; k--) {
    if (messages[k].role === 'user') return messages[k].content;
    if (messages[k].role === 'tool') return undefined;
  }
  return '';
}

/**
 * Spans with weights. A piece is trained when its message is (or, scaffolding, under `all`). The
 * response pieces of one message (and part) are one response: ms-swift's `get_loss_scale(response,
 * query)` splits it, or the message's own `loss_scale` weighs it whole; other trained pieces (end
 * markers, as ms-swift weighs the template suffix; anything under `all`) go through
 * `get_loss_scale` alone.
 */
function weigh(pieces: Piece[], messages: Message[], trained: boolean[], ls: LossScale): SpanBuilder {
  const b = new SpanBuilder();
  const list = pieces.filter((p) => p.text !== '');
  const isResponse = (p: Piece) => p.msg !== undefined && !p.end && p.role === 'assistant';
  for (let k = 0; k < list.length;) {
    const p = list[k];
    const on = p.msg !== undefined ? trained[p.msg] : ls.base === 'all';
    if (!on) {
      b.add(p.text, p.role, false);
      k++;
      continue;
    }
    let group = [p];
    let parts: WeightedPart[];
    if (isResponse(p)) {
      let e = k + 1;
      const same = (q: Piece) => isResponse(q) && q.msg === p.msg && (q.part ?? 0) === (p.part ?? 0);
      while (e < list.length && same(list[e])) e++;
      group = list.slice(k, e);
      const text = textOf(group);
      const own = messages[p.msg!].loss_scale;
      parts = own !== undefined ? [{ text, weight: own }] : ls.getLossScale(text, queryOf(messages, p.msg!));
    } else parts = ls.getLossScale(p.text);
    emitSplit(b, group, parts);
    k += group.length;
  }
  return b;
}

/** Writes pieces cut at the boundaries of weighted parts that concatenate to the same text. */
function emitSplit(b: SpanBuilder, pieces: Piece[], parts: WeightedPart[]): void {
  let pi = 0;
  let po = 0;
  for (const part of parts) {
    let left = part.text.length;
    while (left > 0 && pi < pieces.length) {
      const p = pieces[pi];
      const take = Math.min(left, p.text.length - po);
      b.add(p.text.slice(po, po + take), p.role, part.weight > 0, part.weight, !!p.added);
      po += take;
      left -= take;
      if (po === p.text.length) {
        pi++;
        po = 0;
      }
    }
  }
  if (pi < pieces.length) throw new Error('loss scale parts do not cover the response');
}
