-- Accounts, roles, sessions and invites.
-- {{id}}, {{bigint}} and {{true}} are replaced per dialect by store/migrate.cpp.
CREATE TABLE users (
    id {{id}},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'invited', 'suspended')),
    password_hash TEXT,
    manager_id {{bigint}} REFERENCES users(id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_manager ON users(manager_id);

CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE role_permissions (
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE role_inherits (
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    parent TEXT NOT NULL REFERENCES roles(name),
    PRIMARY KEY (role, parent)
);

CREATE TABLE user_roles (
    user_id {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL REFERENCES roles(name),
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles(role);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    user_id {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);

-- Counters the server reads on hot paths, e.g. roles_version: bumped on every role change so
-- each process knows when to reload its cached role graph.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value {{bigint}} NOT NULL
);
INSERT INTO meta (key, value) VALUES ('roles_version', 1);

INSERT INTO roles (name, description, builtin, created_at, updated_at) VALUES
    ('employee', 'Fills in their own onboarding profile', 1, '{{now}}', '{{now}}'),
    ('reviewer', 'Reviews profiles and documents', 1, '{{now}}', '{{now}}'),
    ('admin', 'Everything', 1, '{{now}}', '{{now}}');
INSERT INTO role_permissions (role, permission) VALUES
    ('employee', 'profile.self'),
    ('reviewer', 'users.read'),
    ('reviewer', 'profiles.read'),
    ('reviewer', 'profiles.review'),
    ('reviewer', 'documents.review'),
    ('admin', '*');
