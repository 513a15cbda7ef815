#!/usr/bin/env python3
"""Prints half a header section then exits 1: the server must answer 502."""
import sys

sys.stdout.write("Content-Type: text/pl")
sys.stdout.flush()
sys.exit(1)
