// cachectl as a user runs it: every command on json:, lmdb: and sqlite: caches (one process per
// command, so every result went through the store), keys against Python's, exit statuses and
// the messages for bad input and broken stores. (export/import: cachectl_transfer_test.cpp.)

#include "ahvn/messages/key.hpp"
#include "tests/apps/cachectl_runner.hpp"

#include <algorithm>
#include <filesystem>

#include <catch2/catch.hpp>

namespace ahvn::test {
namespace {

const std::string add_key = "0006452910756379405413525593858603593943";
const std::string add_key_decimal = "6452910756379405413525593858603593943";
const std::string add_inputs = R"({"y": 10, "x": 5})";

std::string padded_key(const std::string& func, const std::string& inputs) {
  return compute_key(func, parse_json(inputs, "test inputs")).to_padded();
}

// Runs set, get, show, ls, annotate, rm, stats and clear against `url`, each in its own process.
void check_every_command(const std::string& url) {
  cachectl_runner ctl;

  // set prints the 40-digit key; what it stored is what get, show and ls read back.
  auto r = ctl({url, "set", "add", add_inputs, "15"});
  REQUIRE(r.status == 0);
  CHECK(r.out == add_key + "\n");
  REQUIRE(ctl({url, "set", "greet", R"({"name": "é☃"})", R"("héllo\tworld")", "--expected",
               R"("hi")", "--metadata", R"({"lang": "fr"})"})
              .status == 0);
  REQUIRE(ctl({url, "set", "nothing", R"({"n": 1})", "null"}).status == 0);
  REQUIRE(ctl({url, "set", "neg", R"({"n": 2})", "-5"}).status == 0); // a negative JSON number

  CHECK(ctl({url, "get", "add", R"({"x": 5, "y": 10})"}).out == "15\n");
  CHECK(ctl({url, "get", "greet", R"({"name": "é☃"})"}).out == "\"hi\"\n"); // expected wins
  r = ctl({url, "get", "nothing", R"({"n": 1})"});
  CHECK(r.status == 0); // a stored null is a value, not a miss
  CHECK(r.out == "null\n");
  CHECK(ctl({url, "get", "neg", R"({"n": 2})"}).out == "-5\n");

  // show: the entry dict as AgentHeaven's JSON file holds it, by decimal or 40-digit key.
  const std::string add_file = "{\n    \"func\": \"add\",\n    \"inputs\": {\n        \"x\": 5,\n"
                               "        \"y\": 10\n    },\n    \"output\": 15,\n"
                               "    \"metadata\": {}\n}\n";
  CHECK(ctl({url, "show", add_key_decimal}).out == add_file);
  CHECK(ctl({url, "show", add_key}).out == add_file);
  auto shown = json_lines(ctl({url, "show", add_key, "--json"}).out);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0] == json{{"key", add_key},
                         {"func", "add"},
                         {"inputs", {{"x", 5}, {"y", 10}}},
                         {"output", 15},
                         {"metadata", json::object()}});

