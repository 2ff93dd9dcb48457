#pragma once

// Entries for the LMDB store's tests whose output carries a checksum of the rest, so a reader
// can tell a consistent entry from a torn or mixed one.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <string>

namespace ahvn::test {

/// FNV-1a of the payload, the version and the index.
inline uint64_t entry_checksum(const std::string& payload, int64_t version, int64_t i) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
  for (unsigned char c : payload)
    mix(c);
  for (int s = 0; s < 64; s += 8) {
    mix(static_cast<unsigned char>(static_cast<uint64_t>(version) >> s));
    mix(static_cast<unsigned char>(static_cast<uint64_t>(i) >> s));
  }
  return h;
}

/// An entry of `func` with inputs {"i": i} and output {"version", "i", "payload", "sum"}, the
/// payload `bytes` long and different for each (i, version).
inline keyed_entry checked_entry(const std::string& func, int i, int version, size_t bytes) {
  std::string payload(bytes, ' ');
  uint64_t x = static_cast<uint64_t>(i) * 2654435761u + static_cast<uint64_t>(version) * 40503u;
  for (auto& c : payload) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>('a' + (x >> 59));
  }
  json output = {{"version", version},
                 {"i", i},
                 {"sum", entry_checksum(payload, version, i)},
                 {"payload", std::move(payload)}};
  auto e = std::make_shared<cache_entry>(cache_entry::from_args(func, json{{"i", i}}, output));
  return {e->key(), e};
}

/// True if `o` is the output of a checked_entry and its checksum matches its fields.
inline bool value_is_consistent(const json& o) {
  if (!o.is_object() || !o.contains("payload") || !o.contains("version") || !o.contains("i") ||
      !o.contains("sum"))
    return false;
  return o["sum"].get<uint64_t>() == entry_checksum(o["payload"].get<std::string>(),
                                                    o["version"].get<int64_t>(),
                                                    o["i"].get<int64_t>());
}

/// True if `e` is a checked_entry whose checksum matches its fields.
inline bool entry_is_consistent(const cache_entry& e) {
  return e.output && value_is_consistent(*e.output) && e.inputs == json{{"i", (*e.output)["i"]}};
}

} // namespace ahvn::test
