#include "apps/cachectl_format.hpp"

#include <algorithm>

namespace ahvn::cachectl {

namespace {

// `s` cut to at most `n` bytes at a UTF-8 character boundary, marked with "..." when cut.
std::string shorten(std::string s, size_t n) {
  if (s.size() <= n) return s;
  size_t end = n - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
    --end;
  s.resize(end);
  return s + "...";
}

// The func name as ls shows it: raw, or as a JSON string when it holds a tab, a newline or
// another control character (so that one entry stays one line).
std::string func_text(const std::string& func) {
  bool plain = std::none_of(func.begin(), func.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
  if (plain && !func.empty()) return func;
  std::string out;
  dump_python_string(out, func, false);
  return out;
}

} // namespace

int exit_status(errc c) {
  switch (c) {
  case errc::missing_entry:
    return exit_missing;
  case errc::invalid_json:
  case errc::invalid_utf8:
  case errc::invalid_inputs:
  case errc::invalid_entry:
  case errc::invalid_url:
  case errc::invalid_argument:
  case errc::not_supported:
    return exit_usage;
  default:
    return exit_failure;
  }
}

json parse_json_arg(std::string_view text, std::string_view what) {
  return parse_json(text, what);
}

json parse_object_arg(std::string_view text, std::string_view what) {
  auto v = parse_json(text, what);
  if (!v.is_object())
    throw cache_error(errc::invalid_inputs, std::string(what) + " must be a JSON object, got " +
                                                v.type_name() + " (" + shorten(value_text(v), 40) +
                                                ")");
  return v;
}

key parse_key_arg(std::string_view text, std::string_view what) {
  bool digits = !text.empty() &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto k = digits ? key::parse(text) : std::nullopt;
  if (!k)
    throw cli_error(exit_usage, std::string(what) + " '" + std::string(text) +
                                    "' is not a cache key: expected the decimal key (as "
                                    "'cachectl key' prints it, below 2^128) or its 40-digit form");
  return *k;
}

std::string jsonl_line(const cache_entry& e) {
  return to_python_jsonl(e);
}

std::string keyed_json_line(const key& k, const cache_entry& e) {
  // The export line with the key in front: {"key": "...", "func": ...}.
  return "{\"key\": \"" + k.to_padded() + "\", " + to_python_jsonl(e).substr(1);
}

std::string list_line(const key& k, const cache_entry& e, bool full) {
  std::string inputs = canonical(e.inputs);
  std::string value = "(no value)";
  if (const auto& v = e.value()) value = (e.annotated() ? "expected=" : "output=") + value_text(*v);
  if (!full) {
    inputs = shorten(std::move(inputs), 80);
    value = shorten(std::move(value), 50);
  }
  return k.to_padded() + '\t' + func_text(e.func) + '\t' + inputs + '\t' + value;
}

std::string value_text(const json& v) {
  dump_options opt;
  opt.ensure_ascii = false;
  return dumps_python(v, opt);
}

} // namespace ahvn::cachectl
