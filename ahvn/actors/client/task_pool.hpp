#pragma once

// task_pool: the bounded set of threads on which memoized::async, memoized_future and
// memoized_reply::async compute their misses (a hit never reaches it). One pool per process,
// started on first use and joined at exit; its size is async_threads() (default: 4 per core, at
// least 8 — memoized functions usually wait on I/O), set by configure_async_threads()
// (actors/system.hpp) before its first use.
//
// A task submitted from one of the pool's own threads runs at once on that thread: a memoized
// function that calls another one asynchronously and waits for it can never exhaust the pool.
//
// Concurrency: submit() may be called from any thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ahvn::detail {

class task_pool {
public:
  explicit task_pool(size_t threads);
  /// Runs the tasks still queued, then joins the threads.
  ~task_pool();
  task_pool(const task_pool&) = delete;
  task_pool& operator=(const task_pool&) = delete;

  /// Runs `task` on a pool thread (at once if called from one). `task` must not throw.
  void submit(std::function<void()> task);

  /// True on one of this pool's threads.
  bool on_pool_thread() const;

  /// The process's pool.
  static task_pool& shared();
  /// Sets the size of the process's pool; false if it has started already.
  static bool configure(size_t threads);

private:
  void run();

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace ahvn::detail
