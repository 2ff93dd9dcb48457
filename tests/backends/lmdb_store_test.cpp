// The LMDB store: the conformance suite, then what only a disk store must do — keep entries
// across reopen, grow its map, evict the oldest entries at its size limit, refuse what can never
// fit, and fail clearly on bad paths and bad bytes. Concurrency lives in
// lmdb_store_concurrency_test.cpp.

#include "ahvn/backends/lmdb_store.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/log.hpp"
#include "tests/backends/lmdb_test_entries.hpp"
#include "tests/support/files.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>

namespace ahvn::test {

struct lmdb_store_factory {
  static constexpr const char* name = "lmdb";
  static constexpr bool keeps_entries = true;
  temp_dir dir{"lmdb"};
  std::unique_ptr<store> open() { return std::make_unique<lmdb_store>(dir.file("db")); }
  std::unique_ptr<store> reopen() { return open(); }
};

} // namespace ahvn::test

#define AHVN_STORE_FACTORIES ahvn::test::lmdb_store_factory
#include "tests/backends/store_conformance.hpp"

namespace {

using namespace ahvn;
using namespace ahvn::test;
namespace fs = std::filesystem;

constexpr uint64_t mib = 1 << 20;

uint64_t file_size(const std::string& path) {
  return fs::file_size(path);
}

/// The message of the cache_error `f` throws, checking its code; fails if it throws nothing.
template <class F>
std::string error_of(F&& f, errc code) {
  try {
    f();
  } catch (const cache_error& e) {
    CHECK(e.code() == code);
    return e.message();
  }
  FAIL("no cache_error was thrown");
  return {};
}

TEST_CASE("an lmdb store keeps its entries across reopen", "[lmdb]") {
  lmdb_store_factory factory;
  std::vector<keyed_entry> written;
  {
    auto s = factory.open();
    CHECK(s->url() == "lmdb:" + factory.dir.file("db"));
    for (int i = 0; i < 50; ++i) {
      written.push_back(checked_entry("f", i, 1, 100 + i));
      s->put(written.back().k, written.back().entry);
    }
    std::vector<keyed_entry> batch;
    for (int i = 50; i < 150; ++i)
      batch.push_back(checked_entry("g", i, 1, 3000));
    s->put_many(batch);
    written.insert(written.end(), batch.begin(), batch.end());
    CHECK(s->remove(written[3].k));
    s->put(written[4].k, checked_entry("f", 4, 2, 10).entry); // an overwrite
  }
  auto s = factory.reopen();
  CHECK(s->size() == 149);
  CHECK(s->get(written[3].k) == nullptr);
  auto four = s->get(written[4].k);
  REQUIRE(four != nullptr);
  CHECK((*four->output)["version"] == 2);
  for (size_t i = 5; i < written.size(); ++i) {
    auto got = s->get(written[i].k);
    REQUIRE(got != nullptr);
    CHECK(*got == *written[i].entry);
  }
  CHECK(s->counters().entries == 149);
  CHECK(s->counters().bytes > 0);
}

TEST_CASE("stores on one directory share one environment", "[lmdb]") {
  temp_dir dir("lmdb");
  auto a = std::make_unique<lmdb_store>(dir.file("db"));
  lmdb_store b(dir.file("db") + "/."); // another spelling of the same directory
  auto e = make_entry(1);
  a->put(e.k, e.entry);
  REQUIRE(b.get(e.k) != nullptr);
  a.reset();
  auto f = make_entry(2);
  b.put(f.k, f.entry);
  CHECK(b.size() == 2);
  lmdb_store c(dir.file("db")); // reopened while b still holds the environment
  CHECK(c.get(f.k) != nullptr);
}

TEST_CASE("the map grows from a tiny initial size", "[lmdb]") {
  temp_dir dir("lmdb");
  lmdb_options options;
  options.initial_map_size = 1 * mib;
  options.durable = false;
  lmdb_store s(dir.file("db"), options);
  // ~20 MiB: 10,000 entries of ~2 KiB, in batches and one at a time.
  std::vector<key> keys;
  for (int i = 0; i < 10000;) {
    if (i % 1000 < 500) {
      std::vector<keyed_entry> batch;
      for (int j = 0; j < 100; ++j)
        batch.push_back(checked_entry("grow", i + j, 0, 2000));
      s.put_many(batch);
      for (auto& e : batch)
        keys.push_back(e.k);
      i += 100;
    } else {
      auto e = checked_entry("grow", i, 0, 2000);
      s.put(e.k, e.entry);
      keys.push_back(e.k);
      ++i;
    }
  }
  CHECK(s.size() == 10000);
  auto got = s.get_many(keys);
  size_t good = 0;
  for (auto& e : got)
    good += e && entry_is_consistent(*e);
  CHECK(good == 10000);
  CHECK(s.counters().evictions == 0);
  CHECK(file_size(dir.file("db") + "/data.mdb") > 16 * mib);
}

TEST_CASE("at size_limit the oldest entries are evicted", "[lmdb]") {
  temp_dir dir("lmdb");
  lmdb_options options;
  options.size_limit = 4 * mib;
  options.initial_map_size = 1 * mib;
  options.durable = false;
  lmdb_store s(dir.file("db"), options);

  int total = 0;
  std::vector<keyed_entry> all;
  auto write = [&](int count, size_t bytes, int batch) {
    for (int i = 0; i < count; i += batch) {
      std::vector<keyed_entry> b;
      for (int j = 0; j < batch; ++j)
        b.push_back(checked_entry("evict", total + j, 0, bytes));
      if (batch == 1)
        s.put(b[0].k, b[0].entry);
      else
        s.put_many(b);
      all.insert(all.end(), b.begin(), b.end());
      total += batch;
    }
  };
  SECTION("small entries, one put at a time") {
    write(20000, 1000, 1);
  }
  SECTION("small entries in batches") {
    write(20000, 1000, 50);
  }
  SECTION("large entries") {
    write(500, 40000, 1);
  }
  SECTION("mixed sizes") {
    write(4000, 1000, 1);
    write(200, 40000, 1);
    write(4000, 500, 20);
  }
  // Every put succeeded; the newest entries are there, the oldest gone, and the file stayed
  // within the limit.
  auto c = s.counters();
  INFO("entries " << c.entries << ", evictions " << c.evictions);
  REQUIRE(c.evictions > 0);
  CHECK(c.entries + c.evictions == all.size());
  CHECK(s.size() == c.entries);
  size_t newest = std::min<size_t>(all.size() / 40, 200);
  for (size_t i = all.size() - newest; i < all.size(); ++i) {
    auto got = s.get(all[i].k);
    REQUIRE(got != nullptr);
    CHECK(entry_is_consistent(*got));
  }
  for (size_t i = 0; i < all.size() / 10; ++i)
    REQUIRE(s.get(all[i].k) == nullptr);
  // Exactly a suffix (by write order) survives.
  size_t first_present = all.size() - c.entries;
  CHECK(s.get(all[first_present].k) != nullptr);
  CHECK(s.get(all[first_present - 1].k) == nullptr);
  CHECK(file_size(dir.file("db") + "/data.mdb") <= 4 * mib);
  // The store keeps working at the limit: overwrite the newest, then remove and clear.
  s.put(all.back().k, checked_entry("evict", total - 1, 9, 100).entry);
  CHECK((*s.get(all.back().k)->output)["version"] == 9);
  CHECK(s.remove(all.back().k));
  CHECK(s.clear() == c.entries - 1);
  CHECK(s.size() == 0);
}

TEST_CASE("an entry larger than the limit is refused and nothing is lost", "[lmdb]") {
  temp_dir dir("lmdb");
  lmdb_options options;
  options.size_limit = 4 * mib;
  lmdb_store s(dir.file("db"), options);
  std::vector<keyed_entry> kept;
  for (int i = 0; i < 20; ++i) {
    kept.push_back(checked_entry("small", i, 0, 1000));
    s.put(kept.back().k, kept.back().entry);
  }
  auto huge = checked_entry("huge", 0, 0, 5 * mib);
  auto msg = error_of([&] { s.put(huge.k, huge.entry); }, errc::invalid_argument);
  CHECK_THAT(msg, Catch::Contains(s.url()));
  CHECK_THAT(msg, Catch::Contains(huge.k.to_string()));
  CHECK_THAT(msg, Catch::Contains("size_limit"));
  // A batch carrying it is refused whole, the small entry beside it included.
  auto beside = checked_entry("small", 99, 0, 10);
  std::vector<keyed_entry> batch = {beside, huge};
  error_of([&] { s.put_many(batch); }, errc::invalid_argument);
  CHECK(s.get(beside.k) == nullptr);
  CHECK(s.get(huge.k) == nullptr);
  CHECK(s.size() == 20);
  CHECK(s.counters().evictions == 0);
  for (auto& e : kept)
    CHECK(s.get(e.k) != nullptr);
}

TEST_CASE("bad paths and bad files give a clear error naming the path", "[lmdb]") {
  temp_dir dir("lmdb");
  SECTION("a regular file") {
    write_file(dir.file("plain"), "not a directory");
    auto msg = error_of([&] { lmdb_store s(dir.file("plain")); }, errc::backend_failure);
    CHECK_THAT(msg, Catch::Contains("lmdb:" + dir.file("plain")));
    CHECK_THAT(msg, Catch::Contains("Not a directory"));
  }
  SECTION("a path below a regular file") {
    write_file(dir.file("plain"), "x");
    auto msg = error_of([&] { lmdb_store s(dir.file("plain") + "/db"); }, errc::backend_failure);
    CHECK_THAT(msg, Catch::Contains(dir.file("plain") + "/db"));
  }
  SECTION("a directory holding something that is not LMDB") {
    fs::create_directory(dir.file("db"));
    write_file(dir.file("db") + "/data.mdb", std::string(64 << 10, 'x'));
    auto msg = error_of([&] { lmdb_store s(dir.file("db")); }, errc::backend_failure);
    CHECK_THAT(msg, Catch::Contains(dir.file("db")));
    CHECK_THAT(msg, Catch::Contains("open environment"));
  }
  SECTION("a size limit too small to be useful") {
    lmdb_options options;
    options.size_limit = 1000;
    auto msg = error_of([&] { lmdb_store s(dir.file("db"), options); }, errc::invalid_argument);
    CHECK_THAT(msg, Catch::Contains("size_limit"));
  }
  SECTION("a directory that is not writable") {
    // As root, permissions do not stop us: try it as nobody in a child process.
    REQUIRE(chmod(dir.path().c_str(), 0755) == 0);
    REQUIRE(mkdir(dir.file("ro").c_str(), 0555) == 0);
    auto attempt = [&](const std::string& path) -> int {
      try {
        lmdb_store s(path);
      } catch (const cache_error& e) {
        return e.code() == errc::backend_failure &&
                       e.message().find("lmdb:" + path + ":") != std::string::npos &&
                       e.message().find("Permission denied") != std::string::npos
                   ? 0
                   : 3;
      }
      return 4;
    };
    for (std::string path : {dir.file("ro"), dir.file("ro") + "/db"}) {
      INFO(path);
      if (geteuid() != 0) {
        CHECK(attempt(path) == 0);
        continue;
      }
      pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        _exit(attempt(path));
      }
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
  }
}

TEST_CASE("an undecodable stored value is reported, counted and treated as absent", "[lmdb]") {
  temp_dir dir("lmdb");
  auto good = checked_entry("f", 1, 0, 10);
  auto bad_header = checked_entry("f", 2, 0, 10);
  auto bad_body = checked_entry("f", 3, 0, 10);
  {
    lmdb_store s(dir.file("db"));
    s.put_many(std::vector<keyed_entry>{good, bad_header, bad_body});
  }
  { // Spoil two values behind the store's back.
    MDB_env* env;
    REQUIRE(mdb_env_create(&env) == 0);
    REQUIRE(mdb_env_set_maxdbs(env, 4) == 0);
    REQUIRE(mdb_env_open(env, dir.file("db").c_str(), 0, 0664) == 0);
    MDB_txn* txn;
    REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn, "entries", 0, &dbi) == 0);
    auto put = [&](const key& k, std::string value) {
      auto kb = k.bytes();
      MDB_val kv{kb.size(), kb.data()}, v{value.size(), value.data()};
      REQUIRE(mdb_put(txn, dbi, &kv, &v, 0) == 0);
    };
    put(bad_header.k, "garbage");
    // A good header, then an entry whose hit value is not MessagePack.
    std::string enc = encode_entry(*bad_body.entry);
    encoded_view view;
    REQUIRE(view_encoded(enc, view));
    size_t at = static_cast<size_t>(view.value.data() - enc.data());
    for (size_t i = 0; i < view.value.size(); ++i)
      enc[at + i] = '\xc1'; // never used in MessagePack
    put(bad_body.k, std::string("\x01\0\0\0\0\0\0\0\x03", 9) + enc);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
  }
  log_capture logged;
  lmdb_store s(dir.file("db"));
  CHECK(s.get(good.k) != nullptr);
  CHECK(s.get(bad_header.k) == nullptr);
  CHECK(s.get(bad_body.k) == nullptr);
  CHECK_FALSE(s.contains(bad_body.k));
  CHECK(s.counters().errors == 3);
  auto warnings = logged.lines();
  REQUIRE(warnings.size() == 3);
  CHECK_THAT(warnings[0], Catch::Contains(s.url()));
  CHECK_THAT(warnings[0], Catch::Contains(bad_header.k.to_string()));
  CHECK_THAT(warnings[1], Catch::Contains(s.url()));
  CHECK_THAT(warnings[1], Catch::Contains(bad_body.k.to_string()));
  // A scan skips them; a reader misses them.
  auto page = s.scan({});
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].k == good.k);
  auto now = clock::system()->now();
  CHECK_FALSE(s.reader()->read_value(bad_header.k, now, [](const json&) { FAIL("visited"); }));
  CHECK_FALSE(s.reader()->read_value(bad_body.k, now, [](const json&) { FAIL("visited"); }));
  CHECK(s.counters().errors == 7);
  // Overwriting a spoiled value repairs it, and it takes part in eviction order again.
  s.put(bad_body.k, bad_body.entry);
  CHECK(s.get(bad_body.k) != nullptr);
}