  // ls: one line per entry in key order: KEY, FUNC, INPUTS (canonical), VALUE.
  r = ctl({url, "ls"});
  REQUIRE(r.status == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);
  std::vector<std::string> keys;
  for (const auto& line : lines) {
    auto f = fields_of(line);
    REQUIRE(f.size() == 4);
    keys.push_back(f[0]);
  }
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  auto greet_key = padded_key("greet", R"({"name": "é☃"})");
  CHECK(std::find(lines.begin(), lines.end(),
                  greet_key + "\tgreet\t{\"name\": \"é☃\"}\texpected=\"hi\"") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(),
                  add_key + "\tadd\t{\"x\": 5, \"y\": 10}\toutput=15") != lines.end());
  CHECK(lines_of(ctl({url, "ls", "--func", "add"}).out) ==
        std::vector<std::string>{add_key + "\tadd\t{\"x\": 5, \"y\": 10}\toutput=15"});
  CHECK(lines_of(ctl({url, "ls", "--limit", "2"}).out) ==
        std::vector<std::string>(lines.begin(), lines.begin() + 2));
  CHECK(lines_of(ctl({url, "ls", "--after", keys[1]}).out) ==
        std::vector<std::string>(lines.begin() + 2, lines.end()));
  CHECK(lines_of(ctl({url, "ls", "--page-size", "1"}).out) == lines);
  auto listed = json_lines(ctl({url, "ls", "--json"}).out);
  REQUIRE(listed.size() == 4);
  for (size_t i = 0; i < listed.size(); ++i)
    CHECK(listed[i]["key"] == keys[i]);

  // annotate: an existing entry's output becomes its expected, metadata merged.
  r = ctl({url, "annotate", "add", add_inputs, "--metadata", R"({"by": "cli"})"});
  CHECK(r.status == 0);
  CHECK(r.out == add_key + "\n");
  shown = json_lines(ctl({url, "show", add_key, "--json"}).out);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0]["expected"] == 15);
  CHECK(shown[0]["metadata"] == json{{"by", "cli"}});
  r = ctl({url, "annotate", "missing", R"({"q": 1})"});
  CHECK(r.status == 1); // no entry and no --expected
  CHECK_THAT(r.err, Catch::Contains("no cached entry for 'missing'"));
  CHECK(ctl({url, "annotate", "missing", R"({"q": 1})", "--expected", "7"}).status == 0);
  CHECK(ctl({url, "get", "missing", R"({"q": 1})"}).out == "7\n");

  // rm by KEY or by FUNC INPUTS_JSON; a second rm finds nothing (exit 1).
  r = ctl({url, "rm", add_key_decimal});
  CHECK(r.status == 0);
  CHECK(r.out == add_key + "\n");
  CHECK(ctl({url, "rm", add_key}).status == 1);
  CHECK(ctl({url, "get", "add", add_inputs}).status == 1);
  CHECK(ctl({url, "show", add_key}).status == 1);
  CHECK(ctl({url, "rm", "nothing", R"({"n": 1})"}).status == 0);
  r = ctl({url, "rm", "nothing", R"({"n": 1})"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("no entry to remove for 'nothing'"));

  // stats: the counters; entries is what the store holds now.
  auto stats = json_lines(ctl({url, "stats", "--json"}).out);
  REQUIRE(stats.size() == 1);
  for (const char* name : {"hits", "misses", "sets", "removes", "evictions", "expirations",
                           "coalesced", "errors", "entries"})
    CHECK(stats[0].contains(name));
  CHECK(stats[0]["entries"] == 3); // greet, neg, missing
  CHECK_THAT(ctl({url, "stats"}).out, Catch::Contains("\nentries     3\n"));

  // clear removes everything and says how many.
  r = ctl({url, "clear"});
  CHECK(r.status == 0);
  CHECK(r.out == "removed 3 entries\n");
  CHECK(ctl({url, "ls"}).out.empty());
  CHECK(ctl({url, "clear", "--json"}).out == "{\"removed\": 0}\n");
}

TEST_CASE("cachectl: every command on a json: cache", "[cachectl]") {
  temp_dir dir("cachectl-json");
  check_every_command("json:" + dir.file("cache"));
}

TEST_CASE("cachectl: every command on an lmdb: cache", "[cachectl]") {
  temp_dir dir("cachectl-lmdb");
  check_every_command("lmdb:" + dir.file("cache") + "?size_limit=64MiB");
}

TEST_CASE("cachectl: every command on a sqlite: cache", "[cachectl]") {
  temp_dir dir("cachectl-sqlite");
  check_every_command("sqlite:" + dir.file("cache.db"));
}

TEST_CASE("cachectl key: prints the keys Python computes", "[cachectl]") {
  cachectl_runner ctl;
  auto vectors = parse_json(read_file(source_path("tests/messages/key_vectors.json")), "vectors");
  int checked = 0;
  for (const auto& v : vectors["vectors"]) {
    auto r = ctl({"key", v["func"].get<std::string>(), v["inputs_text"].get<std::string>()});
    INFO(v["func"] << " " << v["inputs_text"]);
    CHECK(r.status == 0);
    CHECK(r.out == v["key"].get<std::string>() + "\n" + v["padded"].get<std::string>() + "\n");
    ++checked;
  }
  for (const auto& v : vectors["tagged"]) { // tuples, sets and big integers, already tagged
    auto r = ctl({"key", v["func"].get<std::string>(), v["canonical"].get<std::string>()});
    INFO(v["func"] << " " << v["canonical"]);
    CHECK(r.out == v["key"].get<std::string>() + "\n" + v["padded"].get<std::string>() + "\n");
    ++checked;
  }
  CHECK(checked >= 20);
  // The key of a set entry is the key `key` prints, in any input order.
  temp_dir dir("cachectl-key");
  CHECK(ctl({"lmdb:" + dir.file("c"), "set", "add", R"({"x": 5, "y": 10})", "1"}).out ==
        add_key + "\n");
}

