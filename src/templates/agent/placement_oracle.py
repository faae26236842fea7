#!/usr/bin/env python3
"""Test-only ground truth for where ms-swift's agent pieces go in a whole conversation
(placement.test.ts). The agent-template calls are ms-swift's OWN code, imported from
../shared/reference/ms-swift (never copied here); the walk around them is ms-swift's Template
preparation (swift/template/template_inputs.py normalize_openai_tool_calls and from_dict,
swift/template/base.py _preprocess_tool_call, _preprocess_standalone_tools,
_swift_prepare_inputs, _get_system at ms-swift 3602360a), transcribed here because that module
needs torch and is not vendored.

In:  {"agent_template", "tools": [...], "system": str | null (the record's, else the model
      template's default), "messages": [OpenAI messages: user / assistant (tool_calls) / tool],
      "template_meta": {"prompt": [...], "chat_sep": [...]}}
Out: {"system": _format_tools(...) or null without tools,
      "first": messages[0]["content"] as _get_system leaves it (llama3 rewrites it),
      "calls": [each run's _add_tool_call_prefix(_format_tool_calls(run))],
      "results": [[the reply before the run as _format_tool_responses returned it (a list is
                   given as its last element), the parts joined]],
      "standalone": [each standalone run's text appended to its user message]}
     or {"error": "Type: message"} where ms-swift raises.
Usage: /usr/bin/python3 placement_oracle.py REFERENCE_DIR < cases.jsonl
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
from swift.agent_template import agent_template_map  # noqa: E402


class Meta:
    def __init__(self, d):
        self.prompt = d['prompt']
        self.chat_sep = d['chat_sep']


def normalize(messages):
    """normalize_openai_tool_calls, then from_dict's tool_response/tool content handling."""
    out = []
    for message in messages:
        tool_calls = message.get('tool_calls') if message.get('role') == 'assistant' else None
        if not tool_calls:
            out.append(dict(message))
            continue
        content = message.get('content')
        if content:
            out.append({k: v for k, v in message.items() if k in {'role', 'content', 'loss', 'loss_scale'}})
        for tool_call in tool_calls:
            function = tool_call.get('function', tool_call)
            arguments = function.get('arguments', {})
            if isinstance(arguments, str):
                try:
                    arguments = json.loads(arguments)
                except json.JSONDecodeError:
                    pass
            out.append({'role': 'tool_call', 'content': {'name': function['name'], 'arguments': arguments}})
    for message in out:
        if message['role'] == 'tool_response':
            message['role'] = 'tool'
        content = message.get('content')
        if message['role'] in {'tool_call', 'tool'} and not isinstance(content, str):
            message['content'] = json.dumps(content, ensure_ascii=False)
    return out


def run(case):
    t = agent_template_map[case['agent_template']]()
    t.template_meta = Meta(case['template_meta'])
    out = {'system': None, 'first': None, 'calls': [], 'results': [], 'standalone': []}
    messages = normalize(case['messages'])
    tools = [t.wrap_tool(t._parse_json(x)) for x in (case.get('tools') or [])]
    # _preprocess_tool_call
    i = 0
    while i < len(messages):
        if messages[i]['role'] == 'tool_call':
            i_start = i
            while i + 1 < len(messages) and messages[i + 1]['role'] == 'tool_call':
                i += 1
            tool_content = t._format_tool_calls(messages[i_start:i + 1])
            pre_message = messages[i_start - 1] if i_start > 0 else None
            tool_content = t._add_tool_call_prefix(tool_content, pre_message)
            out['calls'].append(tool_content)
            messages[i_start:i + 1] = [{'role': 'assistant', 'content': tool_content}]
            i = i_start + 1
        else:
            i += 1
    # _preprocess_standalone_tools
    i = 0
    while i < len(messages):
        if messages[i]['role'] != 'tool' or i > 0 and messages[i - 1]['role'] in {'assistant', 'tool'}:
            i += 1
            continue
        i_start = i
        while i + 1 < len(messages) and messages[i + 1]['role'] == 'tool':
            i += 1
        tool_messages = messages[i_start:i + 1]
        if i_start == 0:
            raise ValueError('A standalone tool message must follow a user message.')
        query_message = messages[i_start - 1]
        if query_message['role'] != 'user':
            raise ValueError(f'A standalone tool message must follow a user message. Previous message: {query_message}')
        tool_context = t._format_standalone_tool_responses(tool_messages)
        out['standalone'].append(''.join(tool_context))
        query_message['content'] = (query_message.get('content') or '') + ''.join(tool_context)
        del messages[i_start:i + 1]
        i = i_start
    # _swift_prepare_inputs (template_backend 'swift')
    i = 1
    while i < len(messages):
        pre_message, message = messages[i - 1], messages[i]
        pre_role, pre_content = pre_message['role'], pre_message['content']
        role, content = message['role'], message['content']
        if pre_role == 'assistant' and role == 'tool':
            i_start = i
            while i + 1 < len(messages) and messages[i + 1]['role'] == 'tool':
                i += 1
            pre_message['content'], tool_content = t._format_tool_responses(pre_content, messages[i_start:i + 1])
            reply = pre_message['content']
            out['results'].append([reply[-1] if isinstance(reply, list) else reply,
                                   ''.join(p for p in tool_content if isinstance(p, str))])
            messages[i_start:i + 1] = [{'role': 'tool', 'content': tool_content}]
            i = i_start + 1
        elif pre_role == 'assistant' and role == 'assistant' or pre_role == 'user' and role == 'user':
            if pre_role == 'assistant':
                for key in ['content', 'loss', 'loss_scale']:
                    pre_val = pre_message.get(key)
                    cur_val = message.get(key)
                    pre_message[key] = (pre_val if isinstance(pre_val, list) else [pre_val]) + \
                        (cur_val if isinstance(cur_val, list) else [cur_val])
            else:
                pre_message['content'] = pre_content + content
            messages.pop(i)
        else:
            i += 1
    # _get_system
    if tools:
        out['system'] = t._format_tools(tools, case.get('system'), messages[0])
    first = messages[0]['content'] if messages else None
    out['first'] = first if isinstance(first, str) else None
    return out


for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    try:
        print(json.dumps(run(c), ensure_ascii=False))
    except Exception as e:  # ms-swift refuses this input
        print(json.dumps({'error': f'{type(e).__name__}: {e}'}, ensure_ascii=False))
