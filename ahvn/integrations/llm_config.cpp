#include "ahvn/integrations/llm_config.hpp"

#include "ahvn/messages/error.hpp"

#include <cstdlib>
#include <iterator>

namespace ahvn {

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::move(fallback);
}

[[noreturn]] void bad(const std::string& what) {
  throw cache_error(errc::invalid_argument, "llm: " + what);
}

template <class T>
void set_if(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

json normalize_message(const json& m, size_t i) {
  if (m.is_string()) return {{"role", "user"}, {"content", m}};
  if (!m.is_object())
    bad("message " + std::to_string(i) + " must be a string or an object, got " + m.type_name());
  if (!m.contains("role")) bad("message " + std::to_string(i) + " has no \"role\": " + m.dump());
  auto calls = m.find("tool_calls");
  if (calls == m.end() || !calls->is_array() || calls->empty()) return m;
  json copy = m;
  for (auto& call : copy["tool_calls"]) {
    if (!call.is_object()) continue;
    auto f = call.find("function");
    if (f == call.end() || !f->is_object()) continue;
    auto args = f->find("arguments");
    if (args != f->end() && !args->is_string())
      *args = dumps_python(*args, {.sort_keys = false, .ensure_ascii = false});
  }
  return copy;
}

void merge_object(json& into, const json& from, const char* what) {
  if (from.is_null()) return;
  if (!from.is_object()) bad(std::string(what) + " must be a JSON object, got " + from.type_name());
  for (auto it = from.begin(); it != from.end(); ++it)
    into[it.key()] = it.value();
}

} // namespace

llm_messages::llm_messages(const char* prompt) : llm_messages(std::string_view(prompt)) {}

llm_messages::llm_messages(std::string_view prompt)
    : list_(json::array({{{"role", "user"}, {"content", std::string(prompt)}}})) {}

llm_messages::llm_messages(const std::string& prompt) : llm_messages(std::string_view(prompt)) {}

llm_messages::llm_messages(const json& messages) : list_(json::array()) {
  if (messages.is_string() || messages.is_object()) {
    list_.push_back(normalize_message(messages, 0));
    return;
  }
  if (!messages.is_array())
    bad("messages must be a string, a message or a list of them, got " +
        std::string(messages.type_name()));
  for (size_t i = 0; i < messages.size(); ++i)
    list_.push_back(normalize_message(messages[i], i));
}

std::string display_url(std::string_view url) {
  std::string u(url);
  if (auto q = u.find_first_of("?#"); q != std::string::npos) u.erase(q);
  auto scheme = u.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  auto slash = u.find('/', host);
  auto at = u.rfind('@', slash == std::string::npos ? std::string::npos : slash);
  if (at != std::string::npos && at >= host) u.erase(host, at + 1 - host);
  return u;
}

llm_config resolve(llm_config cfg) {
  if (cfg.name.empty()) bad("the name (the function name of the cache entries) is empty");
  if (cfg.model.empty()) cfg.model = env_or("OPENAI_MODEL", "gpt-4o-mini");
  if (cfg.base_url.empty()) cfg.base_url = env_or("OPENAI_BASE_URL", "https://api.openai.com/v1");
  while (!cfg.base_url.empty() && cfg.base_url.back() == '/')
    cfg.base_url.pop_back();
  if (cfg.api_key.empty()) cfg.api_key = env_or("OPENAI_API_KEY", "");
  const auto& u = cfg.base_url;
  bool http = u.rfind("http://", 0) == 0, https = u.rfind("https://", 0) == 0;
  size_t host = http ? 7 : 8;
  if ((!http && !https) || u.size() <= host || u[host] == '/' || u[host] == ':')
    bad("the base URL '" + display_url(u) + "' is not http(s)://host[:port][/path]");
  if (display_url(u) != u) bad("the base URL must not hold credentials or a query: give api_key");
  if (cfg.retry.max_attempts < 1) bad("retry.max_attempts must be at least 1");
  if (cfg.retry.initial_backoff.count() < 0 || cfg.retry.max_backoff.count() < 0)
    bad("retry back-offs must not be negative");
  if (!(cfg.retry.jitter >= 0 && cfg.retry.jitter <= 1)) bad("retry.jitter must be in [0, 1]");
  if (cfg.connect_timeout.count() <= 0 || cfg.read_timeout.count() <= 0 ||
      cfg.deadline.count() <= 0)
    bad("timeouts and the deadline must be positive");
  if (!cfg.options.is_object()) bad("options must be a JSON object");
  if (!cfg.agentheaven_config.is_object()) bad("agentheaven_config must be a JSON object");
  return cfg;
}

