// The LLM client in every calling context — a plain thread, a future, inside a CAF actor — and
// single flight: identical prompts sent at once cost one request to the endpoint.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/messages/protocol.hpp"
#include "tests/integrations/llm_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <future>
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;
using namespace std::chrono_literals;

namespace {

/// Asks `client` for `prompt` from a new actor; the future holds the text or the exception.
std::future<std::string> ask_from_actor(caf::actor_system& sys, const llm& client,
                                        const std::string& prompt) {
  auto p = std::make_shared<std::promise<std::string>>();
  auto result = p->get_future();
  sys.spawn([&client, prompt, p](caf::event_based_actor* self) {
    client.oracle_request(self, prompt)
        .then([p](std::string text) { p->set_value(std::move(text)); },
              [p](caf::error err) {
                try {
                  if (auto f = failure_of(err); f && f->error) std::rethrow_exception(f->error);
                  throw to_cache_error(err);
                } catch (...) {
                  p->set_exception(std::current_exception());
                }
              });
  });
  return result;
}

} // namespace

TEST_CASE("oracle from a plain thread, as a future, and inside an actor share one entry",
          "[llm][contexts]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  const std::string want = "Stub answer from stub-model to: q";
  CHECK(client.oracle("q") == want);

  auto f = client.oracle_async("q");
  CHECK(f.wait_for(0s) == std::future_status::ready); // a hit is ready at once
  CHECK(f.get() == want);
  auto cold = client.oracle_async("cold");
  REQUIRE(cold.wait_for(30s) == std::future_status::ready);
  CHECK(cold.get() == "Stub answer from stub-model to: cold");

  auto in_actor = ask_from_actor(c.system(), client, "q");
  REQUIRE(in_actor.wait_for(30s) == std::future_status::ready);
  CHECK(in_actor.get() == want);
  auto actor_miss = ask_from_actor(c.system(), client, "from an actor");
  REQUIRE(actor_miss.wait_for(30s) == std::future_status::ready);
  CHECK(actor_miss.get() == "Stub answer from stub-model to: from an actor");
  CHECK(client.oracle("from an actor") == "Stub answer from stub-model to: from an actor");
  CHECK(stub.chat_requests() == 3); // q, cold, from an actor

  auto r = client.chat_async("q").get();
  CHECK(r.text == want);
  CHECK(stub.chat_requests() == 3);
}

TEST_CASE("inside an actor, an llm_error reaches on_error and nothing is cached",
          "[llm][contexts]") {
  llm_stub stub;
  in_mem_cache c;
  llm client(c, stub_config(stub));
  stub.inject(llm_stub_fault::http(401));
  auto f = ask_from_actor(c.system(), client, "q");
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  try {
    f.get();
    FAIL("no error");
  } catch (const llm_error& e) { // the very exception, in this process
    CHECK(e.status() == 401);
  }
  CHECK(c.size() == 0);
  auto again = ask_from_actor(c.system(), client, "q");
  REQUIRE(again.wait_for(30s) == std::future_status::ready);
  CHECK(again.get() == "Stub answer from stub-model to: q");
  CHECK(stub.chat_requests() == 2);
}

TEST_CASE("ten actors sending the same prompt at once cause one request", "[llm][single_flight]") {
  llm_stub stub({.delay = 300ms}); // long enough for all ten to arrive
  temp_dir dir("llm-flight");
  for (std::string url : {std::string("mem:"), "lmdb:" + dir.file("lmdb")}) {
    INFO(url);
    auto c = open_cache(url);
    llm client(c, stub_config(stub));
    size_t before = stub.chat_requests();
    std::vector<std::future<std::string>> answers;
    for (int i = 0; i < 10; ++i)
      answers.push_back(ask_from_actor(c.system(), client, "the same prompt"));
    for (auto& a : answers) {
      REQUIRE(a.wait_for(30s) == std::future_status::ready);
      CHECK(a.get() == "Stub answer from stub-model to: the same prompt");
    }
    CHECK(stub.chat_requests() == before + 1);
    CHECK(c.stats().sets == 1);
  }
}

TEST_CASE("threads, futures and actors sending one prompt at once share one request",
          "[llm][single_flight]") {
  llm_stub stub({.delay = 300ms});
  in_mem_cache c;
  llm client(c, stub_config(stub));
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < 4; ++i)
    answers.push_back(std::async(std::launch::async, [&] { return client.oracle("p"); }));
  for (int i = 0; i < 3; ++i)
    answers.push_back(client.oracle_async("p"));
  for (int i = 0; i < 3; ++i)
    answers.push_back(ask_from_actor(c.system(), client, "p"));
  for (auto& a : answers) {
    REQUIRE(a.wait_for(30s) == std::future_status::ready);
    CHECK(a.get() == "Stub answer from stub-model to: p");
  }
  CHECK(stub.chat_requests() == 1);
  CHECK(c.stats().coalesced >= 1);
}

TEST_CASE("a failing request fails every caller that joined it, and the next call asks again",
          "[llm][single_flight]") {
  llm_stub stub({.delay = 300ms});
  in_mem_cache c;
  auto cfg = stub_config(stub);
  cfg.retry.max_attempts = 1;
  llm client(c, cfg);
  stub.inject(llm_stub_fault::http(500));
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < 5; ++i)
    answers.push_back(ask_from_actor(c.system(), client, "p"));
  size_t failed = 0, answered = 0;
  for (auto& a : answers) {
    REQUIRE(a.wait_for(30s) == std::future_status::ready);
    try {
      a.get();
      ++answered; // arrived after the failure: asked again, and the stub answered
    } catch (const llm_error& e) {
      CHECK(e.status() == 500);
      ++failed;
    }
  }
  CHECK(failed >= 1);
  CHECK(stub.chat_requests() == 1 + (answered > 0 ? 1 : 0));
  CHECK(client.oracle("p") == "Stub answer from stub-model to: p");
}
