#pragma once

// sse_parser: server-sent events (the WHATWG event-stream format OpenAI streams in), parsed
// incrementally from bytes as they arrive, split anywhere.
//
//   data: {"choices": [...]}\n\n       -> one event, data = the JSON text
//   data: [DONE]\n\n                   -> the end marker (OpenAI's)
//
// Lines end with LF, CRLF or CR; "data:" lines of one event are joined with "\n"; a blank line
// ends the event; lines starting with ':' are comments; "event:" sets the event's name; other
// fields are ignored. Bytes after the last blank line are an unfinished event, never dispatched.
//
// Not thread-safe: one parser per stream.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ahvn {

struct sse_event {
  std::string name; ///< The "event:" field; "" when absent (the default "message").
  std::string data; ///< The "data:" lines joined with "\n".
};

class sse_parser {
public:
  /// Called once per complete event; returning false stops the parse (feed() returns false).
  using event_fn = std::function<bool(const sse_event&)>;

  /// `max_line` bounds one line (bytes); a longer one makes feed() throw std::length_error.
  explicit sse_parser(event_fn on_event, size_t max_line = 64u << 20);

  /// Consumes `bytes`; returns false once on_event asked to stop.
  bool feed(std::string_view bytes);

private:
  bool line(std::string_view l);

  event_fn on_event_;
  size_t max_line_;
  std::string pending_; // an unfinished line
  bool after_cr_ = false;
  sse_event event_;
  bool has_data_ = false;
};

} // namespace ahvn
