#!/usr/bin/env python3
"""Writes llm_key_vectors.json: the cache keys of LLM calls, computed with Python's json and hashlib.

Run from this directory: python3 make_llm_key_vectors.py > llm_key_vectors.json

Two kinds of vectors:

- "agentheaven": the key AgentHeaven's LLM computes. `ahvn_config` is the LLM's resolved config
  (what resolve_llm_config returns for its preset: model, api_key, api_base, temperature, ...),
  `call` the call's arguments. The config hashed is built as AgentHeaven 0.9's
  LLM._validate_config builds it (src/ahvn/llm/base.py):
      config = self.config | kwargs | {"messages": format_messages(messages)} | {"stream": True}
      then "tools" and "tool_choice" ("auto" unless given) when tools are given,
  minus http_proxy/https_proxy; the memoized function takes **inputs, so the key's inputs are
  {"inputs": config}. Embeddings: inputs {"batch": [text], "kwargs": self.config | kwargs}.
- "portable": the key of the documented portable config (ahvn/integrations/llm_config.hpp), given
  literally in `config`.

`cpp` is the C++ llm_config a test builds for the same call (keys: "agentheaven" or "portable").
The key: int(md5(canon(inputs) + "||" + canon(name)).hexdigest(), 16), canon =
json.dumps(transform(x), sort_keys=True, ensure_ascii=False) (as in tests/messages/make_key_vectors.py).
"""
import copy
import hashlib
import json
import sys


def transform(obj):
    if isinstance(obj, tuple):
        return {"__obj_type__": "tuple", "__obj_data__": [transform(i) for i in obj]}
    if isinstance(obj, set):
        return {"__obj_type__": "set", "__obj_data__": [transform(i) for i in sorted(obj)]}
    if isinstance(obj, int) and not isinstance(obj, bool) and (obj > 1 << 53 or obj < -(1 << 53)):
        return {"__obj_type__": "bigint", "__obj_data__": str(obj)}
    if isinstance(obj, list):
        return [transform(i) for i in obj]
    if isinstance(obj, dict):
        return {k: transform(v) for k, v in obj.items()}
    return obj


def canon(obj):
    return json.dumps(transform(obj), sort_keys=True, ensure_ascii=False)


def key(func, inputs):
    return int(hashlib.md5((canon(inputs) + "||" + canon(func)).encode("utf-8")).hexdigest(), 16)


