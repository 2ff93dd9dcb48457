// batch_memoize's extra inputs (with_inputs): a batch function's other arguments keyed beside
// each item, as AgentHeaven keys them — an embedding call's {"batch": [text], "kwargs": {...}}.

#include "ahvn/actors/caches/in_mem_cache.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;

TEST_CASE("with_inputs keys each item with the extra inputs and computes with its function",
          "[contexts][batch]") {
  in_mem_cache c;
  std::vector<std::vector<std::string>> sent;
  auto embed = c.batch_memoize(
      {.name = "llm", .params = {"batch"}},
      [](const std::vector<std::string>& texts) { return std::vector<int>(texts.size(), -1); });
  auto by_model = [&](const std::string& model, int value) {
    return embed.with_inputs({{"kwargs", {{"model", model}}}},
                             [&sent, value](const std::vector<std::string>& texts) {
                               sent.push_back(texts);
                               return std::vector<int>(texts.size(), value);
                             });
  };
  CHECK(by_model("small", 1)({"a", "b"}) == std::vector<int>{1, 1});
  CHECK(by_model("small", 9)({"b", "c"}) == std::vector<int>{1, 9}); // "b" hits
  CHECK(by_model("large", 2)({"a"}) == std::vector<int>{2});         // another model misses
  REQUIRE(sent.size() == 3);
  CHECK(sent[1] == std::vector<std::string>{"c"});
  // The entry AgentHeaven's batch_memoize would write for embed(["a"], model="small").
  CHECK(c.get("llm", {{"batch", {"a"}}, {"kwargs", {{"model", "small"}}}}) == json(1));
  CHECK(compute_key("llm", {{"batch", {"a"}}, {"kwargs", {{"model", "small"}}}}).to_string() ==
        compute_key("llm", json::parse(R"({"kwargs": {"model": "small"}, "batch": ["a"]})"))
            .to_string());
  CHECK(embed({"a"}) == std::vector<int>{-1}); // without extra inputs: its own entries
  // The original is unchanged; bad extra inputs are refused.
  CHECK_THROWS_AS(embed.with_inputs(json::array()), cache_error);
  CHECK_THROWS_AS(embed.with_inputs({{"batch", 1}}), cache_error);
}
