// Several processes share one json_store directory: two json_writer processes write
// overlapping keys at once while this process reads.

#include "ahvn/backends/json_store.hpp"
#include "tests/backends/json_store_test_support.hpp"
#include "tests/support/command.hpp"
#include "tests/support/entries.hpp"
#include "tests/support/files.hpp"

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#ifndef AHVN_JSON_WRITER
#error "AHVN_JSON_WRITER must name the json_writer executable"
#endif

namespace ahvn::test {
namespace {

TEST_CASE("json_store: two processes writing the same keys at once lose no acknowledged write",
          "[json_store][processes]") {
  temp_dir data("json-procs"), sync("json-procs-go");
  const std::string go = sync.file("go");
  // Writer A owns keys 0..149, writer B 75..224: keys 75..149 are written by both, each time.
  constexpr int rounds = 4;
  auto writer = [&](int first, int count, const char* tag) {
    return std::string(AHVN_JSON_WRITER) + " " + shell_quote(data.path().string()) + " " +
           std::to_string(first) + " " + std::to_string(count) + " " + std::to_string(rounds) +
           " " + tag + " " + shell_quote(go) + " 2>&1";
  };
  started_command a(writer(0, 150, "A"));
  started_command b(writer(75, 150, "B"));

  // While they write, this process reads: every entry it finds must be whole.
  json_store observer(data.path().string(), {.durable = false});
  std::atomic<bool> done{false};
  std::atomic<long> found{0}, bad{0};
  log_capture log;
  std::thread reader([&] {
    while (!done) {
      for (int i = 0; i < 225 && !done; i += 7) {
        auto e = observer.get(make_entry(i).k);
        if (!e) continue;
        ++found;
        if (!e->output || !e->output->is_object() || !e->output->contains("writer") ||
            (*e->output)["pad"].get<std::string>().size() != static_cast<size_t>(9000 + i))
          ++bad;
      }
      auto page = observer.scan({.after = std::nullopt, .limit = 16, .func = ""});
      for (auto& e : page.entries)
        if (e.entry->key() != e.k) ++bad;
    }
  });
  std::ofstream(go) << "go";
  auto ra = a.finish();
  auto rb = b.finish();
  done = true;
  reader.join();

  INFO("writer A: " << ra.output);
  INFO("writer B: " << rb.output);
  REQUIRE(ra.exit_code == 0);
  REQUIRE(rb.exit_code == 0);
  CHECK(ra.output == "acknowledged 600\n");
  CHECK(rb.output == "acknowledged 600\n");
  CHECK(found > 0);
  CHECK(bad == 0);
  CHECK(observer.counters().errors == 0);
  CHECK(log.lines().empty());

  // Every acknowledged write is there: each key holds one writer's last round, whole.
  json_store after(data.path().string());
  CHECK(after.size() == 225);
  for (int i = 0; i < 225; ++i) {
    INFO("key of i = " << i);
    auto e = after.get(make_entry(i).k);
    REQUIRE(e != nullptr);
    REQUIRE(e->output.has_value());
    auto writer_tag = (*e->output)["writer"].get<std::string>();
    if (i < 75)
      CHECK(writer_tag == "A");
    else if (i >= 150)
      CHECK(writer_tag == "B");
    else
      CHECK((writer_tag == "A" || writer_tag == "B"));
    CHECK((*e->output)["round"] == rounds - 1);
    CHECK((*e->output)["pad"].get<std::string>().size() == static_cast<size_t>(9000 + i));
  }
  CHECK(after.counters().errors == 0);
  // No temporary file is left behind.
  CHECK(all_file_names(data) == entry_file_names(data));
}

} // namespace
} // namespace ahvn::test
