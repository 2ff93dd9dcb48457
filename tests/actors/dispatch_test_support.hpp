#pragma once

// Helpers for the dispatcher tests: a thread-safe recorder that a test waits on (with a
// timeout, never a bare sleep), and a wait for a condition such as a log line.

#include "tests/support/log_capture.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ahvn::test {

/// Collects values from any thread; wait_for() blocks until enough arrived or the time is up.
template <class T>
class recorder {
public:
  void add(T x) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      items_.push_back(std::move(x));
    }
    cv_.notify_all();
  }

  /// True once at least `n` values arrived; false if `timeout` passed first.
  bool wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
  }

  std::vector<T> items() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return items_;
  }

  size_t size() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return items_.size();
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

/// Runs a function when the scope ends (also when a REQUIRE throws): tests use it to tell their
/// own actors to quit before the actor system waits for them.
class at_scope_end {
public:
  explicit at_scope_end(std::function<void()> f) : f_(std::move(f)) {}
  ~at_scope_end() { f_(); }
  at_scope_end(const at_scope_end&) = delete;
  at_scope_end& operator=(const at_scope_end&) = delete;

private:
  std::function<void()> f_;
};

/// True once `pred` holds (checked every few milliseconds); false if `timeout` passed first.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// The number of captured log lines that contain every one of `parts`.
inline size_t count_lines(const log_capture& logs, const std::vector<std::string>& parts) {
  size_t n = 0;
  for (const auto& line : logs.lines()) {
    bool all = true;
    for (const auto& p : parts)
      all = all && line.find(p) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

} // namespace ahvn::test
