#include "ahvn/backends/registry.hpp"

#include "ahvn/backends/json_store.hpp"
#include "ahvn/backends/lmdb_store.hpp"
#include "ahvn/backends/memory_store.hpp"
#include "ahvn/backends/null_store.hpp"
#include "ahvn/backends/sql_store.hpp"
#include "ahvn/backends/sql_url.hpp"
#include "ahvn/messages/error.hpp"

#include <charconv>
#include <mutex>

namespace ahvn {

// -- store_url ------------------------------------------------------------------------------

store_url::store_url(std::string_view url) : text_(url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0)
    fail("expected SCHEME:..., e.g. mem:, lmdb:/var/cache/app, sqlite:cache.db");
  scheme_ = std::string(url.substr(0, colon));
  auto rest = url.substr(colon + 1);
  path_ = std::string(rest.substr(0, rest.find('?')));
}

// Options are parsed on first use, so that a backend with a URL syntax of its own (SQL) can
// parse the whole text itself.
void store_url::parse_options() {
  if (parsed_) return;
  parsed_ = true;
  auto rest = std::string_view(text_).substr(scheme_.size() + 1);
  auto q = rest.find('?');
  if (q == std::string_view::npos) return;
  auto query = rest.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      fail("option '" + std::string(item) + "' is not NAME=VALUE");
    options_[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
}

void store_url::fail(const std::string& why) const {
  throw cache_error(errc::invalid_url, "cache URL '" + redact_url(text_) + "': " + why);
}

std::optional<std::string> store_url::take(const char* name) {
  parse_options();
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  auto v = std::move(it->second);
  options_.erase(it);
  return v;
}

uint64_t store_url::take_size(const char* name, uint64_t fallback) {
  auto v = take(name);
  if (!v) return fallback;
  try {
    return parse_size(*v);
  } catch (const cache_error& e) {
    fail(std::string("option ") + name + ": " + e.message());
  }
}

bool store_url::take_bool(const char* name, bool fallback) {
  auto v = take(name);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes") return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  fail(std::string("option ") + name + "=" + *v + " is not true or false");
}

void store_url::finish() {
  parse_options();
  if (!options_.empty())
    fail("unknown option '" + options_.begin()->first + "' for " + scheme_ + ":");
}

// -- the built-in backends ------------------------------------------------------------------

namespace {

std::vector<backend_entry> built_in() {
  std::vector<backend_entry> out;
  out.push_back({{"mem"}, "mem:?max_entries=N&max_bytes=SIZE", false, [](store_url& u) {
                   if (!u.path().empty()) u.fail("mem: takes no path");
                   memory_limits limits;
                   limits.max_entries = u.take_size("max_entries", 0);
                   limits.max_bytes = u.take_size("max_bytes", 0);
                   u.finish();
                   return std::unique_ptr<store>(std::make_unique<memory_store>(limits));
                 }});
  out.push_back({{"none"}, "none:", false, [](store_url& u) {
                   if (!u.path().empty()) u.fail("none: takes no path");
                   u.finish();
                   return std::unique_ptr<store>(std::make_unique<null_store>());
                 }});
  out.push_back({{"lmdb"},
                 "lmdb:PATH?size_limit=SIZE&initial_map_size=SIZE&durable=BOOL",
                 true,
                 [](store_url& u) {
                   if (u.path().empty())
                     u.fail("lmdb: needs a directory, e.g. lmdb:/var/cache/app");
                   lmdb_options lo;
                   lo.size_limit = u.take_size("size_limit", lo.size_limit);
                   lo.initial_map_size = u.take_size("initial_map_size", lo.initial_map_size);
                   lo.durable = u.take_bool("durable", lo.durable);
                   u.finish();
                   return std::unique_ptr<store>(std::make_unique<lmdb_store>(u.path(), lo));
                 }});
  out.push_back({{"json"}, "json:PATH?durable=BOOL", true, [](store_url& u) {
                   if (u.path().empty()) u.fail("json: needs a directory, e.g. json:/tmp/cache");
                   json_store_options jo;
                   jo.durable = u.take_bool("durable", jo.durable);
                   u.finish();
                   return std::unique_ptr<store>(std::make_unique<json_store>(u.path(), jo));
                 }});
  auto sql = [](store_url& u) {
    return std::unique_ptr<store>(std::make_unique<sql_store>(parse_sql_url(u.text())));
  };
  out.push_back({{"sqlite"}, "sqlite:PATH, sqlite::memory:", true, sql});
  out.push_back(
      {{"postgresql", "postgres"}, "postgresql://user[:password]@host[:port]/db", false, sql});
  out.push_back({{"mysql", "mariadb"}, "mysql://user[:password]@host[:port]/db", false, sql});
  return out;
}

struct registry {
  std::mutex m;
  std::vector<std::unique_ptr<backend_entry>> entries;

  registry() {
    for (auto& e : built_in())
      entries.push_back(std::make_unique<backend_entry>(std::move(e)));
  }

  const backend_entry* find(std::string_view scheme) const {
    for (const auto& e : entries)
      for (const auto& s : e->schemes)
        if (s == scheme) return e.get();
    return nullptr;
  }

  std::string known() const {
    std::string out;
    for (const auto& e : entries)
      out += (out.empty() ? "" : ", ") + e->schemes.front();
    return out;
  }
};

registry& the_registry() {
  static registry r;
  return r;
}

} // namespace

void add_backend(backend_entry entry) {
  if (entry.schemes.empty() || !entry.open)
    throw cache_error(errc::invalid_argument, "add_backend: a backend needs a scheme and an open "
                                              "function");
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.m);
  for (const auto& s : entry.schemes)
    if (s.empty() || r.find(s))
      throw cache_error(errc::invalid_argument,
                        "add_backend: scheme '" + s + "' is empty or registered already");
  r.entries.push_back(std::make_unique<backend_entry>(std::move(entry)));
}

