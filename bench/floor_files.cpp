// The raw file floor for the JSON directory store (see floors.hpp): one open/read/close of the
// entry's file, AgentHeaven's layout; writes go through a temporary file and a rename.

#include "ahvn/messages/key.hpp"
#include "bench/floors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace ahvn::bench {

namespace {

class file_floor final : public op_runner {
public:
  file_floor(const workload& w, const std::string& dir)
      : value_size_(w.value_size), durable_(w.durable), direct_(w.direct_keys), dir_(dir) {
    std::filesystem::create_directories(dir_);
    for (uint64_t i = 0; i < w.keys; ++i)
      write(path_of(static_cast<int64_t>(i)), static_cast<int64_t>(i), false);
    dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir_fd_ < 0 || (durable_ && ::fsync(dir_fd_) != 0)) fail("open " + dir_);
  }

  ~file_floor() override {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }

  bool raw_values() const override { return true; }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    std::string path = path_of(op.i);
    if (op.kind == op_spec::write) {
      write(path, op.i, durable_);
      return false;
    }
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
      if (errno == ENOENT) return false;
      fail("open " + path);
    }
    struct stat st {};
    ::fstat(fd, &st);
    out.resize(static_cast<size_t>(st.st_size));
    auto n = ::read(fd, out.data(), out.size());
    ::close(fd);
    if (n != st.st_size) fail("read " + path);
    return true;
  }

private:
  [[noreturn]] static void fail(const std::string& what) {
    throw std::runtime_error("raw file floor: " + what + ": " + std::strerror(errno));
  }

  std::string path_of(int64_t i) const {
    return dir_ + "/" + key_of_arg(i, direct_).to_padded() + ".json";
  }

  void write(const std::string& path, int64_t i, bool sync) {
    std::string text = to_python_file_json(entry_of(i, value_size_));
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("create " + tmp);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              (!sync || ::fsync(fd) == 0);
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) fail("write " + path);
    if (sync && ::fsync(dir_fd_) != 0) fail("fsync " + dir_);
  }

  uint32_t value_size_;
  bool durable_, direct_;
  std::string dir_;
  int dir_fd_ = -1;
};

} // namespace

std::unique_ptr<op_runner> make_file_floor(const workload& w, const std::string& dir) {
  return std::make_unique<file_floor>(w, dir);
}

} // namespace ahvn::bench