TEST_CASE("scan's func filter works for names of every length", "[lmdb]") {
  // scan's func filter reads the name from the stored bytes without decoding: cover every
  // MessagePack string width a function name can take (names stop at 65535 bytes).
  lmdb_store_factory factory;
  auto s = factory.open();
  std::vector<std::string> funcs = {"",
                                    "f",
                                    std::string(31, 'a'),
                                    std::string(32, 'b'),
                                    std::string(255, 'c'),
                                    std::string(256, 'd'),
                                    std::string(65535, 'e')};
  for (size_t i = 0; i < funcs.size(); ++i)
    for (int j = 0; j < 3; ++j) {
      auto e = make_entry(j, json(i), funcs[i]);
      s->put(e.k, e.entry);
    }
  for (const auto& f : funcs) {
    if (f.empty()) continue;
    scan_request req;
    req.func = f;
    auto page = s->scan(req);
    CHECK(page.entries.size() == 3);
    for (auto& e : page.entries)
      CHECK(e.entry->func == f);
  }
}

keyed_entry expiring_entry(int i, std::optional<time_point> expires, bool with_value = true) {
  json metadata = json::object();
  if (expires) metadata["expires_at"] = static_cast<double>(unix_ms(*expires)) / 1000.0;
  auto e = std::make_shared<cache_entry>(cache_entry::from_args(
      "ttl", json{{"i", i}}, with_value ? std::optional<json>(json(i)) : std::nullopt, std::nullopt,
      metadata));
  return {e->key(), e};
}

