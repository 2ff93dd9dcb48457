// Streams memoized as streams: stored only when consumed to the end, replayed chunk by chunk;
// reasoning text and tool calls survive the round trip; a broken stream, an exception in the
// consumer or a consumer that stops early store nothing. Against the stub server.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "tests/integrations/llm_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;

TEST_CASE("a full stream is stored as its chunks and replays them one by one, in order",
          "[llm][stream]") {
  llm_stub stub;
  temp_dir dir("llm-stream");
  for (std::string url :
       {std::string("mem:"), "lmdb:" + dir.file("lmdb"), "json:" + dir.file("j")}) {
    INFO(url);
    auto c = open_cache(url);
    llm client(c, stub_config(stub));
    size_t before = stub.chat_requests();
    auto first = drain(client.stream("Tell me a story"));
    CHECK(stub.chat_requests() == before + 1);
    REQUIRE(first.size() > 3);
    CHECK(text_of(first) == "Stub answer from stub-model to: Tell me a story");

    // The entry: AgentHeaven's shape, one list of choice deltas per chunk.
    auto entry = c.retrieve("llm", client.chat_inputs("Tell me a story"));
    REQUIRE(entry);
    REQUIRE(entry->output->is_array());
    CHECK(entry->output->size() == first.size());
    CHECK((*entry->output)[1] ==
          json::array({{{"think", ""}, {"text", "Stub "}, {"tool_calls", json::array()}}}));

    // The hit: the same chunks, one at a time, without a request.
    std::vector<llm_chunk> replayed;
    for (const auto& chunk : client.stream("Tell me a story"))
      replayed.push_back(chunk);
    CHECK(replayed == first);
    CHECK(replayed.size() > 1); // not one aggregated chunk
    CHECK(stub.chat_requests() == before + 1);
    // oracle and chat share the entry.
    CHECK(client.oracle("Tell me a story") == text_of(first));
    CHECK(stub.chat_requests() == before + 1);
  }
}

TEST_CASE("an oracle's entry replays as a stream", "[llm][stream]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  auto text = client.oracle("Why?");
  auto chunks = drain(client.stream("Why?"));
  CHECK(stub.chat_requests() == 1);
  CHECK(text_of(chunks) == text);
  CHECK(chunks.size() > 2);
}

TEST_CASE("reasoning text and tool calls survive the round trip", "[llm][stream]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub, "stub-reasoner"));
  chat_options opts;
  opts.tools = json::parse(R"([{"type": "function", "function": {"name": "lookup",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}])");

  auto live = drain(client.stream("find caches", opts));
  auto replay = drain(client.stream("find caches", opts));
  CHECK(stub.chat_requests() == 1);
  REQUIRE(live == replay);
  std::string think;
  size_t fragments = 0;
  for (const auto& ch : replay) {
    think += ch.think();
    for (const auto& d : ch.choices)
      fragments += d.tool_calls.size();
  }
  CHECK(think == "The user asked: find caches. A stub answers.");
  CHECK(fragments == 3);

  auto r = client.chat("find caches", opts);
  CHECK(stub.chat_requests() == 1);
  CHECK(r.think == think);
  CHECK(r.text.empty());
  REQUIRE(r.tool_calls.size() == 1);
  CHECK(r.tool_calls[0]["id"] == "call_stub-1");
  CHECK(r.tool_calls[0]["function"]["name"] == "lookup");
  CHECK(json::parse(r.tool_calls[0]["function"]["arguments"].get<std::string>()) ==
        json({{"query", "find caches"}}));
}

TEST_CASE("a stream the server breaks off is an error and stores nothing", "[llm][stream]") {
  llm_stub stub;
  in_mem_cache c;
  auto cfg = stub_config(stub);
  cfg.retry.max_attempts = 1;
  llm client(c, cfg);
  stub.inject(llm_stub_fault::drop_after(3));
  std::vector<llm_chunk> got;
  try {
    for (const auto& chunk : client.stream("q"))
      got.push_back(chunk);
    FAIL("the broken stream ended without an error");
  } catch (const llm_error& e) {
    CHECK(e.what_kind() == llm_error::kind::stream_broken);
    CHECK(std::string(e.what()).find(stub.base_url()) != std::string::npos);
  }
  CHECK(got.size() == 3); // what arrived passed through
  CHECK_FALSE(c.exists("llm", client.chat_inputs("q")));
  CHECK(drain(client.stream("q")).size() > 3); // the next call asks again
  CHECK(stub.chat_requests() == 2);
  CHECK(c.exists("llm", client.chat_inputs("q")));
}

TEST_CASE("a broken stream is retried while nothing reached the consumer", "[llm][stream]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  stub.inject(llm_stub_fault::http(503));
  stub.inject(llm_stub_fault::drop_after(0));
  auto chunks = drain(client.stream("q"));
  CHECK(text_of(chunks) == "Stub answer from stub-model to: q");
  CHECK(stub.chat_requests() == 3);
  CHECK(client.stats().retries == 2);
  CHECK(c.exists("llm", client.chat_inputs("q")));
}

TEST_CASE("an exception in the consumer stores nothing", "[llm][stream]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  try {
    for (const auto& chunk : client.stream("q"))
      if (chunk.text() == "answer ") throw std::runtime_error("the consumer failed");
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "the consumer failed");
  }
  CHECK_FALSE(c.exists("llm", client.chat_inputs("q")));
  drain(client.stream("q"));
  CHECK(stub.chat_requests() == 2);
}

TEST_CASE("a consumer that stops early stores nothing", "[llm][stream]") {
  llm_stub stub({.chunk_delay = std::chrono::milliseconds(20)});
  in_mem_cache c;
  llm client(c, stub_config(stub));
  size_t n = 0;
  for (const auto& chunk : client.stream("q")) {
    (void)chunk;
    if (++n == 2) break;
  }
  CHECK_FALSE(c.exists("llm", client.chat_inputs("q")));
  {
    auto g = client.stream("q"); // destroyed before it starts
    auto it = g.begin();         // or after its first chunk
    CHECK(it != g.end());
  }
  CHECK_FALSE(c.exists("llm", client.chat_inputs("q")));
  CHECK(client.stats().failures == 0); // stopping early is not a failure
  CHECK(stub.chat_requests() == 2);
}
