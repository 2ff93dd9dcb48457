#include "ahvn/integrations/chat_stream_reader.hpp"

#include "ahvn/integrations/llm_error.hpp"

#include <stdexcept>
#include <utility>

namespace ahvn {

namespace {

constexpr size_t max_json_body = 64u << 20;

[[noreturn]] void malformed(const std::string& endpoint, const std::string& what) {
  throw llm_error(llm_error::kind::malformed, endpoint, 200, 1, what);
}

std::string text_member(const json& j, const char* name, const std::string& endpoint) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    malformed(endpoint, std::string("\"") + name + "\" is a " + it->type_name() + ", not a string");
  return it->get<std::string>();
}

} // namespace

llm_chunk parse_chat_event(const json& event, const std::string& endpoint, bool whole,
                           bool& finished) {
  if (!event.is_object()) malformed(endpoint, "an event that is not a JSON object");
  if (auto e = event.find("error"); e != event.end() && !e->is_null()) {
    std::string message = e->is_object() && e->contains("message") && (*e)["message"].is_string()
                              ? (*e)["message"].get<std::string>()
                              : e->dump();
    throw llm_error(llm_error::kind::server_error, endpoint, 200, 1, message);
  }
  auto choices = event.find("choices");
  if (choices == event.end() || !choices->is_array())
    malformed(endpoint, "an answer without a \"choices\" list: " + event.dump().substr(0, 200));
  llm_chunk c;
  for (const auto& choice : *choices) {
    if (!choice.is_object()) malformed(endpoint, "a choice that is not an object");
    if (auto f = choice.find("finish_reason"); f != choice.end() && !f->is_null()) finished = true;
    const char* part = whole ? "message" : "delta";
    auto d = choice.find(part);
    if (d == choice.end() || d->is_null()) {
      c.choices.push_back({});
      continue;
    }
    if (!d->is_object())
      malformed(endpoint, std::string("a \"") + part + "\" that is not an object");
    llm_delta delta;
    delta.text = text_member(*d, "content", endpoint);
    delta.think = text_member(*d, "reasoning_content", endpoint);
    if (delta.think.empty()) delta.think = text_member(*d, "reasoning", endpoint);
    if (auto t = d->find("tool_calls"); t != d->end() && !t->is_null()) {
      if (!t->is_array()) malformed(endpoint, "\"tool_calls\" that is not a list");
      delta.tool_calls = *t;
      if (whole) // a whole message's calls carry no index: number them, as fragments are
        for (size_t i = 0; i < delta.tool_calls.size(); ++i)
          if (delta.tool_calls[i].is_object() && !delta.tool_calls[i].contains("index"))
            delta.tool_calls[i]["index"] = i;
    }
    c.choices.push_back(std::move(delta));
  }
  return c;
}

chat_stream_reader::chat_stream_reader(std::string endpoint, bool json_body, chunk_fn on_chunk)
    : endpoint_(std::move(endpoint)), json_body_(json_body), on_chunk_(std::move(on_chunk)),
      parser_([this](const sse_event& e) { return event(e); }) {}

bool chat_stream_reader::feed(std::string_view bytes) {
  if (stopped_ || done_) return false;
  if (json_body_) {
    if (whole_.size() + bytes.size() > max_json_body)
      malformed(endpoint_, "an answer larger than " + std::to_string(max_json_body) + " bytes");
    whole_.append(bytes);
    return true;
  }
  try {
    return parser_.feed(bytes) && !stopped_ && !done_;
  } catch (const std::length_error& e) {
    malformed(endpoint_, e.what());
  }
}

bool chat_stream_reader::deliver(llm_chunk c) {
  ++delivered_;
  if (on_chunk_(std::move(c))) return true;
  stopped_ = true;
  return false;
}

bool chat_stream_reader::event(const sse_event& e) {
  ++events_;
  if (e.data == "[DONE]") {
    done_ = true;
    return false;
  }
  json parsed = json::parse(e.data, nullptr, false);
  if (parsed.is_discarded())
    malformed(endpoint_, "an event that is not JSON: " + e.data.substr(0, 200));
  auto c = parse_chat_event(parsed, endpoint_, false, finished_reason_);
  if (c.choices.empty()) return true; // a usage summary
  return deliver(std::move(c));
}

void chat_stream_reader::finish() {
  if (stopped_) return;
  if (json_body_) {
    json parsed = json::parse(whole_, nullptr, false);
    if (parsed.is_discarded())
      malformed(endpoint_, "an answer that is not JSON: " + whole_.substr(0, 200));
    auto c = parse_chat_event(parsed, endpoint_, true, finished_reason_);
    done_ = true;
    if (!c.choices.empty()) deliver(std::move(c));
    return;
  }
  if (done_ || finished_reason_) return;
  if (events_ == 0) malformed(endpoint_, "an answer without server-sent events");
  throw llm_error(llm_error::kind::stream_broken, endpoint_, 200, 1,
                  "the stream ended without [DONE] or a finish_reason");
}

} // namespace ahvn
