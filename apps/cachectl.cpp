// cachectl: inspect and edit caches from the shell.
//
//   cachectl key FUNC INPUTS_JSON          the decimal key, then the 40-digit key
//   cachectl URL ls [--func F] [--limit N] [--after KEY] [--full] [--json]
//                                          entries in key order, one line each, page by page
//   cachectl URL show KEY [--json]         one entry (KEY: decimal or 40-digit)
//   cachectl URL get FUNC INPUTS_JSON      its value (expected if annotated, else output)
//   cachectl URL set FUNC INPUTS_JSON OUTPUT_JSON [--expected JSON] [--metadata JSON]
//   cachectl URL annotate FUNC INPUTS_JSON [--expected JSON] [--metadata JSON]
//   cachectl URL rm KEY | rm FUNC INPUTS_JSON
//   cachectl URL clear                     removes every entry, prints how many
//   cachectl URL stats [--json]            hits, misses, sets, ..., entries
//   cachectl URL export FILE.jsonl         one entry dict per line ("-": stdout)
//   cachectl URL import FILE.jsonl         entries in batches, progress on stderr ("-": stdin)
//
// URL is any form open_cache() takes (actors/open_cache.hpp): mem:, none:, lmdb:PATH,
// json:PATH, sqlite:PATH, postgresql://user[:password]@host[:port]/db, mysql://... ls, show,
// get, rm, clear, stats and export never create a cache: a lmdb:, json: or sqlite: PATH that
// does not exist is an error (exit 2). set, annotate and import create it. mem: and none: keep
// nothing between runs (useful only to try the commands).
//
// Output. Keys print in their 40-digit form (AgentHeaven's file names and row ids). JSON is
// written as Python writes it (ensure_ascii off). --json (every command) prints one JSON object
// per line for scripts: ls and show {"key", "func", "inputs", "output"?, "expected"?,
// "metadata"} (big integers tagged as AgentHeaven tags them), set/annotate {"key"}, rm
// {"key", "removed"}, clear {"removed": N}, stats the counters, export/import {"exported": N} /
// {"imported": N}; get prints the value, which is JSON already. Messages go to stderr, prefixed
// "cachectl: ".
//
// Exit status: 0 success; 1 a looked-up entry is missing (show, get, rm, annotate without
// --expected); 2 bad usage or input (unknown command or option, malformed JSON — the message
// names the argument and the byte —, inputs that are not an object, a bad KEY or URL, a FILE
// that cannot be read or written, a malformed import line — the message names FILE:LINE —);
// 3 the cache failed (an unreachable server, a broken store; the message names the URL without
// its password).

#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/backends/registry.hpp"
#include "ahvn/backends/sql_url.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/json.hpp"
#include "ahvn/messages/key.hpp"
#include "ahvn/messages/log.hpp"
#include "ahvn/version.hpp"
#include "apps/cachectl_commands.hpp"
#include "apps/cachectl_format.hpp"
#include "apps/cachectl_transfer.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using namespace ahvn::cachectl;

constexpr const char* footer =
    R"(URL: mem:, none:, lmdb:PATH[?size_limit=32GiB], json:PATH, sqlite:PATH,
     postgresql://user[:password]@host[:port]/db, mysql://user[:password]@host[:port]/db.
     ls, show, get, rm, clear, stats and export never create a cache (a missing PATH is an
     error); set, annotate and import do. mem: and none: keep nothing between runs.
Keys print as 40 digits; KEY arguments take that form or the decimal one.
--json (every command): one JSON object per line, for scripts.
Exit status: 0 success, 1 entry missing, 2 bad usage or input, 3 the cache failed
             (unreachable server, broken store).
Run 'cachectl COMMAND --help' (or 'cachectl URL COMMAND --help') for a command's options.)";

int cmd_key(const std::string& func, const std::string& inputs_text) {
  auto inputs = ahvn::parse_json(inputs_text, "INPUTS_JSON");
  if (!inputs.is_object())
    throw ahvn::cache_error(ahvn::errc::invalid_inputs,
                            std::string("INPUTS_JSON must be a JSON object, got ") +
                                inputs.type_name());
  auto k = ahvn::compute_key(func, inputs);
  std::cout << k.to_string() << '\n' << k.to_padded() << '\n';
  return exit_ok;
}

