// Which fields make an LLM call's cache key (integrations/llm_config.hpp): the documented ones
// and nothing else; the AgentHeaven-compatible style gives the keys Python computes
// (tests/integrations/llm_key_vectors.json, written by make_llm_key_vectors.py).

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/integrations/llm.hpp"
#include "tests/support/files.hpp"

#include <functional>
#include <string>

#include <catch2/catch.hpp>

using namespace ahvn;

namespace {

llm_config config_from(const json& cpp, key_style style) {
  llm_config cfg;
  cfg.keys = style;
  cfg.model = cpp.at("model").get<std::string>();
  cfg.api_key = cpp.value("api_key", "");
  cfg.base_url = cpp.value("base_url", "");
  if (cpp.contains("temperature")) cfg.temperature = cpp["temperature"].get<double>();
  if (cpp.contains("top_p")) cfg.top_p = cpp["top_p"].get<double>();
  if (cpp.contains("max_tokens")) cfg.max_tokens = cpp["max_tokens"].get<int64_t>();
  if (cpp.contains("seed")) cfg.seed = cpp["seed"].get<int64_t>();
  if (cpp.contains("options")) cfg.options = cpp["options"];
  if (cpp.contains("agentheaven_config")) cfg.agentheaven_config = cpp["agentheaven_config"];
  return cfg;
}

chat_options call_from(const json& call) {
  chat_options o;
  if (call.contains("temperature")) o.temperature = call["temperature"].get<double>();
  if (call.contains("top_p")) o.top_p = call["top_p"].get<double>();
  if (call.contains("max_tokens")) o.max_tokens = call["max_tokens"].get<int64_t>();
  if (call.contains("seed")) o.seed = call["seed"].get<int64_t>();
  if (call.contains("tools")) o.tools = call["tools"];
  if (call.contains("tool_choice")) o.tool_choice = call["tool_choice"];
  if (call.contains("options")) o.options = call["options"];
  return o;
}

json vectors() {
  auto path = test::source_path("tests/integrations/llm_key_vectors.json");
  return parse_json(test::read_file(path), path);
}

key_style style_of(const json& v) {
  return v.at("style") == "agentheaven" ? key_style::agentheaven : key_style::portable;
}

const json tools = json::parse(R"([{"type": "function", "function": {"name": "lookup",
  "parameters": {"type": "object", "properties": {"word": {"type": "string"}}}}}])");

} // namespace

TEST_CASE("chat keys equal the vectors Python computed, in both key styles", "[llm][keys]") {
  in_mem_cache c;
  auto v = vectors();
  REQUIRE(v.at("chat").size() >= 6);
  for (const auto& vec : v.at("chat")) {
    INFO(vec.at("name").get<std::string>());
    llm client(c, config_from(vec.at("cpp"), style_of(vec)));
    llm_messages messages(vec.at("call").at("messages"));
    auto opts = call_from(vec.at("call"));
    CHECK(client.chat_inputs(messages, opts) == vec.at("inputs"));
    CHECK(client.chat_key(messages, opts).to_string() == vec.at("key").get<std::string>());
  }
}

TEST_CASE("embedding keys equal the vectors Python computed, in both key styles", "[llm][keys]") {
  in_mem_cache c;
  auto v = vectors();
  REQUIRE(v.at("embed").size() >= 2);
  for (const auto& vec : v.at("embed")) {
    INFO(vec.at("name").get<std::string>());
    llm client(c, config_from(vec.at("cpp"), style_of(vec)));
    embed_options opts{vec.at("call").at("options")};
    auto text = vec.at("text").get<std::string>();
    CHECK(client.embed_inputs(text, opts) == vec.at("inputs"));
    CHECK(client.embed_key(text, opts).to_string() == vec.at("key").get<std::string>());
  }
}

