#include "ahvn/messages/msgpack.hpp"

#include "ahvn/messages/error.hpp"

#include <cstdint>
#include <cstring>
#include <string>

namespace ahvn {

namespace {

class reader {
public:
  reader(std::string_view in, std::string_view where) : in_(in), where_(where) {}

  json document() {
    json v = value(0);
    if (pos_ != in_.size()) fail("trailing bytes after the value");
    return v;
  }

private:
  static constexpr int max_depth = 512;

  [[noreturn]] void fail(const char* why) const {
    throw cache_error(errc::corrupt_entry, std::string(where_) + ": undecodable value (" +
                                               std::to_string(in_.size()) + " bytes): " + why +
                                               " at byte " + std::to_string(pos_));
  }

  void need(size_t n) const {
    if (in_.size() - pos_ < n) fail("truncated");
  }

  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }

  uint64_t be(size_t n) {
    need(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::string str(size_t n) {
    need(n);
    std::string s(in_.data() + pos_, n);
    pos_ += n;
    return s;
  }

  json array(size_t n, int depth) {
    json a = json::array();
    auto& v = a.get_ref<json::array_t&>();
    v.reserve(std::min<size_t>(n, in_.size() - pos_));
    for (size_t i = 0; i < n; ++i)
      v.push_back(value(depth + 1));
    return a;
  }

  json map(size_t n, int depth) {
    json m = json::object();
    for (size_t i = 0; i < n; ++i) {
      json k = value(depth + 1);
      if (!k.is_string()) fail("a map key that is not a string");
      m[k.get_ref<std::string&>()] = value(depth + 1);
    }
    return m;
  }

  json value(int depth) {
    if (depth > max_depth) fail("nesting too deep");
    uint8_t t = u8();
    if (t <= 0x7f) return json(static_cast<int64_t>(t));
    if (t >= 0xe0) return json(static_cast<int64_t>(static_cast<int8_t>(t)));
    if ((t & 0xe0) == 0xa0) return json(str(t & 0x1f));
    if ((t & 0xf0) == 0x90) return array(t & 0x0f, depth);
    if ((t & 0xf0) == 0x80) return map(t & 0x0f, depth);
    switch (t) {
    case 0xc0:
      return json(nullptr);
    case 0xc2:
      return json(false);
    case 0xc3:
      return json(true);
    case 0xca: {
      auto bits = static_cast<uint32_t>(be(4));
      float f;
      std::memcpy(&f, &bits, 4);
      return json(static_cast<double>(f));
    }
    case 0xcb: {
      uint64_t bits = be(8);
      double d;
      std::memcpy(&d, &bits, 8);
      return json(d);
    }
    case 0xcc:
      return json(static_cast<int64_t>(be(1)));
    case 0xcd:
      return json(static_cast<int64_t>(be(2)));
    case 0xce:
      return json(static_cast<int64_t>(be(4)));
    case 0xcf: {
      uint64_t v = be(8);
      if (v <= static_cast<uint64_t>(INT64_MAX)) return json(static_cast<int64_t>(v));
      return json(v);
    }
    case 0xd0:
      return json(static_cast<int64_t>(static_cast<int8_t>(be(1))));
    case 0xd1:
      return json(static_cast<int64_t>(static_cast<int16_t>(be(2))));
    case 0xd2:
      return json(static_cast<int64_t>(static_cast<int32_t>(be(4))));
    case 0xd3:
      return json(static_cast<int64_t>(be(8)));
    case 0xd9:
      return json(str(be(1)));
    case 0xda:
      return json(str(be(2)));
    case 0xdb:
      return json(str(be(4)));
    case 0xdc:
      return array(be(2), depth);
    case 0xdd:
      return array(be(4), depth);
    case 0xde:
      return map(be(2), depth);
    case 0xdf:
      return map(be(4), depth);
    default:
      --pos_;
      fail("an unsupported MessagePack type");
    }
  }

  std::string_view in_;
  std::string_view where_;
  size_t pos_ = 0;
};

} // namespace

json read_msgpack(std::string_view bytes, std::string_view where) {
  return reader(bytes, where).document();
}

} // namespace ahvn
