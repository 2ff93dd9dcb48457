#pragma once

// json_store: one JSON file per entry in a directory — AgentHeaven's JsonCache layout, so either
// side reads what the other wrote. The file of key K is `<dir>/<K.to_padded()>.json` (40
// digits) and holds json.dump(entry_dict, indent=4, ensure_ascii=False).
//
// Caveats:
//   - Atomic rename. Every write goes to a temporary file in the same directory (a hidden name
//     that never looks like an entry) and is renamed over the entry's file, so a reader in any
//     process sees the old file or the new one, never half of one. Two processes writing the
//     same key leave the last rename standing. AgentHeaven's Python writer does NOT do this: a
//     file it is writing may be read half-done, which is reported as below.
//   - One file per entry. Every entry costs an inode and at least one filesystem block; the
//     store suits thousands to a few hundred thousand entries and people who want to read them.
//   - Cost of listing. size(), clear(), counters() and every scan() page read the whole
//     directory listing (names only, never every entry); a scan page then opens only the files
//     it returns. get/put/remove touch one file.
//   - Durability. With `durable` (the default) each write fsyncs the file before the rename and
//     the directory after it: an acknowledged write survives a crash, at the price of two
//     fsyncs. Without it, writes reach the disk when the OS decides, or at flush().
//   - Corrupt files. A file that is not valid JSON, has the wrong shape, or is not a regular
//     file is reported (messages/log.hpp) with its path, counted in counters().errors and
//     treated as a miss; scan skips it. It is never fatal. A file whose func+inputs give a key
//     other than its name is served under its name and reported once.
//   - Foreign files (any name that is not 40 digits + ".json") are ignored and never removed.
//
// Concurrency: owned by one actor (or thread); other threads read through reader(). Any number
// of processes may share the directory.

#include "ahvn/backends/store.hpp"

#include <memory>
#include <string>
#include <unordered_set>

namespace ahvn {

struct json_store_options {
  bool durable = true; ///< fsync each file before its rename and the directory after. Default on.
};

class json_store final : public store {
public:
  /// Opens the store in `dir`, creating the directory (and its parents) if needed.
  /// Throws cache_error(errc::backend_failure) if it cannot be created or is not a directory.
  explicit json_store(std::string dir, json_store_options options = {});
  ~json_store() override;

  /// "json:" + the directory as given.
  std::string url() const override;
  store_traits traits() const override { return {.blocks = true, .durable = true}; }

  /// Reads `<dir>/<k>.json`; nullptr if absent or unreadable (then reported and counted).
  entry_ptr get(const key& k) override;

  /// Writes the file through a temporary file and a rename. Throws cache_error(backend_failure)
  /// on an OS error (the temporary file is removed, the old file stays); invalid_utf8 if a
  /// string of the entry is not UTF-8 (before any file is touched).
  void put(const key& k, entry_ptr e) override;

  /// As put() for each, in order; with `durable`, the directory is synced once at the end.
  void put_many(std::span<const keyed_entry> entries) override;

  /// Deletes the entry's file; false if there was none.
  bool remove(const key& k) override;

  /// Deletes every entry file (readable or not) and nothing else; returns how many.
  uint64_t clear() override;

  /// The number of entry files (readable or not), from one directory listing.
  uint64_t size() override;

  /// Lists the directory, then opens the files of the page in ascending key order. At most
  /// 16 * limit + 16 files are opened per page; unreadable ones are skipped (and reported).
  scan_page scan(const scan_request& req) override;

  /// Without `durable`: fsyncs every file written since the last flush, and the directory.
  /// With it: nothing to do.
  void flush() override;

  /// entries from one directory listing, errors; bytes is 0 (unknown: it would cost a stat per
  /// file).
  store_counters counters() override;

  /// A reader for other threads: reads files exactly as get() does.
  std::shared_ptr<concurrent_reader> reader() override;

  struct state; // shared with readers; defined in the .cpp

private:
  void write(const key& k, const cache_entry& e, bool sync_directory);
  void directory_changed();

  std::shared_ptr<state> state_;
  // Without `durable`: what flush() must sync.
  std::unordered_set<std::string> unsynced_files_; ///< Entry names written since flush().
  bool unsynced_directory_ = false;                ///< Renames or removals since flush().
  bool sync_everything_ = false; ///< Too many files to track: flush() syncs the filesystem.
};

} // namespace ahvn
