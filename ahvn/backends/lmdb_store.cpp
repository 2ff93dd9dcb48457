#include "ahvn/backends/lmdb_store.hpp"

#include "ahvn/backends/lmdb_env.hpp"
#include "ahvn/backends/lmdb_records.hpp"
#include "ahvn/messages/log.hpp"
#include "ahvn/messages/ttl.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace ahvn {

using namespace lmdb_detail;

namespace {

constexpr uint64_t min_size_limit = 256 << 10;

class lmdb_reader final : public concurrent_reader {
public:
  lmdb_reader(std::shared_ptr<shared_env> env, std::shared_ptr<std::atomic<uint64_t>> errors)
      : env_(std::move(env)), errors_(std::move(errors)) {}

protected:
  // The hot path of memoize on disk_cache: one pooled read transaction, the header checked in
  // place, only the hit value decoded, straight from the map.
  bool read_value_impl(const key& k, time_point now, void* ctx, visit_fn fn) override {
    json value;
    {
      auto txn = env_->begin_read();
      MDB_val v;
      if (!find(*env_, txn.get(), k, v)) return false;
      encoded_view view;
      if (!view_value(v, view)) {
        report_unreadable(env_->url(), k,
                          "stored value of " + std::to_string(v.mv_size) +
                              " bytes is not an encoded entry",
                          *errors_);
        return false;
      }
      if (view.value.empty() || expired_at(view, unix_ms(now))) return false;
      try {
        value = decode_msgpack(view.value, "stored value");
      } catch (const cache_error& e) {
        report_unreadable(env_->url(), k, e.message(), *errors_);
        return false;
      }
    } // the transaction ends before the visitor runs: it may take its time
    fn(ctx, value);
    return true;
  }

public:
  entry_ptr read_entry(const key& k, time_point now) override {
    std::optional<cache_entry> e;
    {
      auto txn = env_->begin_read();
      e = load(*env_, txn.get(), k, *errors_);
    }
    if (!e || expired(*e, now)) return nullptr;
    return std::make_shared<cache_entry>(std::move(*e));
  }

private:
  std::shared_ptr<shared_env> env_;
  std::shared_ptr<std::atomic<uint64_t>> errors_;
};

} // namespace

// -- lifetime ---------------------------------------------------------------------------------

lmdb_store::lmdb_store(std::string path, lmdb_options options)
    : url_("lmdb:" + path), errors_(std::make_shared<std::atomic<uint64_t>>(0)) {
  if (path.empty()) throw cache_error(errc::invalid_argument, url_ + ": the path is empty");
  if (options.size_limit < min_size_limit)
    throw cache_error(errc::invalid_argument,
                      url_ + ": size_limit " + std::to_string(options.size_limit) +
                          " is below the minimum of " + std::to_string(min_size_limit) + " bytes");
  lmdb_detail::env_config config{
      options.size_limit,
      std::clamp<uint64_t>(options.initial_map_size, min_size_limit, options.size_limit),
      options.durable};
  env_ = shared_env::open(path, url_, config);
}

lmdb_store::~lmdb_store() = default;

std::string lmdb_store::url() const {
  return url_;
}

std::shared_ptr<concurrent_reader> lmdb_store::reader() {
  return std::make_shared<lmdb_reader>(env_, errors_);
}

// -- reads ------------------------------------------------------------------------------------

entry_ptr lmdb_store::get(const key& k) {
  auto txn = env_->begin_read();
  auto e = load(*env_, txn.get(), k, *errors_);
  return e ? std::make_shared<const cache_entry>(std::move(*e)) : nullptr;
}

std::vector<entry_ptr> lmdb_store::get_many(std::span<const key> ks) {
  std::vector<entry_ptr> out;
  out.reserve(ks.size());
  auto txn = env_->begin_read();
  for (const auto& k : ks) {
    auto e = load(*env_, txn.get(), k, *errors_);
    out.push_back(e ? std::make_shared<const cache_entry>(std::move(*e)) : nullptr);
  }
  return out;
}

bool lmdb_store::contains(const key& k) {
  return get(k) != nullptr;
}

uint64_t lmdb_store::size() {
  auto txn = env_->begin_read();
  MDB_stat st;
  check(mdb_stat(txn.get(), env_->entries(), &st), env_->url(), "stat");
  return st.ms_entries;
}

