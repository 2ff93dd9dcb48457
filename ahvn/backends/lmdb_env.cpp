#include "ahvn/backends/lmdb_env.hpp"

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

namespace ahvn::lmdb_detail {

namespace {

// The process-wide registry: canonical path -> the environment open on it. Leaked on purpose, so
// that stores destroyed during static destruction still find it.
struct registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<shared_env>> envs;
};

registry& the_registry() {
  static auto* r = new registry;
  return *r;
}

// Readers start probing the pool at a per-thread place, so threads rarely meet on one slot.
std::atomic<unsigned> thread_counter{0};

unsigned thread_hint() {
  thread_local unsigned hint = thread_counter.fetch_add(1, std::memory_order_relaxed);
  return hint;
}

constexpr unsigned max_readers = 512; // reader-table slots shared by every process
constexpr unsigned max_dbs = 4;

} // namespace

void fail(const std::string& url, std::string_view operation, int rc, std::string_view detail) {
  std::string message = url;
  message += ": ";
  message += operation;
  message += ": ";
  message += mdb_strerror(rc);
  if (!detail.empty()) {
    message += " (";
    message += detail;
    message += ")";
  }
  throw cache_error(errc::backend_failure, message);
}

// -- registry ---------------------------------------------------------------------------------

std::shared_ptr<shared_env> shared_env::open(const std::string& path, const std::string& url,
                                             const env_config& config) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail(url, "create directory", ec.value());
  if (!fs::is_directory(path, ec)) fail(url, "open", ENOTDIR);
  auto canonical = fs::canonical(path, ec).string();
  if (ec) fail(url, "resolve path", ec.value());

  auto& reg = the_registry();
  for (;;) {
    std::unique_lock<std::mutex> lock(reg.mutex);
    auto i = reg.envs.find(canonical);
    if (i != reg.envs.end()) {
      if (auto env = i->second.lock()) {
        const auto& c = env->config_;
        if (c.size_limit != config.size_limit || c.durable != config.durable ||
            c.initial_map_size != config.initial_map_size)
          log::warning(url + ": already open in this process as " + env->url_ +
                       " with other options; keeping those (size_limit " +
                       std::to_string(c.size_limit) + ", durable " +
                       (c.durable ? "true" : "false") + ")");
        return env;
      }
      // The last owner is closing it right now: wait until it is gone from the registry, since
      // LMDB must never have the same environment open twice in one process.
      lock.unlock();
      std::this_thread::yield();
      continue;
    }
    std::shared_ptr<shared_env> env(new shared_env(url, canonical, config), [](shared_env* e) {
      auto& r = the_registry();
      std::lock_guard<std::mutex> guard(r.mutex);
      r.envs.erase(e->path_);
      delete e; // closes the environment before anyone may open it again
    });
    reg.envs.emplace(canonical, env);
    return env;
  }
}

shared_env::shared_env(std::string url, std::string path, const env_config& config)
    : url_(std::move(url)), path_(std::move(path)), size_limit_(config.size_limit),
      durable_(config.durable), config_(config) {
  check(mdb_env_create(&env_), url_, "create environment");
  try {
    check(mdb_env_set_maxdbs(env_, max_dbs), url_, "set max databases");
    check(mdb_env_set_maxreaders(env_, max_readers), url_, "set max readers");
    check(mdb_env_set_mapsize(env_, config.initial_map_size), url_, "set map size");
    unsigned flags = MDB_NOTLS | (durable_ ? 0 : MDB_NOSYNC | MDB_NOMETASYNC);
    check(mdb_env_open(env_, path_.c_str(), flags, 0664), url_, "open environment");
    int dead = 0;
    check(mdb_reader_check(env_, &dead), url_, "clear stale readers");

    MDB_stat st;
    check(mdb_env_stat(env_, &st), url_, "stat");
    page_size_ = st.ms_psize;
    size_limit_ = std::max<uint64_t>(config.size_limit / page_size_ * page_size_, page_size_);
    // Adopt the size recorded in the file (a directory that grew earlier keeps its size), but
    // within this opener's limit and not below its initial size.
    check(mdb_env_set_mapsize(env_, 0), url_, "set map size");
    MDB_envinfo info;
    check(mdb_env_info(env_, &info), url_, "info");
    uint64_t lowest = std::min(config.initial_map_size, size_limit_);
    uint64_t want = std::clamp<uint64_t>(info.me_mapsize, lowest, size_limit_);
    if (want != info.me_mapsize) {
      check(mdb_env_set_mapsize(env_, want), url_, "set map size");
      check(mdb_env_info(env_, &info), url_, "info");
    }
    map_size_.store(info.me_mapsize);
    open_databases();
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

void shared_env::open_databases() {
  // No other transaction of this process exists yet, so remapping needs no gate here.
  for (;;) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == MDB_MAP_RESIZED) {
      check(mdb_env_set_mapsize(env_, 0), url_, "adopt map size");
      continue;
    }
    check(rc, url_, "begin write");
    rc = mdb_dbi_open(txn, "entries", MDB_CREATE, &entries_);
    if (rc == 0) rc = mdb_dbi_open(txn, "order", MDB_CREATE, &order_);
    if (rc != 0) {
      mdb_txn_abort(txn);
      fail(url_, "open databases", rc);
    }
    rc = mdb_txn_commit(txn);
    if (rc == MDB_MAP_FULL) { // a brand-new environment whose map is tiny: make room once
      check(mdb_env_set_mapsize(env_, std::max<uint64_t>(map_size_.load() * 2, 1 << 20)), url_,
            "set map size");
      continue;
    }
    check(rc, url_, "open databases");
    MDB_envinfo info;
    check(mdb_env_info(env_, &info), url_, "info");
    map_size_.store(info.me_mapsize);
    return;
  }
}

