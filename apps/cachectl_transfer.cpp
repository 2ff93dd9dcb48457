#include "apps/cachectl_transfer.hpp"

#include "apps/cachectl_format.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ahvn::cachectl {

namespace {

double seconds_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string count_text(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " entry" : " entries");
}

void print_count(std::ostream& out, const char* verb, uint64_t n, bool json) {
  if (json)
    out << "{\"" << verb << "\": " << n << "}\n";
  else
    out << verb << ' ' << count_text(n) << '\n';
  out.flush();
}

std::string system_problem() {
  return std::strerror(errno);
}

// -- import -----------------------------------------------------------------------------------

// The entry on one line of an import file; `where` is "FILE:LINE". Throws cli_error(exit_usage)
// naming `where` and the problem.
keyed_entry decode_line(std::string_view line, const std::string& where) {
  try {
    json dict = parse_json(line, where); // its message names `where` and the byte
    if (!dict.is_object())
      throw cli_error(exit_usage, where +
                                      ": expected an entry object {\"func\": ..., \"inputs\": "
                                      "...}, got a JSON " +
                                      std::string(dict.type_name()));
    for (const char* field : {"func", "inputs"})
      if (!dict.contains(field))
        throw cli_error(exit_usage, where + ": not an entry: no \"" + field + "\" field");
    // As the stores read AgentHeaven's files and rows.
    auto e = std::make_shared<const cache_entry>(cache_entry::from_python_dict(std::move(dict)));
    return {e->key(), e};
  } catch (const cache_error& err) {
    const auto& m = err.message();
    throw cli_error(exit_usage, m.starts_with(where + ": ") ? m : where + ": " + m);
  }
}

} // namespace

// -- progress_line ----------------------------------------------------------------------------

progress_line::progress_line(std::string verb, double interval_s)
    : verb_(std::move(verb)), interval_s_(interval_s), tty_(::isatty(STDERR_FILENO) == 1),
      last_(seconds_now()) {}

void progress_line::update(uint64_t n) {
  double now = seconds_now();
  if (interval_s_ > 0 && now - last_ < interval_s_) return;
  last_ = now;
  written_ = true;
  std::cerr << (tty_ ? "\r" : "") << verb_ << ' ' << count_text(n) << "..." << (tty_ ? "" : "\n");
  std::cerr.flush();
}

void progress_line::finish() {
  if (tty_ && written_) std::cerr << "\r\x1b[K" << std::flush;
  written_ = false;
}

// -- export -----------------------------------------------------------------------------------

void run_export(cache& c, const std::string& file, const transfer_options& opts,
                std::ostream& out) {
  bool to_stdout = file == "-";
  std::string temp = file + ".tmp-" + std::to_string(::getpid());
  std::ofstream f;
  if (!to_stdout) {
    f.open(temp, std::ios::binary | std::ios::trunc);
    if (!f) throw cli_error(exit_usage, "cannot write " + file + ": " + system_problem());
  }
  std::ostream& dest = to_stdout ? std::cout : f;
  // Never leave a partial export behind under FILE or the temporary name.
  struct cleanup {
    const std::string* path;
    ~cleanup() {
      if (path) std::remove(path->c_str());
    }
  } guard{to_stdout ? nullptr : &temp};

  progress_line progress("exported", opts.progress_interval);
  uint64_t errors_before = c.stats().errors;
  scan_request req;
  req.func = opts.func;
  req.limit = opts.batch == 0 ? 1000 : opts.batch;
  uint64_t n = 0;
  std::string buffer;
  for (;;) {
    auto page = c.scan(req);
    buffer.clear();
    for (const auto& e : page.entries) {
      buffer += jsonl_line(*e.entry);
      buffer += '\n';
    }
    dest << buffer;
    if (!dest) throw cli_error(exit_usage, "cannot write " + file + ": " + system_problem());
    n += page.entries.size();
    progress.update(n);
    if (!page.more) break;
    req.after = page.last;
  }
  dest.flush();
  if (!to_stdout) {
    f.close();
    if (!f) throw cli_error(exit_usage, "cannot write " + file + ": " + system_problem());
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    if (ec) throw cli_error(exit_usage, "cannot write " + file + ": " + ec.message());
    guard.path = nullptr;
  } else if (!dest) {
    throw cli_error(exit_usage, "cannot write to stdout: " + system_problem());
  }
  progress.finish();
  print_count(to_stdout ? std::cerr : out, "exported", n, opts.json);
  if (auto skipped = c.stats().errors - errors_before)
    std::cerr << "cachectl: warning: unreadable entries skipped, not exported: " << skipped
              << " (see the warnings above)\n";
}

// -- import -----------------------------------------------------------------------------------

void run_import(cache& c, const std::string& file, const transfer_options& opts,
                std::ostream& out) {
  bool from_stdin = file == "-";
  std::string name = from_stdin ? "<stdin>" : file;
  std::ifstream f;
  if (!from_stdin) {
    f.open(file, std::ios::binary);
    if (!f) throw cli_error(exit_usage, "cannot read " + file + ": " + system_problem());
  }
  std::istream& in = from_stdin ? std::cin : f;

  progress_line progress("imported", opts.progress_interval);
  size_t batch_size = opts.batch == 0 ? 1000 : opts.batch;
  std::vector<keyed_entry> batch;
  batch.reserve(batch_size);
  uint64_t imported = 0;
  auto store_batch = [&] {
    if (batch.empty()) return;
    auto n = batch.size();
    c.client()->put_many(std::move(batch));
    batch.clear();
    imported += n;
    progress.update(imported);
  };
  // Stores what was read, reports the count, then the problem.
  auto stop = [&](const cli_error& problem) {
    store_batch();
    c.flush();
    progress.finish();
    print_count(out, "imported", imported, opts.json);
    throw cli_error(problem.status(), std::string(problem.what()) +
                                          " (import stopped there; entries imported before it: " +
                                          std::to_string(imported) + ")");
  };

  std::string line;
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      batch.push_back(decode_line(line, name + ":" + std::to_string(line_no)));
    } catch (const cli_error& problem) {
      stop(problem);
    }
    if (batch.size() >= batch_size) store_batch();
  }
  if (in.bad())
    stop(cli_error(exit_usage, "cannot read " + name + " after line " + std::to_string(line_no) +
                                   ": " + system_problem()));
  store_batch();
  c.flush();
  progress.finish();
  print_count(out, "imported", imported, opts.json);
}

} // namespace ahvn::cachectl
