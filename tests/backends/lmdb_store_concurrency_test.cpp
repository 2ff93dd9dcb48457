// The LMDB store under concurrency: readers on many threads while the owner writes (and the map
// grows under them), readers that outlive the store, threads that come and go, and two writer
// processes on one directory.

#include "ahvn/backends/lmdb_store.hpp"
#include "tests/backends/lmdb_test_entries.hpp"
#include "tests/support/entries.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <random>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

#include <catch2/catch.hpp>

extern char** environ;

namespace {

using namespace ahvn;
using namespace ahvn::test;

time_point now() {
  return clock::system()->now();
}

TEST_CASE("readers on four threads see whole entries while the owner rewrites them",
          "[lmdb][concurrency]") {
  temp_dir dir("lmdb");
  lmdb_options options;
  options.initial_map_size = 256 << 10; // the map grows (remaps) while the readers read
  options.durable = false;
  lmdb_store s(dir.file("db"), options);
  constexpr int n_keys = 200;
  std::vector<key> keys;
  for (int i = 0; i < n_keys; ++i) {
    auto e = checked_entry("c", i, 0, 100);
    keys.push_back(e.k);
    s.put(e.k, e.entry);
  }
  auto reader = s.reader();
  REQUIRE(reader != nullptr);

  std::atomic<bool> done{false};
  std::atomic<uint64_t> reads{0}, hits{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      while (!done.load()) {
        int i = static_cast<int>(rng() % n_keys);
        bool hit = reader->read_value(keys[i], now(), [&](const json& v) {
          if (!value_is_consistent(v) || v["i"] != i) bad.fetch_add(1);
        });
        reads.fetch_add(1);
        hits.fetch_add(hit);
      }
    });

  // The owner rewrites every key many times with growing payloads (single puts, batches and
  // removals), so the map doubles several times under the readers.
  for (int version = 1; version <= 30; ++version) {
    size_t bytes = 100 + static_cast<size_t>(version) * 300;
    if (version % 3 == 0) {
      std::vector<keyed_entry> batch;
      for (int i = 0; i < n_keys; ++i)
        batch.push_back(checked_entry("c", i, version, bytes + i));
      s.put_many(batch);
    } else {
      for (int i = 0; i < n_keys; ++i) {
        auto e = checked_entry("c", i, version, bytes + i);
        s.put(e.k, e.entry);
      }
    }
    if (version % 10 == 0) s.remove(keys[version]);
  }
  done = true;
  for (auto& th : threads)
    th.join();
  INFO("reads " << reads << ", hits " << hits);
  CHECK(bad == 0);
  CHECK(reads > 1000);
  CHECK(hits > 0);
  CHECK(s.counters().errors == 0);
}

TEST_CASE("a reader outlives its store", "[lmdb][concurrency]") {
  temp_dir dir("lmdb");
  auto e = make_entry(1, "kept");
  std::shared_ptr<concurrent_reader> reader;
  {
    lmdb_store s(dir.file("db"));
    s.put(e.k, e.entry);
    reader = s.reader();
  }
  bool hit = false;
  std::thread([&] {
    hit = reader->read_value(e.k, now(), [](const json& v) { CHECK(v == json("kept")); });
  }).join();
  CHECK(hit);
  // A store opened again while the reader lives shares its environment: the reader sees it.
  auto f = make_entry(2, "new");
  {
    lmdb_store s(dir.file("db"));
    s.put(f.k, f.entry);
  }
  CHECK(reader->read_value(f.k, now(), [](const json& v) { CHECK(v == json("new")); }));
  CHECK_FALSE(reader->read_value(make_entry(3).k, now(), [](const json&) { FAIL("visited"); }));
}

TEST_CASE("threads come and go: many more threads than pooled transactions",
          "[lmdb][concurrency]") {
  temp_dir dir("lmdb");
  lmdb_store s(dir.file("db"));
  auto e = make_entry(1, "x");
  s.put(e.k, e.entry);
  auto reader = s.reader();
  std::atomic<int> hits{0};
  for (int round = 0; round < 50; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i)
          hits += reader->read_value(e.k, now(), [](const json&) {});
      });
    for (auto& th : threads)
      th.join();
  }
  CHECK(hits == 50 * 8 * 20);
  // The owner's own reads and writes still work after all of those threads exited.
  auto f = make_entry(2);
  s.put(f.k, f.entry);
  CHECK(s.get(f.k) != nullptr);
}

