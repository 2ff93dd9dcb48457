#include "ahvn/integrations/sse.hpp"

#include <stdexcept>
#include <utility>

namespace ahvn {

sse_parser::sse_parser(event_fn on_event, size_t max_line)
    : on_event_(std::move(on_event)), max_line_(max_line) {}

bool sse_parser::feed(std::string_view bytes) {
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_) { // the LF of a CRLF: the line already ended at the CR
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    after_cr_ = c == '\r';
    pending_.append(bytes.substr(start, i - start));
    start = i + 1;
    std::string l = std::move(pending_);
    pending_.clear();
    if (!line(l)) return false;
  }
  pending_.append(bytes.substr(start));
  if (pending_.size() > max_line_)
    throw std::length_error("a server-sent event line is longer than " + std::to_string(max_line_) +
                            " bytes");
  return true;
}

bool sse_parser::line(std::string_view l) {
  if (l.empty()) { // the end of an event
    if (!has_data_) {
      event_ = {};
      return true;
    }
    sse_event done = std::move(event_);
    event_ = {};
    has_data_ = false;
    return on_event_(done);
  }
  if (l.front() == ':') return true; // a comment (keep-alive)
  auto colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.name = std::string(value);
  }
  return true;
}

} // namespace ahvn
