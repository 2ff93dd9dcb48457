// SQL store URLs: parsing, printing without the password, and a clear error for each malformed
// form.

#include "ahvn/backends/sql_url.hpp"
#include "ahvn/messages/error.hpp"

#include <catch2/catch.hpp>

namespace ahvn {

namespace {

// The message of the invalid_url error that parsing `url` throws.
std::string url_error(const std::string& url) {
  try {
    parse_sql_url(url);
  } catch (const cache_error& ex) {
    CHECK(ex.code() == errc::invalid_url);
    return ex.message();
  }
  FAIL("'" << url << "' parsed");
  return {};
}

} // namespace

TEST_CASE("sql url: the documented forms parse", "[sql][url]") {
  auto o = parse_sql_url("sqlite:/var/cache/ahvn.db");
  CHECK(o.provider == "sqlite");
  CHECK(o.database == "/var/cache/ahvn.db");
  CHECK(parse_sql_url("sqlite:relative/cache.db").database == "relative/cache.db");
  CHECK(parse_sql_url("sqlite::memory:").database == ":memory:");
  CHECK(parse_sql_url("sqlite:/tmp/with%20space.db").database == "/tmp/with space.db");

  o = parse_sql_url("postgresql://alice:p%40ss%3Aw%2Fd%25@db.example.com:6543/cache");
  CHECK(o.provider == "postgresql");
  CHECK(o.user == "alice");
  CHECK(o.password == "p@ss:w/d%");
  CHECK(o.host == "db.example.com");
  CHECK(o.port == 6543);
  CHECK(o.database == "cache");

  o = parse_sql_url("postgres://bob@10.0.0.1/db");
  CHECK(o.provider == "postgresql");
  CHECK(o.user == "bob");
  CHECK(o.password.empty());
  CHECK(o.port == 0);

  o = parse_sql_url("mysql://carol:secret@127.0.0.1:3307/ahvn");
  CHECK(o.provider == "mysql");
  CHECK(o.password == "secret");
  CHECK(o.port == 3307);
  CHECK(parse_sql_url("mariadb://u@h/d").provider == "mysql");

  o = parse_sql_url("postgresql://u@[::1]:5433/d");
  CHECK(o.host == "::1");
  CHECK(o.port == 5433);
  // A password with an unescaped '@': the last '@' ends the user part.
  CHECK(parse_sql_url("mysql://u:a@b@h/d").password == "a@b");
  // The user is optional (the client's default user).
  CHECK(parse_sql_url("postgresql://localhost/db").user.empty());
}

TEST_CASE("sql url: to_url never includes the password and parses back", "[sql][url]") {
  for (std::string url : {"postgresql://alice:p%40ss@db.example.com:6543/cache",
                          "mysql://carol:secret@127.0.0.1/ahvn", "postgresql://u:x@[::1]:5433/d",
                          "mysql://we%20ird:pw@h/d%2Fb", "sqlite:/tmp/with%20space.db",
                          "sqlite::memory:", "sqlite:rel/a.db"}) {
    INFO(url);
    auto o = parse_sql_url(url);
    auto printed = to_url(o);
    if (!o.password.empty()) CHECK(printed.find(o.password) == std::string::npos);
    auto back = parse_sql_url(printed);
    o.password.clear();
    CHECK(back == o);
  }
  CHECK(to_url(parse_sql_url("postgresql://alice:pw@h:1/db")) == "postgresql://alice@h:1/db");
  CHECK(to_url(parse_sql_url("postgres://h/db")) == "postgresql://h/db");
  CHECK(to_url({.provider = "sqlite", .database = "/a b/c%.db"}) == "sqlite:/a%20b/c%25.db");
}

TEST_CASE("sql url: each malformed form is a clear invalid_url error", "[sql][url]") {
  CHECK(url_error("redis://h/db").find("unknown scheme 'redis'") != std::string::npos);
  CHECK(url_error("cache.db").find("no scheme") != std::string::npos);
  CHECK(url_error(":memory:").find("no scheme") != std::string::npos);
  CHECK(url_error("sqlite:").find("no database file") != std::string::npos);
  CHECK(url_error("postgresql:h/db").find("expected '//'") != std::string::npos);
  CHECK(url_error("postgresql://u@h").find("no database name") != std::string::npos);
  CHECK(url_error("postgresql://u@h/").find("empty database name") != std::string::npos);
  CHECK(url_error("mysql://u@h/a/b").find("contains '/'") != std::string::npos);
  CHECK(url_error("postgresql://u@/db").find("no host") != std::string::npos);
  CHECK(url_error("postgresql://@h/db").find("empty user name") != std::string::npos);
  CHECK(url_error("postgresql://u@h:abc/db").find("port 'abc' is not a number in 1-65535") !=
        std::string::npos);
  CHECK(url_error("postgresql://u@h:0/db").find("port '0'") != std::string::npos);
  CHECK(url_error("mysql://u@h:70000/db").find("port '70000'") != std::string::npos);
  CHECK(url_error("mysql://u@h:/db").find("empty port") != std::string::npos);
  CHECK(url_error("postgresql://u@[::1/db").find("unterminated '['") != std::string::npos);
  CHECK(url_error("postgresql://u@h/db?sslmode=require").find("query strings") !=
        std::string::npos);
  CHECK(url_error("postgresql://u%zz@h/db").find("bad percent escape in the user name") !=
        std::string::npos);
  CHECK(url_error("sqlite:/tmp/a%2").find("bad percent escape in the file path") !=
        std::string::npos);
  // The error names the URL, but never its password.
  auto message = url_error("postgresql://u:topsecret@h:bad/db");
  CHECK(message.find("postgresql://u:***@h:bad/db") != std::string::npos);
  CHECK(message.find("topsecret") == std::string::npos);
}

TEST_CASE("sql url: redact_url hides only the password", "[sql][url]") {
  CHECK(redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_url("postgresql://u@h/db") == "postgresql://u@h/db");
  CHECK(redact_url("sqlite:/a:b@c") == "sqlite:/a:b@c");
  CHECK(redact_url("mysql://u:p@ss@h/db") == "mysql://u:***@h/db");
}

} // namespace ahvn
