#pragma once

// Shell commands for tests (helper processes, python3 interop): start one or several, then
// collect each one's exit code and output.

#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

namespace ahvn::test {

struct command_result {
  int exit_code = -1; ///< The exit status; -1 if it did not exit normally (killed by a signal).
  std::string output; ///< What it wrote to stdout (add 2>&1 to the command for stderr too).
};

/// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A command running under /bin/sh (popen), so several can run at once. Its output is read by
/// finish(); a command that writes more than a pipe holds waits until then.
class started_command {
public:
  /// Starts `cmd`. Throws std::runtime_error if it cannot.
  explicit started_command(const std::string& cmd) : pipe_(::popen(cmd.c_str(), "r")) {
    if (pipe_ == nullptr) throw std::runtime_error("cannot start: " + cmd);
  }
  started_command(const started_command&) = delete;
  started_command& operator=(const started_command&) = delete;
  ~started_command() {
    if (pipe_ != nullptr) ::pclose(pipe_);
  }

  /// Reads all its output and waits for it to exit. Call once.
  command_result finish() {
    command_result r;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe_)) > 0)
      r.output.append(buffer, n);
    int status = ::pclose(pipe_);
    pipe_ = nullptr;
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
  }

private:
  FILE* pipe_;
};

/// Runs `cmd` under /bin/sh and waits for it.
inline command_result run_command(const std::string& cmd) {
  return started_command(cmd).finish();
}

} // namespace ahvn::test
