#include "ahvn/messages/json.hpp"

#include "ahvn/messages/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

namespace ahvn {

namespace {

constexpr int64_t two_pow_53 = int64_t{1} << 53;
constexpr char hex_digits[] = "0123456789abcdef";

// -- UTF-8 -----------------------------------------------------------------------------------

// Decodes one UTF-8 sequence starting at s[i]; returns its length (1-4), or 0 if it is not
// well-formed (overlong forms, surrogates and values past U+10FFFF are rejected, as Python does).
size_t utf8_decode(std::string_view s, size_t i, uint32_t& cp) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

[[noreturn]] void throw_bad_utf8(std::string_view s, size_t at) {
  (void)s;
  throw cache_error(errc::invalid_utf8,
                    "invalid UTF-8 at byte " + std::to_string(at) + " of a string");
}

void append_u4(std::string& out, uint32_t v) {
  char buf[6] = {'\\',
                 'u',
                 hex_digits[(v >> 12) & 0xF],
                 hex_digits[(v >> 8) & 0xF],
                 hex_digits[(v >> 4) & 0xF],
                 hex_digits[v & 0xF]};
  out.append(buf, 6);
}

// Writes a JSON string literal as Python does. With ensure_ascii off only '"', '\\' and
// characters below 0x20 are escaped; with it on, also 0x7F and everything non-ASCII.
void dump_string(std::string& out, std::string_view s, bool ensure_ascii) {
  out.push_back('"');
  size_t run = 0; // start of the pending run of bytes copied verbatim
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7F) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      uint32_t cp;
      size_t len = utf8_decode(s, i, cp);
      if (len == 0) throw_bad_utf8(s, i);
      if (!ensure_ascii) {
        i += len;
        continue;
      }
      out.append(s.data() + run, i - run);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        append_u4(out, 0xD800 + (cp >> 10));
        append_u4(out, 0xDC00 + (cp & 0x3FF));
      } else {
        append_u4(out, cp);
      }
      i += len;
      run = i;
      continue;
    }
    if (c == 0x7F && !ensure_ascii) {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
    case '"':
      out.append("\\\"");
      break;
    case '\\':
      out.append("\\\\");
      break;
    case '\n':
      out.append("\\n");
      break;
    case '\r':
      out.append("\\r");
      break;
    case '\t':
      out.append("\\t");
      break;
    case '\b':
      out.append("\\b");
      break;
    case '\f':
      out.append("\\f");
      break;
    default:
      append_u4(out, c);
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

// -- numbers ---------------------------------------------------------------------------------

// Python's float repr: the shortest digits that round-trip, fixed notation when the decimal
// exponent is in [-4, 16), exponent notation (e-05, e+16) otherwise; "2.0" keeps its ".0".
void dump_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out.append(v < 0 ? "-Infinity" : "Infinity");
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  // sci looks like "-1.2345e+06" or "5e-324".
  size_t pos = 0;
  if (sci[0] == '-') {
    out.push_back('-');
    pos = 1;
  }
  size_t epos = sci.find('e');
  char digits[32];
  size_t nd = 0;
  for (size_t k = pos; k < epos; ++k)
    if (sci[k] != '.') digits[nd++] = sci[k];
  int exp10 = 0;
  std::from_chars(sci.data() + epos + (sci[epos + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                  exp10);
  if (exp10 < -4 || exp10 >= 16) {
    out.push_back(digits[0]);
    if (nd > 1) {
      out.push_back('.');
      out.append(digits + 1, nd - 1);
    }
    out.push_back('e');
    out.push_back(exp10 < 0 ? '-' : '+');
    int a = exp10 < 0 ? -exp10 : exp10;
    if (a < 10) out.push_back('0');
    out.append(std::to_string(a));
    return;
  }
  if (exp10 < 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-exp10 - 1), '0');
    out.append(digits, nd);
    return;
  }
  size_t int_digits = static_cast<size_t>(exp10) + 1;
  if (nd <= int_digits) {
    out.append(digits, nd);
    out.append(int_digits - nd, '0');
    out.append(".0");
  } else {
    out.append(digits, int_digits);
    out.push_back('.');
    out.append(digits + int_digits, nd - int_digits);
  }
}

