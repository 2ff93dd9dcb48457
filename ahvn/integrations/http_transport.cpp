#include "ahvn/integrations/http_transport.hpp"

#include "ahvn/integrations/llm_error.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <utility>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ahvn {

// -- cancel_token ----------------------------------------------------------------------------

void cancel_token::cancel() {
  // Under the lock: on_cancel(nullptr) waits for it, so the transfer it interrupts is alive.
  std::lock_guard<std::mutex> guard(m_);
  cancelled_ = true;
  cv_.notify_all();
  if (interrupt_) interrupt_();
}

bool cancel_token::cancelled() const {
  std::lock_guard<std::mutex> guard(m_);
  return cancelled_;
}

bool cancel_token::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(m_);
  return !cv_.wait_for(lock, d, [&] { return cancelled_; });
}

void cancel_token::on_cancel(std::function<void()> interrupt) {
  std::lock_guard<std::mutex> guard(m_);
  interrupt_ = std::move(interrupt);
}

// -- http_transport --------------------------------------------------------------------------

namespace {

using steady = std::chrono::steady_clock;

constexpr size_t max_error_body = 8192;

// The server's own words from an error body: OpenAI's {"error": {"message": ...}}, else the
// text itself (shortened).
std::string error_message(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    auto e = parsed.find("error");
    if (e != parsed.end()) {
      if (e->is_string()) return e->get<std::string>();
      if (e->is_object() && e->contains("message") && (*e)["message"].is_string())
        return (*e)["message"].get<std::string>();
    }
    if (parsed.contains("message") && parsed["message"].is_string())
      return parsed["message"].get<std::string>();
  }
  std::string text = body.substr(0, 300);
  if (body.size() > 300) text += "...";
  return text;
}

std::chrono::milliseconds retry_after_of(const std::string& v) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {}; // an HTTP date is not worth parsing here: the back-off applies
  if (v.size() > 6) return std::chrono::hours(24);
  return std::chrono::seconds(std::stol(v));
}

} // namespace

http_transport::http_transport(const llm_config& cfg) : cfg_(cfg) {
  const auto& u = cfg_.base_url;
  auto host = u.find("://") + 3;
  auto slash = u.find('/', host);
  scheme_host_port_ = u.substr(0, slash);
  base_path_ = slash == std::string::npos ? "" : u.substr(slash);
}

std::string http_transport::url(std::string_view path) const {
  return display_url(cfg_.base_url) + std::string(path);
}

std::string http_transport::redact(std::string text) const {
  const auto& k = cfg_.api_key;
  if (k.empty()) return text;
  for (auto at = text.find(k); at != std::string::npos; at = text.find(k, at))
    text.replace(at, k.size(), "[redacted]");
  return text;
}

