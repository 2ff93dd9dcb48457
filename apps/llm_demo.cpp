// llm_demo: the guide's section 6.1 — an OpenAI-compatible LLM memoized on a cache. Asks a few
// prompts twice (cold, then warm), streams one answer twice (from the endpoint, then replayed
// from the cache) and embeds a batch, printing the times, the requests that reached the endpoint
// and the cache's counters. Talks to $OPENAI_BASE_URL (with $OPENAI_API_KEY, $OPENAI_MODEL) when
// set, else starts the stub server (ahvn/integrations/stub) on loopback: no internet needed.

#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/integrations/llm.hpp"
#include "ahvn/integrations/stub/llm_stub.hpp"

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

std::string shorten(std::string s, size_t n = 60) {
  for (auto& c : s)
    if (c == '\n') c = ' ';
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"llm_demo: an OpenAI-compatible LLM memoized on a cache, cold then warm"};
  std::string url = "lmdb:llm-demo-cache";
  int delay_ms = 400;
  bool clear = false;
  std::string embed_model;
  app.add_option("--cache", url, "the cache URL (mem:, lmdb:DIR, json:DIR, sqlite:FILE, ...)")
      ->capture_default_str();
  app.add_option("--stub-delay-ms", delay_ms, "the stub's answer time (when it is used)")
      ->capture_default_str();
  app.add_option("--embed-model", embed_model,
                 "embed with this model too (always done with the stub)");
  app.add_flag("--clear", clear, "empty the cache first, so that the first round is cold");
  CLI11_PARSE(app, argc, argv);

  // The endpoint: $OPENAI_BASE_URL, or the stub.
  std::unique_ptr<ahvn::llm_stub> stub;
  ahvn::llm_config cfg;
  const char* base = std::getenv("OPENAI_BASE_URL");
  if (base == nullptr || *base == '\0') {
    stub = std::make_unique<ahvn::llm_stub>(
        ahvn::llm_stub_options{.delay = std::chrono::milliseconds(delay_ms),
                               .chunk_delay = std::chrono::milliseconds(15)});
    cfg.base_url = stub->base_url();
    cfg.model = "stub-model";
    if (embed_model.empty()) embed_model = "stub-embedding";
  }
  try {
    ahvn::cache cache = ahvn::open_cache(url);
    if (clear) cache.clear();
    ahvn::llm llm(cache, cfg);
    std::cout << "endpoint: " << llm.endpoint() << (stub ? " (the stub: no internet needed)" : "")
              << ", model " << llm.config().model << "\n";
    std::cout << "cache:    " << url << " (" << cache.size() << " entries at start)\n\n";

    const std::vector<std::string> prompts = {"What is Python?", "What is an actor?",
                                              "Why cache LLM calls?"};
    for (int round = 0; round < 2; ++round) {
      std::cout << (round == 0 ? "round 1 (cold unless cached by an earlier run):\n"
                               : "round 2 (warm):\n");
      for (const auto& p : prompts) {
        auto start = clock_type::now();
        std::string answer = llm.oracle(p);
        std::cout << "  " << std::left << std::setw(24) << p << std::right << std::fixed
                  << std::setprecision(2) << std::setw(9) << ms_since(start) << " ms  "
                  << shorten(answer) << "\n";
      }
    }

    const std::string story = "Tell a two-sentence story about a cache.";
    for (int round = 0; round < 2; ++round) {
      std::cout << "\nstream " << (round == 0 ? "(from the endpoint unless cached)" : "(replayed)")
                << ": ";
      auto start = clock_type::now();
      size_t chunks = 0;
      std::optional<double> first_ms;
      for (const ahvn::llm_chunk& c : llm.stream(story)) {
        if (!first_ms) first_ms = ms_since(start);
        std::cout << c.text() << std::flush;
        ++chunks;
      }
      std::cout << "\n  " << chunks << " chunks, first after " << std::fixed << std::setprecision(2)
                << first_ms.value_or(0) << " ms, all after " << ms_since(start) << " ms\n";
    }

    if (!embed_model.empty()) {
      ahvn::llm_config ecfg = cfg;
      ecfg.model = embed_model;
      ahvn::llm embedder(cache, ecfg);
      std::vector<std::string> texts = {"cache", "actor", "stream"};
      auto start = clock_type::now();
      auto first = embedder.embed(texts);
      double cold = ms_since(start);
      texts.push_back("key");
      start = clock_type::now();
      auto second = embedder.embed(texts);
      std::cout << "\nembed 3 texts: " << std::fixed << std::setprecision(2) << cold
                << " ms; then 4 texts (3 cached, 1 sent): " << ms_since(start) << " ms; "
                << second.front().size() << " dimensions; " << embedder.stats().requests
                << " embedding requests\n";
    }

    auto s = llm.stats();
    std::cout << "\nrequests that reached the endpoint: "
              << (stub ? stub->requests() : static_cast<size_t>(s.requests))
              << " (the chat client sent " << s.requests << ", " << s.retries
              << " of them retries; " << s.failures << " calls failed)\n";
    auto c = cache.stats();
    std::cout << "cache counters: " << c.hits << " hits, " << c.misses << " misses, " << c.sets
              << " sets, " << c.entries << " entries, " << c.errors << " errors\n";
    if (!stub) std::cout << "(run again: every answer now comes from " << url << ")\n";
  } catch (const ahvn::llm_error& e) {
    std::cerr << "llm_demo: " << e.what() << '\n';
    return 1;
  } catch (const ahvn::cache_error& e) {
    std::cerr << "llm_demo: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