// The local file or directory a URL names (lmdb:, json:, sqlite:PATH), or "" for other URLs.
std::string local_path(const std::string& url) {
  const auto* backend = ahvn::find_backend(ahvn::scheme_of(url));
  if (!backend || !backend->creates_path) return "";
  auto path = ahvn::store_url(url).path();
  return path == ":memory:" ? "" : path;
}

// Read-only commands must not create an empty cache where a path was mistyped.
void require_existing(const std::string& url) {
  auto path = local_path(url);
  std::error_code ec;
  if (!path.empty() && !std::filesystem::exists(path, ec))
    throw cli_error(exit_usage, ahvn::redact_url(url) + ": no cache there (" + path +
                                    " does not exist); set, annotate and import create one");
}

// Store messages go to stderr as "cachectl: warning: ...", without spdlog's time stamps.
void route_log() {
  ahvn::log::set_sink([](ahvn::log::level lvl, std::string_view message) {
    if (lvl == ahvn::log::level::debug) return;
    const char* name = lvl == ahvn::log::level::info      ? "info"
                       : lvl == ahvn::log::level::warning ? "warning"
                                                          : "error";
    std::cerr << "cachectl: " << name << ": " << message << '\n';
  });
}

// What is wrong with the command word, or "": CLI11 alone would only say that a subcommand is
// required when the word after the URL is misspelt.
std::string command_problem(CLI::App& app, int argc, char** argv) {
  auto is_command = [&](const std::string& word) {
    for (const auto* sub : app.get_subcommands({}))
      if (sub->get_name() == word) return true;
    return false;
  };
  auto commands = [&] {
    std::string names;
    for (const auto* sub : app.get_subcommands({}))
      names += (names.empty() ? "" : ", ") + sub->get_name();
    return names;
  };
  std::string first = argv[1];
  if (first.starts_with("-") || is_command(first)) return "";
  if (argc == 2)
    return first.find(':') == std::string::npos
               ? "unknown command '" + first + "' (commands: " + commands() + ")"
               : "no COMMAND after the URL (commands: " + commands() + ")";
  std::string second = argv[2];
  if (second.starts_with("-") || is_command(second)) return "";
  return "unknown command '" + second + "' (commands: " + commands() + ")";
}