const backend_entry* find_backend(std::string_view scheme) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.m);
  return r.find(scheme);
}

std::vector<const backend_entry*> backends() {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.m);
  std::vector<const backend_entry*> out;
  for (const auto& e : r.entries)
    out.push_back(e.get());
  return out;
}

std::string_view scheme_of(std::string_view url) {
  auto colon = url.find(':');
  return colon == std::string_view::npos ? std::string_view{} : url.substr(0, colon);
}

std::unique_ptr<store> open_store(std::string_view url) {
  store_url u(url);
  const backend_entry* entry = find_backend(u.scheme());
  if (!entry) {
    auto& r = the_registry();
    std::lock_guard<std::mutex> guard(r.m);
    u.fail("unknown scheme '" + u.scheme() + "' (known: " + r.known() + ")");
  }
  return entry->open(u);
}

uint64_t parse_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data())
    throw cache_error(errc::invalid_argument,
                      "size '" + std::string(text) + "' does not start with a whole number");
  std::string unit(end, text.data() + text.size());
  static const std::map<std::string, uint64_t> units = {{"", 1},
                                                        {"B", 1},
                                                        {"KB", 1000},
                                                        {"MB", 1000000},
                                                        {"GB", 1000000000},
                                                        {"TB", 1000000000000},
                                                        {"KiB", 1ull << 10},
                                                        {"MiB", 1ull << 20},
                                                        {"GiB", 1ull << 30},
                                                        {"TiB", 1ull << 40}};
  auto it = units.find(unit);
  if (it == units.end())
    throw cache_error(errc::invalid_argument, "size '" + std::string(text) +
                                                  "' has unknown unit '" + unit +
                                                  "' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  if (n > UINT64_MAX / it->second)
    throw cache_error(errc::invalid_argument, "size '" + std::string(text) + "' is too large");
  return n * it->second;
}

} // namespace ahvn
