// quickstart: the guide's fibonacci memoized on a disk cache (LMDB), called from a plain thread
// and from inside a CAF actor, built against an installed ahvn-cache. A second run finds every
// value on disk and computes nothing.
//
//   quickstart [CACHE_DIR]   (default: ./quickstart-cache)

#include <cstdio>
#include <future>
#include <string>

#include <ahvn/cache.hpp>
#include <caf/event_based_actor.hpp>

int main(int argc, char** argv) {
  ahvn::disk_cache cache(argc > 1 ? argv[1] : "quickstart-cache");

  // A recursive function: each value is computed once, then read from the cache.
  int computed = 0;
  ahvn::memoized<long(int)> fibonacci;
  fibonacci = cache.memoize({.name = "fibonacci", .params = {"n"}}, [&](int n) -> long {
    ++computed;
    return n <= 1 ? n : fibonacci(n - 2) + fibonacci(n - 1);
  });
  long fib30 = fibonacci(30);
  std::printf("ahvn-cache %s: fibonacci(30) = %ld, computed %d values\n",
              std::string(ahvn::version()).c_str(), fib30, computed);

  // Inside an actor nothing blocks: a hit answers at once, a miss asks the cache's actor and the
  // function runs on this actor's thread.
  auto square = cache.memoize({.name = "square", .params = {"x"}}, [](int x) { return x * x; });
  std::promise<int> answer;
  cache.system().spawn([&](caf::event_based_actor* self) {
    square.request(self, 12).then([&](int v) { answer.set_value(v); },
                                  [&](const caf::error&) { answer.set_value(-1); });
  });
  int square12 = answer.get_future().get();
  std::printf("square(12) inside an actor = %d\n", square12);

  bool ok = fib30 == 832040 && square12 == 144 && cache.exists("fibonacci", {{"n", 30}});
  std::printf("%s\n", ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
