// terminal_client: a line-based chatd client (sign in, /list, /open N, /dm USER, send, live).
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cxxopts.hpp>
#include <iostream>
#include <string>

#include "http_api.hpp"
#include "terminal_app.hpp"

using chat::examples::terminal_app;

namespace {

// Reads the password from the terminal without echo (or a plain line from a pipe).
std::string read_password() {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cout << "password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cout << std::endl;
  }
  return password;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli("terminal_client",
                       "A small chatd client: type /help once signed in. The password comes from "
                       "--password, $CHAT_PASSWORD or the first line of input.");
  cli.add_options()("h,help", "print this help")(
      "url", "chatd base URL",
      cxxopts::value<std::string>()->default_value("http://127.0.0.1:8080"))(
      "username", "account to sign in with", cxxopts::value<std::string>())(
      "password", "its password", cxxopts::value<std::string>())(
      "register", "create the account first")("backoff-min-ms", "first reconnect delay",
                                              cxxopts::value<long>()->default_value("500"));
  cxxopts::ParseResult args;
  try {
    args = cli.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "terminal_client: " << e.what() << "\n" << cli.help() << std::endl;
    return 2;
  }
  if (args.count("help") || !args.count("username")) {
    std::cout << cli.help() << std::endl;
    return args.count("help") ? 0 : 2;
  }
  chat::examples::session_options options;
  options.base_url = args["url"].as<std::string>();
  options.username = args["username"].as<std::string>();
  options.backoff_min_ms = args["backoff-min-ms"].as<long>();
  if (args.count("password")) {
    options.password = args["password"].as<std::string>();
  } else if (const char* env = std::getenv("CHAT_PASSWORD")) {
    options.password = env;
  } else {
    options.password = read_password();
  }

  if (args.count("register")) {
    std::string error;
    if (!chat::examples::register_user(options.base_url, options.username, options.password,
                                       &error)) {
      std::cerr << "terminal_client: register failed: " << error << std::endl;
      return 1;
    }
    terminal_app::print("registered " + options.username);
  }

  terminal_app app(options);
  std::string error;
  if (!app.start(&error)) {
    std::cerr << "terminal_client: sign-in failed: " << error << std::endl;
    return 1;
  }
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line == "/quit") break;
    app.execute(line);
  }
  terminal_app::print("bye");
  return 0;
}