scan_page lmdb_store::scan(const scan_request& req) {
  scan_page page;
  auto txn = env_->begin_read();
  MDB_cursor* c;
  check(mdb_cursor_open(txn.get(), env_->entries(), &c), env_->url(), "scan");
  std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> close(c, mdb_cursor_close);
  MDB_val k, v;
  int rc = position(c, req.after, k, v);
  uint32_t examined = 0;
  for (; rc == 0 && page.entries.size() < req.limit && examined < 16 * req.limit + 16;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), ++examined) {
    if (k.mv_size != 16) continue; // not one of ours
    page.last = key_of(k);
    if (!req.func.empty()) {
      auto f = peek_func(v);
      if (f && *f != req.func) continue;
    }
    auto e = decode_value(v, page.last, env_->url(), *errors_);
    if (e && (req.func.empty() || e->func == req.func))
      page.entries.push_back({page.last, std::make_shared<const cache_entry>(std::move(*e))});
  }
  if (rc != 0 && rc != MDB_NOTFOUND) fail(env_->url(), "scan", rc);
  page.more = rc == 0;
  return page;
}

store_counters lmdb_store::counters() {
  store_counters c;
  auto txn = env_->begin_read();
  MDB_stat entries, order;
  check(mdb_stat(txn.get(), env_->entries(), &entries), env_->url(), "stat");
  check(mdb_stat(txn.get(), env_->order(), &order), env_->url(), "stat");
  c.entries = entries.ms_entries;
  auto pages = [](const MDB_stat& s) {
    return uint64_t{s.ms_branch_pages} + s.ms_leaf_pages + s.ms_overflow_pages;
  };
  c.bytes = (pages(entries) + pages(order)) * env_->page_size();
  c.evictions = evictions_;
  c.expirations = expirations_;
  c.errors = errors_->load(std::memory_order_relaxed);
  return c;
}

// -- writes -----------------------------------------------------------------------------------

template <class Apply>
void lmdb_store::run_write(const char* operation, uint64_t need, Apply&& apply) {
  // A write that finds the map full grows it (doubling up to size_limit); at the limit it evicts
  // the oldest entries in their own transaction, asking for more each round, and retries.
  uint64_t base = std::max(2 * need, std::min<uint64_t>(env_->size_limit() / 16, 64ull << 20));
  unsigned rounds = 0;
  for (unsigned attempt = 0;; ++attempt) {
    auto txn = env_->begin_write();
    int rc = apply(txn.get());
    if (rc == 0) rc = txn.commit();
    if (rc == 0) return;
    if (rc != MDB_MAP_FULL) fail(env_->url(), operation, rc);
    uint64_t epoch = txn.epoch();
    txn.abort();
    if (attempt >= 256) fail(env_->url(), operation, rc, "still full after evicting");
    if (env_->grow(epoch)) continue;
    uint64_t target = std::min(env_->size_limit(), base << std::min(rounds++, 30u));
    if (evict_oldest(target) == 0)
      fail(env_->url(), operation, rc,
           std::to_string(need) + " bytes do not fit within size_limit " +
               std::to_string(env_->size_limit()) + " with every other entry evicted");
  }
}