template <class Int>
void dump_int(std::string& out, Int v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

void dump_bigint_tag(std::string& out, std::string_view digits, const dump_options& opt, int level);

bool beyond_53_bits(const json& x) {
  if (x.is_number_integer() && !x.is_number_unsigned()) {
    auto v = x.get<int64_t>();
    return v > two_pow_53 || v < -two_pow_53;
  }
  if (x.is_number_unsigned()) return x.get<uint64_t>() > static_cast<uint64_t>(two_pow_53);
  return false;
}

void newline(std::string& out, const dump_options& opt, int level) {
  out.push_back('\n');
  out.append(static_cast<size_t>(opt.indent) * static_cast<size_t>(level), ' ');
}

void dump_value(std::string& out, const json& x, const dump_options& opt, int level) {
  switch (x.type()) {
  case json::value_t::null:
    out.append("null");
    return;
  case json::value_t::boolean:
    out.append(x.get<bool>() ? "true" : "false");
    return;
  case json::value_t::number_integer:
    if (opt.tag_bigints && beyond_53_bits(x)) {
      std::string digits;
      dump_int(digits, x.get<int64_t>());
      dump_bigint_tag(out, digits, opt, level);
    } else {
      dump_int(out, x.get<int64_t>());
    }
    return;
  case json::value_t::number_unsigned:
    if (opt.tag_bigints && beyond_53_bits(x)) {
      std::string digits;
      dump_int(digits, x.get<uint64_t>());
      dump_bigint_tag(out, digits, opt, level);
    } else {
      dump_int(out, x.get<uint64_t>());
    }
    return;
  case json::value_t::number_float:
    dump_double(out, x.get<double>());
    return;
  case json::value_t::string:
    dump_string(out, x.get_ref<const std::string&>(), opt.ensure_ascii);
    return;
  case json::value_t::array: {
    if (x.empty()) {
      out.append("[]");
      return;
    }
    out.push_back('[');
    bool first = true;
    for (const auto& item : x) {
      if (!first) out.append(opt.indent < 0 ? ", " : ",");
      first = false;
      if (opt.indent >= 0) newline(out, opt, level + 1);
      dump_value(out, item, opt, level + 1);
    }
    if (opt.indent >= 0) newline(out, opt, level);
    out.push_back(']');
    return;
  }
  case json::value_t::object: {
    if (x.empty()) {
      out.append("{}");
      return;
    }
    if (!opt.tag_bigints && is_tagged(x, "bigint") && x["__obj_data__"].is_string()) {
      // The file layout writes Python ints plain; this is the only exact form we hold.
      const auto& digits = x["__obj_data__"].get_ref<const std::string&>();
      bool ok = !digits.empty();
      for (size_t k = (digits[0] == '-' ? 1 : 0); ok && k < digits.size(); ++k)
        ok = digits[k] >= '0' && digits[k] <= '9';
      if (ok) {
        out.append(digits);
        return;
      }
    }
    out.push_back('{');
    bool first = true;
    auto member = [&](const std::string& name, const json& value) {
      if (!first) out.append(opt.indent < 0 ? ", " : ",");
      first = false;
      if (opt.indent >= 0) newline(out, opt, level + 1);
      dump_string(out, name, opt.ensure_ascii);
      out.append(": ");
      dump_value(out, value, opt, level + 1);
    };
    // AgentHeaven's transform builds {"__obj_type__": T, "__obj_data__": D} and json.dumps
    // keeps that order; only sort_keys (the canonical text) sorts it as our objects are held.
    auto type = x.find("__obj_type__");
    auto data = x.find("__obj_data__");
    if (!opt.sort_keys && x.size() == 2 && type != x.end() && data != x.end()) {
      member("__obj_type__", *type);
      member("__obj_data__", *data);
    } else {
      for (auto it = x.begin(); it != x.end(); ++it)
        member(it.key(), it.value());
    }
    if (opt.indent >= 0) newline(out, opt, level);
    out.push_back('}');
    return;
  }
  case json::value_t::binary:
  case json::value_t::discarded:
    throw cache_error(errc::invalid_argument, "binary or discarded JSON values have no text form");
  }
}

void dump_bigint_tag(std::string& out, std::string_view digits, const dump_options& opt,
                     int level) {
  // Written as Python writes it: type first, unless sort_keys (see the object case).
  json tag = json::object();
  tag["__obj_data__"] = std::string(digits);
  tag["__obj_type__"] = "bigint";
  dump_value(out, tag, opt, level);
}

// Finds the path of the first string (or key) that is not UTF-8, for error messages.
bool find_bad_utf8(const json& x, std::string& path) {
  if (x.is_string()) return !utf8_problem(x.get_ref<const std::string&>()).empty();
  if (x.is_array()) {
    for (size_t i = 0; i < x.size(); ++i) {
      auto len = path.size();
      path += "[" + std::to_string(i) + "]";
      if (find_bad_utf8(x[i], path)) return true;
      path.resize(len);
    }
  } else if (x.is_object()) {
    for (auto it = x.begin(); it != x.end(); ++it) {
      auto len = path.size();
      if (!utf8_problem(it.key()).empty()) {
        path += " (an object key)";
        return true;
      }
      path += "." + it.key();
      if (find_bad_utf8(it.value(), path)) return true;
      path.resize(len);
    }
  }
  return false;
}

template <class F>
void with_utf8_path(const json& x, F&& f) {
  try {
    f();
  } catch (const cache_error& e) {
    if (e.code() != errc::invalid_utf8) throw;
    std::string path = "$";
    if (find_bad_utf8(x, path)) throw cache_error(errc::invalid_utf8, e.message() + " at " + path);
    throw;
  }
}

// -- parsing ---------------------------------------------------------------------------------

// A strict recursive-descent parser for JSON as Python's json module reads and writes it:
// RFC 8259 plus NaN, Infinity and -Infinity. Integers prefer int64, then uint64; an integer too
// large for 64 bits becomes AgentHeaven's tagged bigint (exact digits). Strings must be UTF-8.
class parser {
public:
  parser(std::string_view text, std::string_view what) : s_(text), what_(what) {}

  json parse_document() {
    skip_ws();
    json v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

private:
  static constexpr int max_depth = 512;

  [[noreturn]] void fail(const std::string& why) const {
    throw cache_error(errc::invalid_json, std::string(what_) + ": malformed JSON at byte " +
                                              std::to_string(pos_) + ": " + why);
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }

  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  json parse_value(int depth) {
    if (pos_ >= s_.size()) fail("unexpected end of input, expected a value");
    if (depth > max_depth) fail("nesting deeper than " + std::to_string(max_depth));
    switch (s_[pos_]) {
    case '{':
      return parse_object(depth);
    case '[':
      return parse_array(depth);
    case '"':
      return json(parse_string());
    case 't':
      if (consume("true")) return json(true);
      break;
    case 'f':
      if (consume("false")) return json(false);
      break;
    case 'n':
      if (consume("null")) return json(nullptr);
      break;
    case 'N':
      if (consume("NaN")) return json(std::numeric_limits<double>::quiet_NaN());
      break;
    case 'I':
      if (consume("Infinity")) return json(std::numeric_limits<double>::infinity());
      break;
    default:
      if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return parse_number();
    }
    fail(std::string("unexpected character '") + s_[pos_] + "'");
  }

  json parse_object(int depth) {
    ++pos_; // '{'
    json obj = json::object();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return obj;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string key");
      std::string k = parse_string();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':' after an object key");
      ++pos_;
      skip_ws();
      obj[std::move(k)] = parse_value(depth + 1); // a repeated key: the last wins, as in Python
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return obj;
      }
      fail("expected ',' or '}' in an object");
    }
  }

  json parse_array(int depth) {
    ++pos_; // '['
    json arr = json::array();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    for (;;) {
      skip_ws();
      arr.push_back(parse_value(depth + 1));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      fail("expected ',' or ']' in an array");
    }
  }

  uint32_t parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        fail("invalid hex digit in a \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::string parse_string() {
    ++pos_; // '"'
    std::string out;
    size_t run = pos_;
    while (pos_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        out.append(s_.data() + run, pos_ - run);
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c >= 0x80) {
        uint32_t cp;
        size_t len = utf8_decode(s_, pos_, cp);
        if (len == 0) fail("invalid UTF-8 in a string");
        pos_ += len;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out.append(s_.data() + run, pos_ - run);
      if (++pos_ >= s_.size()) fail("truncated escape");
      char e = s_[pos_++];
      switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        uint32_t cp = parse_hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (s_.substr(pos_, 2) != "\\u") fail("a high surrogate without its low half");
          pos_ += 2;
          uint32_t lo = parse_hex4();
          if (lo < 0xDC00 || lo > 0xDFFF) fail("a high surrogate without its low half");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail("a lone low surrogate");
        }
        append_utf8(out, cp);
        break;
      }
      default:
        --pos_;
        fail(std::string("invalid escape '\\") + e + "'");
      }
      run = pos_;
    }
    fail("unterminated string");
  }

  json parse_number() {
    size_t start = pos_;
    bool negative = s_[pos_] == '-';
    if (negative) {
      ++pos_;
      if (consume("Infinity")) return json(-std::numeric_limits<double>::infinity());
    }
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
        ++pos_;
      return pos_ - from;
    };
    size_t int_start = pos_;
    if (digits() == 0) fail("expected digits");
    if (s_[int_start] == '0' && pos_ - int_start > 1) {
      pos_ = int_start + 1;
      fail("a number with a leading zero");
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) fail("expected digits after '.'");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) fail("expected digits in the exponent");
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (integral) {
      int64_t i;
      if (auto r = std::from_chars(first, last, i); r.ec == std::errc{} && r.ptr == last)
        return json(i);
      uint64_t u;
      if (!negative)
        if (auto r = std::from_chars(first, last, u); r.ec == std::errc{} && r.ptr == last)
          return json(u);
      json tag = json::object();
      tag["__obj_data__"] = std::string(first, last);
      tag["__obj_type__"] = "bigint";
      return tag;
    }
    double d;
    auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Python reads 1e999 as inf and 1e-999 as 0.0; do the same.
      d = std::strtod(std::string(first, last).c_str(), nullptr);
    } else if (r.ec != std::errc{} || r.ptr != last) {
      fail("unreadable number");
    }
    return json(d);
  }

  std::string_view s_;
  std::string_view what_;
  size_t pos_ = 0;
};

} // namespace

