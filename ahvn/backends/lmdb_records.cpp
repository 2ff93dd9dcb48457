#include "ahvn/backends/lmdb_records.hpp"

#include "ahvn/messages/log.hpp"

#include <cstring>

namespace ahvn::lmdb_detail {

std::optional<uint64_t> stored_seq(const MDB_val& v) {
  auto* p = static_cast<const unsigned char*>(v.mv_data);
  if (v.mv_size < header_size || p[0] != value_format) return std::nullopt;
  return read_be64(p + 1);
}

key key_of(const MDB_val& v) {
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), v.mv_data, 16);
  return key::from_bytes(b);
}

void report_unreadable(const std::string& url, const key& k, const std::string& problem,
                       std::atomic<uint64_t>& errors) {
  errors.fetch_add(1, std::memory_order_relaxed);
  log::warning(url + ": key " + k.to_string() + ": " + problem + "; treated as absent");
}

std::optional<std::string_view> body_of(const MDB_val& v) {
  if (!stored_seq(v)) return std::nullopt;
  return std::string_view(static_cast<const char*>(v.mv_data) + header_size,
                          v.mv_size - header_size);
}

bool view_value(const MDB_val& v, encoded_view& view) {
  auto body = body_of(v);
  return body && view_encoded(*body, view);
}

std::optional<cache_entry> decode_value(const MDB_val& v, const key& k, const std::string& url,
                                        std::atomic<uint64_t>& errors) {
  auto body = body_of(v);
  if (!body) {
    report_unreadable(
        url, k, "stored value of " + std::to_string(v.mv_size) + " bytes has an unknown header",
        errors);
    return std::nullopt;
  }
  try {
    return decode_entry(*body, "stored value");
  } catch (const cache_error& e) {
    report_unreadable(url, k, e.message(), errors);
    return std::nullopt;
  }
}

bool find(const shared_env& env, MDB_txn* txn, const key& k, MDB_val& v) {
  auto kb = k.bytes();
  MDB_val kv{kb.size(), kb.data()};
  int rc = mdb_get(txn, env.entries(), &kv, &v);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, env.url(), "get");
  return true;
}

std::optional<cache_entry> load(const shared_env& env, MDB_txn* txn, const key& k,
                                std::atomic<uint64_t>& errors) {
  MDB_val v;
  if (!find(env, txn, k, v)) return std::nullopt;
  return decode_value(v, k, env.url(), errors);
}

std::optional<std::string_view> peek_func(const MDB_val& v) {
  encoded_view view;
  if (!view_value(v, view)) return std::nullopt;
  return view.func;
}

int position(MDB_cursor* c, const std::optional<key>& after, MDB_val& k, MDB_val& v) {
  if (!after) return mdb_cursor_get(c, &k, &v, MDB_FIRST);
  auto b = after->bytes();
  k = {b.size(), b.data()};
  int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
  if (rc == 0 && k.mv_size == b.size() && std::memcmp(k.mv_data, b.data(), b.size()) == 0)
    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
  return rc;
}

int next_seq(MDB_txn* txn, MDB_dbi order, uint64_t& seq) {
  MDB_cursor* c;
  int rc = mdb_cursor_open(txn, order, &c);
  if (rc != 0) return rc;
  MDB_val k, v;
  rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND) {
    seq = 1;
    return 0;
  }
  if (rc == 0) seq = read_be64(static_cast<const unsigned char*>(k.mv_data)) + 1;
  return rc;
}

int drop_order_record(MDB_txn* txn, MDB_dbi order, const MDB_val& v) {
  auto seq = stored_seq(v);
  if (!seq)
    return 0; // an undecodable header: its order record, if any, goes stale (eviction skips it)
  unsigned char sb[8];
  write_be64(sb, *seq);
  MDB_val sk{sizeof sb, sb};
  int rc = mdb_del(txn, order, &sk, nullptr);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int put_record(const shared_env& env, MDB_txn* txn, const key& k, const std::string& encoded,
               uint64_t seq) {
  auto kb = k.bytes();
  MDB_val kv{kb.size(), kb.data()};
  MDB_val old;
  int rc = mdb_get(txn, env.entries(), &kv, &old);
  if (rc == 0)
    rc = drop_order_record(txn, env.order(), old);
  else if (rc == MDB_NOTFOUND)
    rc = 0;
  if (rc != 0) return rc;
  MDB_val v{header_size + encoded.size(), nullptr};
  rc = mdb_put(txn, env.entries(), &kv, &v, MDB_RESERVE);
  if (rc != 0) return rc;
  auto* p = static_cast<unsigned char*>(v.mv_data);
  p[0] = value_format;
  write_be64(p + 1, seq);
  std::memcpy(p + header_size, encoded.data(), encoded.size());
  unsigned char sb[8];
  write_be64(sb, seq);
  MDB_val sk{sizeof sb, sb};
  MDB_val sv{kb.size(), kb.data()};
  return mdb_put(txn, env.order(), &sk, &sv, MDB_APPEND);
}

} // namespace ahvn::lmdb_detail
