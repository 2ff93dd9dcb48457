// lmdb_writer: the second (and third) process of lmdb_store_test's multi-process case.
//
//   lmdb_writer DIR ID COUNT
//
// Writes COUNT entries of func "w<ID>" (inputs {"i": i}) into the LMDB store at DIR, mostly one
// put at a time and every tenth step a put_many of ten, and overwrites the keys of func "shared"
// that every writer shares. After the last acknowledged write it prints "acked N" and exits 0;
// any error is printed and exits 1.

#include "ahvn/backends/lmdb_store.hpp"
#include "tests/backends/lmdb_test_entries.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lmdb_writer DIR ID COUNT\n");
    return 2;
  }
  try {
    std::string dir = argv[1];
    int id = std::atoi(argv[2]);
    int count = std::atoi(argv[3]);
    ahvn::lmdb_options options;
    options.initial_map_size = 256 << 10; // tiny: both writers grow the map while the other runs
    options.durable = false;
    ahvn::lmdb_store store(dir, options);
    std::string func = "w" + std::to_string(id);
    int acked = 0;
    for (int i = 0; i < count;) {
      if (i % 100 == 90 && i + 10 <= count) {
        std::vector<ahvn::keyed_entry> batch;
        for (int j = 0; j < 10; ++j)
          batch.push_back(ahvn::test::checked_entry(func, i + j, id, 200 + (i + j) % 700));
        store.put_many(batch);
        i += 10;
        acked += 10;
      } else {
        auto e = ahvn::test::checked_entry(func, i, id, 200 + i % 700);
        store.put(e.k, e.entry);
        ++i;
        ++acked;
      }
      if (i % 7 == 0) {
        auto shared = ahvn::test::checked_entry("shared", i % 50, id, 100 + i % 300);
        store.put(shared.k, shared.entry);
      }
    }
    store.flush();
    std::printf("acked %d\n", acked);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmdb_writer: %s\n", e.what());
    return 1;
  }
}
