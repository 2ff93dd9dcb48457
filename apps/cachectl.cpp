// cachectl: inspect and edit caches from the shell.
//
//   cachectl key FUNC INPUTS_JSON     the decimal key, then the 40-digit key
//
// Exit status: 0 on success, 1 when a looked-up entry is missing, 2 on bad usage or input.

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "messages/error.hpp"
#include "messages/json.hpp"
#include "messages/key.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_usage = 2;

int cmd_key(const std::string& func, const std::string& inputs_text) {
  auto inputs = ahvn::parse_json(inputs_text, "INPUTS_JSON");
  if (!inputs.is_object())
    throw ahvn::cache_error(ahvn::errc::invalid_inputs,
                            std::string("INPUTS_JSON must be a JSON object, got ")
                              + inputs.type_name());
  auto k = ahvn::compute_key(func, inputs);
  std::cout << k.to_string() << '\n' << k.to_padded() << '\n';
  return exit_ok;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"cachectl: inspect and edit ahvn caches"};
  app.require_subcommand(1);
  std::string func, inputs;
  auto key = app.add_subcommand("key", "print the cache key of FUNC called with INPUTS_JSON");
  key->add_option("FUNC", func, "the function name")->required();
  key->add_option("INPUTS_JSON", inputs, "the inputs, a JSON object")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  try {
    if (*key)
      return cmd_key(func, inputs);
  } catch (const ahvn::cache_error& e) {
    std::cerr << "cachectl: " << e.what() << '\n';
    return exit_usage;
  }
  return exit_usage;
}
