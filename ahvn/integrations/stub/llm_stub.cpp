#include "ahvn/integrations/stub/llm_stub.hpp"

#include "ahvn/integrations/stub/llm_stub_answers.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <optional>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace ahvn {

struct llm_stub::state {
  llm_stub_options opts;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  mutable std::mutex m;
  std::condition_variable cv;
  bool stopping = false;
  std::deque<llm_stub_fault> faults;
  std::optional<llm_stub_fault> always;
  std::vector<llm_stub_request> log;
  size_t chat = 0, embeddings = 0;
  std::atomic<uint64_t> next_id{1};

  /// Sleeps up to `d`; false when the stub is stopping.
  bool sleep_for(std::chrono::milliseconds d) {
    if (d.count() <= 0) return true;
    std::unique_lock<std::mutex> lock(m);
    return !cv.wait_for(lock, d, [&] { return stopping; });
  }

  /// Counts the request, logs it and returns the fault it gets (if any).
  std::optional<llm_stub_fault> arrive(const httplib::Request& req, const json& body,
                                       bool is_chat) {
    std::lock_guard<std::mutex> guard(m);
    (is_chat ? chat : embeddings)++;
    log.push_back({req.path, req.get_header_value("Authorization"), body});
    if (!faults.empty()) {
      auto f = faults.front();
      faults.pop_front();
      return f;
    }
    return always;
  }

  void handle(const httplib::Request& req, httplib::Response& res, bool is_chat);
};

namespace {

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string sse(const json& event) {
  return "data: " + event.dump() + "\n\n";
}

} // namespace

void llm_stub::state::handle(const httplib::Request& req, httplib::Response& res, bool is_chat) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) body = nullptr;
  auto fault = arrive(req, body, is_chat);
  if (!sleep_for(opts.delay)) return send_json(res, 503, stub::error_body("stopping", "stub", 503));
  if (!opts.api_key.empty() && req.get_header_value("Authorization") != "Bearer " + opts.api_key)
    return send_json(
        res, 401,
        stub::error_body("Incorrect API key provided: " + req.get_header_value("Authorization"),
                         "invalid_request_error", 401));
  bool streamed = is_chat && body.is_object() && body.value("stream", false);
  if (fault) {
    switch (fault->what) {
    case llm_stub_fault::kind::status:
      if (fault->retry_after_s >= 0)
        res.set_header("Retry-After", std::to_string(fault->retry_after_s));
      return send_json(res, fault->status,
                       stub::error_body("stub: injected HTTP " + std::to_string(fault->status),
                                        "stub_fault", fault->status));
    case llm_stub_fault::kind::malformed:
      res.status = 200;
      if (streamed)
        res.set_content("data: {this is not json\n\ndata: [DONE]\n\n", "text/event-stream");
      else
        res.set_content("this is not json", "application/json");
      return;
    case llm_stub_fault::kind::stall:
      if (!sleep_for(fault->stall)) return;
      break; // then answer normally, long after the client gave up
    case llm_stub_fault::kind::drop:
      if (!streamed) {
        // Promise a body, then close the connection without it.
        res.status = 200;
        res.set_content_provider(1000, "application/json",
                                 [](size_t, size_t, httplib::DataSink&) { return false; });
        return;
      }
      break; // below: stream, then drop
    }
  }
  if (!body.is_object()) return send_json(res, 400, stub::error_body("not JSON", "invalid", 400));
  const std::string id = "stub-" + std::to_string(next_id++);
  if (!is_chat) {
    auto input = body.find("input");
    std::vector<std::string> texts;
    if (input != body.end() && input->is_string())
      texts.push_back(input->get<std::string>());
    else if (input != body.end() && input->is_array())
      for (const auto& t : *input) {
        if (!t.is_string())
          return send_json(res, 400, stub::error_body("input must be text", "invalid", 400));
        texts.push_back(t.get<std::string>());
      }
    else
      return send_json(res, 400, stub::error_body("no input", "invalid", 400));
    std::string model = body.value("model", "stub-embedding");
    json data = json::array();
    for (size_t i = 0; i < texts.size(); ++i)
      data.push_back({{"object", "embedding"},
                      {"index", i},
                      {"embedding", embedding_for(model, texts[i], opts.embedding_dim)}});
    return send_json(
        res, 200,
        {{"object", "list"},
         {"data", data},
         {"model", model},
         {"usage", {{"prompt_tokens", texts.size()}, {"total_tokens", texts.size()}}}});
  }
  if (!streamed) return send_json(res, 200, stub::chat_completion(body, id));
  auto events = std::make_shared<std::vector<json>>(stub::chat_events(body, id));
  size_t drop_at =
      fault && fault->what == llm_stub_fault::kind::drop ? fault->after_chunks : events->size() + 1;
  auto next = std::make_shared<size_t>(0);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream",
                                   [this, events, next, drop_at](size_t, httplib::DataSink& sink) {
                                     if (*next == drop_at)
                                       return false; // the connection drops mid-stream
                                     if (*next > 0 && !sleep_for(opts.chunk_delay)) return false;
                                     if (*next == events->size()) {
                                       std::string done = "data: [DONE]\n\n";
                                       sink.write(done.data(), done.size());
                                       sink.done();
                                       return true;
                                     }
                                     std::string e = sse((*events)[(*next)++]);
                                     return sink.write(e.data(), e.size());
                                   });
}

