#pragma once

// cache_core: what every cache handle and memoized function shares — the actor system, the
// backend actor, the optional concurrent reader, and the requests a plain thread makes.
// Internal: users hold `cache` handles (actors/cache.hpp).
//
// Concurrency: all member functions may be called from any plain thread at the same time. They
// block the calling thread until the actor answers (or the request timeout passes), so they
// must not be called from inside an actor (use the actor-side memoize forms there).

#include "ahvn/backends/store.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/protocol.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>

namespace ahvn {

class system_handle;

/// Options every cache takes. Every member has a default.
struct cache_options {
  /// Input names left out of every key this cache computes (the seed's cache-level exclude).
  std::vector<std::string> exclude = {};
  /// How long a plain thread waits for the cache actor before the request fails.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  /// Single flight: how long a caller may compute a missed key before the next caller waiting
  /// for the same key takes over (when the computing caller is a plain thread, which cannot be
  /// watched). Waiters wait at most this long plus request_timeout.
  std::chrono::milliseconds lease = std::chrono::seconds(60);
  /// How often expired entries are swept away (their TTL passed); zero: never (they still miss).
  std::chrono::milliseconds sweep_interval = std::chrono::seconds(60);
  /// Where the cache reads the time (TTL); null: the system clock. Tests pass a manual_clock.
  std::shared_ptr<clock> time_source = nullptr;
};

namespace detail {

class cache_core {
public:
  /// Takes over `sys` (owning or not) and the spawned `backend`; `reader` may be null.
  cache_core(std::unique_ptr<system_handle> sys, cache_actor backend,
             std::shared_ptr<concurrent_reader> reader, cache_options opts);
  /// Tells the backend actor to quit (it commits pending writes first); an owned actor system
  /// then waits for it.
  ~cache_core();
  cache_core(const cache_core&) = delete;
  cache_core& operator=(const cache_core&) = delete;

  caf::actor_system& system() const;
  const cache_actor& actor() const { return actor_; }
  const cache_options& options() const { return opts_; }
  /// The store's concurrent reader (the hit path on the calling thread), or null.
  const std::shared_ptr<concurrent_reader>& reader() const { return reader_; }

  // -- requests (throw cache_error when the actor answers with an error or not at all) --------

  lookup get(const key& k);
  /// The entry of `func` with `inputs` under `k`, asking feeds (callback_cache, observers) on a
  /// miss: a fetch that joins no computation and starts none.
  lookup lookup_call(const key& k, std::string_view func, const json& inputs);
  std::vector<lookup> get_many(const std::vector<key>& ks);
  void put(keyed_entry e);
  void put_many(std::vector<keyed_entry> es);
  bool remove(const key& k);
  uint64_t clear();
  uint64_t size();
  bool has(const key& k);
  scan_page scan(const scan_request& req);
  cache_stats stats();
  void flush();

  // -- the memoize path: never throws for cache failures --------------------------------------

  using value_visitor = std::function<void(const json&)>;

  /// What the hit path on the calling thread found.
  enum class fast_read { miss, hit, unusable };

  /// The hit path on the calling thread: calls `visit(value)` if the store's concurrent reader
  /// has a live value under `k` (hit). `unusable`: the value was there but `visit` threw (logged,
  /// counted) — compute. `miss`: no reader, nothing there, or the reader failed (logged,
  /// counted) — ask the actor.
  fast_read read_fast(const key& k, const value_visitor& visit) noexcept;

  /// The miss path through the actor (single flight). On a hit, calls `visit(value)` and returns
  /// 0. Otherwise returns a lease: the caller computes, then calls complete() or abandon().
  /// When another caller was computing the same key, this waits for its result (a hit), or
  /// rethrows the exception its function threw, or gets the lease if that caller vanished.
  /// If the cache itself fails, returns no_lease (compute; the failure is logged and counted).
  uint64_t fetch(const key& k, std::string_view func, const json& inputs,
                 const value_visitor& visit, bool coalesce = true);
  static constexpr uint64_t no_lease = ~uint64_t{0};

  /// Stores the computed entry (completing `lease`) and waits until it is stored, so this
  /// thread's next call hits. Failures are logged and counted.
  void complete(keyed_entry e, uint64_t lease) noexcept;

  /// Looks up `ks` with one get_many through the actor and calls visit(i, value) for each key
  /// that holds a live value. A failure is logged and counted (all misses); a value `visit`
  /// rejects by throwing is counted and treated as a miss.
  void read_many(const std::vector<key>& ks,
                 const std::function<void(size_t, const json&)>& visit) noexcept;

  /// Stores `es` with one set_many and waits until they are stored; failures logged, counted.
  void write_many(std::vector<keyed_entry> es) noexcept;

  /// Like complete(), without waiting: for actors, whose later requests to the cache actor are
  /// ordered after this message anyway. Failures are logged and counted by the cache actor.
  void complete_async(keyed_entry e, uint64_t lease) noexcept;

  /// Gives up `lease`: its waiters get `error` (the function's exception); nothing is stored.
  void abandon(const key& k, uint64_t lease, std::exception_ptr error) noexcept;

  /// Stores `e` under `k` and waits for the acknowledgement; a failure is logged and counted.
  void write(keyed_entry e) noexcept { complete(std::move(e), 0); }

  /// The time now, from the cache's clock.
  time_point now() const { return time_->now(); }

  /// Records a failure of the memoize layer (a stored value that does not convert, ...).
  void count_error(std::string_view what) noexcept;

  /// For a backend that stores nothing and has nobody in front of it (no_cache): the memoize
  /// path skips the actor — fetch() is a miss, complete() stores nothing — and counts those
  /// misses and sets here for stats(). Call before the core is shared.
  void bypass_actor_on_memoize() { bypass_ = true; }

private:
  template <class R, class... Ts>
  R request(std::chrono::milliseconds timeout, Ts&&... xs);

  std::unique_ptr<system_handle> sys_;
  cache_actor actor_;
  std::shared_ptr<concurrent_reader> reader_;
  cache_options opts_;
  std::shared_ptr<clock> time_;
  std::atomic<uint64_t> reader_hits_{0};
  std::atomic<uint64_t> errors_{0};
  bool bypass_ = false;
  std::atomic<uint64_t> bypass_misses_{0};
  std::atomic<uint64_t> bypass_sets_{0};
};

} // namespace detail
} // namespace ahvn