TEST_CASE("the portable key: secrets and transport settings leave it unchanged", "[llm][keys]") {
  in_mem_cache c;
  llm_config base;
  base.model = "gpt-4o-mini";
  base.base_url = "https://api.openai.com/v1";
  base.api_key = "sk-first";
  const llm_messages prompt("What is Python?");
  const key k = llm(c, base).chat_key(prompt);
  CHECK(llm(c, base).chat_inputs(prompt) ==
        json::parse(R"({"inputs": {"model": "gpt-4o-mini", "stream": true,
          "messages": [{"role": "user", "content": "What is Python?"}]}})"));

  std::vector<std::pair<const char*, std::function<void(llm_config&)>>> transport = {
      {"api_key", [](llm_config& x) { x.api_key = "sk-rotated"; }},
      {"no api_key", [](llm_config& x) { x.api_key = ""; }},
      {"base_url", [](llm_config& x) { x.base_url = "https://gateway.example:8443/openai/v1"; }},
      {"headers",
       [](llm_config& x) {
         x.headers = {{"OpenAI-Organization", "org-1"}};
       }},
      {"timeouts",
       [](llm_config& x) { x.read_timeout = x.connect_timeout = std::chrono::seconds(3); }},
      {"deadline", [](llm_config& x) { x.deadline = std::chrono::seconds(5); }},
      {"retries", [](llm_config& x) { x.retry.max_attempts = 7; }},
      {"tls", [](llm_config& x) { x.ca_cert_file = "/etc/ssl/certs/ca-certificates.crt"; }},
      {"a tracking user id",
       [](llm_config& x) {
         x.options = {{"user", "alice"}};
       }},
      {"metadata and stream_options",
       [](llm_config& x) {
         x.options = {{"metadata", {{"trace_id", "t-1"}}},
                      {"stream_options", {{"include_usage", true}}}};
       }},
      {"agentheaven_config (used by the other style only)",
       [](llm_config& x) {
         x.agentheaven_config = {{"timeout", 60}};
       }},
  };
  for (const auto& [what, change] : transport) {
    INFO("changed: " << what);
    llm_config cfg = base;
    change(cfg);
    CHECK(llm(c, cfg).chat_key(prompt) == k);
  }
  chat_options traced;
  traced.options = {{"user", "bob"}};
  CHECK(llm(c, base).chat_key(prompt, traced) == k);
}

TEST_CASE("the portable key: model, sampling, messages, tools and options change it",
          "[llm][keys]") {
  in_mem_cache c;
  llm_config base;
  base.model = "gpt-4o-mini";
  base.base_url = "https://api.openai.com/v1";
  const llm_messages prompt("What is Python?");
  const key k = llm(c, base).chat_key(prompt);

  std::vector<std::pair<const char*, std::function<void(llm_config&)>>> client_side = {
      {"model", [](llm_config& x) { x.model = "gpt-4o"; }},
      {"temperature", [](llm_config& x) { x.temperature = 0.7; }},
      {"temperature 0", [](llm_config& x) { x.temperature = 0.0; }},
      {"top_p", [](llm_config& x) { x.top_p = 0.9; }},
      {"max_tokens", [](llm_config& x) { x.max_tokens = 64; }},
      {"seed", [](llm_config& x) { x.seed = 1; }},
      {"an option",
       [](llm_config& x) {
         x.options = {{"stop", json::array({"\n"})}};
       }},
      {"the function name", [](llm_config& x) { x.name = "summarizer"; }},
  };
  for (const auto& [what, change] : client_side) {
    INFO("changed: " << what);
    llm_config cfg = base;
    change(cfg);
    CHECK(llm(c, cfg).chat_key(prompt) != k);
  }

  llm client(c, base);
  chat_options t;
  t.temperature = 0.7;
  CHECK(client.chat_key(prompt, t) != k);
  CHECK(client.chat_key(prompt, t) == llm(c,
                                          [&] {
                                            auto cfg = base;
                                            cfg.temperature = 0.7;
                                            return cfg;
                                          }())
                                          .chat_key(prompt)); // per call or per client: same
  CHECK(client.chat_key("What is Python ?") != k);
  CHECK(client.chat_key(
            json::array({{{"role", "system"}, {"content", "Be brief."}}, "What is Python?"})) != k);
  chat_options with_tools;
  with_tools.tools = tools;
  key kt = client.chat_key(prompt, with_tools);
  CHECK(kt != k);
  CHECK(client.chat_inputs(prompt, with_tools)["inputs"]["tool_choice"] == "auto");
  chat_options other_tools = with_tools;
  other_tools.tools[0]["function"]["name"] = "search";
  CHECK(client.chat_key(prompt, other_tools) != kt);
  chat_options required = with_tools;
  required.tool_choice = "required";
  CHECK(client.chat_key(prompt, required) != kt);
  chat_options opt;
  opt.options = {{"response_format", {{"type", "json_object"}}}};
  CHECK(client.chat_key(prompt, opt) != k);
}

