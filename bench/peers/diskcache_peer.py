#!/usr/bin/python3
"""The Python diskcache peer of ahvn_bench (bench/peers.hpp).

Memoizes bench_fn(i) -> a string of --value-size bytes with diskcache's @cache.memoize on a
diskcache.Cache in --dir, calls it for i in [0, --keys) so those are stored, prints one JSON line
{"ready": true, "entries": N}, then answers each request line on stdin:

  {"ops": N, "seed": S, "hit_ratio": H, "read_ratio": R, "pause_us": [MIN, MAX]}

by running N operations (a read of a stored key with probability R*H, of a never-used key with
R*(1-H), else a cache.set of a stored key's entry) and printing one JSON line
{"ops", "seconds", "lat_ns": [...], "hits", "misses", "errors", "first_error"}. Every call is
timed with time.perf_counter_ns. Run it with Debian's /usr/bin/python3 (python3-diskcache).
"""

import argparse
import json
import random
import sys
import time

import diskcache


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--keys", type=int, required=True)
    parser.add_argument("--value-size", type=int, required=True)
    args = parser.parse_args()

    cache = diskcache.Cache(args.dir)
    size = args.value_size
    calls = [0]

    def value_of(i):
        return chr(ord("a") + i % 26) * size

    @cache.memoize(name="bench_fn")
    def bench_fn(i):
        calls[0] += 1
        return value_of(i)

    for i in range(args.keys):
        bench_fn(i)
    print(json.dumps({"ready": True, "entries": len(cache)}), flush=True)

    for line in sys.stdin:
        req = json.loads(line)
        print(json.dumps(run(req, args.keys, cache, bench_fn, value_of, calls)), flush=True)


def run(req, keys, cache, bench_fn, value_of, calls):
    rng = random.Random(req["seed"])
    ops, hit_ratio, read_ratio = req["ops"], req["hit_ratio"], req["read_ratio"]
    pause_min, pause_max = req.get("pause_us", [0, 0])
    next_miss = (1 << 40) + ((req["seed"] & 4095) << 28)
    perf = time.perf_counter_ns
    lat, hits, misses, errors, first_error = [], 0, 0, 0, ""
    calls_before = calls[0]
    start = perf()
    for _ in range(ops):
        if pause_max > 0:
            time.sleep(rng.randint(pause_min, pause_max) / 1e6)
        if rng.random() >= read_ratio:
            i = rng.randrange(keys)
            t0 = perf()
            cache.set(bench_fn.__cache_key__(i), value_of(i))
            lat.append(perf() - t0)
            continue
        if rng.random() >= hit_ratio:
            i, next_miss = next_miss, next_miss + 1
            misses += 1
        else:
            i = rng.randrange(keys)
        t0 = perf()
        v = bench_fn(i)
        lat.append(perf() - t0)
        hits += 1
        if v != value_of(i):
            errors += 1
            first_error = first_error or "wrong value for i=%d" % i
    seconds = (perf() - start) / 1e9
    if pause_max > 0:
        seconds = sum(lat) / 1e9
    if calls[0] - calls_before > misses:
        errors += 1
        first_error = first_error or "some hits computed"
    return {"ops": ops, "seconds": seconds, "lat_ns": lat, "hits": hits, "misses": misses,
            "errors": errors, "first_error": first_error}


if __name__ == "__main__":
    main()
