#pragma once

// What the stub answers (integrations/stub/llm_stub.hpp): the events of a streamed chat answer
// and the whole chat.completion, both built from the same parts. Pure functions.

#include "ahvn/messages/json.hpp"

#include <string>
#include <vector>

namespace ahvn::stub {

/// The last user message's text ("" when there is none); content parts are joined.
std::string last_user_text(const json& request);

/// The chunk events (chat.completion.chunk objects, without the final [DONE]) of the answer to
/// `request`; `id` names the completion.
std::vector<json> chat_events(const json& request, const std::string& id);

/// The same answer as one chat.completion object.
json chat_completion(const json& request, const std::string& id);

/// An OpenAI-style error body.
json error_body(const std::string& message, const std::string& type, int code);

} // namespace ahvn::stub
