#pragma once

// llm_engine: the uncached calls the llm client memoizes (integrations/llm.hpp) — a chat
// completion streamed and gathered, the same streamed chunk by chunk, an embedding batch — with
// retries, back-off and jitter, and the counters.
//
// Retries: an attempt that fails with a retryable llm_error (429, 5xx, timeout, connection,
// broken stream) is repeated after a back-off, up to retry_policy::max_attempts and within the
// deadline — except in stream(), once a chunk has reached the consumer (repeating would repeat
// chunks). The error thrown at the end says how many attempts were made.
//
// Thread safety: every member may be called from any number of threads at once.

#include "ahvn/actors/client/generator.hpp"
#include "ahvn/integrations/http_transport.hpp"
#include "ahvn/integrations/llm_chunk.hpp"
#include "ahvn/integrations/llm_config.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ahvn {

/// What one client has counted since it was created.
struct llm_stats {
  uint64_t requests = 0; ///< HTTP requests sent (every attempt).
  uint64_t retries = 0;  ///< Attempts after a failed one.
  uint64_t failures = 0; ///< Calls that ended in an exception.
};

class llm_engine : public std::enable_shared_from_this<llm_engine> {
public:
  /// REQUIRES: `cfg` resolved.
  explicit llm_engine(llm_config cfg);

  const llm_config& config() const { return cfg_; }

  /// POSTs a chat request (`body` as made by make_chat_call) and returns every chunk of the
  /// streamed answer. Throws llm_error.
  std::vector<llm_chunk> complete(const json& body);

  /// The same answer chunk by chunk, as the server sends them (a thread of its own reads the
  /// connection; destroying the generator early stops it). An error reaches the consumer as an
  /// llm_error at the next increment. REQUIRES: owned by a shared_ptr.
  generator<llm_chunk> stream(json body);

  /// POSTs one embedding request for `texts` (`body` as made by make_embed_call) and returns
  /// one vector per text, in order. Empty texts are not sent: theirs is [1, 0, ..., 0], as
  /// AgentHeaven makes it. Throws llm_error.
  std::vector<std::vector<double>> embed(const std::vector<std::string>& texts, const json& body);

  llm_stats stats() const;

  /// The URL of /chat/completions without credentials.
  std::string chat_url() const { return transport_.url("/chat/completions"); }

private:
  /// Runs attempt(deadline) until it succeeds, fails for good, or may_retry() says no.
  template <class Attempt>
  auto with_retries(Attempt attempt, const std::function<bool()>& may_retry,
                    cancel_token* cancel = nullptr)
      -> decltype(attempt(std::chrono::steady_clock::time_point{}));

  void read_stream(const std::string& body, const std::function<bool(llm_chunk)>& deliver,
                   std::chrono::steady_clock::time_point deadline, cancel_token* cancel);

  std::vector<std::vector<double>> request_embeddings(const std::vector<std::string>& texts,
                                                      const json& body);

  std::chrono::milliseconds backoff(int failed_attempts, std::chrono::milliseconds server_hint);

  llm_config cfg_;
  http_transport transport_;
  std::atomic<uint64_t> requests_{0}, retries_{0}, failures_{0};
  std::atomic<uint64_t> jitter_state_;
};

} // namespace ahvn
