// Accounts, password hashing, sessions and external identities.
#include <sqlite3.h>

#include "engine_fixture.hpp"

using namespace chat;
using namespace chat::test;

namespace {

// Reads one text column of the first row of a query on an SQLite file, bypassing the engine.
std::string sqlite_scalar(const std::string& url, const std::string& sql) {
  const std::string path = url.substr(url.find("db=") + 3);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// An in-memory engine's options on `clock`, with one-hour sessions: the session expiry tests.
engine_options clocked_options(const manual_clock& clock) {
  engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = password_cost::minimum;
  options.session_ttl = std::chrono::hours(1);
  options.clock = clock.fn();
  return options;
}

}  // namespace

TEST_CASE("register_then_login_returns_a_session_for_that_user", "[accounts]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  CHECK(alice.id > 0);
  CHECK(alice.username == "alice");
  auto grant = e->login("alice", "correct horse battery");
  REQUIRE(grant.ok());
  CHECK(grant->account.id == alice.id);
  CHECK(grant->token.size() == 43);  // 256 bits in base64url without padding
  auto who = e->authenticate(grant->token);
  REQUIRE(who.ok());
  CHECK(who->id == alice.id);
}

TEST_CASE("usernames_collide_ignoring_letter_case_and_keep_their_spelling", "[accounts]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "Alice");
  CHECK(alice.username == "Alice");
  auto again = e->register_user({"aLICE", "another password", std::nullopt, std::nullopt});
  CHECK(again.code() == errc::conflict);
  CHECK(e->login("ALICE", "correct horse battery").ok());
  auto found = e->find_user("alice");
  REQUIRE(found.ok());
  CHECK(found->id == alice.id);
}

TEST_CASE("username_rules_reject_bad_length_and_characters", "[accounts]") {
  auto e = open_memory_engine();
  for (const char* bad : {"ab", "abcdefghijklmnopqrstu", "has space", "émile", "semi;colon", ""}) {
    INFO(bad);
    CHECK(e->register_user({bad, "long enough pw", std::nullopt, std::nullopt}).code() ==
          errc::invalid_argument);
  }
  for (const char* good : {"abc", "a.b-c_d", "ABCDEFGHIJKLMNOPQRST", "007"}) {
    INFO(good);
    CHECK(e->register_user({good, "long enough pw", std::nullopt, std::nullopt}).ok());
  }
}

TEST_CASE("password_rules_reject_short_long_and_invalid_utf8", "[accounts]") {
  auto e = open_memory_engine();
  CHECK(e->register_user({"bob", "short", {}, {}}).code() == errc::invalid_argument);
  CHECK(e->register_user({"bob", std::string(1025, 'x'), {}, {}}).code() == errc::invalid_argument);
  CHECK(e->register_user({"bob", "bad\xff\xfe utf8 pw", {}, {}}).code() == errc::invalid_argument);
  CHECK(e->register_user({"bob", "ex8ctly!", {}, {}}).ok());
}

TEST_CASE("email_and_phone_are_optional_and_validated", "[accounts]") {
  auto e = open_memory_engine();
  CHECK(e->register_user({"carol", "long enough pw", std::string("not-an-email"), {}}).code() ==
        errc::invalid_argument);
  CHECK(e->register_user({"carol", "long enough pw", {}, std::string("call me")}).code() ==
        errc::invalid_argument);
  auto ok = e->register_user(
      {"carol", "long enough pw", std::string("carol@example.org"), std::string("+44 20 7946")});
  REQUIRE(ok.ok());
  CHECK(ok->email == std::optional<std::string>("carol@example.org"));
  auto read = e->get_user(ok->id);
  REQUIRE(read.ok());
  CHECK(read->phone == std::optional<std::string>("+44 20 7946"));
}

TEST_CASE("wrong_password_and_unknown_user_are_both_unauthenticated", "[accounts]") {
  auto e = open_memory_engine();
  make_user(*e, "alice");
  auto wrong = e->login("alice", "not the password");
  auto unknown = e->login("nobody", "correct horse battery");
  CHECK(wrong.code() == errc::unauthenticated);
  CHECK(unknown.code() == errc::unauthenticated);
  CHECK(wrong.error().message() == unknown.error().message());  // no user enumeration
}

TEST_CASE("password_is_stored_as_argon2id_and_token_only_as_hash", "[accounts]") {
  const std::string url = sqlite_temp_url();
  auto e = open_engine(url);
  make_user(*e, "alice");
  auto grant = e->login("alice", "correct horse battery");
  REQUIRE(grant.ok());
  const std::string hash = sqlite_scalar(url, "SELECT password_hash FROM users");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("correct horse battery") == std::string::npos);
  const std::string stored = sqlite_scalar(url, "SELECT token_hash FROM sessions");
  CHECK(!stored.empty());
  CHECK(stored != grant->token);
  CHECK(sqlite_scalar(
            url, "SELECT COUNT(*) FROM sessions WHERE token_hash = '" + grant->token + "'") == "0");
}

