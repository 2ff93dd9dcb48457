// The JSON-directory store: the conformance suite, then what is particular to it — the
// AgentHeaven file layout, persistence, unreadable files, OS errors and concurrent readers.

#include "ahvn/backends/json_store.hpp"
#include "ahvn/messages/log.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

namespace ahvn::test {

struct json_store_factory {
  static constexpr const char* name = "json";
  static constexpr bool keeps_entries = true;
  temp_dir dir{"json-store"};
  std::unique_ptr<store> open() { return std::make_unique<json_store>(dir.path().string()); }
  std::unique_ptr<store> reopen() { return open(); }
};

struct json_store_not_durable_factory {
  static constexpr const char* name = "json, not durable";
  static constexpr bool keeps_entries = true;
  temp_dir dir{"json-store"};
  std::unique_ptr<store> open() {
    return std::make_unique<json_store>(dir.path().string(), json_store_options{.durable = false});
  }
  std::unique_ptr<store> reopen() { return open(); }
};

} // namespace ahvn::test

#define AHVN_STORE_FACTORIES                                                                       \
  ahvn::test::json_store_factory, ahvn::test::json_store_not_durable_factory
#include "tests/backends/json_store_test_support.hpp"
#include "tests/backends/store_conformance.hpp"

namespace ahvn::test {
namespace {

TEST_CASE("json_store: entries survive reopening the directory", "[json_store]") {
  temp_dir dir("json-store");
  std::vector<keyed_entry> stored;
  {
    json_store s(dir.path().string());
    for (int i = 0; i < 40; ++i)
      stored.push_back(make_entry(i, json{{"n", i}, {"text", "☃ " + std::to_string(i)}}));
    auto annotated = std::make_shared<cache_entry>(cache_entry::from_args(
        "g", json{{"q", "why?"}}, json("no"), json("yes"), json{{"annotation", "by hand"}}));
    stored.push_back({annotated->key(), annotated});
    s.put_many(stored);
    CHECK(s.remove(stored[0].k));
  }
  json_store s(dir.path().string());
  CHECK(s.url() == "json:" + dir.path().string());
  CHECK(s.size() == stored.size() - 1);
  CHECK(s.get(stored[0].k) == nullptr);
  for (size_t i = 1; i < stored.size(); ++i) {
    auto got = s.get(stored[i].k);
    REQUIRE(got != nullptr);
    CHECK(*got == *stored[i].entry);
  }
  auto page = s.scan({.after = std::nullopt, .limit = 1000, .func = ""});
  CHECK(page.entries.size() == stored.size() - 1);
  CHECK_FALSE(page.more);
  CHECK(s.counters().errors == 0);
}

TEST_CASE("json_store: one file per entry, named and written byte for byte as AgentHeaven does",
          "[json_store]") {
  temp_dir dir("json-store");
  json_store s(dir.path().string());
  // The same texts Python prints: json.dumps(entry_dict, indent=4, ensure_ascii=False).
  auto add = std::make_shared<cache_entry>(
      cache_entry::from_args("add", json{{"y", 10}, {"x", 5}}, json(15)));
  s.put(add->key(), add);
  CHECK(entry_file_names(dir) ==
        std::vector<std::string>{"0006452910756379405413525593858603593943.json"});
  CHECK(read_file(dir.file("0006452910756379405413525593858603593943.json")) ==
        "{\n"
        "    \"func\": \"add\",\n"
        "    \"inputs\": {\n"
        "        \"x\": 5,\n"
        "        \"y\": 10\n"
        "    },\n"
        "    \"output\": 15,\n"
        "    \"metadata\": {}\n"
        "}");

  auto annotated = std::make_shared<cache_entry>(cache_entry::from_args(
      "classify", json{{"text", "great movie ☃"}}, json("negative"), json("positive"),
      json{{"annotation", {{"by", "reviewer ☃"}, {"when", 1700000000}}},
           {"score", {0.5, -0.0, 2.0, 1e16}}}));
  s.put(annotated->key(), annotated);
  CHECK(annotated->key().to_padded() == "0173464261099587608740505902817320597719");
  CHECK(read_file(dir.file("0173464261099587608740505902817320597719.json")) ==
        "{\n"
        "    \"func\": \"classify\",\n"
        "    \"inputs\": {\n"
        "        \"text\": \"great movie ☃\"\n"
        "    },\n"
        "    \"output\": \"negative\",\n"
        "    \"expected\": \"positive\",\n"
        "    \"metadata\": {\n"
        "        \"annotation\": {\n"
        "            \"by\": \"reviewer ☃\",\n"
        "            \"when\": 1700000000\n"
        "        },\n"
        "        \"score\": [\n"
        "            0.5,\n"
        "            -0.0,\n"
        "            2.0,\n"
        "            1e+16\n"
        "        ]\n"
        "    }\n"
        "}");
  // Nothing else is left in the directory: no temporary files.
  CHECK(all_file_names(dir).size() == 2);
}

TEST_CASE("json_store: unreadable files are reported with their path, missed, skipped and counted",
          "[json_store]") {
  temp_dir dir("json-store");
  json_store s(dir.path().string());
  std::vector<keyed_entry> good = {make_entry(1), make_entry(2), make_entry(3)};
  s.put_many(good);
  auto text = to_python_file_json(*make_entry(104).entry);
  struct bad_file {
    keyed_entry slot; // its name is this entry's
    std::string content;
    std::string problem; // part of the report
  };
  std::vector<bad_file> bad = {
      {make_entry(101), "{\"func\": \"f\", \"inputs\": {\"i\": 101}, \"output\": oops}",
       "malformed"},
      {make_entry(102), text.substr(0, text.size() / 2), "malformed"},
      {make_entry(103), "{\"func\": \"f\", \"inputs\": [1, 2], \"output\": 1, \"metadata\": {}}",
       "inputs"},
      {make_entry(104), "", "malformed"},
      {make_entry(105), "{\"func\": 7, \"inputs\": {}}", "func"},
      {make_entry(106), "[1, 2, 3]", "object"},
      {make_entry(107), "{\"func\": \"f\", \"inputs\": {\"s\": \"\xff\xfe\"}}", "malformed"},
  };
  for (const auto& b : bad)
    write_file(dir.file(b.slot.k.to_padded() + ".json"), b.content);
  log_capture log;

  uint64_t errors = 0;
  for (const auto& b : bad) {
    auto path = dir.file(b.slot.k.to_padded() + ".json");
    INFO(path);
    log.clear();
    CHECK(s.get(b.slot.k) == nullptr);
    CHECK_FALSE(s.contains(b.slot.k));
    errors += 2;
    CHECK(s.counters().errors == errors);
    auto lines = log.lines();
    REQUIRE(lines.size() == 2);
    CHECK_THAT(lines[0], Catch::Contains(path) && Catch::Contains(b.problem));
  }
  // The good entries are unaffected; a scan returns exactly them and reports the rest.
  for (const auto& g : good) {
    auto got = s.get(g.k);
    REQUIRE(got != nullptr);
    CHECK(*got == *g.entry);
  }
  log.clear();
  auto page = s.scan({.after = std::nullopt, .limit = 100, .func = ""});
  CHECK_FALSE(page.more);
  std::vector<key> seen;
  for (auto& e : page.entries)
    seen.push_back(e.k);
  std::vector<key> want = {good[0].k, good[1].k, good[2].k};
  std::sort(want.begin(), want.end());
  CHECK(seen == want);
  CHECK(log.lines().size() == bad.size());
  CHECK(s.counters().errors == errors + bad.size());
  // They are still entry files: counted by size(), removed by clear().
  CHECK(s.size() == good.size() + bad.size());
  CHECK(s.remove(bad[0].slot.k));
  CHECK(s.clear() == good.size() + bad.size() - 1);
  CHECK(entry_file_names(dir).empty());
}

TEST_CASE("json_store: a file whose contents have another key is served under its name, "
          "reported once",
          "[json_store]") {
  temp_dir dir("json-store");
  json_store s(dir.path().string());
  auto named = make_entry(2);
  auto content = make_entry(1, "moved");
  write_file(dir.file(named.k.to_padded() + ".json"), to_python_file_json(*content.entry));
  log_capture log;
  for (int i = 0; i < 3; ++i) {
    auto got = s.get(named.k);
    REQUIRE(got != nullptr);
    CHECK(*got == *content.entry);
  }
  auto page = s.scan({});
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].k == named.k);
  auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains(named.k.to_padded() + ".json") &&
                           Catch::Contains(content.k.to_padded()));
  CHECK(s.counters().errors == 0);
}

