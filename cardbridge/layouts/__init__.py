"""Card layouts as data: files, paths and tags of the CPS and Vitale cards, one module per card.

Used by the card sessions (to read) and by the emulator (to build cards), so that a
correction after reading a real card is a one-place change.
"""