TEST_CASE("sessions_expire_after_ttl_and_slide_when_used", "[accounts][sessions]") {
  manual_clock clock;
  engine_options options = clocked_options(clock);
  auto e = std::move(engine::open(options)).value();
  make_user(*e, "alice");
  auto grant = e->login("alice", "correct horse battery");
  REQUIRE(grant.ok());
  CHECK(grant->expires_at == clock.now->load() + 3600 * 1000);

  clock.advance(std::chrono::minutes(50));
  REQUIRE(e->authenticate(grant->token).ok());  // slides to 50 min + 1 h
  clock.advance(std::chrono::minutes(50));
  CHECK(e->authenticate(grant->token).ok());  // 100 min after login: alive thanks to sliding
  clock.advance(std::chrono::minutes(61));
  CHECK(e->authenticate(grant->token).code() == errc::unauthenticated);
}

TEST_CASE("a_sliding_session_ends_at_its_absolute_maximum_lifetime_however_often_used",
          "[accounts][sessions]") {
  manual_clock clock;
  engine_options options = clocked_options(clock);
  options.session_max_lifetime = std::chrono::hours(3);
  auto e = std::move(engine::open(options)).value();
  make_user(*e, "alice");
  const time_ms signed_in = clock.now->load();
  auto grant = e->login("alice", "correct horse battery");
  REQUIRE(grant.ok());
  // Used every 50 minutes, the session slides ...
  for (int i = 0; i < 3; ++i) {
    clock.advance(std::chrono::minutes(50));
    auto s = e->authenticate_session(grant->token);
    REQUIRE(s.ok());
    CHECK(s->created_at == signed_in);
    CHECK(s->expires_at <= signed_in + 3 * 3600 * 1000);
  }
  // ... but never past sign-in + 3 h: valid one millisecond before, refused at the instant.
  *clock.now = signed_in + 3 * 3600 * 1000 - 1;
  auto last = e->authenticate_session(grant->token);
  REQUIRE(last.ok());
  CHECK(last->expires_at == signed_in + 3 * 3600 * 1000);
  *clock.now = signed_in + 3 * 3600 * 1000;
  CHECK(e->authenticate(grant->token).code() == errc::unauthenticated);

  // A maximum shorter than the ttl caps a new session's first expiry too.
  options.session_max_lifetime = std::chrono::minutes(30);
  auto short_lived = std::move(engine::open(options)).value();
  make_user(*short_lived, "bob");
  auto bob = short_lived->login("bob", "correct horse battery");
  REQUIRE(bob.ok());
  CHECK(bob->expires_at == clock.now->load() + 30 * 60 * 1000);
}

