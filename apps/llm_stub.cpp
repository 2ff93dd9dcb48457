// llm_stub: serves the stub OpenAI-compatible API (ahvn/integrations/stub/llm_stub.hpp) on
// loopback until interrupted — point any OpenAI client at it with OPENAI_BASE_URL.

#include "ahvn/integrations/stub/llm_stub.hpp"

#include <chrono>
#include <csignal>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <CLI/CLI.hpp>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) {
  stop_requested = 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"llm_stub: a deterministic OpenAI-compatible chat and embeddings server"};
  ahvn::llm_stub_options opts;
  int delay_ms = 0, chunk_delay_ms = 0;
  app.add_option("--host", opts.host, "the address to listen on")->capture_default_str();
  app.add_option("--port", opts.port, "the port (0: any free one)")->capture_default_str();
  app.add_option("--delay-ms", delay_ms, "wait before each answer")->capture_default_str();
  app.add_option("--chunk-delay-ms", chunk_delay_ms, "wait between streamed chunks")
      ->capture_default_str();
  app.add_option("--api-key", opts.api_key, "require this bearer token");
  app.add_option("--embedding-dim", opts.embedding_dim, "embedding length")->capture_default_str();
  app.add_option("--tls-cert", opts.tls_cert_file, "PEM certificate: serve HTTPS");
  app.add_option("--tls-key", opts.tls_key_file, "PEM key of the certificate");
  CLI11_PARSE(app, argc, argv);
  opts.delay = std::chrono::milliseconds(delay_ms);
  opts.chunk_delay = std::chrono::milliseconds(chunk_delay_ms);
  try {
    ahvn::llm_stub stub(opts);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::cout << "OPENAI_BASE_URL=" << stub.base_url() << std::endl;
    while (stop_requested == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::cout << "served " << stub.requests() << " requests\n";
  } catch (const std::exception& e) {
    std::cerr << "llm_stub: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
