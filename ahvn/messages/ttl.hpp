#pragma once

// Time to live. An entry asks for one with metadata "ttl" (or, as the guide's section 5.5
// writes it, metadata.annotation.ttl): a number of seconds, or text such as "250ms", "30s",
// "15m", "1h", "2d" (a decimal number then a unit). When a cache stores such an entry it writes
// metadata "expires_at" (Unix seconds) from its clock; from then on the entry is a miss once
// that time has come, and the owning actor's periodic sweep removes it.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/clock.hpp"

#include <chrono>
#include <optional>

namespace ahvn {

/// Parses a TTL (see above). Throws cache_error(errc::invalid_argument) naming the text when it
/// is not one, or is negative.
std::chrono::milliseconds parse_ttl(const json& ttl);

/// The TTL an entry asks for: metadata.ttl, else metadata.annotation.ttl; nullopt if neither.
/// Throws like parse_ttl.
std::optional<std::chrono::milliseconds> requested_ttl(const cache_entry& e);

/// The entry's expiry from metadata.expires_at, or nullopt.
std::optional<time_point> expires_at(const cache_entry& e);

/// The same in Unix milliseconds; 0 when the entry never expires.
int64_t expires_at_ms(const cache_entry& e);

/// If the entry asks for a TTL and has no expires_at yet, sets expires_at = now + TTL.
/// Returns true if it changed the entry.
bool stamp_expiry(cache_entry& e, time_point now);

/// True if the entry has an expiry that is not after `now`.
bool expired(const cache_entry& e, time_point now);

} // namespace ahvn
