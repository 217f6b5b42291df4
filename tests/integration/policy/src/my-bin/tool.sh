#!/bin/sh
echo "tool ran: $*"
