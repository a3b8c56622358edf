/**
 * @file chat.h
 * @brief The C API of libchat: a stable, C-only surface over chat::engine.
 *
 * This header is what other languages build on (Swift as a C module, Kotlin/JNI, Python ctypes).
 * It contains no C++ type, and no C++ exception ever crosses it.
 *
 * @par Conventions, true of every function unless its comment says otherwise
 * - **Errors.** Every fallible call takes a last parameter `chat_error *error`, which may be
 *   NULL. On return it holds #CHAT_OK and an empty message on success, or the failure's code and
 *   a human-readable message. The caller owns the struct (usually on its stack); nothing in it
 *   needs freeing. Calls returning a pointer return NULL on failure; calls with nothing to return
 *   return `bool` (true on success); the few returning a number say which value means failure.
 * - **Strings in.** `const char *` arguments are NUL-terminated UTF-8, borrowed only for the
 *   duration of the call. A NULL required string fails with #CHAT_ERR_INVALID_ARGUMENT. No
 *   text of the engine can hold U+0000: it refuses the code point in every input (a JSON
 *   client's "\u0000" included; message text, names and topics refuse all C0 controls but tab
 *   and newline), so a NUL-terminated string carries any valid value whole, and strlen() of
 *   every returned string is its length.
 * - **Objects out.** Returned structs are allocated by the library in one piece together with
 *   every string, array and nested struct they point to. The caller owns the returned pointer and
 *   releases it with the matching `chat_*_free` function (each accepts NULL), which frees the
 *   pointed-to data too. Read them, never write them, never free their fields, and never allocate
 *   or copy them by value: their layout is fixed for one soname (libchat_c.so.0), and later
 *   versions may append fields.
 * - **Static strings.** The `*_to_string` functions and chat_version() return static strings
 *   that are never freed.
 * - **Threads.** A #chat_engine may be used from any number of threads at once, except
 *   chat_engine_close(), which must be the engine's last call. See #chat_connection for events.
 * - **Ids.** Users, channels and messages have positive 64-bit ids; 0 never names anything.
 */
#ifndef CHAT_H
#define CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/version.hpp" /* CHAT_VERSION_*: the library's version, written once (valid C) */

