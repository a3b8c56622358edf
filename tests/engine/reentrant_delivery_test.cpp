// deliver() runs with no engine lock held, so a sink may call back into the engine (issue 13,
// point 7), and a channel's events still reach sinks in the order their changes were applied.
#include <future>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// Records each event, then runs `react` on it on the delivering thread.
class reacting_sink final : public session_sink {
 public:
  explicit reacting_sink(std::function<void(const event&)> react) : react_(std::move(react)) {}
  void deliver(const event_ptr& e) override {
    recorded.deliver(e);
    react_(*e);
  }
  recording_sink recorded;

 private:
  std::function<void(const event&)> react_;
};

// Runs `body` on a thread of its own and waits for it with a deadline, so that a deadlock fails
// the test instead of hanging it. A thread that missed the deadline is blocked for good inside
// the engine: it is detached and the engine leaked, never destroyed under it.
bool finishes(std::unique_ptr<engine>& e, std::function<void()> body) {
  std::packaged_task<void()> task(std::move(body));
  auto done = task.get_future();
  std::thread runner(std::move(task));
  if (done.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    runner.detach();
    (void)e.release();
    return false;
  }
  runner.join();
  done.get();  // rethrows what the body threw
  return true;
}

std::vector<event_kind> kinds(const std::vector<event_ptr>& events) {
  std::vector<event_kind> out;
  for (const auto& ev : events) out.push_back(ev->kind);
  return out;
}

}  // namespace

TEST_CASE("a_sink_may_call_back_into_the_engine_on_the_same_channel_from_deliver", "[routing]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  auto group = e->create_group(alice.id, "g", "", {});
  REQUIRE(group.ok());
  const channel_id g = group->id;

  // Bob's sink answers each membership event about the channel with another change to the same
  // channel (same membership lock), on the delivering thread. The reactions' results are read
  // only after the outer call has returned.
  engine* eng = e.get();
  std::vector<status> reactions;
  std::optional<result<message>> sent;
  auto bob_sink = std::make_shared<reacting_sink>([&, eng](const event& ev) {
    if (!ev.subject) return;
    const user_id who = ev.subject->id;
    if (ev.kind == event_kind::member_added && who == bob.id) {
      reactions.push_back(eng->add_member(alice.id, g, carol.id));
    } else if (ev.kind == event_kind::member_role_changed && who == bob.id) {
      reactions.push_back(eng->set_role(alice.id, g, carol.id, role::admin));
    } else if (ev.kind == event_kind::member_removed && who == carol.id && ev.actor == alice.id) {
      reactions.push_back(eng->add_member(alice.id, g, carol.id));          // back in at once
    } else if (ev.kind == event_kind::member_removed && who == carol.id) {  // carol left
      reactions.push_back(eng->rename_channel(alice.id, g, "after carol").error());
      sent = eng->send(alice.id, g, "carol left", "m-1");  // commits on the commit thread
    }
  });
  e->connect(bob.id, bob_sink);
  auto& seen = bob_sink->recorded;

  // add_member -> (bob is told) -> add_member of carol, same channel.
  REQUIRE(finishes(e, [&] { REQUIRE(e->add_member(alice.id, g, bob.id).ok()); }));
  REQUIRE(reactions.size() == 1);
  CHECK(reactions[0].ok());
  auto events = seen.of(event_kind::member_added);
  REQUIRE(events.size() == 2);
  CHECK(events[0]->subject->id == bob.id);  // the outer change first, then the nested one
  CHECK(events[1]->subject->id == carol.id);

  // set_role -> set_role.
  REQUIRE(finishes(e, [&] { REQUIRE(e->set_role(alice.id, g, bob.id, role::admin).ok()); }));
  REQUIRE(reactions.size() == 2);
  CHECK(reactions[1].ok());
  events = seen.of(event_kind::member_role_changed);
  REQUIRE(events.size() == 2);
  CHECK(events[0]->subject->id == bob.id);
  CHECK(events[1]->subject->id == carol.id);
  CHECK(events[1]->subject->role == role::admin);

  // remove_member -> add_member.
  REQUIRE(finishes(e, [&] { REQUIRE(e->remove_member(alice.id, g, carol.id).ok()); }));
  REQUIRE(reactions.size() == 3);
  CHECK(reactions[2].ok());
  CHECK(kinds(seen.events()).back() == event_kind::member_added);
  CHECK(seen.events().back()->subject->id == carol.id);

  // leave -> rename and a send, whose message follows the rename.
  const std::size_t before = seen.events().size();
  REQUIRE(finishes(e, [&] { REQUIRE(e->leave(carol.id, g).ok()); }));
  REQUIRE(reactions.size() == 4);
  CHECK(reactions[3].ok());
  REQUIRE(sent.has_value());
  REQUIRE(sent->ok());
  auto all = seen.events();
  REQUIRE(all.size() == before + 3);
  CHECK(all[before]->kind == event_kind::member_removed);
  CHECK(all[before + 1]->kind == event_kind::channel_updated);
  CHECK(all[before + 2]->kind == event_kind::message_created);
  CHECK(all[before + 2]->message->seq == sent->value().seq);

  auto members = e->members(alice.id, g);
  REQUIRE(members.ok());
  CHECK(members->members.size() == 2);  // alice and bob; carol left
}

TEST_CASE("a_channels_membership_events_arrive_in_the_order_the_changes_were_applied",
          "[routing][concurrency]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto bob = make_user(*e, "bob");
  auto carol = make_user(*e, "carol");
  auto group = e->create_group(alice.id, "g", "", {bob.id, carol.id});
  REQUIRE(group.ok());
  const channel_id g = group->id;
  auto observer = std::make_shared<recording_sink>();
  e->connect(carol.id, observer);

  // Threads race to make bob admin or member. set_role changes nothing (and says nothing) when
  // the role is already the one asked for, so every event is a real transition, and delivered
  // in the order applied the roles alternate; one event delivered ahead of an earlier change
  // shows up as the same role twice in a row.
  constexpr int k_threads = 4, k_rounds = 150;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&, t] {
      const role wanted = t % 2 ? role::admin : role::member;
      for (int i = 0; i < k_rounds; ++i) (void)e->set_role(alice.id, g, bob.id, wanted);
    });
  for (auto& t : threads) t.join();

  auto changes = observer->of(event_kind::member_role_changed);
  REQUIRE(!changes.empty());
  role previous = role::member;
  std::size_t repeats = 0;
  for (const auto& ev : changes) {
    REQUIRE(ev->subject->id == bob.id);
    repeats += ev->subject->role == previous;
    previous = ev->subject->role;
  }
  CHECK(repeats == 0);
  auto members = e->members(alice.id, g);
  REQUIRE(members.ok());
  for (const auto& m : members->members)
    if (m.id == bob.id) CHECK(m.role == previous);  // the last event tells the stored role
}
