#include "ahvn/version.hpp"

namespace ahvn {

std::string_view version() noexcept {
  return AHVN_VERSION;
}

} // namespace ahvn
