#include "bench/environment.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ahvn::bench {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void sys_fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv)
    out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

} // namespace

// -- scratch_dir ---------------------------------------------------------------------------------

scratch_dir::scratch_dir(const std::string& base) {
  fs::create_directories(base);
  std::string tmpl = (fs::path(base) / "ahvn-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) sys_fail("cannot create a scratch directory in " + base);
  path_ = tmpl;
  fs::create_directories(fs::path(path_) / "work");
}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string scratch_dir::fresh(const std::string& tag) {
  return (fs::path(path_) / "work" / (tag + "-" + std::to_string(++counter_))).string();
}

std::string scratch_dir::fresh_kept(const std::string& tag) {
  return (fs::path(path_) / "kept" / (tag + "-" + std::to_string(++counter_))).string();
}

void scratch_dir::clear_work() {
  std::error_code ec;
  fs::remove_all(fs::path(path_) / "work", ec);
  fs::create_directories(fs::path(path_) / "work");
}

// -- postgres_server -----------------------------------------------------------------------------

postgres_server::postgres_server(std::string script, std::string state_dir,
                                 std::optional<std::string> url)
    : script_(std::move(script)), state_dir_(std::move(state_dir)), url_(std::move(url)) {
  tried_ = url_.has_value();
}

postgres_server::~postgres_server() {
  if (!created_) return;
  try {
    run_command({"/bin/bash", script_, "pg-destroy", state_dir_}, 120);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahvn_bench: stopping PostgreSQL: %s\n", e.what());
  }
}

std::optional<std::string> postgres_server::url() {
  if (tried_) return url_;
  tried_ = true;
  if (geteuid() != 0) {
    reason_ = "no PostgreSQL: test_servers.sh needs root (or pass --pg-url)";
    return std::nullopt;
  }
  if (!fs::exists("/usr/lib/postgresql")) {
    reason_ = "no PostgreSQL: Debian's postgresql package is not installed";
    return std::nullopt;
  }
  std::fprintf(stderr, "ahvn_bench: starting a throwaway PostgreSQL (test_servers.sh)...\n");
  try {
    created_ = true;
    run_command({"/bin/bash", script_, "pg-create", state_dir_}, 180);
    std::ifstream in(fs::path(state_dir_) / "url");
    std::string u;
    std::getline(in, u);
    if (u.empty()) throw std::runtime_error("test_servers.sh wrote no URL");
    url_ = u;
  } catch (const std::exception& e) {
    reason_ = std::string("PostgreSQL did not start: ") + e.what();
  }
  return url_;
}

// -- child_process -------------------------------------------------------------------------------

child_process::child_process(const std::vector<std::string>& argv, const std::string& log_file) {
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
  int log_fd = -1;
  if (log_file.empty()) {
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) sys_fail("pipe");
  } else {
    log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) sys_fail("cannot open " + log_file);
  }
  auto args = c_args(argv);
  pid_ = fork();
  if (pid_ < 0) sys_fail("fork");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the harness
    if (log_fd >= 0) {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    } else {
      dup2(in_pipe[0], 0);
      dup2(out_pipe[1], 1);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  if (log_fd >= 0) {
    close(log_fd);
    return;
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  to_child_ = in_pipe[1];
  from_child_ = out_pipe[0];
}

child_process::~child_process() {
  if (pid_ > 0) stop();
}

void child_process::write_line(const std::string& line) {
  std::string s = line + "\n";
  size_t done = 0;
  while (done < s.size()) {
    auto n = ::write(to_child_, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) sys_fail("writing to a child process");
    done += static_cast<size_t>(n);
  }
}

std::string child_process::read_line(double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("a child process did not answer within " +
                               std::to_string(timeout_s) + " s");
    pollfd p{from_child_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[65536];
    auto n = ::read(from_child_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("a child process closed its output (it exited)");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

int child_process::stop() {
  if (to_child_ >= 0) close(to_child_);
  if (from_child_ >= 0) close(from_child_);
  to_child_ = from_child_ = -1;
  int status = 0;
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 1000; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

// -- helpers
// ---------------------------------------------------------------------------------------

std::string run_command(const std::vector<std::string>& argv, double timeout_s) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) sys_fail("pipe");
  auto args = c_args(argv);
  pid_t pid = fork();
  if (pid < 0) sys_fail("fork");
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::string out, err;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  pollfd ps[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(ps, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (ps[i].fd < 0 || !(ps[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      auto n = ::read(ps[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(ps[i].fd);
        ps[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& p : ps)
    if (p.fd >= 0) {
      close(p.fd);
      kill(pid, SIGKILL);
    }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (err.size() > 2000) err = err.substr(err.size() - 2000);
    throw std::runtime_error("'" + joined(argv) + "' failed (status " + std::to_string(status) +
                             "): " + err);
  }
  return out;
}

std::string self_path() {
  return "/proc/self/exe"; // the running binary, even if the file was rebuilt meanwhile
}

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) sys_fail("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    sys_fail("finding a free port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

} // namespace ahvn::bench
