// The raw LMDB floor (see floors.hpp): the same bytes lmdb_store stores, read with a reusable
// read transaction per caller.

#include "ahvn/messages/key.hpp"
#include "bench/floors.hpp"

#include <array>
#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <lmdb.h>

namespace ahvn::bench {

namespace {

void check(int rc, const char* what) {
  if (rc != 0)
    throw std::runtime_error(std::string("raw LMDB floor: ") + what + ": " + mdb_strerror(rc));
}

/// lmdb_store's stored value: format byte 1, an 8-byte write sequence, encode_entry().
std::string stored_bytes(int64_t i, uint32_t value_size, uint64_t seq) {
  std::string v(9, '\0');
  v[0] = 1;
  for (int b = 8; b >= 1; --b, seq >>= 8)
    v[static_cast<size_t>(b)] = static_cast<char>(seq & 0xFF);
  return v + encode_entry(entry_of(i, value_size));
}

class lmdb_floor final : public op_runner {
public:
  lmdb_floor(const workload& w, const std::string& dir)
      : value_size_(w.value_size), direct_(w.direct_keys), batch_(w.floor_batch) {
    std::filesystem::create_directories(dir);
    check(mdb_env_create(&env_), "mdb_env_create");
    check(mdb_env_set_mapsize(env_, size_t{4} << 30), "mdb_env_set_mapsize");
    check(mdb_env_set_maxreaders(env_, 256), "mdb_env_set_maxreaders");
    unsigned flags = MDB_NOTLS | (w.durable ? 0u : unsigned{MDB_NOSYNC | MDB_NOMETASYNC});
    check(mdb_env_open(env_, dir.c_str(), flags, 0644), "mdb_env_open");
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
    check(mdb_dbi_open(txn, nullptr, 0, &dbi_), "mdb_dbi_open");
    for (uint64_t i = 0; i < w.keys; ++i) {
      auto bytes = stored_bytes(static_cast<int64_t>(i), value_size_, ++seq_);
      auto kb = key_of_arg(static_cast<int64_t>(i), false).bytes();
      MDB_val k{kb.size(), kb.data()}, v{bytes.size(), bytes.data()};
      check(mdb_put(txn, dbi_, &k, &v, 0), "mdb_put");
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");
    readers_.assign(64, nullptr);
  }

  ~lmdb_floor() override {
    if (writer_) mdb_txn_commit(writer_);
    for (auto* t : readers_)
      if (t) mdb_txn_abort(t);
    mdb_env_close(env_);
  }

  bool raw_values() const override { return true; }

  bool run(const op_spec& op, std::string& out, unsigned caller) override {
    auto kb = key_of_arg(op.i, direct_).bytes();
    MDB_val k{kb.size(), kb.data()};
    if (op.kind == op_spec::write) {
      auto bytes = stored_bytes(op.i, value_size_, ++seq_);
      MDB_val v{bytes.size(), bytes.data()};
      // floor_batch writes per transaction: the first opens it, the last commits it (the
      // harness runs such a floor on one thread).
      if (!writer_) check(mdb_txn_begin(env_, nullptr, 0, &writer_), "mdb_txn_begin");
      int rc = mdb_put(writer_, dbi_, &k, &v, 0);
      if (rc != 0) {
        mdb_txn_abort(writer_);
        writer_ = nullptr;
        pending_ = 0;
        check(rc, "mdb_put");
      }
      if (++pending_ >= batch_) {
        MDB_txn* txn = writer_;
        writer_ = nullptr;
        pending_ = 0;
        check(mdb_txn_commit(txn), "mdb_txn_commit");
      }
      return false;
    }
    MDB_txn*& txn = readers_.at(caller);
    if (!txn) {
      check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "mdb_txn_begin(read)");
    } else {
      check(mdb_txn_renew(txn), "mdb_txn_renew");
    }
    MDB_val v;
    int rc = mdb_get(txn, dbi_, &k, &v);
    bool found = rc == 0;
    if (found) out.assign(static_cast<const char*>(v.mv_data), v.mv_size);
    mdb_txn_reset(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) check(rc, "mdb_get");
    return found;
  }

private:
  uint32_t value_size_;
  bool direct_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::vector<MDB_txn*> readers_;
  uint32_t batch_;
  MDB_txn* writer_ = nullptr; ///< The open write transaction of a floor_batch > 1.
  uint32_t pending_ = 0;      ///< Writes in writer_.
  std::atomic<uint64_t> seq_{0};
};

} // namespace

std::unique_ptr<op_runner> make_lmdb_floor(const workload& w, const std::string& dir) {
  return std::make_unique<lmdb_floor>(w, dir);
}

} // namespace ahvn::bench
