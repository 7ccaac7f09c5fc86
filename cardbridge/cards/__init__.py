"""Card applications: CPS and Vitale sessions on a ``Connection``, read into typed models."""
