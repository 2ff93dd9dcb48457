#pragma once

// The compound operations of the cache protocol, each run inside the owning actor as one request
// (atomic: no other write of the store interleaves): annotate, pop, remove_if. Internal to the
// backend actor. Each commits the pending batch first and throws cache_error on failure.

#include "ahvn/actors/backend_state.hpp"

#include <cstdint>
#include <vector>

namespace ahvn::detail {

/// The seed's annotate of the entry under req.k (see annotate_request); the stored entry.
keyed_entry annotate_entry(backend_state& s, const annotate_request& req);

/// Removes and returns up to `max` entries, first in key order (0: all).
std::vector<keyed_entry> pop_entries(backend_state& s, uint64_t max);

/// Removes every entry `filter` matches; how many.
uint64_t remove_matching(backend_state& s, const entry_filter& filter);

} // namespace ahvn::detail
