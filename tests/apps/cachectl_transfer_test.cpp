// cachectl export and import: the JSON Lines file, round trips between backends, Python's view
// of the file, paging, progress lines, and an import that meets a corrupt line.

#include "tests/apps/cachectl_runner.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <catch2/catch.hpp>

namespace ahvn::test {
namespace {

// Entries that exercise the file format: unicode, control characters, floats, big integers,
// nulls, nesting, annotations, metadata.
void fill(const cachectl_runner& ctl, const std::string& url) {
  const std::vector<std::vector<std::string>> sets = {
      {"set", "add", R"({"x": 5, "y": 10})", "15"},
      {"set", "greet", R"({"name": "é☃ 中文 😀"})", R"("héllo\tworld\n")", "--expected", R"("hi")",
       "--metadata", R"({"lang": "fr", "n": [1, 2]})"},
      {"set", "big", R"({"n": 12345678901234567890123})", "9007199254740993"},
      {"set", "floats", R"({"x": 0.1})", "[1.0, 1e-05, 1e+16, -0.0, null, true]"},
      {"set", "nulls", R"({"k": null})", "null"},
      {"set", "nested", R"({"b": {"z": [1, {"y": 2}]}, "a": []})", R"({"deep": {"k": "v"}})"},
      {"annotate", "labelled", R"({"q": "why?"})", "--expected", R"("because")"},
      {"set", "quotes", R"({"s": "say \"hi\" \\ bye"})", R"({"": ""})"},
  };
  for (auto args : sets) {
    args.insert(args.begin(), url);
    auto r = ctl(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
}

std::string ls_json(const cachectl_runner& ctl, const std::string& url) {
  auto r = ctl({url, "ls", "--json", "--full"});
  REQUIRE(r.status == 0);
  return r.out;
}

TEST_CASE("cachectl: export then import reproduces entries and keys across backends",
          "[cachectl][transfer]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-roundtrip");
  const std::string lmdb = "lmdb:" + dir.file("l"), sqlite = "sqlite:" + dir.file("s.db"),
                    json_dir = "json:" + dir.file("j");
  fill(ctl, lmdb);

  auto r = ctl({lmdb, "export", dir.file("a.jsonl")});
  REQUIRE(r.status == 0);
  CHECK(r.out == "exported 8 entries\n");
  auto a = read_file(dir.file("a.jsonl"));
  CHECK(lines_of(a).size() == 8);
  // AgentHeaven's dumps_jsonl line: Python's separators, ensure_ascii off, big integers tagged.
  CHECK_THAT(a, Catch::Contains(R"({"func": "add", "inputs": {"x": 5, "y": 10}, "output": 15, )"
                                R"("metadata": {}})"
                                "\n"));
  CHECK_THAT(a, Catch::Contains(R"("inputs": {"name": "é☃ 中文 😀"}, "output": "héllo\tworld\n", )"
                                R"("expected": "hi", "metadata": {"lang": "fr", "n": [1, 2]}})"));
  CHECK_THAT(a,
             Catch::Contains(R"({"__obj_type__": "bigint", "__obj_data__": "9007199254740993"})"));

  // lmdb -> sqlite -> json: every hop gives the same entries, keys and file, byte for byte.
  r = ctl({sqlite, "import", dir.file("a.jsonl")});
  REQUIRE(r.status == 0);
  CHECK(r.out == "imported 8 entries\n");
  REQUIRE(ctl({sqlite, "export", dir.file("b.jsonl")}).status == 0);
  CHECK(read_file(dir.file("b.jsonl")) == a);
  REQUIRE(ctl({json_dir, "import", dir.file("b.jsonl")}).status == 0);
  REQUIRE(ctl({json_dir, "export", dir.file("c.jsonl")}).status == 0);
  CHECK(read_file(dir.file("c.jsonl")) == a);
  auto listed = ls_json(ctl, lmdb);
  CHECK(ls_json(ctl, sqlite) == listed);
  CHECK(ls_json(ctl, json_dir) == listed);
  // The imported entries answer get by func and inputs, as the originals do.
  CHECK(ctl({json_dir, "get", "big", R"({"n": 12345678901234567890123})"}).out ==
        "9007199254740993\n");
  CHECK(ctl({sqlite, "get", "labelled", R"({"q": "why?"})"}).out == "\"because\"\n");
  // An import over existing entries replaces them: still 8.
  REQUIRE(ctl({sqlite, "import", dir.file("a.jsonl")}).status == 0);
  CHECK(ls_json(ctl, sqlite) == listed);

  // Python reads the file and computes the same keys (AgentHeaven's formula on the loaded line).
  const std::string script = R"(
import hashlib, json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    canon = lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False)
    text = canon(e["inputs"]) + "||" + canon(e["func"])
    print("%040d" % int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16))
)";
  write_file(dir.file("keys.py"), script);
  auto py = run_command("python3 " + shell_quote(dir.file("keys.py")) + " " +
                        shell_quote(dir.file("a.jsonl")));
  REQUIRE(py.exit_code == 0);
  std::vector<std::string> keys;
  for (const auto& e : json_lines(listed))
    keys.push_back(e["key"].get<std::string>());
  CHECK(lines_of(py.output) == keys);
}

