// json_writer: a second process for the json_store multi-process test. Writes entries
// make_entry(i) for i in [first, first + count), `rounds` times over, with the output
// {"writer": tag, "round": r, "pad": ...}, after waiting for `go_file` to exist so that several
// writers start together. Prints "acknowledged N" and exits 0, or prints the error and exits 1.
//
// usage: json_writer DIR FIRST COUNT ROUNDS TAG GO_FILE

#include "ahvn/backends/json_store.hpp"
#include "tests/support/entries.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: json_writer DIR FIRST COUNT ROUNDS TAG GO_FILE\n");
    return 2;
  }
  try {
    ahvn::json_store store(argv[1]);
    int first = std::atoi(argv[2]), count = std::atoi(argv[3]), rounds = std::atoi(argv[4]);
    std::string tag = argv[5];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(argv[6])) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "json_writer: %s never appeared\n", argv[6]);
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    long acknowledged = 0;
    for (int r = 0; r < rounds; ++r)
      for (int i = first; i < first + count; ++i) {
        // The padding makes files span several writes, so a torn file could be seen.
        ahvn::json out = {{"writer", tag}, {"round", r}, {"pad", std::string(9000 + i, 'p')}};
        auto e = ahvn::test::make_entry(i, out);
        store.put(e.k, e.entry);
        ++acknowledged;
      }
    std::printf("acknowledged %ld\n", acknowledged);
    return 0;
  } catch (const std::exception& e) {
    std::printf("json_writer: %s\n", e.what());
    return 1;
  }
}
