#!/usr/bin/env python3
"""Test-only ground truth for src/templates/agent/swift: runs ms-swift's OWN agent templates
(vendored unchanged in ../shared/reference/ms-swift, imported from there, never copied) on JSON
Lines from stdin. The same walk as that folder's agent_oracle.py (ms-swift's Template:
_preprocess_tool_call, _swift_prepare_inputs), plus what it leaves out:

In:  {"agent_template", "tools", "system", "messages", "template_meta": {"prompt": [...],
      "chat_sep": [...]} | absent, "replies": [model replies to parse] | absent}
Out: {"tools_text", "user_content": the first non-system message's content after _format_tools
      (llama3 rewrites it), "tools": the tools list after _format_tools (toolbench unwraps them in
      place), "calls": [...], "responses": [[assistant_content, parts], ...],
      "parsed": [get_toolcall(text) as [{name, arguments}] for each calls text],
      "standalone": [_format_standalone_tool_responses(run) string parts, or "refused" where it
                     raises, for each run of results that follows no assistant or tool call],
      "reply_calls": [get_toolcall(reply) for each of "replies"]}
     or {"error": "Type: message"} when ms-swift raises.
Usage: /usr/bin/python3 swift_oracle.py REFERENCE_DIR < cases.jsonl
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
from swift.agent_template import agent_template_map  # noqa: E402


class Meta:
    def __init__(self, d):
        self.prompt = d['prompt']
        self.chat_sep = d['chat_sep']


def run(case):
    t = agent_template_map[case['agent_template']]()
    if case.get('template_meta') is not None:
        t.template_meta = Meta(case['template_meta'])
    tools = [t.wrap_tool(t._parse_json(x)) for x in (case.get('tools') or [])]
    msgs = [dict(m) for m in case['messages'] if m['role'] != 'system']
    first = msgs[0] if msgs else None
    tools_text = t._format_tools(tools, case.get('system'), first) if tools else None
    out = {'tools_text': tools_text, 'user_content': first['content'] if first else None, 'tools': tools,
           'calls': [], 'responses': [], 'parsed': [], 'standalone': []}
    i, prev = 0, None
    while i < len(msgs):
        role = msgs[i]['role']
        if role == 'tool_call':
            j = i
            while j < len(msgs) and msgs[j]['role'] == 'tool_call':
                j += 1
            text = t._add_tool_call_prefix(t._format_tool_calls(msgs[i:j]), msgs[i - 1] if i > 0 else None)
            out['calls'].append(text)
            out['parsed'].append([{'name': f.name, 'arguments': f.arguments} for f in t.get_toolcall(text)])
            prev = {'role': 'assistant', 'content': text}
            i = j
        elif role in ('tool_response', 'tool'):
            j = i
            while j < len(msgs) and msgs[j]['role'] in ('tool_response', 'tool'):
                j += 1
            a, parts = t._format_tool_responses(prev['content'] if prev else '', msgs[i:j])
            out['responses'].append([a, [p for p in parts if isinstance(p, str)]])
            if prev is None:
                try:
                    out['standalone'].append([p for p in t._format_standalone_tool_responses(msgs[i:j])
                                              if isinstance(p, str)])
                except Exception:
                    out['standalone'].append('refused')
            prev = None
            i = j
        else:
            prev = msgs[i] if role == 'assistant' else None
            i += 1
    out['reply_calls'] = [[{'name': f.name, 'arguments': f.arguments} for f in t.get_toolcall(r)]
                          for r in case.get('replies') or []]
    return out


for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    try:
        print(json.dumps(run(c), ensure_ascii=False))
    except Exception as e:  # ms-swift refuses this input
        print(json.dumps({'error': f'{type(e).__name__}: {e}'}, ensure_ascii=False))
