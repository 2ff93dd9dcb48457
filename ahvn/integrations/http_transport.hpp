#pragma once

// http_transport: one HTTP(S) POST to an OpenAI-compatible endpoint, its answer's body handed
// over as it arrives. cpp-httplib (with OpenSSL) does the work; its header is included by
// http_transport.cpp only.
//
// Each attempt opens its own connection (no keep-alive): an LLM call takes far longer than a
// connection, and a connection the server closed while idle would fail the next call.
//
// Errors are llm_error with attempts() == 1, naming the URL without credentials and never the
// API key (an error body that echoes the key gets it replaced by "[redacted]").
//
// Thread safety: post() may be called from any number of threads at once; a cancel_token may be
// cancelled from any thread.

#include "ahvn/integrations/llm_config.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ahvn {

/// Stops a call from another thread: the transfer in progress is interrupted (its socket shut
/// down) and waits between attempts end at once.
class cancel_token {
public:
  void cancel();
  bool cancelled() const;
  /// Waits up to `d`; returns false when cancelled meanwhile.
  bool sleep_for(std::chrono::milliseconds d);
  /// What cancel() calls to interrupt the transfer in progress (cleared with nullptr).
  void on_cancel(std::function<void()> interrupt);

private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  std::function<void()> interrupt_;
};

class http_transport {
public:
  /// REQUIRES: `cfg` resolved (llm_config.hpp's resolve()).
  explicit http_transport(const llm_config& cfg);

  /// What a successful answer said about itself.
  struct answer {
    std::string content_type;
  };

  /// Called with the body's bytes of a 200 answer as they arrive (and what the answer said about
  /// itself); return false to stop.
  using body_fn = std::function<bool(const answer&, std::string_view)>;

  /// POSTs `body` (JSON text) to base URL + `path`. For a 200 answer calls `on_body` with the
  /// body and returns once it ended; otherwise throws llm_error (http_status with the server's
  /// error message, timeout, connection, tls, stream_broken when the body broke off). A call past
  /// `deadline` or cancelled through `cancel` stops with timeout or cancelled. An exception
  /// thrown by on_body stops the transfer and propagates.
  answer post(std::string_view path, const std::string& body, const body_fn& on_body,
              std::chrono::steady_clock::time_point deadline, cancel_token* cancel = nullptr) const;

  /// The URL of `path`, without credentials.
  std::string url(std::string_view path) const;

  /// `text` with every occurrence of the API key replaced by "[redacted]".
  std::string redact(std::string text) const;

private:
  llm_config cfg_;
  std::string scheme_host_port_;
  std::string base_path_;
};

} // namespace ahvn
