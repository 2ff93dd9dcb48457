#pragma once

// The CAF type-ID block of every payload this project sends: the same types, the same names, in
// the same order on every node (add_message_types() registers the block). A type added to any
// protocol goes here, at the end, so that older peers keep their IDs.

#include "ahvn/messages/dispatch_protocol.hpp"
#include "ahvn/messages/node_protocol.hpp"
#include "ahvn/messages/protocol.hpp"

#include <vector>

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(ahvn, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(ahvn, (ahvn::key))
CAF_ADD_TYPE_ID(ahvn, (std::vector<ahvn::key>))
CAF_ADD_TYPE_ID(ahvn, (ahvn::lookup))
CAF_ADD_TYPE_ID(ahvn, (std::vector<ahvn::lookup>))
CAF_ADD_TYPE_ID(ahvn, (ahvn::keyed_entry))
CAF_ADD_TYPE_ID(ahvn, (std::vector<ahvn::keyed_entry>))
CAF_ADD_TYPE_ID(ahvn, (ahvn::scan_request))
CAF_ADD_TYPE_ID(ahvn, (ahvn::scan_page))
CAF_ADD_TYPE_ID(ahvn, (ahvn::cache_stats))
CAF_ADD_TYPE_ID(ahvn, (ahvn::fetch_request))
CAF_ADD_TYPE_ID(ahvn, (ahvn::fetch_result))
CAF_ADD_TYPE_ID(ahvn, (ahvn::computation_failure))
CAF_ADD_TYPE_ID(ahvn, (ahvn::feed_request))
CAF_ADD_TYPE_ID(ahvn, (ahvn::feed_answer))
CAF_ADD_TYPE_ID(ahvn, (ahvn::lease_holder))
CAF_ADD_TYPE_ID(ahvn, (ahvn::annotate_request))
CAF_ADD_TYPE_ID(ahvn, (ahvn::entry_filter))
CAF_ADD_TYPE_ID(ahvn, (ahvn::protocol_info))
CAF_ADD_TYPE_ID(ahvn, (ahvn::client_hello))

CAF_END_TYPE_ID_BLOCK(ahvn)
