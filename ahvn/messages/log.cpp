#include "ahvn/messages/log.hpp"

#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

namespace ahvn::log {

namespace {

std::mutex sink_mutex;
std::shared_ptr<const sink> current_sink;

} // namespace

void write(level lvl, std::string_view message) noexcept {
  try {
    std::shared_ptr<const sink> s;
    {
      std::lock_guard<std::mutex> guard(sink_mutex);
      s = current_sink;
    }
    if (s && *s) {
      (*s)(lvl, message);
      return;
    }
    switch (lvl) {
    case level::debug:
      spdlog::debug("{}", message);
      break;
    case level::info:
      spdlog::info("{}", message);
      break;
    case level::warning:
      spdlog::warn("{}", message);
      break;
    case level::error:
      spdlog::error("{}", message);
      break;
    }
  } catch (...) {
    // Logging must never take the program down.
  }
}

sink set_sink(sink s) {
  std::lock_guard<std::mutex> guard(sink_mutex);
  auto previous = current_sink ? *current_sink : sink{};
  current_sink = s ? std::make_shared<const sink>(std::move(s)) : nullptr;
  return previous;
}

} // namespace ahvn::log
