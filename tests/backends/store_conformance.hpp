#pragma once

// The store conformance suite: the contract of backends/store.hpp, written once and run against
// every store. A store's test file defines AHVN_STORE_FACTORIES (a list of factories from
// tests/support/store_factories.hpp or its own) and includes this header; the memory store is
// the reference. Each store's own extras (persistence, multiple processes) live in its own file.
//
// Optional factory traits (detected, so most factories need not declare them):
//   static constexpr bool normalizes_numbers = true;  the store keeps numbers' values but not
//     their exact text (PostgreSQL JSONB turns 1e16 into 10000000000000000 and -0.0 into 0.0).

#ifndef AHVN_STORE_FACTORIES
#error "define AHVN_STORE_FACTORIES before including store_conformance.hpp"
#endif

#include "tests/support/entries.hpp"
#include "tests/support/store_factories.hpp"

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

namespace ahvn::test::conformance {
using namespace ahvn;
using namespace ahvn::test;

/// The JSON type, with nlohmann's signed/unsigned split folded (Python has one int).
inline json::value_t kind(const json& x) {
  return x.type() == json::value_t::number_unsigned ? json::value_t::number_integer : x.type();
}

template <class Factory>
constexpr bool normalizes_numbers() {
  if constexpr (requires { Factory::normalizes_numbers; })
    return Factory::normalizes_numbers;
  else
    return false;
}

TEMPLATE_TEST_CASE("an empty store misses everywhere", "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  auto probe = make_entry(1);
  CHECK(s->get(probe.k) == nullptr);
  CHECK_FALSE(s->contains(probe.k));
  CHECK(s->size() == 0);
  CHECK_FALSE(s->remove(probe.k));
  CHECK(s->clear() == 0);
  auto page = s->scan({});
  CHECK(page.entries.empty());
  CHECK_FALSE(page.more);
  CHECK(s->counters().entries == 0);
  CHECK_FALSE(s->url().empty());
}

TEMPLATE_TEST_CASE("put then get returns the same entry", "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  auto e = make_entry(7, json{{"text", "héllo ☃ 𝄞"}, {"n", 3}});
  s->put(e.k, e.entry);
  auto got = s->get(e.k);
  if constexpr (TestType::keeps_entries) {
    REQUIRE(got != nullptr);
    CHECK(*got == *e.entry);
    CHECK(got->key() == e.k);
    CHECK(s->contains(e.k));
    CHECK(s->size() == 1);
    CHECK(s->counters().entries == 1);
  } else {
    CHECK(got == nullptr);
    CHECK(s->size() == 0);
  }
}

TEMPLATE_TEST_CASE("put replaces the entry under the same key", "[conformance]",
                   AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  auto first = make_entry(1, "old");
  auto second = make_entry(1, "new");
  REQUIRE(first.k == second.k);
  s->put(first.k, first.entry);
  s->put(second.k, second.entry);
  if constexpr (TestType::keeps_entries) {
    REQUIRE(s->get(first.k) != nullptr);
    CHECK(s->get(first.k)->output == json("new"));
    CHECK(s->size() == 1);
  }
}

TEMPLATE_TEST_CASE("remove and clear", "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  for (int i = 0; i < 10; ++i) {
    auto e = make_entry(i);
    s->put(e.k, e.entry);
  }
  auto three = make_entry(3);
  if constexpr (TestType::keeps_entries) {
    CHECK(s->remove(three.k));
    CHECK_FALSE(s->remove(three.k));
    CHECK(s->get(three.k) == nullptr);
    CHECK(s->size() == 9);
    CHECK(s->get(make_entry(4).k) != nullptr);
    CHECK(s->clear() == 9);
    CHECK(s->size() == 0);
    CHECK(s->get(make_entry(4).k) == nullptr);
  } else {
    CHECK_FALSE(s->remove(three.k));
    CHECK(s->clear() == 0);
  }
}

TEMPLATE_TEST_CASE("get_many answers in order, put_many lets a later duplicate win",
                   "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  std::vector<keyed_entry> batch = {make_entry(1, "a"), make_entry(2, "b"), make_entry(1, "c")};
  s->put_many(batch);
  std::vector<key> ks = {make_entry(2).k, make_entry(99).k, make_entry(1).k};
  auto got = s->get_many(ks);
  REQUIRE(got.size() == 3);
  CHECK(got[1] == nullptr);
  if constexpr (TestType::keeps_entries) {
    REQUIRE(got[0] != nullptr);
    REQUIRE(got[2] != nullptr);
    CHECK(got[0]->output == json("b"));
    CHECK(got[2]->output == json("c"));
    CHECK(s->size() == 2);
  } else {
    CHECK(got[0] == nullptr);
    CHECK(got[2] == nullptr);
  }
  s->put_many({});
}

