#pragma once

// MD5 (RFC 1321), used only to compute AgentHeaven-compatible cache keys; not for security.
// Incremental, allocation-free; any thread may use its own md5 object.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ahvn {

class md5 {
public:
  md5();

  /// Feeds `data` into the digest.
  void update(std::string_view data);

  /// Finishes and returns the 16-byte digest; the object must not be updated afterwards.
  std::array<uint8_t, 16> finish();

  /// One-shot digest of `data`.
  static std::array<uint8_t, 16> digest(std::string_view data);

private:
  void block(const unsigned char* p);

  uint32_t a_, b_, c_, d_;
  uint64_t length_ = 0;
  unsigned char buffer_[64];
  size_t buffered_ = 0;
};

} // namespace ahvn