pid_t spawn_writer(const std::string& dir, int id, int count, const std::string& out) {
  std::string id_s = std::to_string(id), count_s = std::to_string(count);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv = {const_cast<char*>(AHVN_LMDB_WRITER), const_cast<char*>(dir.c_str()),
                             id_s.data(), count_s.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, AHVN_LMDB_WRITER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

TEST_CASE("two processes writing to one directory lose no acknowledged write",
          "[lmdb][concurrency][process]") {
  temp_dir dir("lmdb");
  std::string db = dir.file("db");
  constexpr int count = 3000;
  lmdb_options options;
  options.initial_map_size = 256 << 10;
  options.durable = false;
  lmdb_store s(db, options); // this process reads while the writers grow the map
  auto reader = s.reader();
  pid_t a = spawn_writer(db, 1, count, dir.file("out1"));
  pid_t b = spawn_writer(db, 2, count, dir.file("out2"));
  // Read the other processes' writes as they arrive (exercises MDB_MAP_RESIZED on this side).
  std::atomic<bool> done{false};
  std::atomic<uint64_t> seen{0}, bad{0};
  std::thread poller([&] {
    int i = 0;
    while (!done.load()) {
      for (int w = 1; w <= 2; ++w) {
        auto k = checked_entry("w" + std::to_string(w), i % count, w, 1).k;
        seen +=
            reader->read_value(k, now(), [&](const json& v) { bad += !value_is_consistent(v); });
      }
      ++i;
    }
  });
  int status_a = 0, status_b = 0;
  REQUIRE(waitpid(a, &status_a, 0) == a);
  REQUIRE(waitpid(b, &status_b, 0) == b);
  done = true;
  poller.join();
  REQUIRE(WIFEXITED(status_a));
  REQUIRE(WIFEXITED(status_b));
  CHECK(WEXITSTATUS(status_a) == 0);
  CHECK(WEXITSTATUS(status_b) == 0);
  CHECK(read_file(dir.file("out1")) == "acked " + std::to_string(count) + "\n");
  CHECK(read_file(dir.file("out2")) == "acked " + std::to_string(count) + "\n");
  CHECK(bad == 0);
  INFO("entries read while the writers ran: " << seen);

  // Every acknowledged write is there, whole; every stored entry decodes.
  for (int w = 1; w <= 2; ++w) {
    std::vector<key> ks;
    for (int i = 0; i < count; ++i)
      ks.push_back(checked_entry("w" + std::to_string(w), i, w, 1).k);
    auto got = s.get_many(ks);
    int good = 0;
    for (int i = 0; i < count; ++i)
      good += got[i] && entry_is_consistent(*got[i]) && (*got[i]->output)["version"] == w &&
              (*got[i]->output)["payload"].get<std::string>().size() == 200u + i % 700;
    CHECK(good == count);
  }
  CHECK(s.size() == 2 * count + 50);
  uint64_t scanned = 0;
  scan_request req;
  for (;;) {
    auto page = s.scan(req);
    for (auto& e : page.entries)
      scanned += entry_is_consistent(*e.entry);
    if (!page.more) break;
    req.after = page.last;
  }
  CHECK(scanned == 2 * count + 50);
  CHECK(s.counters().errors == 0);
}

TEST_CASE("a writer killed in the middle of its writes leaves no torn entry",
          "[lmdb][concurrency][process]") {
  temp_dir dir("lmdb");
  std::string db = dir.file("db");
  for (int delay_ms : {5, 20, 60}) {
    pid_t pid = spawn_writer(db, 1, 100000, dir.file("out"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    // Whatever was committed is whole; the dead writer's lock and reader slots do not block.
    lmdb_store s(db);
    uint64_t good = 0, total = 0;
    scan_request req;
    req.limit = 1000;
    for (;;) {
      auto page = s.scan(req);
      for (auto& e : page.entries)
        good += entry_is_consistent(*e.entry);
      total += page.entries.size();
      if (!page.more) break;
      req.after = page.last;
    }
    INFO("killed after " << delay_ms << " ms with " << total << " entries");
    CHECK(good == total);
    CHECK(total == s.size());
    CHECK(s.counters().errors == 0);
    auto e = checked_entry("after", delay_ms, 0, 10);
    s.put(e.k, e.entry);
    CHECK(s.get(e.k) != nullptr);
  }
}

} // namespace
