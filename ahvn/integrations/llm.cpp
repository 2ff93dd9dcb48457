#include "ahvn/integrations/llm.hpp"

#include "ahvn/messages/protocol.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace ahvn {

namespace llm_detail {

void job::run() noexcept {
  try {
    result = engine->complete(*body);
  } catch (...) {
    error = std::current_exception();
  }
}

void job::answer(const reply<chunks>& r, const caf::error* err) {
  if (err != nullptr) {
    r.fail(std::make_exception_ptr(
        llm_error(llm_error::kind::timeout, engine->chat_url(), 0, 1,
                  "the worker did not answer: " + std::string(to_cache_error(*err).what()))));
    return;
  }
  if (error) {
    r.fail(error);
    return;
  }
  r.deliver(std::move(result));
}

caf::actor spawn_worker(caf::actor_system& sys, std::shared_ptr<job> j) {
  return sys.spawn<caf::detached>([j](caf::event_based_actor* self) -> caf::behavior {
    return {[self, j](caf::get_atom) {
      j->run();
      self->quit();
      return caf::ok_atom::value;
    }};
  });
}

std::string text_of(const chunks& c) {
  return gather(c).text;
}

llm_response response_of(const chunks& c) {
  return gather(c);
}

} // namespace llm_detail

namespace {

memoize_options chat_memo(const llm_config& cfg) {
  // AgentHeaven memoizes `def cached_vanilla_stream(**inputs)`: the key's inputs are
  // {"inputs": config}. The second parameter carries the request and stays out of the key.
  return {.name = cfg.name, .params = {"inputs", "call"}, .exclude = {"call"}};
}

} // namespace

llm::llm(cache c, llm_config cfg)
    : cache_(std::move(c)), engine_(std::make_shared<llm_engine>(resolve(std::move(cfg)))) {
  const auto& rc = engine_->config();
  auto engine = engine_;
  complete_ = cache_.memoize(chat_memo(rc), [engine](json, llm_detail::call call) {
    return engine->complete(*call.body);
  });
  in_actor_ = cache_.memoize(chat_memo(rc), [](json, llm_detail::call call, reply<chunks> r) {
    call.in_actor(std::move(r));
  });
  stream_ = cache_.memoize(
      chat_memo(rc), [engine](json, llm_detail::call call) { return engine->stream(*call.body); });
  embed_ = cache_.batch_memoize(
      {.name = rc.name, .params = {"batch"}},
      [](const std::vector<std::string>&) -> std::vector<std::vector<double>> {
        throw cache_error(errc::invalid_argument, "llm: embed called without its options");
      });
}

std::pair<json, llm_detail::call> llm::prepare(const llm_messages& messages,
                                               const chat_options& opts) const {
  auto c = make_chat_call(engine_->config(), messages, opts);
  return {std::move(c.key_config),
          llm_detail::call{std::make_shared<const json>(std::move(c.body)), {}}};
}

std::string llm::oracle(const llm_messages& messages, const chat_options& opts) const {
  return gather(std::apply(complete_, prepare(messages, opts))).text;
}

llm_response llm::chat(const llm_messages& messages, const chat_options& opts) const {
  return gather(std::apply(complete_, prepare(messages, opts)));
}

std::future<std::string> llm::oracle_async(const llm_messages& messages,
                                           const chat_options& opts) const {
  auto [config, c] = prepare(messages, opts);
  return llm_detail::convert(complete_.async(std::move(config), std::move(c)),
                             &llm_detail::text_of);
}

std::future<llm_response> llm::chat_async(const llm_messages& messages,
                                          const chat_options& opts) const {
  auto [config, c] = prepare(messages, opts);
  return llm_detail::convert(complete_.async(std::move(config), std::move(c)),
                             &llm_detail::response_of);
}

generator<llm_chunk> llm::stream(const llm_messages& messages, const chat_options& opts) const {
  auto [config, c] = prepare(messages, opts);
  return stream_(std::move(config), std::move(c));
}

std::vector<std::vector<double>> llm::embed(const std::vector<std::string>& texts,
                                            const embed_options& opts) const {
  auto call = make_embed_call(engine_->config(), opts);
  auto engine = engine_;
  auto body = std::make_shared<const json>(std::move(call.body));
  return embed_.with_inputs({{"kwargs", std::move(call.key_config)}},
                            [engine, body](const std::vector<std::string>& missing) {
                              return engine->embed(missing, *body);
                            })(texts);
}

json llm::chat_inputs(const llm_messages& messages, const chat_options& opts) const {
  return {{"inputs", make_chat_call(engine_->config(), messages, opts).key_config}};
}

key llm::chat_key(const llm_messages& messages, const chat_options& opts) const {
  return compute_key(engine_->config().name, chat_inputs(messages, opts));
}

json llm::embed_inputs(const std::string& text, const embed_options& opts) const {
  return {{"batch", json::array({text})},
          {"kwargs", make_embed_call(engine_->config(), opts).key_config}};
}

key llm::embed_key(const std::string& text, const embed_options& opts) const {
  return compute_key(engine_->config().name, embed_inputs(text, opts));
}

} // namespace ahvn
