"""Authentication: challenge nonces, Web eID 1.0 tokens signed by the CPS, and their verifier."""
