// The SQL store against the conformance suite on SQLite (file and :memory:), PostgreSQL and
// MariaDB, plus its own extras: persistence across reopen, AgentHeaven's table layout, the
// JSONB number round trip, group commit.

#include "tests/support/sql_store_factories.hpp"

#define AHVN_STORE_FACTORIES                                                                       \
  ahvn::test::sqlite_file_factory, ahvn::test::sqlite_memory_factory,                              \
      ahvn::test::postgresql_factory, ahvn::test::mysql_factory
#include "tests/backends/store_conformance.hpp"

namespace ahvn::test {

TEMPLATE_TEST_CASE("sql: entries survive closing and reopening the store", "[sql]",
                   sqlite_file_factory, postgresql_factory, mysql_factory) {
  TestType factory;
  std::vector<keyed_entry> batch;
  for (int i = 0; i < 50; ++i)
    batch.push_back(make_entry(i, json{{"n", i}, {"text", "é ☃"}}));
  auto annotated = std::make_shared<cache_entry>(cache_entry::from_args(
      "g", json{{"q", "why"}}, json("because"), json("right"), json{{"annotation", "gold"}}));
  {
    auto s = factory.open();
    s->put_many(batch);
    s->put(annotated->key(), annotated);
    CHECK(s->remove(batch[7].k));
  }
  auto s = factory.reopen();
  CHECK(s->size() == 50);
  CHECK(s->get(batch[7].k) == nullptr);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i == 7) continue;
    auto got = s->get(batch[i].k);
    REQUIRE(got != nullptr);
    CHECK(*got == *batch[i].entry);
  }
  auto got = s->get(annotated->key());
  REQUIRE(got != nullptr);
  CHECK(*got == *annotated);
  CHECK(got->annotated());
}

TEMPLATE_TEST_CASE("sql: rows have AgentHeaven's id and content", "[sql]", sqlite_file_factory,
                   mysql_factory) {
  TestType factory;
  auto s = factory.open();
  auto e = make_entry(3, json{{"big", int64_t{9007199254740993}}, {"s", "é"}});
  s->put(e.k, e.entry);
  auto out = run_sql(factory.options(), "SELECT id, content FROM cache_orm");
  // The id is the 40-digit key; the content json.dumps of the tagged dict (ASCII, tagged bigint).
  CHECK(out.find(e.k.to_padded()) != std::string::npos);
  CHECK(out.find(to_python_row_json(*e.entry)) != std::string::npos);
  CHECK(out.find(R"(\u00e9)") != std::string::npos);
}

TEST_CASE("sql: row content is byte for byte Python's json.dumps of the tagged dict", "[sql]") {
  // AgentHeaven's transform builds {"__obj_type__": ..., "__obj_data__": ...} and json.dumps keeps
  // that order. (Fails while messages/json.cpp writes tags with sorted keys outside sort_keys.)
  sqlite_file_factory factory;
  auto s = factory.open();
  auto e = make_entry(3, json{{"big", int64_t{9007199254740993}}});
  s->put(e.k, e.entry);
  auto out = run_sql(factory.options(), "SELECT content FROM cache_orm");
  CHECK(
      out.find(
          R"("output": {"big": {"__obj_type__": "bigint", "__obj_data__": "9007199254740993"}})") !=
      std::string::npos);
}

TEST_CASE("sql: PostgreSQL stores content as JSONB and floats come back as floats", "[sql]") {
  postgresql_factory factory;
  auto s = factory.open();
  auto type = run_sql(factory.options(), "SELECT data_type FROM information_schema.columns WHERE "
                                         "table_name = 'cache_orm' AND column_name = 'content'");
  CHECK(type.find("jsonb") != std::string::npos);
  json floats = {
      {"e16", 1e16},    {"e300", 1.5e300}, {"max", 1.7976931348623157e308}, {"tiny", 5e-324},
      {"e-7", -2.5e-7}, {"two", 2.0},      {"big_int", int64_t{1} << 60}};
  auto e = make_entry(1, floats);
  s->put(e.k, e.entry);
  // JSONB wrote the exponent forms out in full...
  auto raw = run_sql(factory.options(), "SELECT content->'output'->>'e16' FROM cache_orm");
  CHECK(raw.find("10000000000000000") != std::string::npos);
  // ...and reading restores them as the same floats, integers staying integers.
  auto got = s->get(e.k);
  REQUIRE(got != nullptr);
  REQUIRE(got->output.has_value());
  for (auto& [name, value] : floats.items()) {
    INFO(name);
    CHECK((*got->output)[name] == value);
    CHECK((*got->output)[name].is_number_float() == value.is_number_float());
  }
  CHECK(canonical(*got->output) == canonical(floats));
}

