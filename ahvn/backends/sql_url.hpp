#pragma once

// sql_url: the configuration of an SQL store (the seed's DatabaseCache(provider, database, ...))
// and its URL forms:
//
//   sqlite:PATH                                    a file (created if missing)
//   sqlite::memory:                                a private in-memory database
//   postgresql://user[:password]@host[:port]/db    (also postgres://)
//   mysql://user[:password]@host[:port]/db         (also mariadb://)
//
// User, password, host and database are percent-decoded ("p%40ss" is "p@ss"); a host may be an
// IPv6 address in brackets. The user part is optional (the client library's default user).
// A password never appears in a URL this project prints: to_url() leaves it out, and error
// messages show the URL with the password replaced by "***".
//
// Thread safety: plain values and pure functions.

#include <cstdint>
#include <string>
#include <string_view>

namespace ahvn {

/// Where an SQL store keeps its table. Defaults: host 127.0.0.1, port 0 (the provider's default:
/// 5432 or 3306); user and password empty (the client library's defaults).
struct sql_options {
  // (Every member has an initializer so that designated initializers stay warning-free.)
  std::string provider = {}; ///< "sqlite" | "postgresql" | "mysql" (MariaDB too).
  std::string database = {}; ///< sqlite: a file path or ":memory:"; servers: the database name.
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string user = {};
  std::string password = {};

  friend bool operator==(const sql_options&, const sql_options&) = default;
};

/// Parses one of the URL forms above. Throws cache_error(errc::invalid_url) naming the URL
/// (password hidden) and what is wrong with it: unknown scheme, missing "//", empty host or
/// database, a port that is not a number in 1-65535, a bad percent escape, a query string.
sql_options parse_sql_url(std::string_view url);

/// The URL of `opts`, WITHOUT the password: safe to print and log. parse_sql_url(to_url(o))
/// gives `o` back except for the password. Port 0 is left out.
std::string to_url(const sql_options& opts);

/// The connect string SOCI's back-end for `opts.provider` takes: a libpq conninfo (connect
/// timeout 5 s, UTF8), SOCI-MySQL's key=value form (connect timeout 5 s, utf8mb4), or
/// the SQLite path. HOLDS THE PASSWORD: never print it. Throws cache_error(errc::invalid_argument)
/// for an unknown provider or an SQLite path SOCI cannot take (with '=' and a space or '"').
std::string connection_string(const sql_options& opts);

/// `url` with the password part of "scheme://user:password@..." replaced by "***"; any other
/// text is returned unchanged. For messages about URLs that may not even parse.
std::string redact_url(std::string_view url);

} // namespace ahvn
