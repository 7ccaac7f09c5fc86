"""Domain facts without I/O: NIR and INS, national identifiers, code tables (G15, R01, ...)."""
