#include "ahvn/messages/clock.hpp"

namespace ahvn {

clock::~clock() = default;

namespace {

class system_clock_impl final : public clock {
public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

} // namespace

std::shared_ptr<clock> clock::system() {
  static const auto instance = std::make_shared<system_clock_impl>();
  return instance;
}

manual_clock::manual_clock(time_point start)
    : ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()) {}

time_point manual_clock::now() const {
  return time_point{std::chrono::duration_cast<time_point::duration>(
      std::chrono::nanoseconds(ns_.load(std::memory_order_acquire)))};
}

void manual_clock::advance(std::chrono::nanoseconds d) {
  ns_.fetch_add(d.count(), std::memory_order_acq_rel);
}

void manual_clock::set(time_point t) {
  ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(),
            std::memory_order_release);
}

} // namespace ahvn
