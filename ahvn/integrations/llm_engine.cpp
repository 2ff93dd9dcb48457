#include "ahvn/integrations/llm_engine.hpp"

#include "ahvn/integrations/chat_stream_reader.hpp"
#include "ahvn/integrations/llm_error.hpp"
#include "ahvn/messages/log.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace ahvn {

namespace {

using steady = std::chrono::steady_clock;

// Chunks passed from the thread that reads a stream to the generator that yields them. Bounded:
// a slow consumer holds the reader back instead of letting chunks pile up.
class chunk_channel {
public:
  explicit chunk_channel(size_t capacity) : capacity_(capacity) {}

  /// The reader's side: false once the consumer went away.
  bool push(llm_chunk c) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return cancelled_ || q_.size() < capacity_; });
    if (cancelled_) return false;
    q_.push_back(std::move(c));
    cv_.notify_all();
    return true;
  }
  /// The reader's side: the end (error null: the stream is complete).
  void close(std::exception_ptr error) {
    std::lock_guard<std::mutex> guard(m_);
    closed_ = true;
    error_ = std::move(error);
    cv_.notify_all();
  }
  /// The consumer's side: the next chunk, false at the end; rethrows the reader's error.
  bool pop(llm_chunk& out) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
    if (!q_.empty()) {
      out = std::move(q_.front());
      q_.pop_front();
      cv_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }
  /// The consumer's side: it went away.
  void cancel() {
    std::lock_guard<std::mutex> guard(m_);
    cancelled_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<llm_chunk> q_;
  size_t capacity_;
  bool closed_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

// Stops the reader thread when the generator goes away, however it goes.
struct reader_guard {
  std::shared_ptr<chunk_channel> channel;
  std::shared_ptr<cancel_token> cancel;
  std::thread reader;
  ~reader_guard() {
    channel->cancel();
    cancel->cancel();
    if (reader.joinable()) reader.join();
  }
};

bool is_json_content(const std::string& content_type) {
  return content_type.find("application/json") != std::string::npos;
}

} // namespace

llm_engine::llm_engine(llm_config cfg)
    : cfg_(std::move(cfg)), transport_(cfg_),
      jitter_state_(static_cast<uint64_t>(steady::now().time_since_epoch().count()) | 1u) {}

llm_stats llm_engine::stats() const {
  return {requests_.load(), retries_.load(), failures_.load()};
}

std::chrono::milliseconds llm_engine::backoff(int failed_attempts,
                                              std::chrono::milliseconds server_hint) {
  const auto& r = cfg_.retry;
  double wait = static_cast<double>(r.initial_backoff.count());
  for (int i = 1; i < failed_attempts && wait < static_cast<double>(r.max_backoff.count()); ++i)
    wait *= 2;
  wait = std::min(wait, static_cast<double>(r.max_backoff.count()));
  // xorshift: jitter needs no quality, only that clients do not move in step.
  uint64_t x = jitter_state_.load(std::memory_order_relaxed);
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  jitter_state_.store(x, std::memory_order_relaxed);
  double u = static_cast<double>(x >> 11) / static_cast<double>(1ull << 53);
  wait *= 1.0 - r.jitter * u;
  auto hint = std::min(server_hint, r.max_backoff);
  return std::max(std::chrono::milliseconds(static_cast<int64_t>(wait)), hint);
}

template <class Attempt>
auto llm_engine::with_retries(Attempt attempt, const std::function<bool()>& may_retry,
                              cancel_token* cancel)
    -> decltype(attempt(std::chrono::steady_clock::time_point{})) {
  const auto deadline = steady::now() + cfg_.deadline;
  for (int n = 1;; ++n) {
    ++requests_;
    if (n > 1) ++retries_;
    try {
      return attempt(deadline);
    } catch (const llm_error& e) {
      bool again = e.retryable() && n < cfg_.retry.max_attempts && (!may_retry || may_retry());
      auto wait = again ? backoff(n, e.retry_after()) : std::chrono::milliseconds{};
      if (again && steady::now() + wait < deadline) {
        log::warning("llm: " + std::string(e.what()) + "; retrying in " +
                     std::to_string(wait.count()) + " ms");
        bool slept = cancel ? cancel->sleep_for(wait) : (std::this_thread::sleep_for(wait), true);
        if (slept) continue;
      }
      if (e.what_kind() != llm_error::kind::cancelled) ++failures_;
      if (n == 1) throw;
      throw e.with_attempts(n);
    } catch (...) {
      ++failures_;
      throw;
    }
  }
}

