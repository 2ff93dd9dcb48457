#include "ahvn/integrations/stub/llm_stub_answers.hpp"

#include "ahvn/integrations/stub/llm_stub.hpp"
#include "ahvn/messages/md5.hpp"

#include <stdexcept>

namespace ahvn {

namespace stub {

namespace {

std::string model_of(const json& request) {
  auto m = request.find("model");
  return m != request.end() && m->is_string() ? m->get<std::string>() : std::string("stub-model");
}

// Splits `text` into pieces of one word each, the space kept with the word before it.
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string piece;
  for (char c : text) {
    piece += c;
    if (c == ' ') {
      out.push_back(std::move(piece));
      piece.clear();
    }
  }
  if (!piece.empty()) out.push_back(std::move(piece));
  return out;
}

bool reasons(const json& request) {
  return model_of(request).find("reason") != std::string::npos;
}

// The first tool's name when the request asks for tool use, else "".
std::string tool_name(const json& request) {
  auto tools = request.find("tools");
  if (tools == request.end() || !tools->is_array() || tools->empty()) return "";
  auto choice = request.find("tool_choice");
  if (choice != request.end() && *choice == "none") return "";
  const json& t = tools->front();
  if (t.contains("function") && t["function"].is_object() && t["function"].contains("name") &&
      t["function"]["name"].is_string())
    return t["function"]["name"].get<std::string>();
  return "";
}

std::string think_text(const json& request) {
  return "The user asked: " + last_user_text(request) + ". A stub answers.";
}

std::string tool_arguments(const json& request) {
  return json{{"query", last_user_text(request)}}.dump();
}

json chunk(const json& request, const std::string& id, json delta, json finish) {
  return {{"id", id},
          {"object", "chat.completion.chunk"},
          {"created", 1700000000},
          {"model", model_of(request)},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"finish_reason", std::move(finish)}}})}};
}

} // namespace

std::string last_user_text(const json& request) {
  auto messages = request.find("messages");
  if (messages == request.end() || !messages->is_array()) return "";
  for (auto it = messages->rbegin(); it != messages->rend(); ++it) {
    if (!it->is_object() || it->value("role", "") != "user") continue;
    auto content = it->find("content");
    if (content == it->end()) return "";
    if (content->is_string()) return content->get<std::string>();
    std::string text;
    if (content->is_array())
      for (const auto& part : *content)
        if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
            part["text"].is_string())
          text += part["text"].get<std::string>();
    return text;
  }
  return "";
}

std::vector<json> chat_events(const json& request, const std::string& id) {
  std::vector<json> events;
  events.push_back(chunk(request, id, {{"role", "assistant"}, {"content", ""}}, nullptr));
  if (reasons(request))
    for (auto& w : words(think_text(request)))
      events.push_back(chunk(request, id, {{"reasoning_content", w}}, nullptr));
  std::string tool = tool_name(request);
  if (!tool.empty()) {
    events.push_back(
        chunk(request, id,
              {{"tool_calls", json::array({{{"index", 0},
                                            {"id", "call_" + id},
                                            {"type", "function"},
                                            {"function", {{"name", tool}, {"arguments", ""}}}}})}},
              nullptr));
    std::string args = tool_arguments(request);
    size_t half = args.size() / 2;
    for (const auto& part : {args.substr(0, half), args.substr(half)})
      events.push_back(chunk(
          request, id,
          {{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", part}}}}})}},
          nullptr));
    events.push_back(chunk(request, id, json::object(), "tool_calls"));
    return events;
  }
  for (auto& w : words(llm_stub::answer_text(request)))
    events.push_back(chunk(request, id, {{"content", w}}, nullptr));
  events.push_back(chunk(request, id, json::object(), "stop"));
  return events;
}

json chat_completion(const json& request, const std::string& id) {
  json message = {{"role", "assistant"}};
  if (reasons(request)) message["reasoning_content"] = think_text(request);
  std::string tool = tool_name(request);
  std::string finish = "stop";
  if (!tool.empty()) {
    message["content"] = nullptr;
    message["tool_calls"] =
        json::array({{{"id", "call_" + id},
                      {"type", "function"},
                      {"function", {{"name", tool}, {"arguments", tool_arguments(request)}}}}});
    finish = "tool_calls";
  } else {
    message["content"] = llm_stub::answer_text(request);
  }
  return {
      {"id", id},
      {"object", "chat.completion"},
      {"created", 1700000000},
      {"model", model_of(request)},
      {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", finish}}})},
      {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}};
}

json error_body(const std::string& message, const std::string& type, int code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

} // namespace stub

std::string llm_stub::answer_text(const json& request) {
  return "Stub answer from " + stub::model_of(request) + " to: " + stub::last_user_text(request);
}

std::vector<double> llm_stub::embedding_for(const std::string& model, const std::string& text,
                                            size_t dim) {
  std::vector<double> v;
  v.reserve(dim);
  std::string seed = model + "\n" + text;
  while (v.size() < dim) {
    auto d = md5::digest(seed);
    for (uint8_t b : d) {
      if (v.size() == dim) break;
      v.push_back((static_cast<double>(b) - 128.0) / 128.0); // exact in binary: JSON round-trips
    }
    seed.assign(reinterpret_cast<const char*>(d.data()), d.size());
  }
  return v;
}

} // namespace ahvn
