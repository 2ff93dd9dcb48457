#include "ahvn/messages/types.hpp"

namespace ahvn {

json cache_stats::to_json() const {
  return json{{"hits", hits},           {"misses", misses},       {"sets", sets},
              {"removes", removes},     {"evictions", evictions}, {"expirations", expirations},
              {"coalesced", coalesced}, {"errors", errors},       {"entries", entries}};
}

} // namespace ahvn