void llm_engine::read_stream(const std::string& body, const std::function<bool(llm_chunk)>& deliver,
                             steady::time_point deadline, cancel_token* cancel) {
  const std::string where = transport_.url("/chat/completions");
  std::unique_ptr<chat_stream_reader> reader;
  auto answer = transport_.post(
      "/chat/completions", body,
      [&](const http_transport::answer& a, std::string_view bytes) {
        if (!reader) // a server that ignored "stream" answers with one chat.completion
          reader =
              std::make_unique<chat_stream_reader>(where, is_json_content(a.content_type), deliver);
        return reader->feed(bytes);
      },
      deadline, cancel);
  if (!reader)
    reader =
        std::make_unique<chat_stream_reader>(where, is_json_content(answer.content_type), deliver);
  reader->finish();
}

std::vector<llm_chunk> llm_engine::complete(const json& body) {
  const std::string text = body.dump();
  return with_retries(
      [&](steady::time_point deadline) {
        std::vector<llm_chunk> chunks;
        read_stream(
            text,
            [&](llm_chunk c) {
              chunks.push_back(std::move(c));
              return true;
            },
            deadline, nullptr);
        return chunks;
      },
      nullptr);
}

generator<llm_chunk> llm_engine::stream(json body) {
  auto channel = std::make_shared<chunk_channel>(64);
  auto cancel = std::make_shared<cancel_token>();
  auto self = shared_from_this();
  reader_guard guard{channel, cancel, {}};
  guard.reader = std::thread([self, channel, cancel, text = body.dump()] {
    try {
      bool delivered = false;
      self->with_retries(
          [&](steady::time_point deadline) {
            self->read_stream(
                text,
                [&](llm_chunk c) {
                  delivered = true;
                  return channel->push(std::move(c));
                },
                deadline, cancel.get());
            return 0;
          },
          [&] { return !delivered; }, cancel.get());
      channel->close(nullptr);
    } catch (...) {
      channel->close(std::current_exception());
    }
  });
  llm_chunk c;
  while (channel->pop(c))
    co_yield std::move(c);
}

std::vector<std::vector<double>> llm_engine::embed(const std::vector<std::string>& texts,
                                                   const json& body) {
  // As AgentHeaven does: an empty text is not sent (OpenAI refuses it); its embedding is
  // [1, 0, ..., 0], as long as the others ("<TEST>" is embedded to learn the length when every
  // text is empty).
  std::vector<std::string> sent;
  for (const auto& t : texts)
    if (!t.empty()) sent.push_back(t);
  if (sent.size() == texts.size()) return request_embeddings(texts, body);
  bool probe = sent.empty();
  if (probe) sent.push_back("<TEST>");
  auto vectors = request_embeddings(sent, body);
  std::vector<double> empty(vectors.front().size(), 0.0);
  if (!empty.empty()) empty[0] = 1.0;
  std::vector<std::vector<double>> out;
  out.reserve(texts.size());
  size_t next = 0;
  for (const auto& t : texts)
    out.push_back(t.empty() ? empty : std::move(vectors[next++]));
  return out;
}

std::vector<std::vector<double>>
llm_engine::request_embeddings(const std::vector<std::string>& texts, const json& body) {
  json request = body;
  request["input"] = texts;
  const std::string text = request.dump();
  const std::string where = transport_.url("/embeddings");
  return with_retries(
      [&](steady::time_point deadline) {
        std::string answer;
        transport_.post(
            "/embeddings", text,
            [&](const http_transport::answer&, std::string_view bytes) {
              answer.append(bytes);
              return true;
            },
            deadline);
        auto malformed = [&](const std::string& what) {
          return llm_error(llm_error::kind::malformed, where, 200, 1, what);
        };
        json parsed = json::parse(answer, nullptr, false);
        if (parsed.is_discarded()) throw malformed("an answer that is not JSON");
        auto data = parsed.find("data");
        if (data == parsed.end() || !data->is_array())
          throw malformed("an answer without a \"data\" list");
        if (data->size() != texts.size())
          throw malformed(std::to_string(data->size()) + " embeddings for " +
                          std::to_string(texts.size()) + " texts");
        std::vector<std::vector<double>> out(texts.size());
        std::vector<bool> seen(texts.size(), false);
        for (size_t i = 0; i < data->size(); ++i) {
          const auto& item = (*data)[i];
          size_t index = i;
          if (item.contains("index") && item["index"].is_number_unsigned())
            index = item["index"].get<size_t>();
          if (index >= texts.size() || seen[index])
            throw malformed("an embedding with a bad or repeated index");
          seen[index] = true;
          auto e = item.find("embedding");
          if (e == item.end() || !e->is_array())
            throw malformed("an embedding that is not a list of numbers (encoding_format "
                            "\"float\" is the only one supported)");
          for (const auto& x : *e) {
            if (!x.is_number()) throw malformed("an embedding holding a non-number");
            out[index].push_back(x.get<double>());
          }
        }
        return out;
      },
      nullptr);
}

} // namespace ahvn
