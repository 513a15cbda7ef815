#!/usr/bin/env python3
"""WebSocket exec demo: each line read from stdin comes back upper-cased."""
import sys

for line in sys.stdin:
    sys.stdout.write(line.upper())
    sys.stdout.flush()
