// The memory and null stores against the conformance suite, and the memory store's own extras:
// LRU bounds, expiry, and the lock-free reader under concurrent writes.

#include "tests/support/entries.hpp"
#include "tests/support/store_factories.hpp"

#include <atomic>
#include <thread>

#define AHVN_STORE_FACTORIES ahvn::test::memory_store_factory, ahvn::test::null_store_factory
#include "tests/backends/store_conformance.hpp"

using namespace ahvn;
using namespace ahvn::test;
using namespace std::chrono_literals;

namespace {

keyed_entry expiring(int i, time_point at) {
  auto e = make_entry(i);
  auto copy = std::make_shared<cache_entry>(*e.entry);
  copy->metadata["expires_at"] = static_cast<double>(unix_ms(at)) / 1000.0;
  return {e.k, copy};
}

} // namespace

TEST_CASE("memory_store: max_entries evicts the least recently used", "[memory_store]") {
  memory_store s({.max_entries = 3});
  auto reader = s.reader();
  auto a = make_entry(1), b = make_entry(2), c = make_entry(3), d = make_entry(4);
  s.put(a.k, a.entry);
  s.put(b.k, b.entry);
  s.put(c.k, c.entry);
  CHECK(read_through(*reader, a.k)); // a hit through the reader makes a recent again
  s.put(d.k, d.entry);
  CHECK(s.size() == 3);
  CHECK(s.contains(a.k));
  CHECK_FALSE(s.contains(b.k)); // b was the least recently used
  CHECK(s.contains(c.k));
  CHECK(s.contains(d.k));
  CHECK(s.get(c.k) != nullptr); // inspection is not a use
  s.touch(c.k);                 // a hit the owner served is: now a is the oldest
  auto e = make_entry(5);
  s.put(e.k, e.entry);
  CHECK_FALSE(s.contains(a.k));
  CHECK(s.counters().evictions == 2);
  // Replacing an entry makes it recent.
  s.put(d.k, make_entry(4, "new").entry);
  s.put(make_entry(6).k, make_entry(6).entry);
  CHECK(s.contains(d.k));
  CHECK_FALSE(s.contains(c.k));
}

TEST_CASE("memory_store: max_bytes bounds the bytes held", "[memory_store]") {
  memory_store s({.max_bytes = 20000});
  for (int i = 0; i < 500; ++i) {
    auto e = make_entry(i, std::string(200, 'x'));
    s.put(e.k, e.entry);
    CHECK(s.counters().bytes <= 20000);
  }
  auto c = s.counters();
  CHECK(c.evictions > 0);
  CHECK(c.entries + c.evictions == 500);
  CHECK(s.contains(make_entry(499).k)); // the newest stays
  CHECK_FALSE(s.contains(make_entry(0).k));
  // An entry that can never fit is a clear error; nothing else is lost.
  auto before = s.size();
  auto huge = make_entry(1000, std::string(30000, 'y'));
  try {
    s.put(huge.k, huge.entry);
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("max_bytes"));
  }
  CHECK(s.size() == before);
}

TEST_CASE("memory_store: expired entries miss on the reader and are swept", "[memory_store]") {
  manual_clock clk;
  memory_store s;
  auto reader = s.reader();
  auto soon = expiring(1, clk.now() + 10s);
  auto later = expiring(2, clk.now() + 1h);
  auto never = make_entry(3);
  s.put_many(std::vector<keyed_entry>{soon, later, never});
  CHECK(read_through(*reader, soon.k, nullptr, clk.now()));
  clk.advance(10s);
  CHECK_FALSE(read_through(*reader, soon.k, nullptr, clk.now()));
  CHECK(read_through(*reader, later.k, nullptr, clk.now()));
  std::optional<key> cursor;
  CHECK(s.sweep_expired(clk.now(), cursor, 100) == 1);
  CHECK_FALSE(s.contains(soon.k));
  CHECK(s.size() == 2);
  clk.advance(2h);
  CHECK(s.sweep_expired(clk.now(), cursor, 100) == 1);
  CHECK(s.size() == 1);
  CHECK(s.contains(never.k));
}

TEST_CASE("memory_store: the reader returns the hit value, expected first", "[memory_store]") {
  memory_store s;
  auto reader = s.reader();
  auto plain = make_entry(1, json::array({1, 2}));
  auto annotated = std::make_shared<cache_entry>(make_entry(2, "output").entry->annotate("right"));
  auto no_value = std::make_shared<cache_entry>(cache_entry::from_args("f", {{"i", 3}}));
  s.put(plain.k, plain.entry);
  s.put(annotated->key(), annotated);
  s.put(no_value->key(), no_value);
  json v;
  CHECK(read_through(*reader, plain.k, &v));
  CHECK(v == json::array({1, 2}));
  CHECK(read_through(*reader, annotated->key(), &v));
  CHECK(v == json("right"));
  CHECK_FALSE(read_through(*reader, no_value->key()));
  CHECK_FALSE(read_through(*reader, make_entry(99).k));
}

TEST_CASE("memory_store: readers on other threads see whole entries while the owner writes",
          "[memory_store]") {
  memory_store s({.max_entries = 300});
  auto reader = s.reader();
  std::atomic<bool> done{false};
  std::atomic<long> reads{0}, hits{0}, torn{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      int i = t;
      while (!done.load()) {
        i = (i + 7) % 400;
        json v;
        if (read_through(*reader, make_entry(i).k, &v)) {
          ++hits;
          // Every version of entry i is {"i": i, "v": n, "pad": ...}.
          if (!v.is_object() || v.value("i", -1) != i || v["pad"].get<std::string>().size() != 64)
            ++torn;
        }
        ++reads;
      }
    });
  // The owner inserts, replaces, removes, clears and grows the table meanwhile.
  for (int round = 0; round < 60; ++round) {
    for (int i = 0; i < 400; ++i) {
      auto e = make_entry(i, json{{"i", i}, {"v", round}, {"pad", std::string(64, 'p')}});
      s.put(e.k, e.entry);
      if (i % 5 == 0) s.remove(make_entry((i * 3) % 400).k);
    }
    if (round % 20 == 19) s.clear();
  }
  done = true;
  for (auto& t : threads)
    t.join();
  CHECK(reads > 0);
  CHECK(hits > 0);
  CHECK(torn == 0);
  CHECK(s.size() <= 300);
}

TEST_CASE("memory_store: a reader outlives its store", "[memory_store]") {
  std::shared_ptr<concurrent_reader> reader;
  auto e = make_entry(1);
  {
    memory_store s;
    s.put(e.k, e.entry);
    reader = s.reader();
  }
  json v;
  CHECK(read_through(*reader, e.k, &v));
  CHECK(v == json("value"));
}

TEST_CASE("memory_store: scans stay in key order across growth and removals", "[memory_store]") {
  memory_store s;
  std::set<key> expected;
  for (int i = 0; i < 5000; ++i) {
    auto e = make_entry(i);
    s.put(e.k, e.entry);
    expected.insert(e.k);
    if (i % 3 == 0) {
      s.remove(make_entry(i / 2).k);
      expected.erase(make_entry(i / 2).k);
    }
  }
  std::vector<key> seen;
  scan_request req;
  req.limit = 97;
  for (;;) {
    auto page = s.scan(req);
    for (auto& e : page.entries)
      seen.push_back(e.k);
    if (!page.more) break;
    req.after = page.last;
  }
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(std::set<key>(seen.begin(), seen.end()) == expected);
  CHECK(seen.size() == expected.size());
}
