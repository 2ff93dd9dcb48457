#include "ahvn/backends/sql_store.hpp"

#include "ahvn/backends/sql_reader.hpp"
#include "ahvn/backends/sql_row.hpp"
#include "ahvn/messages/log.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>
#include <unordered_map>

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace ahvn {

namespace {

enum class dialect { sqlite, postgresql, mysql };

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds first_reconnect_delay{50};
constexpr milliseconds max_reconnect_delay{1000};
constexpr int sqlite_busy_timeout_ms = 10000;
constexpr size_t get_many_chunk = 256;
constexpr size_t scan_batch = 1024;

dialect dialect_of(const sql_options& o) {
  if (o.provider == "sqlite") return dialect::sqlite;
  if (o.provider == "postgresql" || o.provider == "postgres") return dialect::postgresql;
  if (o.provider == "mysql" || o.provider == "mariadb") return dialect::mysql;
  throw cache_error(errc::invalid_argument, "unknown SQL provider '" + o.provider +
                                                "' (expected sqlite, postgresql or mysql)");
}

// What a library error says, on one line, at most 400 bytes, without the password (in case a
// library echoes it). For SOCI errors only the message: its context repeats the query with the
// parameter values, which for a put is the whole entry.
std::string clean(const std::exception& ex, const std::string& password) {
  auto* soci_ex = dynamic_cast<const soci::soci_error*>(&ex);
  std::string text = soci_ex ? soci_ex->get_error_message() : ex.what();
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  if (password.size() >= 3)
    for (size_t at; (at = text.find(password)) != std::string::npos;)
      text.replace(at, password.size(), "***");
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  return text;
}

bool is_conflict(const std::exception& ex) {
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&ex))
    return pg->sqlstate() == "23505" || pg->sqlstate() == "40001" || pg->sqlstate() == "40P01";
  if (auto* my = dynamic_cast<const soci::mysql_soci_error*>(&ex))
    return my->err_num_ == 1062 || my->err_num_ == 1213;
  return false;
}

struct raw_row {
  std::string id;
  std::optional<std::string> content; // nullopt: NULL
};

} // namespace

struct sql_store::impl {
  struct statements;

  sql_options opts;
  std::string url;
  dialect kind;
  std::string conn;
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<statements> st;

  // Values bound to the prepared statements (stable addresses: impl lives on the heap).
  std::string id, content, row_id, after, new_content;
  soci::indicator ind = soci::i_ok;
  int limit = 0;
  long long count = 0;

  bool lost = false;
  bool in_txn = false;
  std::string lost_reason;
  steady::time_point next_attempt{};
  milliseconds delay{0};
  uint64_t errors = 0;

  explicit impl(sql_options o) : opts(std::move(o)), kind(dialect_of(opts)) {
    opts.provider = kind == dialect::sqlite       ? "sqlite"
                    : kind == dialect::postgresql ? "postgresql"
                                                  : "mysql";
    url = to_url(opts);
    conn = connection_string(opts);
  }

  cache_error failure(std::string_view op, const std::string& reason) const {
    return cache_error(errc::backend_failure, url + ": " + std::string(op) + ": " + reason);
  }

  void connect();      // open_session() + set_up()
  void open_session(); // a fresh connection
  void create_table(); // session settings, table, index, prepared statements
  void set_up();       // create_table(), retried once
  void prepare_statements();
  void drop_statements() noexcept;
  bool connection_lost();
  void mark_lost(const std::string& reason);
  void ensure_connected(std::string_view op);
  void begin();
  void commit();
  void abort_transaction() noexcept;
  entry_ptr decode(const std::string& row_id, std::string& text);
  void report_unreadable(const std::string& row_id, const std::string& why);
  std::vector<raw_row> fetch_after(const std::string& cursor, size_t n);

  // Runs `f` (which talks to the database) and converts every library error into a
  // cache_error: the ONE place where this store's errors are converted. A lost connection is
  // re-established and `f` run once more; so is a write that met a concurrent writer's row
  // (`retry_conflicts`).
  template <class F>
  auto run(std::string_view op, F&& f, bool retry_conflicts = false) -> decltype(f()) {
    for (int attempt = 0;; ++attempt) {
      ensure_connected(op);
      try {
        if (!st) prepare_statements();
        return f();
      } catch (const cache_error&) {
        abort_transaction();
        throw;
      } catch (const std::exception& ex) {
        std::string reason = clean(ex, opts.password);
        bool conflict = is_conflict(ex);
        abort_transaction();
        // Prepared again on the next request: SOCI leaks a statement's parameter buffers when
        // one that failed is executed again (freed only by a successful run or destruction).
        drop_statements();
        if (connection_lost()) {
          mark_lost(reason);
          if (attempt == 0) continue;
          throw failure(op, "connection lost: " + reason);
        }
        if (conflict && retry_conflicts && attempt == 0) continue;
        throw failure(op, reason);
      }
    }
  }
};

