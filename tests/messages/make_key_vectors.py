#!/usr/bin/env python3
"""Writes key_vectors.json: AgentHeaven cache keys computed by Python's json and hashlib.

Run from this directory: python3 make_key_vectors.py > key_vectors.json

Each vector: func, inputs_text (json.dumps of the inputs, which the C++ test parses), canonical
(the text AgentHeaven hashes), key (decimal) and padded (40 digits). The transform mirrors
AgentHeaven's AhvnJsonEncoder: integers beyond +-2^53 are tagged bigints, tuples and sets tagged.
"""
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


CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f"

CASES = [
    ("add", {"x": 5, "y": 10}),
    ("add", {"y": 10, "x": 5}),
    ("fibonacci", {"n": 30}),
    ("f", {}),
    ("kl_store", {"kid": 123}),
    ("nested", {"b": {"z": [1, {"y": 2, "x": [None, True, False]}], "a": {}}, "a": []}),
    ("order", {"b": 1, "a": 2, "B": 3, "_": 4, "aa": 5, "é": 6, "z": 7, "Z": 8, "中": 9, "😀": 10}),
    ("unicode", {"s": "héllo wörld ☃ 中文 😀 \u00e9\u0301", "ключ": "значение"}),
    ("quotes", {"s": 'say "hi" and \'bye\''}),
    ("backslash", {"s": "C:\\path\\to\\file \\n not a newline"}),
    ("control", {"s": CONTROL}),
    ("escapes", {"s": "\b\f\n\r\t\"\\/"}),
    ("floats", {"a": 0.1, "b": 1e-05, "c": 0.0001, "d": 1e16, "e": 1e15, "f": 2.0, "g": -0.0,
                "h": 1.5e300, "i": 5e-324, "j": 123456789.123, "k": 1e22, "l": 0.5, "m": -2.5e-7,
                "n": 1.7976931348623157e308, "o": 100.0, "p": 12345678901234567.0, "q": 0.00012}),
    ("ints", {"zero": 0, "neg": -1, "p53": 2**53, "n53": -(2**53), "p53p1": 2**53 + 1,
              "n53m1": -(2**53) - 1, "i64max": 2**63 - 1, "i64min": -(2**63),
              "u64max": 2**64 - 1, "beyond": 2**64, "huge": 10**30, "neg_huge": -(10**30)}),
    ("bools", {"t": True, "f": False, "n": None}),
    ("empties", {"list": [], "dict": {}, "str": ""}),
    ("long", {"s": "x" * 5000 + "é" * 1000}),
    ("deep", {"d": [[[[[[[[[[{"k": "v"}]]]]]]]]]]}),
    ("", {"empty func name": 1}),
    ("func \"quoted\" ☃", {"x": 1}),
    ("mixed_list", {"l": [1, 1.0, "1", None, True, [1], {"1": 1}]}),
]

# Tagged tuple and set inputs, which C++ builds from std::tuple / std::pair / std::set.
TAGGED = [
    ("tuple", {"t": (1, "a", 2.5)}),
    ("pair", {"p": (3, 4)}),
    ("set", {"s": {3, 1, 2}}),
    ("set_str", {"s": {"b", "a", "c"}}),
]


def vector(func, inputs, text=True):
    v = {"func": func, "canonical": canon(inputs), "key": str(key(func, inputs)),
         "padded": "%040d" % key(func, inputs)}
    if text:
        v["inputs_text"] = json.dumps(inputs)
    return v


# Values written by json.dumps with its defaults (ensure_ascii on: the SQL content layout) and with
# indent=4, ensure_ascii=False (the JSON-file layout). Keys are inserted in sorted order, since the
# C++ side holds objects sorted.
DUMPS = [
    {"a": [1, 2.0, "x"], "b": {"c": None, "d": True}, "e": [], "f": {}},
    "héllo ☃ 中文 😀 \x7f \x00 \u2028",
    [[], {}, [[]], [{}], {"a": []}],
    {"num": [0, -1, 0.1, 1e-05, 1e16, 2**53 + 1, -0.0]},
    {"s": CONTROL},
]


def main():
    out = {"vectors": [vector(f, i) for f, i in CASES],
           "tagged": [vector(f, i, text=False) for f, i in TAGGED],
           "dumps": [{"value_text": json.dumps(v), "default": json.dumps(v),
                      "indent4": json.dumps(v, indent=4, ensure_ascii=False)} for v in DUMPS]}
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
