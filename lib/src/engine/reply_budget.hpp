// The byte budget of one page of a list reply (engine_options::max_reply_bytes).
#pragma once

#include <cstddef>

namespace chat::detail {

// Counts the bytes of a page's JSON encoding (chat::wire) as items are added to it. Start from
// the encoding of the empty page with has_more false (the longer of the two booleans).
class reply_budget {
 public:
  reply_budget(std::size_t limit, std::size_t empty_page_bytes)
      : limit_(limit), used_(empty_page_bytes) {}

  // Takes an item of `bytes` (its encoding and its separator) if the page stays within the
  // limit, or if it is the first item: a page always holds one, so paging always progresses.
  bool take(std::size_t bytes) {
    if (items_ > 0 && used_ + bytes > limit_) return false;
    used_ += bytes;
    ++items_;
    return true;
  }

  std::size_t used() const { return used_; }
  std::size_t items() const { return items_; }

 private:
  std::size_t limit_;
  std::size_t used_;
  std::size_t items_ = 0;
};

}  // namespace chat::detail