struct sql_store::impl::statements {
  soci::statement get, del, ins, scan, count, clear_all;
  std::optional<soci::statement> begin, commit; // SQLite: BEGIN IMMEDIATE / COMMIT

  explicit statements(impl& d)
      : get((d.sql->prepare << "SELECT content FROM cache_orm WHERE id = :id", soci::use(d.id),
             soci::into(d.content, d.ind))),
        del((d.sql->prepare << "DELETE FROM cache_orm WHERE id = :id", soci::use(d.id))),
        ins((d.sql->prepare << "INSERT INTO cache_orm (id, content) VALUES (:id, :content)",
             soci::use(d.id), soci::use(d.new_content))),
        scan((d.sql->prepare << "SELECT id, content FROM cache_orm WHERE id > :after ORDER BY id "
                                "LIMIT :n",
              soci::use(d.after), soci::use(d.limit), soci::into(d.row_id),
              soci::into(d.content, d.ind))),
        count((d.sql->prepare << "SELECT COUNT(*) FROM cache_orm", soci::into(d.count))),
        clear_all((d.sql->prepare << "DELETE FROM cache_orm")) {
    if (d.kind == dialect::sqlite) {
      begin.emplace((d.sql->prepare << "BEGIN IMMEDIATE"));
      commit.emplace((d.sql->prepare << "COMMIT"));
    }
  }
};

void sql_store::impl::open_session() {
  st.reset();
  sql.reset();
  in_txn = false;
  switch (kind) {
  case dialect::sqlite:
    if (opts.database != ":memory:") {
      std::error_code ec; // a failure shows up as the open's error
      auto parent = std::filesystem::path(opts.database).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    }
    sql = std::make_unique<soci::session>(soci::sqlite3, conn);
    break;
  case dialect::postgresql:
    sql = std::make_unique<soci::session>(soci::postgresql, conn);
    break;
  case dialect::mysql:
    sql = std::make_unique<soci::session>(soci::mysql, conn);
    break;
  }
}

void sql_store::impl::create_table() {
  switch (kind) {
  case dialect::sqlite: {
    int timeout = 0;
    *sql << "PRAGMA busy_timeout = " + std::to_string(sqlite_busy_timeout_ms), soci::into(timeout);
    if (opts.database != ":memory:") {
      try { // WAL lets readers and a writer of other processes work at once; optional.
        std::string mode;
        *sql << "PRAGMA journal_mode = WAL", soci::into(mode);
      } catch (const std::exception& ex) {
        log::debug(url + ": WAL mode not set: " + clean(ex, opts.password));
      }
    }
    *sql << "CREATE TABLE IF NOT EXISTS cache_orm (id VARCHAR(63) NOT NULL, content TEXT, "
            "PRIMARY KEY (id))";
    *sql << "CREATE INDEX IF NOT EXISTS idx_cache_id ON cache_orm (id)";
    break;
  }
  case dialect::postgresql:
    // No NOTICEs ("relation already exists, skipping") on the user's stderr.
    *sql << "SET client_min_messages = warning";
    *sql << "CREATE TABLE IF NOT EXISTS cache_orm (id VARCHAR(63) NOT NULL, content JSONB, "
            "PRIMARY KEY (id))";
    *sql << "CREATE INDEX IF NOT EXISTS idx_cache_id ON cache_orm (id)";
    break;
  case dialect::mysql: {
    // Strict mode: an oversized entry is an error, never silently truncated. READ COMMITTED:
    // no gap locks, so concurrent delete-then-insert of one key cannot deadlock.
    *sql << "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'STRICT_ALL_TABLES')";
    *sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    *sql << "CREATE TABLE IF NOT EXISTS cache_orm (id VARCHAR(63) NOT NULL, content LONGTEXT, "
            "PRIMARY KEY (id))";
    long long n = 0; // MySQL (unlike MariaDB) has no CREATE INDEX IF NOT EXISTS
    *sql << "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() "
            "AND table_name = 'cache_orm' AND index_name = 'idx_cache_id'",
        soci::into(n);
    if (n == 0) *sql << "CREATE INDEX idx_cache_id ON cache_orm (id)";
    break;
  }
  }
  prepare_statements();
}

void sql_store::impl::prepare_statements() {
  st = std::make_unique<statements>(*this);
}

void sql_store::impl::drop_statements() noexcept {
  st.reset();
}

void sql_store::impl::set_up() {
  try {
    create_table();
  } catch (const std::exception&) {
    // Another process may be creating the same table right now: look again once.
    std::this_thread::sleep_for(milliseconds(100));
    create_table();
  }
}

void sql_store::impl::connect() {
  open_session();
  set_up();
}