TEST_CASE("logout_revokes_one_session_and_logout_everywhere_all", "[accounts][sessions]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto phone = e->login("alice", "correct horse battery");
  auto laptop = e->login("alice", "correct horse battery");
  auto tablet = e->login("alice", "correct horse battery");
  REQUIRE((phone.ok() && laptop.ok() && tablet.ok()));
  CHECK(phone->token != laptop->token);

  REQUIRE(e->logout(phone->token).ok());
  CHECK(e->authenticate(phone->token).code() == errc::unauthenticated);
  CHECK(e->authenticate(laptop->token).ok());
  CHECK(e->logout(phone->token).code() == errc::unauthenticated);  // already revoked

  auto revoked = e->logout_everywhere(alice.id);
  REQUIRE(revoked.ok());
  CHECK(*revoked == 2);
  CHECK(e->authenticate(laptop->token).code() == errc::unauthenticated);
  CHECK(e->authenticate(tablet->token).code() == errc::unauthenticated);
  CHECK(e->authenticate("").code() == errc::unauthenticated);
  CHECK(e->authenticate("garbage-token").code() == errc::unauthenticated);
}

TEST_CASE("change_username_only_to_a_free_name", "[accounts]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  make_user(*e, "bob");
  CHECK(e->change_username(alice.id, "BOB").code() == errc::conflict);
  CHECK(e->change_username(alice.id, "x").code() == errc::invalid_argument);
  CHECK(e->change_username(999999, "zed").code() == errc::not_found);
  auto renamed = e->change_username(alice.id, "Alicia");
  REQUIRE(renamed.ok());
  CHECK(renamed->username == "Alicia");
  CHECK(e->login("alicia", "correct horse battery").ok());
  CHECK(e->login("alice", "correct horse battery").code() == errc::unauthenticated);
  CHECK(e->change_username(alice.id, "ALICIA").ok());  // own name in another case is free
}

TEST_CASE("change_password_requires_the_old_one", "[accounts]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  CHECK(e->change_password(alice.id, "wrong old pw", "brand new pw").code() ==
        errc::unauthenticated);
  CHECK(e->change_password(alice.id, "correct horse battery", "short").code() ==
        errc::invalid_argument);
  REQUIRE(e->change_password(alice.id, "correct horse battery", "brand new pw").ok());
  CHECK(e->login("alice", "brand new pw").ok());
  CHECK(e->login("alice", "correct horse battery").code() == errc::unauthenticated);
}

TEST_CASE("external_identity_creates_finds_links_and_unlinks", "[accounts][identities]") {
  auto e = open_memory_engine();
  const external_identity google{"https://accounts.google.com", "1234567890",
                                 std::string("a@gmail.com"), 0};
  CHECK(e->find_user_by_identity(google.issuer, google.subject).code() == errc::not_found);
  auto created = e->register_with_identity("gina", google);
  REQUIRE(created.ok());
  auto found = e->find_user_by_identity(google.issuer, google.subject);
  REQUIRE(found.ok());
  CHECK(found->id == created->id);
  CHECK(found->username == "gina");
  CHECK(e->login("gina", "anything at all").code() == errc::unauthenticated);  // no password

  // The same identity cannot create or link a second account; a taken name is refused.
  CHECK(e->register_with_identity("gina2", google).code() == errc::conflict);
  const external_identity other{"https://idp.example", "sub-1", std::nullopt, 0};
  make_user(*e, "taken");
  CHECK(e->register_with_identity("TAKEN", other).code() == errc::conflict);
  CHECK(e->register_with_identity("x", other).code() == errc::invalid_argument);
  CHECK(e->register_with_identity("okname", {"", "s", {}, 0}).code() == errc::invalid_argument);

  // The only way in cannot be unlinked; with a second identity it can.
  CHECK(e->unlink_identity(created->id, google.issuer).code() == errc::conflict);
  REQUIRE(e->link_identity(created->id, other).ok());
  CHECK(e->link_identity(created->id, other).code() == errc::conflict);
  auto ids = e->identities(created->id);
  REQUIRE(ids.ok());
  CHECK(ids->size() == 2);
  REQUIRE(e->unlink_identity(created->id, google.issuer).ok());
  CHECK(e->unlink_identity(created->id, google.issuer).code() == errc::not_found);
  CHECK(e->find_user_by_identity(google.issuer, google.subject).code() == errc::not_found);
  // A password account may drop its last identity.
  auto pw = make_user(*e, "withpw");
  REQUIRE(e->link_identity(pw.id, google).ok());
  CHECK(e->unlink_identity(pw.id, google.issuer).ok());
}

