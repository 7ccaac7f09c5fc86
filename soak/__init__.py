"""The soak of cardbridge (``make soak``, not part of ``make test``): minutes of mixed
API load while cards come and go, then checks of errors, schema, memory, threads, file
descriptors and events. ``tests/soak`` runs it for a few seconds so that it cannot rot."""
