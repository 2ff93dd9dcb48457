#pragma once

// The 128-bit cache key, byte for byte the key AgentHeaven computes:
//
//   key = int(md5(canon(inputs) + "||" + canon(func)).hexdigest(), 16)
//
// where canon is messages/json.hpp's canonical(). Its text forms are the decimal number and the
// 40-digit zero-padded decimal AgentHeaven uses for file names and database ids (fmt_hash).
// A key is a plain value: copy it freely between threads.

#include "ahvn/messages/json.hpp"

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ahvn {

class key {
public:
  constexpr key() = default;
  constexpr key(uint64_t hi, uint64_t lo) : hi_(hi), lo_(lo) {}

  /// The key whose value is the 16 digest bytes read as one big-endian number.
  static key from_bytes(const std::array<uint8_t, 16>& bytes);

  /// Parses a decimal key: up to 39 significant digits, leading zeros allowed (so the 40-digit
  /// form parses too). Returns nullopt on anything else, including values of 2^128 or more.
  static std::optional<key> parse(std::string_view decimal);

  constexpr uint64_t hi() const { return hi_; }
  constexpr uint64_t lo() const { return lo_; }

  /// The key as 16 big-endian bytes: byte order equals numeric order.
  std::array<uint8_t, 16> bytes() const;
  /// Decimal text without padding, as Python prints the int.
  std::string to_string() const;
  /// The 40-digit zero-padded decimal (AgentHeaven's fmt_hash): file names and row ids.
  std::string to_padded() const;

  friend constexpr auto operator<=>(const key&, const key&) = default;

private:
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
};

/// Computes the key of `func` called with `inputs`. `inputs` must be a JSON object.
/// Throws cache_error: errc::invalid_inputs when it is not, errc::invalid_utf8 naming the path
/// of a string that is not UTF-8.
key compute_key(std::string_view func, const json& inputs);

/// Computes a key from the canonical text of the inputs object, already written.
key key_of_canonical(std::string_view canonical_inputs, std::string_view func);

/// The formula itself, which every key of this project goes through: md5(canonical_inputs +
/// "||" + canonical_func), where canonical_func is the function name as a canonical JSON string
/// (quotes included: `"add"`).
key hash_key_text(std::string_view canonical_inputs, std::string_view canonical_func);

} // namespace ahvn

template <>
struct std::hash<ahvn::key> {
  size_t operator()(const ahvn::key& k) const noexcept {
    // MD5 output is uniform: mixing the halves is enough.
    return static_cast<size_t>(k.lo() ^ (k.hi() * 0x9E3779B97F4A7C15ull));
  }
};