TEST_CASE("create_session_starts_a_session_for_an_existing_user_only", "[accounts][sessions]") {
  auto e = open_memory_engine();
  auto alice = make_user(*e, "alice");
  auto grant = e->create_session(alice.id);
  REQUIRE(grant.ok());
  CHECK(e->authenticate(grant->token)->id == alice.id);
  CHECK(e->create_session(424242).code() == errc::not_found);
}

TEST_CASE("every_error_code_has_a_stable_name", "[errors]") {
  CHECK(std::string(to_string(errc::ok)) == "ok");
  CHECK(std::string(to_string(errc::invalid_argument)) == "invalid_argument");
  CHECK(std::string(to_string(errc::not_found)) == "not_found");
  CHECK(std::string(to_string(errc::forbidden)) == "forbidden");
  CHECK(std::string(to_string(errc::conflict)) == "conflict");
  CHECK(std::string(to_string(errc::unauthenticated)) == "unauthenticated");
  CHECK(std::string(to_string(errc::unavailable)) == "unavailable");
  CHECK(std::string(to_string(errc::internal)) == "internal");
  CHECK(std::string(to_string(errc::rate_limited)) == "rate_limited");
  CHECK(static_cast<int>(errc::unavailable) == 6);
  CHECK(static_cast<int>(errc::rate_limited) == 8);
}

TEST_CASE("opening_a_malformed_or_unreachable_database_fails_cleanly", "[errors]") {
  engine_options options;
  options.database = "nosuchbackend://x";
  CHECK(engine::open(options).code() == errc::invalid_argument);
  options.database = "sqlite3://db=/nonexistent-dir/sub/chat.db";
  auto failed = engine::open(options);
  CHECK(failed.code() == errc::unavailable);  // the directory may appear: retry later
  CHECK_THAT(failed.error().message(), Catch::StartsWith("cannot open the database: "));
  options.database = "mysql://db=chat user=chat password=x host=127.0.0.1 port=1 connect_timeout=2";
#if CHAT_WITH_MYSQL
  CHECK(engine::open(options).code() == errc::unavailable);
#else
  // A SQLite-only build refuses every mysql:// database, reachable or not, and says why.
  auto refused = engine::open(options);
  CHECK(refused.code() == errc::invalid_argument);
  CHECK_THAT(refused.error().message(), Catch::Contains("without MySQL/MariaDB support"));
#endif
}

// ---- Rules at their edges, both ways ----------------------------------------------------------

TEST_CASE("usernames_differing_only_in_the_case_of_a_or_z_are_the_same_name",
          "[accounts][limits]") {
  auto e = open_memory_engine();
  // The first and last letters of the alphabet, first and last in the name.
  auto upper_z = make_user(*e, "userZ");
  CHECK(e->register_user({"userz", "long enough pw", {}, {}}).code() == errc::conflict);
  auto lower_a = make_user(*e, "abc");
  CHECK(e->register_user({"Abc", "long enough pw", {}, {}}).code() == errc::conflict);
  CHECK(e->find_user("USERz")->id == upper_z.id);
  CHECK(e->find_user("ABC")->id == lower_a.id);
  CHECK(e->login("userz", "correct horse battery").ok());
  CHECK(e->login("ABC", "correct horse battery").ok());
  CHECK(e->change_username(lower_a.id, "USERZ").code() == errc::conflict);
  // Folding is ASCII letters only: the characters next to A-Z and a-z stay distinct names.
  auto a = make_user(*e, "a_b");
  auto b = make_user(*e, "a-b");
  auto c = make_user(*e, "a.b");
  CHECK(a.id != b.id);
  CHECK(b.id != c.id);
  CHECK(e->find_user("a_b")->id == a.id);
}

