#pragma once

// log_capture: collects what the project reports (messages/log.hpp) while it lives, so a test
// can assert that a problem was reported and what the report says.

#include "ahvn/messages/log.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace ahvn::test {

class log_capture {
public:
  /// Routes every report (any level, any thread) here until destruction.
  log_capture() {
    previous_ = log::set_sink([this](log::level, std::string_view message) {
      std::lock_guard<std::mutex> guard(mutex_);
      lines_.emplace_back(message);
    });
  }
  ~log_capture() { log::set_sink(std::move(previous_)); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  /// The reports so far, oldest first.
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return lines_;
  }

  void clear() {
    std::lock_guard<std::mutex> guard(mutex_);
    lines_.clear();
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  log::sink previous_;
};

} // namespace ahvn::test
