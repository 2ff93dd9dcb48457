#pragma once

// cache: the handle users hold — the same for every backend (in_mem_cache, no_cache,
// disk_cache, ...). It offers the seed's manual operations and memoize. A handle is cheap to
// copy; copies share one cache, which lives until the last handle or memoized function made
// from it is gone.
//
// Concurrency: any number of plain threads may use one cache at once. The blocking operations
// here must not be called from inside an actor's handler (they would block a scheduler thread);
// use the actor() handle or the actor-side memoize forms there. Reads (get, retrieve, find,
// exists, contains) are answered on the calling thread wherever memoize's hits are, and ask the
// cache actor only when that read misses; every other operation sees this process's earlier
// memoized writes (actors/client/client.hpp).
//
// Errors: operations throw cache_error when the cache fails or the input is bad (inputs that are
// not an object, text that is not UTF-8). A miss is not an error: get/retrieve return nullopt.
// memoize never throws for cache failures (see actors/memoize.hpp).

#include "ahvn/actors/client/batch_memoize.hpp"
#include "ahvn/actors/client/client.hpp"
#include "ahvn/actors/client/memoize.hpp"
#include "ahvn/actors/client/memoize_future.hpp"
#include "ahvn/actors/client/memoize_reply.hpp"
#include "ahvn/actors/client/memoize_stream.hpp"
#include "ahvn/actors/client/memoize_traits.hpp"
#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ahvn {

/// Iterates over a cache's entries, one page (one request) at a time: the cache is never loaded
/// whole. Entries written or removed during the iteration may or may not be seen; the others
/// are seen exactly once, in key order.
class entry_iterator {
public:
  using iterator_category = std::input_iterator_tag;
  using value_type = cache_entry;
  using difference_type = std::ptrdiff_t;
  using pointer = const cache_entry*;
  using reference = const cache_entry&;

  entry_iterator() = default;
  entry_iterator(std::shared_ptr<detail::client> cache, scan_request req);

  const cache_entry& operator*() const { return *page_.entries[pos_].entry; }
  const cache_entry* operator->() const { return page_.entries[pos_].entry.get(); }
  /// The key of the current entry.
  const key& current_key() const { return page_.entries[pos_].k; }
  entry_iterator& operator++();
  void operator++(int) { ++*this; }
  friend bool operator==(const entry_iterator& it, std::default_sentinel_t) { return it.done_; }

private:
  void fetch();

  std::shared_ptr<detail::client> cache_;
  scan_request req_;
  scan_page page_;
  size_t pos_ = 0;
  bool done_ = true;
};

/// A range over a cache's entries (see entry_iterator).
class entry_range {
public:
  entry_range(std::shared_ptr<detail::client> cache, scan_request req)
      : cache_(std::move(cache)), req_(std::move(req)) {}
  entry_iterator begin() const { return {cache_, req_}; }
  std::default_sentinel_t end() const { return {}; }

private:
  std::shared_ptr<detail::client> cache_;
  scan_request req_;
};

class cache {
public:
  // -- the seed's manual operations -----------------------------------------------------------

  /// Stores `output` for `func` called with `inputs` (minus the cache's excluded names).
  void set(std::string_view func, json inputs, json output, std::optional<json> expected = {},
           json metadata = nullptr);
  /// Stores a whole entry under its own key (the seed's add; also cache.set(entry)).
  void set(const cache_entry& entry);
  void add(const cache_entry& entry) { set(entry); }
  /// Stores every entry under its own key with one request (one transaction where the store
  /// has them).
  void set_many(const std::vector<cache_entry>& entries);

  /// The cached value (expected if annotated, else output) of `func` with `inputs`, or nullopt.
  std::optional<json> get(std::string_view func, json inputs);
  /// The whole cached entry of `func` with `inputs`, or nullopt.
  std::optional<cache_entry> retrieve(std::string_view func, json inputs);
  /// The entry stored under `k`, or nullopt (the seed's cache[key]).
  std::optional<cache_entry> find(const key& k);

  /// True if an entry for `func` with `inputs` is stored.
  bool exists(std::string_view func, json inputs);
  /// True if an entry is stored under `k` (the seed's `key in cache`).
  bool contains(const key& k);

  /// Removes the entry of `func` with `inputs`; true if there was one.
  bool remove(std::string_view func, json inputs);
  /// Removes the entry under `k` (the seed's del cache[key]); true if there was one.
  bool remove(const key& k);
  /// Removes every entry; returns how many were removed.
  uint64_t clear();

  /// Annotates the entry of `func` with `inputs`: its expected becomes `expected` (when omitted:
  /// its output) and `metadata` is merged into its metadata. With no entry and an `expected`,
  /// stores a new entry whose output and expected are both `expected`. With no entry and no
  /// `expected`, throws cache_error(errc::missing_entry) naming the function and the inputs.
  /// One request: the cache actor reads, annotates and writes with no write in between.
  /// Returns the key of the stored entry.
  key annotate(std::string_view func, json inputs, std::optional<json> expected = {},
               json metadata = nullptr);

  /// The number of entries.
  uint64_t size();

  /// All entries, page by page (`page_size` per request); only `func`'s when it is non-empty.
  entry_range entries(uint32_t page_size = 256, std::string func = {}) const;
  /// Range-for over the cache itself: `for (const cache_entry& e : cache)`.
  entry_iterator begin() const;
  std::default_sentinel_t end() const { return {}; }
  /// One page of entries in key order (see scan_request), for tools that page by hand.
  scan_page scan(const scan_request& req) const;