TEST_CASE("cachectl: bad input exits 2 with a message naming the problem", "[cachectl]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-bad");
  const std::string url = "lmdb:" + dir.file("c");
  REQUIRE(ctl({url, "set", "add", add_inputs, "15"}).status == 0);

  struct bad_case {
    std::vector<std::string> args;
    std::vector<std::string> message; // each must appear on stderr
  };
  const std::vector<bad_case> cases = {
      {{"key", "add", R"({"x": 5, "y": })"}, {"INPUTS_JSON", "at byte 14"}},
      {{"key", "add", "[1, 2]"}, {"INPUTS_JSON must be a JSON object, got array"}},
      {{url, "get", "add", R"({"x": 5, "y": })"}, {"INPUTS_JSON", "malformed JSON at byte 14"}},
      {{url, "get", "add", R"("x")"}, {"INPUTS_JSON must be a JSON object, got string"}},
      {{url, "get", "add", "{\"s\": \"\xff\"}"}, {"INPUTS_JSON", "UTF-8"}},
      {{url, "set", "add", R"({"x": 1})", "{bad"}, {"OUTPUT_JSON", "at byte 1"}},
      {{url, "set", "add", R"({"x": 1})", "\"a\tb\""}, {"OUTPUT_JSON", "at byte 2"}}, // raw tab
      {{url, "set", "add", R"({"x": 1})", "1", "--expected", "tru"}, {"--expected", "at byte 0"}},
      {{url, "set", "add", R"({"x": 1})", "1", "--metadata", "[1]"},
       {"--metadata must be a JSON object"}},
      {{url, "annotate", "add", "3", "--expected", "1"}, {"INPUTS_JSON must be a JSON object"}},
      {{url, "rm", "add", "null"}, {"INPUTS_JSON must be a JSON object, got null"}},
      {{url, "show", "12ab"}, {"KEY '12ab' is not a cache key"}},
      {{url, "show", "340282366920938463463374607431768211456"}, {"is not a cache key"}}, // 2^128
      {{url, "rm", "-1"}, {"is not a cache key"}},
      {{url, "ls", "--after", "x"}, {"--after 'x' is not a cache key"}},
      {{url, "frob"}, {"unknown command 'frob'", "ls"}},
      {{"lss"}, {"unknown command 'lss'"}},
      {{url}, {"no COMMAND after the URL"}},
      {{"ls"}, {"no URL"}},
      {{"bogus:x", "ls"}, {"unknown scheme 'bogus'"}},
      {{"lmdb:" + dir.file("c") + "?size_limit=lots", "ls"}, {"size_limit"}},
      {{url, "ls", "--limit", "many"}, {"--limit"}},
      {{url, "get", "add"}, {"INPUTS_JSON is required"}},
      {{url, "rm", "a", "b", "c"}, {"TARGET"}},
      {{url, "ls", "--no-such-option"}, {"--no-such-option"}},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    std::string shown;
    for (const auto& a : c.args)
      shown += a + " ";
    INFO("cachectl " << shown << "\nstderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    for (const auto& m : c.message)
      CHECK_THAT(r.err, Catch::Contains(m));
  }
  // Nothing the failed commands were given was stored.
  CHECK(lines_of(ctl({url, "ls"}).out).size() == 1);

  // No arguments at all: the usage, on stderr, and exit 2.
  auto r = ctl({});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("cachectl URL COMMAND") && Catch::Contains("Exit status"));
}

