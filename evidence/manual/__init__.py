"""The manual source: attestation records with attached evidence files."""