TEST_CASE("the reader and the sweep read expiry from the stored header", "[lmdb]") {
  lmdb_store_factory factory;
  auto s = factory.open();
  time_point now{std::chrono::seconds(1700000000)};
  auto fresh = expiring_entry(1, now + std::chrono::seconds(60));
  auto stale = expiring_entry(2, now - std::chrono::seconds(1));
  auto forever = expiring_entry(3, std::nullopt);
  auto no_value = expiring_entry(4, std::nullopt, false);
  s->put_many(std::vector<keyed_entry>{fresh, stale, forever, no_value});
  auto reader = s->reader();
  auto hit = [&](const keyed_entry& e, time_point t) {
    json seen;
    bool found = reader->read_value(e.k, t, [&](const json& v) { seen = v; });
    if (found) CHECK(seen == *e.entry->output);
    return found;
  };
  CHECK(hit(fresh, now));
  CHECK_FALSE(hit(stale, now));
  CHECK(hit(forever, now));
  CHECK_FALSE(hit(no_value, now));
  CHECK_FALSE(hit(fresh, now + std::chrono::seconds(60)));
  CHECK(s->get(stale.k) != nullptr); // get returns what is stored; expiry is the actor's call

  std::optional<key> cursor;
  CHECK(s->sweep_expired(now, cursor, 100) == 1);
  CHECK_FALSE(cursor.has_value()); // the whole store fit in one slice: wrapped around
  CHECK(s->get(stale.k) == nullptr);
  CHECK(s->size() == 3);
  CHECK(s->counters().expirations == 1);

  // A larger store is swept a slice at a time.
  std::vector<keyed_entry> many;
  for (int i = 100; i < 400; ++i)
    many.push_back(expiring_entry(i, now + std::chrono::seconds(i % 2 == 0 ? -5 : 5)));
  s->put_many(many);
  uint64_t removed = 0;
  int slices = 0;
  do {
    removed += s->sweep_expired(now, cursor, 32);
    REQUIRE(++slices < 100);
  } while (cursor);
  CHECK(removed == 150);
  CHECK(slices >= 300 / 32);
  CHECK(s->size() == 153);
  CHECK(s->counters().expirations == 151);
  for (auto& e : many)
    CHECK((s->get(e.k) != nullptr) == (e.entry->output->get<int>() % 2 == 1));
}

} // namespace
