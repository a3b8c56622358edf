// The JSON encoding of public types, shared by the engine's events and every transport so that a
// message looks the same in an event, a send acknowledgement and a history page.
// 64-bit ids are JSON strings (JavaScript numbers lose precision above 2^53); seqs, counts and
// times (epoch milliseconds) are numbers. See docs/protocol.md for each object.
#pragma once

#include <optional>
#include <string>

#include "chat/events.hpp"
#include "chat/types.hpp"

namespace chat::wire {

std::string to_json(const user& u);  // {"id","username","created_at"}; no email/phone
std::string to_json(
    const message& m);  // {"id","channel_id","seq","sender_id","text","client_msg_id","created_at"}
std::string to_json(const channel& c);  // {"id","kind","name","topic","created_by","created_at"}
std::string to_json(const member& m);   // {"user_id","username","role","joined_at"}
std::string to_json(
    const channel_summary& s);  // {"channel","role","last_seq","last_read_seq","unread","peer"?,
                                // "last_message"?}
std::string to_json(const external_identity& i);  // {"issuer","subject","email"?,"linked_at"}
std::string to_json(const privacy_settings& p);   // {"group_adds"}
// An identity as a server lists it (GET /v1/me/identities): to_json(i) plus "provider", the id
// under which the server knows its issuer (null when none is configured).
std::string to_json(const external_identity& i, const std::optional<std::string>& provider);
// A sign-in's answer: {"token","expires_at","user"}; without "token" when `with_token` is
// false (a browser gets the token only as an HttpOnly cookie).
std::string to_json(const session_grant& g, bool with_token = true);

// Pages (the results of history, sync, list_channels and list_members). The engine budgets a
// page so that its encoding here is at most engine_options::max_reply_bytes.
std::string to_json(const history_page& p);  // {"messages":[MESSAGE,...],"has_more"}
std::string to_json(const channel_sync& c);  // {"channel_id","messages":[MESSAGE,...],"has_more"}
std::string to_json(const sync_result& s);   // {"channels":[channel_sync,...],"has_more"}
std::string to_json(const channel_page& p);  // {"channels":[SUMMARY,...],"has_more"}
std::string to_json(const member_page& p);   // {"members":[MEMBER,...],"has_more"}

// The event frame delivered to sessions: {"type":"event","event":"message.created",...}.
// This is what event::json holds; transports send it unchanged.
std::string encode_event(const event& e);

// The wire name of an event ("message.created", "member.added", ...).
const char* event_name(event_kind kind) noexcept;

}  // namespace chat::wire
