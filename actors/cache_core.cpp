#include "actors/cache_core.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/system.hpp"
#include "messages/log.hpp"

namespace ahvn::detail {

cache_core::cache_core(std::unique_ptr<system_handle> sys, cache_actor backend,
                       std::shared_ptr<concurrent_reader> reader, cache_options opts)
  : sys_(std::move(sys)),
    actor_(std::move(backend)),
    reader_(std::move(reader)),
    opts_(std::move(opts)) {
  // nop
}

cache_core::~cache_core() {
  if (actor_)
    caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
  reader_.reset();
  sys_.reset(); // an owned system waits here for its actors
}

caf::actor_system& cache_core::system() const { return sys_->get(); }

template <class R, class... Ts>
R cache_core::request(Ts&&... xs) {
  caf::scoped_actor self{sys_->get()};
  std::optional<R> result;
  caf::error err;
  self->request(actor_, caf::duration{opts_.request_timeout}, std::forward<Ts>(xs)...)
    .receive([&](R& r) { result = std::move(r); }, [&](caf::error& e) { err = std::move(e); });
  if (err)
    throw to_cache_error(err);
  return std::move(*result);
}

lookup cache_core::get(const key& k) {
  if (reader_) {
    entry_ptr found;
    if (reader_->read(k, [&](const cache_entry& e) { found = std::make_shared<cache_entry>(e); }))
      return {std::move(found)};
  }
  return request<lookup>(get_atom::value, k);
}

std::vector<lookup> cache_core::get_many(const std::vector<key>& ks) {
  return request<std::vector<lookup>>(get_atom::value, ks);
}

void cache_core::put(keyed_entry e) { request<ok_atom>(put_atom::value, std::move(e)); }

void cache_core::put_many(std::vector<keyed_entry> es) {
  request<ok_atom>(put_atom::value, std::move(es));
}

bool cache_core::remove(const key& k) { return request<bool>(delete_atom::value, k); }

uint64_t cache_core::clear() { return request<uint64_t>(clear_atom::value); }

uint64_t cache_core::size() { return request<uint64_t>(size_atom::value); }

bool cache_core::has(const key& k) { return request<bool>(has_atom::value, k); }

scan_page cache_core::scan(const scan_request& req) {
  return request<scan_page>(scan_atom::value, req);
}

cache_stats cache_core::stats() {
  auto s = request<cache_stats>(stats_atom::value);
  s.hits += reader_hits_.load(std::memory_order_relaxed);
  s.errors += errors_.load(std::memory_order_relaxed);
  return s;
}

void cache_core::flush() { request<ok_atom>(flush_atom::value); }

namespace {

// Errors the actor answered with were counted by the actor; those of the way there were not.
bool counted_by_actor(const cache_error& e) {
  return e.code() != errc::timeout && e.code() != errc::unreachable;
}

} // namespace

bool cache_core::read(const key& k, const std::function<void(const cache_entry&)>& visit) {
  try {
    if (reader_ && reader_->read(k, visit)) {
      reader_hits_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    auto found = request<lookup>(get_atom::value, k);
    if (!found)
      return false;
    visit(*found.entry);
    return true;
  } catch (const cache_error& e) {
    if (counted_by_actor(e))
      log::warning("ahvn cache: get " + k.to_string() + " failed, computing instead: " + e.what());
    else
      count_error("get " + k.to_string() + " failed, computing instead: " + e.what());
  } catch (const std::exception& e) {
    count_error("get " + k.to_string() + ": the stored entry is unusable, computing instead: "
                + e.what());
  }
  return false;
}

void cache_core::write(keyed_entry e) noexcept {
  std::string what;
  try {
    auto k = e.k;
    try {
      put(std::move(e));
      return;
    } catch (const cache_error& ex) {
      what = "set " + k.to_string() + " failed, the result is not cached: " + ex.what();
      if (counted_by_actor(ex)) {
        log::warning("ahvn cache: " + what);
        return;
      }
    } catch (const std::exception& ex) {
      what = "set " + k.to_string() + " failed, the result is not cached: " + ex.what();
    }
  } catch (...) {
    what = "set failed: out of memory";
  }
  count_error(what);
}

void cache_core::count_error(std::string_view what) noexcept {
  errors_.fetch_add(1, std::memory_order_relaxed);
  log::error(std::string("ahvn cache: ") + std::string(what));
}

} // namespace ahvn::detail