bool sql_store::impl::connection_lost() {
  if (kind == dialect::sqlite) return false;
  try {
    return !sql || !sql->is_connected();
  } catch (...) {
    return true;
  }
}

void sql_store::impl::mark_lost(const std::string& reason) {
  if (!lost) log::warning(url + ": connection lost: " + reason);
  lost = true;
  lost_reason = reason;
  st.reset();
  sql.reset();
}

void sql_store::impl::ensure_connected(std::string_view op) {
  if (!lost) return;
  auto now = steady::now();
  if (now < next_attempt) {
    auto wait = std::chrono::duration_cast<milliseconds>(next_attempt - now).count();
    throw failure(op, "connection lost (" + lost_reason + "); next reconnect attempt in " +
                          std::to_string(wait) + " ms");
  }
  try {
    connect();
  } catch (const std::exception& ex) {
    st.reset();
    sql.reset();
    delay = delay.count() == 0 ? first_reconnect_delay : std::min(delay * 2, max_reconnect_delay);
    next_attempt = now + delay;
    throw failure(op, "connection lost (" + lost_reason +
                          "); cannot reconnect: " + clean(ex, opts.password));
  }
  lost = false;
  delay = milliseconds(0);
  log::info(url + ": reconnected");
}

void sql_store::impl::begin() {
  if (st->begin)
    st->begin->execute(true);
  else
    sql->begin();
  in_txn = true;
}

void sql_store::impl::commit() {
  if (st->commit)
    st->commit->execute(true);
  else
    sql->commit();
  in_txn = false;
}

void sql_store::impl::abort_transaction() noexcept {
  if (!in_txn) return;
  in_txn = false;
  try {
    if (sql) sql->rollback();
  } catch (...) {
    // The transaction dies with the connection anyway.
  }
}

void sql_store::impl::report_unreadable(const std::string& rid, const std::string& why) {
  ++errors;
  log::warning(url + ": unreadable row id " + rid + " (skipped): " + why);
}

entry_ptr sql_store::impl::decode(const std::string& rid, std::string& text) {
  try {
    return std::make_shared<const cache_entry>(
        decode_row_content(std::move(text), url + " id " + rid, kind == dialect::postgresql));
  } catch (const cache_error& ex) {
    report_unreadable(rid, ex.what());
    return nullptr;
  }
}

std::vector<raw_row> sql_store::impl::fetch_after(const std::string& cursor, size_t n) {
  return run("scan", [&] {
    std::vector<raw_row> rows;
    after = cursor;
    limit = static_cast<int>(n);
    st->scan.execute();
    while (st->scan.fetch()) {
      raw_row r{row_id, std::nullopt};
      if (ind != soci::i_null) r.content = std::move(content);
      rows.push_back(std::move(r));
    }
    return rows;
  });
}

// -- sql_store ----------------------------------------------------------------------------------

sql_store::sql_store(sql_options options) : impl_(std::make_unique<impl>(std::move(options))) {
  auto& d = *impl_;
  if (d.opts.database.empty())
    throw cache_error(errc::invalid_argument, d.url + ": no database given");
  try {
    d.open_session();
  } catch (const std::exception& ex) {
    std::string reason = clean(ex, d.opts.password);
    if (d.kind == dialect::sqlite)
      throw cache_error(errc::backend_failure, d.url + ": cannot open: " + reason);
    throw cache_error(errc::unreachable, d.url + ": cannot connect: " + reason);
  }
  try {
    d.set_up();
  } catch (const std::exception& ex) {
    throw d.failure("create table", clean(ex, d.opts.password));
  }
}

sql_store::~sql_store() = default;

std::string sql_store::url() const {
  return impl_->url;
}

entry_ptr sql_store::get(const key& k) {
  auto& d = *impl_;
  auto row = d.run("get", [&]() -> std::optional<raw_row> {
    d.id = k.to_padded();
    if (!d.st->get.execute(true)) return std::nullopt;
    raw_row r{d.id, std::nullopt};
    if (d.ind != soci::i_null) r.content = std::move(d.content);
    if (d.kind == dialect::sqlite)
      d.st->get.fetch(); // run to the end: releases SQLite's read snapshot
    return r;
  });
  if (!row) return nullptr;
  if (!row->content) {
    d.report_unreadable(row->id, "content is NULL");
    return nullptr;
  }
  return d.decode(row->id, *row->content);
}

