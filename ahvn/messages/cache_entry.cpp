#include "ahvn/messages/cache_entry.hpp"

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/msgpack.hpp"
#include "ahvn/messages/ttl.hpp"

#include <algorithm>
#include <cmath>

namespace ahvn {

namespace {

void drop_excluded(json& inputs, const std::vector<std::string>& exclude) {
  for (const auto& name : exclude)
    inputs.erase(name);
}

json checked_metadata(json metadata, std::string_view func) {
  if (metadata.is_null()) return json::object();
  if (!metadata.is_object())
    throw cache_error(errc::invalid_entry, "metadata of '" + std::string(func) +
                                               "' must be a JSON object, got " +
                                               metadata.type_name());
  return metadata;
}

void check_inputs(const json& inputs, std::string_view func) {
  if (!inputs.is_object())
    throw cache_error(errc::invalid_inputs, "inputs of '" + std::string(func) +
                                                "' must be a JSON object, got " +
                                                inputs.type_name());
}

// Writes the entry dict's fields in AgentHeaven's order with the given options.
std::string python_dict_text(const cache_entry& e, const dump_options& opt) {
  std::string out;
  out.reserve(128);
  bool first = true;
  auto field = [&](std::string_view name, const json& value) {
    out.append(first ? "" : ",");
    if (opt.indent >= 0)
      out.append("\n").append(static_cast<size_t>(opt.indent), ' ');
    else if (!first)
      out.push_back(' ');
    first = false;
    dump_python_string(out, name, opt.ensure_ascii);
    out.append(": ");
    dump_python(out, value, opt, 1);
  };
  out.push_back('{');
  field("func", e.func);
  field("inputs", e.inputs);
  if (e.output) field("output", *e.output);
  if (e.expected) field("expected", *e.expected);
  field("metadata", e.metadata);
  if (opt.indent >= 0) out.push_back('\n');
  out.push_back('}');
  return out;
}

} // namespace

ahvn::key cache_entry::key() const {
  return compute_key(func, inputs);
}

cache_entry cache_entry::from_args(std::string func, json inputs, std::optional<json> output,
                                   std::optional<json> expected, json metadata,
                                   const std::vector<std::string>& exclude) {
  check_inputs(inputs, func);
  drop_excluded(inputs, exclude);
  cache_entry e;
  e.metadata = checked_metadata(std::move(metadata), func);
  e.func = std::move(func);
  e.inputs = std::move(inputs);
  e.output = std::move(output);
  e.expected = std::move(expected);
  return e;
}

cache_entry cache_entry::from_python_dict(json dict) {
  if (dict.is_object())
    for (const char* field : {"output", "expected", "metadata"}) {
      auto it = dict.find(field);
      if (it == dict.end()) continue;
      if (it->is_object() && it->size() == 1 && it->value("__obj_type__", "") == "ellipsis")
        dict.erase(it); // AgentHeaven's tag for Python's Ellipsis: an unset value
      else
        *it = untag(std::move(*it));
    }
  return from_dict(dict);
}

cache_entry cache_entry::from_dict(const json& dict, const std::vector<std::string>& exclude) {
  if (!dict.is_object())
    throw cache_error(errc::invalid_entry,
                      std::string("an entry dict must be a JSON object, got ") + dict.type_name());
  std::string func;
  if (auto it = dict.find("func"); it != dict.end()) {
    if (!it->is_string())
      throw cache_error(errc::invalid_entry,
                        std::string("entry field 'func' must be a string, got ") + it->type_name());
    func = it->get<std::string>();
  }
  json inputs = json::object();
  if (auto it = dict.find("inputs"); it != dict.end()) inputs = *it;
  std::optional<json> output, expected;
  if (auto it = dict.find("output"); it != dict.end()) output = *it;
  if (auto it = dict.find("expected"); it != dict.end()) expected = *it;
  json metadata = nullptr;
  if (auto it = dict.find("metadata"); it != dict.end()) metadata = *it;
  return from_args(std::move(func), std::move(inputs), std::move(output), std::move(expected),
                   std::move(metadata), exclude);
}

json cache_entry::to_dict() const {
  json d = json::object();
  d["func"] = func;
  d["inputs"] = inputs;
  if (output) d["output"] = *output;
  if (expected) d["expected"] = *expected;
  d["metadata"] = metadata;
  return d;
}

cache_entry cache_entry::clone(const cache_entry_update& u) const {
  cache_entry e = *this;
  if (u.func) e.func = *u.func;
  if (u.inputs) {
    check_inputs(*u.inputs, e.func);
    e.inputs = *u.inputs;
  }
  if (u.output) e.output = *u.output;
  if (u.expected) e.expected = *u.expected;
  if (u.metadata) e.metadata = checked_metadata(*u.metadata, e.func);
  drop_excluded(e.inputs, u.exclude);
  return e;
}

cache_entry cache_entry::annotate(std::optional<json> new_expected,
                                  const json& new_metadata) const {
  cache_entry e = *this;
  e.expected = new_expected ? std::move(new_expected) : output;
  json extra = checked_metadata(new_metadata, func);
  for (auto it = extra.begin(); it != extra.end(); ++it)
    e.metadata[it.key()] = it.value();
  return e;
}

std::string to_python_file_json(const cache_entry& e) {
  dump_options opt;
  opt.ensure_ascii = false;
  opt.indent = 4;
  return python_dict_text(e, opt);
}

std::string to_python_jsonl(const cache_entry& e) {
  dump_options opt;
  opt.ensure_ascii = false;
  opt.tag_bigints = true;
  return python_dict_text(e, opt);
}

std::string to_python_row_json(const cache_entry& e) {
  dump_options opt;
  opt.tag_bigints = true;
  return python_dict_text(e, opt);
}

namespace {

enum : uint8_t { has_output = 1, has_expected = 2 };
constexpr unsigned char format_tag = 0xA7; // a MessagePack fixstr tag: never a valid entry array
constexpr size_t header_size = 19;         // tag, func length (2), value offset (4), length (4),
                                           // expiry (8)
constexpr unsigned char body_array = 0x95; // MessagePack fixarray of 5

void put_le(std::string& out, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i, v >>= 8)
    out[at + static_cast<size_t>(i)] = static_cast<char>(v & 0xFF);
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  return v;
}

} // namespace

