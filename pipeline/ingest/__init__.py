"""Dossier → pages: every page of a dossier with its real resolution, the clerk's manifest."""
