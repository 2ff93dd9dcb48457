#pragma once

// Runs the real cachectl binary (AHVN_CACHECTL) and captures its exit status, stdout and stderr
// apart, plus small helpers to read what it printed.

#include "ahvn/messages/json.hpp"
#include "tests/support/command.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <string>
#include <vector>

#ifndef AHVN_CACHECTL
#error "AHVN_CACHECTL must name the cachectl executable"
#endif

namespace ahvn::test {

struct ctl_result {
  int status = -1; ///< The exit status; -1 if it did not exit normally.
  std::string out; ///< stdout.
  std::string err; ///< stderr.
};

/// Runs cachectl; each call waits for the process to exit.
class cachectl_runner {
public:
  /// Runs `cachectl args...`, stdin from `stdin_path` (default: /dev/null).
  ctl_result operator()(const std::vector<std::string>& args,
                        const std::string& stdin_path = "/dev/null") const {
    std::string cmd = shell_quote(AHVN_CACHECTL);
    for (const auto& a : args)
      cmd += " " + shell_quote(a);
    std::string err_file = scratch_.file("stderr");
    cmd += " <" + shell_quote(stdin_path) + " 2>" + shell_quote(err_file);
    auto r = run_command(cmd);
    return {r.exit_code, r.output, read_file(err_file)};
  }

private:
  temp_dir scratch_{"cachectl-run"};
};

/// `text` split into lines (without their '\n'); a final line without '\n' counts too.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// `line` split at tabs.
inline std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

/// Every line of `text` parsed as JSON (parse_json: exact big integers).
inline std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (const auto& line : lines_of(text))
    out.push_back(parse_json(line, "cachectl output"));
  return out;
}

} // namespace ahvn::test
