#!/usr/bin/env python3
"""A JSON cache directory exactly as AgentHeaven's JsonCache reads and writes it.

  ahvn_json_dir.py write DIR
      Writes a set of entries into DIR as JsonCache does (one DIR/"%040d.json" % key file per
      entry, json.dump(entry_dict, fp, indent=4, ensure_ascii=False)) and prints, as JSON,
      {"entries": [{"key", "file", "entry", "byte_exact", "key_matches_content"}, ...]}.
      byte_exact: the file's nested objects happen to be in sorted order, so a writer that keeps
      objects sorted (the C++ store) produces the same bytes. key_matches_content: false for an
      entry whose file cannot reproduce its key (a tuple input is hashed tagged but dumped as a
      list).

  ahvn_json_dir.py check DIR EXPECTED_JSON [EXPECTED_JSON...]
      Reads a directory another implementation wrote and verifies that every file is an entry
      file, named by the key Python computes from its func and inputs, with the fields in
      AgentHeaven's order, byte for byte what json.dump would write for the same dict, and equal
      (types included: 2 is not 2.0) to the expected entry of that key. EXPECTED_JSON files have
      the form printed by `write` (entries whose key_matches_content is false are ignored);
      {"__obj_type__": "bigint", ...} values in them are read as integers. Prints "ok: N
      entries" and exits 0, or prints every problem with a diff and exits 1.

The key is AgentHeaven's: int(md5(json.dumps(transform(inputs), sort_keys=True,
ensure_ascii=False) + "||" + json.dumps(func)).hexdigest(), 16), where transform is its
encoder's tagging of ints beyond +-2^53, tuples and sets (as in tests/messages/make_key_vectors.py).
"""
import difflib
import hashlib
import json
import os
import re
import sys

FIELDS = ["func", "inputs", "output", "expected", "metadata"]
ENTRY_NAME = re.compile(r"^[0-9]{40}\.json$")
MISSING = object()


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


def compute_key(func, inputs):
    return int(hashlib.md5((canon(inputs) + "||" + canon(func)).encode("utf-8")).hexdigest(), 16)


def file_name(key):
    return "%040d.json" % key


def untag(obj):
    """Undoes the tagging: bigint, tuple and set forms become ints and lists."""
    if isinstance(obj, list):
        return [untag(i) for i in obj]
    if isinstance(obj, dict):
        if set(obj) == {"__obj_type__", "__obj_data__"}:
            kind, data = obj["__obj_type__"], obj["__obj_data__"]
            if kind == "bigint":
                return int(data)
            if kind in ("tuple", "set"):
                return [untag(i) for i in data]
        return {k: untag(v) for k, v in obj.items()}
    return obj


def sorted_nested(obj):
    if isinstance(obj, dict):
        return {k: sorted_nested(obj[k]) for k in sorted(obj)}
    if isinstance(obj, (list, tuple)):
        return [sorted_nested(i) for i in obj]
    return obj


def entry_dict(func, inputs, output=MISSING, expected=MISSING, metadata=None):
    """CacheEntry.to_dict(): output and expected left out when unset (Ellipsis)."""
    d = {"func": func, "inputs": inputs}
    if output is not MISSING:
        d["output"] = output
    if expected is not MISSING:
        d["expected"] = expected
    d["metadata"] = metadata if metadata is not None else {}
    return d


CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f"

ENTRIES = [
    entry_dict("add", {"x": 5, "y": 10}, 15),
    entry_dict("translate", {"text": "héllo wörld ☃ 中文 😀 e\u0301", "ключ": "значение"},
               "bonjour ☃ 😀", metadata={"note": "ünïcode ✓"}),
    entry_dict("bigints", {"beyond": 2**64, "huge": 10**30, "i64max": 2**63 - 1,
                           "i64min": -(2**63), "neg_huge": -(10**30), "p53": 2**53,
                           "p53p1": 2**53 + 1, "u64max": 2**64 - 1},
               2**100, metadata={"big": -(2**70), "fits": 2**60}),
    entry_dict("floats", {"a": 0.1, "b": 1e-05, "c": 1e16, "d": 2.0, "e": -0.0, "f": 5e-324,
                          "g": 1.7976931348623157e308, "h": 123456789.123},
               {"e22": 1e22, "half": 0.5, "int_valued": 100.0, "neg_zero": -0.0,
                "tiny": 5e-324}),
    # json.dump writes Infinity and -Infinity for infinite floats; both sides must read them.
    entry_dict("infinities", {"x": 1}, [float("inf"), float("-inf")]),
    entry_dict("nulls", {"also": [None], "n": None}, None, metadata={"why": None}),
    entry_dict("nested", {"tree": {"a": [[[]]], "b": [1, {"x": {}, "y": []}]}},
               {"deep": [[[[{"k": "v"}]]]], "mixed": [1, 1.0, "1", None, True, False, [], {}]}),
    entry_dict("classify", {"text": "great movie"}, "negative", "positive",
               {"annotation": {"by": "reviewer ☃", "when": 1700000000}}),
    entry_dict("escape", {"s": "quote \" backslash \\ newline \n tab \t del \x7f ls \u2028 nul \x00"},
               CONTROL),
    entry_dict("pending", {"job": 1}, metadata={"note": "never computed"}),
    entry_dict("f", {}, [], metadata={}),
    entry_dict("func \"quoted\" ☃", {"x": 1}, "ok"),
    entry_dict("", {"empty func name": True}, False),
    entry_dict("long", {"s": "x" * 5000}, "é" * 2000),
    # Objects in insertion order, not sorted: a sorted writer differs in bytes, not in value.
    entry_dict("order", {"b": 1, "a": {"z": 1, "y": 2}}, {"z": 0, "a": 1}),
    # A tuple is hashed tagged but dumped as a list: the file cannot reproduce its name.
    entry_dict("pair", {"p": (3, 4)}, 7),
]


