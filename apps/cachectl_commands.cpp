#include "apps/cachectl_commands.hpp"

#include "apps/cachectl_format.hpp"

#include <iomanip>
#include <utility>

namespace ahvn::cachectl {

namespace {

// "'FUNC' with INPUTS (key K)": names an entry in messages.
std::string describe(const std::string& func, const json& inputs, const key& k) {
  return "'" + func + "' with inputs " + value_text(inputs) + " (key " + k.to_padded() + ")";
}

void print_key(const key& k, bool json, std::ostream& out) {
  if (json)
    out << "{\"key\": \"" << k.to_padded() << "\"}\n";
  else
    out << k.to_padded() << '\n';
}

// The parsed JSON arguments shared by set and annotate.
struct parsed_write {
  json inputs;
  std::optional<json> expected;
  json metadata = nullptr;
  key k;
};

parsed_write parse_write(const write_args& a) {
  parsed_write p;
  p.inputs = parse_object_arg(a.inputs, "INPUTS_JSON");
  if (a.expected) p.expected = parse_json_arg(*a.expected, "--expected");
  if (a.metadata) p.metadata = parse_object_arg(*a.metadata, "--metadata");
  p.k = compute_key(a.func, p.inputs);
  return p;
}

} // namespace

void run_ls(cache& c, const ls_options& opts, std::ostream& out) {
  scan_request req;
  req.func = opts.func;
  req.limit = opts.page_size == 0 ? 256 : opts.page_size;
  if (!opts.after.empty()) req.after = parse_key_arg(opts.after, "--after");
  uint64_t listed = 0;
  for (;;) {
    auto page = c.scan(req);
    for (const auto& e : page.entries) {
      out << (opts.json ? keyed_json_line(e.k, *e.entry) : list_line(e.k, *e.entry, opts.full))
          << '\n';
      if (++listed == opts.limit) return;
    }
    if (!page.more) return;
    req.after = page.last;
  }
}

void run_show(cache& c, const std::string& key_text, bool json, std::ostream& out) {
  auto k = parse_key_arg(key_text);
  auto e = c.find(k);
  if (!e) throw cli_error(exit_missing, "no entry under key " + k.to_padded());
  out << (json ? keyed_json_line(k, *e) : to_python_file_json(*e)) << '\n';
}

void run_get(cache& c, const std::string& func, const std::string& inputs_text, std::ostream& out) {
  auto inputs = parse_object_arg(inputs_text, "INPUTS_JSON");
  auto k = compute_key(func, inputs);
  auto e = c.retrieve(func, inputs);
  if (!e) throw cli_error(exit_missing, "no entry for " + describe(func, inputs, k));
  if (!e->value())
    throw cli_error(exit_missing,
                    "the entry for " + describe(func, inputs, k) + " has no output or expected");
  out << value_text(*e->value()) << '\n';
}

void run_set(cache& c, const write_args& a, std::ostream& out) {
  auto p = parse_write(a);
  auto output = parse_json_arg(a.output, "OUTPUT_JSON");
  c.set(a.func, std::move(p.inputs), std::move(output), std::move(p.expected),
        std::move(p.metadata));
  c.flush();
  print_key(p.k, a.json, out);
}

void run_annotate(cache& c, const write_args& a, std::ostream& out) {
  auto p = parse_write(a);
  c.annotate(a.func, std::move(p.inputs), std::move(p.expected), std::move(p.metadata));
  c.flush();
  print_key(p.k, a.json, out);
}

void run_rm(cache& c, const std::vector<std::string>& target, bool json, std::ostream& out) {
  key k;
  std::string what;
  if (target.size() == 1) {
    k = parse_key_arg(target[0]);
    what = "key " + k.to_padded();
  } else if (target.size() == 2) {
    auto inputs = parse_object_arg(target[1], "INPUTS_JSON");
    k = compute_key(target[0], inputs);
    what = describe(target[0], inputs, k);
  } else {
    throw cli_error(exit_usage, "rm takes KEY, or FUNC INPUTS_JSON");
  }
  if (!c.remove(k)) throw cli_error(exit_missing, "no entry to remove for " + what);
  c.flush();
  if (json)
    out << "{\"key\": \"" << k.to_padded() << "\", \"removed\": true}\n";
  else
    out << k.to_padded() << '\n';
}

void run_clear(cache& c, bool json, std::ostream& out) {
  auto n = c.clear();
  c.flush();
  if (json)
    out << "{\"removed\": " << n << "}\n";
  else
    out << "removed " << n << (n == 1 ? " entry\n" : " entries\n");
}

void run_stats(cache& c, bool json, std::ostream& out) {
  auto s = c.stats();
  if (json) {
    out << value_text(s.to_json()) << '\n';
    return;
  }
  const std::pair<const char*, uint64_t> rows[] = {
      {"hits", s.hits},           {"misses", s.misses},       {"sets", s.sets},
      {"removes", s.removes},     {"evictions", s.evictions}, {"expirations", s.expirations},
      {"coalesced", s.coalesced}, {"errors", s.errors},       {"entries", s.entries}};
  for (const auto& [name, value] : rows)
    out << std::left << std::setw(12) << name << value << '\n';
}

} // namespace ahvn::cachectl
