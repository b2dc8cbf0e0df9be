"""PDF/A → signed by the converting agency (PAdES, pyHanko); verification; a development PKI."""
