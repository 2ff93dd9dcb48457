#pragma once

// Logging for the whole project: one place, so tests can capture what was reported and users can
// route it. By default messages go to spdlog's default logger (stderr).
//
// Thread safety: every function may be called from any thread.

#include <functional>
#include <string_view>

namespace ahvn::log {

enum class level { debug, info, warning, error };

/// Reports `message` at `lvl`. Never throws.
void write(level lvl, std::string_view message) noexcept;

inline void debug(std::string_view m) noexcept {
  write(level::debug, m);
}
inline void info(std::string_view m) noexcept {
  write(level::info, m);
}
inline void warning(std::string_view m) noexcept {
  write(level::warning, m);
}
inline void error(std::string_view m) noexcept {
  write(level::error, m);
}

/// Replaces where messages go; an empty function restores spdlog. Returns the previous sink.
using sink = std::function<void(level, std::string_view)>;
sink set_sink(sink s);

} // namespace ahvn::log
