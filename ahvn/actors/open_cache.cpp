#include "ahvn/actors/open_cache.hpp"

#include "ahvn/actors/database_cache.hpp"
#include "ahvn/actors/disk_cache.hpp"
#include "ahvn/actors/in_mem_cache.hpp"
#include "ahvn/actors/json_cache.hpp"
#include "ahvn/actors/no_cache.hpp"
#include "ahvn/messages/error.hpp"

#include <charconv>
#include <map>
#include <string>

namespace ahvn {

namespace {

[[noreturn]] void bad_url(std::string_view url, const std::string& why) {
  throw cache_error(errc::invalid_url, "cache URL '" + redact_url(url) + "': " + why);
}

struct parsed_url {
  std::string scheme; // "mem", "lmdb", ...
  std::string path;   // what follows "scheme:"
  std::map<std::string, std::string> options;
};

parsed_url split(std::string_view url) {
  parsed_url out;
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0)
    bad_url(url, "expected SCHEME:..., e.g. mem:, lmdb:/var/cache/app, sqlite:cache.db");
  out.scheme = std::string(url.substr(0, colon));
  auto rest = url.substr(colon + 1);
  auto q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (q == std::string_view::npos) return out;
  auto query = rest.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      bad_url(url, "option '" + std::string(item) + "' is not NAME=VALUE");
    out.options[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return out;
}

// Takes the option `name` out of `u` (so that leftovers can be reported as unknown).
std::optional<std::string> take(parsed_url& u, const char* name) {
  auto it = u.options.find(name);
  if (it == u.options.end()) return std::nullopt;
  auto v = it->second;
  u.options.erase(it);
  return v;
}

bool parse_bool(std::string_view url, const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  bad_url(url, "option " + name + "=" + v + " is not true or false");
}

uint64_t size_option(std::string_view url, const std::string& name, const std::string& v) {
  try {
    return parse_size(v);
  } catch (const cache_error& e) {
    bad_url(url, "option " + name + ": " + e.message());
  }
}

void no_leftovers(std::string_view url, const parsed_url& u) {
  if (!u.options.empty())
    bad_url(url, "unknown option '" + u.options.begin()->first + "' for " + u.scheme + ":");
}

cache open(caf::actor_system* sys, std::string_view url, cache_options opts) {
  auto u = split(url);
  if (u.scheme == "mem") {
    if (!u.path.empty()) bad_url(url, "mem: takes no path");
    memory_limits limits;
    if (auto v = take(u, "max_entries")) limits.max_entries = size_option(url, "max_entries", *v);
    if (auto v = take(u, "max_bytes")) limits.max_bytes = size_option(url, "max_bytes", *v);
    no_leftovers(url, u);
    return sys ? in_mem_cache(*sys, std::move(opts), limits)
               : in_mem_cache(std::move(opts), limits);
  }
  if (u.scheme == "none") {
    if (!u.path.empty()) bad_url(url, "none: takes no path");
    no_leftovers(url, u);
    return sys ? no_cache(*sys, std::move(opts)) : no_cache(std::move(opts));
  }
  if (u.scheme == "lmdb") {
    if (u.path.empty()) bad_url(url, "lmdb: needs a directory, e.g. lmdb:/var/cache/app");
    lmdb_options lo;
    if (auto v = take(u, "size_limit")) lo.size_limit = size_option(url, "size_limit", *v);
    if (auto v = take(u, "initial_map_size"))
      lo.initial_map_size = size_option(url, "initial_map_size", *v);
    if (auto v = take(u, "durable")) lo.durable = parse_bool(url, "durable", *v);
    no_leftovers(url, u);
    return sys ? disk_cache(*sys, u.path, lo, std::move(opts))
               : disk_cache(u.path, lo, std::move(opts));
  }
  if (u.scheme == "json") {
    if (u.path.empty()) bad_url(url, "json: needs a directory, e.g. json:/tmp/json_cache");
    json_store_options jo;
    if (auto v = take(u, "durable")) jo.durable = parse_bool(url, "durable", *v);
    no_leftovers(url, u);
    return sys ? json_cache(*sys, u.path, jo, std::move(opts))
               : json_cache(u.path, jo, std::move(opts));
  }
  if (u.scheme == "sqlite" || u.scheme == "postgresql" || u.scheme == "postgres" ||
      u.scheme == "mysql" || u.scheme == "mariadb") {
    auto db = parse_sql_url(url);
    return sys ? database_cache(*sys, std::move(db), std::move(opts))
               : database_cache(std::move(db), std::move(opts));
  }
  bad_url(url, "unknown scheme '" + u.scheme +
                   "' (known: mem, none, lmdb, json, sqlite, postgresql, mysql)");
}

} // namespace

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

cache open_cache(std::string_view url, cache_options opts) {
  return open(nullptr, url, std::move(opts));
}

cache open_cache(caf::actor_system& sys, std::string_view url, cache_options opts) {
  return open(&sys, url, std::move(opts));
}

} // namespace ahvn
