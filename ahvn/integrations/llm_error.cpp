#include "ahvn/integrations/llm_error.hpp"

namespace ahvn {

namespace {

std::string compose(llm_error::kind k, const std::string& endpoint, int status, int attempts,
                    const std::string& detail) {
  std::string m = "POST " + endpoint + ": ";
  switch (k) {
  case llm_error::kind::http_status:
    m += "HTTP " + std::to_string(status);
    break;
  case llm_error::kind::timeout:
    m += "timed out";
    break;
  case llm_error::kind::connection:
    m += "cannot connect";
    break;
  case llm_error::kind::tls:
    m += "TLS failed";
    break;
  case llm_error::kind::malformed:
    m += "malformed response";
    break;
  case llm_error::kind::stream_broken:
    m += "the stream broke off";
    break;
  case llm_error::kind::server_error:
    m += "the stream carried an error";
    break;
  case llm_error::kind::cancelled:
    m += "cancelled";
    break;
  }
  if (attempts > 1) m += " (after " + std::to_string(attempts) + " attempts)";
  if (!detail.empty()) m += ": " + detail;
  return m;
}

} // namespace

llm_error::llm_error(kind k, std::string endpoint, int status, int attempts, std::string detail,
                     std::chrono::milliseconds retry_after)
    : std::runtime_error(compose(k, endpoint, status, attempts, detail)), kind_(k),
      endpoint_(std::move(endpoint)), status_(status), attempts_(attempts),
      detail_(std::move(detail)), retry_after_(retry_after) {}

llm_error llm_error::with_attempts(int n) const {
  return llm_error(kind_, endpoint_, status_, n, detail_, retry_after_);
}

bool llm_error::retryable() const noexcept {
  switch (kind_) {
  case kind::http_status:
    return status_ == 429 || (status_ >= 500 && status_ <= 599);
  case kind::timeout:
  case kind::connection:
  case kind::stream_broken:
    return true;
  default:
    return false;
  }
}

std::string_view to_string(llm_error::kind k) {
  switch (k) {
  case llm_error::kind::http_status:
    return "http_status";
  case llm_error::kind::timeout:
    return "timeout";
  case llm_error::kind::connection:
    return "connection";
  case llm_error::kind::tls:
    return "tls";
  case llm_error::kind::malformed:
    return "malformed";
  case llm_error::kind::stream_broken:
    return "stream_broken";
  case llm_error::kind::server_error:
    return "server_error";
  case llm_error::kind::cancelled:
    return "cancelled";
  }
  return "unknown";
}

} // namespace ahvn