int report(int status, const std::string& message) {
  std::cout.flush();
  std::cerr << "cachectl: " << message << '\n';
  return status;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"cachectl: inspect and edit ahvn caches.\n"
               "  cachectl key FUNC INPUTS_JSON\n"
               "  cachectl URL COMMAND [ARGS] [OPTIONS]",
               "cachectl"};
  app.footer(footer);
  app.set_version_flag("--version", std::string(ahvn::version()), "print the version and exit");
  app.require_subcommand(1);
  std::string url;
  app.add_option("URL", url, "the cache (see below); every command but key needs it");

  std::string func, inputs, key_text, file;
  bool json_out = false;
  auto add_json = [&](CLI::App* sub) {
    sub->add_flag("--json", json_out, "one JSON object per line, for scripts");
  };
  auto add_call = [&](CLI::App* sub) {
    sub->add_option("FUNC", func, "the function name")->required();
    sub->add_option("INPUTS_JSON", inputs, "its inputs, a JSON object")->required();
  };

  auto key = app.add_subcommand("key", "print the cache key of FUNC called with INPUTS_JSON");
  key->add_option("FUNC", func, "the function name")->required();
  key->add_option("INPUTS_JSON", inputs, "the inputs, a JSON object")->required();

  ls_options ls_opts;
  auto ls = app.add_subcommand("ls", "list entries in key order, one line each, page by page: "
                                     "KEY<TAB>FUNC<TAB>INPUTS<TAB>VALUE");
  ls->add_option("--func", ls_opts.func, "only this function's entries");
  ls->add_option("--limit", ls_opts.limit, "at most N entries (default: all)");
  ls->add_option("--after", ls_opts.after, "start after this KEY (to resume a listing)");
  ls->add_option("--page-size", ls_opts.page_size, "entries per request")->capture_default_str();
  ls->add_flag("--full", ls_opts.full, "do not shorten inputs (80 bytes) and values (50)");
  add_json(ls);

  auto show = app.add_subcommand("show", "print the entry under KEY (exit 1 if none)");
  show->add_option("KEY", key_text, "decimal or 40-digit key")->required();
  add_json(show);

  auto get = app.add_subcommand(
      "get", "print the value of FUNC with INPUTS_JSON: expected if annotated, else output");
  add_call(get);
  add_json(get);

  write_args wa;
  auto add_write_options = [&](CLI::App* sub) {
    sub->add_option("--expected", wa.expected, "the expected output, JSON");
    sub->add_option("--metadata", wa.metadata,
                    "metadata to store (set) or merge (annotate), "
                    "a JSON object");
    add_json(sub);
  };
  auto set = app.add_subcommand("set", "store OUTPUT_JSON for FUNC with INPUTS_JSON; print "
                                       "the key");
  add_call(set);
  set->add_option("OUTPUT_JSON", wa.output, "the output, JSON")->required();
  add_write_options(set);
  auto annotate = app.add_subcommand(
      "annotate", "set the expected output of an entry (omitted: its output) and merge metadata; "
                  "with no entry, --expected creates one; print the key");
  add_call(annotate);
  add_write_options(annotate);

  std::vector<std::string> rm_target;
  auto rm = app.add_subcommand("rm", "remove one entry: rm KEY, or rm FUNC INPUTS_JSON "
                                     "(exit 1 if none)");
  rm->add_option("TARGET", rm_target, "KEY, or FUNC INPUTS_JSON")->required()->expected(1, 2);
  add_json(rm);

  auto clear = app.add_subcommand("clear", "remove every entry; print how many");
  add_json(clear);

  auto stats = app.add_subcommand(
      "stats", "print the counters: hits, misses, sets, removes, evictions, expirations, "
               "coalesced, errors (since this process opened the cache), entries (held now)");
  add_json(stats);

  transfer_options xfer;
  auto add_transfer_options = [&](CLI::App* sub) {
    sub->add_option("--batch", xfer.batch, "entries per request")->capture_default_str();
    sub->add_option("--progress-interval", xfer.progress_interval,
                    "seconds between progress lines on stderr (0: every batch)")
        ->capture_default_str();
    add_json(sub);
  };
  auto exp = app.add_subcommand("export", "write every entry to FILE.jsonl, one entry dict per "
                                          "line, page by page; print how many");
  exp->add_option("FILE", file, "the JSON Lines file ('-': stdout)")->required();
  exp->add_option("--func", xfer.func, "only this function's entries");
  add_transfer_options(exp);
  auto imp = app.add_subcommand("import", "store the entries of FILE.jsonl in batches, with a "
                                          "progress line on stderr; print how many");
  imp->add_option("FILE", file, "the JSON Lines file ('-': stdin)")->required();
  add_transfer_options(imp);

  if (argc <= 1) {
    std::cerr << app.help();
    return exit_usage;
  }
  if (auto problem = command_problem(app, argc, argv); !problem.empty())
    return report(exit_usage, problem + " (run 'cachectl --help')");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  route_log();
  try {
    if (*key) return cmd_key(func, inputs);
    if (url.empty())
      throw cli_error(exit_usage, "no URL: cachectl URL " +
                                      app.get_subcommands().front()->get_name() +
                                      " ... (run 'cachectl --help')");
    wa.func = func;
    wa.inputs = inputs;
    wa.json = json_out;
    xfer.json = json_out;
    ls_opts.json = json_out;
    bool creates = *set || *annotate || *imp;
    if (!creates) require_existing(url);
    auto c = ahvn::open_cache(url);
    if (*ls)
      run_ls(c, ls_opts, std::cout);
    else if (*show)
      run_show(c, key_text, json_out, std::cout);
    else if (*get)
      run_get(c, func, inputs, std::cout);
    else if (*set)
      run_set(c, wa, std::cout);
    else if (*annotate)
      run_annotate(c, wa, std::cout);
    else if (*rm)
      run_rm(c, rm_target, json_out, std::cout);
    else if (*clear)
      run_clear(c, json_out, std::cout);
    else if (*stats)
      run_stats(c, json_out, std::cout);
    else if (*exp)
      run_export(c, file, xfer, std::cout);
    else if (*imp)
      run_import(c, file, xfer, std::cout);
    std::cout.flush();
    return exit_ok;
  } catch (const cli_error& e) {
    return report(e.status(), e.what());
  } catch (const ahvn::cache_error& e) {
    int status = exit_status(e.code());
    std::string where = ahvn::redact_url(url);
    bool named =
        where.empty() || e.message().find(where.substr(0, where.find('?'))) != std::string::npos;
    return report(status, status == exit_failure && !named ? where + ": " + e.what() : e.what());
  } catch (const std::exception& e) {
    return report(exit_failure, ahvn::redact_url(url) + ": " + e.what());
  }
}
