/* The C API test cases; each runs as its own ctest test (see main.c). */
#ifndef CHAT_C_TESTS_TESTS_H
#define CHAT_C_TESTS_TESTS_H

#define CHAT_C_TESTS(X)                             \
  X(test_names_and_version)                         \
  X(test_null_arguments_are_errors_not_crashes)     \
  X(test_options_reject_bad_values)                 \
  X(test_error_messages_are_bounded_and_terminated) \
  X(test_open_with_default_options)                 \
  X(test_engine_reopens_a_file_database)            \
  X(test_register_and_lookup)                       \
  X(test_sessions)                                  \
  X(test_change_password)                           \
  X(test_groups_and_direct_conversations)           \
  X(test_membership_rules)                          \
  X(test_send)                                      \
  X(test_history)                                   \
  X(test_sync_and_read_markers)                     \
  X(test_polled_events)                             \
  X(test_poll_batches_and_bounded_queue)            \
  X(test_interrupt_wakes_a_blocked_poll)            \
  X(test_callback_events)                           \
  X(test_callback_may_call_back_into_the_engine)    \
  X(test_engine_close_detaches_open_connections)    \
  X(test_event_copy_is_deep)                        \
  X(test_session_revoked_reaches_c_as_its_own_kind) \
  X(test_session_ttl_is_bounded)

#define CHAT_C_DECLARE(name) void name(void);
CHAT_C_TESTS(CHAT_C_DECLARE)
#undef CHAT_C_DECLARE

#endif
