"""cardbridge: French health cards (CPS, Vitale) on a local HTTP API.

Layers, from the bottom: ``pcsc`` (transport), ``cards`` (card applications and
models), ``auth`` (challenges, tokens, verifier), ``dmp`` (DMP access workflows),
``service`` (what the API serves: one held connection and cache per card, events), ``api``
and ``cli``. ``emulator`` provides software cards beside the real ones.
"""

__version__ = "0.1.0"
