#!bin/busybox sh
echo "script: $0 $*"
exit 4
