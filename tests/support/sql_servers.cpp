#include "tests/support/sql_servers.hpp"

#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ahvn::test {

namespace {

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

int status_of(int raw) {
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

} // namespace

std::string test_servers_script() {
  return std::string(AHVN_SOURCE_DIR) + "/tests/support/test_servers.sh";
}

std::string test_server_url(const std::string& provider) {
  std::string file = std::string(AHVN_BINARY_DIR) + "/test-servers/urls.env";
  std::string name = provider == "postgresql" ? "AHVN_TEST_PG_URL" : "AHVN_TEST_MYSQL_URL";
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("the test servers are not running: " + file +
                             " is missing. Run the tests through ctest (fixture sql_servers), "
                             "or start them: " +
                             test_servers_script() + " start " + AHVN_BINARY_DIR);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + "=", 0) == 0) return line.substr(name.size() + 1);
  throw std::runtime_error(file + " has no " + name + " line");
}

program_result run_program(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env) {
  int fds[2]; // close-on-exec: only the copies at 1 and 2 reach the program (and its children)
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  auto args = argv;
  auto envs = environment_with(env);
  auto c_args = c_strings(args);
  auto c_env = c_strings(envs);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, c_args[0], &actions, nullptr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  program_result result;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int raw = 0;
  waitpid(pid, &raw, 0);
  result.status = status_of(raw);
  return result;
}

int spawn_program(const std::vector<std::string>& argv, const std::string& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  auto args = argv;
  auto c_args = c_strings(args);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, c_args[0], &actions, nullptr, c_args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

int wait_program(int pid) {
  int raw = 0;
  if (waitpid(pid, &raw, 0) < 0) return -1;
  return status_of(raw);
}

std::string run_sql(const sql_options& where, const std::string& sql) {
  program_result r;
  std::string port = std::to_string(where.port);
  if (where.provider == "sqlite")
    r = run_program({"sqlite3", "-bail", "-cmd", ".timeout 10000", where.database, sql});
  else if (where.provider == "postgresql")
    r = run_program({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", where.host, "-p", port,
                     "-U", where.user, "-d", where.database, "-c", sql},
                    {"PGPASSWORD=" + where.password});
  else
    r = run_program({"mariadb", "--no-defaults", "--raw", "-h", where.host, "-P", port, "-u",
                     where.user, where.database, "-e", sql},
                    {"MYSQL_PWD=" + where.password});
  if (r.status != 0)
    throw std::runtime_error("SQL failed on " + to_url(where) + ": " + sql + "\n" + r.output);
  return r.output;
}

scratch_database::scratch_database(const std::string& provider)
    : admin_(parse_sql_url(test_server_url(provider))) {
  static std::atomic<int> counter{0};
  options_ = admin_;
  options_.database = "ahvn_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  run_sql(admin_, "CREATE DATABASE " + options_.database);
}

scratch_database::~scratch_database() {
  try {
    run_sql(admin_, "DROP DATABASE " + options_.database +
                        (admin_.provider == "postgresql" ? " WITH (FORCE)" : ""));
  } catch (...) {
    // The server goes away with the fixture anyway.
  }
}

uint16_t closed_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot find a free port");
  close(s);
  return ntohs(addr.sin_port);
}

} // namespace ahvn::test