TEST_CASE("the agentheaven key holds the API key and the base, as Python's does", "[llm][keys]") {
  in_mem_cache c;
  llm_config cfg;
  cfg.keys = key_style::agentheaven;
  cfg.model = "gpt-4o-mini";
  cfg.base_url = "https://api.openai.com/v1";
  cfg.api_key = "sk-first";
  const key k = llm(c, cfg).chat_key("hi");
  auto inputs = llm(c, cfg).chat_inputs("hi")["inputs"];
  CHECK(inputs["api_key"] == "sk-first");
  CHECK(inputs["api_base"] == "https://api.openai.com/v1");
  cfg.api_key = "sk-second";
  CHECK(llm(c, cfg).chat_key("hi") != k);
  cfg.options = {{"user", "alice"}}; // nothing is left out in this style
  CHECK(llm(c, cfg).chat_inputs("hi")["inputs"]["user"] == "alice");
}

TEST_CASE("messages are normalized as AgentHeaven's format_messages, and bad ones are refused",
          "[llm][keys]") {
  llm_messages m(
      json::array({"hello",
                   {{"role", "assistant"},
                    {"tool_calls",
                     json::array({{{"id", "c1"},
                                   {"type", "function"},
                                   {"function", {{"name", "f"}, {"arguments", {{"x", 1}}}}}}})}}}));
  CHECK(m.list()[0] == json({{"role", "user"}, {"content", "hello"}}));
  CHECK(m.list()[1]["tool_calls"][0]["function"]["arguments"] == "{\"x\": 1}");
  CHECK(llm_messages(json("hi")).list() == llm_messages("hi").list());

  auto code_of = [](auto&& f) {
    try {
      f();
    } catch (const cache_error& e) {
      return e.code();
    }
    return errc::none;
  };
  CHECK(code_of([] {
          llm_messages(json::array({{{"content", "no role"}}}));
        }) == errc::invalid_argument);
  CHECK(code_of([] { llm_messages(json(42)); }) == errc::invalid_argument);
  CHECK(code_of([] { llm_messages(json::array({42})); }) == errc::invalid_argument);

  in_mem_cache c;
  llm_config bad;
  bad.base_url = "ftp://example.com";
  CHECK(code_of([&] { llm(c, bad); }) == errc::invalid_argument);
  bad.base_url = "https://user:sk-secret@example.com/v1";
  try {
    llm(c, bad);
    FAIL("a base URL with credentials was accepted");
  } catch (const cache_error& e) {
    CHECK(std::string(e.what()).find("sk-secret") == std::string::npos);
  }
  bad.base_url = "https://example.com/v1";
  bad.retry.max_attempts = 0;
  CHECK(code_of([&] { llm(c, bad); }) == errc::invalid_argument);
  llm ok(c, {.model = "m", .base_url = "http://127.0.0.1:9/v1"});
  chat_options not_a_list;
  not_a_list.tools = {{"type", "function"}};
  CHECK(code_of([&] { ok.chat_key("hi", not_a_list); }) == errc::invalid_argument);
}

TEST_CASE("the environment fills what the config leaves empty", "[llm][keys]") {
  ::setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/from-env/", 1);
  ::setenv("OPENAI_API_KEY", "sk-from-env", 1);
  ::setenv("OPENAI_MODEL", "env-model", 1);
  in_mem_cache c;
  llm client(c);
  ::unsetenv("OPENAI_BASE_URL");
  ::unsetenv("OPENAI_API_KEY");
  ::unsetenv("OPENAI_MODEL");
  CHECK(client.config().base_url == "http://127.0.0.1:9/from-env");
  CHECK(client.config().api_key == "sk-from-env");
  CHECK(client.config().model == "env-model");
  CHECK(client.endpoint() == "http://127.0.0.1:9/from-env/chat/completions");
  llm defaults(c);
  CHECK(defaults.config().base_url == "https://api.openai.com/v1");
  CHECK(defaults.config().model == "gpt-4o-mini");
}
