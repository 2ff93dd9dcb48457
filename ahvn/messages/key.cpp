#include "ahvn/messages/key.hpp"

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/md5.hpp"

namespace ahvn {

namespace {

// Divides the 128-bit value (hi, lo) by 10 in place and returns the remainder.
uint32_t divmod10(uint64_t& hi, uint64_t& lo) {
  unsigned __int128 v = (static_cast<unsigned __int128>(hi) << 64) | lo;
  auto r = static_cast<uint32_t>(v % 10);
  v /= 10;
  hi = static_cast<uint64_t>(v >> 64);
  lo = static_cast<uint64_t>(v);
  return r;
}

} // namespace

key key::from_bytes(const std::array<uint8_t, 16>& b) {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) {
    hi = (hi << 8) | b[i];
    lo = (lo << 8) | b[8 + i];
  }
  return {hi, lo};
}

std::optional<key> key::parse(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  unsigned __int128 v = 0;
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<unsigned>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return key{static_cast<uint64_t>(v >> 64), static_cast<uint64_t>(v)};
}

std::array<uint8_t, 16> key::bytes() const {
  std::array<uint8_t, 16> b;
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi_ >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(lo_ >> (56 - 8 * i));
  }
  return b;
}

std::string key::to_string() const {
  char buf[40];
  size_t pos = sizeof(buf);
  uint64_t hi = hi_, lo = lo_;
  do {
    buf[--pos] = static_cast<char>('0' + divmod10(hi, lo));
  } while (hi != 0 || lo != 0);
  return std::string(buf + pos, sizeof(buf) - pos);
}

std::string key::to_padded() const {
  auto s = to_string();
  return std::string(40 - s.size(), '0') + s;
}

key hash_key_text(std::string_view canonical_inputs, std::string_view canonical_func) {
  md5 h;
  h.update(canonical_inputs);
  h.update("||");
  h.update(canonical_func);
  return key::from_bytes(h.finish());
}

key key_of_canonical(std::string_view canonical_inputs, std::string_view func) {
  std::string f;
  f.reserve(func.size() + 2);
  dump_canonical_string(f, func);
  return hash_key_text(canonical_inputs, f);
}

key compute_key(std::string_view func, const json& inputs) {
  if (!inputs.is_object())
    throw cache_error(errc::invalid_inputs, std::string("inputs of '") + std::string(func) +
                                                "' must be a JSON object, got " +
                                                inputs.type_name());
  if (auto problem = utf8_problem(func); !problem.empty())
    throw cache_error(errc::invalid_utf8, "function name: " + problem);
  std::string text;
  text.reserve(64);
  dump_canonical(text, inputs);
  return key_of_canonical(text, func);
}

} // namespace ahvn
