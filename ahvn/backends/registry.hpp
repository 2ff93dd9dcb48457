#pragma once

// registry: every backend by its URL scheme — how `lmdb:/var/cache/app?size_limit=1GiB` becomes
// a store. One entry per backend maps its schemes to its options parser and its store factory;
// what the store then is (does it block, is it durable, does it keep anything) it says itself
// (store::traits(), store::reader()). open_cache(), cachectl, cache-node, the benchmark and the
// tests' factories all open stores here, so adding a backend is its store pair, one entry in
// registry.cpp, its tests and its README row (README "Adding a backend").
//
//   mem:?max_entries=N&max_bytes=SIZE         memory_store
//   none:                                     null_store
//   lmdb:PATH?size_limit=SIZE&initial_map_size=SIZE&durable=BOOL
//   json:PATH?durable=BOOL
//   sqlite:PATH, sqlite::memory:, postgresql://user[:password]@host[:port]/db (postgres://),
//   mysql://user[:password]@host[:port]/db (mariadb://)
//
// SIZE is a number of bytes with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB,
// MiB, GiB, TiB (powers of 1024). BOOL is true|false|1|0|yes|no.
//
// Errors: a malformed URL, an unknown scheme or option, or a bad option value throws
// cache_error(errc::invalid_url) naming the URL (never its password) and the problem; a store
// that cannot open throws its own error (errc::backend_failure, errc::unreachable, ...).
//
// Thread safety: lookups and open_store() may run on any thread; add_backend() must not race
// with them (register your backends at start-up).

#include "ahvn/backends/store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ahvn {

/// A cache URL split into SCHEME:PATH?NAME=VALUE&...; an entry's parser takes its options out
/// one by one, and finish() reports whatever is left as unknown.
class store_url {
public:
  /// Splits `url`. Throws cache_error(errc::invalid_url) if it has no scheme (a malformed
  /// option throws when options are first taken).
  explicit store_url(std::string_view url);

  const std::string& text() const { return text_; }     ///< the URL as given
  const std::string& scheme() const { return scheme_; } ///< "lmdb", "mem", ...
  const std::string& path() const { return path_; }     ///< what follows "scheme:", sans options

  /// Takes option `name` out; nullopt if it is absent.
  std::optional<std::string> take(const char* name);
  /// Takes a SIZE option; `fallback` if it is absent.
  uint64_t take_size(const char* name, uint64_t fallback);
  /// Takes a BOOL option; `fallback` if it is absent.
  bool take_bool(const char* name, bool fallback);
  /// Throws if an option is left that no parser took.
  void finish();
  /// Throws cache_error(errc::invalid_url) naming the URL (password hidden) and `why`.
  [[noreturn]] void fail(const std::string& why) const;

private:
  void parse_options();

  std::string text_;
  std::string scheme_;
  std::string path_;
  std::map<std::string, std::string> options_;
  bool parsed_ = false;
};

/// One backend: its schemes, how its URL reads, and how its store opens.
struct backend_entry {
  std::vector<std::string> schemes; ///< the first is its name; the others are aliases
  std::string usage;                ///< the URL form, for help and errors
  /// PATH names a local file or directory that opening creates when it is missing (tools that
  /// only read check that it exists first).
  bool creates_path = false;
  /// Parses the options (take..., then finish()) and opens the store. Throws cache_error.
  std::function<std::unique_ptr<store>(store_url&)> open;
};

/// Registers a backend of your own. Throws cache_error(errc::invalid_argument) if it has no
/// scheme, no open function, or a scheme that is taken.
void add_backend(backend_entry entry);

/// The backend of `scheme`, or nullptr.
const backend_entry* find_backend(std::string_view scheme);

/// Every registered backend, the built-in ones first.
std::vector<const backend_entry*> backends();

/// Opens the store `url` names (see the forms above).
std::unique_ptr<store> open_store(std::string_view url);

/// The scheme of `url` (what precedes the first ':'), or empty.
std::string_view scheme_of(std::string_view url);

/// Parses a SIZE ("32GiB", "100MB", "4096"). Throws cache_error(errc::invalid_argument).
uint64_t parse_size(std::string_view text);

} // namespace ahvn
