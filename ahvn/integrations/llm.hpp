#pragma once

// llm: an OpenAI-compatible chat and embedding client whose answers are cached on any cache —
// the guide's section 6.1, with AgentHeaven's keys and entry shape (integrations/llm_config.hpp
// says exactly which fields make a key).
//
//   ahvn::disk_cache cache("/tmp/llm_cache");
//   ahvn::llm llm(cache, {.model = "gpt-4o-mini"});   // $OPENAI_API_KEY, $OPENAI_BASE_URL
//   std::string a = llm.oracle("What is Python?");    // asks the endpoint
//   std::string b = llm.oracle("What is Python?");    // from the cache
//   for (const ahvn::llm_chunk& c : llm.stream("Tell me a story")) std::cout << c.text();
//
// One entry per request: oracle, chat and stream share it (the request always streams, and
// the entry holds the list of chunks). Calling contexts:
//
//   oracle / chat                 a plain thread; joins an identical call in flight
//   oracle_async / chat_async     a std::future; joins too
//   oracle_request / chat_request inside a CAF actor: .then(on_value, on_error); the HTTP call
//                                 runs on a thread of its own, never on the actor's; joins too
//   stream                        a generator of chunks, consumed on one thread
//   embed                         a batch of texts: only the misses are sent, in one request
//
// Single flight: identical oracle/chat calls that miss at once — threads, futures and actors in
// any mix — send one request; the others wait for its answer (or its error). stream() does not
// join others (a consumer may stop early), but replays what any of them stored.
//
// Streams: on a miss the chunks pass through as the server sends them; the list is stored only
// when the consumer took the last one. A server that breaks the stream off, an exception in the
// consumer, a `break` or destroying the generator early stores nothing. A hit replays the stored
// chunks one by one, in order — reasoning text and tool-call fragments included.
//
// Errors: llm_error (integrations/llm_error.hpp), never cached. The cache never makes a call
// wrong: if the cache fails, the endpoint is asked and its answer returned.
//
// Concurrency: an llm may be used from any number of threads and actors at once. The blocking
// calls (oracle, chat, stream's iteration, embed) must not run inside an actor's handler.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/integrations/llm_chunk.hpp"
#include "ahvn/integrations/llm_config.hpp"
#include "ahvn/integrations/llm_engine.hpp"
#include "ahvn/integrations/llm_error.hpp"

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/duration.hpp>
#include <caf/error.hpp>

namespace ahvn {

namespace llm_detail {

using chunks = std::vector<llm_chunk>;

/// What a memoized call carries besides its key config: the request body, and inside an actor
/// how to run the request off the actor's thread. Never part of the key (memoize's exclude).
struct call {
  std::shared_ptr<const json> body;
  std::function<void(reply<chunks>)> in_actor;
};
inline void to_json(json& j, const call&) {
  j = nullptr;
}

/// One request run by a worker actor on a thread of its own, answered to the asking actor.
struct job {
  std::shared_ptr<llm_engine> engine;
  std::shared_ptr<const json> body;
  chunks result;
  std::exception_ptr error;
  /// Runs the request; never throws.
  void run() noexcept;
  /// Answers `r` with the result or the error (`err` when the worker itself failed).
  void answer(const reply<chunks>& r, const caf::error* err = nullptr);
};

/// Spawns a detached actor that runs `j` when asked (get_atom), answers ok and quits.
caf::actor spawn_worker(caf::actor_system& sys, std::shared_ptr<job> j);

std::string text_of(const chunks& c);
llm_response response_of(const chunks& c);

/// A future of `convert(inner.get())`: ready at once when `inner` is.
template <class T>
std::future<T> convert(std::future<chunks> inner, T (*conv)(const chunks&)) {
  if (inner.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    std::promise<T> p;
    try {
      p.set_value(conv(inner.get()));
    } catch (...) {
      p.set_exception(std::current_exception());
    }
    return p.get_future();
  }
  return std::async(std::launch::async,
                    [inner = std::move(inner), conv]() mutable { return conv(inner.get()); });
}

} // namespace llm_detail

/// What oracle_request / chat_request return: call .then(on_value, on_error) once. on_value
/// gets the text (oracle) or the llm_response (chat); on_error a caf::error whose
/// failure_of(err)->error is the llm_error (messages/protocol.hpp).
template <class T, class Self>
class llm_pending {
public:
  llm_pending(memo_response<llm_detail::chunks, Self> inner, T (*conv)(const llm_detail::chunks&))
      : inner_(std::move(inner)), conv_(conv) {}

