// The Redis peer (peers.hpp): redis-server on loopback, reached with hiredis.

#include "ahvn/messages/key.hpp"
#include "bench/peers.hpp"

#include <filesystem>
#include <hiredis/hiredis.h>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ahvn::bench {

namespace {

const char* const redis_binary = "/usr/bin/redis-server";

redisContext* connect(uint16_t port) {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (!c || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    throw std::runtime_error("cannot connect to redis-server on port " + std::to_string(port) +
                             ": " + why);
  }
  return c;
}

/// Runs a command and checks the reply is not an error; returns the reply (caller frees).
redisReply* command(redisContext* c, const char* fmt, const std::string& a = {},
                    const std::string& b = {}) {
  auto* r = static_cast<redisReply*>(redisCommand(c, fmt, a.data(), a.size(), b.data(), b.size()));
  if (!r) throw std::runtime_error(std::string("redis: ") + c->errstr);
  if (r->type == REDIS_REPLY_ERROR) {
    std::string why(r->str, r->len);
    freeReplyObject(r);
    throw std::runtime_error("redis: " + why);
  }
  return r;
}

std::string stored_value(int64_t i, uint32_t value_size) {
  return canonical(json(value_of(i, value_size)));
}

class redis_peer final : public op_runner {
public:
  redis_peer(const workload& w, uint16_t port)
      : port_(port), value_size_(w.value_size), direct_(w.direct_keys) {
    conns_.assign(64, nullptr);
    redisContext* c = conn(0);
    freeReplyObject(command(c, "FLUSHALL"));
    uint64_t pending = 0;
    auto drain = [&] {
      for (; pending > 0; --pending) {
        void* r = nullptr;
        if (redisGetReply(c, &r) != REDIS_OK)
          throw std::runtime_error(std::string("redis fill: ") + c->errstr);
        freeReplyObject(r);
      }
    };
    for (uint64_t i = 0; i < w.keys; ++i) {
      auto k = key_of_arg(static_cast<int64_t>(i), false).to_padded();
      auto v = stored_value(static_cast<int64_t>(i), value_size_);
      redisAppendCommand(c, "SET %b %b", k.data(), k.size(), v.data(), v.size());
      if (++pending == 1000) drain();
    }
    drain();
  }

  ~redis_peer() override {
    for (auto* c : conns_)
      if (c) redisFree(c);
  }

  bool run(const op_spec& op, std::string& out, unsigned caller) override {
    std::string k = key_of_arg(op.i, direct_).to_padded();
    redisContext* c = conn(caller);
    if (op.kind == op_spec::write) {
      freeReplyObject(command(c, "SET %b %b", k, stored_value(op.i, value_size_)));
      return false;
    }
    redisReply* r = command(c, "GET %b", k);
    bool found = r->type == REDIS_REPLY_STRING;
    if (found) out = json::parse(std::string_view(r->str, r->len)).get<std::string>();
    freeReplyObject(r);
    return found;
  }

private:
  redisContext* conn(unsigned caller) {
    auto*& c = conns_.at(caller);
    if (!c) c = connect(port_);
    return c;
  }

  uint16_t port_;
  uint32_t value_size_;
  bool direct_;
  std::vector<redisContext*> conns_;
};

} // namespace

redis_server::redis_server(const std::string& dir) {
  if (!std::filesystem::exists(redis_binary))
    throw std::runtime_error("redis-server is not installed (Debian's redis-server)");
  std::filesystem::create_directories(dir);
  std::string last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    proc_ = std::make_unique<child_process>(
        std::vector<std::string>{redis_binary, "--port", std::to_string(port_), "--bind",
                                 "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
                                 "--daemonize", "no"},
        dir + "/redis.log");
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      try {
        redisContext* c = connect(port_);
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        bool ok = r && r->type == REDIS_REPLY_STATUS;
        if (r) freeReplyObject(r);
        redisFree(c);
        if (ok) return;
      } catch (const std::exception& e) {
        last = e.what();
      }
    }
    proc_.reset();
  }
  throw std::runtime_error("redis-server did not start: " + last);
}

std::unique_ptr<op_runner> make_redis_peer(const workload& w, uint16_t port) {
  return std::make_unique<redis_peer>(w, port);
}

} // namespace ahvn::bench
