#pragma once

// Factories that give the conformance suite (tests/backends/store_conformance_test.cpp) a fresh,
// empty store of each kind. A factory has:
//   static constexpr const char* name;       a label for messages
//   static constexpr bool keeps_entries;     false for stores that store nothing (null_store)
//   std::unique_ptr<store> open();           a fresh, empty store (the factory owns its files)
// Persistent stores add `std::unique_ptr<store> reopen()`: the same location opened again.

#include "ahvn/backends/memory_store.hpp"
#include "ahvn/backends/null_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <memory>

namespace ahvn::test {

struct memory_store_factory {
  static constexpr const char* name = "memory";
  static constexpr bool keeps_entries = true;
  std::unique_ptr<store> open() { return std::make_unique<memory_store>(); }
};

struct null_store_factory {
  static constexpr const char* name = "null";
  static constexpr bool keeps_entries = false;
  std::unique_ptr<store> open() { return std::make_unique<null_store>(); }
};

} // namespace ahvn::test
