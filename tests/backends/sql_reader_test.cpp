// The SQL store's reader: hits on callers' threads through pooled read-only sessions.

#include "tests/support/entries.hpp"
#include "tests/support/sql_store_factories.hpp"

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;
using namespace std::chrono_literals;

TEMPLATE_TEST_CASE("sql reader: hits on the caller's thread see committed writes", "[sql]",
                   sqlite_file_factory, postgresql_factory, mysql_factory) {
  TestType factory;
  auto s = factory.open();
  auto reader = s->reader();
  REQUIRE(reader != nullptr);
  auto e = make_entry(1, json{{"answer", 42}});
  CHECK_FALSE(read_through(*reader, e.k));
  s->put(e.k, e.entry);
  json v;
  REQUIRE(read_through(*reader, e.k, &v));
  CHECK(v == json{{"answer", 42}});
  // Annotated entries answer with expected; expired ones and ones without a value miss.
  auto annotated = std::make_shared<cache_entry>(make_entry(2, "out").entry->annotate("right"));
  s->put(annotated->key(), annotated);
  REQUIRE(read_through(*reader, annotated->key(), &v));
  CHECK(v == json("right"));
  auto soon = std::make_shared<cache_entry>(*make_entry(3).entry);
  soon->metadata["expires_at"] = 1700000000.0;
  s->put(soon->key(), soon);
  CHECK_FALSE(read_through(*reader, soon->key()));
  CHECK(read_through(*reader, soon->key(), nullptr, time_point{std::chrono::seconds(1600000000)}));
  // Readers on several threads while the owner overwrites.
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      while (!done) {
        json got;
        if (read_through(*reader, e.k, &got)) {
          ++hits;
          if (!got.contains("answer")) ++bad;
        }
      }
    });
  for (int i = 0; i < 50; ++i)
    s->put(e.k, make_entry(1, json{{"answer", i}}).entry);
  done = true;
  for (auto& t : threads)
    t.join();
  CHECK(hits > 0);
  CHECK(bad == 0);
  REQUIRE(read_through(*reader, e.k, &v));
  CHECK(v == json{{"answer", 49}});
}

TEST_CASE("sql reader: none for SQLite in memory", "[sql]") {
  sqlite_memory_factory factory;
  CHECK(factory.open()->reader() == nullptr);
}