namespace {

// The client's part of a request: model, sampling settings, options.
json client_request(const llm_config& cfg) {
  json r = json::object();
  r["model"] = cfg.model;
  set_if(r, "temperature", cfg.temperature);
  set_if(r, "top_p", cfg.top_p);
  set_if(r, "max_tokens", cfg.max_tokens);
  set_if(r, "seed", cfg.seed);
  merge_object(r, cfg.options, "options");
  return r;
}

// The same as AgentHeaven's resolved LLM config holds it: the secrets and the base too.
json agentheaven_base(const llm_config& cfg) {
  json r = client_request(cfg);
  if (!cfg.api_key.empty()) r["api_key"] = cfg.api_key;
  r["api_base"] = cfg.base_url;
  merge_object(r, cfg.agentheaven_config, "agentheaven_config");
  for (auto it = r.begin(); it != r.end();) // Python's resolve_llm_config drops None values
    it = it->is_null() ? r.erase(it) : std::next(it);
  return r;
}

void add_call(json& r, const llm_messages& messages, const chat_options& opts) {
  set_if(r, "temperature", opts.temperature);
  set_if(r, "top_p", opts.top_p);
  set_if(r, "max_tokens", opts.max_tokens);
  set_if(r, "seed", opts.seed);
  merge_object(r, opts.options, "chat_options.options");
  r["messages"] = messages.list();
  r["stream"] = true;
  bool has_tools = opts.tools.is_array() && !opts.tools.empty();
  if (!opts.tools.is_null() && !opts.tools.is_array())
    bad("tools must be a list of tool definitions, got " + std::string(opts.tools.type_name()));
  if (has_tools) {
    r["tools"] = opts.tools;
    r["tool_choice"] = opts.tool_choice.is_null() ? json("auto") : opts.tool_choice;
  } else if (!opts.tool_choice.is_null()) {
    r["tool_choice"] = opts.tool_choice;
  }
}

json without(json r, const std::vector<std::string>& names) {
  for (const auto& n : names)
    r.erase(n);
  return r;
}

} // namespace

chat_call make_chat_call(const llm_config& cfg, const llm_messages& messages,
                         const chat_options& opts) {
  chat_call call;
  call.body = client_request(cfg);
  add_call(call.body, messages, opts);
  if (cfg.keys == key_style::agentheaven) {
    call.key_config = agentheaven_base(cfg);
    add_call(call.key_config, messages, opts);
  } else {
    call.key_config = without(call.body, cfg.unkeyed_options);
  }
  return call;
}

embed_call make_embed_call(const llm_config& cfg, const embed_options& opts) {
  embed_call call;
  call.body = json::object();
  call.body["model"] = cfg.model;
  merge_object(call.body, opts.options, "embed_options.options");
  if (call.body.contains("input")) bad("embed_options.options must not hold \"input\"");
  if (cfg.keys == key_style::agentheaven) {
    call.key_config = agentheaven_base(cfg);
    merge_object(call.key_config, opts.options, "embed_options.options");
  } else {
    call.key_config = without(call.body, cfg.unkeyed_options);
  }
  return call;
}

} // namespace ahvn
