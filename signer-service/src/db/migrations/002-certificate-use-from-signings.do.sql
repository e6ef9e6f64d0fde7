-- When a certificate was first and last used is in package_signings (one row per signing). The
-- copies on the certificate's row were written by every push, so concurrent pushes on PostgreSQL
-- queued for that one row's lock, and nothing read them.
ALTER TABLE certificates DROP COLUMN first_used_at, DROP COLUMN last_used_at;
