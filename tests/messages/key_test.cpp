// Keys: AgentHeaven's md5-of-canonical-JSON, checked against Python's hashlib.

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/key.hpp"
#include "ahvn/messages/md5.hpp"
#include "tests/support/files.hpp"

#include <exception>
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

using namespace ahvn;

TEST_CASE("keys match the examples of the design", "[key]") {
  CHECK(compute_key("add", json{{"x", 5}, {"y", 10}}).to_string() ==
        "6452910756379405413525593858603593943");
  CHECK(compute_key("fibonacci", json{{"n", 30}}).to_string() ==
        "72204579713596226931980527061097647615");
  CHECK(compute_key("f", json::object()).to_string() == "216499416021199476271144898090529065813");
  CHECK(compute_key("kl_store", json{{"kid", 123}}).to_string() ==
        "322088009617739405387383225572288269752");
}

TEST_CASE("keys match every vector computed by Python", "[key]") {
  auto v = json::parse(test::read_file(test::source_path("tests/messages/key_vectors.json")));
  REQUIRE(v["vectors"].size() >= 20);
  for (const auto& t : v["vectors"]) {
    INFO("func " << t["func"] << " inputs " << t["inputs_text"]);
    auto inputs = parse_json(t["inputs_text"].get<std::string>(), "vector");
    auto k = compute_key(t["func"].get<std::string>(), inputs);
    CHECK(k.to_string() == t["key"].get<std::string>());
    CHECK(k.to_padded() == t["padded"].get<std::string>());
  }
}

TEST_CASE("md5 matches RFC 1321's test suite", "[key]") {
  auto hex = [](std::string_view s) {
    auto d = md5::digest(s);
    std::string out;
    for (auto b : d) {
      out.push_back("0123456789abcdef"[b >> 4]);
      out.push_back("0123456789abcdef"[b & 15]);
    }
    return out;
  };
  CHECK(hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
        "57edf4a22be3c955ac49da2e2107b67a");
  // Incremental updates across block boundaries give the same digest.
  std::string text(1000, 'q');
  md5 h;
  for (size_t i = 0; i < text.size(); i += 7)
    h.update(std::string_view(text).substr(i, 7));
  CHECK(h.finish() == md5::digest(text));
}

TEST_CASE("key text forms parse back and order like numbers", "[key]") {
  key k{0x0123456789abcdefull, 0xfedcba9876543210ull};
  CHECK(key::parse(k.to_string()) == k);
  CHECK(key::parse(k.to_padded()) == k);
  CHECK(k.to_padded().size() == 40);
  CHECK(key{}.to_string() == "0");
  CHECK(key{}.to_padded() == std::string(40, '0'));
  key max{~0ull, ~0ull};
  CHECK(max.to_string() == "340282366920938463463374607431768211455");
  CHECK(key::parse("340282366920938463463374607431768211455") == max);
  CHECK_FALSE(key::parse("340282366920938463463374607431768211456"));
  CHECK_FALSE(key::parse(""));
  CHECK_FALSE(key::parse("12a"));
  CHECK_FALSE(key::parse("-1"));
  // Byte order equals numeric order (LMDB and SQL ids rely on it).
  key a{1, 0}, b{0, ~0ull};
  CHECK(b < a);
  CHECK(b.bytes() < a.bytes());
  CHECK(key::from_bytes(a.bytes()) == a);
  CHECK(std::hash<key>{}(a) != std::hash<key>{}(b));
}

TEST_CASE("inputs that are not an object are a clear error", "[key][errors]") {
  try {
    compute_key("f", json::array({1, 2}));
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_inputs);
    CHECK_THAT(e.what(), Catch::Contains("'f'") && Catch::Contains("array"));
  }
  CHECK_THROWS_AS(compute_key(std::string("f\xff", 2), json::object()), cache_error);
}

TEST_CASE("message_of tells what an exception said", "[errors]") {
  auto caught = [](auto thrower) {
    try {
      thrower();
    } catch (...) {
      return std::current_exception();
    }
    return std::exception_ptr{};
  };
  CHECK(message_of(caught([] { throw std::runtime_error("disk on fire"); })) == "disk on fire");
  CHECK(message_of(caught([] { throw cache_error(errc::timeout, "slow"); })) == "timeout: slow");
  CHECK(message_of(caught([] { throw 42; })) == "the computation failed");
  CHECK(message_of(caught([] { throw 42; }), "odd") == "odd");
  CHECK(message_of(nullptr, "nothing") == "nothing");
}
