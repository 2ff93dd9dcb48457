#include "ahvn/actors/callback.hpp"

#include "ahvn/messages/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace ahvn::detail {

namespace {

callback_actor::behavior_type
callback_function_actor(callback_function f, std::string name,
                        std::shared_ptr<std::atomic<uint64_t>> errors) {
  return {
      [f = std::move(f), name = std::move(name), errors](set_event_atom, const keyed_entry& e) {
        std::string what;
        try {
          f(e.k, e.entry->to_dict());
          return;
        } catch (const std::exception& ex) {
          what = ex.what();
        } catch (...) {
          what = "an exception that is not a std::exception";
        }
        errors->fetch_add(1, std::memory_order_relaxed);
        log::error("ahvn dispatcher: " + name + " failed for key " + e.k.to_string() + ": " + what +
                   "; skipped");
      },
  };
}

feed_actor::behavior_type feed_function_actor(feed_function f, std::string name) {
  return {
      [f = std::move(f),
       name = std::move(name)](feed_atom, const feed_request& req) -> caf::result<feed_answer> {
        std::string what;
        try {
          return feed_answer{f(req.func, req.inputs)};
        } catch (const std::exception& ex) {
          what = ex.what();
        } catch (...) {
          what = "an exception that is not a std::exception";
        }
        return make_error(errc::computation_failed, name + " threw: " + what);
      },
  };
}

} // namespace

callback_actor spawn_callback_function(caf::actor_system& sys, callback_function f,
                                       std::string name,
                                       std::shared_ptr<std::atomic<uint64_t>> errors) {
  return sys.spawn<caf::detached>(callback_function_actor, std::move(f), std::move(name),
                                  std::move(errors));
}

feed_actor spawn_feed_function(caf::actor_system& sys, feed_function f, std::string name) {
  return sys.spawn<caf::detached>(feed_function_actor, std::move(f), std::move(name));
}

} // namespace ahvn::detail
