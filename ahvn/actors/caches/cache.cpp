#include "ahvn/actors/caches/cache.hpp"

#include <algorithm>

namespace ahvn {

// -- iteration ---------------------------------------------------------------------------------

entry_iterator::entry_iterator(std::shared_ptr<detail::client> cache, scan_request req)
    : cache_(std::move(cache)), req_(std::move(req)), done_(false) {
  if (req_.limit == 0) req_.limit = 256;
  fetch();
}

void entry_iterator::fetch() {
  // Skip pages a filter left empty; stop at the end.
  for (;;) {
    page_ = cache_->scan(req_);
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

// -- manual operations -----------------------------------------------------------------------

key cache::key_for(std::string_view func, json& inputs) const {
  if (!inputs.is_object())
    throw cache_error(errc::invalid_inputs, "inputs of '" + std::string(func) +
                                                "' must be a JSON object, got " +
                                                inputs.type_name());
  for (const auto& name : client_->options().exclude)
    inputs.erase(name);
  return compute_key(func, inputs);
}

void cache::set(std::string_view func, json inputs, json output, std::optional<json> expected,
                json metadata) {
  auto k = key_for(func, inputs);
  auto e = std::make_shared<cache_entry>(
      cache_entry::from_args(std::string(func), std::move(inputs), std::move(output),
                             std::move(expected), std::move(metadata)));
  client_->put({k, std::move(e)});
}

void cache::set(const cache_entry& entry) {
  auto e = std::make_shared<cache_entry>(entry);
  auto k = e->key();
  client_->put({k, std::move(e)});
}

void cache::set_many(const std::vector<cache_entry>& entries) {
  std::vector<keyed_entry> es;
  es.reserve(entries.size());
  for (const auto& entry : entries) {
    auto e = std::make_shared<cache_entry>(entry);
    auto k = e->key();
    es.push_back({k, std::move(e)});
  }
  client_->put_many(std::move(es));
}

std::optional<json> cache::get(std::string_view func, json inputs) {
  auto e = retrieve(func, std::move(inputs));
  if (!e) return std::nullopt;
  return e->value();
}

std::optional<cache_entry> cache::retrieve(std::string_view func, json inputs) {
  auto k = key_for(func, inputs);
  auto found = client_->find(k, func, inputs);
  if (!found) return std::nullopt;
  return *found;
}

std::optional<cache_entry> cache::find(const key& k) {
  auto found = client_->find(k);
  if (!found) return std::nullopt;
  return *found;
}

bool cache::exists(std::string_view func, json inputs) {
  return client_->has(key_for(func, inputs));
}

bool cache::contains(const key& k) {
  return client_->has(k);
}

bool cache::remove(std::string_view func, json inputs) {
  return client_->remove(key_for(func, inputs));
}

bool cache::remove(const key& k) {
  return client_->remove(k);
}

uint64_t cache::clear() {
  return client_->clear();
}

key cache::annotate(std::string_view func, json inputs, std::optional<json> expected,
                    json metadata) {
  annotate_request req;
  req.k = key_for(func, inputs);
  req.func = std::string(func);
  req.inputs = std::move(inputs);
  req.expected = std::move(expected);
  req.metadata = std::move(metadata);
  return client_->annotate(std::move(req)).k;
}

uint64_t cache::size() {
  return client_->size();
}

entry_range cache::entries(uint32_t page_size, std::string func) const {
  scan_request req;
  req.limit = page_size;
  req.func = std::move(func);
  return {client_, std::move(req)};
}

entry_iterator cache::begin() const {
  return {client_, scan_request{}};
}

scan_page cache::scan(const scan_request& req) const {
  return client_->scan(req);
}

std::optional<cache_entry> cache::pop() {
  auto out = client_->pop(1);
  if (out.empty()) return std::nullopt;
  return *out.front().entry;
}

std::vector<cache_entry> cache::popall() {
  std::vector<cache_entry> out;
  for (auto& e : client_->pop(0))
    out.push_back(*e.entry);
  return out;
}

std::vector<cache_entry> cache::filter(const std::function<bool(const cache_entry&)>& pred) const {
  std::vector<cache_entry> out;
  for (const auto& e : *this)
    if (pred(e)) out.push_back(e);
  return out;
}

std::vector<cache_entry> cache::filter_annotation(const json& annotation) const {
  entry_filter f;
  f.annotation = annotation;
  return filter([&](const cache_entry& e) { return f.matches(e); });
}

uint64_t cache::remove_if(std::function<bool(const cache_entry&)> pred) {
  entry_filter f;
  f.predicate = std::make_shared<const std::function<bool(const cache_entry&)>>(std::move(pred));
  return client_->remove_if(std::move(f));
}

uint64_t cache::remove_if(std::string func, json annotation) {
  entry_filter f;
  f.func = std::move(func);
  f.annotation = std::move(annotation);
  return client_->remove_if(std::move(f));
}

cache_stats cache::stats() {
  return client_->stats();
}

void cache::flush() {
  client_->flush();
}

} // namespace ahvn
