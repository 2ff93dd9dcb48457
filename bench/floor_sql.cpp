// The raw SQL floors (see floors.hpp): a prepared SQLite select and a libpq PQexecPrepared
// select of the same rows sql_store keeps (AgentHeaven's layout: id = 40-digit key, content =
// the entry dict as JSON text / JSONB).

#include "ahvn/messages/key.hpp"
#include "bench/floors.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdexcept>

namespace ahvn::bench {

namespace {

std::string row_content(int64_t i, uint32_t value_size) {
  return to_python_row_json(entry_of(i, value_size));
}

std::string row_id(int64_t i) {
  return key_of_arg(i, false).to_padded();
}

// -- SQLite --------------------------------------------------------------------------------------

class sqlite_floor final : public op_runner {
public:
  sqlite_floor(const workload& w, const std::string& path)
      : value_size_(w.value_size), direct_(w.direct_keys) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
      fail("open " + path);
    exec("PRAGMA journal_mode = WAL");
    exec("CREATE TABLE cache_orm (id VARCHAR(63) NOT NULL, content TEXT, PRIMARY KEY (id))");
    exec("CREATE INDEX idx_cache_id ON cache_orm (id)");
    insert_ = prepare("INSERT OR REPLACE INTO cache_orm (id, content) VALUES (?, ?)");
    select_ = prepare("SELECT content FROM cache_orm WHERE id = ?");
    exec("BEGIN");
    for (uint64_t i = 0; i < w.keys; ++i)
      put(row_id(static_cast<int64_t>(i)), row_content(static_cast<int64_t>(i), value_size_));
    exec("COMMIT");
  }

  ~sqlite_floor() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(select_);
    sqlite3_close(db_);
  }

  bool raw_values() const override { return true; }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    std::string id = key_of_arg(op.i, direct_).to_padded();
    if (op.kind == op_spec::write) {
      put(id, row_content(op.i, value_size_));
      return false;
    }
    sqlite3_bind_text(select_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    int rc = sqlite3_step(select_);
    bool found = rc == SQLITE_ROW;
    if (found)
      out.assign(reinterpret_cast<const char*>(sqlite3_column_text(select_, 0)),
                 static_cast<size_t>(sqlite3_column_bytes(select_, 0)));
    sqlite3_reset(select_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail("select");
    return found;
  }

private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("raw SQLite floor: " + what + ": " + sqlite3_errmsg(db_));
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail(sql);
    return s;
  }
  void put(const std::string& id, const std::string& content) {
    sqlite3_bind_text(insert_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, content.data(), static_cast<int>(content.size()), SQLITE_STATIC);
    int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) fail("insert");
  }

  uint32_t value_size_;
  bool direct_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

// -- PostgreSQL (libpq) ----------------------------------------------------------------------

class pg_floor final : public op_runner {
public:
  pg_floor(const workload& w, const std::string& url)
      : value_size_(w.value_size), direct_(w.direct_keys) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) fail("connect");
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr); // no "does not exist" notes
    command("DROP TABLE IF EXISTS bench_floor");
    command("CREATE TABLE bench_floor (id VARCHAR(63) NOT NULL, content JSONB, PRIMARY KEY (id))");
    prepare("bench_select", "SELECT content FROM bench_floor WHERE id = $1", 1);
    prepare("bench_upsert",
            "INSERT INTO bench_floor (id, content) VALUES ($1, $2) "
            "ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content",
            2);
    command("BEGIN");
    for (uint64_t i = 0; i < w.keys; ++i)
      put(row_id(static_cast<int64_t>(i)), row_content(static_cast<int64_t>(i), value_size_));
    command("COMMIT");
    command("ANALYZE bench_floor");
  }

  ~pg_floor() override { PQfinish(conn_); }

  bool raw_values() const override { return true; }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    std::string id = key_of_arg(op.i, direct_).to_padded();
    if (op.kind == op_spec::write) {
      put(id, row_content(op.i, value_size_));
      return false;
    }
    const char* params[1] = {id.c_str()};
    PGresult* r = PQexecPrepared(conn_, "bench_select", 1, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      PQclear(r);
      fail("select");
    }
    bool found = PQntuples(r) > 0;
    if (found) out.assign(PQgetvalue(r, 0, 0), static_cast<size_t>(PQgetlength(r, 0, 0)));
    PQclear(r);
    return found;
  }

private:
  [[noreturn]] void fail(const std::string& what) {
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    throw std::runtime_error("raw libpq floor: " + what + ": " + why);
  }
  void command(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok) fail(sql);
  }
  void prepare(const char* name, const char* sql, int n) {
    PGresult* r = PQprepare(conn_, name, sql, n, nullptr);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) fail(sql);
  }
  void put(const std::string& id, const std::string& content) {
    const char* params[2] = {id.c_str(), content.c_str()};
    PGresult* r = PQexecPrepared(conn_, "bench_upsert", 2, params, nullptr, nullptr, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) fail("upsert");
  }

  uint32_t value_size_;
  bool direct_;
  PGconn* conn_ = nullptr;
};

} // namespace

std::unique_ptr<op_runner> make_sqlite_floor(const workload& w, const std::string& path) {
  return std::make_unique<sqlite_floor>(w, path);
}

std::unique_ptr<op_runner> make_pg_floor(const workload& w, const std::string& url) {
  return std::make_unique<pg_floor>(w, url);
}

} // namespace ahvn::bench
