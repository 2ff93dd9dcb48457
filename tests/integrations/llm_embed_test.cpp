// embed(texts) through batch_memoize: one entry per text, keyed as AgentHeaven keys it; only the
// texts that miss are sent, in one request, and the order of the batch is kept.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "tests/integrations/llm_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;

TEST_CASE("only the texts that miss are sent, in one request, and the order is kept",
          "[llm][embed]") {
  llm_stub stub({.embedding_dim = 6});
  temp_dir dir("llm-embed");
  for (std::string url : {std::string("mem:"), "sqlite:" + dir.file("e.db")}) {
    INFO(url);
    auto c = open_cache(url);
    llm client(c, stub_config(stub, "stub-embedding"));
    size_t before = stub.embedding_requests();
    auto expect = [](const std::string& t) {
      return llm_stub::embedding_for("stub-embedding", t, 6);
    };

    auto first = client.embed({"alpha", "beta", "gamma"});
    REQUIRE(first.size() == 3);
    CHECK(first[0] == expect("alpha"));
    CHECK(first[1] == expect("beta"));
    CHECK(first[2] == expect("gamma"));
    CHECK(stub.embedding_requests() == before + 1);

    auto second = client.embed({"delta", "beta", "alpha", "delta", "epsilon"});
    CHECK(stub.embedding_requests() == before + 2);
    CHECK(stub.received().back().body["input"] == json::array({"delta", "epsilon"}));
    REQUIRE(second.size() == 5);
    CHECK(second[0] == expect("delta"));
    CHECK(second[1] == expect("beta"));
    CHECK(second[2] == expect("alpha"));
    CHECK(second[3] == expect("delta"));
    CHECK(second[4] == expect("epsilon"));

    CHECK(client.embed({"gamma", "alpha"}) ==
          std::vector<std::vector<double>>{expect("gamma"), expect("alpha")});
    CHECK(stub.embedding_requests() == before + 2); // all hits: no request
    CHECK(client.embed({}).empty());
    CHECK(stub.embedding_requests() == before + 2);

    // One entry per text, as AgentHeaven's batch_memoize writes it.
    auto e = c.retrieve("llm", client.embed_inputs("beta"));
    REQUIRE(e);
    CHECK(e->inputs == json({{"batch", {"beta"}}, {"kwargs", {{"model", "stub-embedding"}}}}));
    CHECK(*e->output == json(expect("beta")));
    CHECK(entries_of(c, "llm") == 5);
  }
}

TEST_CASE("embedding options are sent and keyed, and other models and options miss",
          "[llm][embed]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub, "stub-embedding"));
  client.embed({"a"});
  embed_options dims{{{"dimensions", 4}}};
  client.embed({"a"}, dims);
  CHECK(stub.embedding_requests() == 2);
  CHECK(stub.received().back().body["dimensions"] == 4);
  llm other(c, stub_config(stub, "other-embedding"));
  CHECK(other.embed({"a"})[0] == llm_stub::embedding_for("other-embedding", "a", 8));
  CHECK(stub.embedding_requests() == 3);
  embed_options user{{{"user", "alice"}}}; // a tracking id: sent, not keyed
  client.embed({"a"}, user);
  CHECK(stub.embedding_requests() == 3);
}

TEST_CASE("empty texts are not sent: their embedding is [1, 0, ...], as AgentHeaven makes it",
          "[llm][embed]") {
  llm_stub stub({.embedding_dim = 4});
  in_mem_cache c;
  llm client(c, stub_config(stub, "stub-embedding"));
  const std::vector<double> unit = {1, 0, 0, 0};
  auto got = client.embed({"", "a", ""});
  CHECK(got == std::vector<std::vector<double>>{
                   unit, llm_stub::embedding_for("stub-embedding", "a", 4), unit});
  CHECK(stub.received().back().body["input"] == json::array({"a"}));
  in_mem_cache fresh;
  llm other(fresh, stub_config(stub, "stub-embedding"));
  CHECK(other.embed({""}) == std::vector<std::vector<double>>{unit});
  CHECK(stub.received().back().body["input"] == json::array({"<TEST>"})); // to learn the length
}