def write(directory):
    os.makedirs(directory, exist_ok=True)
    out = []
    for d in ENTRIES:
        key = compute_key(d["func"], d["inputs"])
        path = os.path.join(directory, file_name(key))
        with open(path, "w", encoding="utf-8") as fp:
            json.dump(d, fp, indent=4, ensure_ascii=False)
        with open(path, encoding="utf-8") as fp:
            text = fp.read()
        plain = json.loads(text)
        byte_exact = text == json.dumps({k: sorted_nested(v) for k, v in plain.items()},
                                        indent=4, ensure_ascii=False)
        out.append({"key": str(key), "file": file_name(key), "entry": d, "byte_exact": byte_exact,
                    "key_matches_content": compute_key(plain["func"], plain["inputs"]) == key})
    json.dump({"entries": out}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


def strict_diff(got, want, path, problems):
    """Appends a line per difference; bool, int and float are distinct types, floats by repr."""
    if type(got) is not type(want):
        problems.append("  %s: got %s %r, expected %s %r"
                        % (path, type(got).__name__, got, type(want).__name__, want))
    elif isinstance(got, dict):
        for k in sorted(set(got) | set(want)):
            if k not in got:
                problems.append("  %s: missing %r" % (path, k))
            elif k not in want:
                problems.append("  %s: unexpected %r" % (path, k))
            else:
                strict_diff(got[k], want[k], "%s.%s" % (path, k), problems)
    elif isinstance(got, list):
        if len(got) != len(want):
            problems.append("  %s: %d items, expected %d" % (path, len(got), len(want)))
        for i, (g, w) in enumerate(zip(got, want)):
            strict_diff(g, w, "%s[%d]" % (path, i), problems)
    elif isinstance(got, float):
        if repr(got) != repr(want):
            problems.append("  %s: got %r, expected %r" % (path, got, want))
    elif got != want:
        problems.append("  %s: got %r, expected %r" % (path, got, want))


def check_file(directory, name, want, problems):
    path = os.path.join(directory, name)
    try:
        with open(path, encoding="utf-8") as fp:
            text = fp.read()
        d = json.loads(text)
    except (OSError, ValueError) as e:
        problems.append("%s: unreadable: %s" % (path, e))
        return
    if not isinstance(d, dict) or not isinstance(d.get("inputs"), dict):
        problems.append("%s: not an entry dict: %.200r" % (path, d))
        return
    computed = file_name(compute_key(d.get("func"), d["inputs"]))
    if computed != name:
        problems.append("%s: Python computes the name %s from its func and inputs" % (path, computed))
    order = list(d)
    if order != [f for f in FIELDS if f in d]:
        problems.append("%s: fields %s, expected the order %s" % (path, order, FIELDS))
    python_text = json.dumps(d, indent=4, ensure_ascii=False)
    if python_text != text:
        diff = difflib.unified_diff(python_text.splitlines(), text.splitlines(),
                                    "json.dump would write", "the file holds", lineterm="")
        problems.append("%s: bytes differ from json.dump(indent=4, ensure_ascii=False):\n%s"
                        % (path, "\n".join(list(diff)[:60])))
    if want is not None:
        before = len(problems)
        strict_diff(d, want, "$", problems)
        if len(problems) > before:
            problems.insert(before, "%s: content differs from the expected entry:" % path)


def check(directory, expected_files):
    expected = {}
    for f in expected_files:
        with open(f, encoding="utf-8") as fp:
            for e in json.load(fp)["entries"]:
                if e.get("key_matches_content", True):
                    expected[file_name(int(e["key"]))] = untag(e["entry"])
    problems = []
    names = sorted(os.listdir(directory))
    for name in names:
        if not ENTRY_NAME.match(name):
            problems.append("%s: not an entry file (temporary file left behind?)" % name)
        elif name not in expected:
            problems.append("%s: an entry file nobody expected" % name)
            check_file(directory, name, None, problems)
        else:
            check_file(directory, name, expected[name], problems)
    for name in sorted(set(expected) - set(names)):
        problems.append("%s: expected entry file is missing" % name)
    if problems:
        print("\n".join(problems))
        print("FAILED: %s does not hold what AgentHeaven's JsonCache would" % directory)
        return 1
    print("ok: %d entries" % len(names))
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "write":
        return write(argv[2])
    if len(argv) >= 4 and argv[1] == "check":
        return check(argv[2], argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
