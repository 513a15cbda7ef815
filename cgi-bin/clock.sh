#!/bin/sh
# WebSocket exec demo: one line with the time every second until the client leaves.
while :; do
    date '+%H:%M:%S' || exit 0
    sleep 1
done
