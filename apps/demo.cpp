// demo: the main job — a slow function and a recursive one memoized on the embedded default
// cache (LMDB in ./demo-cache), showing cold versus warm times and the cache's counters. A second
// run starts warm from disk. --cache takes any cache URL (mem:, json:DIR, sqlite:FILE, ...).

#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/version.hpp"

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

void report(const char* what, double cold_ms, double warm_ms) {
  std::cout << std::left << std::setw(34) << what << std::right << std::fixed
            << std::setprecision(3) << "cold " << std::setw(10) << cold_ms << " ms   warm "
            << std::setw(8) << warm_ms << " ms\n";
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"demo: memoize a slow function and a recursive one, cold then warm", "ahvn-demo"};
  app.set_version_flag("--version", std::string(ahvn::version()), "print the version and exit");
  int delay_ms = 100;
  int fib_n = 90;
  std::string url = "lmdb:demo-cache";
  app.add_option("--cache", url, "the cache URL")->capture_default_str();
  app.add_option("--delay-ms", delay_ms, "how long the slow function takes per call")
      ->capture_default_str();
  app.add_option("--fib", fib_n, "which Fibonacci number to compute")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  ahvn::cache cache = [&] {
    try {
      return ahvn::open_cache(url);
    } catch (const ahvn::cache_error& e) {
      std::cerr << "demo: " << e.what() << '\n';
      std::exit(2);
    }
  }();
  std::cout << "cache: " << url << " (" << cache.size() << " entries at start)\n";

  // A slow function: stands in for an LLM or remote API call.
  int api_calls = 0;
  auto ask =
      cache.memoize({.name = "ask", .params = {"question", "temperature"}},
                    [&](const std::string& question, double temperature) {
                      ++api_calls;
                      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
                      return "answer to '" + question + "' at t=" + std::to_string(temperature);
                    });
  // A recursive function: each value computed once, then every call is a hit.
  ahvn::memoized<unsigned long long(int)> fibonacci;
  fibonacci =
      cache.memoize({.name = "fibonacci", .params = {"n"}}, [&](int n) -> unsigned long long {
        return n <= 1 ? n : fibonacci(n - 2) + fibonacci(n - 1);
      });

  std::vector<std::string> questions = {"What is Python?", "What is an actor?",
                                        "Why cache LLM calls?", "What is LMDB?"};
  double cold = 0, warm = 0;
  for (int round = 0; round < 2; ++round) {
    auto start = clock_type::now();
    for (const auto& q : questions)
      ask(q, 0.0);
    (round == 0 ? cold : warm) = ms_since(start);
  }
  report("slow function, 4 questions:", cold, warm);

  auto start = clock_type::now();
  auto value = fibonacci(fib_n);
  cold = ms_since(start);
  start = clock_type::now();
  fibonacci(fib_n);
  warm = ms_since(start);
  report(("fibonacci(" + std::to_string(fib_n) + "):").c_str(), cold, warm);
  std::cout << "fibonacci(" << fib_n << ") = " << value << "\n";
  std::cout << "slow function ran " << api_calls << " times for " << 2 * questions.size()
            << " calls\n";

  auto stats = cache.stats();
  std::cout << "counters: " << stats.hits << " hits, " << stats.misses << " misses, " << stats.sets
            << " sets, " << stats.entries << " entries, " << stats.errors << " errors\n";
  return 0;
}
