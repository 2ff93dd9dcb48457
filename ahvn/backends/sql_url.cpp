#include "ahvn/backends/sql_url.hpp"

#include "ahvn/messages/error.hpp"

#include <charconv>

namespace ahvn {

namespace {

constexpr int connect_timeout_s = 5;

[[noreturn]] void bad_url(std::string_view url, const std::string& problem) {
  throw cache_error(errc::invalid_url, "bad SQL URL '" + redact_url(url) + "': " + problem);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `part` (the URL's `what`); a '%' not followed by two hex digits is an error.
std::string decode(std::string_view url, std::string_view part, std::string_view what) {
  std::string out;
  out.reserve(part.size());
  for (size_t i = 0; i < part.size(); ++i) {
    if (part[i] != '%') {
      out.push_back(part[i]);
      continue;
    }
    int hi = i + 1 < part.size() ? hex_value(part[i + 1]) : -1;
    int lo = i + 2 < part.size() ? hex_value(part[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      bad_url(url, "bad percent escape in the " + std::string(what) + " at '" +
                       std::string(part.substr(i, 3)) + "' (expected %XX)");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Percent-encodes every byte outside the unreserved set and `keep`.
std::string encode(std::string_view s, std::string_view keep = {}) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~' ||
                 keep.find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

// A value in a libpq conninfo or SOCI-MySQL connect string: quoted, \ and ' escaped.
std::string quoted(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string canonical_provider(std::string_view scheme) {
  if (scheme == "sqlite") return "sqlite";
  if (scheme == "postgresql" || scheme == "postgres") return "postgresql";
  if (scheme == "mysql" || scheme == "mariadb") return "mysql";
  return {};
}

sql_options parse_server_url(std::string_view url, std::string provider, std::string_view rest) {
  sql_options o;
  o.provider = std::move(provider);
  if (rest.substr(0, 2) != "//")
    bad_url(url, "expected '//' after '" + o.provider + ":' (" + o.provider +
                     "://user[:password]@host[:port]/database)");
  rest.remove_prefix(2);
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos)
    bad_url(url, "query strings and fragments are not supported ('" +
                     std::string(rest.substr(q, 1)) + "...')");
  auto slash = rest.find('/');
  if (slash == std::string_view::npos)
    bad_url(url, "no database name (expected .../database after the host)");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  if (path.empty()) bad_url(url, "empty database name");
  if (path.find('/') != std::string_view::npos) bad_url(url, "the database name contains '/'");
  o.database = decode(url, path, "database name");

  std::string_view hostport = authority;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    if (user.empty()) bad_url(url, "empty user name before '@'");
    o.user = decode(url, user, "user name");
    if (colon != std::string_view::npos)
      o.password = decode(url, userinfo.substr(colon + 1), "password");
  }

  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) bad_url(url, "unterminated '[' in the host");
    host = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(url, "unexpected text after ']' in the host");
      port = after.substr(1);
      if (port.empty()) bad_url(url, "empty port after ':'");
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.empty()) bad_url(url, "empty port after ':'");
  }
  if (host.empty()) bad_url(url, "no host");
  o.host = decode(url, host, "host");
  if (!port.empty()) {
    unsigned value = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 || value > 65535)
      bad_url(url, "port '" + std::string(port) + "' is not a number in 1-65535");
    o.port = static_cast<uint16_t>(value);
  }
  return o;
}

} // namespace

sql_options parse_sql_url(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0)
    bad_url(url, "no scheme (expected sqlite:PATH, postgresql://... or mysql://...)");
  std::string_view scheme = url.substr(0, colon);
  std::string_view rest = url.substr(colon + 1);
  std::string provider = canonical_provider(scheme);
  if (provider.empty())
    bad_url(url, "unknown scheme '" + std::string(scheme) +
                     "' (expected sqlite, postgresql, postgres, mysql or mariadb)");
  if (provider != "sqlite") return parse_server_url(url, std::move(provider), rest);
  sql_options o;
  o.provider = "sqlite";
  if (rest.empty()) bad_url(url, "no database file (expected sqlite:PATH or sqlite::memory:)");
  o.database = rest == ":memory:" ? std::string(rest) : decode(url, rest, "file path");
  return o;
}

std::string to_url(const sql_options& o) {
  if (o.provider == "sqlite")
    return "sqlite:" +
           (o.database == ":memory:" ? o.database : encode(o.database, "/:+,;=@!$&'()*"));
  std::string out = o.provider + "://";
  if (!o.user.empty()) out += encode(o.user) + "@";
  if (o.host.find(':') != std::string::npos)
    out += "[" + o.host + "]";
  else
    out += encode(o.host);
  if (o.port != 0) out += ":" + std::to_string(o.port);
  out += "/" + encode(o.database);
  return out;
}

std::string connection_string(const sql_options& o) {
  std::string s;
  auto add = [&](std::string_view name, std::string_view value) {
    s.append(s.empty() ? "" : " ").append(name).append("=").append(quoted(value));
  };
  std::string provider = canonical_provider(o.provider);
  if (provider == "sqlite") {
    // SOCI's SQLite back-end takes a bare path when it holds no '='.
    if (o.database.find('=') == std::string::npos) return o.database;
    if (o.database.find_first_of("\" ") != std::string::npos)
      throw cache_error(errc::invalid_argument,
                        "sqlite:" + o.database + ": a path with '=' may not hold spaces or '\"'");
    return "db=" + o.database;
  }
  if (provider == "postgresql") {
    add("host", o.host);
    if (o.port) add("port", std::to_string(o.port));
    add("dbname", o.database);
    if (!o.user.empty()) add("user", o.user);
    if (!o.password.empty()) add("password", o.password);
    add("connect_timeout", std::to_string(connect_timeout_s));
    add("client_encoding", "UTF8");
    add("application_name", "ahvn-cache");
    return s;
  }
  if (provider == "mysql") {
    add("host", o.host);
    if (o.port) add("port", std::to_string(o.port));
    add("db", o.database);
    if (!o.user.empty()) add("user", o.user);
    if (!o.password.empty()) add("password", o.password);
    add("connect_timeout", std::to_string(connect_timeout_s));
    add("charset", "utf8mb4");
    return s;
  }
  throw cache_error(errc::invalid_argument, "unknown SQL provider '" + o.provider +
                                                "' (expected sqlite, postgresql or mysql)");
}

std::string redact_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t start = scheme_end + 3;
  size_t end = url.find('/', start);
  if (end == std::string_view::npos) end = url.size();
  std::string_view authority = url.substr(start, end - start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  auto colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  std::string out(url.substr(0, start + colon + 1));
  out += "***";
  out += url.substr(start + at);
  return out;
}

} // namespace ahvn
