#include "ahvn/integrations/llm_chunk.hpp"

#include "ahvn/messages/error.hpp"

namespace ahvn {

namespace {

const std::string empty_text;

std::string string_member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    throw cache_error(errc::invalid_entry, std::string("an LLM chunk's \"") + name +
                                               "\" must be a string, got " + it->type_name());
  return it->get<std::string>();
}

} // namespace

const std::string& llm_chunk::text() const {
  return choices.empty() ? empty_text : choices.front().text;
}

const std::string& llm_chunk::think() const {
  return choices.empty() ? empty_text : choices.front().think;
}

void to_json(json& j, const llm_delta& d) {
  j = json::object();
  j["think"] = d.think;
  j["text"] = d.text;
  j["tool_calls"] = d.tool_calls.is_array() ? d.tool_calls : json::array();
}

void from_json(const json& j, llm_delta& d) {
  if (!j.is_object())
    throw cache_error(errc::invalid_entry,
                      std::string("an LLM chunk's choice must be an object, got ") + j.type_name());
  d.think = string_member(j, "think");
  d.text = string_member(j, "text");
  auto it = j.find("tool_calls");
  if (it == j.end() || it->is_null()) {
    d.tool_calls = json::array();
  } else if (it->is_array()) {
    d.tool_calls = *it;
  } else {
    throw cache_error(errc::invalid_entry,
                      std::string("an LLM chunk's \"tool_calls\" must be a list, got ") +
                          it->type_name());
  }
}

void to_json(json& j, const llm_chunk& c) {
  j = json::array();
  for (const auto& d : c.choices)
    j.push_back(json(d));
}

void from_json(const json& j, llm_chunk& c) {
  if (!j.is_array())
    throw cache_error(errc::invalid_entry,
                      std::string("an LLM chunk must be a list of choices, got ") + j.type_name());
  c.choices.clear();
  for (const auto& d : j)
    c.choices.push_back(d.get<llm_delta>());
}

namespace {

// Merges one tool-call fragment into `calls`, as AgentHeaven's _merge_tool_call_deltas does.
void merge_tool_call(json& calls, const json& fragment) {
  if (!fragment.is_object()) return;
  size_t index = 0;
  if (auto i = fragment.find("index"); i != fragment.end() && i->is_number_unsigned())
    index = i->get<size_t>();
  else if (i != fragment.end() && i->is_number_integer() && i->get<int64_t>() >= 0)
    index = static_cast<size_t>(i->get<int64_t>());
  while (calls.size() <= index)
    calls.push_back(
        {{"id", nullptr}, {"type", "function"}, {"function", {{"name", ""}, {"arguments", ""}}}});
  json& call = calls[index];
  if (auto id = fragment.find("id");
      id != fragment.end() && id->is_string() && !id->get_ref<const std::string&>().empty())
    call["id"] = *id;
  if (auto type = fragment.find("type");
      type != fragment.end() && type->is_string() && !type->get_ref<const std::string&>().empty())
    call["type"] = *type;
  auto f = fragment.find("function");
  if (f == fragment.end() || !f->is_object()) return;
  for (const char* part : {"name", "arguments"}) {
    auto p = f->find(part);
    if (p != f->end() && p->is_string())
      call["function"][part] = call["function"][part].get<std::string>() + p->get<std::string>();
  }
}

} // namespace

llm_response gather(const std::vector<llm_chunk>& chunks) {
  llm_response r;
  for (const auto& c : chunks) {
    if (c.choices.empty()) continue;
    const auto& d = c.choices.front();
    r.think += d.think;
    r.text += d.text;
    for (const auto& fragment : d.tool_calls)
      merge_tool_call(r.tool_calls, fragment);
  }
  return r;
}

} // namespace ahvn