TEST_CASE("json_store: foreign and temporary files are left alone", "[json_store]") {
  temp_dir dir("json-store");
  json_store s(dir.path().string());
  auto e = make_entry(1);
  std::vector<std::string> foreign = {"README.txt",
                                      "123.json",
                                      "." + e.k.to_padded() + ".json.tmp-99999-0000000000000000-0",
                                      e.k.to_padded() + ".json.bak",
                                      "9" + std::string(39, '9') + ".json", // beyond 2^128
                                      std::string(40, '0') + ".JSON"};
  for (const auto& f : foreign)
    write_file(dir.file(f), "not an entry");
  s.put(e.k, e.entry);
  CHECK(s.size() == 1);
  auto page = s.scan({});
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].k == e.k);
  CHECK(s.clear() == 1);
  for (const auto& f : foreign)
    CHECK(std::filesystem::exists(dir.file(f)));
  CHECK(s.counters().errors == 0);
}

TEST_CASE("json_store: OS errors name the store, the operation and the file", "[json_store]") {
  temp_dir dir("json-store");

  SECTION("a directory that cannot be created") {
    write_file(dir.file("plain"), "a file, not a directory");
    auto where = dir.file("plain") + "/sub";
    CHECK_THROWS_MATCHES(json_store(where), cache_error,
                         backend_failure_naming("json:" + where + ": create directory " + where));
    CHECK_THROWS_MATCHES(json_store(dir.file("plain")), cache_error,
                         backend_failure_naming("json:" + dir.file("plain") +
                                                ": create directory " + dir.file("plain") +
                                                ": Not a directory"));
  }

  SECTION("a failed rename leaves no temporary file and the old state readable") {
    json_store s(dir.path().string());
    auto e = make_entry(1);
    auto blocked = dir.file(e.k.to_padded() + ".json");
    std::filesystem::create_directory(blocked);
    write_file(blocked + "/inside", "x");
    CHECK_THROWS_MATCHES(s.put(e.k, e.entry), cache_error,
                         backend_failure_naming("json:" + dir.path().string() + ": rename "));
    CHECK(all_file_names(dir) == std::vector<std::string>{e.k.to_padded() + ".json"});
    log_capture log;
    CHECK(s.get(e.k) == nullptr);
    REQUIRE(log.lines().size() == 1);
    CHECK_THAT(log.lines()[0], Catch::Contains(blocked) && Catch::Contains("not a regular file"));
    CHECK(s.size() == 0); // a directory is not an entry
  }

  SECTION("a directory removed under the store") {
    auto sub = dir.file("sub");
    json_store s(sub);
    auto e = make_entry(1);
    s.put(e.k, e.entry);
    std::filesystem::remove_all(sub);
    CHECK(s.get(e.k) == nullptr); // a miss, not an error
    CHECK_FALSE(s.remove(e.k));
    CHECK_THROWS_MATCHES(s.put(e.k, e.entry), cache_error,
                         backend_failure_naming("json:" + sub + ": create " + sub + "/."));
    CHECK_THROWS_MATCHES(
        s.size(), cache_error,
        backend_failure_naming("json:" + sub + ": list " + sub + ": No such file"));
  }

  SECTION("an entry that is not UTF-8 is refused before any file is written") {
    json_store s(dir.path().string());
    auto e = std::make_shared<cache_entry>();
    e->func = "f";
    e->inputs = json{{"s", "ok"}};
    auto k = e->key();
    e->output = json("\xff bad");
    CHECK_THROWS_AS(s.put(k, e), cache_error);
    CHECK(all_file_names(dir).empty());
  }
}