std::string utf8_problem(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len = utf8_decode(s, i, cp);
    if (len == 0) return "invalid UTF-8 at byte " + std::to_string(i);
    i += len;
  }
  return {};
}

void dump_python(std::string& out, const json& x, const dump_options& opt, int level) {
  with_utf8_path(x, [&] { dump_value(out, x, opt, level); });
}

void dump_python_string(std::string& out, std::string_view s, bool ensure_ascii) {
  dump_string(out, s, ensure_ascii);
}

std::string dumps_python(const json& x, const dump_options& opt) {
  std::string out;
  dump_python(out, x, opt);
  return out;
}

void dump_canonical(std::string& out, const json& x) {
  static const dump_options canonical_opts{true, false, -1, true};
  with_utf8_path(x, [&] { dump_value(out, x, canonical_opts, 0); });
}

std::string canonical(const json& x) {
  std::string out;
  dump_canonical(out, x);
  return out;
}

void dump_canonical_string(std::string& out, std::string_view s) {
  dump_string(out, s, false);
}

json parse_json(std::string_view text, std::string_view what) {
  return parser(text, what).parse_document();
}

bool is_tagged(const json& x, std::string_view type) {
  if (!x.is_object() || x.size() != 2) return false;
  auto t = x.find("__obj_type__");
  return t != x.end() && t->is_string() && t->get_ref<const std::string&>() == type &&
         x.contains("__obj_data__");
}

json untag(json x) {
  if (x.is_array()) {
    for (auto& item : x)
      item = untag(std::move(item));
    return x;
  }
  if (!x.is_object()) return x;
  if (is_tagged(x, "bigint") && x["__obj_data__"].is_string()) {
    const auto& s = x["__obj_data__"].get_ref<const std::string&>();
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (!s.empty() && s[0] == '-') {
      int64_t v;
      auto r = std::from_chars(first, last, v);
      if (r.ec == std::errc{} && r.ptr == last) return json(v);
    } else {
      uint64_t v;
      auto r = std::from_chars(first, last, v);
      if (r.ec == std::errc{} && r.ptr == last) return json(v);
    }
    return x;
  }
  if ((is_tagged(x, "tuple") || is_tagged(x, "set")) && x["__obj_data__"].is_array())
    return untag(std::move(x["__obj_data__"]));
  for (auto& [k, v] : x.items())
    v = untag(std::move(v));
  return x;
}

} // namespace ahvn
