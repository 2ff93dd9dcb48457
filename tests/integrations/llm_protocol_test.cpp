// The pieces under the client, without a server: server-sent events split anywhere, chat chunks
// as OpenAI streams them (content, reasoning, tool-call fragments, usage, errors), the chunks'
// JSON form, gathering an answer; and HTTPS against the stub with a self-signed certificate.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/integrations/chat_stream_reader.hpp"
#include "ahvn/integrations/sse.hpp"
#include "tests/integrations/llm_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;

namespace {

std::vector<sse_event> events_of(const std::string& text, size_t piece) {
  std::vector<sse_event> out;
  sse_parser p([&](const sse_event& e) {
    out.push_back(e);
    return true;
  });
  for (size_t i = 0; i < text.size(); i += piece)
    p.feed(std::string_view(text).substr(i, piece));
  return out;
}

std::vector<llm_chunk> chunks_of(const std::string& body, bool complete = true) {
  std::vector<llm_chunk> out;
  chat_stream_reader r("http://x/v1/chat/completions", false, [&](llm_chunk c) {
    out.push_back(std::move(c));
    return true;
  });
  r.feed(body);
  if (complete) r.finish();
  return out;
}

llm_error::kind failure_of_body(const std::string& body) {
  try {
    chunks_of(body);
  } catch (const llm_error& e) {
    return e.what_kind();
  }
  FAIL("no error for " << body);
  return llm_error::kind::cancelled;
}

} // namespace

TEST_CASE("server-sent events parse the same however the bytes are split", "[llm][sse]") {
  const std::string text = ": keep-alive\r\n"
                           "data: {\"a\": 1}\r\n\r\n"
                           "event: error\ndata: line one\ndata:line two\n\n"
                           "id: 7\rdata: cr only\r\r"
                           "data: [DONE]\n\n"
                           "data: unfinished";
  for (size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    INFO("pieces of " << piece);
    auto e = events_of(text, piece);
    REQUIRE(e.size() == 4);
    CHECK(e[0].data == "{\"a\": 1}");
    CHECK(e[1].name == "error");
    CHECK(e[1].data == "line one\nline two");
    CHECK(e[2].data == "cr only");
    CHECK(e[3].data == "[DONE]");
  }
}

TEST_CASE("chat chunks: content, reasoning, tool-call fragments, usage skipped, [DONE] ends",
          "[llm][sse]") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"reasoning_content":"hmm "}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"reasoning":"ok"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\""}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":": 1}"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"c2","function":{"name":"g","arguments":"{}"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
      "\n\n"
      R"(data: {"choices":[],"usage":{"total_tokens":5}})"
      "\n\n"
      "data: [DONE]\n\n"
      R"(data: {"choices":[{"delta":{"content":"after done"}}]})"
      "\n\n";
  auto chunks = chunks_of(body);
  REQUIRE(chunks.size() == 8);
  CHECK(chunks[1].think() == "hmm ");
  CHECK(chunks[2].think() == "ok");
  CHECK(chunks[3].text() == "Hi");
  auto r = gather(chunks);
  CHECK(r.text == "Hi");
  CHECK(r.think == "hmm ok");
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0] == json({{"id", "c1"},
                                 {"type", "function"},
                                 {"function", {{"name", "f"}, {"arguments", "{\"a\": 1}"}}}}));
  CHECK(r.tool_calls[1]["function"]["name"] == "g");

  // The JSON form round-trips, and is AgentHeaven's: a list of {"think", "text", "tool_calls"}.
  json stored = chunks;
  CHECK(stored[4][0]["tool_calls"][0]["id"] == "c1");
  CHECK(stored[0] == json::array({{{"think", ""}, {"text", ""}, {"tool_calls", json::array()}}}));
  CHECK(stored.get<std::vector<llm_chunk>>() == chunks);
  CHECK_THROWS_AS(json(42).get<llm_chunk>(), cache_error);
  CHECK_THROWS_AS(json::parse(R"([{"text": 1}])").get<llm_chunk>(), cache_error);
}

TEST_CASE("incomplete, malformed and error streams are errors", "[llm][sse]") {
  CHECK(failure_of_body(R"(data: {"choices":[{"delta":{"content":"a"}}]})"
                        "\n\n") == llm_error::kind::stream_broken);
  CHECK(failure_of_body("data: {not json\n\n") == llm_error::kind::malformed);
  CHECK(failure_of_body("<html>a login page</html>") == llm_error::kind::malformed);
  CHECK(failure_of_body("data: {\"no\": \"choices\"}\n\n") == llm_error::kind::malformed);
  CHECK(failure_of_body(R"(data: {"choices":[{"delta":{"content":5}}]})"
                        "\n\n") == llm_error::kind::malformed);
  CHECK(failure_of_body(R"(data: {"error":{"message":"overloaded"}})"
                        "\n\n") == llm_error::kind::server_error);
  // A finish_reason completes a stream that has no [DONE].
  CHECK(chunks_of(R"(data: {"choices":[{"delta":{"content":"a"},"finish_reason":"stop"}]})"
                  "\n\n")
            .size() == 1);
}

TEST_CASE("a server that ignores \"stream\" answers with one chunk", "[llm][sse]") {
  std::vector<llm_chunk> out;
  chat_stream_reader r("u", true, [&](llm_chunk c) {
    out.push_back(std::move(c));
    return true;
  });
  r.feed(R"({"choices":[{"index":0,"message":{"role":"assistant","content":"whole",)");
  r.feed(
      R"("tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]})");
  r.finish();
  REQUIRE(out.size() == 1);
  CHECK(out[0].text() == "whole");
  CHECK(gather(out).tool_calls[0]["id"] == "c");
}

TEST_CASE("HTTPS: a server with a trusted certificate answers, an untrusted one fails",
          "[llm][tls]") {
  temp_dir dir("llm-tls");
  llm_stub::write_self_signed(dir.file("cert.pem"), dir.file("key.pem"));
  llm_stub stub({.tls_cert_file = dir.file("cert.pem"), .tls_key_file = dir.file("key.pem")});
  REQUIRE(stub.base_url().rfind("https://127.0.0.1:", 0) == 0);
  in_mem_cache c;
  auto cfg = stub_config(stub);
  cfg.ca_cert_file = dir.file("cert.pem");
  llm client(c, cfg);
  CHECK(client.oracle("secure?") == "Stub answer from stub-model to: secure?");
  CHECK(drain(client.stream("stream securely")).size() > 2);
  CHECK(stub.chat_requests() == 2);

  cfg.ca_cert_file = ""; // the system's store does not trust the stub
  llm untrusting(c, cfg);
  try {
    untrusting.oracle("insecure?");
    FAIL("an untrusted certificate was accepted");
  } catch (const llm_error& e) {
    CHECK(e.what_kind() == llm_error::kind::tls);
    CHECK(e.attempts() == 1); // not retried
  }
  CHECK(stub.chat_requests() == 2);
  cfg.verify_tls = false;
  CHECK(llm(c, cfg).oracle("insecure?") == "Stub answer from stub-model to: insecure?");
}
