#pragma once

// Shared pieces of the LLM tests: a client config pointed at a stub, with retries fast enough
// for tests, and helpers that read what the cache holds.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/integrations/llm.hpp"
#include "ahvn/integrations/stub/llm_stub.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ahvn::test {

/// A client config for `stub`: no environment, quick back-off, short timeouts.
inline llm_config stub_config(const llm_stub& stub, std::string model = "stub-model") {
  llm_config cfg;
  cfg.base_url = stub.base_url();
  cfg.model = std::move(model);
  cfg.api_key = "sk-test-secret-0123456789";
  cfg.connect_timeout = std::chrono::milliseconds(2000);
  cfg.read_timeout = std::chrono::milliseconds(5000);
  cfg.deadline = std::chrono::milliseconds(30000);
  cfg.retry.initial_backoff = std::chrono::milliseconds(1);
  cfg.retry.max_backoff = std::chrono::milliseconds(5);
  return cfg;
}

/// Every chunk of a stream, consumed to the end.
inline std::vector<llm_chunk> drain(generator<llm_chunk> g) {
  std::vector<llm_chunk> out;
  for (const auto& c : g)
    out.push_back(c);
  return out;
}

/// The concatenated text of chunks.
inline std::string text_of(const std::vector<llm_chunk>& chunks) {
  std::string t;
  for (const auto& c : chunks)
    t += c.text();
  return t;
}

/// The number of entries of function `func`.
inline size_t entries_of(const cache& c, const std::string& func) {
  size_t n = 0;
  for (auto it = c.entries(256, func).begin(); it != std::default_sentinel; ++it)
    ++n;
  return n;
}

} // namespace ahvn::test