TEST_CASE("sql: PostgreSQL refuses NaN with a clear error and keeps the old value", "[sql]") {
  postgresql_factory factory;
  auto s = factory.open();
  auto old = make_entry(1, "old");
  s->put(old.k, old.entry);
  auto bad = make_entry(1, json(std::nan("")));
  try {
    s->put(bad.k, bad.entry);
    FAIL("put of NaN into JSONB succeeded");
  } catch (const cache_error& ex) {
    CHECK(ex.code() == errc::backend_failure);
    CHECK(ex.message().find(s->url() + ": put: ") == 0);
  }
  auto got = s->get(old.k);
  REQUIRE(got != nullptr);
  CHECK(got->output == json("old"));
  // The session is still usable.
  s->put(make_entry(2).k, make_entry(2).entry);
  CHECK(s->size() == 2);
}

TEMPLATE_TEST_CASE("sql: put_many is one transaction", "[sql]", sqlite_file_factory,
                   postgresql_factory, mysql_factory) {
  TestType factory;
  auto s = factory.open();
  std::vector<keyed_entry> batch;
  for (int i = 0; i < 20; ++i)
    batch.push_back(make_entry(i));
  // An entry the database refuses in the middle of the batch: nothing of the batch is stored.
  // PostgreSQL's JSONB refuses NaN; on the others a trigger refuses the word "refused".
  json refused = "refused";
  if constexpr (std::is_same_v<TestType, postgresql_factory>) refused = std::nan("");
  if constexpr (std::is_same_v<TestType, sqlite_file_factory>)
    run_sql(factory.options(), "CREATE TRIGGER refuse BEFORE INSERT ON cache_orm WHEN "
                               "NEW.content LIKE '%refused%' BEGIN SELECT RAISE(ABORT, 'no'); END");
  if constexpr (std::is_same_v<TestType, mysql_factory>)
    run_sql(factory.options(), "CREATE TRIGGER refuse BEFORE INSERT ON cache_orm FOR EACH ROW SET "
                               "NEW.id = IF(NEW.content LIKE '%refused%', NULL, NEW.id)");
  batch[10] = make_entry(10, refused);
  CHECK_THROWS_AS(s->put_many(batch), cache_error);
  CHECK(s->size() == 0);
  batch[10] = make_entry(10);
  s->put_many(batch);
  CHECK(s->size() == 20);
}

TEMPLATE_TEST_CASE("sql: get_many over many keys, with duplicates and misses", "[sql]",
                   sqlite_memory_factory, postgresql_factory, mysql_factory) {
  TestType factory;
  auto s = factory.open();
  std::vector<keyed_entry> batch;
  for (int i = 0; i < 700; i += 2)
    batch.push_back(make_entry(i, i));
  s->put_many(batch);
  std::vector<key> ks;
  for (int i = 0; i < 700; ++i)
    ks.push_back(make_entry(i).k);
  ks.push_back(make_entry(4).k); // a duplicate in another chunk
  auto got = s->get_many(ks);
  REQUIRE(got.size() == ks.size());
  for (int i = 0; i < 700; ++i) {
    INFO(i);
    if (i % 2 == 0) {
      REQUIRE(got[i] != nullptr);
      CHECK(got[i]->output == json(i));
    } else {
      CHECK(got[i] == nullptr);
    }
  }
  REQUIRE(got[700] != nullptr);
  CHECK(got[700]->output == json(4));
  CHECK(s->get_many({}).empty());
}

TEST_CASE("sql: the URL never shows the password", "[sql]") {
  auto options = parse_sql_url(test_server_url("postgresql"));
  REQUIRE_FALSE(options.password.empty());
  sql_store s(options);
  CHECK(s.url().find(options.password) == std::string::npos);
  CHECK(s.url() == "postgresql://" + options.user + "@127.0.0.1:" + std::to_string(options.port) +
                       "/" + options.database);
}

} // namespace ahvn::test
