#pragma once

// How the LLM client is configured, and which of its settings make a cache key.
//
// The key of a chat call is AgentHeaven's: func = llm_config::name ("llm"), inputs =
// {"inputs": config}, where config is the resolved request:
//
//   model, messages, "stream": true (always: oracle, chat and stream share one entry),
//   temperature / top_p / max_tokens / seed when set, every member of `options` (the client's,
//   then the call's) except those named in `unkeyed_options`, and tools / tool_choice when tools
//   are given (tool_choice "auto" unless set).
//
// Never in the key (key_style::portable, the default): the API key, the base URL, timeouts,
// retries, headers, TLS settings and the `unkeyed_options` (by default "user", "metadata",
// "store", "stream_options": tracking ids and delivery settings that do not change the answer).
// Rotating a key or moving to another host of the same model keeps the cache.
//
// key_style::agentheaven reproduces the key Python AgentHeaven computes for the same request —
// whose config, in practice, also holds "api_key" and "api_base" (and whatever else its preset
// resolved: give those in `agentheaven_config`, e.g. {"timeout": 60}) — so that a C++ and a Python
// service share entries. In that style nothing is left out.
//
// Embedding calls are keyed {"batch": [text], "kwargs": config} (one entry per text, as
// AgentHeaven's batch_memoize keys them); config is {"model"} plus the call's options in the
// portable style, and AgentHeaven's whole resolved config in the agentheaven style.
//
// Plain values; not synchronized.

#include "ahvn/messages/json.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ahvn {

/// How failed attempts are retried: 429, 5xx, timeouts, refused connections and broken
/// streams (llm_error::retryable) — never other 4xx, TLS or malformed answers.
struct retry_policy {
  /// Attempts in all, the first included (>= 1). AgentHeaven's default is 3 too.
  int max_attempts = 3;
  /// The wait before the second attempt; it doubles for each further one.
  std::chrono::milliseconds initial_backoff{500};
  /// The longest wait between attempts (a Retry-After header is honoured up to this).
  std::chrono::milliseconds max_backoff{8000};
  /// Each wait is drawn uniformly from [wait * (1 - jitter), wait] so that clients that failed
  /// together do not retry together. 0: no jitter.
  double jitter = 0.5;
};

enum class key_style {
  portable,    ///< Secrets and transport settings stay out of the key (the default).
  agentheaven, ///< The key Python AgentHeaven computes, api_key and api_base included.
};

struct llm_config {
  // -- the cache ------------------------------------------------------------------------------
  /// The function name of the entries (AgentHeaven's LLM name, default "llm").
  std::string name = "llm";
  key_style keys = key_style::portable;
  /// key_style::agentheaven only: further members of AgentHeaven's resolved config. They
  /// override the others ({"model": "openai/gpt-4o"} matches a litellm-prefixed model); a null
  /// member removes one ({"api_base": null} when the Python preset sets no api_base), as Python
  /// drops None values.
  json agentheaven_config = json::object();
  /// Request options sent but left out of portable keys.
  std::vector<std::string> unkeyed_options = {"user", "metadata", "store", "stream_options"};

  // -- the request ----------------------------------------------------------------------------
  /// The model; "" takes $OPENAI_MODEL, else "gpt-4o-mini".
  std::string model = "";
  std::optional<double> temperature = std::nullopt;
  std::optional<double> top_p = std::nullopt;
  std::optional<int64_t> max_tokens = std::nullopt;
  std::optional<int64_t> seed = std::nullopt;
  /// Any other request options (stop, n, response_format, presence_penalty, ...), sent as given.
  json options = json::object();

  // -- the transport (never in a portable key) -------------------------------------------------
  /// The API's base URL, http:// or https:// ("" takes $OPENAI_BASE_URL, else
  /// https://api.openai.com/v1); /chat/completions and /embeddings are appended.
  std::string base_url = "";
  /// Sent as "Authorization: Bearer <key>"; "" takes $OPENAI_API_KEY; may stay empty.
  std::string api_key = "";
  /// Extra HTTP headers (OpenAI-Organization, ...).
  std::map<std::string, std::string> headers = {};
  std::chrono::milliseconds connect_timeout{10'000};
  /// The longest silence while waiting for the answer's next bytes.
  std::chrono::milliseconds read_timeout{120'000};
  /// The longest one call may take, retries included; an actor's request waits this long.
  std::chrono::milliseconds deadline{600'000};
  retry_policy retry = {};
  /// HTTPS: a PEM file of the certificates to trust ("" trusts the system's store).
  std::string ca_cert_file = "";
  /// HTTPS: false skips verifying the server's certificate (for testing only).
  bool verify_tls = true;
};

/// Per-call settings of a chat call; they extend (and override) the client's.
struct chat_options {
  std::optional<double> temperature = std::nullopt;
  std::optional<double> top_p = std::nullopt;
  std::optional<int64_t> max_tokens = std::nullopt;
  std::optional<int64_t> seed = std::nullopt;
  /// Tool definitions in OpenAI's form ([{"type": "function", "function": {...}}]); null: none.
  json tools = nullptr;
  /// "auto", "none", "required" or {"type": "function", ...}; null: "auto" when tools are given.
  json tool_choice = nullptr;
  /// Other request options, merged over the client's.
  json options = json::object();
};

/// Per-call settings of an embedding call (dimensions, user, ...): sent, and keyed.
struct embed_options {
  json options = json::object();
};

/// A prompt or a message list, normalized as AgentHeaven's format_messages normalizes it: a
/// string is one user message; a list holds message objects (each with a "role") or strings (user
/// messages); a tool call's non-string "arguments" is written as JSON text.
class llm_messages {
public:
  llm_messages(const char* prompt);
  llm_messages(std::string_view prompt);
  llm_messages(const std::string& prompt);
  /// Throws cache_error(errc::invalid_argument) naming the message that has no role, or a value
  /// that is neither a string, a message nor a list of them.
  llm_messages(const json& messages);

  const json& list() const { return list_; }

private:
  json list_;
};

/// A config with every "" member resolved from the environment and defaults. Throws
/// cache_error(errc::invalid_argument) for a base URL that is not http(s)://host[:port][/path],
/// retry settings out of range, or options that are not objects.
llm_config resolve(llm_config cfg);

/// What one chat call sends and what it is cached under.
struct chat_call {
  json key_config; ///< inputs["inputs"]: the resolved request as the key holds it.
  json body;       ///< The request body sent to /chat/completions.
};

/// Builds both for a resolved config (see the top of this file for which fields go where).
chat_call make_chat_call(const llm_config& cfg, const llm_messages& messages,
                         const chat_options& opts);

/// What one embedding call is keyed with (inputs["kwargs"]) and the body's members besides
/// "input".
struct embed_call {
  json key_config;
  json body;
};

embed_call make_embed_call(const llm_config& cfg, const embed_options& opts);

/// The base URL without credentials (what error messages and logs show).
std::string display_url(std::string_view url);

} // namespace ahvn