TEST_CASE("username_characters_at_the_ends_of_each_allowed_range", "[accounts][limits]") {
  auto e = open_memory_engine();
  for (const char* good : {"aaz", "BBZ", "a09", "az.", "az-", "az_"}) {
    INFO(good);
    CHECK(e->register_user({good, "long enough pw", {}, {}}).ok());
  }
  // The ASCII neighbours of the allowed ranges: / : @ [ ` {
  for (const char* bad : {"ab/", "ab:", "ab@", "ab[", "ab`", "ab{", "ab,", "ab\x7f"}) {
    INFO(bad);
    CHECK(e->register_user({bad, "long enough pw", {}, {}}).code() == errc::invalid_argument);
    CHECK(e->find_user(bad).code() == errc::not_found);
  }
}

TEST_CASE("passwords_of_exactly_8_and_1024_bytes_work_and_one_less_or_more_do_not",
          "[accounts][limits]") {
  auto e = open_memory_engine();
  std::string long_pw;  // varied enough for cracklib
  for (unsigned i = 0; long_pw.size() < 1024; ++i)
    long_pw += static_cast<char>('!' + (i * 37) % 94);
  CHECK(e->register_user({"longpw", long_pw + "x", {}, {}}).code() == errc::invalid_argument);
  auto longest = e->register_user({"longpw", long_pw, {}, {}});
  INFO(longest.error().message());
  REQUIRE(longest.ok());
  CHECK(e->login("longpw", long_pw).ok());
  CHECK(e->login("longpw", long_pw + "x").code() == errc::unauthenticated);
  CHECK(e->register_user({"shortpw", "ex8ctl!", {}, {}}).code() == errc::invalid_argument);
  REQUIRE(e->register_user({"shortpw", "ex8ctly!", {}, {}}).ok());
  CHECK(e->login("shortpw", "ex8ctly!").ok());
}

TEST_CASE("an_email_needs_a_name_and_a_domain_around_its_at_sign", "[accounts][limits]") {
  auto e = open_memory_engine();
  for (const char* bad : {"@example.org", "name@", "no-at-sign", "@", ""}) {
    INFO(bad);
    CHECK(e->register_user({"carol", "long enough pw", std::string(bad), {}}).code() ==
          errc::invalid_argument);
  }
  // 254 bytes is the longest address; the shortest has one byte each side.
  const std::string longest = std::string(242, 'n') + "@example.org";
  REQUIRE(longest.size() == 254);
  CHECK(e->register_user({"too_long", "long enough pw", "n" + longest, {}}).code() ==
        errc::invalid_argument);
  CHECK(e->register_user({"longest", "long enough pw", longest, {}}).ok());
  CHECK(e->register_user({"shortest", "long enough pw", std::string("a@b"), {}}).ok());
  CHECK(e->register_user({"badutf8", "long enough pw", std::string("\xff@b"), {}}).code() ==
        errc::invalid_argument);
}

TEST_CASE("a_phone_number_is_1_to_32_of_digits_spaces_and_plus_minus_parens",
          "[accounts][limits]") {
  auto e = open_memory_engine();
  CHECK(e->register_user({"pempty", "long enough pw", {}, std::string("")}).code() ==
        errc::invalid_argument);
  CHECK(e->register_user({"plong", "long enough pw", {}, std::string(33, '1')}).code() ==
        errc::invalid_argument);
  CHECK(e->register_user({"pmax", "long enough pw", {}, std::string(32, '9')}).ok());
  CHECK(e->register_user({"pone", "long enough pw", {}, std::string("0")}).ok());
  CHECK(e->register_user({"pall", "long enough pw", {}, std::string("+1 (0) 2-3")}).ok());
  CHECK(e->register_user({"pdot", "long enough pw", {}, std::string("1.2")}).code() ==
        errc::invalid_argument);
}

