#pragma once

// lmdb_records: how lmdb_store lays its records out in LMDB. INTERNAL: include it only from the
// lmdb_*.cpp files (it sees lmdb.h).
//
// Database "entries": key::bytes() -> [format byte 1][write sequence, 8 bytes big-endian]
// [encode_entry() bytes]. Database "order": write sequence (8 bytes big-endian) -> key bytes,
// the write order eviction follows. Sequences are allocated inside the write transaction, so
// every process agrees on them. Functions returning int return LMDB's code (0: success) so the
// caller can react to MDB_MAP_FULL; the others throw through fail().

#include "ahvn/backends/lmdb_env.hpp"
#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/key.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <lmdb.h>

namespace ahvn::lmdb_detail {

constexpr uint8_t value_format = 1; ///< The first byte of every stored value.
constexpr size_t header_size = 9;   ///< Format byte and write sequence.
/// Besides the encoded entry, about what one entry costs in both databases (key, header, node
/// headers, the order record): for the up-front size check and eviction targets.
constexpr uint64_t per_entry_overhead = 16 + header_size + 16 + 8 + 16 + 16;

inline void write_be64(unsigned char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8)
    p[i] = static_cast<unsigned char>(v);
}

inline uint64_t read_be64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

/// The write sequence in a stored value's header, or nullopt if the header is not ours.
std::optional<uint64_t> stored_seq(const MDB_val& v);

/// The key whose 16 bytes `v` holds. REQUIRES: v.mv_size == 16.
key key_of(const MDB_val& v);

/// Reports a stored value that cannot be read (a warning naming the store and key), counts it.
void report_unreadable(const std::string& url, const key& k, const std::string& problem,
                       std::atomic<uint64_t>& errors);

/// The encoded entry inside a stored value (after our header), or nullopt if the header is not
/// ours.
std::optional<std::string_view> body_of(const MDB_val& v);

/// Reads encode_entry()'s header of a stored value without decoding it; false if the bytes are
/// not in that format.
bool view_value(const MDB_val& v, encoded_view& view);

/// True if the header says the entry expired at `now_ms` (Unix milliseconds).
inline bool expired_at(const encoded_view& view, int64_t now_ms) {
  return view.expires_at_ms != 0 && view.expires_at_ms <= now_ms;
}

/// Decodes a stored value straight from the mapped bytes; an undecodable value is reported,
/// counted, and returned as nullopt.
std::optional<cache_entry> decode_value(const MDB_val& v, const key& k, const std::string& url,
                                        std::atomic<uint64_t>& errors);

/// Looks `k` up in `txn`: true with `v` pointing into the map, false if absent.
bool find(const shared_env& env, MDB_txn* txn, const key& k, MDB_val& v);

/// The entry under `k` in `txn`, or nullopt (absent or undecodable, reported).
std::optional<cache_entry> load(const shared_env& env, MDB_txn* txn, const key& k,
                                std::atomic<uint64_t>& errors);

/// The function name of a stored value, read from encode_entry()'s header without decoding;
/// nullopt if the bytes are not in that format (the caller then decodes, and reports).
std::optional<std::string_view> peek_func(const MDB_val& v);

/// Puts `c` (on "entries") on the first entry after `after`, or the first entry when unset.
int position(MDB_cursor* c, const std::optional<key>& after, MDB_val& k, MDB_val& v);

/// The next write sequence number: one past the newest in `order`.
int next_seq(MDB_txn* txn, MDB_dbi order, uint64_t& seq);

/// Removes the order record of the stored value `v`, if it has one.
int drop_order_record(MDB_txn* txn, MDB_dbi order, const MDB_val& v);

/// Stores `encoded` under `k` with sequence `seq`, replacing any entry there and its order
/// record, and adds the new order record.
int put_record(const shared_env& env, MDB_txn* txn, const key& k, const std::string& encoded,
               uint64_t seq);

} // namespace ahvn::lmdb_detail
