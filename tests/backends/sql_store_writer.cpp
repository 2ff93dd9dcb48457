// sql_store_writer DB_FILE WRITER_ID COUNT: writes COUNT entries of its own (func "w", inputs
// {"writer", "i"}) one put at a time, and after every tenth a put_many of five entries every
// writer shares (func "shared"), into the SQLite file DB_FILE. For the two-process test: exits 0
// only when every write was acknowledged.

#include "ahvn/backends/sql_store.hpp"

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  using namespace ahvn;
  if (argc != 4) {
    std::fprintf(stderr, "usage: sql_store_writer DB_FILE WRITER_ID COUNT\n");
    return 2;
  }
  try {
    int writer = std::stoi(argv[2]);
    int count = std::stoi(argv[3]);
    sql_store s({.provider = "sqlite", .database = argv[1]});
    for (int i = 0; i < count; ++i) {
      auto e = std::make_shared<cache_entry>(cache_entry::from_args(
          "w", json{{"writer", writer}, {"i", i}}, json{{"writer", writer}, {"i", i}}));
      s.put(e->key(), e);
      if (i % 10 == 9) {
        std::vector<keyed_entry> shared;
        for (int j = 0; j < 5; ++j) {
          auto x = std::make_shared<cache_entry>(
              cache_entry::from_args("shared", json{{"j", j}}, json{{"writer", writer}, {"i", i}}));
          shared.push_back({x->key(), x});
        }
        s.put_many(shared);
      }
    }
    std::printf("writer %d: %d entries written\n", writer, count);
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "writer failed: %s\n", ex.what());
    return 1;
  }
}
