// The column lists that the store's SELECTs and the row types (soci_common.hpp) agree on, in
// one place; the tables themselves are created by migrations.cpp. No SOCI here.
#pragma once

namespace chat::detail::schema {

// "SELECT " + k_user_columns + "WHERE ...": read into soci_rows::user_row in this order.
constexpr const char* k_user_columns =
    "id, username, email, phone, created_at, password_hash FROM users ";

// Read into soci_rows::message_row (and the MySQL group commit's rows) in this order.
constexpr const char* k_message_columns =
    "id, channel_id, seq, sender_id, text, client_msg_id, created_at FROM messages ";

// Read into the store's channel_row in this order.
constexpr const char* k_channel_columns =
    "id, kind, name, topic, created_by, created_at FROM channels ";

// The columns of one stored message as the group commit inserts them (multi-row VALUES).
constexpr const char* k_message_insert =
    "INSERT INTO messages (channel_id, seq, sender_id, text, client_msg_id, created_at) VALUES ";

}  // namespace chat::detail::schema
