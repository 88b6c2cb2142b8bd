#!/usr/bin/python3
"""Fill a migrated hrms SQLite database with USERS users and one session each, for the /me
benchmark, and print one session token. Bench-only: it writes rows directly, so argon2id hashing
of 10,000 passwords does not dominate the setup. Usage: seed_auth.py DB_PATH [USERS=10000]"""
import datetime
import hashlib
import secrets
import sqlite3
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
# Sessions made now (their absolute lifetime counts from created_at), expiring far ahead.
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
far = "2099-01-01T00:00:00.000Z"
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
start = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
users, roles, sessions, tokens = [], [], [], []
for i in range(start + 1, start + n + 1):
    # search is core::search_text(name, email): plain lower case for ASCII.
    users.append((i, f"bench{i}@example.com", f"Bench User {i}", f"bench user {i} bench{i}@example.com",
                  "active", now, now))
    roles.append((i, "employee" if i % 10 else "reviewer"))
    token = secrets.token_urlsafe(32)
    tokens.append(token)
    sessions.append((hashlib.sha256(token.encode()).hexdigest(), i, "csrf", now, far, now))
# Builds before migration 9 have no users.search (HRMS_BASELINE may be one).
if "search" in {row[1] for row in db.execute("PRAGMA table_info(users)")}:
    db.executemany("INSERT INTO users (id, email, name, search, status, created_at, updated_at) "
                   "VALUES (?,?,?,?,?,?,?)", users)
else:
    db.executemany("INSERT INTO users (id, email, name, status, created_at, updated_at) VALUES (?,?,?,?,?,?)",
                   [u[:3] + u[4:] for u in users])
db.executemany("INSERT INTO user_roles (user_id, role) VALUES (?,?)", roles)
db.executemany("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at) VALUES (?,?,?,?,?,?)", sessions)
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
print(tokens[len(tokens) // 2])