uint64_t lmdb_store::evict_oldest(uint64_t target_bytes) {
  uint64_t batch = UINT64_MAX; // order records per transaction; halved when even deleting fails
  uint64_t freed = 0, removed = 0, evicted = 0;
  while (freed < target_bytes) {
    auto txn = env_->begin_write();
    MDB_cursor* c;
    check(mdb_cursor_open(txn.get(), env_->order(), &c), env_->url(), "evict");
    uint64_t txn_freed = 0, records = 0, txn_evicted = 0;
    int rc = 0;
    MDB_val sk, sv;
    while (freed + txn_freed < target_bytes && records < batch &&
           (rc = mdb_cursor_get(c, &sk, &sv, MDB_FIRST)) == 0) {
      if (sk.mv_size != 8 || sv.mv_size != 16) {
        rc = MDB_CORRUPTED;
        break;
      }
      uint64_t seq = read_be64(static_cast<const unsigned char*>(sk.mv_data));
      std::array<unsigned char, 16> kb;
      std::memcpy(kb.data(), sv.mv_data, kb.size());
      if ((rc = mdb_cursor_del(c, 0)) != 0) break;
      ++records;
      txn_freed += 8 + 16 + 16;
      MDB_val kv{kb.size(), kb.data()}, v;
      rc = mdb_get(txn.get(), env_->entries(), &kv, &v);
      if (rc == MDB_NOTFOUND || (rc == 0 && stored_seq(v) != seq)) {
        rc = 0; // a stale order record (its entry was removed or rewritten)
        continue;
      }
      if (rc != 0) break;
      txn_freed += v.mv_size + per_entry_overhead;
      if ((rc = mdb_del(txn.get(), env_->entries(), &kv, nullptr)) != 0) break;
      ++txn_evicted;
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND) rc = 0;     // the order database ran out
    if (rc == 0 && records == 0) break; // nothing left to evict
    if (rc == 0) rc = txn.commit();
    if (rc == MDB_MAP_FULL) {
      // Deleting needs fresh pages too (LMDB copies on write): try a smaller batch.
      if (records <= 1) fail(env_->url(), "evict", rc, "no room left even to delete one entry");
      batch = records / 2;
      continue;
    }
    if (rc != 0) fail(env_->url(), "evict", rc);
    freed += txn_freed;
    removed += records;
    evicted += txn_evicted;
  }
  evictions_ += evicted;
  if (removed > 0) release_freed_pages();
  if (removed > 0)
    log::debug(env_->url() + ": evicted the " + std::to_string(evicted) + " oldest entries (" +
               std::to_string(freed) + " bytes) to stay within size_limit");
  return removed;
}

void lmdb_store::release_freed_pages() {
  // LMDB reuses the pages a transaction freed only once a later transaction has committed.
  // Commit a transaction that writes and deletes a dummy order record, so that the pages the
  // eviction freed serve the very next write. If even that finds no room, the next write's
  // retry evicts more and its commit does the same job.
  auto txn = env_->begin_write();
  unsigned char zero[16] = {};
  MDB_val k{8, zero}, v{16, zero};
  int rc = mdb_put(txn.get(), env_->order(), &k, &v, 0);
  if (rc == 0) rc = mdb_del(txn.get(), env_->order(), &k, nullptr);
  if (rc == 0) rc = txn.commit();
  if (rc != 0 && rc != MDB_MAP_FULL) fail(env_->url(), "evict", rc);
}

void lmdb_store::keep_room(uint64_t written) {
  // Only at size_limit (below it, a full map grows). Measuring the free list costs a scan, so it
  // is measured again only after a quarter of the spare room may have been written.
  if (env_->map_size() < env_->size_limit()) return;
  uint64_t psize = env_->page_size();
  uint64_t cost = written + 2 * psize;
  if (unchecked_bytes_ > cost) {
    unchecked_bytes_ -= cost;
    return;
  }
  uint64_t reserve =
      std::clamp<uint64_t>(env_->size_limit() / 16,
                           std::min<uint64_t>(32 * psize, env_->size_limit() / 4), 256ull << 20) /
      psize;
  uint64_t avail = env_->free_pages();
  if (avail < reserve) {
    evict_oldest((2 * reserve - avail) * psize);
    avail = env_->free_pages();
  }
  unchecked_bytes_ = avail > reserve ? (avail - reserve) * psize / 4 : 0;
}

