#pragma once

// Helpers for tests of the SQL store: the throwaway servers that tests/support/test_servers.sh
// starts (ctest fixture `sql_servers`), scratch databases on them, raw SQL through the command-line
// clients (psql, mariadb, sqlite3) and running programs.
//
// A test that needs a server and cannot get one FAILS with a message saying how to start the
// servers; it never skips.

#include "ahvn/backends/sql_url.hpp"

#include <string>
#include <vector>

namespace ahvn::test {

/// The path of tests/support/test_servers.sh.
std::string test_servers_script();

/// The URL of the fixture's server for `provider` ("postgresql" or "mysql"), read from
/// BUILD_DIR/test-servers/urls.env. Throws std::runtime_error with a clear message if the file or
/// the line is missing.
std::string test_server_url(const std::string& provider);

/// What a finished program printed (stdout and stderr together) and its exit status.
struct program_result {
  int status = -1; ///< The exit status; -1 if it did not exit normally.
  std::string output;
};

/// Runs `argv` (argv[0] looked up in PATH) with `env` ("NAME=value") added to the environment,
/// waits for it and returns what it printed. Throws std::runtime_error if it cannot start.
program_result run_program(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env = {});

/// Starts `argv` without waiting; returns the pid. Output goes to `output_file`.
int spawn_program(const std::vector<std::string>& argv, const std::string& output_file);

/// Waits for `pid`; returns its exit status, or -1 if it did not exit normally.
int wait_program(int pid);

/// Runs `sql` on the database of `where` with its user, through psql / mariadb / sqlite3.
/// Throws std::runtime_error with the client's output on failure.
std::string run_sql(const sql_options& where, const std::string& sql);

/// A fresh, empty database on a fixture server, dropped on destruction.
class scratch_database {
public:
  /// `provider`: "postgresql" or "mysql". Throws std::runtime_error if the server is missing.
  explicit scratch_database(const std::string& provider);
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  /// Options (with the password) that reach this database.
  const sql_options& options() const { return options_; }

private:
  sql_options admin_; // the fixture's database, from which this one is created and dropped
  sql_options options_;
};

/// A TCP port on 127.0.0.1 on which nothing listens (bound and released again).
uint16_t closed_port();

} // namespace ahvn::test
