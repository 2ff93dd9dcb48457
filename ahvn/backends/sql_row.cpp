#include "ahvn/backends/sql_row.hpp"

#include "ahvn/messages/error.hpp"

#include <cstring>

namespace ahvn {

namespace {

bool beyond_2_53(std::string_view digits) {
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  return digits.size() > 16 || (digits.size() == 16 && digits > "9007199254740992");
}

} // namespace

std::optional<key> key_of_row_id(std::string_view id) {
  auto k = id.size() == 40 ? key::parse(id) : std::nullopt;
  return k && k->to_padded() == id ? k : std::nullopt;
}

bool restore_jsonb_floats(std::string& text) {
  // Fast path: no run of 16 digits, no literal beyond 2^53.
  size_t run = 0;
  bool long_run = false;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 16) {
      long_run = true;
      break;
    }
  }
  if (!long_run) return false;
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  bool changed = false;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      ++i;
      if (c == '\\' && i < text.size())
        out.push_back(text[i++]);
      else if (c == '"')
        in_string = false;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < text.size() && std::strchr("0123456789+-.eE", text[j]) != nullptr)
        ++j;
      std::string_view token(text.data() + i, j - i);
      out.append(token);
      if (token.find_first_of(".eE") == std::string_view::npos && beyond_2_53(token)) {
        out.append(".0");
        changed = true;
      }
      i = j;
    } else {
      in_string = c == '"';
      out.push_back(c);
      ++i;
    }
  }
  if (changed) text.swap(out);
  return changed;
}

cache_entry decode_row_content(std::string text, std::string_view what, bool jsonb) {
  if (jsonb) restore_jsonb_floats(text);
  json dict = parse_json(text, what);
  if (!dict.is_object())
    throw cache_error(errc::invalid_entry,
                      std::string("content is a JSON ") + dict.type_name() + ", not an entry dict");
  return cache_entry::from_python_dict(std::move(dict));
}

} // namespace ahvn
