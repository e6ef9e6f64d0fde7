ALTER TABLE certificates ADD COLUMN first_used_at timestamptz, ADD COLUMN last_used_at timestamptz;
UPDATE certificates SET first_used_at = used.first_signed, last_used_at = used.last_signed
  FROM (SELECT certificate_fingerprint, min(signed_at) AS first_signed, max(signed_at) AS last_signed FROM package_signings GROUP BY certificate_fingerprint) AS used
  WHERE used.certificate_fingerprint = certificates.fingerprint_sha256;
