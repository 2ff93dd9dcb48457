#include "ahvn/actors/backend_compound.hpp"

#include "ahvn/messages/ttl.hpp"

namespace ahvn::detail {

keyed_entry annotate_entry(backend_state& s, const annotate_request& req) {
  s.commit();
  auto found = s.find(req.k);
  std::shared_ptr<cache_entry> e;
  if (found) {
    e = std::make_shared<cache_entry>(found->annotate(req.expected, req.metadata));
  } else {
    if (!req.expected)
      throw cache_error(errc::missing_entry,
                        "annotate: no cached entry for '" + req.func + "' with inputs " +
                            dumps_python(req.inputs, {true, false, -1, false}) +
                            "; give the expected output to create one");
    e = std::make_shared<cache_entry>(
        cache_entry::from_args(req.func, req.inputs, *req.expected, *req.expected, req.metadata));
    if (e->key() != req.k)
      throw cache_error(errc::invalid_argument,
                        "annotate: the key does not match func '" + req.func + "' and its inputs");
  }
  std::vector<keyed_entry> one{{req.k, std::move(e)}};
  s.stamp(one);
  s.write_now(one);
  s.flights.complete(req.k, one[0].entry);
  return one[0];
}

std::vector<keyed_entry> pop_entries(backend_state& s, uint64_t max) {
  s.commit();
  std::vector<keyed_entry> out;
  scan_request req;
  auto now = s.time->now();
  for (;;) {
    uint64_t want = max == 0 ? 256 : std::min<uint64_t>(256, max - out.size());
    req.limit = static_cast<uint32_t>(want);
    auto page = s.storage->scan(req);
    for (auto& e : page.entries) {
      if (expired(*e.entry, now)) continue;
      if (!s.storage->remove(e.k)) continue;
      ++s.counters.removes;
      out.push_back(std::move(e));
      if (max != 0 && out.size() >= max) return out;
    }
    if (!page.more) return out;
    req.after = page.last;
  }
}

uint64_t remove_matching(backend_state& s, const entry_filter& filter) {
  s.commit();
  uint64_t n = 0;
  scan_request req;
  req.limit = 256;
  req.func = filter.func;
  for (;;) {
    auto page = s.storage->scan(req);
    for (const auto& e : page.entries)
      if (filter.matches(*e.entry) && s.storage->remove(e.k)) ++n;
    if (!page.more) break;
    req.after = page.last;
  }
  s.counters.removes += n;
  return n;
}

} // namespace ahvn::detail
