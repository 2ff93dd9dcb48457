#pragma once

// llm_error: how a call to an LLM endpoint fails. Its message names the endpoint (the URL without
// credentials), the HTTP status when there is one and how many attempts were made — never the
// API key (a key the server echoes back is replaced by "[redacted]").
//
// Nothing that failed is ever cached: a memoized call that throws stores nothing, and the next
// call asks the endpoint again.

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ahvn {

class llm_error : public std::runtime_error {
public:
  enum class kind {
    http_status,   ///< The server answered with a status other than 200 (see status()).
    timeout,       ///< No byte arrived within the read timeout, or the call passed its deadline.
    connection,    ///< The server could not be reached (refused, unknown host, reset).
    tls,           ///< The TLS handshake or the server's certificate failed.
    malformed,     ///< The answer is not what the protocol says (bad JSON, missing fields).
    stream_broken, ///< The stream ended before it was complete (a dropped connection).
    server_error,  ///< The stream itself carried an error event.
    cancelled,     ///< The caller stopped consuming the stream.
  };

  llm_error(kind k, std::string endpoint, int status, int attempts, std::string detail,
            std::chrono::milliseconds retry_after = {});

  kind what_kind() const noexcept { return kind_; }
  /// The HTTP status, or 0 when the server gave none.
  int status() const noexcept { return status_; }
  /// The URL that was called, without credentials.
  const std::string& endpoint() const noexcept { return endpoint_; }
  /// How many requests were sent for this call (1 + retries).
  int attempts() const noexcept { return attempts_; }
  /// What went wrong, without the endpoint and the counts (the server's error message, ...).
  const std::string& detail() const noexcept { return detail_; }
  /// The server's Retry-After (429, 503), or 0.
  std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }
  /// The same failure after `n` attempts in all.
  llm_error with_attempts(int n) const;
  /// True for failures worth another attempt: 429, 5xx, timeouts, connection failures and
  /// streams broken before completion.
  bool retryable() const noexcept;

private:
  kind kind_;
  std::string endpoint_;
  int status_;
  int attempts_;
  std::string detail_;
  std::chrono::milliseconds retry_after_;
};

/// A short stable name for `k` ("http_status", "timeout", ...).
std::string_view to_string(llm_error::kind k);

} // namespace ahvn
