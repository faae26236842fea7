#!/usr/bin/python3
"""Render chat templates with real Jinja2, set up the way Hugging Face transformers'
`apply_chat_template` does (transformers/utils/chat_template_utils.py: _compile_jinja_template
and render_jinja_template). This is the ground truth our TypeScript renderers are tested against.

The setup reproduced here (facts, not copied code):
  - jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
    extensions=[AssistantTracker, jinja2.ext.loopcontrols]); AssistantTracker only adds the
    `{% generation %}...{% endgeneration %}` block tag, which renders its body unchanged.
  - filter `tojson` replaced by json.dumps(x, ensure_ascii=False, indent=..., separators=...,
    sort_keys=...) (Jinja's own escapes HTML characters).
  - globals `raise_exception(msg)` -> raises jinja2.exceptions.TemplateError(msg), and
    `strftime_now(fmt)` -> datetime.now().strftime(fmt).
  - render(messages=..., tools=..., documents=None, add_generation_prompt=..., **kwargs) where kwargs
    are the tokenizer's special_tokens_map (bos_token, eos_token, ... only those that are set)
    merged with the caller's extra kwargs (enable_thinking, date_string, ...), extra winning.

Two test-only knobs, off by default (a job without them renders exactly as above):
  - "now": "YYYY-MM-DD" freezes the date strftime_now sees (templates that print today's date with no
    variable to set it: gpt-oss, Granite 3.3, Mistral Small 3.2), as faketime would.
  - "sandbox": "mutable" renders in jinja2.sandbox.SandboxedEnvironment, where list.append / pop work
    (llama.cpp's minja allows them; transformers' ImmutableSandboxedEnvironment refuses), to see what a
    template that mutates lists (Kimi-K2's tool_response_queue) writes.

stdin:  {"jobs": [{"template", "messages", "tools", "add_generation_prompt", "extra", "special_tokens", "now",
                  "sandbox"}]}
stdout: {"results": [{"text": str} | {"error": str}]}
"""
import json
import sys
from datetime import datetime

try:
    import jinja2
    import jinja2.ext
    import jinja2.nodes
    from jinja2.ext import Extension
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
except ImportError as e:  # pragma: no cover
    sys.stderr.write("jinja2 missing: apt-get install python3-jinja2 (%s)\n" % e)
    sys.exit(3)


class GenerationBlock(Extension):
    """`{% generation %}` as transformers' AssistantTracker parses it; without an active tracker
    (return_assistant_tokens_mask=False, the default) it outputs its body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_passthrough"), [], [], body).set_lineno(lineno)

    def _passthrough(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


def frozen_strftime_now(day):
    fixed = datetime.strptime(day, "%Y-%m-%d")
    return lambda fmt: fixed.strftime(fmt)


def make_env(mutable=False):
    cls = SandboxedEnvironment if mutable else ImmutableSandboxedEnvironment
    env = cls(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    req = json.load(sys.stdin)
    envs = {False: make_env(), True: make_env(mutable=True)}
    compiled = {}
    results = []
    for job in req["jobs"]:
        try:
            src = job["template"]
            mutable = job.get("sandbox") == "mutable"
            if (src, mutable) not in compiled:
                compiled[(src, mutable)] = envs[mutable].from_string(src)
            template = compiled[(src, mutable)]
            # Globals are shared by every template of an environment: set the clock per job.
            now = job.get("now")
            envs[mutable].globals["strftime_now"] = frozen_strftime_now(now) if now else strftime_now
            # transformers: template_kwargs = {**tokenizer.special_tokens_map, **kwargs}; unset
            # special tokens (None) are not in special_tokens_map, so they stay undefined.
            kwargs = {k: v for k, v in (job.get("special_tokens") or {}).items() if v is not None}
            kwargs.update(job.get("extra") or {})
            text = template.render(
                messages=job["messages"],
                tools=job.get("tools"),
                documents=None,
                add_generation_prompt=bool(job.get("add_generation_prompt", False)),
                **kwargs,
            )
            results.append({"text": text})
        except Exception as e:  # the template refusing a conversation is a result, not a crash
            results.append({"error": str(e), "type": type(e).__name__})
    sys.stdout.write(json.dumps({"results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
