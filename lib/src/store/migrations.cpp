// The schema, as an ordered list of migrations with one statement list per backend, side by
// side so that a version reads as one change.
#include "store/migrations.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace chat::detail {
namespace {

// MySQL tables: InnoDB, utf8mb4 with binary collation so that keys compare exactly as on SQLite
// (username_key is already case-folded by the engine). Never edit a released migration; add one.
const std::vector<migration>& migrations() {
  static const std::vector<migration> list = {
      {1,
       {
           "CREATE TABLE IF NOT EXISTS users ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " username TEXT NOT NULL,"
           " username_key TEXT NOT NULL UNIQUE,"
           " password_hash TEXT NOT NULL DEFAULT '',"
           " email TEXT NULL,"
           " phone TEXT NULL,"
           " created_at INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS channels ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " kind INTEGER NOT NULL,"
           " name TEXT NOT NULL DEFAULT '',"
           " topic TEXT NOT NULL DEFAULT '',"
           " created_by INTEGER NOT NULL REFERENCES users(id),"
           " created_at INTEGER NOT NULL,"
           " last_seq INTEGER NOT NULL DEFAULT 0,"
           " dm_key TEXT NULL UNIQUE)",
           "CREATE TABLE IF NOT EXISTS messages ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " channel_id INTEGER NOT NULL REFERENCES channels(id),"
           " seq INTEGER NOT NULL,"
           " sender_id INTEGER NOT NULL REFERENCES users(id),"
           " text TEXT NOT NULL,"
           " client_msg_id TEXT NULL,"
           " created_at INTEGER NOT NULL,"
           " UNIQUE (channel_id, seq),"
           " UNIQUE (sender_id, client_msg_id))",
           "CREATE TABLE IF NOT EXISTS user_channels ("
           " channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
           " role INTEGER NOT NULL DEFAULT 0,"
           " last_read_seq INTEGER NOT NULL DEFAULT 0,"
           " joined_at INTEGER NOT NULL,"
           " PRIMARY KEY (channel_id, user_id))",
           "CREATE INDEX IF NOT EXISTS user_channels_by_user ON user_channels (user_id)",
           "CREATE TABLE IF NOT EXISTS sessions ("
           " token_hash TEXT PRIMARY KEY,"
           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
           " created_at INTEGER NOT NULL,"
           " expires_at INTEGER NOT NULL)",
           "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
           "CREATE TABLE IF NOT EXISTS identities ("
           " issuer TEXT NOT NULL,"
           " subject TEXT NOT NULL,"
           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
           " email TEXT NULL,"
           " linked_at INTEGER NOT NULL,"
           " PRIMARY KEY (issuer, subject),"
           " UNIQUE (user_id, issuer))",
       },
       {
           "CREATE TABLE IF NOT EXISTS users ("
           " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
           " username VARCHAR(255) NOT NULL,"
           " username_key VARCHAR(255) NOT NULL,"
           " password_hash VARCHAR(255) NOT NULL DEFAULT '',"
           " email VARCHAR(320) NULL,"
           " phone VARCHAR(64) NULL,"
           " created_at BIGINT NOT NULL,"
           " UNIQUE KEY users_username_key (username_key)"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS channels ("
           " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
           " kind SMALLINT NOT NULL,"
           " name VARCHAR(255) NOT NULL DEFAULT '',"
           " topic TEXT NOT NULL,"
           " created_by BIGINT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " last_seq BIGINT NOT NULL DEFAULT 0,"
           " dm_key VARCHAR(255) NULL,"
           " UNIQUE KEY channels_dm_key (dm_key),"
           " CONSTRAINT channels_created_by FOREIGN KEY (created_by) REFERENCES users(id)"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS messages ("
           " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
           " channel_id BIGINT NOT NULL,"
           " seq BIGINT NOT NULL,"
           " sender_id BIGINT NOT NULL,"
           " text TEXT NOT NULL,"
           " client_msg_id VARCHAR(128) NULL,"
           " created_at BIGINT NOT NULL,"
           " UNIQUE KEY messages_channel_seq (channel_id, seq),"
           " UNIQUE KEY messages_sender_client_id (sender_id, client_msg_id),"
           " CONSTRAINT messages_channel FOREIGN KEY (channel_id) REFERENCES channels(id),"
           " CONSTRAINT messages_sender FOREIGN KEY (sender_id) REFERENCES users(id)"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS user_channels ("
           " channel_id BIGINT NOT NULL,"
           " user_id BIGINT NOT NULL,"
           " role SMALLINT NOT NULL DEFAULT 0,"
           " last_read_seq BIGINT NOT NULL DEFAULT 0,"
           " joined_at BIGINT NOT NULL,"
           " PRIMARY KEY (channel_id, user_id),"
           " KEY user_channels_by_user (user_id),"
           " CONSTRAINT user_channels_channel FOREIGN KEY (channel_id) REFERENCES channels(id)"
           "  ON DELETE CASCADE,"
           " CONSTRAINT user_channels_user FOREIGN KEY (user_id) REFERENCES users(id)"
           "  ON DELETE CASCADE"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS sessions ("
           " token_hash VARCHAR(128) NOT NULL PRIMARY KEY,"
           " user_id BIGINT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " KEY sessions_by_user (user_id),"
           " CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS identities ("
           " issuer VARCHAR(255) NOT NULL,"
           " subject VARCHAR(255) NOT NULL,"
           " user_id BIGINT NOT NULL,"
           " email VARCHAR(320) NULL,"
           " linked_at BIGINT NOT NULL,"
           " PRIMARY KEY (issuer, subject),"
           " UNIQUE KEY identities_user_issuer (user_id, issuer),"
           " CONSTRAINT identities_user FOREIGN KEY (user_id) REFERENCES users(id)"
           "  ON DELETE CASCADE"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
       }},
      // 2: key columns compare byte for byte. utf8mb4_bin is PAD SPACE: it ignores trailing
      // spaces, so "k " collided with "k" in unique keys. utf8mb4_nopad_bin keeps the columns
      // text (the server still checks utf8mb4) without padding. SQLite compares exactly already.
      // MODIFY keeps each column's keys; re-running a half-applied upgrade is harmless.
      {2,
       {},
       {
           "ALTER TABLE users MODIFY username_key VARCHAR(255)"
           " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL",
           "ALTER TABLE channels MODIFY dm_key VARCHAR(255)"
           " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL",
           "ALTER TABLE messages MODIFY client_msg_id VARCHAR(128)"
           " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL",
           "ALTER TABLE sessions MODIFY token_hash VARCHAR(128)"
           " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL",
           "ALTER TABLE identities"
           " MODIFY issuer VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,"
           " MODIFY subject VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL",
       }},
      // 3: failed logins per account and per address (login backoff, docs/security.md M1),
      // kept in the database so the backoff holds across restarts and nodes. throttle_key is
      // "account:<username key>" or "address:<client address>".
      {3,
       {
           "CREATE TABLE IF NOT EXISTS login_failures ("
           " throttle_key TEXT PRIMARY KEY,"
           " failures INTEGER NOT NULL,"
           " last_failure_at INTEGER NOT NULL)",
           "CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures (last_failure_at)",
       },
       {
           "CREATE TABLE IF NOT EXISTS login_failures ("
           " throttle_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL"
           "  PRIMARY KEY,"
           " failures INT NOT NULL,"
           " last_failure_at BIGINT NOT NULL,"
           " KEY login_failures_by_time (last_failure_at)"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
       }},
      // 4: who may reach a user (docs/security.md, L8): blocks, the group-add policy, and
      // whether a member is in a channel by choice (presence). Existing members count as by
      // choice if they created the channel, it is public (joined by name) or they sent into it.
      {4,
       {
           "CREATE TABLE IF NOT EXISTS user_blocks ("
           " blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
           " blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
           " created_at INTEGER NOT NULL,"
           " PRIMARY KEY (blocker_id, blocked_id))",
           "CREATE INDEX IF NOT EXISTS user_blocks_by_blocked"
           " ON user_blocks (blocked_id, blocker_id)",
           "CREATE TABLE IF NOT EXISTS user_privacy ("
           " user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
           " group_adds INTEGER NOT NULL DEFAULT 0)",
           "ALTER TABLE user_channels ADD COLUMN by_choice INTEGER NOT NULL DEFAULT 0",
           "UPDATE user_channels SET by_choice = 1 WHERE EXISTS (SELECT 1 FROM channels c"
           " WHERE c.id = user_channels.channel_id AND (c.created_by = user_channels.user_id"
           " OR c.dm_key LIKE 'public:%')) OR EXISTS (SELECT 1 FROM messages m"
           " WHERE m.channel_id = user_channels.channel_id"
           " AND m.sender_id = user_channels.user_id)",
       },
       {
           "CREATE TABLE IF NOT EXISTS user_blocks ("
           " blocker_id BIGINT NOT NULL,"
           " blocked_id BIGINT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " PRIMARY KEY (blocker_id, blocked_id),"
           " KEY user_blocks_by_blocked (blocked_id, blocker_id),"
           " CONSTRAINT user_blocks_blocker FOREIGN KEY (blocker_id) REFERENCES users(id)"
           "  ON DELETE CASCADE,"
           " CONSTRAINT user_blocks_blocked FOREIGN KEY (blocked_id) REFERENCES users(id)"
           "  ON DELETE CASCADE"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE IF NOT EXISTS user_privacy ("
           " user_id BIGINT NOT NULL PRIMARY KEY,"
           " group_adds SMALLINT NOT NULL DEFAULT 0,"
           " CONSTRAINT user_privacy_user FOREIGN KEY (user_id) REFERENCES users(id)"
           "  ON DELETE CASCADE"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "ALTER TABLE user_channels ADD COLUMN IF NOT EXISTS"
           " by_choice SMALLINT NOT NULL DEFAULT 0",
           "UPDATE user_channels SET by_choice = 1 WHERE EXISTS (SELECT 1 FROM channels c"
           " WHERE c.id = user_channels.channel_id AND (c.created_by = user_channels.user_id"
           " OR c.dm_key LIKE 'public:%')) OR EXISTS (SELECT 1 FROM messages m"
           " WHERE m.channel_id = user_channels.channel_id"
           " AND m.sender_id = user_channels.user_id)",
       }},
      // 5: one row that the readiness check rewrites, so that "ready" means "can write" (a
      // full disk or a read-only database fails it while reads still work).
      {5,
       {
           "CREATE TABLE IF NOT EXISTS write_probe ("
           " id INTEGER PRIMARY KEY, checked_at INTEGER NOT NULL)",
           "INSERT INTO write_probe (id, checked_at) SELECT 1, 0"
           " WHERE NOT EXISTS (SELECT 1 FROM write_probe WHERE id = 1)",
       },
       {
           "CREATE TABLE IF NOT EXISTS write_probe ("
           " id INT NOT NULL PRIMARY KEY, checked_at BIGINT NOT NULL"
           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "INSERT IGNORE INTO write_probe (id, checked_at) VALUES (1, 0)",
       }},
  };
  return list;
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int current_version(soci::session& sql) {
  int version = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

}  // namespace

void apply_migrations(soci::session& sql, migration_statements statements, int up_to_version) {
  const int have = current_version(sql);
  if (have > latest_schema_version()) {
    throw store_error(
        store_error::kind::internal,
        "database schema version " + std::to_string(have) + " is newer than this build supports");
  }
  for (const migration& m : migrations()) {
    if (m.version <= have) continue;
    if (up_to_version > 0 && m.version > up_to_version) break;
    for (const char* statement : m.*statements) {
      sql << statement;
    }
    const long long applied_at = now_ms();
    sql << "INSERT INTO schema_version (version, applied_at) VALUES (:v, :t)", soci::use(m.version),
        soci::use(applied_at);
  }
}

int latest_schema_version() {
  return migrations().back().version;
}

}  // namespace chat::detail
