#include "ahvn/messages/protocol.hpp"

#include "ahvn/messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace ahvn {

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

caf::error make_failure_error(const computation_failure& failure) {
  return caf::error{static_cast<uint8_t>(errc::computation_failed), error_category,
                    caf::make_message(failure.what, failure)};
}

const computation_failure* failure_of(const caf::error& err) {
  if (!is_computation_failure(err)) return nullptr;
  if (!err.context().match_elements<std::string, computation_failure>()) return nullptr;
  return &err.context().get_as<computation_failure>(1);
}

bool is_computation_failure(const caf::error& err) {
  return err.category() == error_category &&
         err.code() == static_cast<uint8_t>(errc::computation_failed);
}

caf::error check_version(const protocol_info& peer, const std::string& where) {
  if (peer.version == protocol_version && peer.interface == protocol_interface) return caf::none;
  return make_error(errc::version_mismatch, where + " speaks " + peer.interface + " version " +
                                                std::to_string(peer.version) +
                                                ", this process speaks " + protocol_interface +
                                                " version " + std::to_string(protocol_version));
}

bool entry_filter::matches(const cache_entry& e) const {
  if (!func.empty() && e.func != func) return false;
  if (annotation.is_object() && !annotation.empty()) {
    auto a = e.metadata.find("annotation");
    if (a == e.metadata.end() || !a->is_object()) return false;
    for (auto it = annotation.begin(); it != annotation.end(); ++it) {
      auto v = a->find(it.key());
      if (v == a->end() || *v != it.value()) return false;
    }
  }
  return !predicate || (*predicate)(e);
}

cache_error to_cache_error(const caf::error& err) {
  if (err.category() == error_category) {
    std::string msg;
    if (err.context().size() > 0 && err.context().match_element<std::string>(0))
      msg = err.context().get_as<std::string>(0);
    return cache_error(static_cast<errc>(err.code()), msg);
  }
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    if (code == caf::sec::request_timeout)
      return cache_error(errc::timeout, "the cache actor did not answer in time");
    if (code == caf::sec::request_receiver_down || code == caf::sec::remote_linking_failed ||
        code == caf::sec::cannot_connect_to_node)
      return cache_error(errc::unreachable, "the cache actor is gone: " + caf::to_string(err));
  }
  return cache_error(errc::backend_failure, caf::to_string(err));
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::ahvn>(); // messages/type_ids.hpp
  cfg.add_error_category(
      error_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) -> std::string {
        std::string msg;
        if (ctx.size() > 0 && ctx.match_element<std::string>(0)) msg = ctx.get_as<std::string>(0);
        return "ahvn: " + std::string{to_string(static_cast<errc>(code))} + ": " + msg;
      });
}

} // namespace ahvn