TEMPLATE_TEST_CASE("values keep their exact shape", "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  std::vector<keyed_entry> stored;
  int i = 0;
  for (auto& out : falsy_outputs())
    stored.push_back(make_entry(i++, out));
  // Unset output, an annotated entry, floats, big and huge integers, unicode, nesting.
  auto unset = std::make_shared<cache_entry>(cache_entry::from_args("g", json{{"u", 1}}));
  stored.push_back({unset->key(), unset});
  auto annotated = std::make_shared<cache_entry>(
      cache_entry::from_args("g", json{{"u", 2}}, json(1), json(2), json{{"source", "truth"}}));
  stored.push_back({annotated->key(), annotated});
  json rich = {{"float", 2.0},
               {"neg_zero", -0.0},
               {"tiny", 5e-324},
               {"big", int64_t{9007199254740993}},
               {"huge_unsigned", uint64_t{18446744073709551615ull}},
               {"min", int64_t{-9223372036854775807 - 1}},
               {"beyond_64_bits", parse_json("123456789012345678901234567890", "test")},
               {"text", "quote \" backslash \\ newline \n tab \t nul \u0001 ☃"},
               {"nested", {{"a", json::array({1, json::array(), json::object()})}}}};
  stored.push_back(make_entry(100, rich));
  s->put_many(stored);
  for (const auto& e : stored) {
    auto got = s->get(e.k);
    if constexpr (!TestType::keeps_entries) {
      CHECK(got == nullptr);
      continue;
    } else {
      INFO("entry " << e.entry->to_dict().dump());
      REQUIRE(got != nullptr);
      CHECK(got->func == e.entry->func);
      CHECK(got->inputs == e.entry->inputs);
      CHECK(got->output.has_value() == e.entry->output.has_value());
      CHECK(got->expected.has_value() == e.entry->expected.has_value());
      if (got->output && e.entry->output) {
        CHECK(*got->output == *e.entry->output);
        if constexpr (!normalizes_numbers<TestType>())
          CHECK(kind(*got->output) == kind(*e.entry->output));
        // Byte-exact text: catches 2.0 turning into 2, or -0.0 into 0.0.
        if constexpr (!normalizes_numbers<TestType>())
          CHECK(canonical(*got->output) == canonical(*e.entry->output));
      }
      if (got->expected && e.entry->expected) CHECK(*got->expected == *e.entry->expected);
      CHECK(got->metadata == e.entry->metadata);
      CHECK(got->key() == e.k);
    }
  }
}

TEMPLATE_TEST_CASE("scan pages through every entry once, in key order", "[conformance]",
                   AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  std::set<key> expected;
  std::vector<keyed_entry> batch;
  for (int i = 0; i < 300; ++i) {
    auto e = make_entry(i, i, i % 3 == 0 ? "three" : "other");
    batch.push_back(e);
    expected.insert(e.k);
  }
  s->put_many(batch);
  std::vector<key> seen;
  scan_request req;
  req.limit = 32;
  int pages = 0;
  for (;;) {
    auto page = s->scan(req);
    CHECK(page.entries.size() <= 32);
    for (auto& e : page.entries) {
      CHECK(e.entry->key() == e.k);
      seen.push_back(e.k);
    }
    ++pages;
    REQUIRE(pages < 100);
    if (!page.more) break;
    req.after = page.last;
  }
  if constexpr (TestType::keeps_entries) {
    CHECK(seen.size() == expected.size());
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::set<key>(seen.begin(), seen.end()) == expected);
    CHECK(pages >= 300 / 32);
  } else {
    CHECK(seen.empty());
  }
  // A func filter returns only that function's entries.
  scan_request filtered;
  filtered.limit = 1000;
  filtered.func = "three";
  size_t count = 0;
  for (;;) {
    auto page = s->scan(filtered);
    for (auto& e : page.entries) {
      CHECK(e.entry->func == "three");
      ++count;
    }
    if (!page.more) break;
    filtered.after = page.last;
  }
  CHECK(count == (TestType::keeps_entries ? 100u : 0u));
}

TEMPLATE_TEST_CASE("flush and sweep are safe at any time", "[conformance]", AHVN_STORE_FACTORIES) {
  TestType factory;
  auto s = factory.open();
  s->flush();
  auto e = make_entry(5);
  s->put(e.k, e.entry);
  s->flush();
  std::optional<key> cursor;
  CHECK(s->sweep_expired(clock::system()->now(), cursor, 100) == 0);
  if constexpr (TestType::keeps_entries) CHECK(s->get(e.k) != nullptr);
}

} // namespace ahvn::test::conformance