std::vector<entry_ptr> sql_store::get_many(std::span<const key> ks) {
  auto& d = *impl_;
  if (d.kind == dialect::sqlite) return store::get_many(ks);
  std::vector<entry_ptr> out(ks.size());
  for (size_t begin = 0; begin < ks.size(); begin += get_many_chunk) {
    size_t end = std::min(ks.size(), begin + get_many_chunk);
    // Ids are 40 digits made here, never user text: safe to write into the query.
    std::unordered_map<std::string, std::vector<size_t>> wanted;
    std::string query = "SELECT id, content FROM cache_orm WHERE id IN (";
    for (size_t i = begin; i < end; ++i) {
      auto [it, fresh] = wanted.try_emplace(ks[i].to_padded());
      it->second.push_back(i);
      if (fresh) query.append(wanted.size() == 1 ? "'" : ",'").append(it->first).append("'");
    }
    query.append(")");
    auto rows = d.run("get_many", [&] {
      std::vector<std::string> ids(wanted.size()), contents(wanted.size());
      std::vector<soci::indicator> inds(wanted.size());
      *d.sql << query, soci::into(ids), soci::into(contents, inds);
      std::vector<raw_row> rows;
      for (size_t i = 0; i < ids.size(); ++i)
        rows.push_back({std::move(ids[i]), inds[i] == soci::i_null ? std::nullopt
                                                                   : std::optional<std::string>(
                                                                         std::move(contents[i]))});
      return rows;
    });
    for (auto& r : rows) {
      auto it = wanted.find(r.id);
      if (it == wanted.end()) continue;
      entry_ptr e = r.content ? d.decode(r.id, *r.content) : nullptr;
      if (!r.content) d.report_unreadable(r.id, "content is NULL");
      for (size_t i : it->second)
        out[i] = e;
    }
  }
  return out;
}

void sql_store::put(const key& k, entry_ptr e) {
  auto& d = *impl_;
  std::string text = to_python_row_json(*e);
  std::string rid = k.to_padded();
  d.run(
      "put",
      [&] {
        d.begin();
        d.id = rid;
        d.new_content = text;
        d.st->del.execute(true);
        d.st->ins.execute(true);
        d.commit();
      },
      true);
}

void sql_store::put_many(std::span<const keyed_entry> entries) {
  if (entries.empty()) return;
  auto& d = *impl_;
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries)
    rows.emplace_back(e.k.to_padded(), to_python_row_json(*e.entry));
  d.run(
      "put_many",
      [&] {
        d.begin();
        for (const auto& [rid, text] : rows) {
          d.id = rid;
          d.new_content = text;
          d.st->del.execute(true);
          d.st->ins.execute(true);
        }
        d.commit();
      },
      true);
}

bool sql_store::remove(const key& k) {
  auto& d = *impl_;
  return d.run("remove", [&] {
    d.id = k.to_padded();
    d.st->del.execute(true);
    return d.st->del.get_affected_rows() > 0;
  });
}

uint64_t sql_store::clear() {
  auto& d = *impl_;
  return d.run("clear", [&] {
    d.st->clear_all.execute(true);
    return static_cast<uint64_t>(std::max<long long>(0, d.st->clear_all.get_affected_rows()));
  });
}

uint64_t sql_store::size() {
  auto& d = *impl_;
  return d.run("size", [&] {
    d.count = 0;
    d.st->count.execute(true);
    long long n = d.count;
    if (d.kind == dialect::sqlite)
      d.st->count.fetch(); // run to the end: releases SQLite's read snapshot
    return static_cast<uint64_t>(std::max<long long>(0, n));
  });
}

scan_page sql_store::scan(const scan_request& req) {
  auto& d = *impl_;
  scan_page page;
  // Only rows with well-formed ids count toward the page's budget and move `last`, so a run of
  // foreign rows can neither stall a scan nor send it back over the same rows forever.
  const size_t budget = req.func.empty() ? req.limit : 16 * size_t{req.limit} + 16;
  size_t examined = 0;
  std::string cursor = req.after ? req.after->to_padded() : std::string();
  for (;;) {
    size_t batch = std::min(budget - examined, scan_batch) + 1; // +1: look ahead for `more`
    auto rows = d.fetch_after(cursor, batch);
    for (auto& r : rows) {
      if (page.entries.size() >= req.limit || examined >= budget) {
        page.more = true;
        return page;
      }
      cursor = r.id;
      auto k = key_of_row_id(r.id);
      if (!k) {
        d.report_unreadable(r.id, "the id is not a 40-digit key");
        continue;
      }
      ++examined;
      page.last = *k;
      if (!r.content) {
        d.report_unreadable(r.id, "content is NULL");
        continue;
      }
      auto e = d.decode(r.id, *r.content);
      if (e && (req.func.empty() || e->func == req.func))
        page.entries.push_back({*k, std::move(e)});
    }
    if (rows.size() < batch) {
      page.more = false;
      return page;
    }
  }
}

store_counters sql_store::counters() {
  store_counters c;
  c.entries = size();
  c.errors = impl_->errors;
  return c;
}

std::shared_ptr<concurrent_reader> sql_store::reader() {
  return make_sql_reader(impl_->opts);
}

} // namespace ahvn
