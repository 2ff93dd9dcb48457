#pragma once

// client: the caller's side of one cache — what every cache handle and memoized function made
// from it shares: the actor system, the cache actor, the store's caller-thread reader, the local
// flights with their agent, the options and the caller-side counters. It provides the steps of
// the one miss path (actors/client/miss_path.hpp) and the blocking requests of the manual
// operations. Internal: users hold `cache` handles (actors/caches/cache.hpp).
//
// Read-your-writes: a memoized write that nobody waits for passes through the flight agent, and
// its value stays pending in the local flights until the cache actor acknowledged it: memoized
// calls find it there. Every manual operation first waits for the writes handed to the agent
// (barrier(), nothing to wait for in the common case), so it sees them and their effects
// (evictions included).
//
// Concurrency: every member may be called from any plain thread at once. The blocking requests
// block the calling thread until the actor answers or the request timeout passes: they must not
// be called from inside an actor's handler (use the actor-side memoize forms there).

#include "ahvn/actors/client/flight_agent.hpp"
#include "ahvn/actors/client/local_flights.hpp"
#include "ahvn/actors/system.hpp"
#include "ahvn/backends/store.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/protocol.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>

namespace ahvn {

/// Options every cache takes. Every member has a default.
struct cache_options {
  /// Input names left out of every key this cache computes (the seed's cache-level exclude).
  std::vector<std::string> exclude = {};
  /// How long a plain thread waits for the cache actor before the request fails.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  /// Single flight: how long a caller may compute a missed key before the next caller waiting
  /// for the same key takes over (unless the computing caller is an actor that goes down, which
  /// passes the lease on at once). Waiters wait at most this long plus request_timeout.
  std::chrono::milliseconds lease = std::chrono::seconds(60);
  /// How often expired entries are swept away (their TTL passed); zero: never (they still miss).
  std::chrono::milliseconds sweep_interval = std::chrono::seconds(60);
  /// Where the cache reads the time (TTL); null: the system clock. Tests pass a manual_clock.
  std::shared_ptr<clock> time_source = nullptr;
};

namespace detail {

/// How the caller side of a cache behaves, decided when the cache is built from its store's
/// traits and from what stands in front of the store.
struct client_traits {
  /// A caller-thread miss asks the cache actor before computing: there is no caller-thread
  /// reader, or feeds may answer (callback_cache, observers), or the owner is remote.
  bool fetch_on_miss = false;
  /// Callers that miss the same key at once share one computation.
  bool coalesce = true;
  /// Memoize sends its results to the cache actor (false: no_cache).
  bool writes = true;
  /// The store keeps what it is sent: a result stays pending (served to this process's readers)
  /// until its write is acknowledged. False for stores that keep nothing (no_cache,
  /// callback_cache, an observer of either): their callers always compute.
  bool keeps = true;
  /// A memoized miss on a plain thread returns once its result is written (durable stores).
  bool wait_for_writes = false;
};

/// The traits of a client in front of a store with `traits` and, if `has_reader`, a reader.
client_traits traits_for(const store_traits& traits, bool has_reader);

class client {
public:
  /// A client of `actor` on `sys`. `flights` and `agent` are shared with another client in front
  /// of the same store (an observer), or null to make new ones. `reader` may be null.
  client(system_handle sys, cache_actor actor, std::shared_ptr<concurrent_reader> reader,
         client_traits traits, cache_options opts, std::string name,
         std::shared_ptr<agent_shared> shared = nullptr, flight_agent agent = {});
  /// Tells the cache actor (and an agent of its own) to quit; writes still waiting commit first.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  caf::actor_system& system() const { return sys_.get(); }
  const system_handle& system_ref() const { return sys_; }
  const cache_actor& actor() const { return actor_; }
  const cache_options& options() const { return opts_; }
  const client_traits& traits() const { return traits_; }
  const std::string& name() const { return name_; }
  const std::shared_ptr<concurrent_reader>& reader() const { return reader_; }
  local_flights& flights() const { return *shared_->flights; }
  const std::shared_ptr<agent_shared>& agent_state() const { return shared_; }
  const flight_agent& agent() const { return agent_; }
  /// The time now, from the cache's clock.
  time_point now() const { return time_->now(); }

  // -- the miss path's steps (never throw for cache failures: they log and count) -------------

