#pragma once

// cachectl_commands: the commands that look at or edit single entries of an open cache — ls,
// show, get, set, annotate, rm, clear, stats. (export and import: apps/cachectl_transfer.hpp.)
//
// Each writes its result to `out` and returns normally on success. A looked-up entry that is
// missing throws cli_error(exit_missing); bad arguments throw cli_error(exit_usage) or
// cache_error (invalid_json naming the argument and the byte, invalid_inputs, ...); a failing
// cache throws cache_error (backend_failure, unreachable, ...). apps/cachectl_format.hpp maps
// them to exit statuses.
//
// Keys are printed in their 40-digit form (AgentHeaven's file names and row ids); KEY arguments
// take that form or the decimal one.

#include "ahvn/actors/caches/cache.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ahvn::cachectl {

/// What `ls` lists.
struct ls_options {
  std::string func = {};    ///< Only this function's entries when non-empty.
  uint64_t limit = 0;       ///< At most this many entries; 0: all.
  std::string after = {};   ///< Start after this KEY (to resume a listing); empty: from the start.
  uint32_t page_size = 256; ///< Entries fetched per request.
  bool full = false;        ///< Do not shorten inputs and values.
  bool json = false;        ///< One keyed JSON object per line.
};

/// The arguments of `set` and `annotate` (JSON still as text, parsed by the command).
struct write_args {
  std::string func = {};
  std::string inputs = {};                  ///< INPUTS_JSON, an object.
  std::string output = {};                  ///< OUTPUT_JSON (set only).
  std::optional<std::string> expected = {}; ///< --expected JSON.
  std::optional<std::string> metadata = {}; ///< --metadata JSON, an object.
  bool json = false;                        ///< Print {"key": ...} instead of the bare key.
};

/// Lists entries in key order, one line each, fetching one page per request (never the whole
/// cache): KEY, FUNC, INPUTS, VALUE separated by tabs (see list_line), or keyed JSON objects.
void run_ls(cache& c, const ls_options& opts, std::ostream& out);

/// Prints the entry under KEY: the entry dict as AgentHeaven's JSON file holds it (indent 4), or
/// one keyed JSON line with `json`. Missing: exit 1.
void run_show(cache& c, const std::string& key_text, bool json, std::ostream& out);

/// Prints the value of FUNC with INPUTS_JSON (expected if annotated, else output) as one line of
/// JSON. Missing, or an entry with neither output nor expected: exit 1.
void run_get(cache& c, const std::string& func, const std::string& inputs, std::ostream& out);

/// Stores OUTPUT_JSON (and --expected, --metadata) for FUNC with INPUTS_JSON, replacing any
/// entry there; prints the key.
void run_set(cache& c, const write_args& a, std::ostream& out);

/// Annotates the entry of FUNC with INPUTS_JSON as cache::annotate does: its expected becomes
/// --expected (omitted: its output), --metadata is merged in; with no entry, --expected creates
/// one; with neither, exit 1. Prints the key.
void run_annotate(cache& c, const write_args& a, std::ostream& out);

/// Removes the entry named by `target`: {KEY} or {FUNC, INPUTS_JSON}. Prints its key; exit 1 if
/// there was none.
void run_rm(cache& c, const std::vector<std::string>& target, bool json, std::ostream& out);

/// Removes every entry; prints how many.
void run_clear(cache& c, bool json, std::ostream& out);

/// Prints the cache's counters: hits, misses, sets, removes, evictions, expirations, coalesced,
/// errors (counted since this process opened the cache) and entries (held now).
void run_stats(cache& c, bool json, std::ostream& out);

} // namespace ahvn::cachectl
