#include "ahvn/backends/sql_reader.hpp"

#include "ahvn/backends/sql_row.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/ttl.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace ahvn {

namespace {

using steady = std::chrono::steady_clock;

// One pooled session with its prepared lookup; owned by whoever set `busy`.
struct session_slot {
  std::atomic<bool> busy{false};
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<soci::statement> get;
  std::string id, content;
  soci::indicator ind = soci::i_ok;
  steady::time_point retry_after{};
};

class sql_reader final : public concurrent_reader {
public:
  sql_reader(sql_options opts, size_t max_sessions)
      : opts_(std::move(opts)), url_(to_url(opts_)), conn_(connection_string(opts_)),
        jsonb_(opts_.provider == "postgresql" || opts_.provider == "postgres"),
        slots_(max_sessions) {}

public:
  entry_ptr read_entry(const key& k, time_point now) override {
    auto e = fetch(k);
    if (!e || expired(*e, now)) return nullptr;
    return std::make_shared<cache_entry>(std::move(*e));
  }

protected:
  bool read_value_impl(const key& k, time_point now, void* ctx, visit_fn fn) override {
    auto e = fetch(k);
    if (!e || expired(*e, now) || !e->value()) return false;
    fn(ctx, *e->value());
    return true;
  }

private:
  // The row under `k` on a pooled session; nullopt on a miss or when every session is busy.
  std::optional<cache_entry> fetch(const key& k) {
    session_slot* s = claim();
    if (s == nullptr) return std::nullopt; // every session busy: the caller asks the actor
    struct release {
      session_slot* s;
      ~release() { s->busy.store(false, std::memory_order_release); }
    } guard{s};
    std::optional<std::string> content;
    try {
      if (!s->sql && !open(*s)) return std::nullopt;
      s->id = k.to_padded();
      if (s->get->execute(true) && s->ind != soci::i_null) content = std::move(s->content);
      if (opts_.provider == "sqlite")
        s->get->fetch(); // run to the end: releases SQLite's read snapshot
    } catch (const std::exception& ex) {
      // Drop the session (it may be broken); the next read opens another.
      s->get.reset();
      s->sql.reset();
      s->retry_after = steady::now() + std::chrono::seconds(1);
      throw cache_error(errc::backend_failure, url_ + ": get (reader): " + ex.what());
    }
    if (!content) return std::nullopt;
    return decode_row_content(std::move(*content), url_ + " id " + s->id, jsonb_);
  }

  session_slot* claim() {
    for (auto& s : slots_) {
      bool expected = false;
      if (!s.busy.load(std::memory_order_relaxed) &&
          s.busy.compare_exchange_strong(expected, true, std::memory_order_acquire))
        return &s;
    }
    return nullptr;
  }

  // Opens the slot's session; false (without throwing) while a recent failure is cooling down.
  bool open(session_slot& s) {
    if (steady::now() < s.retry_after) return false;
    if (opts_.provider == "sqlite") {
      s.sql = std::make_unique<soci::session>(soci::sqlite3, conn_);
      int timeout = 0;
      *s.sql << "PRAGMA busy_timeout = 10000", soci::into(timeout);
    } else if (jsonb_) {
      s.sql = std::make_unique<soci::session>(soci::postgresql, conn_);
    } else {
      s.sql = std::make_unique<soci::session>(soci::mysql, conn_);
    }
    s.get = std::make_unique<soci::statement>(
        (s.sql->prepare << "SELECT content FROM cache_orm WHERE id = :id", soci::use(s.id),
         soci::into(s.content, s.ind)));
    return true;
  }

  sql_options opts_;
  std::string url_;
  std::string conn_;
  bool jsonb_;
  std::vector<session_slot> slots_;
};

} // namespace

std::shared_ptr<concurrent_reader> make_sql_reader(const sql_options& opts, size_t max_sessions) {
  if (opts.provider == "sqlite" && opts.database == ":memory:") return nullptr;
  return std::make_shared<sql_reader>(opts, max_sessions);
}

} // namespace ahvn