TEST_CASE("cachectl: export and import use stdout and stdin for '-'", "[cachectl][transfer]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-stdio");
  const std::string from = "json:" + dir.file("from"), to = "lmdb:" + dir.file("to");
  fill(ctl, from);
  REQUIRE(ctl({from, "export", dir.file("file.jsonl")}).status == 0);
  auto r = ctl({from, "export", "-"});
  REQUIRE(r.status == 0);
  CHECK(r.out == read_file(dir.file("file.jsonl")));
  CHECK_THAT(r.err, Catch::Contains("exported 8 entries"));
  // --func exports one function's entries.
  r = ctl({from, "export", "-", "--func", "add"});
  CHECK(lines_of(r.out).size() == 1);

  write_file(dir.file("stdin.jsonl"), read_file(dir.file("file.jsonl")));
  r = ctl({to, "import", "-"}, dir.file("stdin.jsonl"));
  REQUIRE(r.status == 0);
  CHECK(r.out == "imported 8 entries\n");
  CHECK(ls_json(ctl, to) == ls_json(ctl, from));
  // No temporary file is left beside an export.
  for (const auto& f : std::filesystem::directory_iterator(dir.path()))
    CHECK(f.path().filename().string().find(".tmp") == std::string::npos);
  // An export that cannot be written exits 2 and leaves nothing.
  r = ctl({from, "export", dir.file("no/such/dir/x.jsonl")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot write " + dir.file("no/such/dir/x.jsonl")));
}

TEST_CASE("cachectl: import stops at a corrupt line, keeping the lines before it",
          "[cachectl][transfer]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-corrupt");
  const std::string url = "json:" + dir.file("c");
  const std::string file = dir.file("in.jsonl");
  write_file(file, "{\"func\": \"f\", \"inputs\": {\"i\": 1}, \"output\": 1, \"metadata\": {}}\n"
                   "\n"                                                           // blank: skipped
                   "{\"func\": \"f\", \"inputs\": {\"i\": 2}, \"output\": 2}\r\n" // CRLF
                   "{\"func\": \"f\", \"inputs\": {\"i\": 3}, \"expected\": 3}\n"
                   "{\"func\": \"f\", \"inputs\": {\"i\": 4}, \"output\": 4}\n"
                   "{\"func\": \"f\", \"inputs\": {\"i\": 5}, \"output\": }\n" // line 6: corrupt
                   "{\"func\": \"f\", \"inputs\": {\"i\": 7}, \"output\": 7}\n");
  auto r = ctl({url, "import", file, "--batch", "3"});
  CHECK(r.status == 2);
  CHECK(r.out == "imported 4 entries\n");
  CHECK_THAT(r.err, Catch::Contains(file + ":6: malformed JSON at byte 44"));
  CHECK_THAT(r.err, Catch::Contains("entries imported before it: 4"));
  auto listed = json_lines(ctl({url, "ls", "--json"}).out);
  std::set<int> is;
  for (const auto& e : listed)
    is.insert(e["inputs"]["i"].get<int>());
  CHECK(is == std::set<int>{1, 2, 3, 4});
  CHECK(ctl({url, "get", "f", R"({"i": 3})"}).out == "3\n");

  // Each kind of bad line is named with FILE:LINE.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[1, 2]", ":1: expected an entry object"},
      {R"({"func": "f"})", ":1: not an entry: no \"inputs\" field"},
      {R"({"inputs": {}})", ":1: not an entry: no \"func\" field"},
      {R"({"func": "f", "inputs": 3})", ":1: inputs of 'f' must be a JSON object"},
      {R"({"func": 7, "inputs": {}})", ":1: entry field 'func' must be a string"},
      {R"({"func": "f", "inputs": {}, "metadata": 1})",
       ":1: metadata of 'f' must be a JSON object"},
      {"{\"func\": \"f\", \"inputs\": {\"s\": \"\xff\"}}", ":1: "},
  };
  for (const auto& [line, message] : bad) {
    write_file(file, line + "\n");
    r = ctl({url, "import", file});
    INFO(line << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.out == "imported 0 entries\n");
    CHECK_THAT(r.err, Catch::Contains(file + message));
  }
  CHECK(ctl({url, "ls"}).out.size() > 0);
  CHECK(lines_of(ctl({url, "ls"}).out).size() == 4); // nothing more was stored

  r = ctl({url, "import", dir.file("missing.jsonl")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot read " + dir.file("missing.jsonl")));
}

TEST_CASE("cachectl: import and export report progress on stderr", "[cachectl][transfer]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-progress");
  const std::string url = "lmdb:" + dir.file("c");
  std::string text;
  for (int i = 0; i < 5; ++i)
    text += "{\"func\": \"f\", \"inputs\": {\"i\": " + std::to_string(i) + "}, \"output\": 0}\n";
  write_file(dir.file("in.jsonl"), text);
  auto r = ctl({url, "import", dir.file("in.jsonl"), "--batch", "2", "--progress-interval", "0"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "imported 5 entries\n");
  // stderr is not a terminal: one plain line per report.
  CHECK(r.err == "imported 2 entries...\nimported 4 entries...\nimported 5 entries...\n");
  r = ctl({url, "export", dir.file("out.jsonl"), "--batch", "2", "--progress-interval", "0"});
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("exported 2 entries...\nexported 4 entries...\n"));
  // By default a line comes at most every 0.5 s: none for a quick import.
  r = ctl({url, "import", dir.file("in.jsonl")});
  CHECK(r.err.empty());

  // On a terminal (script(1) gives it one) the line is overwritten with \r, then cleared.
  auto tty = run_command("script -qec " +
                         shell_quote(shell_quote(AHVN_CACHECTL) + " " + shell_quote(url) +
                                     " import " + shell_quote(dir.file("in.jsonl")) +
                                     " --batch 2 --progress-interval 0") +
                         " /dev/null </dev/null");
  CHECK(tty.exit_code == 0);
  CHECK(tty.output ==
        "\rimported 2 entries...\rimported 4 entries...\rimported 5 entries...\r\x1b[K"
        "imported 5 entries\r\n");
}