TEST_CASE("cachectl: read-only commands never create a cache where a path is wrong", "[cachectl]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-nothing");
  for (const std::string scheme : {"lmdb:", "json:", "sqlite:"}) {
    auto path = dir.file("missing-" + scheme.substr(0, scheme.size() - 1));
    const std::vector<std::vector<std::string>> reads = {
        {"ls"},    {"show", add_key}, {"get", "add", add_inputs},       {"rm", add_key},
        {"clear"}, {"stats"},         {"export", dir.file("out.jsonl")}};
    for (auto args : reads) {
      args.insert(args.begin(), scheme + path);
      auto r = ctl(args);
      INFO(scheme << " " << args[1] << ": " << r.err);
      CHECK(r.status == 2);
      CHECK_THAT(r.err, Catch::Contains("no cache there"));
      CHECK_FALSE(std::filesystem::exists(path));
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
    // A write command creates it.
    CHECK(ctl({scheme + path, "set", "add", add_inputs, "15"}).status == 0);
    CHECK(std::filesystem::exists(path));
  }
}

TEST_CASE("cachectl: a broken store or an unreachable server exits 3 naming the URL",
          "[cachectl]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-broken");
  write_file(dir.file("plain-file"), "not a directory");
  std::string garbage(8192, '\x5a');
  write_file(dir.file("garbage.db"), garbage);

  auto r = ctl({"lmdb:" + dir.file("plain-file"), "ls"});
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("lmdb:" + dir.file("plain-file")));
  r = ctl({"json:" + dir.file("plain-file"), "set", "f", "{}", "1"});
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("json:" + dir.file("plain-file")));
  r = ctl({"sqlite:" + dir.file("garbage.db"), "stats"});
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("sqlite:" + dir.file("garbage.db")));

  // Nothing listens on port 1: the message names the server, never the password.
  for (const std::string scheme : {"postgresql", "mysql"}) {
    r = ctl({scheme + "://cli:s3cret@127.0.0.1:1/cachedb", "ls"});
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK_THAT(r.err, Catch::Contains(scheme + "://cli:***@127.0.0.1:1/cachedb"));
    CHECK_THAT(r.err, !Catch::Contains("s3cret"));
  }
}

TEST_CASE("cachectl: --help works for every command", "[cachectl]") {
  cachectl_runner ctl;
  auto r = ctl({"--help"});
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("Exit status") && Catch::Contains("export"));
  for (const std::string cmd : {"key", "ls", "show", "get", "set", "annotate", "rm", "clear",
                                "stats", "export", "import"}) {
    r = ctl({cmd, "--help"});
    INFO(cmd);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage: cachectl " + cmd));
    r = ctl({"mem:", cmd, "--help"});
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage: cachectl " + cmd));
  }
}

TEST_CASE("cachectl: --json output parses for every command", "[cachectl]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-json-out");
  const std::string url = "sqlite:" + dir.file("c.db");
  auto one = [&](const std::vector<std::string>& args) {
    auto r = ctl(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 1);
    return lines[0];
  };
  CHECK(one({url, "set", "add", add_inputs, "15", "--json"}) == json{{"key", add_key}});
  CHECK(one({url, "set", "big", R"({"n": 123456789012345678901234567890})", "9007199254740993",
             "--json"})["key"]
            .is_string());
  CHECK(one({url, "annotate", "add", add_inputs, "--json"}) == json{{"key", add_key}});
  auto big = one({url, "ls", "--json", "--func", "big"});
  CHECK(big["output"] == json{{"__obj_type__", "bigint"}, {"__obj_data__", "9007199254740993"}});
  CHECK(is_tagged(big["inputs"]["n"], "bigint"));
  CHECK(one({url, "show", add_key, "--json"})["expected"] == 15);
  CHECK(one({url, "stats", "--json"})["entries"] == 2);
  CHECK(one({url, "export", dir.file("e.jsonl"), "--json"}) == json{{"exported", 2}});
  CHECK(one({url, "rm", add_key, "--json"}) == json{{"key", add_key}, {"removed", true}});
  CHECK(one({url, "clear", "--json"}) == json{{"removed", 1}});
  CHECK(one({url, "import", dir.file("e.jsonl"), "--json"}) == json{{"imported", 2}});
  CHECK(one({url, "get", "add", add_inputs, "--json"}) == 15);
}

} // namespace
} // namespace ahvn::test
