// The memory and null stores against the conformance suite.

#include "tests/support/store_factories.hpp"

#define AHVN_STORE_FACTORIES ahvn::test::memory_store_factory, ahvn::test::null_store_factory
#include "tests/backends/store_conformance.hpp"