shared_env::~shared_env() {
  // Every store and reader is gone, so no slot is busy.
  for (auto& s : slots_)
    if (s.txn) mdb_txn_abort(s.txn);
  mdb_env_close(env_);
}

// -- the pool ---------------------------------------------------------------------------------

shared_env::slot* shared_env::claim() {
  unsigned start = thread_hint();
  for (;;) {
    for (size_t n = 0; n < pool_size; ++n) {
      slot& s = slots_[(start + n) % pool_size];
      if (s.busy.load(std::memory_order_relaxed) || s.busy.exchange(true)) continue;
      // Holding `busy`, check for a remap (seq_cst on both sides: the remapper sets
      // remapping_ and then reads every busy flag).
      if (!remapping_.load()) return &s;
      s.busy.store(false);
      remapping_.wait(true);
      n = static_cast<size_t>(-1); // start over
    }
    std::this_thread::yield(); // every slot busy: more concurrent transactions than the pool
  }
}

void shared_env::release(slot* s) {
  s->busy.store(false, std::memory_order_release);
}

void shared_env::remap(uint64_t bytes, uint64_t seen_epoch) {
  std::lock_guard<std::mutex> guard(remap_mutex_);
  if (epoch_.load() != seen_epoch) return; // someone remapped meanwhile: the caller retries
  remapping_.store(true);
  for (auto& s : slots_)
    while (s.busy.load())
      std::this_thread::yield();
  int rc = mdb_env_set_mapsize(env_, bytes);
  MDB_envinfo info;
  if (rc == 0) rc = mdb_env_info(env_, &info);
  if (rc == 0) map_size_.store(info.me_mapsize);
  epoch_.fetch_add(1);
  remapping_.store(false);
  remapping_.notify_all();
  check(rc, url_, bytes ? "grow map" : "adopt map size");
}

bool shared_env::grow(uint64_t seen_epoch) {
  {
    std::lock_guard<std::mutex> guard(remap_mutex_);
    if (epoch_.load() != seen_epoch) return true;
    if (map_size_.load() >= size_limit_) return false;
  }
  uint64_t target = std::min(size_limit_, map_size_.load() * 2);
  remap(target, seen_epoch);
  return true;
}

uint64_t shared_env::free_pages() {
  auto txn = begin_read(); // holding it, no remap can change the map size under us
  MDB_envinfo info;
  check(mdb_env_info(env_, &info), url_, "info");
  uint64_t max_pages = info.me_mapsize / page_size_;
  uint64_t used = info.me_last_pgno + 1;
  uint64_t free = max_pages > used ? max_pages - used : 0;
  // The free list (LMDB's database 0): each record is a page-number list led by its length.
  MDB_cursor* c;
  check(mdb_cursor_open(txn.get(), 0, &c), url_, "read free list");
  MDB_val k, v;
  int rc;
  while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
    size_t n = 0;
    if (v.mv_size >= sizeof n) std::memcpy(&n, v.mv_data, sizeof n);
    free += n;
  }
  mdb_cursor_close(c);
  if (rc != MDB_NOTFOUND) fail(url_, "read free list", rc);
  return free;
}

// -- transactions -----------------------------------------------------------------------------

shared_env::read_txn::~read_txn() {
  if (slot_) {
    mdb_txn_reset(slot_->txn);
    owner_->release(slot_);
  }
}

shared_env::read_txn shared_env::begin_read() {
  for (;;) {
    uint64_t epoch = epoch_.load();
    slot* s = claim();
    int rc;
    if (s->txn) {
      rc = mdb_txn_renew(s->txn);
    } else {
      MDB_txn* txn = nullptr;
      rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
      if (rc == 0) s->txn = txn;
    }
    if (rc == 0) return read_txn(this, s);
    release(s);
    if (rc == MDB_MAP_RESIZED) { // another process grew the map past ours
      remap(0, epoch);
      continue;
    }
    fail(url_, "begin read", rc);
  }
}

shared_env::write_txn shared_env::begin_write() {
  for (;;) {
    uint64_t epoch = epoch_.load();
    slot* s = claim();
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) return write_txn(this, s, txn, epoch);
    release(s);
    if (rc == MDB_MAP_RESIZED) {
      remap(0, epoch);
      continue;
    }
    fail(url_, "begin write", rc);
  }
}

int shared_env::write_txn::commit() {
  int rc = mdb_txn_commit(txn_); // ends the transaction whatever it returns
  txn_ = nullptr;
  abort();
  return rc;
}

void shared_env::write_txn::abort() {
  if (txn_) {
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  if (slot_) {
    owner_->release(slot_);
    slot_ = nullptr;
  }
}

} // namespace ahvn::lmdb_detail
