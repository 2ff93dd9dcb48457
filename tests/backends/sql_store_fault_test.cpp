// The SQL store under bad input and faults: servers that cannot be reached or refuse the login,
// corrupt rows among good ones, a server lost mid-run and back again, and two processes writing
// one SQLite file.

#include "ahvn/backends/sql_store.hpp"
#include "ahvn/messages/log.hpp"
#include "tests/support/entries.hpp"
#include "tests/support/files.hpp"
#include "tests/support/sql_store_factories.hpp"

#include <chrono>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

namespace ahvn::test {

namespace {

// Collects what the store logs while it lives.
struct log_capture {
  std::vector<std::string> lines;
  log::sink previous;
  log_capture() {
    previous = log::set_sink([this](log::level, std::string_view m) { lines.emplace_back(m); });
  }
  ~log_capture() { log::set_sink(previous); }
  bool has(const std::string& a, const std::string& b) const {
    for (const auto& l : lines)
      if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    return false;
  }
};

cache_error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const cache_error& ex) {
    return ex;
  }
  FAIL("no cache_error was thrown");
  return cache_error(errc::none, "");
}

std::string padded(int i) {
  return make_entry(i).k.to_padded();
}

} // namespace

TEST_CASE("sql: a server that is not there is unreachable, named without the password", "[sql]") {
  for (std::string provider : {"postgresql", "mysql"}) {
    INFO(provider);
    auto port = std::to_string(closed_port());
    auto url = provider + "://someone:s3cret-pw@127.0.0.1:" + port + "/nowhere";
    auto start = std::chrono::steady_clock::now();
    auto ex = error_of([&] { sql_store s(parse_sql_url(url)); });
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK(ex.code() == errc::unreachable);
    CHECK(ex.message().find(provider + "://someone@127.0.0.1:" + port +
                            "/nowhere: cannot connect: ") == 0);
    CHECK(std::string(ex.what()).find("s3cret-pw") == std::string::npos);
  }
}

TEST_CASE("sql: refused credentials are a clear error without the password", "[sql]") {
  for (std::string provider : {"postgresql", "mysql"}) {
    INFO(provider);
    auto options = parse_sql_url(test_server_url(provider));
    options.password = "wrong-password-123";
    auto ex = error_of([&] { sql_store s(options); });
    CHECK(ex.code() == errc::unreachable);
    CHECK(ex.message().find(to_url(options) + ": cannot connect: ") == 0);
    CHECK(std::string(ex.what()).find("wrong-password-123") == std::string::npos);
    if (provider == "postgresql")
      CHECK(ex.message().find("password authentication failed") != std::string::npos);
    else
      CHECK(ex.message().find("Access denied") != std::string::npos);
  }
}

TEST_CASE("sql: bad configurations fail early and clearly", "[sql]") {
  temp_dir dir;
  write_file(dir.file("plain-file"), "x");
  auto ex =
      error_of([&] { sql_store s({.provider = "sqlite", .database = dir.file("plain-file/db")}); });
  CHECK(ex.code() == errc::backend_failure);
  CHECK(ex.message().find("sqlite:" + dir.file("plain-file/db") + ": cannot open: ") == 0);

  ex = error_of([&] { sql_store s({.provider = "oracle", .database = "x"}); });
  CHECK(ex.code() == errc::invalid_argument);
  CHECK(ex.message().find("unknown SQL provider 'oracle'") != std::string::npos);

  ex = error_of([&] { sql_store s({.provider = "sqlite", .database = ""}); });
  CHECK(ex.code() == errc::invalid_argument);

  // A file that is not a database.
  write_file(dir.file("garbage.db"), std::string(4096, 'g'));
  ex = error_of([&] { sql_store s({.provider = "sqlite", .database = dir.file("garbage.db")}); });
  CHECK(ex.code() == errc::backend_failure);
  CHECK(ex.message().find("not a database") != std::string::npos);
}

TEMPLATE_TEST_CASE("sql: a corrupt row among good ones is reported, skipped and counted", "[sql]",
                   sqlite_file_factory, postgresql_factory, mysql_factory) {
  TestType factory;
  auto s = factory.open();
  std::set<key> good;
  for (int i = 0; i < 5; ++i) {
    auto e = make_entry(i);
    s->put(e.k, e.entry);
    good.insert(e.k);
  }
  bool jsonb = std::is_same_v<TestType, postgresql_factory>;
  // Rows another program wrote: bad JSON (TEXT only), JSON that is not an entry, NULL, and ids
  // that are not keys.
  std::vector<std::pair<std::string, std::string>> rows = {
      {padded(100), "'[1, 2]'"},
      {padded(101), R"('{"func": 5, "inputs": {}}')"},
      {padded(102), "NULL"},
      {padded(103), R"('{"func": "f", "inputs": [1]}')"},
      {"abc", R"('{"func": "f", "inputs": {"i": 1}, "output": 1, "metadata": {}}')"},
      {"0123", R"('{"func": "f", "inputs": {"i": 1}, "output": 1, "metadata": {}}')"},
  };
  if (!jsonb) rows.push_back({padded(104), "'not json {'"});
  for (auto& [id, content] : rows)
    run_sql(factory.options(),
            "INSERT INTO cache_orm (id, content) VALUES ('" + id + "', " + content + ")");
  size_t bad_keyed = rows.size() - 2;

  log_capture logged;
  auto before = s->counters().errors;
  for (int i = 100; i < 100 + static_cast<int>(bad_keyed); ++i) {
    INFO("row " << padded(i));
    CHECK(s->get(make_entry(i).k) == nullptr);
    CHECK(logged.has(s->url(), "id " + padded(i)));
  }
  CHECK(s->counters().errors == before + bad_keyed);
  auto many = s->get_many(std::vector<key>{make_entry(100).k, make_entry(1).k});
  CHECK(many[0] == nullptr);
  CHECK(many[1] != nullptr);
  CHECK(s->counters().errors == before + bad_keyed + 1);

  // A scan in small pages returns exactly the good entries and reports every bad row once.
  std::set<key> seen;
  scan_request req;
  req.limit = 2;
  auto errors_before_scan = s->counters().errors;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 50);
    auto page = s->scan(req);
    for (auto& e : page.entries)
      seen.insert(e.k);
    if (!page.more) break;
    req.after = page.last;
  }
  CHECK(seen == good);
  CHECK(s->counters().errors >= errors_before_scan + rows.size());
  CHECK(logged.has(s->url(), "id abc"));
  CHECK(logged.has(s->url(), "id 0123"));
  // The good entries are untouched and the store keeps working.
  for (auto& k : good)
    CHECK(s->get(k) != nullptr);
  s->put(make_entry(7).k, make_entry(7).entry);
  CHECK(s->get(make_entry(7).k) != nullptr);
}

