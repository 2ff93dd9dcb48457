#pragma once

// chat_stream_reader: the body of a streamed chat completion turned into chunks.
//
// Each server-sent event's data is a chat.completion.chunk: its choices become one llm_chunk
// (delta.content -> text, delta.reasoning_content or delta.reasoning -> think, delta.tool_calls
// as sent). An event without choices (a usage summary) is skipped. "data: [DONE]" ends the
// stream. An event {"error": ...} is llm_error(server_error). A server that ignored "stream" and
// answered with one chat.completion JSON (Content-Type application/json) gives one chunk.
//
// The answer is complete when [DONE] arrived, or when the body ended after a finish_reason;
// finish() throws llm_error(stream_broken) otherwise — or llm_error(malformed) when the body held
// no event at all (an HTML page, say).
//
// Not thread-safe: one reader per answer.

#include "ahvn/integrations/llm_chunk.hpp"
#include "ahvn/integrations/sse.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace ahvn {

class chat_stream_reader {
public:
  /// Gets each chunk; returning false stops the reading (feed() returns false).
  using chunk_fn = std::function<bool(llm_chunk)>;

  /// `endpoint` names the URL in errors; `json_body` when the answer is not an event stream.
  chat_stream_reader(std::string endpoint, bool json_body, chunk_fn on_chunk);

  /// Consumes body bytes; returns false once on_chunk asked to stop or [DONE] arrived. Throws
  /// llm_error (malformed, server_error).
  bool feed(std::string_view bytes);

  /// Call when the body ended. Throws llm_error(stream_broken) if the answer is incomplete, or
  /// (a JSON body) malformed.
  void finish();

  bool done() const { return done_; }
  /// Chunks handed to on_chunk so far.
  size_t delivered() const { return delivered_; }

private:
  bool event(const sse_event& e);
  bool deliver(llm_chunk c);

  std::string endpoint_;
  bool json_body_;
  chunk_fn on_chunk_;
  sse_parser parser_;
  std::string whole_; // a JSON body
  bool done_ = false;
  bool finished_reason_ = false;
  bool stopped_ = false;
  size_t events_ = 0;
  size_t delivered_ = 0;
};

/// One chat.completion.chunk (or, with `whole`, a chat.completion) as a chunk; a summary event
/// gives a chunk without choices. Throws llm_error(malformed / server_error) naming `endpoint`;
/// sets `finished` when a choice carries a finish_reason.
llm_chunk parse_chat_event(const json& event, const std::string& endpoint, bool whole,
                           bool& finished);

} // namespace ahvn
