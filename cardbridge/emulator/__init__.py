"""Software CPS and Vitale cards: ISO 7816-4 engine, card profiles, test PKI, vpcd bridge."""
