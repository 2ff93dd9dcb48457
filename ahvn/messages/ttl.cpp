#include "ahvn/messages/ttl.hpp"

#include "ahvn/messages/error.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace ahvn {

namespace {

[[noreturn]] void bad_ttl(const json& ttl, const std::string& why) {
  throw cache_error(errc::invalid_argument,
                    "ttl " + ttl.dump() + " is not a duration: " + why +
                        " (use seconds, or a number with ms, s, m, h or d, e.g. \"15m\")");
}

std::chrono::milliseconds from_seconds(double s, const json& ttl) {
  if (!std::isfinite(s) || s < 0) bad_ttl(ttl, "it must be a finite number of seconds, at least 0");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(s * 1000.0)));
}

} // namespace

std::chrono::milliseconds parse_ttl(const json& ttl) {
  if (ttl.is_number()) return from_seconds(ttl.get<double>(), ttl);
  if (!ttl.is_string())
    bad_ttl(ttl, std::string("a ") + ttl.type_name() + " is neither a number nor text");
  const auto& text = ttl.get_ref<const std::string&>();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) bad_ttl(ttl, "it does not start with a number");
  std::string unit(end, text.data() + text.size());
  double scale;
  if (unit == "ms")
    scale = 0.001;
  else if (unit.empty() || unit == "s")
    scale = 1;
  else if (unit == "m")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  else
    bad_ttl(ttl, "unknown unit '" + unit + "'");
  return from_seconds(value * scale, ttl);
}

std::optional<std::chrono::milliseconds> requested_ttl(const cache_entry& e) {
  if (auto t = e.metadata.find("ttl"); t != e.metadata.end() && !t->is_null()) return parse_ttl(*t);
  if (auto a = e.metadata.find("annotation"); a != e.metadata.end() && a->is_object())
    if (auto t = a->find("ttl"); t != a->end() && !t->is_null()) return parse_ttl(*t);
  return std::nullopt;
}

int64_t expires_at_ms(const cache_entry& e) {
  auto x = e.metadata.find("expires_at");
  if (x == e.metadata.end() || !x->is_number()) return 0;
  return static_cast<int64_t>(std::llround(x->get<double>() * 1000.0));
}

std::optional<time_point> expires_at(const cache_entry& e) {
  auto ms = expires_at_ms(e);
  if (ms == 0) return std::nullopt;
  return time_point{std::chrono::milliseconds(ms)};
}

bool stamp_expiry(cache_entry& e, time_point now) {
  if (e.metadata.contains("expires_at")) return false;
  auto ttl = requested_ttl(e);
  if (!ttl) return false;
  e.metadata["expires_at"] = static_cast<double>(unix_ms(now + *ttl)) / 1000.0;
  return true;
}

bool expired(const cache_entry& e, time_point now) {
  auto at = expires_at(e);
  return at && *at <= now;
}

} // namespace ahvn
