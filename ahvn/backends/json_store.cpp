#include "ahvn/backends/json_store.hpp"

#include "ahvn/messages/log.hpp"
#include "ahvn/messages/ttl.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace ahvn {

namespace {

constexpr size_t key_digits = 40;
constexpr std::string_view entry_suffix = ".json";
constexpr size_t max_unsynced_files = 4096;

/// The key an entry file name (40 digits + ".json") stands for; nullopt for any other name.
std::optional<key> key_of_name(std::string_view name) {
  if (name.size() != key_digits + entry_suffix.size() || !name.ends_with(entry_suffix))
    return std::nullopt;
  auto digits = name.substr(0, key_digits);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return key::parse(digits);
}

std::string name_of(const key& k) {
  return k.to_padded() + std::string(entry_suffix);
}

/// A hidden name unique to this process and call that never looks like an entry file:
/// ".<entry name>.tmp-<pid>-<nonce>-<counter>".
std::string temp_name(const std::string& entry_name) {
  // The nonce tells apart processes with the same pid (containers sharing a directory).
  static const uint64_t nonce = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  char tail[80];
  std::snprintf(tail, sizeof tail, ".tmp-%ld-%016" PRIx64 "-%" PRIu64,
                static_cast<long>(::getpid()), nonce, counter.fetch_add(1));
  return "." + entry_name + tail;
}

/// Closes a file descriptor on scope exit unless released.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

// -- state shared by the store and its readers ---------------------------------------------

struct json_store::state {
  std::string dir;
  std::string url;
  bool durable = true;
  std::atomic<uint64_t> errors{0};
  std::mutex mismatch_mutex;
  std::unordered_set<key> mismatches_reported;

  std::string path(std::string_view name) const {
    std::string p = dir;
    if (!p.ends_with('/')) p.push_back('/');
    return p.append(name);
  }

  /// THE place where OS errors become cache_errors: "json:<dir>: <operation> <file>: <error>".
  [[noreturn]] void fail(std::string_view operation, std::string_view file, int err) const {
    throw cache_error(errc::backend_failure,
                      url + ": " + std::string(operation) + " " + std::string(file) + ": " +
                          std::error_code(err, std::generic_category()).message());
  }

  void report_unreadable(const std::string& file, const std::string& problem) {
    errors.fetch_add(1, std::memory_order_relaxed);
    log::warning(url + ": skipping unreadable entry " + file + ": " + problem);
  }

  void report_mismatch(const key& named, const key& actual, const std::string& file) {
    {
      std::lock_guard<std::mutex> guard(mismatch_mutex);
      if (!mismatches_reported.insert(named).second) return;
    }
    log::warning(url + ": entry " + file + " holds func and inputs whose key is " +
                 actual.to_padded() + ", not its name; serving it under its name");
  }

  /// The entry in `file` (the file of `k`), or nullptr (reported) if it does not decode.
  entry_ptr decode(const key& k, const std::string& file, std::string_view text) {
    cache_entry e;
    key actual;
    try {
      e = cache_entry::from_python_dict(parse_json(text, file));
      actual = e.key();
    } catch (const cache_error& err) {
      // parse_json's message names the file already; say it once.
      std::string_view problem = err.message();
      if (problem.starts_with(file + ": ")) problem.remove_prefix(file.size() + 2);
      report_unreadable(file, std::string(problem));
      return nullptr;
    } catch (const json::exception& err) {
      report_unreadable(file, err.what());
      return nullptr;
    }
    if (actual != k) report_mismatch(k, actual, file);
    return std::make_shared<const cache_entry>(std::move(e));
  }

  /// The entry stored under `k`; nullptr if its file is absent or unreadable.
  entry_ptr read(const key& k) {
    auto file = path(name_of(k));
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return nullptr;
      fail("open", file, errno);
    }
    fd_guard guard{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0) fail("stat", file, errno);
    if (!S_ISREG(st.st_mode)) {
      report_unreadable(file, "not a regular file");
      return nullptr;
    }
    std::string text;
    text.reserve(static_cast<size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("read", file, errno);
      }
      if (n == 0) break;
      text.append(buffer, static_cast<size_t>(n));
    }
    return decode(k, file, text);
  }

  /// Calls f(key, name) for every entry file name in the directory, in directory order.
  /// Throws cache_error(backend_failure) if the directory cannot be listed.
  template <class F>
  void list(F&& f) const {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) fail("list", dir, errno);
    std::unique_ptr<DIR, int (*)(DIR*)> guard(d, ::closedir);
    for (;;) {
      errno = 0;
      const dirent* ent = ::readdir(d);
      if (ent == nullptr) {
        if (errno != 0) fail("list", dir, errno);
        return;
      }
      if (ent->d_type == DT_DIR) // a directory is never an entry (get() reports one)
        continue;
      std::string_view name = ent->d_name;
      if (auto k = key_of_name(name)) f(*k, name);
    }
  }

  /// fsyncs the directory itself, so renames and removals survive a crash.
  void sync_directory() const {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open", dir, errno);
    fd_guard guard{fd};
    if (::fsync(fd) != 0) fail("sync", dir, errno);
  }
};

namespace {

class json_reader final : public concurrent_reader {
public:
  explicit json_reader(std::shared_ptr<json_store::state> s) : state_(std::move(s)) {}

protected:
  bool read_value_impl(const key& k, time_point now, void* ctx, visit_fn fn) override {
    auto e = state_->read(k);
    if (!e || !e->value() || expired(*e, now)) return false;
    fn(ctx, *e->value());
    return true;
  }

public:
  entry_ptr read_entry(const key& k, time_point now) override {
    auto e = state_->read(k);
    if (!e || expired(*e, now)) return nullptr;
    return e;
  }

private:
  std::shared_ptr<json_store::state> state_;
};

} // namespace

