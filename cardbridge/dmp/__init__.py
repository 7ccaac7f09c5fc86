"""DMP access workflows: patient selection, access modes and consent, VIHF, journal, documents."""
