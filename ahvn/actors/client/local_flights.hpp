#pragma once

// local_flights: how the callers of one process that miss the same key share one computation
// before anyone asks the cache actor (groupcache's singleflight, with leases). The first caller
// to miss a key leads a flight and computes; the others wait for it — plain threads block on the
// flight, actors are woken through the flight agent (actors/client/flight_agent.hpp). A flight
// that failed hands its exception to every waiter; one whose leader gave up (released), or whose
// lease ran out, lets the next caller lead.
//
// A finished flight stays in the table as a *pending* value until its write was acknowledged by
// the cache actor (forget): memoize does not wait for the write of an in-memory cache, so a
// thread's next call — fibonacci's recursion — finds the value here before the store shows it.
// Reads consult the pending values first (read-your-writes).
//
// Concurrency: every function may be called from any thread at once (16 shards, one mutex each).
// A flight's waiters block on the flight's own condition variable.

#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/types.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ahvn::detail {

class local_flights {
public:
  using steady = std::chrono::steady_clock;

  enum class state : uint8_t {
    running,  ///< the leader computes
    done,     ///< it finished: entry() holds the value
    failed,   ///< its function threw: error() holds the exception
    released, ///< it gave up or was superseded: enter again
  };

  /// One computation of one key. Read its outcome after wait() or an on_settle() callback.
  class flight {
  public:
    const key& k() const { return k_; }
    state status() const;
    entry_ptr entry() const;
    std::exception_ptr error() const;

  private:
    friend class local_flights;
    key k_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    state state_ = state::running;
    entry_ptr entry_;
    std::exception_ptr error_;
    steady::time_point deadline_;
    bool replaces_ = false;
    std::vector<std::function<void()>> listeners_;
    std::function<void()> give_up_;
  };
  using flight_ptr = std::shared_ptr<flight>;

  /// What a caller that missed a key found.
  struct entered {
    enum kind_t { lead, wait, pending } kind;
    flight_ptr f;    ///< lead: the caller's new flight; wait: the flight to wait for
    entry_ptr entry; ///< pending: a finished value whose write is not acknowledged yet
  };

  /// A caller missed `k`: it finds a pending value (live at `unix_now`), joins the running flight,
  /// or leads a new one that must finish before `now + lease` (after that a caller that enters
  /// takes over). With `coalesce` false the caller leads a flight of its own that nobody joins or
  /// sees.
  entered enter(const key& k, steady::time_point now, std::chrono::milliseconds lease,
                bool coalesce, time_point unix_now);

  /// The pending value under `k` whose entry is live at `unix_now` (messages/ttl.hpp), or
  /// nullptr; with `replacing_only`, only one that replaces a value the store still shows (see
  /// finish). Cheap when the table is empty (one atomic load).
  entry_ptr pending(const key& k, time_point unix_now, bool replacing_only = false) const;

  // -- the leader's side ---------------------------------------------------------------------

  /// The value: waiters get it. With `keep`, it stays (or, for a flight nobody could join,
  /// becomes) the pending value of its key until forget() — unless another flight of the key is
  /// running. `replaces`: the store still shows another value of the key (one that did not
  /// convert), so readers must see this one first; other pending values only fill the gap until
  /// the store shows them (readers ask the store first, so its LRU order sees their hits).
  void finish(const flight_ptr& f, entry_ptr e, bool keep, bool replaces = false);
  /// The function threw: waiters rethrow `error`; the flight ends.
  void fail(const flight_ptr& f, std::exception_ptr error);
  /// The leader gave up: waiters enter again (one of them leads); the flight ends.
  void release(const flight_ptr& f);
  /// `give_up` gives up what the leader holds beyond this process (its lease at the cache
  /// actor); gone_down() runs it. Set by the leader once it holds such a lease.
  void on_gone_down(const flight_ptr& f, std::function<void()> give_up);
  /// The leader went down (an actor that quit): release() and, if still running, its give_up.
  void gone_down(const flight_ptr& f);
  /// The flight's write was acknowledged (or failed): its pending value goes.
  void forget(const flight_ptr& f);

  // -- the waiters' side ---------------------------------------------------------------------

  /// Blocks until `f` is settled or `deadline` passes; returns its state (running on timeout).
  state wait(const flight_ptr& f, steady::time_point deadline);
  /// Calls `fn` once `f` is settled, on the settling thread; returns false (and never calls it)
  /// if `f` is settled already.
  bool on_settle(const flight_ptr& f, std::function<void()> fn);

  // -- writes that bypass memoize ------------------------------------------------------------

  /// `k` was removed or overwritten: its pending value is no longer served.
  void drop(const key& k);
  /// Everything was removed: no pending value is served.
  void drop_all();

  /// Flights and pending values in the table (for tests and stats).
  size_t size() const { return count_.load(std::memory_order_relaxed); }

private:
  struct shard {
    mutable std::mutex m;
    std::unordered_map<key, flight_ptr> flights;
  };
  shard& shard_of(const key& k) const { return shards_[k.lo() & (shards_.size() - 1)]; }
  // Settles `f` with `outcome` (under its lock), wakes its waiters, runs its listeners.
  static void settle(const flight_ptr& f, state outcome, entry_ptr e, std::exception_ptr err);
  // Erases `f` from its shard if it is still the flight of its key.
  void erase(const flight_ptr& f);

  mutable std::array<shard, 16> shards_;
  std::atomic<size_t> count_{0};
};

} // namespace ahvn::detail
