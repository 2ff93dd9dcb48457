#include "ahvn/actors/cache.hpp"

#include "ahvn/actors/backend_actor.hpp"
#include "ahvn/actors/system.hpp"

#include <algorithm>

namespace ahvn {

// -- iteration ---------------------------------------------------------------------------------

entry_iterator::entry_iterator(std::shared_ptr<detail::cache_core> core, scan_request req)
    : core_(std::move(core)), req_(std::move(req)), done_(false) {
  if (req_.limit == 0) req_.limit = 256;
  fetch();
}

void entry_iterator::fetch() {
  // Skip pages a filter left empty; stop at the end.
  for (;;) {
    page_ = core_->scan(req_);
    pos_ = 0;
    req_.after = page_.last;
    if (!page_.entries.empty()) return;
    if (!page_.more) {
      done_ = true;
      return;
    }
  }
}

entry_iterator& entry_iterator::operator++() {
  if (++pos_ < page_.entries.size()) return *this;
  if (!page_.more) {
    done_ = true;
    page_.entries.clear();
    return *this;
  }
  fetch();
  return *this;
}

// -- construction ----------------------------------------------------------------------------

std::shared_ptr<detail::cache_core> cache::make_core(std::unique_ptr<store> s,
                                                     caf::actor_system* existing, store_kind kind,
                                                     cache_options opts) {
  auto sys =
      existing ? std::make_unique<system_handle>(*existing) : std::make_unique<system_handle>();
  auto reader = s->reader();
  backend_options bo;
  bo.detached = kind == store_kind::blocking;
  bo.group_commit = kind == store_kind::blocking;
  bo.single_flight = kind != store_kind::stores_nothing;
  bo.default_lease = opts.lease;
  bo.sweep_interval = opts.sweep_interval;
  bo.time_source = opts.time_source;
  auto actor = spawn_backend(sys->get(), std::move(s), bo);
  return std::make_shared<detail::cache_core>(std::move(sys), std::move(actor), std::move(reader),
                                              std::move(opts));
}

// -- manual operations -----------------------------------------------------------------------

key cache::key_for(std::string_view func, json& inputs) const {
  if (!inputs.is_object())
    throw cache_error(errc::invalid_inputs, "inputs of '" + std::string(func) +
                                                "' must be a JSON object, got " +
                                                inputs.type_name());
  for (const auto& name : core_->options().exclude)
    inputs.erase(name);
  return compute_key(func, inputs);
}

void cache::set(std::string_view func, json inputs, json output, std::optional<json> expected,
                json metadata) {
  auto k = key_for(func, inputs);
  auto e = std::make_shared<cache_entry>(
      cache_entry::from_args(std::string(func), std::move(inputs), std::move(output),
                             std::move(expected), std::move(metadata)));
  core_->put({k, std::move(e)});
}

void cache::set(const cache_entry& entry) {
  auto e = std::make_shared<cache_entry>(entry);
  auto k = e->key();
  core_->put({k, std::move(e)});
}

std::optional<json> cache::get(std::string_view func, json inputs) {
  auto e = retrieve(func, std::move(inputs));
  if (!e) return std::nullopt;
  return e->value();
}

std::optional<cache_entry> cache::retrieve(std::string_view func, json inputs) {
  auto k = key_for(func, inputs);
  auto found = core_->lookup_call(k, func, inputs);
  if (!found) return std::nullopt;
  return *found.entry;
}

std::optional<cache_entry> cache::find(const key& k) {
  auto found = core_->get(k);
  if (!found) return std::nullopt;
  return *found.entry;
}

bool cache::exists(std::string_view func, json inputs) {
  return core_->has(key_for(func, inputs));
}

bool cache::contains(const key& k) {
  return core_->has(k);
}

bool cache::remove(std::string_view func, json inputs) {
  return core_->remove(key_for(func, inputs));
}

bool cache::remove(const key& k) {
  return core_->remove(k);
}

uint64_t cache::clear() {
  return core_->clear();
}

void cache::annotate(std::string_view func, json inputs, std::optional<json> expected,
                     json metadata) {
  auto k = key_for(func, inputs);
  auto found = core_->get(k);
  if (found) {
    auto e = std::make_shared<cache_entry>(found.entry->annotate(std::move(expected), metadata));
    core_->put({k, std::move(e)});
    return;
  }
  if (!expected)
    throw cache_error(errc::missing_entry, "annotate: no cached entry for '" + std::string(func) +
                                               "' with inputs " +
                                               dumps_python(inputs, {true, false, -1, false}) +
                                               "; give the expected output to create one");
  auto e = std::make_shared<cache_entry>(cache_entry::from_args(
      std::string(func), std::move(inputs), *expected, *expected, std::move(metadata)));
  core_->put({k, std::move(e)});
}

uint64_t cache::size() {
  return core_->size();
}

entry_range cache::entries(uint32_t page_size, std::string func) const {
  scan_request req;
  req.limit = page_size;
  req.func = std::move(func);
  return {core_, std::move(req)};
}

entry_iterator cache::begin() const {
  return {core_, scan_request{}};
}

std::optional<cache_entry> cache::pop() {
  scan_request req;
  req.limit = 1;
  for (auto it = entry_iterator(core_, req); it != std::default_sentinel; ++it) {
    if (core_->remove(it.current_key())) return *it;
  }
  return std::nullopt;
}

std::vector<cache_entry> cache::popall() {
  std::vector<cache_entry> out;
  for (auto it = begin(); it != end(); ++it)
    if (core_->remove(it.current_key())) out.push_back(*it);
  return out;
}

std::vector<cache_entry> cache::filter(const std::function<bool(const cache_entry&)>& pred) const {
  std::vector<cache_entry> out;
  for (const auto& e : *this)
    if (pred(e)) out.push_back(e);
  return out;
}

std::vector<cache_entry> cache::filter_annotation(const json& annotation) const {
  return filter([&](const cache_entry& e) {
    auto a = e.metadata.find("annotation");
    if (a == e.metadata.end() || !a->is_object()) return false;
    for (auto it = annotation.begin(); it != annotation.end(); ++it) {
      auto v = a->find(it.key());
      if (v == a->end() || *v != it.value()) return false;
    }
    return true;
  });
}

uint64_t cache::remove_if(const std::function<bool(const cache_entry&)>& pred) {
  uint64_t n = 0;
  for (auto it = begin(); it != end(); ++it)
    if (pred(*it) && core_->remove(it.current_key())) ++n;
  return n;
}

cache_stats cache::stats() {
  return core_->stats();
}

void cache::flush() {
  core_->flush();
}

} // namespace ahvn
