// The cache_actor conformance suite (tests/actors/cache_actor_conformance.hpp) against the
// backend actor and against the dispatcher (with a callback and a feed that never answers, so
// that its own write and fetch paths are the ones under test). The remote proxy and the router
// add their factories in their own tests.

#include "ahvn/actors/backend_actor.hpp"
#include "ahvn/actors/dispatcher.hpp"
#include "tests/actors/cache_actor_conformance_support.hpp"
#include "tests/support/failing_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace {

using namespace ahvn;

cache_actor backend_of(caf::actor_system& sys, const ahvn::test::subject_options& o) {
  backend_options bo;
  bo.default_lease = o.lease;
  bo.time_source = o.clk;
  return spawn_backend(sys, std::make_unique<test::failing_store>(o.ctl), bo);
}

// Tells the actors to quit when the test is done with them.
class actors_subject final : public ahvn::test::conformance_subject {
public:
  explicit actors_subject(std::vector<cache_actor> chain) : chain_(std::move(chain)) {}
  ~actors_subject() override {
    for (auto& a : chain_)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  cache_actor actor() override { return chain_.back(); }

private:
  std::vector<cache_actor> chain_; // inner first
};

struct backend_factory {
  std::unique_ptr<ahvn::test::conformance_subject> make(caf::actor_system& sys,
                                                        const ahvn::test::subject_options& o) {
    return std::make_unique<actors_subject>(std::vector<cache_actor>{backend_of(sys, o)});
  }
};

struct dispatcher_factory {
  std::unique_ptr<ahvn::test::conformance_subject> make(caf::actor_system& sys,
                                                        const ahvn::test::subject_options& o) {
    auto inner = backend_of(sys, o);
    std::vector<callback> callbacks{callback([](const key&, const json&) {})};
    std::vector<feed> feeds{
        feed([](const std::string&, const json&) -> std::optional<json> { return std::nullopt; })};
    dispatcher_options d;
    d.default_lease = o.lease;
    auto outer = spawn_dispatcher(sys, inner, std::move(callbacks), std::move(feeds), d);
    return std::make_unique<actors_subject>(std::vector<cache_actor>{inner, outer});
  }
};

} // namespace

#define AHVN_CACHE_ACTOR_FACTORIES backend_factory, dispatcher_factory
#include "tests/actors/cache_actor_conformance.hpp"
