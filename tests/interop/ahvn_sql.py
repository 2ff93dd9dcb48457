#!/usr/bin/env python3
"""AgentHeaven's DatabaseCache on SQLite, emulated with Python's sqlite3 and json modules, to check
that the C++ sql_store and Python AgentHeaven read each other's rows.

  ahvn_sql.py write DB_FILE
      Creates cache_orm with AgentHeaven's DDL and writes entries as DatabaseCache does: id is
      "%040d" % key, content json.dumps(transform(entry_dict)), an upsert is a delete then an
      insert. Prints the written entries as JSON: [{"key": "<decimal>", "row": <the tagged dict as
      stored>, "dict": <the dict as Python holds it; tuples and sets as lists, sets sorted>}].

  ahvn_sql.py check DB_FILE EXPECTED_JSON
      Reads every row (written by the C++ store), decodes it as AgentHeaven's decoder does
      (bigint/tuple/set tags undone), and checks that the id is the key Python computes from func
      and inputs, that the content is byte for byte json.dumps(transform(dict)), and that the dicts
      equal EXPECTED_JSON (a list of entry dicts, big integers as plain digits). Prints a diff and
      exits 1 on any mismatch.

The key formula and the transform are those of tests/messages/make_key_vectors.py.
"""
import difflib
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "messages"))
from make_key_vectors import key, transform  # noqa: E402

DDL = [
    "CREATE TABLE IF NOT EXISTS cache_orm (id VARCHAR(63) NOT NULL, content TEXT, PRIMARY KEY (id))",
    "CREATE INDEX IF NOT EXISTS idx_cache_id ON cache_orm (id)",
]


def fmt_hash(k):
    return "%040d" % k


def entry_dict(func, inputs, output=..., expected=..., metadata=None):
    """CacheEntry.to_dict(): unset (Ellipsis) output/expected are left out."""
    d = {"func": func, "inputs": inputs}
    if output is not ...:
        d["output"] = output
    if expected is not ...:
        d["expected"] = expected
    d["metadata"] = metadata or {}
    return d


def decode_hook(obj):
    """AgentHeaven's decoder: tagged bigints, tuples and sets back to Python values."""
    kind = obj.get("__obj_type__")
    if kind is not None and "__obj_data__" in obj and len(obj) == 2:
        data = obj["__obj_data__"]
        if kind == "bigint":
            return int(data)
        if kind == "tuple":
            return tuple(data)
        if kind == "set":
            return set(data)
    return obj


def jsonable(obj):
    """Python values as plain JSON: tuples as lists, sets as sorted lists."""
    if isinstance(obj, (tuple, list)):
        return [jsonable(i) for i in obj]
    if isinstance(obj, set):
        return [jsonable(i) for i in sorted(obj)]
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    return obj


ENTRIES = [
    entry_dict("greet", {"name": "世界 😀", "lang": "ja"}, "こんにちは 世界 😀 \n\t\"q\" \\ \u2028 \x01"),
    entry_dict("bigints", {"n": 2**60, "beyond": 10**30},
               {"p53": 2**53, "p53p1": 2**53 + 1, "u64max": 2**64 - 1, "i64min": -(2**63),
                "beyond": 2**64, "neg_huge": -(10**30), "small": 42, "list": [2**70, -1]}),
    entry_dict("floats", {"x": 0.1},
               [0.1, 1e16, 1e-05, 2.0, -0.0, 1.5e300, 5e-324, 123456789.123, 1e22, 0.5]),
    entry_dict("nothing", {"q": None}, None),
    entry_dict("nested", {"cfg": {"b": [1, {"c": []}], "a": {}}},
               {"deep": [[[{"k": "v"}]]], "empty": {}, "t": True, "f": False, "e": ""}),
    entry_dict("classify", {"text": "great"}, "neg", "pos", {"annotation": "gold", "by": "ann"}),
    entry_dict("tuples", {"pair": (1, "a")}, {"t": (1, 2.5, "x"), "s": {3, 1, 2}}),
    entry_dict("unset", {"k": 1}),
    entry_dict("", {"empty func name": True}, 0),
]
REPLACED_OLD = entry_dict("replaced", {"k": 1}, "old")
REPLACED_NEW = entry_dict("replaced", {"k": 1}, "new", metadata={"v": 2})


def write(db_file):
    conn = sqlite3.connect(db_file, timeout=10)
    for ddl in DDL:
        conn.execute(ddl)
    conn.commit()
    written = {}
    for d in ENTRIES + [REPLACED_OLD, REPLACED_NEW]:
        k = key(d["func"], d["inputs"])
        content = json.dumps(transform(d))
        conn.execute("DELETE FROM cache_orm WHERE id = ?", (fmt_hash(k),))
        conn.execute("INSERT INTO cache_orm (id, content) VALUES (?, ?)", (fmt_hash(k), content))
        conn.commit()
        written[k] = d
    conn.close()
    out = [{"key": str(k), "row": transform(d), "dict": jsonable(d)} for k, d in written.items()]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def pretty(x):
    return json.dumps(jsonable(x), indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def check(db_file, expected_file):
    with open(expected_file, encoding="utf-8") as f:
        expected = {fmt_hash(key(d["func"], d["inputs"])): d for d in json.load(f)}
    conn = sqlite3.connect(db_file, timeout=10)
    rows = conn.execute("SELECT id, content FROM cache_orm ORDER BY id").fetchall()
    conn.close()
    problems = []
    seen = set()
    for rid, content in rows:
        try:
            d = json.loads(content, object_hook=decode_hook)
        except ValueError as e:
            problems.append(f"row {rid}: content is not JSON: {e}")
            continue
        computed = fmt_hash(key(d.get("func"), d.get("inputs")))
        if computed != rid:
            problems.append(f"row {rid}: Python computes the key {computed} from its func and inputs")
        redumped = json.dumps(transform(d))
        if redumped != content:
            problems.append(f"row {rid}: content is not json.dumps(transform(dict)):\n  stored:  "
                            f"{content}\n  python:  {redumped}")
        if rid not in expected:
            problems.append(f"row {rid}: not expected: {content}")
            continue
        seen.add(rid)
        want = expected[rid]
        if json.dumps(jsonable(d), sort_keys=True) != json.dumps(jsonable(want), sort_keys=True):
            diff = "\n".join(difflib.unified_diff(pretty(want), pretty(d), "expected", "stored",
                                                  lineterm=""))
            problems.append(f"row {rid}: entry differs:\n{diff}")
    for rid in sorted(set(expected) - seen):
        problems.append(f"row {rid}: missing (expected {json.dumps(expected[rid])})")
    if problems:
        print(f"{len(problems)} problem(s) in {db_file}:")
        print("\n".join(problems))
        sys.exit(1)
    print(f"ok: {len(rows)} rows match")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: ahvn_sql.py write DB_FILE | check DB_FILE EXPECTED_JSON")


if __name__ == "__main__":
    main()
