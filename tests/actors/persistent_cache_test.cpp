// The persistent cache handles (guide 3.2-3.4) through the same handle and memoize, open_cache
// URLs, and group commit in the backend actor.

#include "ahvn/actors/caches/database_cache.hpp"
#include "ahvn/actors/caches/disk_cache.hpp"
#include "ahvn/actors/caches/json_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/actors/caches/store_cache.hpp"
#include "tests/support/failing_store.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;

namespace {

// Memoizes a counting function on `c`, calls it twice per input, returns how often it ran.
int run_twice(const cache& c, int inputs) {
  int calls = 0;
  auto square = c.memoize({.name = "square", .params = {"x"}}, [&](int x) {
    ++calls;
    return x * x;
  });
  for (int round = 0; round < 2; ++round)
    for (int x = 0; x < inputs; ++x)
      CHECK(square(x) == x * x);
  return calls;
}

} // namespace

TEST_CASE("every persistent cache memoizes and keeps its entries across reopening",
          "[persistent]") {
  test::temp_dir dir("persistent");
  std::vector<std::string> urls = {"lmdb:" + dir.file("lmdb"), "json:" + dir.file("json"),
                                   "sqlite:" + dir.file("cache.db")};
  for (const auto& url : urls) {
    INFO(url);
    {
      auto c = open_cache(url);
      CHECK(run_twice(c, 20) == 20);
      CHECK(c.size() == 20);
    }
    {
      auto c = open_cache(url); // a second process (or run) starts warm
      CHECK(run_twice(c, 20) == 0);
      CHECK(c.get("square", {{"x", 7}}) == json(49));
      auto s = c.stats();
      CHECK(s.hits >= 40);
      CHECK(s.entries == 20);
    }
  }
}

TEST_CASE("the handles of the guide's section 3", "[persistent]") {
  test::temp_dir dir("handles");
  disk_cache disk(dir.file("disk"), {.size_limit = 64ull << 20});
  json_cache files(dir.file("json"));
  database_cache sqlite({.provider = "sqlite", .database = dir.file("cache.db")});
  database_cache memory_db("sqlite::memory:");
  for (cache* c : std::initializer_list<cache*>{&disk, &files, &sqlite, &memory_db}) {
    c->set("f", {{"x", 1}}, "one");
    CHECK(c->get("f", {{"x", 1}}) == json("one"));
    CHECK(c->exists("f", {{"x", 1}}));
    c->annotate("f", {{"x", 1}}, json("uno"));
    CHECK(c->get("f", {{"x", 1}}) == json("uno"));
    CHECK(c->remove("f", {{"x", 1}}));
    CHECK(c->size() == 0);
  }
}

TEST_CASE("open_cache rejects bad URLs with a clear error", "[persistent][errors]") {
  auto error_of = [](const std::string& url) -> std::string {
    try {
      open_cache(url);
    } catch (const cache_error& e) {
      CHECK(e.code() == errc::invalid_url);
      return e.what();
    }
    FAIL("no error for " << url);
    return {};
  };
  CHECK_THAT(error_of("nonsense"), Catch::Contains("SCHEME:"));
  CHECK_THAT(error_of("redis://localhost"), Catch::Contains("unknown scheme 'redis'"));
  CHECK_THAT(error_of("lmdb:"), Catch::Contains("needs a directory"));
  CHECK_THAT(error_of("lmdb:/tmp/x?size_limit=12XB"), Catch::Contains("unknown unit 'XB'"));
  CHECK_THAT(error_of("lmdb:/tmp/x?colour=blue"), Catch::Contains("unknown option 'colour'"));
  CHECK_THAT(error_of("mem:?max_entries"), Catch::Contains("NAME=VALUE"));
  CHECK_THAT(error_of("json:/tmp/x?durable=maybe"), Catch::Contains("true or false"));
  auto pg = error_of("postgresql://me:hunter2@");
  CHECK_THAT(pg, !Catch::Contains("hunter2"));
  CHECK(parse_size("32GiB") == 32ull << 30);
  CHECK(parse_size("100MB") == 100000000);
  CHECK(parse_size("4096") == 4096);
}

TEST_CASE("a store that cannot open fails before any actor starts", "[persistent][errors]") {
  test::temp_dir dir("open-fail");
  test::write_file(dir.file("plain-file"), "not a directory");
  CHECK_THROWS_AS(disk_cache(dir.file("plain-file")), cache_error);
  CHECK_THROWS_AS(json_cache(dir.file("plain-file") + "/sub"), cache_error);
  try {
    database_cache("postgresql://nobody:secret@127.0.0.1:1/none");
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::unreachable);
    CHECK_THAT(e.what(), Catch::Contains("127.0.0.1:1") && !Catch::Contains("secret"));
  }
}

TEST_CASE("writes waiting in the mailbox are committed together", "[persistent]") {
  auto ctl = std::make_shared<test::failing_store_control>();
  ctl->blocking = true;
  store_cache c(std::make_unique<test::failing_store>(ctl));
  std::vector<std::thread> writers;
  for (int t = 0; t < 16; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        c.set("w", {{"t", t}, {"i", i}}, i);
    });
  for (auto& w : writers)
    w.join();
  CHECK(ctl->entries_written == 800);
  CHECK(c.size() == 800);
  // 16 concurrent writers share transactions: far fewer commits than writes.
  CHECK(ctl->put_many_calls < 800);
  UNSCOPED_INFO("commits for 800 writes: " << ctl->put_many_calls);
}

TEST_CASE("one failing write in a batch does not fail the others", "[persistent][errors]") {
  test::temp_dir dir("batch-fail");
  disk_cache c(dir.file("disk"), {.size_limit = 1 << 20});
  std::atomic<int> failed{0}, stored{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      try {
        // Writer 0 sends an entry larger than half the limit: refused.
        c.set("w", {{"t", t}}, std::string(t == 0 ? 600000 : 100, 'x'));
        ++stored;
      } catch (const cache_error&) {
        ++failed;
      }
    });
  for (auto& w : writers)
    w.join();
  CHECK(failed == 1);
  CHECK(stored == 7);
  CHECK(c.size() == 7);
}
