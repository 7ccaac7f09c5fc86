"""What the local API serves, independent of HTTP: readers, card operations, events.

``readers`` keeps one worker, one connection and one cache per reader holding a card;
``cards`` runs the CPS and Vitale operations on them; ``events`` hands reader events
to asyncio subscribers; ``authorities`` knows the CA certificates; ``backends`` picks
PC/SC or the emulated readers; ``bridge`` puts them together for the app's lifetime.
The API layer imports this package; this package never imports the API.
"""
