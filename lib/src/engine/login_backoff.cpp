// Exponential backoff of failed logins per account and per client address.
#include "engine/login_backoff.hpp"

#include <algorithm>
#include <chrono>

namespace chat::detail {
namespace {

std::int64_t ms(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

constexpr std::size_t k_max_address_bytes = 64;  // longer "addresses" are not ours: skip them
constexpr unsigned k_prune_every = 256;          // failures between deletions of stale rows

}  // namespace

login_backoff::keys login_backoff::keys_for(const std::string& username_key,
                                            const std::string& address) const {
  keys k;
  if (options_.account_free_failures > 0) k.account = "account:" + username_key;
  if (options_.address_free_failures > 0 && !address.empty() &&
      address.size() <= k_max_address_bytes)
    k.address = "address:" + address;
  return k;
}

std::int64_t login_backoff::delay_ms(int failures, int free) const {
  if (free <= 0 || failures < free) return 0;
  const int doublings = std::min(failures - free, 40);  // 2^40 s is past any max_delay
  const std::int64_t delay = ms(options_.base_delay) << doublings;
  return std::min(delay, ms(options_.max_delay));
}

std::int64_t login_backoff::wait_ms(const std::string& key, int free, time_ms now) {
  if (key.empty()) return 0;
  auto row = db_.find_login_failures(key);
  if (!row || row->last_failure_at < now - ms(options_.forget_after)) return 0;
  return std::max<std::int64_t>(0, row->last_failure_at + delay_ms(row->failures, free) - now);
}

status login_backoff::check(const keys& k, time_ms now) {
  const std::int64_t wait = std::max(wait_ms(k.account, options_.account_free_failures, now),
                                     wait_ms(k.address, options_.address_free_failures, now));
  if (wait <= 0) return {};
  const auto seconds = static_cast<std::uint32_t>((wait + 999) / 1000);
  return {errc::rate_limited,
          "too many failed logins; try again in " + std::to_string(seconds) + " s", seconds};
}

void login_backoff::failed(const keys& k, time_ms now) {
  const time_ms forget_before = now - ms(options_.forget_after);
  if (!k.account.empty()) db_.add_login_failure(k.account, now, forget_before);
  if (!k.address.empty()) db_.add_login_failure(k.address, now, forget_before);
  if (failures_seen_.fetch_add(1, std::memory_order_relaxed) % k_prune_every == 0)
    db_.prune_login_failures(forget_before);
}

void login_backoff::succeeded(const keys& k) {
  if (!k.account.empty()) db_.clear_login_failures(k.account);
}

}  // namespace chat::detail
