// The only translation unit of the examples that includes websocketpp (it costs ~14 s to build).
#include "ws_transport.hpp"

#include <chrono>
#include <thread>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

namespace chat::examples {
namespace {
using client = websocketpp::client<websocketpp::config::asio_client>;
}

struct ws_transport::impl {
  handlers handlers_;
  client client_;
  std::thread thread_;
  // Owned by the I/O thread: the current connection and a counter that silences older ones.
  client::connection_ptr current_;
  unsigned long generation_ = 0;

  void on_closed(unsigned long generation, const client::connection_ptr& con, bool failed) {
    if (generation != generation_) return;
    current_.reset();
    int code = failed ? 1006 : con->get_remote_close_code();
    std::string reason = failed ? con->get_ec().message() : con->get_remote_close_reason();
    if (!failed && code == websocketpp::close::status::no_status) code = 1005;
    if (!failed && code == websocketpp::close::status::abnormal_close && reason.empty()) {
      reason = con->get_ec() ? con->get_ec().message() : "connection dropped";
    }
    if (handlers_.on_close) handlers_.on_close(code, reason);
  }
};

ws_transport::ws_transport(handlers h) : impl_(std::make_unique<impl>()) {
  impl_->handlers_ = std::move(h);
  auto& c = impl_->client_;
  c.clear_access_channels(websocketpp::log::alevel::all);
  c.clear_error_channels(websocketpp::log::elevel::all);
  websocketpp::lib::error_code ec;
  c.init_asio(ec);
  if (ec) throw std::runtime_error("websocket client: " + ec.message());
  c.set_open_handshake_timeout(10000);
  c.set_close_handshake_timeout(2000);
  c.set_user_agent("libchat-examples/1");
  c.start_perpetual();
  impl_->thread_ = std::thread([this] { impl_->client_.run(); });
}

ws_transport::~ws_transport() {
  // Close politely, then stop the loop once the close completes (or after 2 s regardless).
  post([this] {
    impl_->client_.stop_perpetual();
    auto con = impl_->current_;
    ++impl_->generation_;
    impl_->current_.reset();
    if (con && con->get_state() == websocketpp::session::state::open) {
      websocketpp::lib::error_code ec;
      con->set_close_handler([this](websocketpp::connection_hdl) { impl_->client_.stop(); });
      con->close(websocketpp::close::status::normal, "bye", ec);
      if (!ec) {
        impl_->client_.set_timer(
            2000, [this](const websocketpp::lib::error_code&) { impl_->client_.stop(); });
        return;
      }
    }
    impl_->client_.stop();
  });
  if (impl_->thread_.joinable()) impl_->thread_.join();
}

void ws_transport::connect(const std::string& url) {
  auto& d = *impl_;
  unsigned long generation = ++d.generation_;
  if (d.current_) {
    websocketpp::lib::error_code ignored;
    d.current_->close(websocketpp::close::status::normal, "reconnecting", ignored);
  }
  websocketpp::lib::error_code ec;
  client::connection_ptr con = d.client_.get_connection(url, ec);
  if (ec) {
    std::string reason = ec.message();
    post([this, generation, reason] {
      if (generation == impl_->generation_ && impl_->handlers_.on_close) {
        impl_->handlers_.on_close(1006, reason);
      }
    });
    return;
  }
  // Handlers hold the connection weakly: it owns them, so a strong capture would be a cycle.
  std::weak_ptr<client::connection_type> weak = con;
  con->set_open_handler([this, generation](websocketpp::connection_hdl) {
    if (generation == impl_->generation_ && impl_->handlers_.on_open) impl_->handlers_.on_open();
  });
  con->set_message_handler([this, generation](websocketpp::connection_hdl, client::message_ptr m) {
    if (generation == impl_->generation_ && impl_->handlers_.on_text) {
      impl_->handlers_.on_text(m->get_payload());
    }
  });
  con->set_close_handler([this, generation, weak](websocketpp::connection_hdl) {
    if (auto c = weak.lock()) impl_->on_closed(generation, c, false);
  });
  con->set_fail_handler([this, generation, weak](websocketpp::connection_hdl) {
    if (auto c = weak.lock()) impl_->on_closed(generation, c, true);
  });
  d.current_ = con;
  d.client_.connect(con);
}

bool ws_transport::send(const std::string& text) {
  auto& con = impl_->current_;
  if (!con || con->get_state() != websocketpp::session::state::open) return false;
  return !con->send(text, websocketpp::frame::opcode::text);
}

void ws_transport::close(int code, const std::string& reason) {
  if (!impl_->current_) return;
  websocketpp::lib::error_code ec;
  impl_->current_->close(static_cast<websocketpp::close::status::value>(code), reason, ec);
}

void ws_transport::post(std::function<void()> fn) {
  asio::post(impl_->client_.get_io_service(), std::move(fn));
}

void ws_transport::post_after(long milliseconds, std::function<void()> fn) {
  impl_->client_.set_timer(milliseconds,
                           [fn = std::move(fn)](const websocketpp::lib::error_code& ec) {
                             if (!ec) fn();
                           });
}

bool ws_transport::on_io_thread() const {
  return std::this_thread::get_id() == impl_->thread_.get_id();
}

}  // namespace chat::examples