// -- json_store ----------------------------------------------------------------------------

json_store::json_store(std::string dir, json_store_options options)
    : state_(std::make_shared<state>()) {
  if (dir.empty()) throw cache_error(errc::invalid_argument, "json: store needs a directory");
  state_->url = "json:" + dir;
  state_->dir = std::move(dir);
  state_->durable = options.durable;
  std::error_code ec;
  std::filesystem::create_directories(state_->dir, ec);
  if (ec) state_->fail("create directory", state_->dir, ec.value());
  struct stat st;
  if (::stat(state_->dir.c_str(), &st) != 0) state_->fail("open directory", state_->dir, errno);
  if (!S_ISDIR(st.st_mode)) state_->fail("open directory", state_->dir, ENOTDIR);
}

json_store::~json_store() = default;

std::string json_store::url() const {
  return state_->url;
}

entry_ptr json_store::get(const key& k) {
  return state_->read(k);
}

void json_store::write(const key& k, const cache_entry& e, bool sync_directory) {
  auto& s = *state_;
  const std::string text = to_python_file_json(e); // throws before any file is touched
  const std::string name = name_of(k);
  const std::string target = s.path(name);
  std::string temp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temp = s.path(temp_name(name));
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt >= 8)) s.fail("create", temp, errno);
  }
  // From here on a failure removes the temporary file; the old entry file is untouched.
  struct temp_remover {
    const std::string& path;
    bool armed = true;
    ~temp_remover() {
      if (armed) ::unlink(path.c_str());
    }
  } remover{temp};
  {
    fd_guard guard{fd};
    for (size_t done = 0; done < text.size();) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        s.fail("write", temp, errno);
      }
      done += static_cast<size_t>(n);
    }
    if (s.durable && ::fsync(fd) != 0) s.fail("sync", temp, errno);
    guard.fd = -1;
    if (::close(fd) != 0) s.fail("close", temp, errno);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) s.fail("rename", temp + " to " + target, errno);
  remover.armed = false;
  if (s.durable) {
    if (sync_directory) s.sync_directory();
    return;
  }
  unsynced_directory_ = true;
  if (!sync_everything_) {
    unsynced_files_.insert(name);
    if (unsynced_files_.size() > max_unsynced_files) {
      sync_everything_ = true;
      unsynced_files_.clear();
    }
  }
}

void json_store::put(const key& k, entry_ptr e) {
  write(k, *e, true);
}

void json_store::put_many(std::span<const keyed_entry> entries) {
  for (const auto& e : entries)
    write(e.k, *e.entry, false);
  if (state_->durable && !entries.empty()) state_->sync_directory();
}

void json_store::directory_changed() {
  if (state_->durable)
    state_->sync_directory();
  else
    unsynced_directory_ = true;
}

bool json_store::remove(const key& k) {
  auto file = state_->path(name_of(k));
  if (::unlink(file.c_str()) != 0) {
    if (errno == ENOENT) return false;
    state_->fail("remove", file, errno);
  }
  directory_changed();
  return true;
}

uint64_t json_store::clear() {
  std::vector<std::string> names;
  state_->list([&](const key&, std::string_view name) { names.emplace_back(name); });
  uint64_t removed = 0;
  for (const auto& name : names) {
    auto file = state_->path(name);
    if (::unlink(file.c_str()) == 0)
      ++removed;
    else if (errno != ENOENT) // another process may have removed it first
      state_->fail("remove", file, errno);
  }
  if (removed > 0) directory_changed();
  return removed;
}

uint64_t json_store::size() {
  uint64_t n = 0;
  state_->list([&](const key&, std::string_view) { ++n; });
  return n;
}

scan_page json_store::scan(const scan_request& req) {
  std::vector<key> keys;
  state_->list([&](const key& k, std::string_view) {
    if (!req.after || k > *req.after) keys.push_back(k);
  });
  // Only the smallest keys this page may examine need sorting.
  size_t examine = std::min<size_t>(keys.size(), 16 * static_cast<size_t>(req.limit) + 16);
  std::nth_element(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(examine), keys.end());
  std::sort(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(examine));
  scan_page page;
  size_t i = 0;
  for (; i < examine && page.entries.size() < req.limit; ++i) {
    page.last = keys[i];
    auto e = state_->read(keys[i]); // nullptr: removed meanwhile, or unreadable (reported)
    if (e && (req.func.empty() || e->func == req.func))
      page.entries.push_back({keys[i], std::move(e)});
  }
  page.more = i < keys.size();
  return page;
}

void json_store::flush() {
  if (state_->durable) return;
  auto& s = *state_;
  if (sync_everything_) {
    int fd = ::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) s.fail("open", s.dir, errno);
    fd_guard guard{fd};
    if (::syncfs(fd) != 0) s.fail("sync filesystem of", s.dir, errno);
  } else {
    for (const auto& name : unsynced_files_) {
      auto file = s.path(name);
      int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT) // removed since: nothing to make durable
          continue;
        s.fail("open", file, errno);
      }
      fd_guard guard{fd};
      if (::fsync(fd) != 0) s.fail("sync", file, errno);
    }
    if (unsynced_directory_) s.sync_directory();
  }
  unsynced_files_.clear();
  unsynced_directory_ = false;
  sync_everything_ = false;
}

store_counters json_store::counters() {
  store_counters c;
  c.entries = size();
  c.errors = state_->errors.load(std::memory_order_relaxed);
  return c;
}

std::shared_ptr<concurrent_reader> json_store::reader() {
  return std::make_shared<json_reader>(state_);
}

} // namespace ahvn
