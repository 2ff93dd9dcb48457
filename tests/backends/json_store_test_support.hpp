#pragma once

// Helpers shared by the json_store tests.

#include "ahvn/messages/error.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace ahvn::test {

/// Every file name in `dir`, sorted.
inline std::vector<std::string> all_file_names(const temp_dir& dir) {
  std::vector<std::string> names;
  for (const auto& f : std::filesystem::directory_iterator(dir.path()))
    names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// The names in `dir` that are entry files (40 digits + ".json"), sorted.
inline std::vector<std::string> entry_file_names(const temp_dir& dir) {
  auto names = all_file_names(dir);
  std::erase_if(names, [](const std::string& n) {
    return n.size() != 45 || !n.ends_with(".json") ||
           !std::all_of(n.begin(), n.begin() + 40, [](char c) { return c >= '0' && c <= '9'; });
  });
  return names;
}

/// Matches a cache_error with code backend_failure whose message contains `text`.
class backend_failure_matcher : public Catch::MatcherBase<cache_error> {
public:
  explicit backend_failure_matcher(std::string text) : text_(std::move(text)) {}
  bool match(const cache_error& e) const override {
    return e.code() == errc::backend_failure && e.message().find(text_) != std::string::npos;
  }
  std::string describe() const override { return "is a backend_failure naming \"" + text_ + "\""; }

private:
  std::string text_;
};

inline backend_failure_matcher backend_failure_naming(std::string text) {
  return backend_failure_matcher(std::move(text));
}

} // namespace ahvn::test

template <>
struct Catch::StringMaker<ahvn::cache_error> {
  static std::string convert(const ahvn::cache_error& e) { return e.what(); }
};
