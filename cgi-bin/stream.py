#!/usr/bin/env python3
"""Prints 10 lines 0.3 s apart, flushing each, to show the response streaming."""
import sys
import time

sys.stdout.write("Content-Type: text/plain\r\n\r\n")
sys.stdout.flush()
for i in range(1, 11):
    sys.stdout.write("line %d\n" % i)
    sys.stdout.flush()
    time.sleep(0.3)
