#pragma once

// temp_dir: a fresh directory under /tmp, removed with everything in it on destruction.

#include <filesystem>
#include <string>

namespace ahvn::test {

class temp_dir {
public:
  /// Creates /tmp/ahvn-<prefix>-XXXXXX. Throws std::runtime_error if it cannot.
  explicit temp_dir(const std::string& prefix = "test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / name, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

} // namespace ahvn::test
