#include "ahvn/messages/error.hpp"

namespace ahvn {

std::string_view to_string(errc code) {
  switch (code) {
  case errc::none:
    return "none";
  case errc::invalid_json:
    return "invalid_json";
  case errc::invalid_utf8:
    return "invalid_utf8";
  case errc::invalid_inputs:
    return "invalid_inputs";
  case errc::invalid_entry:
    return "invalid_entry";
  case errc::invalid_url:
    return "invalid_url";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::missing_entry:
    return "missing_entry";
  case errc::not_supported:
    return "not_supported";
  case errc::backend_failure:
    return "backend_failure";
  case errc::corrupt_entry:
    return "corrupt_entry";
  case errc::unreachable:
    return "unreachable";
  case errc::timeout:
    return "timeout";
  case errc::cancelled:
    return "cancelled";
  case errc::computation_failed:
    return "computation_failed";
  case errc::lease_lost:
    return "lease_lost";
  case errc::version_mismatch:
    return "version_mismatch";
  }
  return "unknown";
}

cache_error::cache_error(errc code, const std::string& message)
    : std::runtime_error(std::string{to_string(code)} + ": " + message), code_(code),
      message_(message) {
  // nop
}

std::string message_of(const std::exception_ptr& error, std::string_view fallback) noexcept {
  try {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      // not a std::exception: the fallback
    }
    return std::string(fallback);
  } catch (...) {
    return {}; // out of memory copying the text
  }
}

} // namespace ahvn
