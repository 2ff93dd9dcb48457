#pragma once

// Store factories (see tests/support/store_factories.hpp) for the SQL store: an SQLite file, an
// SQLite in-memory database, and a fresh database on the fixture's PostgreSQL and MariaDB servers.
// Link tests/support/sql_servers.cpp.

#include "ahvn/backends/sql_store.hpp"
#include "tests/support/sql_servers.hpp"
#include "tests/support/temp_dir.hpp"

#include <memory>

namespace ahvn::test {

struct sqlite_file_factory {
  static constexpr const char* name = "sqlite-file";
  static constexpr bool keeps_entries = true;
  temp_dir dir{"sql"};
  sql_options options() const { return {.provider = "sqlite", .database = dir.file("cache.db")}; }
  std::unique_ptr<store> open() { return std::make_unique<sql_store>(options()); }
  std::unique_ptr<store> reopen() { return open(); }
};

struct sqlite_memory_factory {
  static constexpr const char* name = "sqlite-memory";
  static constexpr bool keeps_entries = true;
  std::unique_ptr<store> open() {
    return std::make_unique<sql_store>(sql_options{.provider = "sqlite", .database = ":memory:"});
  }
};

struct postgresql_factory {
  static constexpr const char* name = "postgresql";
  static constexpr bool keeps_entries = true;
  static constexpr bool normalizes_numbers = true; // JSONB: -0.0 becomes 0.0
  scratch_database db{"postgresql"};
  sql_options options() const { return db.options(); }
  std::unique_ptr<store> open() { return std::make_unique<sql_store>(options()); }
  std::unique_ptr<store> reopen() { return open(); }
};

struct mysql_factory {
  static constexpr const char* name = "mysql";
  static constexpr bool keeps_entries = true;
  scratch_database db{"mysql"};
  sql_options options() const { return db.options(); }
  std::unique_ptr<store> open() { return std::make_unique<sql_store>(options()); }
  std::unique_ptr<store> reopen() { return open(); }
};

} // namespace ahvn::test
