#include "ahvn/actors/client/memo_spec.hpp"

#include "ahvn/messages/ttl.hpp"

#include <algorithm>

namespace ahvn::detail {

std::shared_ptr<const memo_spec> memo_spec::make(std::shared_ptr<client> cache,
                                                 memoize_options opts, size_t arity) {
  auto fail = [&](const std::string& what) {
    throw cache_error(errc::invalid_argument, "memoize '" + opts.name + "': " + what);
  };
  if (!cache) fail("the cache handle is empty");
  if (opts.name.empty()) fail("a name is required (it is part of every key)");
  if (auto problem = utf8_problem(opts.name); !problem.empty())
    fail("the name is not UTF-8: " + problem);
  if (opts.params.size() != arity)
    fail(std::to_string(opts.params.size()) + " parameter name(s) given for a function of " +
         std::to_string(arity) + " argument(s)");
  for (size_t i = 0; i < opts.params.size(); ++i) {
    const auto& p = opts.params[i];
    if (p.empty()) fail("parameter " + std::to_string(i + 1) + " has an empty name");
    if (std::count(opts.params.begin(), opts.params.end(), p) > 1)
      fail("parameter name '" + p + "' is given twice");
  }
  if (!opts.annotation.is_null() && !opts.annotation.is_object())
    fail("the annotation must be a JSON object");
  auto spec = std::make_shared<memo_spec>();
  spec->name = std::move(opts.name);
  spec->params = std::move(opts.params);
  const auto& cache_exclude = cache->options().exclude;
  for (const auto& p : spec->params) {
    bool excluded = std::find(opts.exclude.begin(), opts.exclude.end(), p) != opts.exclude.end() ||
                    std::find(cache_exclude.begin(), cache_exclude.end(), p) != cache_exclude.end();
    spec->included.push_back(!excluded);
  }
  for (const auto& x : opts.exclude)
    if (std::find(spec->params.begin(), spec->params.end(), x) == spec->params.end())
      throw cache_error(errc::invalid_argument, "memoize '" + spec->name + "': excluded name '" +
                                                    x + "' is not a parameter");
  for (size_t i = 0; i < spec->params.size(); ++i)
    if (spec->included[i]) spec->key_order.push_back(i);
  std::sort(spec->key_order.begin(), spec->key_order.end(),
            [&](size_t a, size_t b) { return spec->params[a] < spec->params[b]; });
  for (size_t i : spec->key_order) {
    std::string prefix;
    dump_canonical_string(prefix, spec->params[i]);
    spec->key_prefixes.push_back(prefix + ": ");
  }
  dump_canonical_string(spec->canonical_name, spec->name);
  spec->metadata = json::object();
  if (!opts.annotation.is_null()) spec->metadata["annotation"] = std::move(opts.annotation);
  if (opts.ttl) {
    if (opts.ttl->count() < 0) fail("the ttl must not be negative");
    spec->metadata["ttl"] = static_cast<double>(opts.ttl->count()) / 1000.0;
  }
  try {
    cache_entry probe;
    probe.metadata = spec->metadata;
    // An annotation ttl that is not a duration fails here, not per call.
    spec->expires = requested_ttl(probe).has_value();
  } catch (const cache_error& e) {
    fail(e.message());
  }
  spec->cache = std::move(cache);
  return spec;
}

entry_ptr memo_spec::make_entry(json inputs, json output) const {
  auto e = std::make_shared<cache_entry>();
  e->func = name;
  e->inputs = std::move(inputs);
  e->output = std::move(output);
  e->metadata = metadata;
  if (expires) stamp_expiry(*e, cache->now());
  return e;
}

} // namespace ahvn::detail
