#pragma once

// What an LLM answers, in the shape AgentHeaven caches it.
//
// A streamed answer is a sequence of chunks (one per server-sent event); a chunk holds one delta
// per choice of that event: {"think": reasoning text, "text": content text, "tool_calls": the
// event's tool-call fragments}. The cached output of an LLM call is the list of its chunks, each
// a JSON list of deltas — exactly what AgentHeaven's LLM stores, so either side replays the
// other's entries. llm_response is the whole answer gathered from the chunks (oracle, chat).
//
// Plain values: copy them freely between threads.

#include "ahvn/messages/json.hpp"

#include <string>
#include <vector>

namespace ahvn {

/// One choice's part of one chunk.
struct llm_delta {
  std::string think = {};          ///< Reasoning text (`reasoning_content`), or "".
  std::string text = {};           ///< Content text, or "".
  json tool_calls = json::array(); ///< Tool-call fragments as the server sent them, or [].

  friend bool operator==(const llm_delta&, const llm_delta&) = default;
};

/// One server-sent event of a streamed answer: one delta per choice, in the server's order.
struct llm_chunk {
  std::vector<llm_delta> choices = {};

  /// The first choice's content text ("" when there is none).
  const std::string& text() const;
  /// The first choice's reasoning text ("" when there is none).
  const std::string& think() const;

  friend bool operator==(const llm_chunk&, const llm_chunk&) = default;
};

/// A whole answer: the first choice of every chunk gathered, as AgentHeaven's oracle gathers it.
struct llm_response {
  std::string think = {}; ///< All reasoning text.
  std::string text = {};  ///< All content text.
  /// Complete tool calls, fragments merged by index: [{"id", "type", "function": {"name",
  /// "arguments"}}] (arguments is the JSON text the model wrote).
  json tool_calls = json::array();
};

/// The JSON forms: a delta is {"think", "text", "tool_calls"}; a chunk is a list of deltas.
void to_json(json& j, const llm_delta& d);
/// Reads a delta; a missing or null member takes its default. Throws cache_error
/// (errc::invalid_entry) when a member has the wrong type.
void from_json(const json& j, llm_delta& d);
void to_json(json& j, const llm_chunk& c);
/// Reads a chunk (a list of deltas). Throws cache_error(errc::invalid_entry) otherwise.
void from_json(const json& j, llm_chunk& c);

/// Gathers the chunks of one answer: texts concatenated, tool-call fragments merged by their
/// "index" (ids and types set, names and arguments concatenated).
llm_response gather(const std::vector<llm_chunk>& chunks);

} // namespace ahvn