http_transport::answer http_transport::post(std::string_view path, const std::string& body,
                                            const body_fn& on_body, steady::time_point deadline,
                                            cancel_token* cancel) const {
  const std::string where = url(path);
  auto fail = [&](llm_error::kind k, int status, std::string detail,
                  std::chrono::milliseconds retry_after = {}) {
    return llm_error(k, where, status, 1, redact(std::move(detail)), retry_after);
  };
  if (cancel && cancel->cancelled()) throw fail(llm_error::kind::cancelled, 0, "");
  if (steady::now() >= deadline)
    throw fail(llm_error::kind::timeout, 0,
               "the call passed its deadline of " + std::to_string(cfg_.deadline.count()) + " ms");

  httplib::Client client(scheme_host_port_);
  if (!client.is_valid()) throw fail(llm_error::kind::tls, 0, "cannot set up the client");
  client.set_keep_alive(false);
  client.set_follow_location(false);
  client.set_connection_timeout(cfg_.connect_timeout);
  client.set_read_timeout(cfg_.read_timeout);
  client.set_write_timeout(cfg_.read_timeout);
  client.enable_server_certificate_verification(cfg_.verify_tls);
  if (!cfg_.ca_cert_file.empty()) client.set_ca_cert_path(cfg_.ca_cert_file);

  httplib::Request req;
  req.method = "POST";
  req.path = base_path_ + std::string(path);
  for (const auto& [name, value] : cfg_.headers)
    req.headers.emplace(name, value);
  if (!cfg_.api_key.empty()) req.headers.emplace("Authorization", "Bearer " + cfg_.api_key);
  req.headers.emplace("Content-Type", "application/json");
  req.headers.emplace("Accept", "text/event-stream, application/json");
  req.headers.emplace("Accept-Encoding", "identity"); // streamed bytes arrive as they are sent
  req.body = body;

  int status = -1;
  answer a;
  std::string retry_after, error_body;
  std::exception_ptr thrown;
  bool stopped_by_body = false, past_deadline = false;
  auto last_activity = steady::now();
  req.response_handler = [&](const httplib::Response& r) {
    status = r.status;
    a.content_type = r.get_header_value("Content-Type");
    retry_after = r.get_header_value("Retry-After");
    last_activity = steady::now();
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    last_activity = steady::now();
    if (status != 200) {
      error_body.append(data,
                        std::min(n, max_error_body - std::min(max_error_body, error_body.size())));
      return true;
    }
    if (last_activity >= deadline) {
      past_deadline = true;
      return false;
    }
    try {
      if (on_body(a, std::string_view(data, n))) return true;
      stopped_by_body = true;
    } catch (...) {
      thrown = std::current_exception();
    }
    return false;
  };

  if (cancel) cancel->on_cancel([&client] { client.stop(); });
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool sent = client.send(req, res, err);
  if (cancel) cancel->on_cancel(nullptr);
  auto silence = steady::now() - last_activity;

  if (thrown) std::rethrow_exception(thrown);
  if (cancel && cancel->cancelled()) throw fail(llm_error::kind::cancelled, 0, "");
  if (past_deadline)
    throw fail(llm_error::kind::timeout, status,
               "the call passed its deadline of " + std::to_string(cfg_.deadline.count()) + " ms");
  if (stopped_by_body) return a;
  if (sent && status == 200) return a;
  if (sent || (status > 0 && status != 200)) {
    if (status == 200) throw fail(llm_error::kind::stream_broken, status, "the answer broke off");
    std::string detail = res.reason.empty() ? "" : res.reason;
    if (!error_body.empty()) detail += (detail.empty() ? "" : ": ") + error_message(error_body);
    throw fail(llm_error::kind::http_status, status, detail, retry_after_of(retry_after));
  }
  const std::string what = httplib::to_string(err);
  bool silent_too_long = silence >= cfg_.read_timeout * 9 / 10;
  switch (err) {
  case httplib::Error::SSLConnection:
  case httplib::Error::SSLLoadingCerts:
  case httplib::Error::SSLServerVerification:
    throw fail(llm_error::kind::tls, 0, what);
  case httplib::Error::ConnectionTimeout:
    throw fail(llm_error::kind::timeout, 0,
               "no connection within " + std::to_string(cfg_.connect_timeout.count()) + " ms");
  case httplib::Error::Read:
    if (silent_too_long)
      throw fail(llm_error::kind::timeout, status > 0 ? status : 0,
                 "no data for " + std::to_string(cfg_.read_timeout.count()) + " ms");
    if (status == 200) throw fail(llm_error::kind::stream_broken, 200, "the connection dropped");
    throw fail(llm_error::kind::connection, 0, "the server closed the connection: " + what);
  case httplib::Error::Connection:
    throw fail(llm_error::kind::connection, 0,
               "no connection (refused, unreachable or an unknown host)");
  default:
    if (status == 200) throw fail(llm_error::kind::stream_broken, 200, what);
    throw fail(llm_error::kind::connection, 0, what);
  }
}

} // namespace ahvn