#ifdef __cplusplus
extern "C" {
#endif

/** @cond CHAT_INTERNAL */
#if defined(_WIN32) && defined(CHAT_C_BUILDING)
#define CHAT_API __declspec(dllexport)
#elif defined(_WIN32)
#define CHAT_API __declspec(dllimport)
#elif defined(__GNUC__)
#define CHAT_API __attribute__((visibility("default")))
#else
#define CHAT_API
#endif
/* In C++ the enums get the fixed underlying type int, which C's enums have in practice: then
 * every int a caller passes is a valid value of the type (the library rejects unknown ones with
 * CHAT_ERR_INVALID_ARGUMENT) instead of undefined behaviour. */
#ifdef __cplusplus
#define CHAT_ENUM_INT : int
#else
#define CHAT_ENUM_INT
#endif
/** @endcond */

/* ------------------------------------------------------------------------------------------- */
/** @name Version and errors */
/** @{ */

/** Major version of this header; the library's must match (see chat_version()). */
#define CHAT_C_VERSION_MAJOR CHAT_VERSION_MAJOR
/** Minor version of this header. */
#define CHAT_C_VERSION_MINOR CHAT_VERSION_MINOR
/** Patch version of this header. */
#define CHAT_C_VERSION_PATCH CHAT_VERSION_PATCH

/** The library's version, "MAJOR.MINOR.PATCH" (static string). */
CHAT_API const char* chat_version(void);

/**
 * Error codes: the same stable integers as chat::errc in the C++ API and "error" on the wire.
 * Never renumbered; new codes may be added at the end.
 */
typedef enum chat_errc CHAT_ENUM_INT {
  CHAT_OK = 0,                   /**< success */
  CHAT_ERR_INVALID_ARGUMENT = 1, /**< input breaks a documented rule (length, charset, UTF-8) */
  CHAT_ERR_NOT_FOUND = 2,        /**< the user, channel or session does not exist */
  CHAT_ERR_FORBIDDEN = 3,        /**< the caller exists but lacks the right (not a member...) */
  CHAT_ERR_CONFLICT = 4,         /**< collides with current state (name taken, last owner) */
  CHAT_ERR_UNAUTHENTICATED = 5,  /**< wrong password; unknown, expired or revoked token */
  CHAT_ERR_UNAVAILABLE = 6,      /**< the database cannot be reached; safe to retry later */
  CHAT_ERR_INTERNAL = 7,         /**< a bug or an unexpected failure (out of memory...) */
  CHAT_ERR_RATE_LIMITED = 8      /**< too many failed logins: wait (the message says how long) */
} chat_errc;

/** Size of chat_error::message, terminating NUL included. */
#define CHAT_ERROR_MESSAGE_SIZE 256

/**
 * The outcome of one call. Owned by the caller; the library only writes into it.
 * Longer messages are cut at a UTF-8 character boundary to fit.
 */
typedef struct chat_error {
  chat_errc code;                        /**< #CHAT_OK on success */
  char message[CHAT_ERROR_MESSAGE_SIZE]; /**< NUL-terminated UTF-8; empty on success */
} chat_error;

/** The snake_case name of a code ("not_found"), as on the wire; "unknown" if out of range. */
CHAT_API const char* chat_errc_to_string(chat_errc code);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Value types */
/** @{ */

/** Kind of channel. */
typedef enum chat_channel_kind CHAT_ENUM_INT {
  CHAT_CHANNEL_GROUP = 0, /**< a named channel with roles */
  CHAT_CHANNEL_DIRECT = 1 /**< the one conversation of a pair of users */
} chat_channel_kind;

/** A member's role in a group channel. */
typedef enum chat_role CHAT_ENUM_INT {
  CHAT_ROLE_MEMBER = 0, /**< reads and writes */
  CHAT_ROLE_ADMIN = 1,  /**< also adds and removes members */
  CHAT_ROLE_OWNER = 2   /**< also changes roles */
} chat_role;

/** "group" or "direct"; "unknown" if out of range. */
CHAT_API const char* chat_channel_kind_to_string(chat_channel_kind kind);
/** "member", "admin" or "owner"; "unknown" if out of range. */
CHAT_API const char* chat_role_to_string(chat_role role);

/** An account. Free with chat_user_free() when returned on its own. */
typedef struct chat_user {
  int64_t id;           /**< user id */
  const char* username; /**< as chosen; unique ignoring ASCII case */
  const char* email;    /**< NULL if none */
  const char* phone;    /**< NULL if none */
  int64_t created_at;   /**< Unix epoch milliseconds */
} chat_user;

/** A signed-in session. The token is shown once: the engine stores only its hash. */
typedef struct chat_session {
  const char* token;  /**< bearer token for chat_authenticate() and chat_logout() */
  chat_user user;     /**< the account */
  int64_t expires_at; /**< epoch ms; slides forward on every chat_authenticate() */
} chat_session;

/** A channel. */
typedef struct chat_channel {
  int64_t id;             /**< channel id */
  chat_channel_kind kind; /**< group or direct */
  const char* name;       /**< empty for direct conversations */
  const char* topic;      /**< may be empty */
  int64_t created_by;     /**< user id of the creator */
  int64_t created_at;     /**< epoch ms */
} chat_channel;

/** A member of a channel. */
typedef struct chat_member {
  int64_t user_id;      /**< the member */
  const char* username; /**< their username */
  chat_role role;       /**< their role */
  int64_t joined_at;    /**< epoch ms */
} chat_member;

/** A stored message. */
typedef struct chat_message {
  int64_t id;                /**< message id, unique in the database */
  int64_t channel_id;        /**< its channel */
  int64_t seq;               /**< per-channel sequence: 1, 2, 3... without gaps */
  int64_t sender_id;         /**< who sent it */
  const char* text;          /**< UTF-8, 1..2000 code points */
  const char* client_msg_id; /**< the sender's idempotency key; empty if none */
  int64_t created_at;        /**< epoch ms */
} chat_message;

/** One line of "my conversations" (chat_list_channels()). */
typedef struct chat_channel_summary {
  chat_channel channel;             /**< the channel */
  chat_role my_role;                /**< my role in it */
  int64_t last_seq;                 /**< seq of the newest message, 0 if none */
  int64_t last_read_seq;            /**< my read marker */
  int64_t unread;                   /**< last_seq - last_read_seq */
  const chat_user* peer;            /**< the other user of a direct conversation, else NULL */
  const chat_message* last_message; /**< the newest message, NULL if none */
} chat_channel_summary;

/** My channels. Free with chat_channel_list_free(). */
typedef struct chat_channel_list {
  size_t count;                      /**< number of items */
  const chat_channel_summary* items; /**< count summaries */
} chat_channel_list;

/** Members of a channel. Free with chat_member_list_free(). */
typedef struct chat_member_list {
  size_t count;             /**< number of items */
  const chat_member* items; /**< count members */
} chat_member_list;

/** A page of history, ascending seq. Free with chat_message_list_free(). */
typedef struct chat_message_list {
  size_t count;              /**< number of items */
  const chat_message* items; /**< count messages, ascending seq */
  bool has_more;             /**< more messages exist beyond this page in its direction */
} chat_message_list;

/** A list of user ids. Free with chat_id_list_free(). */
typedef struct chat_id_list {
  size_t count;       /**< number of ids */
  const int64_t* ids; /**< count ids */
} chat_id_list;

/** Where a client stands in one channel (input of chat_sync()). */
typedef struct chat_sync_cursor {
  int64_t channel_id; /**< the channel */
  int64_t after_seq;  /**< the last seq the client has */
} chat_sync_cursor;

/** What is new in one channel (part of #chat_sync_result). */
typedef struct chat_channel_sync {
  int64_t channel_id;           /**< the channel */
  size_t count;                 /**< number of messages */
  const chat_message* messages; /**< ascending seq, all after the cursor */
  bool has_more;                /**< call chat_sync() again from the last seq */
} chat_channel_sync;

/** The result of chat_sync(). Free with chat_sync_result_free(). */
typedef struct chat_sync_result {
  size_t count;                      /**< number of channels with something new */
  const chat_channel_sync* channels; /**< count entries, ascending channel id */
  bool has_more; /**< ended early (byte budget or 100 channels): call again, cursors moved on */
} chat_sync_result;

/** Frees a user; NULL is ignored. */
CHAT_API void chat_user_free(chat_user* user);
/** Frees a session (and its token); NULL is ignored. */
CHAT_API void chat_session_free(chat_session* session);
/** Frees a channel; NULL is ignored. */
CHAT_API void chat_channel_free(chat_channel* channel);
/** Frees a message; NULL is ignored. */
CHAT_API void chat_message_free(chat_message* message);
/** Frees a channel list; NULL is ignored. */
CHAT_API void chat_channel_list_free(chat_channel_list* list);
/** Frees a member list; NULL is ignored. */
CHAT_API void chat_member_list_free(chat_member_list* list);
/** Frees a message list; NULL is ignored. */
CHAT_API void chat_message_list_free(chat_message_list* list);
/** Frees an id list; NULL is ignored. */
CHAT_API void chat_id_list_free(chat_id_list* list);
/** Frees a sync result; NULL is ignored. */
CHAT_API void chat_sync_result_free(chat_sync_result* result);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Opening and closing an engine */
/** @{ */

/** Cost of argon2id password hashing. */
typedef enum chat_password_cost CHAT_ENUM_INT {
  CHAT_PASSWORD_COST_MINIMUM = 0,     /**< for tests only: never in production */
  CHAT_PASSWORD_COST_INTERACTIVE = 1, /**< libsodium's minimum for online logins (default) */
  CHAT_PASSWORD_COST_MODERATE = 2     /**< slower, stronger */
} chat_password_cost;

/**
 * A time source: returns Unix epoch milliseconds. Called on any engine thread, concurrently;
 * it must be thread-safe and must not call into the engine.
 */
typedef int64_t (*chat_clock_fn)(void* user_data);

/** Settings for chat_engine_open(); opaque so that new settings never break the ABI. */
typedef struct chat_engine_options chat_engine_options;

/**
 * New options holding the defaults: database "sqlite3://db=chat.db", 4 connections, 30-day
 * sessions, interactive password cost, commit batches of 512, the system clock.
 * Free with chat_engine_options_free(). NULL only if out of memory.
 */
CHAT_API chat_engine_options* chat_engine_options_new(void);
/** Frees options; NULL is ignored. The engine keeps its own copy once opened. */
CHAT_API void chat_engine_options_free(chat_engine_options* options);
/**
 * Sets the database, a SOCI connection string: "sqlite3://db=/path/chat.db" (or db=:memory:),
 * or "mysql://db=chat user=chat password=... unix_socket=/path/mysql.sock" / "host=H port=P".
 * The string is copied. Errors: invalid_argument (NULL or empty).
 */
CHAT_API bool chat_engine_options_set_database(chat_engine_options* options, const char* database,
                                               chat_error* error);
/** The longest session lifetime chat_engine_options_set_session_ttl() takes: 3650 days. */
#define CHAT_MAX_SESSION_TTL_SECONDS (3650LL * 24 * 60 * 60)

/** Sets the number of pooled database connections (at least 1; :memory: always uses one). */
CHAT_API bool chat_engine_options_set_pool_size(chat_engine_options* options, int pool_size,
                                                chat_error* error);
/**
 * Sets the sliding session lifetime in seconds, 1 to #CHAT_MAX_SESSION_TTL_SECONDS (3650 days,
 * as chatd's --session-ttl-days). Errors: invalid_argument (out of range).
 */
CHAT_API bool chat_engine_options_set_session_ttl(chat_engine_options* options, int64_t seconds,
                                                  chat_error* error);
/** Sets the password hashing cost. Errors: invalid_argument (unknown value). */
CHAT_API bool chat_engine_options_set_password_cost(chat_engine_options* options,
                                                    chat_password_cost cost, chat_error* error);
/** Sets the most sends committed in one transaction (at least 1). */
CHAT_API bool chat_engine_options_set_max_commit_batch(chat_engine_options* options, int max_batch,
                                                       chat_error* error);
/**
 * Sets the number of group-commit threads on MySQL/MariaDB (1 to 16, default 1), each committing
 * its own share of the channels, so a channel's messages keep their order. SQLite always uses
 * one. More pay off when the database has cores of its own (docs/performance.md).
 */
CHAT_API bool chat_engine_options_set_commit_threads(chat_engine_options* options, int threads,
                                                     chat_error* error);
/** The longest commit delay chat_engine_options_set_commit_delay_us() takes: 100 ms. */
#define CHAT_MAX_COMMIT_DELAY_US 100000LL
/**
 * Sets how long, in microseconds, a group commit under load waits for more sends to join its
 * transaction (0 to #CHAT_MAX_COMMIT_DELAY_US, default 0: off): fewer, larger transactions for at
 * most this much more latency; a send into a quiet engine commits at once. Errors:
 * invalid_argument (out of range).
 */
CHAT_API bool chat_engine_options_set_commit_delay_us(chat_engine_options* options,
                                                      int64_t microseconds, chat_error* error);
/**
 * Sets how many channels' member lists live delivery keeps in memory (at least 1, default
 * 10,000); the least recently used are dropped and reloaded on their next message.
 */
CHAT_API bool chat_engine_options_set_member_cache_channels(chat_engine_options* options,
                                                            int channels, chat_error* error);
/**
 * Replaces the clock (tests use it to age sessions); NULL restores the system clock.
 * `user_data` is passed to every call and must outlive the engine.
 */
CHAT_API void chat_engine_options_set_clock(chat_engine_options* options, chat_clock_fn clock,
                                            void* user_data);

/** An open engine: opaque; from chat_engine_open(), released by chat_engine_close(). */
typedef struct chat_engine chat_engine;

/**
 * Opens (creating or migrating) the database and starts the engine. `options` may be NULL for
 * the defaults; it is copied and may be freed afterwards.
 * Errors: invalid_argument (malformed connection string), unavailable (cannot connect),
 * conflict (the SQLite file is in use by another engine: one engine per SQLite database).
 */
CHAT_API chat_engine* chat_engine_open(const chat_engine_options* options, chat_error* error);

/**
 * Finishes pending sends, closes every connection still open (their handles stay valid until
 * chat_connection_close(); pending polled events can still be read), and frees the engine.
 * No other call on this engine may be running or start afterwards, except polls of its
 * connections, which it wakes (they then return #CHAT_ERR_UNAVAILABLE). NULL is ignored.
 */
CHAT_API void chat_engine_close(chat_engine* engine);

/** Ok if the database answers now. Errors: unavailable. */
CHAT_API bool chat_check_database(chat_engine* engine, chat_error* error);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Accounts and sessions */
/** @{ */

/**
 * Creates an account. Usernames: 3..20 of A-Z a-z 0-9 _ . - ; passwords: 8..1024 bytes of
 * UTF-8. `email` and `phone` may be NULL. Free the result with chat_user_free().
 * Errors: invalid_argument, conflict (name taken, ignoring case).
 */
CHAT_API chat_user* chat_register_user(chat_engine* engine, const char* username,
                                       const char* password, const char* email, const char* phone,
                                       chat_error* error);

/**
 * Signs in with a password and starts a session. Free with chat_session_free().
 * Errors: unauthenticated (unknown user or wrong password, one message for both).
 */
CHAT_API chat_session* chat_login(chat_engine* engine, const char* username, const char* password,
                                  chat_error* error);

/** Starts a session for a user proven by other means (e.g. OpenID Connect). Errors: not_found. */
CHAT_API chat_session* chat_create_session(chat_engine* engine, int64_t user_id, chat_error* error);

/**
 * Resolves a session token to its user and slides its expiry. Free with chat_user_free().
 * Errors: unauthenticated (unknown, expired or revoked token).
 */
CHAT_API chat_user* chat_authenticate(chat_engine* engine, const char* token, chat_error* error);

/** Revokes one session. Errors: unauthenticated (unknown or already revoked token). */
CHAT_API bool chat_logout(chat_engine* engine, const char* token, chat_error* error);

/** Revokes every session of a user; returns how many, or -1 on failure. */
CHAT_API int chat_logout_everywhere(chat_engine* engine, int64_t user_id, chat_error* error);

/** Looks up a user by id. Free with chat_user_free(). Errors: not_found. */
CHAT_API chat_user* chat_get_user(chat_engine* engine, int64_t user_id, chat_error* error);

/** Looks up a user by name, in any letter case. Free with chat_user_free(). Errors: not_found. */
CHAT_API chat_user* chat_find_user(chat_engine* engine, const char* username, chat_error* error);

/**
 * Changes a password after checking the old one.
 * Errors: unauthenticated (wrong old password), invalid_argument, not_found.
 */
CHAT_API bool chat_change_password(chat_engine* engine, int64_t user_id, const char* old_password,
                                   const char* new_password, chat_error* error);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Channels and membership */
/** @{ */

/**
 * Creates a group channel: `creator` becomes owner, the `member_count` users of `members` (may
 * be NULL when 0) plain members. Name: 1..80 code points; topic (NULL means empty): 0..250.
 * Free with chat_channel_free(). Errors: invalid_argument, not_found (unknown user).
 */
CHAT_API chat_channel* chat_create_group(chat_engine* engine, int64_t creator, const char* name,
                                         const char* topic, const int64_t* members,
                                         size_t member_count, chat_error* error);

/**
 * The one direct conversation of `me` and `peer`, created on first call (race-free).
 * Free with chat_channel_free(). Errors: invalid_argument (me == peer), not_found.
 */
CHAT_API chat_channel* chat_open_direct(chat_engine* engine, int64_t me, int64_t peer,
                                        chat_error* error);

/**
 * All my channels, ascending channel id (read page by page, so the list is as long as the
 * user has channels). Free with chat_channel_list_free().
 */
CHAT_API chat_channel_list* chat_list_channels(chat_engine* engine, int64_t me, chat_error* error);

/** A channel I am a member of. Errors: not_found, forbidden (not a member). */
CHAT_API chat_channel* chat_get_channel(chat_engine* engine, int64_t me, int64_t channel_id,
                                        chat_error* error);

/** Renames a group (owners and admins). Errors: invalid_argument, forbidden, not_found. */
CHAT_API chat_channel* chat_rename_channel(chat_engine* engine, int64_t actor, int64_t channel_id,
                                           const char* name, chat_error* error);

/** Sets a group's topic (owners and admins). Errors: invalid_argument, forbidden, not_found. */
CHAT_API chat_channel* chat_set_topic(chat_engine* engine, int64_t actor, int64_t channel_id,
                                      const char* topic, chat_error* error);

/**
 * All members of a channel I am in, ascending user id. Free with chat_member_list_free().
 * Errors: not_found, forbidden.
 */
CHAT_API chat_member_list* chat_members(chat_engine* engine, int64_t me, int64_t channel_id,
                                        chat_error* error);

/**
 * Adds `target` with `role`. Owners add anyone as anything, admins add members and admins;
 * direct conversations are fixed. Errors: forbidden, not_found, conflict (already a member),
 * invalid_argument (unknown role).
 */
CHAT_API bool chat_add_member(chat_engine* engine, int64_t actor, int64_t channel_id,
                              int64_t target, chat_role role, chat_error* error);

/**
 * Removes `target` (owners and admins; admins cannot remove owners).
 * Errors: forbidden, not_found (no such channel, or `target` is not a member).
 */
CHAT_API bool chat_remove_member(chat_engine* engine, int64_t actor, int64_t channel_id,
                                 int64_t target, chat_error* error);

/**
 * Leaves a group. Errors: conflict (the last owner while others remain), forbidden (not a
 * member, or a direct conversation), not_found.
 */
CHAT_API bool chat_leave(chat_engine* engine, int64_t me, int64_t channel_id, chat_error* error);

/**
 * Changes a member's role (owners only). Errors: forbidden, not_found, conflict (demoting the
 * last owner), invalid_argument (unknown role).
 */
CHAT_API bool chat_set_role(chat_engine* engine, int64_t actor, int64_t channel_id, int64_t target,
                            chat_role role, chat_error* error);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Live events */
/** @{ */

/** What happened; values mirror chat::event_kind. */
typedef enum chat_event_kind CHAT_ENUM_INT {
  CHAT_EVENT_MESSAGE_CREATED = 0,     /**< a message was committed in one of my channels */
  CHAT_EVENT_CHANNEL_CREATED = 1,     /**< I was in a channel at its creation */
  CHAT_EVENT_CHANNEL_UPDATED = 2,     /**< name or topic changed */
  CHAT_EVENT_MEMBER_ADDED = 3,        /**< someone (possibly me) joined */
  CHAT_EVENT_MEMBER_REMOVED = 4,      /**< someone (possibly me) left or was removed */
  CHAT_EVENT_MEMBER_ROLE_CHANGED = 5, /**< a member's role changed */
  CHAT_EVENT_READ_MARKER = 6,         /**< one of my sessions moved my read marker */
  CHAT_EVENT_PRESENCE = 7,            /**< a contact came online or went offline */
  CHAT_EVENT_TYPING = 8,              /**< a member is typing (ephemeral) */
  /** The engine dropped this connection: chat_logout_everywhere() of its user (or a logout of
   * its session). It is the connection's last event; close it. */
  CHAT_EVENT_SESSION_REVOKED = 9,
  CHAT_EVENT_USER_UPDATED = 10 /**< a contact (or I) changed username; see chat_event::user */
} chat_event_kind;

/** The snake_case name of a kind ("message_created"); "unknown" if out of range. */
CHAT_API const char* chat_event_kind_to_string(chat_event_kind kind);

/**
 * One event. `json` is its wire frame (docs/protocol.md), identical to what chatd sends; the
 * typed fields carry the same data for C callers. Pointers are NULL when not used by the kind.
 */
typedef struct chat_event {
  chat_event_kind kind;        /**< what happened */
  int64_t channel_id;          /**< the channel; 0 for presence */
  int64_t actor_id;            /**< who caused it (0: the server); presence, typing: who */
  const char* json;            /**< the wire frame, NUL-terminated UTF-8 JSON */
  size_t json_size;            /**< strlen(json) */
  const chat_message* message; /**< message_created: the message */
  const chat_channel* channel; /**< channel_created, channel_updated: the channel */
  const chat_member* member;   /**< member_*: the member concerned; typing: who */
  int64_t read_seq;            /**< read_marker: the new marker */
  bool online;                 /**< presence: online or not */
  const chat_user* user;       /**< user_updated: the user as they are now */
} chat_event;

/** A deep copy of an event, owned by the caller; free with chat_event_free(). NULL if no memory. */
CHAT_API chat_event* chat_event_copy(const chat_event* event);
/** Frees an event from chat_event_copy(); NULL is ignored. */
CHAT_API void chat_event_free(chat_event* event);

/** Events taken by one chat_connection_poll(), in delivery order. */
typedef struct chat_event_batch {
  size_t count;             /**< number of events (at least 1) */
  const chat_event* events; /**< count events */
  uint64_t dropped;         /**< events lost to a full queue since the previous poll */
} chat_event_batch;

/** Frees a batch and its events; NULL is ignored. */
CHAT_API void chat_event_batch_free(chat_event_batch* batch);

/**
 * A user's live session with the engine, receiving the events meant for them. Opaque.
 *
 * Two ways to receive events:
 * - **Polled** (chat_engine_connect()): the engine only appends to the connection's queue; the
 *   application takes events with chat_connection_poll() on a thread of its choice. Use this from
 *   any runtime that must not be entered on foreign threads (Python, JVM, Swift actors...).
 * - **Callback** (chat_engine_connect_callback()): the engine calls the function directly on its
 *   own threads: the commit thread for messages, the thread of the call that caused the event
 *   for the others (or the thread already delivering that channel's events), possibly several
 *   at once. Events of one channel arrive in commit order, one at a time. The callback must be
 *   quick and must not block; it must not call chat_send() (it would wait for the very thread it
 *   may be running on). The event is valid during the call only (copy it with chat_event_copy()
 *   to keep it). No lock of the engine is held while it runs: it may call other engine
 *   functions, e.g. chat_add_member() on the same channel; the events those cause are delivered
 *   after the current one.
 *
 * A connection handle is used by one thread at a time, except chat_connection_interrupt(),
 * which may be called from any thread. When a user's first connection opens, their contacts
 * get a presence event; when the last closes, another.
 */
typedef struct chat_connection chat_connection;

/**
 * Connects `user_id` with a polled event queue. `max_queued` bounds the queue (0: unbounded);
 * when it is full, new events are dropped and counted in the next batch's `dropped`, and the
 * client should catch up with chat_sync(). Close with chat_connection_close().
 * Errors: not_found (unknown user).
 */
CHAT_API chat_connection* chat_engine_connect(chat_engine* engine, int64_t user_id,
                                              size_t max_queued, chat_error* error);

/**
 * Called for each event of a callback connection; see #chat_connection for the rules.
 * `event` is valid during the call only.
 */
typedef void (*chat_event_fn)(const chat_event* event, void* user_data);

/**
 * Connects `user_id` with a callback. `user_data` is passed to every call and must stay valid
 * until chat_connection_close() returns; after that, `fn` is never called again.
 * Errors: not_found (unknown user), invalid_argument (NULL fn).
 */
CHAT_API chat_connection* chat_engine_connect_callback(chat_engine* engine, int64_t user_id,
                                                       chat_event_fn fn, void* user_data,
                                                       chat_error* error);

/**
 * Takes up to `max_events` queued events (0: all of them). Waits up to `timeout_ms` for the
 * first one (0: do not wait; negative: until an event, chat_connection_interrupt() or the
 * engine closing). Returns a batch to free with chat_event_batch_free(), or NULL when there was
 * nothing: then `error` holds #CHAT_OK, or #CHAT_ERR_UNAVAILABLE once the engine was closed and
 * the queue is empty, or #CHAT_ERR_INVALID_ARGUMENT for a callback connection.
 */
CHAT_API chat_event_batch* chat_connection_poll(chat_connection* connection, size_t max_events,
                                                int timeout_ms, chat_error* error);

/**
 * Makes the poll waiting on this connection (or, if none is waiting, the next one) return at
 * once. Safe from any thread (not from a signal handler); use it to stop a poller thread.
 */
CHAT_API void chat_connection_interrupt(chat_connection* connection);

/** The connection's id, as the engine knows it (non-zero). */
CHAT_API uint64_t chat_connection_id(const chat_connection* connection);

/**
 * Disconnects and frees the connection. Queued events are discarded. For a callback
 * connection, waits for a callback running on another thread to return; it may be called from
 * inside the connection's own callback. No poll on it may be running. NULL is ignored.
 */
CHAT_API void chat_connection_close(chat_connection* connection);

/**
 * Users who share a channel with `me` and are connected now. Free with chat_id_list_free().
 */
CHAT_API chat_id_list* chat_online_contacts(chat_engine* engine, int64_t me, chat_error* error);

/** @} */
/* ------------------------------------------------------------------------------------------- */
/** @name Messages */
/** @{ */

/**
 * Sends a message and returns once it is durable. Text: UTF-8, 1..2000 code points.
 * `client_msg_id` (NULL or 0..64 bytes) makes retries safe: a retry with the same one returns
 * the original message. `origin` (may be NULL) is the sender's connection, which gets no event
 * for its own message. Free with chat_message_free().
 * Errors: invalid_argument, forbidden (not a member), not_found, unavailable.
 */
CHAT_API chat_message* chat_send(chat_engine* engine, int64_t sender, int64_t channel_id,
                                 const char* text, const char* client_msg_id,
                                 const chat_connection* origin, chat_error* error);

/** Which page of history chat_history() returns. */
typedef enum chat_history_direction CHAT_ENUM_INT {
  CHAT_HISTORY_LATEST = 0, /**< the newest messages; `seq` is ignored */
  CHAT_HISTORY_BEFORE = 1, /**< messages with seq < `seq` (the newest of them) */
  CHAT_HISTORY_AFTER = 2   /**< messages with seq > `seq` (the oldest of them) */
} chat_history_direction;

/**
 * A page of a channel's history, ascending seq; `limit` is clamped to 1..200.
 * Free with chat_message_list_free(). Errors: forbidden, not_found, invalid_argument.
 */
CHAT_API chat_message_list* chat_history(chat_engine* engine, int64_t me, int64_t channel_id,
                                         chat_history_direction direction, int64_t seq, int limit,
                                         chat_error* error);

/**
 * What is new after the cursors in my channels (channels without a cursor: from the start),
 * ascending channel id, at most `limit_per_channel` (clamped to 1..200) each, at most 100
 * channels and one page of the reply byte budget. While the result or a channel has_more, call
 * again with cursors moved to the last seq returned. `cursors` may be NULL when
 * `cursor_count` is 0. Free with chat_sync_result_free().
 */
CHAT_API chat_sync_result* chat_sync(chat_engine* engine, int64_t me,
                                     const chat_sync_cursor* cursors, size_t cursor_count,
                                     int limit_per_channel, chat_error* error);

/**
 * Moves my read marker forward to `seq` (never back; clamped to the last seq) and returns the
 * marker, or -1 on failure. `origin` may be NULL. Errors: forbidden, not_found.
 */
CHAT_API int64_t chat_mark_read(chat_engine* engine, int64_t me, int64_t channel_id, int64_t seq,
                                const chat_connection* origin, chat_error* error);

/** Tells the channel's other online members that `me` is typing. Errors: forbidden, not_found. */
CHAT_API bool chat_typing(chat_engine* engine, int64_t me, int64_t channel_id,
                          const chat_connection* origin, chat_error* error);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CHAT_H */
