-- Certificates that ever signed a package of this feed. Rows are never deleted (append-only).
CREATE TABLE certificates (
  fingerprint_sha256 text PRIMARY KEY,
  subject text NOT NULL,
  issuer text NOT NULL,
  serial_number text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  der bytea NOT NULL,
  active boolean NOT NULL DEFAULT false,
  first_used_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per package version the feed serves. `generation` is new on every push, and every
-- storage key embeds it, so a signed copy of a deleted package can never be served again.
CREATE TABLE packages (
  id_lower text NOT NULL,
  version_lower text NOT NULL,
  id text NOT NULL,
  version text NOT NULL,
  full_version text NOT NULL,
  generation text NOT NULL,
  original_key text,
  signed_key text,
  certificate_fingerprint text REFERENCES certificates (fingerprint_sha256),
  size_bytes bigint,
  listed boolean NOT NULL DEFAULT true,
  prerelease boolean NOT NULL,
  semver2 boolean NOT NULL,
  metadata jsonb NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  signed_at timestamptz,
  PRIMARY KEY (id_lower, version_lower),
  CHECK (original_key IS NOT NULL OR signed_key IS NOT NULL),
  CHECK ((signed_key IS NULL) = (certificate_fingerprint IS NULL))
);

CREATE INDEX packages_unsigned ON packages (id_lower) WHERE signed_key IS NULL;

-- Which package versions each certificate signed, kept after unlist, delete and re-sign.
CREATE TABLE package_signings (
  certificate_fingerprint text NOT NULL REFERENCES certificates (fingerprint_sha256),
  id_lower text NOT NULL,
  version_lower text NOT NULL,
  generation text NOT NULL,
  mode text NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (certificate_fingerprint, id_lower, version_lower, generation)
);
