#include "ahvn/integrations/kl_store.hpp"

#include "ahvn/messages/log.hpp"
#include "ahvn/messages/protocol.hpp"

#include <limits>
#include <unordered_set>

namespace ahvn {

// -- kl_id -----------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad_id(const std::string& what) {
  throw cache_error(errc::invalid_argument, "kl_store: " + what);
}

// Whether `decimal` (canonical: no leading zeros) is within [lo, hi], both given in decimal.
bool within(const std::string& digits, const std::string& limit) {
  return digits.size() < limit.size() || (digits.size() == limit.size() && digits <= limit);
}

} // namespace

kl_id kl_id::parse(std::string_view text) {
  std::string_view digits = text;
  bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    bad_id("'" + std::string(text.substr(0, 80)) + "' is not a decimal id");
  digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size() - 1));
  kl_id id;
  id.decimal_ = (negative && digits != "0" ? "-" : "") + std::string(digits);
  return id;
}

kl_id kl_id::from_json(const json& j) {
  if (j.is_number_integer() || j.is_number_unsigned()) return parse(j.dump());
  if (j.is_string()) return parse(j.get<std::string>());
  if (is_tagged(j, "bigint") && j["__obj_data__"].is_string())
    return parse(j["__obj_data__"].get<std::string>());
  bad_id("an id must be an integer, got " + j.dump().substr(0, 80));
}

json kl_id::to_json() const {
  bool negative = decimal_.front() == '-';
  std::string digits = negative ? decimal_.substr(1) : decimal_;
  if (!negative && within(digits, std::to_string(std::numeric_limits<uint64_t>::max())))
    return json(static_cast<uint64_t>(std::stoull(digits)));
  if (negative && within(digits, "9223372036854775808")) return json(std::stoll(decimal_));
  json tagged = json::object();
  tagged["__obj_data__"] = decimal_;
  tagged["__obj_type__"] = "bigint";
  return tagged;
}

// -- iteration ---------------------------------------------------------------------------------

kl_iterator::kl_iterator(entry_iterator it) : it_(std::move(it)) {
  settle();
}

kl_iterator& kl_iterator::operator++() {
  ++it_;
  settle();
  return *this;
}

void kl_iterator::settle() {
  current_.reset();
  for (; it_ != std::default_sentinel; ++it_) {
    const cache_entry& e = *it_;
    if (e.func != kl_store::func || !e.value()) continue;
    auto kid = e.inputs.find("kid");
    if (kid == e.inputs.end()) continue;
    try {
      current_.emplace(kl_item{kl_id::from_json(*kid), *e.value()});
      return;
    } catch (const cache_error& err) {
      log::warning("kl_store: skipping the entry " + it_.current_key().to_string() + ": " +
                   err.message());
    }
  }
}

// -- kl_store ----------------------------------------------------------------------------------

kl_store::kl_store(cache c, kl_store_options opts) : cache_(std::move(c)), opts_(std::move(opts)) {
  if (opts_.page_size == 0) opts_.page_size = 256;
}

json kl_store::inputs_of(const kl_id& id) {
  return {{"kid", id.to_json()}};
}

key kl_store::key_of(const kl_id& id) {
  return compute_key(func, inputs_of(id));
}

cache& kl_store::use() const {
  if (!cache_)
    throw cache_error(errc::invalid_argument, "kl_store '" + opts_.name + "': used after close()");
  return *cache_;
}

bool kl_store::accepted(const kl_item& item) const {
  return !opts_.condition || opts_.condition(item);
}

bool kl_store::upsert(const kl_id& id, json object) {
  kl_item item{id, std::move(object)};
  if (!accepted(item)) return false;
  use().set(func, inputs_of(item.id), std::move(item.object));
  return true;
}

bool kl_store::insert(const kl_id& id, json object) {
  kl_item item{id, std::move(object)};
  if (!accepted(item) || exists(item.id)) return false;
  use().set(func, inputs_of(item.id), std::move(item.object));
  return true;
}

std::optional<json> kl_store::get(const kl_id& id) {
  return use().get(func, inputs_of(id));
}

bool kl_store::exists(const kl_id& id) {
  return use().exists(func, inputs_of(id));
}

bool kl_store::remove(const kl_id& id) {
  return use().remove(func, inputs_of(id));
}

void kl_store::put_many(const std::vector<const kl_item*>& items) {
  if (items.empty()) return;
  std::vector<cache_entry> entries;
  entries.reserve(items.size());
  for (const kl_item* item : items)
    entries.push_back(cache_entry::from_args(std::string(func), inputs_of(item->id), item->object));
  use().set_many(entries); // one request, one transaction where the store has them
}

void kl_store::batch_upsert(const std::vector<kl_item>& items) {
  std::unordered_set<std::string> seen;
  std::vector<const kl_item*> chosen;
  for (const auto& item : items)
    if (seen.insert(item.id.to_string()).second && accepted(item)) chosen.push_back(&item);
  put_many(chosen);
}

size_t kl_store::batch_insert(const std::vector<kl_item>& items) {
  std::unordered_set<std::string> seen;
  std::vector<const kl_item*> chosen;
  for (const auto& item : items)
    if (seen.insert(item.id.to_string()).second && accepted(item) && !exists(item.id))
      chosen.push_back(&item);
  put_many(chosen);
  return chosen.size();
}

std::vector<std::optional<json>> kl_store::batch_get(const std::vector<kl_id>& ids) {
  std::vector<std::optional<json>> out;
  out.reserve(ids.size());
  for (const auto& id : ids)
    out.push_back(get(id));
  return out;
}

size_t kl_store::batch_remove(const std::vector<kl_id>& ids) {
  std::unordered_set<std::string> seen;
  size_t n = 0;
  for (const auto& id : ids)
    if (seen.insert(id.to_string()).second && remove(id)) ++n;
  return n;
}

kl_iterator kl_store::begin() const {
  return kl_iterator(use().entries(opts_.page_size, std::string(func)).begin());
}

uint64_t kl_store::size() const {
  uint64_t n = 0;
  for (auto it = begin(); it != end(); ++it)
    ++n;
  return n;
}

uint64_t kl_store::clear() {
  std::vector<key> keys;
  for (auto it = begin(); it != end(); ++it)
    keys.push_back(it.current_key());
  uint64_t n = 0;
  for (const auto& k : keys)
    if (use().remove(k)) ++n;
  return n;
}

void kl_store::flush() {
  use().flush();
}

void kl_store::close() {
  if (!cache_) return;
  cache_->flush();
  cache_.reset();
}

} // namespace ahvn
