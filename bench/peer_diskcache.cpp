// The Python diskcache peer (peers.hpp): bench/peers/diskcache_peer.py in a child process.

#include "bench/peers.hpp"

#include <filesystem>
#include <stdexcept>

namespace ahvn::bench {

namespace {

const char* const python = "/usr/bin/python3";

class diskcache_peer final : public contender {
public:
  diskcache_peer(const workload& w, const std::string& dir, const std::string& script) {
    if (!std::filesystem::exists(python))
      throw std::runtime_error("no /usr/bin/python3 (Debian's python3)");
    if (!std::filesystem::exists(script)) throw std::runtime_error("no " + script);
    proc_ = std::make_unique<child_process>(
        std::vector<std::string>{python, script, "--dir", dir, "--keys", std::to_string(w.keys),
                                 "--value-size", std::to_string(w.value_size)});
    std::string line;
    try {
      line = proc_->read_line(600);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("the diskcache peer did not start (is Debian's "
                                           "python3-diskcache installed?): ") +
                               e.what());
    }
    auto j = json::parse(line);
    if (!j.value("ready", false)) throw std::runtime_error("the diskcache peer said: " + line);
  }

  batch run(const workload& w, uint64_t seed) override {
    json req = {{"ops", w.operations},
                {"seed", seed},
                {"hit_ratio", w.hit_ratio},
                {"read_ratio", w.read_ratio},
                {"pause_us", {w.pause_min_us, w.pause_max_us}}};
    proc_->write_line(req.dump());
    auto j = json::parse(proc_->read_line(3600));
    batch b;
    b.ops = j.at("ops").get<uint64_t>();
    b.seconds = j.at("seconds").get<double>();
    b.lat_ns = j.at("lat_ns").get<std::vector<uint32_t>>();
    b.hits = j.at("hits").get<uint64_t>();
    b.misses = j.at("misses").get<uint64_t>();
    b.errors = j.at("errors").get<uint64_t>();
    b.first_error = j.at("first_error").get<std::string>();
    return b;
  }

private:
  std::unique_ptr<child_process> proc_;
};

} // namespace

std::unique_ptr<contender> make_diskcache_peer(const workload& w, const std::string& dir,
                                               const std::string& script) {
  return std::make_unique<diskcache_peer>(w, dir, script);
}

} // namespace ahvn::bench