llm_stub::llm_stub(llm_stub_options opts) : st_(std::make_unique<state>()) {
  st_->opts = std::move(opts);
  const auto& o = st_->opts;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    st_->server =
        std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
  } else {
    st_->server = std::make_unique<httplib::Server>();
  }
  if (!st_->server->is_valid())
    throw std::runtime_error("llm_stub: cannot set up the server (TLS files " + o.tls_cert_file +
                             ", " + o.tls_key_file + ")");
  auto& s = *st_->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(32); };
  auto chat = [this](const httplib::Request& req, httplib::Response& res) {
    st_->handle(req, res, true);
  };
  auto embed = [this](const httplib::Request& req, httplib::Response& res) {
    st_->handle(req, res, false);
  };
  s.Post("/v1/chat/completions", chat);
  s.Post("/chat/completions", chat);
  s.Post("/v1/embeddings", embed);
  s.Post("/embeddings", embed);
  s.Get("/stub/stats", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200,
              {{"requests", requests()},
               {"chat_requests", chat_requests()},
               {"embedding_requests", embedding_requests()}});
  });
  if (o.port == 0) {
    st_->port = s.bind_to_any_port(o.host);
  } else if (s.bind_to_port(o.host, o.port)) {
    st_->port = o.port;
  }
  if (st_->port <= 0)
    throw std::runtime_error("llm_stub: cannot listen on " + o.host + ":" + std::to_string(o.port));
  st_->thread = std::thread([this] { st_->server->listen_after_bind(); });
  while (!s.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

llm_stub::~llm_stub() {
  {
    std::lock_guard<std::mutex> guard(st_->m);
    st_->stopping = true;
  }
  st_->cv.notify_all();
  st_->server->stop();
  if (st_->thread.joinable()) st_->thread.join();
}

int llm_stub::port() const {
  return st_->port;
}

std::string llm_stub::base_url() const {
  bool tls = !st_->opts.tls_cert_file.empty();
  return std::string(tls ? "https://" : "http://") + st_->opts.host + ":" +
         std::to_string(st_->port) + "/v1";
}

void llm_stub::inject(llm_stub_fault f, size_t times) {
  std::lock_guard<std::mutex> guard(st_->m);
  for (size_t i = 0; i < times; ++i)
    st_->faults.push_back(f);
}

void llm_stub::inject_always(llm_stub_fault f) {
  std::lock_guard<std::mutex> guard(st_->m);
  st_->always = f;
}

void llm_stub::clear_faults() {
  std::lock_guard<std::mutex> guard(st_->m);
  st_->faults.clear();
  st_->always.reset();
}

void llm_stub::set_delay(std::chrono::milliseconds d) {
  std::lock_guard<std::mutex> guard(st_->m);
  st_->opts.delay = d;
}

size_t llm_stub::requests() const {
  std::lock_guard<std::mutex> guard(st_->m);
  return st_->chat + st_->embeddings;
}

size_t llm_stub::chat_requests() const {
  std::lock_guard<std::mutex> guard(st_->m);
  return st_->chat;
}

size_t llm_stub::embedding_requests() const {
  std::lock_guard<std::mutex> guard(st_->m);
  return st_->embeddings;
}

std::vector<llm_stub_request> llm_stub::received() const {
  std::lock_guard<std::mutex> guard(st_->m);
  return st_->log;
}

// -- a self-signed certificate ----------------------------------------------------------------

void llm_stub::write_self_signed(const std::string& cert_file, const std::string& key_file) {
  auto fail = [](const std::string& what) {
    throw std::runtime_error("llm_stub: cannot make a self-signed certificate: " + what);
  };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!pkey) fail("EC key generation");
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), &X509_free);
  if (!x) fail("X509_new");
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600L * 24 * 365);
  X509_set_pubkey(x.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) fail("an extension");
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x.get(), pkey.get(), EVP_sha256()) == 0) fail("signing");
  auto write = [&](const std::string& path, auto&& emit) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) fail("cannot write " + path);
    bool ok = emit(f);
    std::fclose(f);
    if (!ok) fail("cannot write " + path);
  };
  write(cert_file, [&](FILE* f) { return PEM_write_X509(f, x.get()) == 1; });
  write(key_file, [&](FILE* f) {
    return PEM_write_PrivateKey(f, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
}

} // namespace ahvn