  template <class OnValue, class OnError>
  void then(OnValue on_value, OnError on_error) {
    auto conv = conv_;
    inner_.then([on_value, conv](llm_detail::chunks c) mutable { on_value(conv(c)); },
                std::move(on_error));
  }

private:
  memo_response<llm_detail::chunks, Self> inner_;
  T (*conv_)(const llm_detail::chunks&);
};

class llm {
public:
  /// A client caching on `c`. Throws cache_error(errc::invalid_argument) for a bad config
  /// (integrations/llm_config.hpp's resolve()).
  explicit llm(cache c, llm_config cfg = {});

  // -- chat ----------------------------------------------------------------------------------

  /// The answer's text. Throws llm_error.
  std::string oracle(const llm_messages& messages, const chat_options& opts = {}) const;
  /// The whole answer: text, reasoning, tool calls. Throws llm_error.
  llm_response chat(const llm_messages& messages, const chat_options& opts = {}) const;

  /// The same, as futures (a hit is ready at once); the future holds the llm_error.
  std::future<std::string> oracle_async(const llm_messages& messages,
                                        const chat_options& opts = {}) const;
  std::future<llm_response> chat_async(const llm_messages& messages,
                                       const chat_options& opts = {}) const;

  /// The same inside a CAF actor: nothing blocks the actor's thread (a worker actor on a
  /// thread of its own makes the request). Call .then(on_value, on_error) on the result.
  template <class Self>
  llm_pending<std::string, Self> oracle_request(Self* self, const llm_messages& messages,
                                                const chat_options& opts = {}) const {
    return {request(self, messages, opts), &llm_detail::text_of};
  }
  template <class Self>
  llm_pending<llm_response, Self> chat_request(Self* self, const llm_messages& messages,
                                               const chat_options& opts = {}) const {
    return {request(self, messages, opts), &llm_detail::response_of};
  }

  /// The answer chunk by chunk (see the top of this file). Errors reach the consumer as
  /// llm_error at the next increment.
  generator<llm_chunk> stream(const llm_messages& messages, const chat_options& opts = {}) const;

  // -- embeddings ----------------------------------------------------------------------------

  /// One embedding per text, in order. Cached per text; the texts that miss (each distinct one
  /// once) are sent in one request; none is sent when all hit. An empty text is not sent: its
  /// embedding is [1, 0, ..., 0] (AgentHeaven's embed_empty). Throws llm_error.
  std::vector<std::vector<double>> embed(const std::vector<std::string>& texts,
                                         const embed_options& opts = {}) const;

  // -- keys ----------------------------------------------------------------------------------

  /// The `inputs` object a chat call is cached under: {"inputs": config}.
  json chat_inputs(const llm_messages& messages, const chat_options& opts = {}) const;
  /// Its key (func = config().name).
  key chat_key(const llm_messages& messages, const chat_options& opts = {}) const;
  /// The `inputs` object of one text of an embedding call: {"batch": [text], "kwargs": config}.
  json embed_inputs(const std::string& text, const embed_options& opts = {}) const;
  key embed_key(const std::string& text, const embed_options& opts = {}) const;

  // -- the rest ------------------------------------------------------------------------------

  /// Requests, retries and failed calls so far.
  llm_stats stats() const { return engine_->stats(); }
  /// The resolved config (environment applied). It holds the API key: do not log it.
  const llm_config& config() const { return engine_->config(); }
  /// The chat endpoint's URL, without credentials.
  std::string endpoint() const { return engine_->chat_url(); }
  /// The cache it caches on.
  const cache& cache_handle() const { return cache_; }

private:
  using chunks = llm_detail::chunks;

  std::pair<json, llm_detail::call> prepare(const llm_messages& messages,
                                            const chat_options& opts) const;

  template <class Self>
  memo_response<chunks, Self> request(Self* self, const llm_messages& messages,
                                      const chat_options& opts) const {
    auto [config, c] = prepare(messages, opts);
    auto engine = engine_;
    auto timeout = engine_->config().deadline + std::chrono::seconds(5);
    c.in_actor = [self, engine, body = c.body, timeout](reply<chunks> r) {
      auto j = std::make_shared<llm_detail::job>();
      j->engine = engine;
      j->body = body;
      auto worker = llm_detail::spawn_worker(self->system(), j);
      self->request(worker, caf::duration{timeout}, caf::get_atom::value)
          .then([j, r](caf::ok_atom) { j->answer(r); },
                [j, r](caf::error& err) { j->answer(r, &err); });
    };
    return in_actor_.request(self, std::move(config), std::move(c));
  }

  cache cache_;
  std::shared_ptr<llm_engine> engine_;
  memoized<chunks(json, llm_detail::call)> complete_;
  memoized_reply<chunks(json, llm_detail::call)> in_actor_;
  memoized_stream<llm_chunk(json, llm_detail::call)> stream_;
  memoized_batch<std::vector<double>(std::string)> embed_;
};

} // namespace ahvn