TEST_CASE("cachectl: ls and export page through a large cache in key order",
          "[cachectl][transfer]") {
  cachectl_runner ctl;
  temp_dir dir("cachectl-pages");
  const std::string url = "lmdb:" + dir.file("c");
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += "{\"func\": \"" + std::string(i % 2 ? "odd" : "even") +
            "\", \"inputs\": {\"i\": " + std::to_string(i) +
            "}, \"output\": " + std::to_string(i * i) + "}\n";
  write_file(dir.file("in.jsonl"), text);
  REQUIRE(ctl({url, "import", dir.file("in.jsonl")}).out == "imported 1000 entries\n");

  auto lines = lines_of(ctl({url, "ls", "--page-size", "7"}).out);
  REQUIRE(lines.size() == 1000);
  std::vector<std::string> keys;
  for (const auto& line : lines)
    keys.push_back(fields_of(line)[0]);
  CHECK(std::adjacent_find(keys.begin(), keys.end(), std::greater_equal<>()) == keys.end());
  CHECK(lines_of(ctl({url, "ls"}).out) == lines); // the page size does not change the listing
  CHECK(lines_of(ctl({url, "ls", "--limit", "10"}).out) ==
        std::vector<std::string>(lines.begin(), lines.begin() + 10));
  CHECK(lines_of(ctl({url, "ls", "--after", keys[9], "--limit", "5", "--page-size", "2"}).out) ==
        std::vector<std::string>(lines.begin() + 10, lines.begin() + 15));
  auto odd = lines_of(ctl({url, "ls", "--func", "odd", "--page-size", "3"}).out);
  CHECK(odd.size() == 500);
  CHECK(std::all_of(odd.begin(), odd.end(),
                    [](const std::string& l) { return fields_of(l)[1] == "odd"; }));
  auto r = ctl({url, "export", dir.file("out.jsonl"), "--batch", "7"});
  CHECK(r.out == "exported 1000 entries\n");
  CHECK(lines_of(read_file(dir.file("out.jsonl"))).size() == 1000);
}

} // namespace
} // namespace ahvn::test
