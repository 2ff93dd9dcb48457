// Errors are never cached: each failure the stub injects is an llm_error naming the endpoint and
// the status (never the API key), nothing is stored, and the next call reaches the server again.
// 429 and 5xx are retried with back-off up to the bound; the retries are counted.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "tests/integrations/llm_test_support.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;
using namespace std::chrono_literals;

namespace {

/// The llm_error a call throws (fails the test if it throws none or another exception).
template <class F>
llm_error error_of(F&& f) {
  try {
    f();
  } catch (const llm_error& e) {
    return e;
  }
  FAIL("no llm_error was thrown");
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("an HTTP error is an exception naming the endpoint and the status, and is not cached",
          "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  auto cfg = stub_config(stub);
  llm client(c, cfg);
  for (int status : {400, 404, 422}) {
    INFO(status);
    size_t before = stub.chat_requests();
    stub.inject(llm_stub_fault::http(status));
    auto e = error_of([&] { client.oracle("q"); });
    CHECK(e.what_kind() == llm_error::kind::http_status);
    CHECK(e.status() == status);
    CHECK(e.attempts() == 1); // other 4xx are not retried
    CHECK(e.endpoint() == stub.base_url() + "/chat/completions");
    std::string what = e.what();
    CHECK(what.find(stub.base_url() + "/chat/completions") != std::string::npos);
    CHECK(what.find("HTTP " + std::to_string(status)) != std::string::npos);
    CHECK(what.find("stub: injected") != std::string::npos); // the server's own message
    CHECK(what.find(cfg.api_key) == std::string::npos);
    CHECK(stub.chat_requests() == before + 1);
    CHECK(c.size() == 0);
  }
  CHECK(client.oracle("q") == "Stub answer from stub-model to: q"); // reaches the server again
  CHECK(c.size() == 1);
}

TEST_CASE("429 and 5xx are retried up to the bound, and the retries counted", "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  auto cfg = stub_config(stub);
  cfg.retry.max_attempts = 4;
  llm client(c, cfg);

  stub.inject(llm_stub_fault::http(429, 0), 2);
  stub.inject(llm_stub_fault::http(502));
  CHECK(client.oracle("q") == "Stub answer from stub-model to: q");
  CHECK(stub.chat_requests() == 4);
  CHECK(client.stats().requests == 4);
  CHECK(client.stats().retries == 3);
  CHECK(client.stats().failures == 0);

  stub.inject_always(llm_stub_fault::http(500));
  auto e = error_of([&] { client.oracle("r"); });
  CHECK(e.status() == 500);
  CHECK(e.attempts() == 4);
  CHECK(std::string(e.what()).find("after 4 attempts") != std::string::npos);
  CHECK(stub.chat_requests() == 8);
  CHECK(client.stats().retries == 6);
  CHECK(client.stats().failures == 1);
  CHECK_FALSE(c.exists("llm", client.chat_inputs("r")));

  stub.clear_faults();
  CHECK(client.oracle("r") == "Stub answer from stub-model to: r");
  CHECK(stub.chat_requests() == 9);
}

TEST_CASE("a rejected API key is reported without the key", "[llm][errors]") {
  llm_stub stub({.api_key = "sk-the-right-one"});
  in_mem_cache c;
  auto cfg = stub_config(stub); // sends sk-test-secret-..., which the stub echoes back
  llm client(c, cfg);
  auto e = error_of([&] { client.oracle("q"); });
  CHECK(e.status() == 401);
  std::string what = e.what();
  CHECK(what.find(cfg.api_key) == std::string::npos);
  CHECK(what.find("[redacted]") != std::string::npos);
  CHECK(c.size() == 0);
  cfg.api_key = "sk-the-right-one";
  CHECK(llm(c, cfg).oracle("q") == "Stub answer from stub-model to: q");
  CHECK(stub.received().back().authorization == "Bearer sk-the-right-one");
}

TEST_CASE("a timeout is an exception, retried, and not cached", "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  auto cfg = stub_config(stub);
  cfg.read_timeout = 300ms;
  cfg.retry.max_attempts = 2;
  llm client(c, cfg);
  stub.inject(llm_stub_fault::stall_for(3s), 2);
  auto e = error_of([&] { client.oracle("q"); });
  CHECK(e.what_kind() == llm_error::kind::timeout);
  CHECK(e.attempts() == 2);
  CHECK(std::string(e.what()).find(stub.base_url()) != std::string::npos);
  CHECK(c.size() == 0);
  CHECK(client.oracle("q") == "Stub answer from stub-model to: q");
  CHECK(stub.chat_requests() == 3);
}

TEST_CASE("a refused connection is an exception naming the endpoint, retried", "[llm][errors]") {
  std::string url;
  {
    llm_stub gone;
    url = gone.base_url();
  } // nothing listens there now
  in_mem_cache c;
  llm_config cfg;
  cfg.base_url = url;
  cfg.model = "m";
  cfg.retry.initial_backoff = 1ms;
  cfg.retry.max_backoff = 2ms;
  llm client(c, cfg);
  auto e = error_of([&] { client.oracle("q"); });
  CHECK(e.what_kind() == llm_error::kind::connection);
  CHECK(e.status() == 0);
  CHECK(e.attempts() == 3);
  CHECK(std::string(e.what()).find(url + "/chat/completions") != std::string::npos);
  CHECK(client.stats().retries == 2);
  CHECK(c.size() == 0);
}

TEST_CASE("a malformed answer is an exception, not retried, not cached", "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  stub.inject(llm_stub_fault::garbage());
  auto e = error_of([&] { client.oracle("q"); });
  CHECK(e.what_kind() == llm_error::kind::malformed);
  CHECK(e.attempts() == 1);
  CHECK(c.size() == 0);
  stub.inject(llm_stub_fault::garbage());
  e = error_of([&] { client.embed({"x"}); });
  CHECK(e.what_kind() == llm_error::kind::malformed);
  CHECK(e.endpoint() == stub.base_url() + "/embeddings");
  CHECK(c.size() == 0);
  CHECK(client.oracle("q") == "Stub answer from stub-model to: q");
  CHECK(stub.requests() == 3);
}

TEST_CASE("a connection dropped mid-stream fails the oracle after its retries, nothing cached",
          "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  stub.inject_always(llm_stub_fault::drop_after(2));
  auto e = error_of([&] { client.oracle("q"); });
  CHECK(e.what_kind() == llm_error::kind::stream_broken);
  CHECK(e.attempts() == 3); // the oracle had delivered nothing: each drop was retried
  CHECK(c.size() == 0);
  stub.clear_faults();
  stub.inject(llm_stub_fault::drop_after(1)); // once: the retry succeeds
  CHECK(client.oracle("q") == "Stub answer from stub-model to: q");
  CHECK(stub.chat_requests() == 5);
}

TEST_CASE("a failed embedding call stores nothing", "[llm][errors]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub, "stub-embedding"));
  stub.inject(llm_stub_fault::http(400));
  auto e = error_of([&] { client.embed({"a", "b"}); });
  CHECK(e.status() == 400);
  CHECK(c.size() == 0);
  CHECK(client.embed({"a", "b"}).size() == 2);
  CHECK(c.size() == 2);
}