def format_messages(messages):
    """AgentHeaven's format_messages (src/ahvn/llm/llm_utils.py) for str, dict and list input."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    out = []
    for m in messages:
        if isinstance(m, str):
            out.append({"role": "user", "content": m})
            continue
        m = copy.deepcopy(m)
        for tc in m.get("tool_calls") or []:
            if not isinstance(tc["function"]["arguments"], str):
                tc["function"]["arguments"] = json.dumps(tc["function"]["arguments"], ensure_ascii=False)
        out.append(m)
    return out


def agentheaven_chat_config(ahvn_config, call):
    kwargs = {k: v for k, v in call.items() if k not in ("messages", "tools", "tool_choice")}
    tools, tool_choice = call.get("tools"), call.get("tool_choice")
    config = copy.deepcopy(ahvn_config) | copy.deepcopy(kwargs) | {"messages": format_messages(call["messages"])} | {"stream": True}
    if tools:
        config["tools"] = tools
        config["tool_choice"] = "auto" if tool_choice is None else tool_choice
    elif tool_choice is not None:
        config["tool_choice"] = tool_choice
    config.pop("http_proxy", None)
    config.pop("https_proxy", None)
    return config


TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "Looks a word up",
                                          "parameters": {"type": "object", "properties": {"word": {"type": "string"}}}}}]
HISTORY = [{"role": "system", "content": "Answer briefly."},
           "What is a cache?",
           {"role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": {"word": "cache"}}}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "a store of answers ☃"}]

BASE = "https://api.openai.com/v1"

CHAT = [
    # AgentHeaven's keys: the resolved config holds api_key and api_base.
    {"name": "agentheaven: a prompt", "style": "agentheaven",
     "cpp": {"model": "gpt-4o-mini", "api_key": "sk-test-1", "base_url": BASE},
     "ahvn_config": {"model": "gpt-4o-mini", "api_key": "sk-test-1", "api_base": BASE},
     "call": {"messages": "What is Python?"}},
    {"name": "agentheaven: the key rotated", "style": "agentheaven",
     "cpp": {"model": "gpt-4o-mini", "api_key": "sk-test-2", "base_url": BASE},
     "ahvn_config": {"model": "gpt-4o-mini", "api_key": "sk-test-2", "api_base": BASE},
     "call": {"messages": "What is Python?"}},
    {"name": "agentheaven: preset settings, timeout, seed and a call's temperature", "style": "agentheaven",
     "cpp": {"model": "deepseek-chat", "api_key": "sk-ds", "base_url": "https://api.deepseek.com/v1",
             "seed": 42, "max_tokens": 256, "agentheaven_config": {"timeout": 60}},
     "ahvn_config": {"model": "deepseek-chat", "api_key": "sk-ds", "api_base": "https://api.deepseek.com/v1",
                     "seed": 42, "max_tokens": 256, "timeout": 60},
     "call": {"messages": "Bonjour ☃, ça va?", "temperature": 0.7}},
    {"name": "agentheaven: a history with a tool call, tools", "style": "agentheaven",
     "cpp": {"model": "gpt-4o", "api_key": "sk-test-1", "base_url": BASE, "temperature": 0.0,
             "agentheaven_config": {"model": "openai/gpt-4o"}},
     "ahvn_config": {"model": "openai/gpt-4o", "api_key": "sk-test-1", "api_base": BASE, "temperature": 0.0},
     "call": {"messages": HISTORY, "tools": TOOLS}},
    {"name": "agentheaven: no api_key, no api_base, tool_choice without tools", "style": "agentheaven",
     "cpp": {"model": "llama3", "api_key": "", "base_url": "http://localhost:11434/v1",
             "agentheaven_config": {"api_base": None}},
     "ahvn_config": {"model": "llama3"},
     "call": {"messages": ["one", "two"], "tool_choice": "none", "top_p": 0.5}},
    # The portable keys: exactly the documented fields.
    {"name": "portable: a prompt", "style": "portable",
     "cpp": {"model": "gpt-4o-mini", "api_key": "sk-test-1", "base_url": BASE},
     "call": {"messages": "What is Python?"},
     "config": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "What is Python?"}],
                "stream": True}},
    {"name": "portable: sampling settings, options, unkeyed options, tools", "style": "portable",
     "cpp": {"model": "gpt-4o", "api_key": "sk-other", "base_url": "https://proxy.example/v1",
             "temperature": 0.2, "seed": 7, "options": {"stop": ["\n\n"], "user": "alice"}},
     "call": {"messages": HISTORY, "tools": TOOLS, "tool_choice": "required", "max_tokens": 100,
              "options": {"metadata": {"trace": "abc"}, "presence_penalty": 0.5}},
     "config": {"model": "gpt-4o", "temperature": 0.2, "seed": 7, "stop": ["\n\n"], "max_tokens": 100,
                "presence_penalty": 0.5, "messages": format_messages(HISTORY), "stream": True,
                "tools": TOOLS, "tool_choice": "required"}},
]

EMBED = [
    {"name": "agentheaven: embeddings", "style": "agentheaven",
     "cpp": {"model": "text-embedding-3-small", "api_key": "sk-test-1", "base_url": BASE},
     "ahvn_config": {"model": "text-embedding-3-small", "api_key": "sk-test-1", "api_base": BASE},
     "call": {"options": {"dimensions": 256}}, "text": "héllo"},
    {"name": "portable: embeddings", "style": "portable",
     "cpp": {"model": "text-embedding-3-small", "api_key": "sk-test-1", "base_url": BASE},
     "call": {"options": {"dimensions": 256, "user": "bob"}}, "text": "héllo",
     "config": {"model": "text-embedding-3-small", "dimensions": 256}},
]


def main():
    out = {"chat": [], "embed": []}
    for case in CHAT:
        if case["style"] == "agentheaven":
            config = agentheaven_chat_config(case["ahvn_config"], case["call"])
        else:
            config = case["config"]
        inputs = {"inputs": config}
        out["chat"].append({"name": case["name"], "style": case["style"], "cpp": case["cpp"],
                            "call": case["call"], "inputs": inputs, "key": str(key("llm", inputs))})
    for case in EMBED:
        if case["style"] == "agentheaven":
            kwargs = copy.deepcopy(case["ahvn_config"]) | copy.deepcopy(case["call"]["options"])
        else:
            kwargs = case["config"]
        inputs = {"batch": [case["text"]], "kwargs": kwargs}
        out["embed"].append({"name": case["name"], "style": case["style"], "cpp": case["cpp"],
                             "call": case["call"], "text": case["text"], "inputs": inputs,
                             "key": str(key("llm", inputs))})
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