TEST_CASE("a_session_is_valid_until_one_tick_before_its_expiry_instant", "[accounts][sessions]") {
  manual_clock clock;
  engine_options options = clocked_options(clock);  // below the absolute maximum: the ttl decides
  auto e = std::move(engine::open(options)).value();
  make_user(*e, "alice");
  // Three sessions with one expiry, each used once only (a use would slide it).
  auto before = e->login("alice", "correct horse battery");
  auto at = e->login("alice", "correct horse battery");
  auto after = e->login("alice", "correct horse battery");
  REQUIRE((before.ok() && at.ok() && after.ok()));
  const time_ms expiry = clock.now->load() + 3600 * 1000;
  REQUIRE(before->expires_at == expiry);
  REQUIRE(at->expires_at == expiry);

  *clock.now = expiry - 1;
  CHECK(e->authenticate(before->token).ok());
  *clock.now = expiry;
  CHECK(e->authenticate(at->token).code() == errc::unauthenticated);
  *clock.now = expiry + 1;
  CHECK(e->authenticate(after->token).code() == errc::unauthenticated);
  // The one used in time slid on: still valid after the others' expiry.
  CHECK(e->authenticate(before->token).ok());
  // An expired session is gone, also when the clock is set back.
  *clock.now = expiry - 1;
  CHECK(e->authenticate(at->token).code() == errc::unauthenticated);
}

TEST_CASE("a_session_slides_only_once_a_full_step_of_60_seconds_has_passed",
          "[accounts][sessions]") {
  manual_clock clock;
  engine_options options = clocked_options(clock);
  auto e = std::move(engine::open(options)).value();
  make_user(*e, "alice");
  const time_ms signed_in = clock.now->load();
  auto grant = e->login("alice", "correct horse battery");
  REQUIRE(grant.ok());
  const time_ms ttl = 3600 * 1000;
  *clock.now = signed_in + 60 * 1000 - 1;
  auto early = e->authenticate_session(grant->token);
  REQUIRE(early.ok());
  CHECK(early->expires_at == signed_in + ttl);  // not moved: less than a step
  *clock.now = signed_in + 60 * 1000;
  auto step = e->authenticate_session(grant->token);
  REQUIRE(step.ok());
  CHECK(step->expires_at == signed_in + 60 * 1000 + ttl);  // a full step: slides
}

TEST_CASE("an_account_without_a_password_sets_its_first_one_without_an_old_one",
          "[accounts][identities]") {
  auto e = open_memory_engine();
  const external_identity idp{"https://idp.example", "sub-42", std::nullopt, 0};
  auto created = e->register_with_identity("oidcuser", idp);
  REQUIRE(created.ok());
  CHECK(e->login("oidcuser", "brand new pw").code() == errc::unauthenticated);
  // No password yet: whatever is given as the old one, the first password is set.
  REQUIRE(e->change_password(created->id, "", "brand new pw").ok());
  CHECK(e->login("oidcuser", "brand new pw").ok());
  // From now on the old password is required.
  CHECK(e->change_password(created->id, "", "another new pw").code() == errc::unauthenticated);
  CHECK(e->change_password(created->id, "wrong old pw", "another new pw").code() ==
        errc::unauthenticated);
  REQUIRE(e->change_password(created->id, "brand new pw", "another new pw").ok());
  CHECK(e->login("oidcuser", "another new pw").ok());
  // With a password, the identity may be unlinked (the account keeps a way in).
  CHECK(e->unlink_identity(created->id, idp.issuer).ok());
  CHECK(e->change_password(424242, "", "brand new pw").code() == errc::not_found);
}

TEST_CASE("issuer_and_subject_are_1_to_255_bytes", "[accounts][identities][limits]") {
  auto e = open_memory_engine();
  const std::string max(255, 's');
  CHECK(e->register_with_identity("idmax", {max, max, std::nullopt, 0}).ok());
  CHECK(e->register_with_identity("idlong1", {max + "s", "sub", std::nullopt, 0}).code() ==
        errc::invalid_argument);
  CHECK(e->register_with_identity("idlong2", {"iss", max + "s", std::nullopt, 0}).code() ==
        errc::invalid_argument);
  CHECK(e->register_with_identity("idempty", {"iss", "", std::nullopt, 0}).code() ==
        errc::invalid_argument);
  CHECK(e->register_with_identity("idmin", {"i", "s", std::nullopt, 0}).ok());
}