  using value_visitor = std::function<void(const json&)>;
  enum class read_result { miss, hit, unusable };

  /// The caller-thread read: the pending value, else the store's reader. Calls `visit(value)` on
  /// a hit. `unusable`: a value was there but `visit` threw (logged, counted) — compute.
  read_result read_here(const key& k, const value_visitor& visit) noexcept;

  /// What a blocking fetch brought.
  struct fetched {
    entry_ptr entry;           ///< a hit (from the store, a feed, or another process's result)
    uint64_t lease = 0;        ///< nonzero: this process computes under this lease
    std::exception_ptr failed; ///< the computation this fetch waited for failed: rethrow
  };
  /// Asks the cache actor for `k` (single flight among every caller that reaches it), waiting up
  /// to lease + request_timeout. A cache failure is logged and counted and reads as a miss.
  fetched fetch(const key& k, std::string_view func, const json& inputs, bool coalesce) noexcept;

  /// A fetch request naming this process (its flight agent) as the lease holder.
  fetch_request fetch_request_for(const key& k, std::string_view func, const json& inputs,
                                  bool coalesce) const;

  /// Stores a computed entry under `lease` (0: a plain set). `f`'s value stays pending until the
  /// write is acknowledged. With `wait`, blocks until then (a plain thread on a durable store);
  /// else the agent writes it. Failures are logged and counted.
  void write(keyed_entry e, uint64_t lease, const local_flights::flight_ptr& f, bool wait) noexcept;

  /// Gives up `lease` at the cache actor (not waiting): with `error` its waiters fail, without it
  /// (retry) the next one computes. Does nothing for lease 0.
  void abandon(const key& k, uint64_t lease, std::exception_ptr error) noexcept;

  /// Looks `ks` up with one get_many through the actor and calls visit(i, value) for each live
  /// value; failures are logged and counted (all misses), unusable values counted and missed.
  void read_many(const std::vector<key>& ks,
                 const std::function<void(size_t, const json&)>& visit) noexcept;

  /// Stores `es` with one set_many and waits until they are stored; failures logged, counted.
  void write_many(std::vector<keyed_entry> es) noexcept;

  /// Counts what the caller side decided without the actor.
  void count_hit() noexcept { hits_.fetch_add(1, std::memory_order_relaxed); }
  void count_miss() noexcept { misses_.fetch_add(1, std::memory_order_relaxed); }
  void count_coalesced() noexcept { coalesced_.fetch_add(1, std::memory_order_relaxed); }
  void count_set() noexcept { sets_.fetch_add(1, std::memory_order_relaxed); }
  /// Logs and counts a failure of the caller side (a stored value that does not convert, ...).
  void count_error(std::string_view what) noexcept;

  // -- manual operations (blocking; throw cache_error) ------------------------------------------

  /// Waits until the memoized writes handed to the agent were acknowledged (at once if none).
  void barrier();

  /// The entry under `k`: pending, caller-thread reader, then the actor; with `func` (not
  /// empty), a miss asks the feeds (a fetch that joins and starts no computation).
  entry_ptr find(const key& k, std::string_view func = {}, const json& inputs = nullptr);
  bool has(const key& k);
  std::vector<lookup> get_many(const std::vector<key>& ks);
  void put(keyed_entry e);
  void put_many(std::vector<keyed_entry> es);
  bool remove(const key& k);
  uint64_t clear();
  uint64_t size();
  scan_page scan(const scan_request& req);
  cache_stats stats();
  void flush();
  keyed_entry annotate(annotate_request req);
  std::vector<keyed_entry> pop(uint64_t max);
  uint64_t remove_if(entry_filter filter);
  protocol_info version();

private:
  template <class R, class... Ts>
  R request(std::chrono::milliseconds timeout, Ts&&... xs);

  system_handle sys_;
  cache_actor actor_;
  std::shared_ptr<concurrent_reader> reader_;
  client_traits traits_;
  cache_options opts_;
  std::string name_;
  std::shared_ptr<clock> time_;
  std::shared_ptr<agent_shared> shared_;
  flight_agent agent_;
  bool owns_agent_ = false;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> coalesced_{0};
  std::atomic<uint64_t> sets_{0};
  std::atomic<uint64_t> errors_{0};
};

} // namespace detail
} // namespace ahvn
