#pragma once

// clock: where caches read the time, so that tests can control it (TTL expiry) instead of
// sleeping. The default is the system clock.
//
// Thread safety: now() may be called from any thread; manual_clock's setters too.

#include <atomic>
#include <chrono>
#include <memory>

namespace ahvn {

using time_point = std::chrono::system_clock::time_point;

class clock {
public:
  virtual ~clock();
  virtual time_point now() const = 0;

  /// The system clock (shared, never null).
  static std::shared_ptr<clock> system();
};

/// A clock that moves only when told to. Starts at `start`.
class manual_clock final : public clock {
public:
  explicit manual_clock(time_point start = time_point{std::chrono::seconds(1700000000)});
  time_point now() const override;
  void advance(std::chrono::nanoseconds d);
  void set(time_point t);

private:
  std::atomic<int64_t> ns_;
};

/// Milliseconds since the Unix epoch.
inline int64_t unix_ms(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace ahvn
