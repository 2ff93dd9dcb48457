#include "ahvn/actors/client/miss_path.hpp"

namespace ahvn::detail {

void lead::complete(json output) noexcept {
  if (settled_) return;
  settled_ = true;
  auto& c = *spec_->cache;
  entry_ptr e;
  try {
    e = spec_->make_entry(std::move(inputs_), std::move(output));
  } catch (const std::exception& ex) {
    // The value cannot be stored (a string that is not UTF-8): waiters compute their own.
    c.count_error("set " + k_.to_string() + " of '" + spec_->name + "': " + ex.what());
    c.flights().release(f_);
    c.abandon(k_, lease_, nullptr);
    return;
  }
  if (!c.traits().writes) {
    c.flights().finish(f_, std::move(e), false);
    c.count_set();
    return;
  }
  bool keep = c.traits().keeps;
  c.flights().finish(f_, e, keep, replaces_);
  c.write({k_, std::move(e)}, lease_, keep ? f_ : nullptr,
          may_block_ && c.traits().wait_for_writes);
}

void lead::fail(std::exception_ptr error) noexcept {
  if (settled_) return;
  settled_ = true;
  auto& c = *spec_->cache;
  c.flights().fail(f_, error);
  c.abandon(k_, lease_, error);
}

void lead::release() noexcept {
  if (settled_) return;
  settled_ = true;
  auto& c = *spec_->cache;
  c.flights().release(f_);
  c.abandon(k_, lease_, nullptr);
}

} // namespace ahvn::detail