TEST_CASE("json_store: a reader on another thread sees whole entries while the owner writes",
          "[json_store]") {
  temp_dir dir("json-store");
  json_store s(dir.path().string(), {.durable = false});
  auto reader = s.reader();
  REQUIRE(reader != nullptr);
  std::vector<json> versions = {json{{"v", "a"}, {"pad", std::string(20000, 'a')}},
                                json{{"v", "b"}, {"pad", std::string(30000, 'b')}}};
  auto k = make_entry(1).k;
  s.put(k, make_entry(1, versions[0]).entry);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread t([&] {
    while (!done) {
      bool found = reader->read_value(k, clock::system()->now(), [&](const json& v) {
        if (v != versions[0] && v != versions[1]) ++torn;
      });
      if (!found) ++torn;
      ++reads;
    }
  });
  for (int i = 0; i < 400; ++i)
    s.put(k, make_entry(1, versions[i % 2]).entry);
  s.flush();
  done = true;
  t.join();
  CHECK(reads > 0);
  CHECK(torn == 0);
  CHECK(s.counters().errors == 0);
}

TEST_CASE("json_store: without durable, flush syncs whatever was written", "[json_store]") {
  temp_dir dir("json-store");
  {
    json_store s(dir.path().string(), {.durable = false});
    std::vector<keyed_entry> batch;
    for (int i = 0; i < 4200; ++i) // more than the store tracks one by one
      batch.push_back(make_entry(i));
    s.put_many(batch);
    s.flush();
    auto e = make_entry(5000);
    s.put(e.k, e.entry);
    CHECK(s.remove(make_entry(0).k));
    s.flush();
    s.flush();
  }
  json_store s(dir.path().string());
  CHECK(s.size() == 4200);
  CHECK(s.get(make_entry(4199).k) != nullptr);
  CHECK(s.get(make_entry(0).k) == nullptr);
}

} // namespace
} // namespace ahvn::test
