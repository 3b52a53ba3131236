-- Sign-ins under way through the OpenID provider (docs/decisions.md, "The
-- console signs in with OpenID Connect"). A row lives from the redirect to
-- the provider until the browser comes back: single use, ten minutes at
-- most, deleted by the sweep after that. The state is kept as its SHA-256
-- and the PKCE verifier only as its S256 challenge (the verifier itself is
-- in the browser's binding cookie), so a copy of this table completes no
-- sign-in.
CREATE TABLE console_logins (
    state_hash TEXT PRIMARY KEY NOT NULL, -- hex SHA-256 of the state sent
    nonce      TEXT NOT NULL,             -- the ID token must carry it
    challenge  TEXT NOT NULL,             -- base64url SHA-256 of the verifier
    return_to  TEXT NOT NULL,             -- a path under /console/
    created_at TEXT NOT NULL
);
CREATE INDEX console_logins_by_creation ON console_logins (created_at);
