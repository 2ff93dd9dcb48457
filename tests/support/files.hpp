#pragma once

// Small file helpers for tests.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ahvn::test {

/// The whole file as a string; throws std::runtime_error naming the path if it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Writes `text` to `path`, replacing it.
inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << text;
}

/// A path inside the source tree.
inline std::string source_path(const std::string& relative) {
  return std::string(AHVN_SOURCE_DIR) + "/" + relative;
}

} // namespace ahvn::test