std::string encode_entry(const cache_entry& e) {
  if (e.func.size() > 0xFFFF)
    throw cache_error(errc::invalid_entry, "function name longer than 65535 bytes");
  std::string out(header_size, '\0');
  out.reserve(header_size + e.func.size() + 64);
  out.append(e.func);
  out.push_back(static_cast<char>(body_array));
  json::to_msgpack(e.inputs, out);
  static const json nil;
  size_t output_at = out.size();
  json::to_msgpack(e.output ? *e.output : nil, out);
  size_t expected_at = out.size();
  json::to_msgpack(e.expected ? *e.expected : nil, out);
  size_t expected_end = out.size();
  json::to_msgpack(e.metadata, out);
  uint8_t flags = (e.output ? has_output : 0) | (e.expected ? has_expected : 0);
  out.push_back(static_cast<char>(flags)); // positive fixint
  size_t value_at = 0, value_len = 0;
  if (e.expected) {
    value_at = expected_at, value_len = expected_end - expected_at;
  } else if (e.output) {
    value_at = output_at, value_len = expected_at - output_at;
  }
  int64_t expires = expires_at_ms(e);
  out[0] = static_cast<char>(format_tag);
  put_le(out, 1, e.func.size(), 2);
  put_le(out, 3, value_at, 4);
  put_le(out, 7, value_len, 4);
  put_le(out, 11, static_cast<uint64_t>(expires), 8);
  return out;
}

bool view_encoded(std::string_view bytes, encoded_view& out) {
  if (bytes.size() < header_size || static_cast<unsigned char>(bytes[0]) != format_tag)
    return false;
  size_t func_len = get_le(bytes, 1, 2);
  size_t value_at = get_le(bytes, 3, 4);
  size_t value_len = get_le(bytes, 7, 4);
  if (header_size + func_len >= bytes.size() || value_at + value_len > bytes.size() ||
      (value_len > 0 && value_at < header_size + func_len))
    return false;
  out.func = bytes.substr(header_size, func_len);
  out.value = bytes.substr(value_at, value_len);
  out.expires_at_ms = static_cast<int64_t>(get_le(bytes, 11, 8));
  return true;
}

json decode_msgpack(std::string_view bytes, std::string_view where) {
  return read_msgpack(bytes, where);
}

cache_entry decode_entry(std::string_view bytes, std::string_view where) {
  encoded_view view;
  if (!view_encoded(bytes, view))
    throw cache_error(errc::corrupt_entry, std::string(where) + ": " +
                                               std::to_string(bytes.size()) +
                                               " bytes that are not an encoded entry");
  size_t body_at = header_size + view.func.size();
  json arr = decode_msgpack(bytes.substr(body_at), where);
  if (!arr.is_array() || arr.size() != 5 || !arr[0].is_object() || !arr[3].is_object() ||
      !arr[4].is_number_integer())
    throw cache_error(errc::corrupt_entry,
                      std::string(where) + ": stored bytes do not have the shape of an entry");
  cache_entry e;
  auto flags = arr[4].get<uint64_t>();
  e.func = std::string(view.func);
  e.inputs = std::move(arr[0]);
  if (flags & has_output) e.output = std::move(arr[1]);
  if (flags & has_expected) e.expected = std::move(arr[2]);
  e.metadata = std::move(arr[3]);
  return e;
}

} // namespace ahvn
