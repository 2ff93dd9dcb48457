#pragma once

// memoized_batch<Out(In)>: memoize for functions from a batch of inputs to a batch of outputs
// (the seed's batch_memoize, the guide's section 5.2).
//
//   auto embed = cache.batch_memoize({.name = "embed", .params = {"texts"}},
//                                    [](const std::vector<std::string>& texts) {
//                                      return embedding_api(texts); // one output per text
//                                    });
//   std::vector<std::vector<float>> e = embed({"a", "b", "c"});
//
// Each item is its own entry, keyed as AgentHeaven keys it: inputs {param: [item]}. A call takes
// the one miss path's steps for all items at once (miss_path.hpp): it looks them up on the
// calling thread (pending values, then the store's reader) and, where the cache needs the actor
// (client_traits::fetch_on_miss), asks it for the rest with one get_many;
// calls the function once with the missing items only (each distinct item once, in order of
// first appearance), stores their results with one set_many, and returns the outputs in the
// order of the batch. An empty batch returns an empty vector without calling the function. A
// result of the wrong length is cache_error(errc::invalid_argument) naming both lengths, and
// nothing is stored. An exception from the function propagates; nothing is stored.
//
// A batch function's other arguments (an embedding call's model and options) are keyed beside
// the item, as AgentHeaven keys them: embed.with_inputs({{"kwargs", options}}, fn) is the same
// cached function whose items' inputs are {param: [item], "kwargs": options}, computed by fn.
//
// Concurrency: callable from any number of plain threads at once; batches do not join other
// callers' computations.

#include "ahvn/actors/client/memoize.hpp"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ahvn {

template <class Signature>
class memoized_batch;

template <class Out, class In>
class memoized_batch<Out(In)> : public detail::memo_base<std::vector<In>> {
  using base = detail::memo_base<std::vector<In>>;

public:
  using function = std::function<std::vector<Out>(const std::vector<In>&)>;

  memoized_batch() = default;
  memoized_batch(std::shared_ptr<const detail::memo_spec> spec, function f)
      : base(std::move(spec)), f_(std::move(f)) {}

  /// A copy whose items' inputs also hold the members of `extra` (a JSON object), beside
  /// {param: [item]}, and which computes its misses with `f` (when given). Throws
  /// cache_error(errc::invalid_inputs) if `extra` is not an object or holds the batch parameter.
  memoized_batch with_inputs(json extra, function f = {}) const {
    if (!extra.is_object() || extra.contains(this->spec_->params.at(0)))
      throw cache_error(errc::invalid_inputs,
                        "batch_memoize '" + this->spec_->name +
                            "': extra inputs must be an object without the batch parameter '" +
                            this->spec_->params.at(0) + "'");
    memoized_batch copy = *this;
    copy.extra_ = std::move(extra);
    if (f) copy.f_ = std::move(f);
    return copy;
  }

  /// One output per item of `batch`, in order.
  std::vector<Out> operator()(const std::vector<In>& batch) const {
    if (batch.empty()) return {};
    auto& c = *this->spec_->cache;
    const auto n = batch.size();
    std::vector<json> inputs(n);
    std::vector<key> keys(n);
    std::vector<std::optional<Out>> outputs(n);
    for (size_t i = 0; i < n; ++i) {
      inputs[i] = this->inputs_of(std::vector<In>{batch[i]});
      if (extra_.empty()) {
        keys[i] = this->key_of(std::vector<In>{batch[i]});
      } else {
        inputs[i].update(extra_);
        keys[i] = compute_key(this->spec_->name, inputs[i]);
      }
    }
    // 1. Look everything up: on this thread first, the rest with one get_many.
    std::vector<key> ask;
    std::vector<size_t> asked;
    for (size_t i = 0; i < n; ++i) {
      auto found =
          c.read_here(keys[i], [&](const json& v) { outputs[i].emplace(v.template get<Out>()); });
      if (!outputs[i] && found == detail::client::read_result::miss) {
        ask.push_back(keys[i]);
        asked.push_back(i);
      }
    }
    if (!c.traits().fetch_on_miss)
      for (size_t j = 0; j < ask.size(); ++j)
        c.count_miss();
    else if (!ask.empty())
      c.read_many(
          ask, [&](size_t j, const json& v) { outputs[asked[j]].emplace(v.template get<Out>()); });
    // 2. The distinct misses, in order of first appearance.
    std::vector<In> missing;
    std::vector<size_t> first_of;                 // index in batch of each missing item
    std::unordered_map<key, size_t> missing_slot; // key -> index in `missing`
    for (size_t i = 0; i < n; ++i)
      if (!outputs[i] && missing_slot.try_emplace(keys[i], missing.size()).second) {
        missing.push_back(batch[i]);
        first_of.push_back(i);
      }
    if (missing.empty()) return unwrap(std::move(outputs));
    // 3. One call for them, one set_many for the results.
    std::vector<Out> computed = f_(missing);
    if (computed.size() != missing.size())
      throw cache_error(errc::invalid_argument,
                        "batch_memoize '" + this->spec_->name + "': the function returned " +
                            std::to_string(computed.size()) + " outputs for " +
                            std::to_string(missing.size()) + " inputs");
    std::vector<keyed_entry> entries;
    entries.reserve(missing.size());
    for (size_t m = 0; m < missing.size(); ++m) {
      size_t i = first_of[m];
      entries.push_back({keys[i], this->spec_->make_entry(inputs[i], json(computed[m]))});
    }
    if (c.traits().writes)
      c.write_many(std::move(entries));
    else
      for (size_t m = 0; m < entries.size(); ++m)
        c.count_set();
    for (size_t i = 0; i < n; ++i)
      if (!outputs[i]) outputs[i].emplace(computed[missing_slot.at(keys[i])]);
    return unwrap(std::move(outputs));
  }

private:
  static std::vector<Out> unwrap(std::vector<std::optional<Out>> xs) {
    std::vector<Out> out;
    out.reserve(xs.size());
    for (auto& x : xs)
      out.push_back(std::move(*x));
    return out;
  }

  function f_;
  json extra_ = json::object();
};

} // namespace ahvn
