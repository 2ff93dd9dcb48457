#!/usr/bin/env python3
"""A JSON cache directory of knowledge objects, as AgentHeaven's CacheKLStore over a JsonCache
writes and reads it.

  ahvn_kl_store.py write DIR
      Stores a set of knowledge objects into DIR as CacheKLStore(cache=JsonCache(DIR)).upsert does:
      cache.set(func="kl_store", output=kl.to_dict(), kid=kl.id), i.e. one file
      DIR/"%040d.json" % key per object holding json.dump(entry_dict, indent=4, ensure_ascii=False)
      with inputs {"kid": id}. Also writes one entry of another function (a memoized call), which a
      kl_store must not see. Prints {"objects": [{"id": "<decimal>", "key", "file", "object"}]}.

  ahvn_kl_store.py read DIR
      Reads DIR as CacheKLStore iterates it (entries whose func is "kl_store"; id = inputs["kid"],
      object = output), checking that every file is named by the key Python computes from its func
      and inputs. Prints {"objects": {"<decimal id>": object}} and exits 0, or prints the problems
      and exits 1.

Keys as in ahvn_json_dir.py (AgentHeaven's transform, then md5 of the canonical JSON).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ahvn_json_dir import compute_key, entry_dict, file_name, untag  # noqa: E402

# Ids as AgentHeaven makes them (MD5 hashes of identity fields: up to 128 bits), and small ones.
OBJECTS = [
    (7, {"type": "fact", "name": "seven", "content": "Seven is prime.", "tags": ["math"]}),
    (2**60 + 3, {"type": "fact", "name": "big", "content": "Beyond 2^53: a tagged key."}),
    (int("b1946ac92492d2347c6235b4d2611184", 16),
     {"type": "experience", "name": "hello", "content": "héllo wörld ☃", "priority": 0.5,
      "metadata": {"source": "python", "version": "v1"}}),
    (2**64 + 1, {"type": "fact", "name": "beyond 64 bits", "content": "", "tags": []}),
]


def write(directory):
    os.makedirs(directory, exist_ok=True)
    out = []
    entries = [(kid, entry_dict("kl_store", {"kid": kid}, obj)) for kid, obj in OBJECTS]
    entries.append((None, entry_dict("summarize", {"text": "not a knowledge object"}, "a summary")))
    for kid, d in entries:
        key = compute_key(d["func"], d["inputs"])
        with open(os.path.join(directory, file_name(key)), "w", encoding="utf-8") as fp:
            json.dump(d, fp, indent=4, ensure_ascii=False)
        if kid is not None:
            out.append({"id": str(kid), "key": str(key), "file": file_name(key), "object": d["output"]})
    json.dump({"objects": out}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


def read(directory):
    problems, objects = [], {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        with open(path, encoding="utf-8") as fp:
            d = json.load(fp)
        if file_name(compute_key(d["func"], d["inputs"])) != name:
            problems.append("%s: Python computes another name from its func and inputs" % name)
        if d["func"] != "kl_store":
            continue
        kid = d["inputs"]["kid"]
        if isinstance(kid, dict):  # a tagged bigint, as a writer that tags would leave it
            kid = untag(kid)
        if not isinstance(kid, int):
            problems.append("%s: kid %r is not an integer" % (name, kid))
            continue
        objects[str(kid)] = d.get("expected", d.get("output"))
    if problems:
        print("\n".join(problems))
        return 1
    json.dump({"objects": objects}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "write":
        return write(argv[2])
    if len(argv) == 3 and argv[1] == "read":
        return read(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
