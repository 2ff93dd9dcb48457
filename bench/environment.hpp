#pragma once

// environment: what the harness sets up around the measurements — a scratch directory, the
// throwaway PostgreSQL server (started with tests/support/test_servers.sh, stopped at the end),
// and child processes (the Python peer, redis-server, the harness itself for fresh-RSS runs).
//
// Thread safety: used by the harness's main thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ahvn::bench {

/// The scratch directory of one run, removed (with everything in it) on destruction.
class scratch_dir {
public:
  /// Creates `<base>/ahvn-bench-XXXXXX`. Throws std::runtime_error if it cannot.
  explicit scratch_dir(const std::string& base);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::string& path() const { return path_; }
  /// A new path (not created) named after `tag`, under work/: removed by clear_work().
  std::string fresh(const std::string& tag);
  /// A new path (not created) named after `tag`, kept until the end (servers' files).
  std::string fresh_kept(const std::string& tag);
  /// Removes everything fresh() handed out (call once nothing uses it).
  void clear_work();

private:
  std::string path_;
  uint64_t counter_ = 0;
};

/// A PostgreSQL server for the postgresql rows: the URL given by the user, or a throwaway
/// cluster made by test_servers.sh pg-create (root only) on first use and destroyed at exit.
class postgres_server {
public:
  postgres_server(std::string script, std::string state_dir, std::optional<std::string> url);
  ~postgres_server();
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  /// The server's URL (starting it if needed), or nullopt with reason() set.
  std::optional<std::string> url();
  const std::string& reason() const { return reason_; }

private:
  std::string script_, state_dir_;
  std::optional<std::string> url_;
  std::string reason_;
  bool tried_ = false, created_ = false;
};

/// A child process with its stdin and stdout on pipes (or stdout to a log file). Killed and
/// reaped on destruction if still running.
class child_process {
public:
  /// Starts `argv[0]` (a path) with `argv`. With `log_file` set, stdout and stderr go there and
  /// there are no pipes. Throws std::runtime_error if it cannot start.
  explicit child_process(const std::vector<std::string>& argv, const std::string& log_file = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes one line (a newline is appended) to the child's stdin.
  void write_line(const std::string& line);
  /// Reads one line from the child's stdout; throws std::runtime_error on end of file or after
  /// `timeout_s` seconds.
  std::string read_line(double timeout_s);
  /// Sends SIGTERM, waits up to 10 s (then SIGKILL), returns the exit status.
  int stop();
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1;
  std::string buffer_;
};

/// Runs `argv` to completion and returns its stdout; throws std::runtime_error naming the
/// command if it cannot start or exits non-zero (with the end of its stderr).
std::string run_command(const std::vector<std::string>& argv, double timeout_s);

/// A path that runs this executable: /proc/self/exe (valid even after a rebuild replaced it).
std::string self_path();

/// A free TCP port on 127.0.0.1 (may be taken before it is used: callers retry).
uint16_t free_port();

/// Resident set size of this process in bytes (/proc/self/statm).
uint64_t resident_bytes();

/// CPU time (user + system) this process has used, in seconds (getrusage).
double cpu_seconds();

} // namespace ahvn::bench
