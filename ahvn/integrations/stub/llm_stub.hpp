#pragma once

// llm_stub: a real HTTP(S) server on loopback that speaks the OpenAI chat-completions and
// embeddings protocol with deterministic answers, so that LLM code runs — and is tested —
// without the internet. The tests and the llm_demo use it; so can yours.
//
//   ahvn::llm_stub stub({.delay = 200ms});
//   ahvn::llm llm(cache, {.base_url = stub.base_url()});
//   llm.oracle("hi");                          // "Stub answer from stub-model to: hi"
//   stub.chat_requests();                      // 1
//   stub.inject(ahvn::llm_stub_fault::http(503), 2);  // the next two requests fail
//
// Answers:
//   POST {/v1,}/chat/completions — streamed (server-sent events, "data: [DONE]" at the end) when
//     the request says "stream": true, else one chat.completion. The text is answer_text(): it
//     depends only on the model and the last user message. A model whose name holds "reason"
//     first streams reasoning_content. With tools (and tool_choice not "none") the answer is one
//     call of the first tool, its arguments {"query": <last user message>} in fragments.
//   POST {/v1,}/embeddings — one vector per input (embedding_for(): from the model and the text).
//   GET /stub/stats — {"requests", "chat_requests", "embedding_requests"} (for llm_stub runs).
//
// Faults (inject): an HTTP status with an OpenAI-style error body (and a Retry-After), a
// connection dropped after some chunks of a stream, a malformed answer, or a stall longer than
// the client's read timeout. Every request to a chat or embeddings endpoint is counted, faulty or
// not.
//
// Concurrency: the server runs on threads of its own; every member may be called from any thread.

#include "ahvn/messages/json.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ahvn {

struct llm_stub_options {
  std::string host = "127.0.0.1";
  int port = 0; ///< 0: any free port
  /// Waited before every answer (the model's "thinking time").
  std::chrono::milliseconds delay{0};
  /// Waited between two streamed chunks.
  std::chrono::milliseconds chunk_delay{0};
  /// Non-empty: a request without "Authorization: Bearer <api_key>" gets 401.
  std::string api_key = "";
  /// The length of every embedding.
  size_t embedding_dim = 8;
  /// Both set: HTTPS with this PEM certificate and key (see write_self_signed()).
  std::string tls_cert_file = "";
  std::string tls_key_file = "";
};

struct llm_stub_fault {
  enum class kind {
    status,    ///< answer with `status` and an OpenAI-style error body
    drop,      ///< stream `after_chunks` chunks, then drop the connection (non-streamed: at once)
    malformed, ///< answer 200 with a body that is not the protocol
    stall,     ///< wait `stall` before answering (longer than the client's read timeout)
  };
  kind what = kind::status;
  int status = 500;
  int retry_after_s = -1; ///< >= 0: sent as Retry-After
  size_t after_chunks = 2;
  std::chrono::milliseconds stall{0};

  static llm_stub_fault http(int status, int retry_after_s = -1) {
    return {kind::status, status, retry_after_s, 0, {}};
  }
  static llm_stub_fault drop_after(size_t chunks) { return {kind::drop, 0, -1, chunks, {}}; }
  static llm_stub_fault garbage() { return {kind::malformed, 200, -1, 0, {}}; }
  static llm_stub_fault stall_for(std::chrono::milliseconds d) {
    return {kind::stall, 0, -1, 0, d};
  }
};

/// One request the stub received.
struct llm_stub_request {
  std::string path;
  std::string authorization; ///< the Authorization header, as sent
  json body;                 ///< the parsed body (null if it was not JSON)
};

class llm_stub {
public:
  /// Starts serving. Throws std::runtime_error if it cannot listen (or load the TLS files).
  explicit llm_stub(llm_stub_options opts = {});
  /// Stops serving (waits for the requests in progress; delays and stalls end early).
  ~llm_stub();
  llm_stub(const llm_stub&) = delete;
  llm_stub& operator=(const llm_stub&) = delete;

  int port() const;
  /// "http://127.0.0.1:PORT/v1" (https with TLS): give it to llm_config::base_url.
  std::string base_url() const;

  /// The next `times` requests fail with `f` (queued after earlier injections).
  void inject(llm_stub_fault f, size_t times = 1);
  /// Every request fails with `f` until clear_faults().
  void inject_always(llm_stub_fault f);
  void clear_faults();
  void set_delay(std::chrono::milliseconds d);

  /// Requests to a chat or embeddings endpoint so far (faulty ones included).
  size_t requests() const;
  size_t chat_requests() const;
  size_t embedding_requests() const;
  /// Every such request, in order of arrival.
  std::vector<llm_stub_request> received() const;

  /// The text the stub answers a chat request with.
  static std::string answer_text(const json& request);
  /// The embedding the stub answers for `text`.
  static std::vector<double> embedding_for(const std::string& model, const std::string& text,
                                           size_t dim);

  /// Writes a self-signed certificate for 127.0.0.1 and localhost, and its key, as PEM files.
  /// Throws std::runtime_error if OpenSSL fails.
  static void write_self_signed(const std::string& cert_file, const std::string& key_file);

private:
  struct state;
  std::unique_ptr<state> st_;
};

} // namespace ahvn
