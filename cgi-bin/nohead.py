#!/usr/bin/env python3
"""Prints a body without any header section: the server must answer 502."""
print("<html><body>no header here</body></html>")
