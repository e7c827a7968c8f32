# Calls busybox makes beside the everyday ones: df (statfs, /proc/mounts), nproc (affinity),
# renice (priorities), chown/chgrp, mkfifo (mknod), touch -d (utimensat), cp of a large file
# (sendfile), stat of owners; only what is the same natively and in the guest is printed.
d=tmp/calls.$$
mkdir -p $d
df / | head -1 | tr -s ' '
df -P / | awk 'NR == 2 { print ($2 > 0 && $4 <= $2) ? "df sizes ok" : "df sizes bad"; print "mounted on " $6 }'
bb=./bin/busybox
taskset 1 $bb nproc
# renice is relative and goes down (root may): the native run may start niced, up to 19.
$bb sh -c 'set -- $(cut -d" " -f18,19 /proc/$$/stat); renice -n -2 -p $$ >/dev/null
set -- $1 $2 $(cut -d" " -f18,19 /proc/$$/stat); echo "renice $(($4 - $2)), priority - nice $(($3 - $4))"'
echo owned > $d/f
chown 1000:2000 $d/f; stat -c '%u %g' $d/f
chown 42 $d/f; stat -c '%u %g' $d/f
chgrp 7 $d/f; stat -c '%u %g' $d/f
chmod 4755 $d/f; chown 0 $d/f; stat -c '%a %u' $d/f
ln -s f $d/l; chown -h 5:6 $d/l; stat -c '%u %g %F' $d/l; stat -c '%u %g' $d/f
mkfifo -m 600 $d/fifo; stat -c '%F %a' $d/fifo; [ -p $d/fifo ] && echo is a fifo
(echo through the fifo > $d/fifo &); cat $d/fifo; cat $d/fifo & sleep 0.1; echo and back > $d/fifo; wait
mknod $d/fifo2 p && ls -l $d/fifo2 | cut -c1
touch -d '2001-02-03 04:05:06' $d/f; TZ=UTC0 stat -c '%y' $d/f | cut -c1-19
touch -t 199912312359 $d/f; TZ=UTC0 ls -l --full-time $d/f 2>/dev/null | grep -c 1999 || stat -c '%Y' $d/f
i=0; while [ $i -lt 2000 ]; do echo "line $i of a file large enough for several sendfile chunks"; i=$((i + 1)); done > $d/big
cp $d/big $d/copy && cmp $d/big $d/copy && echo copies equal
cat $d/big | wc -c; wc -c < $d/copy
mv -n $d/copy $d/big; [ -e $d/copy ] && echo mv -n kept it
sync; echo synced
rm -rf $d