void lmdb_store::write_encoded(std::span<const keyed_entry> entries, const char* operation) {
  if (entries.empty()) return;
  std::vector<std::string> encoded;
  encoded.reserve(entries.size());
  for (const auto& e : entries) {
    if (!e.entry)
      throw cache_error(errc::invalid_argument,
                        url_ + ": " + operation + ": no entry for key " + e.k.to_string());
    encoded.push_back(encode_entry(*e.entry));
    uint64_t size = encoded.back().size() + per_entry_overhead;
    if (size > env_->size_limit() / 2)
      throw cache_error(errc::invalid_argument,
                        url_ + ": " + operation + ": the entry under key " + e.k.to_string() +
                            " is " + std::to_string(size) +
                            " bytes, more than half of size_limit (" +
                            std::to_string(env_->size_limit()) + " bytes); nothing was written");
  }
  // One transaction for the batch; a batch too large for one (past a quarter of the limit) is
  // written in several, each all-or-nothing, in order.
  const uint64_t max_txn = std::max<uint64_t>(env_->size_limit() / 4, 1);
  size_t first = 0;
  while (first < entries.size()) {
    size_t last = first;
    uint64_t total = 0;
    while (last < entries.size() &&
           (last == first || total + encoded[last].size() + per_entry_overhead <= max_txn)) {
      total += encoded[last].size() + per_entry_overhead;
      ++last;
    }
    run_write(operation, total, [&](MDB_txn* txn) {
      uint64_t seq;
      int rc = next_seq(txn, env_->order(), seq);
      for (size_t i = first; rc == 0 && i < last; ++i)
        rc = put_record(*env_, txn, entries[i].k, encoded[i], seq++);
      return rc;
    });
    try {
      keep_room(total);
    } catch (const cache_error& e) {
      // The write itself is committed: report, and let the next write try again.
      log::warning(e.what());
    }
    first = last;
  }
}

void lmdb_store::put(const key& k, entry_ptr e) {
  keyed_entry one{k, std::move(e)};
  write_encoded({&one, 1}, "put");
}

void lmdb_store::put_many(std::span<const keyed_entry> entries) {
  write_encoded(entries, "put_many");
}

bool lmdb_store::remove(const key& k) {
  bool found = false;
  run_write("remove", 0, [&](MDB_txn* txn) {
    found = false;
    auto kb = k.bytes();
    MDB_val kv{kb.size(), kb.data()}, v;
    int rc = mdb_get(txn, env_->entries(), &kv, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc == 0) rc = drop_order_record(txn, env_->order(), v);
    if (rc == 0) rc = mdb_del(txn, env_->entries(), &kv, nullptr);
    found = rc == 0;
    return rc;
  });
  return found;
}

uint64_t lmdb_store::clear() {
  uint64_t n = 0;
  run_write("clear", 0, [&](MDB_txn* txn) {
    MDB_stat st;
    int rc = mdb_stat(txn, env_->entries(), &st);
    if (rc == 0) {
      n = st.ms_entries;
      rc = mdb_drop(txn, env_->entries(), 0);
    }
    if (rc == 0) rc = mdb_drop(txn, env_->order(), 0);
    return rc;
  });
  return n;
}

uint64_t lmdb_store::sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit) {
  // Find expired entries from their headers in a read transaction; take the write lock only
  // when there is something to remove.
  int64_t now_ms = unix_ms(now);
  std::vector<key> victims;
  std::optional<key> next;
  {
    auto txn = env_->begin_read();
    MDB_cursor* c;
    check(mdb_cursor_open(txn.get(), env_->entries(), &c), env_->url(), "sweep");
    std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> close(c, mdb_cursor_close);
    MDB_val k, v;
    int rc = position(c, cursor, k, v);
    for (uint32_t examined = 0; rc == 0 && examined < limit;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), ++examined) {
      if (k.mv_size != 16) continue;
      next = key_of(k);
      encoded_view view;
      if (view_value(v, view) && expired_at(view, now_ms)) victims.push_back(*next);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) fail(env_->url(), "sweep", rc);
    if (rc == MDB_NOTFOUND) next.reset(); // wrapped around
  }
  uint64_t removed = 0;
  if (!victims.empty()) {
    run_write("sweep", 0, [&](MDB_txn* txn) {
      removed = 0;
      for (const auto& victim : victims) {
        auto kb = victim.bytes();
        MDB_val kv{kb.size(), kb.data()}, v;
        int rc = mdb_get(txn, env_->entries(), &kv, &v);
        if (rc == MDB_NOTFOUND) continue;
        encoded_view view;
        if (rc == 0 && !(view_value(v, view) && expired_at(view, now_ms)))
          continue; // rewritten meanwhile
        if (rc == 0) rc = drop_order_record(txn, env_->order(), v);
        if (rc == 0) rc = mdb_del(txn, env_->entries(), &kv, nullptr);
        if (rc != 0) return rc;
        ++removed;
      }
      return 0;
    });
  }
  expirations_ += removed;
  cursor = next;
  return removed;
}

void lmdb_store::flush() {
  if (!env_->durable()) check(mdb_env_sync(env_->env(), 1), env_->url(), "sync");
}

} // namespace ahvn
