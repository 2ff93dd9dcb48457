#include "ahvn/actors/client/task_pool.hpp"

#include <algorithm>

namespace ahvn::detail {

namespace {

thread_local const task_pool* current_pool = nullptr;

std::mutex config_mutex;
size_t configured_threads = 0;
bool pool_started = false;

} // namespace

task_pool::task_pool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

task_pool::~task_pool() {
  {
    std::lock_guard<std::mutex> guard(m_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool task_pool::on_pool_thread() const {
  return current_pool == this;
}

void task_pool::submit(std::function<void()> task) {
  if (on_pool_thread()) {
    task();
    return;
  }
  {
    std::lock_guard<std::mutex> guard(m_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void task_pool::run() {
  current_pool = this;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return; // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

bool task_pool::configure(size_t threads) {
  std::lock_guard<std::mutex> guard(config_mutex);
  if (pool_started) return false;
  configured_threads = threads;
  return true;
}

task_pool& task_pool::shared() {
  static task_pool pool([] {
    std::lock_guard<std::mutex> guard(config_mutex);
    pool_started = true;
    if (configured_threads > 0) return configured_threads;
    return std::max<size_t>(8, 4 * std::thread::hardware_concurrency());
  }());
  return pool;
}

} // namespace ahvn::detail
