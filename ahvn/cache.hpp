#pragma once

// The one header a user of ahvn-cache includes: every cache handle, open_cache(url) and every
// memoize form, and ahvn::version().
//
//   #include <ahvn/cache.hpp>
//
//   ahvn::disk_cache cache("/tmp/cache_dir");
//   auto fib = cache.memoize({.name = "fibonacci", .params = {"n"}}, fibonacci_impl);
//
// The pieces live under <ahvn/messages/...> (keys, JSON, entries, the protocol),
// <ahvn/backends/...> (the stores) and <ahvn/actors/...> (the actors, handles and memoize);
// include them directly to keep a translation unit lean.

#include "ahvn/actors/caches/callback_cache.hpp"
#include "ahvn/actors/caches/database_cache.hpp"
#include "ahvn/actors/caches/disk_cache.hpp"
#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/json_cache.hpp"
#include "ahvn/actors/caches/no_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/actors/caches/store_cache.hpp"
#include "ahvn/version.hpp"