  /// Removes and returns an entry (the first in key order), or nullopt if the cache is empty.
  /// One request: no other caller gets the same entry.
  std::optional<cache_entry> pop();
  /// Removes and returns every entry (one request).
  std::vector<cache_entry> popall();

  /// The entries for which `pred` is true.
  std::vector<cache_entry> filter(const std::function<bool(const cache_entry&)>& pred) const;
  /// The entries whose metadata["annotation"] holds every member of `annotation`
  /// (e.g. {{"team", "backend"}}): the guide's filtering by annotation.
  std::vector<cache_entry> filter_annotation(const json& annotation) const;
  /// Removes the entries for which `pred` is true; returns how many. One request, run inside
  /// the cache actor (so `pred` runs on the actor's thread: it must not call into this cache).
  uint64_t remove_if(std::function<bool(const cache_entry&)> pred);
  /// Removes the entries of `func` (any when empty) whose annotation holds every member of
  /// `annotation` (any when null); returns how many. One request; works across nodes too.
  uint64_t remove_if(std::string func, json annotation);

  /// Counters since the cache opened (hits, misses, sets, evictions, errors, ...).
  cache_stats stats();
  /// Returns once every earlier write is durable.
  void flush();

  // -- memoize -------------------------------------------------------------------------------

  /// Wraps `f` so that its results are cached here. The form follows f's signature:
  ///   R(Args...)                  -> memoized<R(Args...)>        (client/memoize.hpp)
  ///   std::future<T>(Args...)     -> memoized_future<T(Args...)> (client/memoize_future.hpp)
  ///   generator<T>(Args...)       -> memoized_stream<T(Args...)> (client/memoize_stream.hpp)
  ///   void(Args..., reply<T>)     -> memoized_reply<T(Args...)>  (client/memoize_reply.hpp)
  /// Throws cache_error(errc::invalid_argument) if the name is empty, the parameter names do
  /// not match the arguments, or an option is malformed.
  template <class F>
  auto memoize(memoize_options opts, F f) const {
    using signature = typename detail::signature_of<std::decay_t<F>>::type;
    return make_memoized(static_cast<signature*>(nullptr), std::move(opts), std::move(f));
  }

  /// Wraps a function from a batch of inputs to a batch of outputs (client/batch_memoize.hpp):
  /// `opts.params` names its one parameter, the batch.
  template <class F>
  auto batch_memoize(memoize_options opts, F f) const {
    using signature = typename detail::signature_of<std::decay_t<F>>::type;
    return make_batch(static_cast<signature*>(nullptr), std::move(opts), std::move(f));
  }

  // -- plumbing ------------------------------------------------------------------------------

  /// The actor system the cache runs on.
  caf::actor_system& system() const { return client_->system(); }
  /// The cache actor: send it the protocol of messages/protocol.hpp from your own actors.
  const cache_actor& actor() const { return client_->actor(); }
  /// The caller's side of the cache (for the memoize forms and the other handles).
  const std::shared_ptr<detail::client>& client() const { return client_; }

  /// A handle on `c` (see actors/caches/make_client.hpp for how one is built).
  explicit cache(std::shared_ptr<detail::client> c) : client_(std::move(c)) {}

  /// The checked description of a memoized function of `arity` arguments on this cache.
  std::shared_ptr<const detail::memo_spec> spec(memoize_options opts, size_t arity) const {
    return detail::memo_spec::make(client_, std::move(opts), arity);
  }

protected:
  cache() = default;

  std::shared_ptr<detail::client> client_;

private:
  template <class R, class... Args, class F>
  auto make_memoized(R (*)(Args...), memoize_options opts, F f) const {
    if constexpr (detail::is_future<R>::value) {
      using T = typename detail::is_future<R>::value_type;
      return memoized_future<T(Args...)>(spec(std::move(opts), sizeof...(Args)), std::move(f));
    } else if constexpr (detail::is_generator<R>::value) {
      using T = typename detail::is_generator<R>::value_type;
      return memoized_stream<T(Args...)>(spec(std::move(opts), sizeof...(Args)), std::move(f));
    } else if constexpr (std::is_void_v<R> && sizeof...(Args) > 0) {
      using split = detail::split_last<detail::type_list<>, Args...>;
      static_assert(detail::is_reply<std::remove_cvref_t<typename split::last>>::value,
                    "a memoized function returning void must take a reply<T> last");
      return make_reply(typename split::init{},
                        static_cast<std::remove_cvref_t<typename split::last>*>(nullptr),
                        std::move(opts), std::move(f));
    } else {
      return memoized<R(Args...)>(spec(std::move(opts), sizeof...(Args)), std::move(f));
    }
  }

  template <class... Init, class T, class F>
  auto make_reply(detail::type_list<Init...>, reply<T>*, memoize_options opts, F f) const {
    return memoized_reply<T(Init...)>(spec(std::move(opts), sizeof...(Init)), std::move(f));
  }

  template <class R, class Batch, class F>
  auto make_batch(R (*)(Batch), memoize_options opts, F f) const {
    using in_vector = std::remove_cvref_t<Batch>;
    static_assert(detail::is_vector<in_vector>::value && detail::is_vector<R>::value,
                  "batch_memoize wraps a function from std::vector<In> to std::vector<Out>");
    using In = typename in_vector::value_type;
    using Out = typename R::value_type;
    return memoized_batch<Out(In)>(spec(std::move(opts), 1), std::move(f));
  }

private:
  key key_for(std::string_view func, json& inputs) const;
};

} // namespace ahvn