TEST_CASE("sql: a PostgreSQL server lost mid-run fails requests, the store recovers", "[sql]") {
  std::string state = std::string(AHVN_BINARY_DIR) + "/test-servers/recovery";
  auto script = test_servers_script();
  struct destroy {
    std::vector<std::string> argv;
    ~destroy() { run_program(argv); }
  } cleanup{{"bash", script, "pg-destroy", state}};
  auto created = run_program({"bash", script, "pg-create", state});
  INFO(created.output);
  REQUIRE(created.status == 0);
  auto url = read_file(state + "/url");
  url.erase(url.find_last_not_of("\n") + 1);
  auto options = parse_sql_url(url);

  sql_store s(options);
  auto a = make_entry(1, "a");
  s.put(a.k, a.entry);
  REQUIRE(s.get(a.k) != nullptr);

  auto stopped = run_program({"bash", script, "pg-stop", state});
  INFO(stopped.output);
  REQUIRE(stopped.status == 0);
  auto ex = error_of([&] { s.get(a.k); });
  CHECK(ex.code() == errc::backend_failure);
  CHECK(ex.message().find(s.url() + ": get: ") == 0);
  CHECK(std::string(ex.what()).find(options.password) == std::string::npos);
  // While the server is away every request throws, fast (no loop, no long wait).
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    CHECK_THROWS_AS(s.put(a.k, a.entry), cache_error);
    CHECK_THROWS_AS(s.size(), cache_error);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  ex = error_of([&] { s.scan({}); });
  CHECK(ex.code() == errc::backend_failure);
  CHECK(ex.message().find(s.url() + ": scan: ") == 0);

  auto started = run_program({"bash", script, "pg-start", state});
  INFO(started.output);
  REQUIRE(started.status == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // past the longest retry delay
  auto got = s.get(a.k);
  REQUIRE(got != nullptr);
  CHECK(got->output == json("a"));
  auto b = make_entry(2, "b");
  s.put(b.k, b.entry);
  CHECK(s.size() == 2);

  // A restart between two requests is invisible: the next request reconnects and runs.
  REQUIRE(run_program({"bash", script, "pg-stop", state}).status == 0);
  REQUIRE(run_program({"bash", script, "pg-start", state}).status == 0);
  got = s.get(b.k);
  REQUIRE(got != nullptr);
  CHECK(got->output == json("b"));
}

TEST_CASE("sql: two processes writing one SQLite file lose no acknowledged write", "[sql]") {
  temp_dir dir;
  auto db = dir.file("shared.db");
  const int count = 150;
  int w0 = spawn_program({AHVN_SQL_WRITER, db, "0", std::to_string(count)}, dir.file("w0.log"));
  int w1 = spawn_program({AHVN_SQL_WRITER, db, "1", std::to_string(count)}, dir.file("w1.log"));
  int s0 = wait_program(w0);
  int s1 = wait_program(w1);
  INFO("writer 0: " << read_file(dir.file("w0.log")));
  INFO("writer 1: " << read_file(dir.file("w1.log")));
  REQUIRE(s0 == 0);
  REQUIRE(s1 == 0);

  sql_store s({.provider = "sqlite", .database = db});
  for (int w = 0; w < 2; ++w)
    for (int i = 0; i < count; ++i) {
      auto e = cache_entry::from_args("w", json{{"writer", w}, {"i", i}});
      auto got = s.get(e.key());
      REQUIRE(got != nullptr);
      CHECK(got->output == json{{"writer", w}, {"i", i}});
    }
  for (int j = 0; j < 5; ++j) {
    auto got = s.get(cache_entry::from_args("shared", json{{"j", j}}).key());
    REQUIRE(got != nullptr);
    CHECK(((*got->output)["writer"] == 0 || (*got->output)["writer"] == 1));
  }
  // Every row parses.
  size_t rows = 0;
  scan_request req;
  req.limit = 1000;
  for (;;) {
    auto page = s.scan(req);
    rows += page.entries.size();
    if (!page.more) break;
    req.after = page.last;
  }
  CHECK(rows == 2 * count + 5);
  CHECK(s.size() == rows);
  CHECK(s.counters().errors == 0);
}

} // namespace ahvn::test
