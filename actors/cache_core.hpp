#pragma once

// cache_core: what every cache handle and memoized function shares — the actor system, the
// backend actor, the optional concurrent reader, and the requests a plain thread makes.
// Internal: users hold `cache` handles (actors/cache.hpp).
//
// Concurrency: all member functions may be called from any plain thread at the same time. They
// block the calling thread until the actor answers (or the request timeout passes), so they
// must not be called from inside an actor (use the actor-side memoize forms there).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>

#include "backends/store.hpp"
#include "messages/protocol.hpp"

namespace ahvn {

class system_handle;

/// Options every cache takes. Every member has a default.
struct cache_options {
  /// Input names left out of every key this cache computes (the seed's cache-level exclude).
  std::vector<std::string> exclude = {};
  /// How long a plain thread waits for the cache actor before the request fails.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
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

  // -- requests (throw cache_error when the actor answers with an error or not at all) --------

  lookup get(const key& k);
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

  /// Calls `visit(entry)` with the entry under `k` and returns true, or returns false on a miss.
  /// Uses the concurrent reader when there is one (no thread hand-off), else asks the actor.
  /// A cache failure is logged, counted, and reported as a miss.
  bool read(const key& k, const std::function<void(const cache_entry&)>& visit);

  /// Stores `e` under `k` and waits for the acknowledgement; a failure is logged and counted.
  void write(keyed_entry e) noexcept;

  /// Records a failure of the memoize layer (a stored value that does not convert, ...).
  void count_error(std::string_view what) noexcept;

private:
  template <class R, class... Ts>
  R request(Ts&&... xs);

  std::unique_ptr<system_handle> sys_;
  cache_actor actor_;
  std::shared_ptr<concurrent_reader> reader_;
  cache_options opts_;
  std::atomic<uint64_t> reader_hits_{0};
  std::atomic<uint64_t> errors_{0};
};

} // namespace detail
} // namespace ahvn
