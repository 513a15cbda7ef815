#!/usr/bin/env python3
"""Sleeps 60 s before answering: for cgi_timeout tests (expect 504)."""
import sys
import time

time.sleep(60)
sys.stdout.write("Content-Type: text/plain\r\n\r\ntoo late\n")
