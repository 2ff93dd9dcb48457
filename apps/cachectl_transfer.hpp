#pragma once

// cachectl_transfer: export a cache to a JSON Lines file and import one — to back a cache up,
// move it to another backend, or hand an evaluation set to Python (AgentHeaven's loads_jsonl
// reads the file; its dumps_jsonl writes what import reads).
//
// The file: one entry dict per line, json.dumps of the bigint-tagged dict with ensure_ascii off
// (see apps/cachectl_format.hpp). Export streams one page of entries at a time; import stores
// one batch at a time (one set_many each), so neither holds the whole cache in memory. An export
// followed by an import into an empty cache of any backend reproduces the same entries under the
// same keys: each key is recomputed from func and inputs exactly as AgentHeaven computes it.
//
// Errors: FILE that cannot be opened, read or written, and a malformed line, throw
// cli_error(exit_usage) naming FILE (and LINE); the cache's own failures throw cache_error.

#include "ahvn/actors/caches/cache.hpp"

#include <cstdint>
#include <ostream>
#include <string>

namespace ahvn::cachectl {

/// Reports how many entries a long transfer has moved, on stderr: every `interval_s` seconds
/// (0: at every update), overwriting one line (\r) when stderr is a terminal, else one line each.
class progress_line {
public:
  progress_line(std::string verb, double interval_s);
  ~progress_line() { finish(); }
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;
  /// Called as entries move; prints "<verb> N entries..." when the interval has passed.
  void update(uint64_t n);
  /// Clears the terminal line, if one was written.
  void finish();

private:
  std::string verb_;
  double interval_s_;
  bool tty_;
  bool written_ = false;
  double last_ = 0;
};

/// How export and import run.
struct transfer_options {
  std::string func = {};          ///< export: only this function's entries when non-empty.
  uint32_t batch = 1000;          ///< Entries per page (export) or per set_many (import).
  double progress_interval = 0.5; ///< Seconds between progress lines; 0: after every batch.
  bool json = false;              ///< Print {"exported": N} / {"imported": N}.
};

/// Writes every entry (only `opts.func`'s when set), in key order, to `file` ("-": stdout),
/// page by page. A file is written under a temporary name and renamed when complete, so a
/// failed export never leaves a truncated FILE. Prints "exported N entries" to `out` (to stderr
/// when the entries go to stdout). Entries the store cannot read are reported on stderr and
/// skipped, as everywhere (backends/store.hpp).
void run_export(cache& c, const std::string& file, const transfer_options& opts, std::ostream& out);

/// Reads entries from `file` ("-": stdin), one JSON object per line (blank lines skipped), and
/// stores them in batches, replacing entries under the same keys. Prints "imported N entries"
/// to `out`. A malformed line stops the import: the entries before it are stored and counted,
/// then cli_error(exit_usage) names FILE:LINE and the problem (the byte, for bad JSON).
void run_import(cache& c, const std::string& file, const transfer_options& opts, std::ostream& out);

} // namespace ahvn::cachectl
